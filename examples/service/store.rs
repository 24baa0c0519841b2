//! Storage: the events are the record, the account row is a cache of them, and a command's
//! events, cache, outbox rows, deadline and sessions are written in one transaction.
//!
//! The same SQL runs on SQLite and PostgreSQL through sqlx's `Any` driver: `$1` parameters
//! (SQLite reads them too), `BIGINT` and `TEXT` columns, `ON CONFLICT` upserts.
//!
//! - `events (codice_fiscale, version)` is the primary key, so appending the events for
//!   versions v+1.. of an account read at version v *is* the compare-and-swap: whoever appended
//!   v+1 first wins, and the other's insert fails with a unique violation ([`Commit::LostRace`]).
//! - `accounts` holds the serialized [`Account`] (which carries its format) and the next
//!   deadline, indexed, for the ticker. An account that no longer deserializes (a format this
//!   release refuses, a damaged row) is rebuilt from its events with [`Account::replay`].
//! - `outbox` holds what the carriers must take, keyed by (codice fiscale, version, seq): that
//!   key is the idempotency key the carrier is given. A delivery's payload is the crate's
//!   [`inps_pin::OutboxDelivery`] JSON, **the one serialized form that holds a code**. This
//!   example stores it as it is; a real deployment encrypts the column (with a key from its
//!   key-management service) and never copies it into logs or clear backups. Once the carrier
//!   took a row, the payload is deleted and only a description (no code) is kept.
//! - `sessions` maps the SHA-256 of a session token to the session (the token itself is only
//!   in the client's hands).

use inps_pin::{Account, CodiceFiscale, Event, StoredEvent};
use jiff::Timestamp;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};
use zeroize::Zeroizing;

/// Which server the pool talks to: the DDL differs in nothing, but SQLite wants WAL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database of one service instance (a pool; instances on PostgreSQL share the data).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// A row of the outbox to write with a command.
pub struct NewOutboxRow {
    /// `delivery` (an [`inps_pin::OutboxDelivery`], with its code) or `notice` (a notification).
    pub kind: &'static str,
    /// The JSON the carrier needs; wiped from memory once written.
    pub payload: Zeroizing<String>,
    /// What it is and where it goes, without any code: safe to log and to keep.
    pub description: String,
}

/// A row of the outbox waiting for its carrier.
pub struct PendingOutboxRow {
    pub codice_fiscale: String,
    pub version: i64,
    pub seq: i64,
    pub kind: String,
    pub payload: Zeroizing<String>,
    pub description: String,
}

impl PendingOutboxRow {
    /// The key the carrier dedupes on: one outbox row, one sending, across restarts and
    /// instances. Derived from the row's place, never from the code.
    pub fn idempotency_key(&self) -> String {
        format!("{}-{}-{}", self.codice_fiscale, self.version, self.seq)
    }
}

/// What a command writes besides its events.
pub struct Write<'a> {
    /// The account as read, before the events.
    pub read: &'a Account,
    /// The account after the events.
    pub next: &'a Account,
    pub events: &'a [Event],
    pub next_deadline: Option<Timestamp>,
    pub outbox: &'a [NewOutboxRow],
    /// Sessions of this account to end (their token hashes).
    pub end_sessions: &'a [String],
    /// A session opened by the command: (token hash, session JSON).
    pub new_session: Option<(&'a str, &'a str)>,
    pub now: Timestamp,
}

/// How a commit ended, when it did not fail.
#[derive(Debug, PartialEq, Eq)]
pub enum Commit {
    Written,
    /// Another writer appended this account's next version first: reload and decide again.
    LostRace,
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS events (
        codice_fiscale TEXT NOT NULL,
        version BIGINT NOT NULL,
        event TEXT NOT NULL,
        recorded_at BIGINT NOT NULL,
        PRIMARY KEY (codice_fiscale, version))",
    "CREATE TABLE IF NOT EXISTS accounts (
        codice_fiscale TEXT PRIMARY KEY,
        version BIGINT NOT NULL,
        snapshot TEXT NOT NULL,
        next_deadline BIGINT)",
    "CREATE INDEX IF NOT EXISTS accounts_next_deadline ON accounts (next_deadline)",
    "CREATE TABLE IF NOT EXISTS outbox (
        codice_fiscale TEXT NOT NULL,
        version BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT,
        description TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        sent_at BIGINT,
        PRIMARY KEY (codice_fiscale, version, seq))",
    "CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (sent_at, created_at)",
    "CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY,
        codice_fiscale TEXT NOT NULL,
        session TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sessions_account ON sessions (codice_fiscale)",
];

/// A deadline as stored: milliseconds since the epoch, rounded *up*, so that a tick sent at
/// the stored instant is never before the account's own deadline (which would be a no-op, and
/// the ticker would come back for ever).
pub fn deadline_millis(at: Timestamp) -> i64 {
    let millis = at.as_millisecond();
    if at.subsec_nanosecond() % 1_000_000 != 0 {
        millis + 1
    } else {
        millis
    }
}

impl Store {
    /// Connects and creates the tables if missing. `sqlite://path?mode=rwc` creates the file.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, sqlx::Error> {
        install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        // sqlx pings a connection when it goes back to the pool, and by default again when it
        // is taken out: on PostgreSQL a round trip before every load and every commit, on a
        // machine whose cores are busy with Argon2 a wait for the server's process to be
        // scheduled. The ping on return already drops a broken connection; one that breaks
        // while idle (the server restarted) fails the one command that takes it, and is then
        // dropped by that ping.
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .test_before_acquire(false);
        if backend == Backend::Sqlite {
            // In WAL mode, `synchronous=NORMAL` syncs the log at checkpoints, not at every
            // commit: a commit no longer waits for the disk (~4 ms on the machine of the
            // benchmark, the largest cost a login adds to its Argon2), and the database stays
            // consistent through any crash. What it gives up: after a power cut or an OS crash
            // (not a crash of the service) the last commits before it may be rolled back
            // together, whole transactions, never half of one. For this service that is the
            // last logins (a session lost: log in again), failures counted (a few more tries),
            // PINs issued (a letter for a PIN the account no longer has: request again). The
            // usual choice for WAL in production; a deployment that must not lose a committed
            // failure sets `INPS_PIN_SQLITE_SYNCHRONOUS=FULL`, at the cost measured in the
            // README, or uses PostgreSQL.
            let synchronous = match std::env::var("INPS_PIN_SQLITE_SYNCHRONOUS").as_deref() {
                Ok("FULL") => "FULL",
                Ok("EXTRA") => "EXTRA",
                _ => "NORMAL",
            };
            options = options.after_connect(move |connection, _| {
                Box::pin(async move {
                    sqlx::query(&format!("PRAGMA synchronous = {synchronous}"))
                        .execute(connection)
                        .await?;
                    Ok(())
                })
            });
        }
        if backend == Backend::Postgres
            && std::env::var("INPS_PIN_POSTGRES_SYNCHRONOUS_COMMIT").as_deref() == Ok("off")
        {
            // PostgreSQL's counterpart of SQLite's `NORMAL`, and only on request: a commit
            // returns before its WAL record is flushed (the flush was most of a login's commit
            // on the benchmark's machine, ~4 ms of its disk). A crash of the *server* may lose
            // the last commits, whole, never half of one and never corrupting the database;
            // the same losses as `NORMAL` (see README). By default every commit is flushed.
            options = options.after_connect(|connection, _| {
                Box::pin(async move {
                    sqlx::query("SET synchronous_commit = off")
                        .execute(connection)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await?;
        if backend == Backend::Sqlite {
            // Readers do not wait for the writer, and the writer for readers; the busy timeout
            // (sqlx's default, 5 s) queues writers of other accounts. The mode is the file's:
            // set once, it stays.
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&pool)
                .await?;
        }
        for statement in SCHEMA {
            sqlx::query(statement).execute(&pool).await?;
        }
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool (a restart in the tests; a shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The account from its cache, or rebuilt from its events when the cache is missing or
    /// refused; a new account when nothing is stored.
    pub async fn load(&self, codice_fiscale: CodiceFiscale) -> Result<Account, sqlx::Error> {
        let row = sqlx::query("SELECT version, snapshot FROM accounts WHERE codice_fiscale = $1")
            .bind(codice_fiscale.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await?;
        if let Some(row) = row {
            let version: i64 = row.try_get(0)?;
            let snapshot: String = row.try_get(1)?;
            match serde_json::from_str::<Account>(&snapshot) {
                Ok(account)
                    if i64::try_from(account.version()).ok() == Some(version)
                        && account.codice_fiscale() == codice_fiscale =>
                {
                    return Ok(account);
                }
                Ok(_) => eprintln!(
                    "[store] the cached account of {} disagrees with its row: rebuilding it from its events",
                    codice_fiscale.as_str()
                ),
                Err(error) => eprintln!(
                    "[store] the cached account of {} is not readable ({error}): rebuilding it from its events",
                    codice_fiscale.as_str()
                ),
            }
        }
        self.replay(codice_fiscale).await
    }

    /// The account rebuilt from its events alone (R29, R32).
    pub async fn replay(&self, codice_fiscale: CodiceFiscale) -> Result<Account, sqlx::Error> {
        let events = self.events(codice_fiscale).await?;
        Ok(Account::replay(codice_fiscale, &events))
    }

    /// Every stored event of an account, in order.
    pub async fn events(&self, codice_fiscale: CodiceFiscale) -> Result<Vec<Event>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT version, event FROM events WHERE codice_fiscale = $1 ORDER BY version",
        )
        .bind(codice_fiscale.as_str().to_owned())
        .fetch_all(&self.pool)
        .await?;
        let mut events = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let version: i64 = row.try_get(0)?;
            let text: String = row.try_get(1)?;
            if i64::try_from(index + 1).ok() != Some(version) {
                return Err(sqlx::Error::Protocol(format!(
                    "the events of {} have a gap before version {version}",
                    codice_fiscale.as_str()
                )));
            }
            let stored: StoredEvent =
                serde_json::from_str(&text).map_err(|error| sqlx::Error::Decode(error.into()))?;
            events.push(stored.into_event());
        }
        Ok(events)
    }

    /// Writes a command's events, the account's cache and deadline, its outbox rows and its
    /// sessions, in one transaction; the events' primary key makes it a compare-and-swap.
    ///
    /// Each kind of row is one statement, however many rows ([`CommitSql`]). On SQLite they run
    /// one after another in a transaction: the database is in the process, and a statement
    /// costs no round trip. On PostgreSQL each statement is a round trip to another process,
    /// which on a busy machine waits for a core before it answers: there the statements are
    /// sent as **one**, of data-modifying common table expressions, which PostgreSQL runs
    /// atomically as its own transaction, so `BEGIN` and `COMMIT` go too. A login's commit was
    /// five round trips (`BEGIN`, the event, the cache, the session, `COMMIT`); it is one.
    pub async fn commit(&self, write: Write<'_>) -> Result<Commit, sqlx::Error> {
        let sql = CommitSql::new(&write)?;
        if sql.parts.is_empty() {
            return Ok(Commit::Written);
        }
        match self.backend {
            Backend::Postgres => {
                let text = sql.one_statement();
                match sql.bind(sqlx::query(&text)).execute(&self.pool).await {
                    Ok(_) => Ok(Commit::Written),
                    Err(error) if sql.appends && lost_race(&error) => Ok(Commit::LostRace),
                    Err(error) => Err(error),
                }
            }
            Backend::Sqlite => {
                let mut tx = self.pool.begin().await?;
                for (index, part) in sql.parts.iter().enumerate() {
                    let text = part.sql(None);
                    match sql.bind(sqlx::query(&text)).execute(&mut *tx).await {
                        Ok(_) => {}
                        Err(error) if index == 0 && sql.appends && lost_race(&error) => {
                            tx.rollback().await?;
                            return Ok(Commit::LostRace);
                        }
                        Err(error) => return Err(error),
                    }
                }
                tx.commit().await?;
                Ok(Commit::Written)
            }
        }
    }

    /// The sessions of an account: (token hash, session JSON).
    pub async fn sessions_of(
        &self,
        codice_fiscale: CodiceFiscale,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows =
            sqlx::query("SELECT token_hash, session FROM sessions WHERE codice_fiscale = $1")
                .bind(codice_fiscale.as_str().to_owned())
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    /// The session behind a token hash, as JSON.
    pub async fn session(&self, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query("SELECT session FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| row.try_get(0)).transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Accounts whose deadline has come, earliest first.
    pub async fn due_accounts(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT codice_fiscale FROM accounts WHERE next_deadline <= $1 ORDER BY next_deadline LIMIT $2",
        )
        .bind(now.as_millisecond())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| row.try_get(0)).collect()
    }

    /// An account's stored next deadline, in milliseconds (for operators and tests).
    pub async fn next_deadline(
        &self,
        codice_fiscale: CodiceFiscale,
    ) -> Result<Option<i64>, sqlx::Error> {
        let row = sqlx::query("SELECT next_deadline FROM accounts WHERE codice_fiscale = $1")
            .bind(codice_fiscale.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<Option<i64>, _>(0)?,
            None => None,
        })
    }

    /// Outbox rows not yet taken by their carrier, oldest first, claimed for one drainer.
    ///
    /// On PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED` in a transaction that lasts
    /// until [`Claim::finish`]: the drainer of another instance passes over them and takes the
    /// next ones, so several instances drain at once and none hands a row to its carrier that
    /// another is sending (a crash before the finish unlocks them for the next round, sent
    /// again under the same key). On SQLite there is one writer at a time, and a claim there
    /// would be a write transaction held while the carrier works, queueing every command
    /// behind it: the rows are read without a lock, and two instances on one file may both
    /// hand a row to the carrier, which drops the second by its idempotency key.
    pub async fn claim_unsent(&self, limit: i64) -> Result<Claim, sqlx::Error> {
        let select = "SELECT codice_fiscale, version, seq, kind, payload, description FROM outbox
             WHERE sent_at IS NULL ORDER BY created_at, codice_fiscale, version, seq LIMIT $1";
        let (rows, tx) = match self.backend {
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                let rows = sqlx::query(&format!("{select} FOR UPDATE SKIP LOCKED"))
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                (rows, Some(tx))
            }
            Backend::Sqlite => {
                let rows = sqlx::query(select)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                (rows, None)
            }
        };
        let rows = rows
            .iter()
            .map(|row| {
                Ok(PendingOutboxRow {
                    codice_fiscale: row.try_get(0)?,
                    version: row.try_get(1)?,
                    seq: row.try_get(2)?,
                    kind: row.try_get(3)?,
                    payload: Zeroizing::new(
                        row.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
                    ),
                    description: row.try_get(5)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(Claim {
            rows,
            tx,
            pool: self.pool.clone(),
        })
    }

    /// How many outbox rows wait for their carrier, and how many sent rows still hold a payload
    /// (which must be none).
    pub async fn outbox_counts(&self) -> Result<(i64, i64), sqlx::Error> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL),
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND payload IS NOT NULL)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }
}

/// Whether a failed commit lost the compare-and-swap: a unique violation of the events' key.
/// The other rows' keys cannot collide once the events went in (the outbox's is the new
/// version's, a session's a fresh token's hash). SQLite does not name the constraint.
fn lost_race(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(error) => {
            error.is_unique_violation()
                && error.constraint().is_none_or(|name| name == "events_pkey")
        }
        _ => false,
    }
}

/// A parameter of a commit's statements.
enum Param<'a> {
    Text(&'a str),
    OwnedText(String),
    Int(i64),
    OptionalInt(Option<i64>),
}

/// A commit's statements, one per kind of row (multi-row `VALUES`), and the parameters they
/// share (`$n`: the codice fiscale and the time appear once). The events' insert is first.
struct CommitSql<'a> {
    parts: Vec<Part>,
    params: Vec<Param<'a>>,
    /// How many events the first part appends (the compare-and-swap).
    events: usize,
    /// Whether there are any: when there are none, no part is the append and none is guarded.
    appends: bool,
}

/// One statement of a commit.
enum Part {
    /// `INSERT INTO {into} VALUES {rows}{tail}`.
    Insert {
        into: &'static str,
        rows: Vec<String>,
        tail: &'static str,
    },
    /// `DELETE FROM {from} WHERE {filter}`.
    Delete { from: &'static str, filter: String },
}

impl Part {
    /// The statement's SQL; with a `guard`, a condition it must meet before it touches a row.
    fn sql(&self, guard: Option<&str>) -> String {
        match (self, guard) {
            (Part::Insert { into, rows, tail }, None) => {
                format!("INSERT INTO {into} VALUES {}{tail}", rows.join(", "))
            }
            // `WHERE` before `ON CONFLICT` also keeps that clause from reading as a join's.
            (Part::Insert { into, rows, tail }, Some(guard)) => format!(
                "INSERT INTO {into} SELECT * FROM (VALUES {}) AS v WHERE {guard}{tail}",
                rows.join(", ")
            ),
            (Part::Delete { from, filter }, None) => format!("DELETE FROM {from} WHERE {filter}"),
            (Part::Delete { from, filter }, Some(guard)) => {
                format!("DELETE FROM {from} WHERE {filter} AND {guard}")
            }
        }
    }
}

impl<'a> CommitSql<'a> {
    fn new(write: &'a Write<'a>) -> Result<Self, sqlx::Error> {
        let mut sql = CommitSql {
            parts: Vec::new(),
            params: Vec::new(),
            events: write.events.len(),
            appends: !write.events.is_empty(),
        };
        let cf = sql.param(Param::OwnedText(
            write.read.codice_fiscale().as_str().to_owned(),
        ));
        let now = sql.param(Param::Int(write.now.as_millisecond()));
        if !write.events.is_empty() {
            let mut version = write.read.version();
            let mut rows = Vec::with_capacity(write.events.len());
            for event in write.events {
                version += 1;
                let text = serde_json::to_string(&StoredEvent::new(event.clone()))
                    .map_err(|error| sqlx::Error::Encode(error.into()))?;
                let version = sql.param(Param::Int(to_i64(version)?));
                let text = sql.param(Param::OwnedText(text));
                rows.push(format!("({cf}, {version}, {text}, {now})"));
            }
            sql.parts.push(Part::Insert {
                into: "events (codice_fiscale, version, event, recorded_at)",
                rows,
                tail: "",
            });
            // Only a writer that appended events moves the cache, and only forward: a command
            // that changed nothing (a login with nothing to record) must not put back an older
            // copy over a newer one written meanwhile by another instance.
            let snapshot = serde_json::to_string(write.next)
                .map_err(|error| sqlx::Error::Encode(error.into()))?;
            let version = sql.param(Param::Int(to_i64(write.next.version())?));
            let snapshot = sql.param(Param::OwnedText(snapshot));
            let deadline = sql.param(Param::OptionalInt(write.next_deadline.map(deadline_millis)));
            sql.parts.push(Part::Insert {
                into: "accounts (codice_fiscale, version, snapshot, next_deadline)",
                rows: vec![format!("({cf}, {version}, {snapshot}, {deadline})")],
                tail: " ON CONFLICT (codice_fiscale) DO UPDATE \
                       SET version = excluded.version, snapshot = excluded.snapshot, \
                       next_deadline = excluded.next_deadline \
                       WHERE accounts.version < excluded.version",
            });
        }
        if !write.outbox.is_empty() {
            let version = sql.param(Param::Int(to_i64(write.next.version())?));
            let mut rows = Vec::with_capacity(write.outbox.len());
            for (seq, row) in write.outbox.iter().enumerate() {
                let seq = sql.param(Param::Int(to_i64(seq as u64)?));
                let kind = sql.param(Param::Text(row.kind));
                let payload = sql.param(Param::Text(row.payload.as_str()));
                let description = sql.param(Param::Text(&row.description));
                rows.push(format!(
                    "({cf}, {version}, {seq}, {kind}, {payload}, {description}, {now})"
                ));
            }
            sql.parts.push(Part::Insert {
                into: "outbox (codice_fiscale, version, seq, kind, payload, description, created_at)",
                rows,
                tail: "",
            });
        }
        if !write.end_sessions.is_empty() {
            let hashes: Vec<String> = write
                .end_sessions
                .iter()
                .map(|hash| sql.param(Param::Text(hash)))
                .collect();
            sql.parts.push(Part::Delete {
                from: "sessions",
                filter: format!("token_hash IN ({})", hashes.join(", ")),
            });
        }
        if let Some((token_hash, session)) = write.new_session {
            let token_hash = sql.param(Param::Text(token_hash));
            let session = sql.param(Param::Text(session));
            sql.parts.push(Part::Insert {
                into: "sessions (token_hash, codice_fiscale, session)",
                rows: vec![format!("({token_hash}, {cf}, {session})")],
                tail: "",
            });
        }
        Ok(sql)
    }

    /// Adds a parameter: its placeholder.
    fn param(&mut self, param: Param<'a>) -> String {
        self.params.push(param);
        format!("${}", self.params.len())
    }

    /// The parts as one statement (PostgreSQL), each a data-modifying common table expression.
    ///
    /// The parts of one statement run in no set order, and a part that locked a row before the
    /// events' key (the cache's row, a session's) could hold it against the writer that holds
    /// the key and wait for that writer: a deadlock. So every later part is guarded by the
    /// count of the appended events, which makes it wait for the whole append: a loser waits on
    /// the events' key, fails there with a unique violation, and has touched nothing else, as
    /// with the separate statements.
    fn one_statement(&self) -> String {
        let guard = self
            .appends
            .then(|| format!("(SELECT count(*) FROM appended) = {}", self.events));
        let mut text = String::from("WITH ");
        for (index, part) in self.parts.iter().enumerate() {
            if index > 0 {
                text.push_str(", ");
            }
            if index == 0 && self.appends {
                text.push_str(&format!("appended AS ({} RETURNING 1)", part.sql(None)));
            } else {
                text.push_str(&format!("part{index} AS ({})", part.sql(guard.as_deref())));
            }
        }
        text.push_str(" SELECT 1");
        text
    }

    /// Binds every parameter. A statement that uses fewer ignores the rest: SQLite reads `$n`
    /// by number and leaves the others unbound, and sqlx declares every parameter's type to
    /// PostgreSQL, which accepts declared parameters a statement does not use.
    fn bind<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for param in &self.params {
            query = match param {
                Param::Text(text) => query.bind(*text),
                Param::OwnedText(text) => query.bind(text.as_str()),
                Param::Int(value) => query.bind(*value),
                Param::OptionalInt(value) => query.bind(*value),
            };
        }
        query
    }
}

fn to_i64(value: u64) -> Result<i64, sqlx::Error> {
    i64::try_from(value).map_err(|error| sqlx::Error::Encode(error.into()))
}

/// Outbox rows one drainer has claimed ([`Store::claim_unsent`]): marked sent one by one, then
/// finished. On PostgreSQL, the marks and the lock are one transaction.
pub struct Claim {
    pub rows: Vec<PendingOutboxRow>,
    tx: Option<sqlx::Transaction<'static, sqlx::Any>>,
    pool: AnyPool,
}

impl Claim {
    /// Marks a row sent and deletes its payload (the code): the carrier has it now.
    pub async fn mark_sent(
        &mut self,
        row: &PendingOutboxRow,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        let query = sqlx::query(
            "UPDATE outbox SET sent_at = $1, payload = NULL
             WHERE codice_fiscale = $2 AND version = $3 AND seq = $4 AND sent_at IS NULL",
        )
        .bind(now.as_millisecond())
        .bind(row.codice_fiscale.clone())
        .bind(row.version)
        .bind(row.seq);
        match &mut self.tx {
            Some(tx) => query.execute(&mut **tx).await?,
            None => query.execute(&self.pool).await?,
        };
        Ok(())
    }

    /// Commits the marks and releases the rows (PostgreSQL); nothing to do on SQLite.
    pub async fn finish(self) -> Result<(), sqlx::Error> {
        match self.tx {
            Some(tx) => tx.commit().await,
            None => Ok(()),
        }
    }
}
