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
    /// A person's key or sealed data does not open (R36): a master key missing from the
    /// configuration, or a row altered or moved.
    #[error("the personal data of {codice_fiscale} does not open")]
    PersonalData {
        /// Whose.
        codice_fiscale: String,
        /// Why.
        #[source]
        source: crate::PersonalDataError,
    },
    /// A person's data opened but belongs to another record than its row's facts.
    #[error("the personal data of {codice_fiscale} does not join its facts ({code})")]
    Join {
        /// Whose.
        codice_fiscale: String,
        /// The join error's code.
        code: &'static str,
    },
    /// A person's data did not seal.
    #[error("sealing a person's data")]
    Seal(#[source] crate::PersonalDataError),
    /// A version or count beyond what a database integer holds.
    #[error("a version beyond 2^63")]
    Overflow,
    /// Another command met the database unreachable a moment ago ([`Outage`](crate::Outage)):
    /// this one was answered without waiting for it.
    #[error("the database was unreachable a moment ago")]
    Outage,
}

impl StoreError {
    /// Whether the database could not be reached or cut the connection: a server restarting
    /// or shutting down, a connection broken, no connection free in time. Nothing of the
    /// command is known to be written; the caller may answer "try again shortly" rather than
    /// report a fault.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(error) => match error {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                // PostgreSQL's classes 08 (connection exception) and 57P (operator
                // intervention: admin shutdown, crash shutdown, cannot connect now).
                sqlx::Error::Database(database) => database
                    .code()
                    .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
                _ => false,
            },
            StoreError::Outage => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_connection_is_unavailability_a_bad_row_is_not() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(StoreError::Database(sqlx::Error::Io(io)).is_unavailable());
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!StoreError::Overflow.is_unavailable());
    }
}
