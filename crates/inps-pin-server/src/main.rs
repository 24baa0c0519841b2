//! `inps-pin-server`: the INPS PIN service, on its embedded SQLite or on PostgreSQL.
//!
//! ```text
//! inps-pin-server [--config FILE] [--demo]    serve (the configuration: README.md)
//! inps-pin-server operator-key ID             a new operator key, and the hash to configure
//! inps-pin-server outbox-key ID               a new outbox key, for INPS_PIN_OUTBOX_KEYS
//! inps-pin-server personal-data-key ID        a new master key, for INPS_PIN_PERSONAL_DATA_KEYS
//! inps-pin-server rewrap-person-keys [--config FILE]   after a rotation of that master key
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use inps_pin::rand_core::Rng;
use inps_pin_server::{Config, ServiceBuilder, bind, database_kind, new_operator_key};
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage:
  inps-pin-server [--config FILE] [--demo]   serve
  inps-pin-server operator-key ID            print a new operator key and its SHA-256
  inps-pin-server outbox-key ID              print a new outbox key for INPS_PIN_OUTBOX_KEYS
  inps-pin-server personal-data-key ID       print a new master key for INPS_PIN_PERSONAL_DATA_KEYS
  inps-pin-server rewrap-person-keys [--config FILE]
                                             wrap every person key under the first of
                                             INPS_PIN_PERSONAL_DATA_KEYS (after a rotation)";

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["operator-key", id] => {
            let (key, hash) =
                new_operator_key(&mut inps_pin::rand_core::UnwrapErr(getrandom::SysRng));
            println!("# give the key to the operator {id}; put the rest in the configuration file");
            println!("# key: {}", key.as_str());
            println!("[[operators]]\nid = \"{id}\"\nroles = [\"sede\"]\nkey_sha256 = \"{hash}\"");
            ExitCode::SUCCESS
        }
        [kind @ ("outbox-key" | "personal-data-key"), id] => {
            let mut key = zeroize::Zeroizing::new([0u8; 32]);
            inps_pin::rand_core::UnwrapErr(getrandom::SysRng).fill_bytes(&mut *key);
            let hex = zeroize::Zeroizing::new(
                key.iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect::<String>(),
            );
            let variable = if *kind == "outbox-key" {
                "INPS_PIN_OUTBOX_KEYS"
            } else {
                "INPS_PIN_PERSONAL_DATA_KEYS"
            };
            println!("{variable}={id}:{}", hex.as_str());
            ExitCode::SUCCESS
        }
        ["rewrap-person-keys", rest @ ..] => match serve_arguments(rest) {
            Some((config, false)) => rewrap(config),
            _ => {
                eprintln!("{USAGE}");
                ExitCode::from(2)
            }
        },
        rest => match serve_arguments(rest) {
            Some((config, demo)) => serve(config, demo),
            None => {
                eprintln!("{USAGE}");
                ExitCode::from(2)
            }
        },
    }
}

fn serve_arguments(args: &[&str]) -> Option<(Option<PathBuf>, bool)> {
    let mut config = None;
    let mut demo = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--config" => config = Some(PathBuf::from(args.next()?)),
            "--demo" => demo = true,
            _ => return None,
        }
    }
    Some((config, demo))
}

/// Wraps every person key that is not under the current master key again under it (R36): the
/// step of a rotation after the new key is configured first and the old one after it.
fn rewrap(file: Option<PathBuf>) -> ExitCode {
    let done = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())
        .and_then(|runtime| {
            runtime.block_on(async {
                let config = Config::load(file.as_deref()).map_err(|error| error.to_string())?;
                let keys = config.personal_data().map_err(|error| error.to_string())?;
                let current = keys.current_id().to_owned();
                let store = inps_pin_sqlx::Store::connect(&config.database_url, keys)
                    .await
                    .map_err(|error| error.to_string())?;
                let report = store
                    .rewrap_person_keys(500)
                    .await
                    .map_err(|error| error.to_string())?;
                store.close().await;
                Ok::<_, String>((current, report))
            })
        });
    match done {
        Ok((current, report)) => {
            println!(
                "{} person keys wrapped again under {current}; {} open under no configured key",
                report.rewrapped, report.unreadable
            );
            if report.unreadable == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("inps-pin-server: {error}");
            ExitCode::FAILURE
        }
    }
}

fn serve(file: Option<PathBuf>, demo: bool) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("inps-pin-server: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(file, demo)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The whole chain: "operators: no operator is configured ..." says what to set.
            let mut message = error.to_string();
            let mut source = error.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("inps-pin-server: refusing to start: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The demo database's master key of the person keys, kept beside it so that the demo opens
/// its own accounts again after a restart: made at the first start, read after. A demo's key
/// on disk beside its database is no protection, and the demo holds no real person's data.
fn demo_personal_data_key() -> std::io::Result<String> {
    let path = std::path::Path::new("inps-pin-demo/personal-data.key");
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.trim().to_owned()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut key = zeroize::Zeroizing::new([0u8; 32]);
            inps_pin::rand_core::UnwrapErr(getrandom::SysRng).fill_bytes(&mut *key);
            let hex: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
            let text = format!("demo:{hex}");
            std::fs::write(path, &text)?;
            Ok(text)
        }
        Err(error) => Err(error),
    }
}

async fn run(file: Option<PathBuf>, demo: bool) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::load(file.as_deref())?;
    if demo {
        config.demo = true;
        if std::env::var_os("INPS_PIN_DATABASE_URL").is_none() && file.is_none() {
            std::fs::create_dir_all("inps-pin-demo")?;
            config.database_url = "sqlite://inps-pin-demo/inps-pin.db?mode=rwc".to_owned();
            config.carrier_log = Some("inps-pin-demo/carrier.log".into());
            if config.personal_data_keys.is_none() {
                config.personal_data_keys = Some(demo_personal_data_key()?);
            }
        }
    }
    let address = config.listen.parse()?;
    let service = ServiceBuilder::new(config).build().await?;
    let listener = bind(address)?;
    tracing::info!(
        database = database_kind(&service.config().database_url),
        address = %listener.local_addr()?,
        "inps-pin-server listening"
    );
    if let Some(key) = service.demo_operator_key() {
        eprintln!(
            "\nDEMO MODE: built-in fixtures, a clock operators can move, and one operator with \
             every role.\n  x-operator-key: {key}\nNever run --demo where real people's data \
             is.\n"
        );
    }
    if let Some(log) = &service.config().carrier_log {
        tracing::info!(log = %log.display(), "the stand-in carrier writes what it sends to a file");
    }
    println!("listening on http://{}", listener.local_addr()?);
    let tasks = service.spawn_tasks();
    service.serve(listener, shutdown_signal()).await?;
    tasks.stop().await;
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
