//! Support for tests against real databases: a throwaway PostgreSQL cluster, scratch
//! directories for SQLite files, and one command's write built by hand.
//!
//! [`server`] gives the server named by `INPS_PIN_TEST_POSTGRES_URL`, or starts a cluster on
//! 127.0.0.1 from the installed server binaries (`initdb`, `pg_ctl`, on the PATH or under
//! `/usr/lib/postgresql/*/bin`), stopped and removed when dropped. Without either, the test
//! says on the terminal that it skipped and how to run it; with `INPS_PIN_REQUIRE_POSTGRES=1`
//! (CI sets it) a skip fails instead.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a failure here is a failed test"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use inps_pin::rand_core::CryptoRng;
use inps_pin::{Account, Command, Context, Event, Policy};
use jiff::Timestamp;

use crate::commit::Write;

/// The server the tests use: one they started (stopped and removed on drop), or one named.
#[derive(Debug)]
pub enum Server {
    /// A cluster started for the test.
    Started(Cluster),
    /// The server named by `INPS_PIN_TEST_POSTGRES_URL`.
    Named(String),
}

impl Server {
    /// The URL of the server's `postgres` database (give it to [`database`]).
    pub fn url(&self) -> String {
        match self {
            Server::Started(cluster) => cluster.url("postgres"),
            Server::Named(url) => url.clone(),
        }
    }
}

/// The server named by `INPS_PIN_TEST_POSTGRES_URL`, or a cluster started for the test; `None`
/// after [`skip`] says why there is neither.
pub fn server() -> Option<Server> {
    match std::env::var("INPS_PIN_TEST_POSTGRES_URL") {
        Ok(url) => Some(Server::Named(url)),
        Err(_) => match Cluster::start() {
            Ok(cluster) => Some(Server::Started(cluster)),
            Err(why) => {
                skip(&why);
                None
            }
        },
    }
}

/// A throwaway PostgreSQL cluster on 127.0.0.1, stopped and removed on drop.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// The URL of one of its databases.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let tool = self.bin.join(program);
        let output = if self.as_postgres {
            Process::new("runuser")
                .arg("-u")
                .arg("postgres")
                .arg("--")
                .arg(&tool)
                .args(args)
                .output()
        } else {
            Process::new(&tool).args(args).output()
        }
        .map_err(|error| format!("{program}: {error}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program}: {}",
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Starts a cluster in a fresh directory, on a free port of 127.0.0.1.
    ///
    /// # Errors
    /// Why not: no server binaries, or one of them failed (its standard error).
    pub fn start() -> Result<Cluster, String> {
        let bin = server_binaries().ok_or("no PostgreSQL server binaries (initdb, pg_ctl)")?;
        static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let serial = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let as_postgres = Process::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false);
        let dir = std::env::temp_dir().join(format!("inps-pin-pg-{}-{serial}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let cluster = Cluster {
            dir,
            bin,
            port,
            as_postgres,
        };
        if as_postgres {
            // initdb refuses to run as root: the cluster belongs to the postgres user.
            let status = Process::new("chown")
                .arg("postgres")
                .arg(&cluster.dir)
                .status();
            if !status.is_ok_and(|s| s.success()) {
                return Err("cannot give the cluster's directory to the postgres user".to_owned());
            }
        }
        let data = cluster.dir.join("data");
        let data = data.to_str().ok_or("path")?;
        cluster.run(
            "initdb",
            &[
                "-D",
                data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        cluster.pg_ctl_start()?;
        Ok(cluster)
    }

    /// `pg_ctl start`, waiting until it accepts connections: on its port, listening on
    /// 127.0.0.1 only, its socket in its own directory, without fsync (a throwaway cluster).
    fn pg_ctl_start(&self) -> Result<(), String> {
        let data = self.data_dir();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={} -c fsync=off -c max_connections=100",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().ok_or("path")?,
                "-o",
                &options,
                "-l",
                log.to_str().ok_or("path")?,
                "-w",
                "start",
            ],
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        if let Some(data) = data.to_str() {
            let _ = self.run("pg_ctl", &["-D", data, "-m", "immediate", "-w", "stop"]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn server_binaries() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop().or_else(|| {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        })
    })
}

/// Says on the terminal (past the test harness's capture) that the PostgreSQL tests did not
/// run and how to run them; fails instead when `INPS_PIN_REQUIRE_POSTGRES=1`.
pub fn skip(why: &str) {
    let message = format!(
        "\nSKIPPED postgres_* (the storage tests against PostgreSQL): {why}.\n\
         To run them: install the server (apt-get install postgresql) so the tests start a \
         cluster of their own, or set INPS_PIN_TEST_POSTGRES_URL=postgres://user@host/db.\n"
    );
    assert!(
        std::env::var("INPS_PIN_REQUIRE_POSTGRES").as_deref() != Ok("1"),
        "{message}"
    );
    let _ = std::io::stderr().write_all(message.as_bytes());
}

/// A database per scenario on the server: its URL.
pub async fn database(server: &str, name: &str) -> String {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(server).await.unwrap();
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&pool)
        .await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    match server.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("a PostgreSQL URL ends with its database"),
    }
}

impl Cluster {
    /// The cluster's data directory: what a test greps for what must not be there.
    #[must_use]
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Stops the server with a fast shutdown (open connections are cut) and waits until it
    /// has: until [`Cluster::start_again`], every connection attempt is refused.
    ///
    /// # Errors
    /// `pg_ctl`'s standard error.
    pub fn stop(&self) -> Result<(), String> {
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().ok_or("path")?,
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        )
    }

    /// Starts a server [`Cluster::stop`] stopped, on the same port and with the same options,
    /// and waits until it accepts connections.
    ///
    /// # Errors
    /// `pg_ctl`'s standard error.
    pub fn start_again(&self) -> Result<(), String> {
        self.pg_ctl_start()
    }

    /// Restarts the server with a fast shutdown (open connections are cut, as in a crash of
    /// the connection, not of the data) and waits until it accepts connections again, on the
    /// same port and with the same options.
    ///
    /// # Errors
    /// `pg_ctl`'s standard error.
    pub fn restart(&self) -> Result<(), String> {
        let data = self.data_dir();
        let log = self.dir.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().ok_or("path")?,
                "-l",
                log.to_str().ok_or("path")?,
                "-m",
                "fast",
                "-w",
                "restart",
            ],
        )
    }
}

/// A fresh, empty directory under the system's temp directory, removed on drop: a test's
/// SQLite file, a carrier's log.
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl Scratch {
    /// `inps-pin-{owner}-{process id}-{name}` under the temp directory, emptied first if a
    /// run before left it behind: `owner` says which binary made it, `name` which test.
    #[must_use]
    pub fn new(owner: &str, name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("inps-pin-{owner}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// A SQLite URL for a database file in it, created on first use.
    #[must_use]
    pub fn sqlite_url(&self, file: &str) -> String {
        format!("sqlite://{}?mode=rwc", self.0.join(file).display())
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir` (recursively) whose bytes contain `needle`: what a test of data at
/// rest expects to be empty.
#[must_use]
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            if let Ok(bytes) = std::fs::read(&next) {
                if !needle.is_empty() && bytes.windows(needle.len()).any(|w| w == needle) {
                    found.push(next);
                }
            }
            continue;
        };
        for entry in entries.flatten() {
            stack.push(entry.path());
        }
    }
    found
}

/// `read` after `command`, decided and applied at `now` ([`Account::handle`]), and the events
/// that lead there: what a test hands to [`Store::commit`](crate::Store::commit) as one
/// command's write ([`write_of_events`]). Panics on a refusal: a failed test.
pub fn decided(
    read: &Account,
    command: Command,
    now: Timestamp,
    policy: &Policy,
    rng: &mut impl CryptoRng,
) -> (Account, Vec<Event>) {
    let mut next = read.clone();
    let outcome = next
        .handle(command, &mut Context::new(now, policy, rng))
        .expect("the command applies");
    (next, outcome.events)
}

/// A write of `events` alone, from `read` to `next` at `now`: no outbox row, deadline or
/// session, and the person's key looked up by the store.
#[must_use]
pub fn write_of_events<'a>(
    read: &'a Account,
    next: &'a Account,
    events: &'a [Event],
    now: Timestamp,
) -> Write<'a> {
    Write {
        read,
        next,
        events,
        next_deadline: None,
        outbox: &[],
        end_sessions: None,
        new_session: None,
        person_key: None,
        now,
    }
}
