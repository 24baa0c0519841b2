//! The storage contract of [`inps_pin`] on sqlx: SQLite embedded, PostgreSQL for several
//! instances.
//!
//! # Overview
//!
//! `inps-pin` decides; this crate stores what it decided and drives it, as its storage
//! contract asks (R29, R31–R33):
//!
//! - **Events are the record**, appended under (codice fiscale, version): that primary key is
//!   the compare-and-swap. The account's cache (postcard, with its format) and its next
//!   deadline are written in the same transaction; a cache that does not load is rebuilt from
//!   the events ([`Store::load`]).
//! - **One call runs a command end to end** ([`Accounts::execute`]): load, decide on a
//!   deciding thread (Argon2 stays off the async runtime), append with compare-and-swap, and
//!   on a lost race reload and decide again with the same `Command`, whose typed PIN
//!   remembers its verifications (no second Argon2 run against an unchanged hash).
//! - **The outbox** holds what carriers must take, sealed with XChaCha20-Poly1305 under a
//!   configured key ([`OutboxKeys`]), claimed `FOR UPDATE SKIP LOCKED` on PostgreSQL,
//!   retried with backoff, keyed for idempotency, and emptied of its payload once sent.
//! - **The person's data** (R36) of each event and cached account is sealed under a key of
//!   the person's own, apart from the facts, which stay in clear; the person keys are wrapped
//!   under configured master keys ([`PersonalDataKeys`]) in a table of their own (on SQLite a
//!   file of its own). An erasure deletes the key in its commit: every copy of the sealed
//!   data, in the files, the log and the backups, becomes unreadable ("crypto-shredding"),
//!   and the facts still replay. Rotating the master key rewraps the keys
//!   ([`Store::rewrap_person_keys`]).
//! - **Sessions** by the SHA-256 of their token; ended in the transaction of the command that
//!   ended their PIN (R31).
//! - **Deadlines**: [`Accounts::tick_due`] drains every due account in batches, one
//!   transaction each, as fast as the database takes them.
//! - **Migrations** are embedded and run on connect.
//!
//! # Usage
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use inps_pin::{CodiceFiscale, Command, Policy};
//! use inps_pin_sqlx::{Accounts, OutboxKey, OutboxKeys, PersonalDataKey, PersonalDataKeys, Store};
//!
//! // Each person's data is sealed under a key of their own, wrapped under this master key.
//! let master = PersonalDataKeys::new(PersonalDataKey::from_hex("m1", &std::env::var("PERSONAL_DATA_KEY")?)?);
//! let store = Store::connect("sqlite://pins.db?mode=rwc", master).await?;
//! let keys = OutboxKeys::new(OutboxKey::from_hex("2026-12", &std::env::var("OUTBOX_KEY")?)?);
//! let accounts = Accounts::new(store, Policy::default(), keys)?;
//! // Every command: load, decide, append with compare-and-swap, retry a lost race.
//! let cf = CodiceFiscale::parse("RSSMRA80A01H501U")?;
//! let _ = accounts.execute(cf, Command::Tick).await?;
//! // A task of the service: every due deadline, in batches.
//! let report = accounts.tick_due(500).await?;
//! println!("ticked {}", report.ticked);
//! # Ok(())
//! # }
//! ```
//!
//! The conformance suite (`tests/conformance.rs`) runs `inps-pin`'s reference model against
//! this store on SQLite and on a throwaway PostgreSQL cluster ([`testing`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod accounts;
mod clock;
mod commit;
mod deciding;
mod entropy;
mod error;
mod migrations;
mod outage;
mod outbox;
mod personal;
mod sealing;
mod session_token;
mod store;
pub mod testing;

pub use accounts::{
    Accounts, ExecuteError, Executed, OpenedSession, SessionCheck, TickReport, Timings,
    typed_pin_verifications,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use commit::{Commit, NewSession, Write};
pub use deciding::{Admission, DecideError, DecidingOptions, DecidingPool, DecidingStats};
pub use entropy::Entropy;
pub use error::StoreError;
pub use migrations::migrator;
pub use outage::{Entry, Outage, Probe};
pub use outbox::{
    NewOutboxRow, OutboxMessage, OutboxStats, PendingError, PendingOutboxRow, SealError, backoff,
    idempotency_key, next_attempt,
};
pub use personal::{
    PersonKey, PersonKeyCache, PersonalDataError, PersonalDataKey, PersonalDataKeys, RowKey,
    account_row_key, event_row_key, person_key_row_key,
};
pub use sealing::{KeyError, Keyring, OpenError, OutboxKey, OutboxKeys, Sealed, SealingKey};
pub use session_token::{SessionToken, hash_token};
pub use store::{
    Backend, Claim, DueAccount, HeldMessage, HeldRecords, HeldSession, Rewrapped,
    SqliteSynchronous, Store, StoreOptions, StoredSession, deadline_millis,
};

/// The `inps-pin` this crate was built against.
pub use inps_pin;
/// The sqlx this crate was built against.
pub use sqlx;
