//! What can go wrong in storage.

use thiserror::Error;

/// A storage failure: the database, or stored data that does not read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed (unreachable, a constraint, a timeout).
    #[error("the database")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migrating the schema")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The URL names neither `sqlite:` nor `postgres:`.
    #[error("a database URL starts with sqlite: or postgres:")]
    Url,
    /// A stored event does not read.
    #[error("the event {version} of {codice_fiscale} does not read")]
    Event {
        /// Whose.
        codice_fiscale: String,
        /// Which.
        version: i64,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// An account's events skip a version.
    #[error("the events of {codice_fiscale} have a gap before version {version}")]
    Gap {
        /// Whose.
        codice_fiscale: String,
        /// The first version found after the gap.
        version: i64,
    },
    /// An event or session did not serialize.
    #[error("serializing a row")]
    Encode(#[source] serde_json::Error),
    /// An account did not serialize.
    #[error("serializing an account")]
    Snapshot(#[source] postcard::Error),
    /// A version or count beyond what a database integer holds.
    #[error("a version beyond 2^63")]
    Overflow,
}
