//! The tables and every statement on them: events with compare-and-swap, the cached account,
//! the outbox, sessions and the deadline index.
//!
//! The same SQL runs on SQLite and PostgreSQL through sqlx's `Any` driver: `$n` parameters
//! (SQLite reads them too), `BIGINT` and `TEXT` columns, `ON CONFLICT` upserts; the migrations
//! differ only in the binary column's type.
//!
//! - `events (codice_fiscale, version)` is the primary key, so appending the events for
//!   versions v+1.. of an account read at version v *is* the compare-and-swap: whoever appended
//!   v+1 first wins, and the other's insert fails with a unique violation ([`Commit::LostRace`]).
//! - `accounts` holds each account's cache (postcard, with the format it was written in) and
//!   its next deadline, indexed for the ticker. A cache that does not load (another format, a
//!   damaged row) is rebuilt from the events with [`Account::replay`].
//! - `outbox` holds the carriers' rows, sealed ([`crate::sealing`]); `sessions` maps the
//!   SHA-256 of a session token to the session.

use std::str::FromStr;
use std::time::Duration;

use inps_pin::{Account, CodiceFiscale, Event, Session, StoredEvent};
use jiff::Timestamp;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

use crate::commit::{Commit, CommitSql, Write, lost_race, to_i64};
use crate::error::StoreError;
use crate::migrations;
use crate::outbox::{OutboxStats, PendingOutboxRow, next_attempt};
use crate::sealing::Sealed;

/// Which server the pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// SQLite, embedded: one file, one writer at a time.
    Sqlite,
    /// PostgreSQL: several instances share its data.
    Postgres,
}

/// How durable a SQLite commit is (`PRAGMA synchronous`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SqliteSynchronous {
    /// The write-ahead log is synced at checkpoints, not at every commit. A crash of the
    /// service loses nothing; a power cut or an OS crash may roll back the last commits,
    /// whole transactions, never half of one: the last logins (log in again), failures
    /// counted (a few more tries), PINs issued (a letter for a PIN the account does not
    /// have: request again). The usual choice for WAL, and a commit no longer waits for the
    /// disk (about 4 ms, most of what a login adds to its Argon2).
    #[default]
    Normal,
    /// The log is synced at every commit: nothing committed is lost, at a disk sync each.
    Full,
}

/// How to connect.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// The most connections in the pool.
    pub max_connections: u32,
    /// SQLite's durability.
    pub sqlite_synchronous: SqliteSynchronous,
    /// PostgreSQL's `synchronous_commit`: on by default (every commit flushed). Off, a commit
    /// returns before its log record is flushed, and a crash of the *server* may lose the
    /// last commits, whole: the same losses as SQLite's [`SqliteSynchronous::Normal`].
    pub postgres_synchronous_commit: bool,
    /// How long a writer waits for SQLite's lock, and a command for a connection.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions {
            max_connections: 8,
            sqlite_synchronous: SqliteSynchronous::Normal,
            postgres_synchronous_commit: true,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// The database of one service instance: a pool (instances on PostgreSQL share the data).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// A stored session.
#[derive(Clone, Debug)]
pub struct StoredSession {
    /// The session.
    pub session: Session,
    /// When it ends whatever the PIN does, in milliseconds since the epoch.
    pub expires_at: i64,
}

/// An account whose deadline has come, claimed for one ticker.
#[derive(Debug)]
pub struct DueAccount {
    /// The account as stored (its cache, or rebuilt from its events).
    pub account: Account,
}

/// A deadline as stored: milliseconds since the epoch, rounded *up*, so that a tick sent at
/// the stored instant is never before the account's own deadline (which would be a no-op, and
/// the ticker would come back for ever).
#[must_use]
pub fn deadline_millis(at: Timestamp) -> i64 {
    let millis = at.as_millisecond();
    if at.subsec_nanosecond() % 1_000_000 != 0 {
        millis.saturating_add(1)
    } else {
        millis
    }
}

impl Store {
    /// Connects with the default [`StoreOptions`] and brings the schema up to date.
    /// `sqlite://path?mode=rwc` creates the file; `postgres://user@host/db` a server's.
    ///
    /// # Errors
    /// [`StoreError`] if the database cannot be reached or migrated.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, &StoreOptions::default()).await
    }

    /// Connects and brings the schema up to date.
    ///
    /// # Errors
    /// [`StoreError`] if the database cannot be reached or migrated.
    pub async fn connect_with(url: &str, options: &StoreOptions) -> Result<Store, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else if url.starts_with("sqlite") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Url);
        };
        // sqlx pings a connection when it goes back to the pool, and by default again when it
        // is taken out: on PostgreSQL a round trip before every load and every commit, on a
        // machine whose cores are busy with Argon2 a wait for the server's process to be
        // scheduled. The ping on return already drops a broken connection.
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .test_before_acquire(false);
        match backend {
            Backend::Sqlite => {
                let synchronous = match options.sqlite_synchronous {
                    SqliteSynchronous::Full => "FULL",
                    SqliteSynchronous::Normal => "NORMAL",
                };
                let busy_ms = options.acquire_timeout.as_millis();
                pool_options = pool_options.after_connect(move |connection, _| {
                    Box::pin(async move {
                        // WAL: readers do not wait for the writer, nor the writer for readers.
                        // `secure_delete` overwrites what a deleted row held, in the file.
                        for pragma in [
                            "PRAGMA journal_mode = WAL".to_owned(),
                            format!("PRAGMA synchronous = {synchronous}"),
                            "PRAGMA secure_delete = ON".to_owned(),
                            format!("PRAGMA busy_timeout = {busy_ms}"),
                        ] {
                            sqlx::query(&pragma).execute(&mut *connection).await?;
                        }
                        Ok(())
                    })
                });
            }
            Backend::Postgres => {
                if !options.postgres_synchronous_commit {
                    pool_options = pool_options.after_connect(|connection, _| {
                        Box::pin(async move {
                            sqlx::query("SET synchronous_commit = off")
                                .execute(connection)
                                .await?;
                            Ok(())
                        })
                    });
                }
            }
        }
        let connect_options = AnyConnectOptions::from_str(url).map_err(StoreError::Database)?;
        let pool = pool_options.connect_with(connect_options).await?;
        migrations::run(&pool, backend).await?;
        Ok(Store { pool, backend })
    }

    /// Which server it talks to.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for what this crate has no method for (an operator's query, a test's count).
    #[must_use]
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool (a shutdown; a restart in the tests).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The account from its cache, or rebuilt from its events when the cache is missing or
    /// refused; a new account when nothing is stored.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails, or the events do not read.
    pub async fn load(&self, codice_fiscale: CodiceFiscale) -> Result<Account, StoreError> {
        let row = sqlx::query("SELECT version, snapshot FROM accounts WHERE codice_fiscale = $1")
            .bind(codice_fiscale.as_str())
            .fetch_optional(&self.pool)
            .await?;
        if let Some(row) = row {
            let version: i64 = row.try_get(0)?;
            let snapshot: Vec<u8> = row.try_get(1)?;
            if let Some(account) = read_snapshot(codice_fiscale, version, &snapshot) {
                return Ok(account);
            }
        }
        self.replay(codice_fiscale).await
    }

    /// The account rebuilt from its events alone (R29, R32).
    ///
    /// # Errors
    /// [`StoreError`] if the database fails, or the events do not read.
    pub async fn replay(&self, codice_fiscale: CodiceFiscale) -> Result<Account, StoreError> {
        let events = self.events(codice_fiscale).await?;
        Ok(Account::replay(codice_fiscale, &events))
    }

    /// Every stored event of an account, in order.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails, an event does not read, or a version is missing.
    pub async fn events(&self, codice_fiscale: CodiceFiscale) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, event FROM events WHERE codice_fiscale = $1 ORDER BY version",
        )
        .bind(codice_fiscale.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut events = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let version: i64 = row.try_get(0)?;
            let text: String = row.try_get(1)?;
            if i64::try_from(index + 1).ok() != Some(version) {
                return Err(StoreError::Gap {
                    codice_fiscale: codice_fiscale.as_str().to_owned(),
                    version,
                });
            }
            let stored: StoredEvent =
                serde_json::from_str(&text).map_err(|source| StoreError::Event {
                    codice_fiscale: codice_fiscale.as_str().to_owned(),
                    version,
                    source,
                })?;
            events.push(stored.into_event());
        }
        Ok(events)
    }

    /// Writes each command's events, the accounts' caches and deadlines, their outbox rows
    /// and sessions, in one transaction; the events' primary key makes it a compare-and-swap.
    /// With several writes (the ticker's batch), one lost race writes none of them.
    ///
    /// Each kind of row is one statement, however many rows ([`CommitSql`]). On SQLite they
    /// run one after another in a transaction: the database is in the process, and a
    /// statement costs no round trip. On PostgreSQL the statements are sent as **one**, of
    /// data-modifying common table expressions, which PostgreSQL runs atomically as its own
    /// transaction: a login's commit is one round trip.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails (a lost race is [`Commit::LostRace`], not an error).
    pub async fn commit(&self, writes: &[Write<'_>]) -> Result<Commit, StoreError> {
        let sql = CommitSql::new(writes)?;
        if sql.parts.is_empty() {
            return Ok(Commit::Written);
        }
        match self.backend {
            Backend::Postgres => {
                let text = sql.one_statement();
                match sql.bind(sqlx::query(&text)).execute(&self.pool).await {
                    Ok(_) => Ok(Commit::Written),
                    Err(error) if sql.appends && lost_race(&error) => Ok(Commit::LostRace),
                    Err(error) => Err(error.into()),
                }
            }
            Backend::Sqlite => {
                let mut tx = self.pool.begin().await?;
                for (index, part) in sql.parts.iter().enumerate() {
                    let (text, order) = sql.positional(&part.sql(None));
                    match sql
                        .bind_in_order(sqlx::query(&text), &order)
                        .execute(&mut *tx)
                        .await
                    {
                        Ok(_) => {}
                        Err(error) if index == 0 && sql.appends && lost_race(&error) => {
                            tx.rollback().await?;
                            return Ok(Commit::LostRace);
                        }
                        Err(error) => return Err(error.into()),
                    }
                }
                tx.commit().await?;
                Ok(Commit::Written)
            }
        }
    }

    /// Moves accounts' stored deadlines without appending events: for accounts whose tick had
    /// nothing to do (a deadline stored by a release or policy that computed it otherwise).
    /// Only rows still at the given version are moved.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn set_deadlines(
        &self,
        deadlines: &[(CodiceFiscale, u64, Option<Timestamp>)],
    ) -> Result<(), StoreError> {
        for (codice_fiscale, version, deadline) in deadlines {
            sqlx::query(
                "UPDATE accounts SET next_deadline = $1, tick_lease = NULL
                 WHERE codice_fiscale = $2 AND version = $3",
            )
            .bind(deadline.map(deadline_millis))
            .bind(codice_fiscale.as_str())
            .bind(to_i64(*version)?)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Up to `limit` accounts whose deadline has come, earliest first, claimed for one ticker.
    ///
    /// On PostgreSQL the accounts are leased until `now + lease` in the same statement
    /// (`FOR UPDATE SKIP LOCKED`, then a lease column): another instance's ticker passes over
    /// them and takes the next ones. A commit clears the lease; a ticker that dies leaves it
    /// to expire. On SQLite there is one writer at a time and no lease: two instances on one
    /// file may tick one account, and the compare-and-swap keeps one of the two.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn claim_due(
        &self,
        now: Timestamp,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<DueAccount>, StoreError> {
        let now_ms = now.as_millisecond();
        let rows = match self.backend {
            Backend::Postgres => {
                let until =
                    now_ms.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
                sqlx::query(
                    "UPDATE accounts SET tick_lease = $2 WHERE codice_fiscale IN (
                         SELECT codice_fiscale FROM accounts
                         WHERE next_deadline <= $1 AND (tick_lease IS NULL OR tick_lease <= $1)
                         ORDER BY next_deadline LIMIT $3 FOR UPDATE SKIP LOCKED)
                     RETURNING codice_fiscale, version, snapshot",
                )
                .bind(now_ms)
                .bind(until)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
            }
            Backend::Sqlite => {
                sqlx::query(
                    "SELECT codice_fiscale, version, snapshot FROM accounts
                     WHERE next_deadline <= $1 ORDER BY next_deadline LIMIT $2",
                )
                .bind(now_ms)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
            }
        };
        let mut due = Vec::with_capacity(rows.len());
        for row in &rows {
            let text: String = row.try_get(0)?;
            let version: i64 = row.try_get(1)?;
            let snapshot: Vec<u8> = row.try_get(2)?;
            let Ok(codice_fiscale) = CodiceFiscale::parse(&text) else {
                tracing::error!("a stored codice fiscale does not parse: its account is skipped");
                continue;
            };
            let account = match read_snapshot(codice_fiscale, version, &snapshot) {
                Some(account) => account,
                None => self.replay(codice_fiscale).await?,
            };
            due.push(DueAccount { account });
        }
        Ok(due)
    }

    /// An account's stored next deadline, in milliseconds (for operators and tests).
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn next_deadline(
        &self,
        codice_fiscale: CodiceFiscale,
    ) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT next_deadline FROM accounts WHERE codice_fiscale = $1")
            .bind(codice_fiscale.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<Option<i64>, _>(0)?,
            None => None,
        })
    }

    /// The session behind a token hash.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails (a session that does not read is `None`).
    pub async fn session(&self, token_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        let row = sqlx::query("SELECT session, expires_at FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let text: String = row.try_get(0)?;
        let expires_at: i64 = row.try_get(1)?;
        Ok(serde_json::from_str::<Session>(&text)
            .ok()
            .map(|session| StoredSession {
                session,
                expires_at,
            }))
    }

    /// Ends one session (a logout, or one found ended when presented).
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many sessions an account has (operators, tests).
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn session_count(&self, codice_fiscale: CodiceFiscale) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM sessions WHERE codice_fiscale = $1")
            .bind(codice_fiscale.as_str())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Deletes the sessions that ended by their time; returns how many.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn purge_expired_sessions(&self, now: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now.as_millisecond())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Outbox rows whose time has come, oldest first, claimed for one drainer.
    ///
    /// On PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED` in a transaction that lasts
    /// until [`Claim::finish`]: the drainer of another instance passes over them and takes the
    /// next ones, so several instances drain at once and none hands a row to its carrier that
    /// another is sending (a crash before the finish unlocks them for the next round, sent
    /// again under the same key). On SQLite there is one writer at a time, and a claim there
    /// would be a write transaction held while the carrier works, queueing every command
    /// behind it: the rows are read without a lock, and two instances on one file may both
    /// hand a row to the carrier, which drops the second by its idempotency key.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn claim_outbox(&self, now: Timestamp, limit: u32) -> Result<Claim, StoreError> {
        let select = "SELECT codice_fiscale, version, seq, kind, key_id, payload, description,
                             attempts, created_at
             FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1
             ORDER BY next_attempt_at, created_at, codice_fiscale, version, seq LIMIT $2";
        let (rows, tx) = match self.backend {
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                let rows = sqlx::query(&format!("{select} FOR UPDATE SKIP LOCKED"))
                    .bind(now.as_millisecond())
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await?;
                (rows, Some(tx))
            }
            Backend::Sqlite => {
                let rows = sqlx::query(select)
                    .bind(now.as_millisecond())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                (rows, None)
            }
        };
        let rows = rows
            .iter()
            .map(|row| {
                let key_id: Option<String> = row.try_get(4)?;
                let payload: Option<Vec<u8>> = row.try_get(5)?;
                Ok(PendingOutboxRow {
                    codice_fiscale: row.try_get(0)?,
                    version: row.try_get(1)?,
                    seq: row.try_get(2)?,
                    kind: row.try_get(3)?,
                    description: row.try_get(6)?,
                    attempts: row.try_get(7)?,
                    created_at: row.try_get(8)?,
                    sealed: key_id
                        .zip(payload)
                        .map(|(key_id, bytes)| Sealed { key_id, bytes }),
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(Claim {
            rows,
            tx,
            pool: self.pool.clone(),
        })
    }

    /// What the outbox holds.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn outbox_stats(&self) -> Result<OutboxStats, StoreError> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL),
               (SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL),
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND payload IS NOT NULL)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(OutboxStats {
            unsent: row.try_get(0)?,
            oldest_unsent_at: row.try_get(1)?,
            sent_with_payload: row.try_get(2)?,
        })
    }
}

/// A cached account, if it loads and agrees with its row: its version and its key.
fn read_snapshot(codice_fiscale: CodiceFiscale, version: i64, snapshot: &[u8]) -> Option<Account> {
    match postcard::from_bytes::<Account>(snapshot) {
        Ok(account)
            if i64::try_from(account.version()).ok() == Some(version)
                && account.codice_fiscale() == codice_fiscale =>
        {
            Some(account)
        }
        Ok(_) => {
            tracing::warn!(
                "a cached account disagrees with its row: rebuilding it from its events"
            );
            None
        }
        Err(error) => {
            tracing::warn!(%error, "a cached account is not readable: rebuilding it from its events");
            None
        }
    }
}

/// Outbox rows one drainer has claimed ([`Store::claim_outbox`]): each marked sent or refused,
/// then finished. On PostgreSQL, the marks and the lock are one transaction.
pub struct Claim {
    /// The rows, oldest first.
    pub rows: Vec<PendingOutboxRow>,
    tx: Option<sqlx::Transaction<'static, sqlx::Any>>,
    pool: AnyPool,
}

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claim")
            .field("rows", &self.rows.len())
            .finish_non_exhaustive()
    }
}

impl Claim {
    async fn execute<'q>(
        &mut self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<(), StoreError> {
        match &mut self.tx {
            Some(tx) => query.execute(&mut **tx).await?,
            None => query.execute(&self.pool).await?,
        };
        Ok(())
    }

    /// Marks a row sent and deletes its payload: the carrier has it now.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn mark_sent(
        &mut self,
        row: &PendingOutboxRow,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "UPDATE outbox SET sent_at = $1, payload = NULL, key_id = NULL, last_error = NULL
             WHERE codice_fiscale = $2 AND version = $3 AND seq = $4 AND sent_at IS NULL",
        )
        .bind(now.as_millisecond())
        .bind(row.codice_fiscale.clone())
        .bind(row.version)
        .bind(row.seq);
        self.execute(query).await
    }

    /// Records that the carrier refused a row: it waits [`crate::outbox::backoff`] before the
    /// next try. `why` is logged and kept; it must hold no code (a carrier's error message).
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn mark_refused(
        &mut self,
        row: &PendingOutboxRow,
        now: Timestamp,
        why: &str,
    ) -> Result<(), StoreError> {
        let attempts = row.attempts.saturating_add(1);
        let why: String = why.chars().take(200).collect();
        let query = sqlx::query(
            "UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3
             WHERE codice_fiscale = $4 AND version = $5 AND seq = $6 AND sent_at IS NULL",
        )
        .bind(attempts)
        .bind(next_attempt(now, attempts).as_millisecond())
        .bind(why)
        .bind(row.codice_fiscale.clone())
        .bind(row.version)
        .bind(row.seq);
        self.execute(query).await
    }

    /// Commits the marks and releases the rows (PostgreSQL); nothing to do on SQLite.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn finish(self) -> Result<(), StoreError> {
        match self.tx {
            Some(tx) => Ok(tx.commit().await?),
            None => Ok(()),
        }
    }
}
