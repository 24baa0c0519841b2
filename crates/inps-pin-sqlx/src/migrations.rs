//! The schema, embedded: each backend's migrations in `migrations/{sqlite,postgres}/`, applied
//! in order by sqlx's migrator when a store connects, and recorded in `_sqlx_migrations`.
//! Two instances starting at once are serialised by the migrator's lock (PostgreSQL) or by
//! SQLite's single writer.

use std::borrow::Cow;

use sqlx::AnyPool;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::store::Backend;

/// (version, description, SQLite, PostgreSQL).
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "accounts, events, outbox, sessions",
        include_str!("../migrations/sqlite/0001_accounts.sql"),
        include_str!("../migrations/postgres/0001_accounts.sql"),
    ),
    (
        2,
        "personal data sealed under person keys",
        include_str!("../migrations/sqlite/0002_personal_data.sql"),
        include_str!("../migrations/postgres/0002_personal_data.sql"),
    ),
];

/// The migrations for `backend`.
#[must_use]
pub fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, description, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => sqlite,
                Backend::Postgres => postgres,
            };
            Migration::new(
                *version,
                Cow::Borrowed(*description),
                MigrationType::Simple,
                Cow::Borrowed(*sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// Applies what is missing.
pub(crate) async fn run(
    pool: &AnyPool,
    backend: Backend,
) -> Result<(), sqlx::migrate::MigrateError> {
    migrator(backend).run(pool).await
}
