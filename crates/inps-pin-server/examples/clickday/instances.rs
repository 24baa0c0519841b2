//! The server instances: this example run again as `--serve-instance CONFIG`, each a process
//! of its own (so that it can be killed with SIGKILL), built with `ServiceBuilder` and served
//! with `Service::serve` on a port bound with `bind` (SO_REUSEADDR: a restart binds at once).
//! And the database they share: SQLite, or PostgreSQL given or started here.

use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use inps_pin_server::inps_pin_sqlx::testing::Cluster;
use inps_pin_server::{Config, ServiceBuilder, bind};

use crate::http;

/// The environment variable that carries the outbox key to the instances (never a file).
pub const KEYS_VARIABLE: &str = "INPS_PIN_OUTBOX_KEYS";

/// The master key of the person keys, shared by the seeding and every instance (a run's
/// throwaway database: a fixed key is enough).
pub const PERSONAL_DATA_KEYS: &str =
    "clickday:5050505050505050505050505050505050505050505050505050505050505050";

/// The master keys of the person keys, as a keyring.
pub fn personal_data_keys() -> inps_pin_server::inps_pin_sqlx::PersonalDataKeys {
    inps_pin_server::parse_keyring(PERSONAL_DATA_KEYS).expect("the example's key")
}

/// `--serve-instance CONFIG`: builds the service from the configuration file (JSON) and
/// serves until SIGTERM, or until killed.
pub fn serve_instance(path: &Path) -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .with_writer(std::io::stderr)
        .init();
    let text = std::fs::read_to_string(path).expect("the instance's configuration");
    let mut config: Config = serde_json::from_str(&text).expect("the instance's configuration");
    config.outbox_keys = std::env::var(KEYS_VARIABLE).ok();
    config.personal_data_keys = Some(PERSONAL_DATA_KEYS.to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let address = config.listen.parse().expect("an address");
        let service = ServiceBuilder::new(config)
            .build()
            .await
            .expect("the service starts");
        let listener = bind(address).expect("the port binds");
        let tasks = service.spawn_tasks();
        let shutdown = async {
            if let Ok(mut term) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                term.recv().await;
            }
        };
        service.serve(listener, shutdown).await.expect("serving");
        tasks.stop().await;
    });
    std::process::ExitCode::SUCCESS
}

/// A running instance, killed on drop.
pub struct Instance {
    pub port: u16,
    config: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    /// The carrier's log of this instance.
    pub carrier_log: PathBuf,
}

impl Instance {
    /// Writes the configuration and starts the instance.
    pub fn start(dir: &Path, index: usize, port: u16, config: &Config, keys: &str) -> Instance {
        let path = dir.join(format!("instance-{index}.json"));
        std::fs::write(&path, serde_json::to_string(config).expect("json"))
            .expect("the instance's configuration");
        let mut instance = Instance {
            port,
            config: path,
            log: dir.join(format!("instance-{index}.log")),
            child: None,
            carrier_log: config.carrier_log.clone().expect("a carrier log"),
        };
        instance.spawn(keys);
        instance
    }

    fn spawn(&mut self, keys: &str) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("the instance's log");
        let child = Process::new(std::env::current_exe().expect("this example"))
            .arg("--serve-instance")
            .arg(&self.config)
            .env(KEYS_VARIABLE, keys)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the instance starts");
        self.child = Some(child);
    }

    /// Waits until `/readyz` answers 200.
    pub async fn ready(&mut self, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if let Some(answer) = http::ask_once(self.port, &http::get("/readyz")).await {
                if answer.status == 200 {
                    return started.elapsed();
                }
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!(
                        "instance on port {} exited ({status}): see {}",
                        self.port,
                        self.log.display()
                    );
                }
            }
            assert!(
                started.elapsed() < within,
                "instance on port {} not ready: see {}",
                self.port,
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL, and waits for the process to end.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, at once.
    pub fn restart(&mut self, keys: &str) {
        self.kill();
        self.spawn(keys);
    }

    /// SIGTERM (a graceful stop), then SIGKILL if it does not end within `grace`.
    pub fn stop(&mut self, grace: Duration) {
        if let Some(mut child) = self.child.take() {
            let _ = Process::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let until = Instant::now() + grace;
            while Instant::now() < until {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The database the instances share.
pub enum Database {
    /// A SQLite file: one instance.
    Sqlite { url: String },
    /// A PostgreSQL server: two instances. It can be restarted when the harness started it, or
    /// when `PGDATA` names the given server's data directory.
    Postgres {
        url: String,
        cluster: Option<Cluster>,
        pgdata: Option<PathBuf>,
    },
}

impl Database {
    pub fn url(&self) -> &str {
        match self {
            Database::Sqlite { url } | Database::Postgres { url, .. } => url,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Database::Sqlite { .. } => "SQLite",
            Database::Postgres { .. } => "PostgreSQL",
        }
    }

    pub fn can_restart(&self) -> bool {
        matches!(
            self,
            Database::Postgres {
                cluster: Some(_),
                ..
            } | Database::Postgres {
                pgdata: Some(_),
                ..
            }
        )
    }

    /// Restarts the PostgreSQL server (fast shutdown: open connections are cut), waiting
    /// until it accepts connections again. Returns how long it took.
    pub fn restart(&self) -> Result<Duration, String> {
        let started = Instant::now();
        match self {
            Database::Postgres {
                cluster: Some(cluster),
                ..
            } => cluster.restart()?,
            Database::Postgres {
                pgdata: Some(pgdata),
                ..
            } => pg_ctl_restart(pgdata)?,
            _ => return Err("this database cannot be restarted here".to_owned()),
        }
        Ok(started.elapsed())
    }
}

/// `pg_ctl restart -D PGDATA -m fast -w`, as the postgres user when run as root (PostgreSQL
/// refuses to run as root).
fn pg_ctl_restart(pgdata: &Path) -> Result<(), String> {
    let root = Process::new("id")
        .arg("-u")
        .output()
        .map(|output| output.stdout == b"0\n")
        .unwrap_or(false);
    // Debian keeps the server's tools off the PATH, under /usr/lib/postgresql/VERSION/bin.
    let mut installed: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin/pg_ctl"))
        .filter(|tool| tool.exists())
        .collect();
    installed.sort();
    let pg_ctl = installed.pop().unwrap_or_else(|| PathBuf::from("pg_ctl"));
    let mut command = if root {
        let mut command = Process::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(&pg_ctl);
        command
    } else {
        Process::new(&pg_ctl)
    };
    let output = command
        .arg("restart")
        .arg("-D")
        .arg(pgdata)
        .args(["-m", "fast", "-w"])
        .output()
        .map_err(|error| format!("pg_ctl: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "pg_ctl restart: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
