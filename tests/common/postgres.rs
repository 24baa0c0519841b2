//! A PostgreSQL server for the example service's storage tests: a throwaway cluster the tests
//! start on 127.0.0.1 from the server binaries (`initdb`, `pg_ctl`, found on the PATH or under
//! /usr/lib/postgresql/*/bin), or the server named by `INPS_PIN_TEST_POSTGRES_URL`. Without
//! either the tests are skipped, and say so on the terminal; with
//! `INPS_PIN_REQUIRE_POSTGRES=1` (set by `.ci/run`) a skip fails.
//!
//! Included with `#[path]` by the test files that use it (tests/service.rs,
//! tests/service_reference_model.rs).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command as Process;

/// The server the tests use: one they started (stopped and removed on drop), or one named.
pub enum Server {
    Started(Cluster),
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
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
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

    pub fn start() -> Result<Cluster, String> {
        let bin = server_binaries().ok_or("no PostgreSQL server binaries (initdb, pg_ctl)")?;
        let as_postgres = Process::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false);
        let dir = std::env::temp_dir().join(format!("inps-pin-pg-{}", std::process::id()));
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
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={} -c fsync=off -c max_connections=100",
            cluster.port,
            cluster.dir.display()
        );
        let log = cluster.dir.join("server.log");
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                data,
                "-o",
                &options,
                "-l",
                log.to_str().ok_or("path")?,
                "-w",
                "start",
            ],
        )?;
        Ok(cluster)
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
