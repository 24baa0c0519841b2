//! The INPS PIN in a real service: HTTP and JSON (axum), SQLite by default, PostgreSQL for
//! several instances sharing the accounts (sqlx), an outbox drained into carriers, and a ticker
//! for deadlines. The crate does the deciding; this is the I/O around it.
//!
//! Run with `cargo run --example service`; `examples/service/README.md` tells the rest:
//!
//! | variable | default | what |
//! |---|---|---|
//! | `PORT` | 8080 | the port on 127.0.0.1 |
//! | `DATABASE_URL` | `sqlite://target/service/inps-pin.db?mode=rwc` | `postgres://…` for PostgreSQL |
//! | `INPS_PIN_POLICY` | none | a JSON policy file; it may give only the fields it changes (R34) |
//! | `INPS_PIN_CARRIER_LOG` | `target/service/carrier.log` | what the stand-in carrier "sends", codes included |
//! | `INPS_PIN_OPERATOR_KEY` | `demo-operator-key` | the operators' shared key (`x-operator-key`) |
//! | `INPS_PIN_DEMO_CLOCK` | unset | `1` adds `POST /operator/test/clock`, to jump the clock |
//! | `INPS_PIN_SQLITE_SYNCHRONOUS` | `NORMAL` | `FULL` syncs SQLite's log at every commit (see `store.rs`) |
//! | `INPS_PIN_TIMING` | unset | `1` times each command's phases (`app::Phases`), for the bench |

// tests/service.rs compiles these same modules and uses a few items the binary does not (a
// fixed clock, a seeded generator, counters): allowed here rather than duplicated there.
#[allow(dead_code)]
mod app;
#[allow(dead_code)]
mod carrier;
mod http;
#[allow(dead_code)]
mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use inps_pin::Policy;

use crate::app::{App, Clock, Entropy};
use crate::carrier::LogCarrier;
use crate::http::HttpState;
use crate::store::Store;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .map(|p| p.parse())
        .transpose()?
        .unwrap_or(8080);
    std::fs::create_dir_all("target/service")?;
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "sqlite://target/service/inps-pin.db?mode=rwc".to_owned());
    let policy = match std::env::var("INPS_PIN_POLICY") {
        // A partial file is a whole policy: the rest are the defaults; a wrong value is refused
        // here, naming the field (R34).
        Ok(path) => serde_json::from_str::<Policy>(&std::fs::read_to_string(&path)?)
            .map_err(|error| format!("the policy file {path}: {error}"))?,
        Err(_) => Policy::default(),
    };
    let carrier_log = std::env::var("INPS_PIN_CARRIER_LOG").map_or_else(
        |_| PathBuf::from("target/service/carrier.log"),
        PathBuf::from,
    );
    let operator_key =
        std::env::var("INPS_PIN_OPERATOR_KEY").unwrap_or_else(|_| "demo-operator-key".to_owned());
    let demo_clock = std::env::var("INPS_PIN_DEMO_CLOCK").is_ok_and(|value| value == "1");

    let store = Store::connect(&url, 8).await?;
    // The database URL may hold a password: say only which kind of server it is.
    eprintln!("[service] storage: {:?}", store.backend());
    let app = App::new(store, policy, Clock::system(), Entropy::Os)?;
    let state = Arc::new(HttpState {
        app,
        operator_key,
        demo_clock,
    });
    let carrier = Arc::new(LogCarrier::open(carrier_log.clone()));
    eprintln!(
        "[service] the stand-in carrier writes what it sends to {}",
        carrier_log.display()
    );
    if demo_clock {
        eprintln!("[service] INPS_PIN_DEMO_CLOCK=1: POST /operator/test/clock moves the clock");
    }

    // The outbox drainer: hands deliveries and notices to the carrier, marks them sent.
    let drainer = Arc::clone(&state);
    tokio::spawn(async move {
        loop {
            let now = drainer.app.clock.now();
            if let Err(error) = carrier::drain_once(&drainer.app.store, &carrier, now).await {
                eprintln!("[outbox] draining failed, retrying: {error}");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    // The deadline ticker: sends `Command::Tick` to every account whose deadline has come.
    let ticker = Arc::clone(&state);
    tokio::spawn(async move {
        loop {
            if let Err(error) = ticker.app.tick_due().await {
                eprintln!("[ticker] failed, retrying: {error:?}");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "inps-pin service listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, http::router(state)).await?;
    Ok(())
}
