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
//! - The person's data of each event and cached account is in its `personal` column, sealed
//!   under the person's own key; `person_keys` holds those keys, wrapped under the master
//!   keys ([`crate::personal`]). On SQLite that table is in a second file, `<main file>.keys`,
//!   attached to every connection as `person_keys_db`.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use inps_pin::{Account, CodiceFiscale, Event, Session, StoredEvent};
use jiff::Timestamp;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

use crate::commit::{Commit, CommitSql, Keying, Write, lost_key_race, lost_race, to_i64};
use crate::entropy::Entropy;
use crate::error::StoreError;
use crate::migrations;
use crate::outbox::{OutboxStats, PendingOutboxRow, next_attempt};
use crate::personal::{
    PersonKey, PersonKeyCache, PersonalDataError, PersonalDataKeys, account_row_key, event_row_key,
};
use crate::sealing::Sealed;

mod held;
mod keys_first;

pub use held::{HeldMessage, HeldRecords, HeldSession};

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

/// The database of one service instance: a pool (instances on PostgreSQL share the data),
/// and the master keys that wrap each person's key (R36).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    personal_keys: Arc<PersonalDataKeys>,
    key_cache: Arc<PersonKeyCache>,
    entropy: Arc<Entropy>,
}

/// How many unwrapped person keys a store remembers ([`PersonKeyCache`]): the people active in the
/// last while, each an unwrap spared on every load.
const KEY_CACHE_CAPACITY: usize = 10_000;

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
    /// The person's key, unwrapped, when the account holds sealed personal data.
    pub(crate) key: Option<PersonKey>,
}

/// What [`Store::rewrap_person_keys`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rewrapped {
    /// Keys wrapped again under the current master key.
    pub rewrapped: u64,
    /// Keys that no configured master key unwraps (left as they were, and logged).
    pub unreadable: u64,
}

/// The file of a SQLite database's person keys: the main file's path with `.keys` added, or
/// an in-memory database for an in-memory main one.
fn sqlite_keys_file(url: &str) -> String {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        ":memory:".to_owned()
    } else {
        format!("{path}.keys")
    }
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
    /// `sqlite://path?mode=rwc` creates the file (and `path.keys` beside it, for the person
    /// keys); `postgres://user@host/db` a server's. Each person's key is wrapped under
    /// `personal_data_keys` (R36).
    ///
    /// # Errors
    /// [`StoreError`] if the database cannot be reached or migrated.
    pub async fn connect(
        url: &str,
        personal_data_keys: PersonalDataKeys,
    ) -> Result<Store, StoreError> {
        Store::connect_with(url, &StoreOptions::default(), personal_data_keys).await
    }

    /// Connects and brings the schema up to date.
    ///
    /// # Errors
    /// [`StoreError`] if the database cannot be reached or migrated.
    pub async fn connect_with(
        url: &str,
        options: &StoreOptions,
        personal_data_keys: PersonalDataKeys,
    ) -> Result<Store, StoreError> {
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
                let keys_file = sqlite_keys_file(url);
                pool_options = pool_options.after_connect(move |connection, _| {
                    let keys_file = keys_file.clone();
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
                        // The person keys, in a file of their own (R36): a copy of the main
                        // file holds no key. Same journal and secure deletion; every commit
                        // waits for the disk, since a key is written before the data sealed
                        // under it (`keys_first.rs`), and it is written once a person.
                        sqlx::query("ATTACH DATABASE $1 AS person_keys_db")
                            .bind(keys_file)
                            .execute(&mut *connection)
                            .await?;
                        for pragma in [
                            "PRAGMA person_keys_db.journal_mode = WAL".to_owned(),
                            "PRAGMA person_keys_db.synchronous = FULL".to_owned(),
                            "PRAGMA person_keys_db.secure_delete = ON".to_owned(),
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
        Ok(Store {
            pool,
            backend,
            personal_keys: Arc::new(personal_data_keys),
            key_cache: Arc::new(PersonKeyCache::new(KEY_CACHE_CAPACITY)),
            entropy: Arc::new(Entropy::Os),
        })
    }

    /// Another source of the random bytes of person keys and nonces (a seed, for tests).
    #[must_use]
    pub fn with_entropy(mut self, entropy: Entropy) -> Store {
        self.entropy = Arc::new(entropy);
        self
    }

    /// The master keys that wrap each person's key.
    #[must_use]
    pub fn personal_data_keys(&self) -> &PersonalDataKeys {
        &self.personal_keys
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
        Ok(self.load_keyed(codice_fiscale).await?.0)
    }

    /// [`Store::load`], and the person's key when the account's personal data is sealed
    /// under one: the commit that follows seals under it again without looking it up.
    pub(crate) async fn load_keyed(
        &self,
        codice_fiscale: CodiceFiscale,
    ) -> Result<(Account, Option<PersonKey>), StoreError> {
        let row = sqlx::query(
            "SELECT a.version, a.snapshot, a.personal, k.key_id, k.wrapped
             FROM accounts a LEFT JOIN person_keys k ON k.codice_fiscale = a.codice_fiscale
             WHERE a.codice_fiscale = $1",
        )
        .bind(codice_fiscale.as_str())
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = row {
            let version: i64 = row.try_get(0)?;
            let snapshot: Vec<u8> = row.try_get(1)?;
            let personal: Option<Vec<u8>> = row.try_get(2)?;
            let key = self.unwrap_row(codice_fiscale, &row, 3)?;
            if let Some(account) = read_snapshot(
                codice_fiscale,
                version,
                &snapshot,
                personal.as_deref(),
                key.as_ref(),
            ) {
                return Ok((account, key));
            }
        }
        let (events, key) = self.events_keyed(codice_fiscale).await?;
        Ok((Account::replay(codice_fiscale, &events), key))
    }

    /// The person's key from a row whose columns `at` and `at + 1` are its master key's id and
    /// its wrapped bytes (both NULL: no key, or erased).
    fn unwrap_row(
        &self,
        codice_fiscale: CodiceFiscale,
        row: &sqlx::any::AnyRow,
        at: usize,
    ) -> Result<Option<PersonKey>, StoreError> {
        let key_id: Option<String> = row.try_get(at)?;
        let wrapped: Option<Vec<u8>> = row.try_get(at + 1)?;
        key_id
            .zip(wrapped)
            .map(|(key_id, bytes)| {
                self.key_cache
                    .unwrap(
                        &self.personal_keys,
                        codice_fiscale.as_str(),
                        Sealed { key_id, bytes },
                    )
                    .map_err(|source| personal_error(codice_fiscale, source))
            })
            .transpose()
    }

    /// The person's key, if the person has one (none: never sealed anything, or erased).
    pub(crate) async fn person_key(
        &self,
        codice_fiscale: CodiceFiscale,
    ) -> Result<Option<PersonKey>, StoreError> {
        let row = sqlx::query(
            "SELECT codice_fiscale, key_id, wrapped FROM person_keys WHERE codice_fiscale = $1",
        )
        .bind(codice_fiscale.as_str())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => self.unwrap_row(codice_fiscale, &row, 1),
            None => Ok(None),
        }
    }

    /// The account rebuilt from its events alone (R29, R32).
    ///
    /// # Errors
    /// [`StoreError`] if the database fails, or the events do not read.
    pub async fn replay(&self, codice_fiscale: CodiceFiscale) -> Result<Account, StoreError> {
        let events = self.events(codice_fiscale).await?;
        Ok(Account::replay(codice_fiscale, &events))
    }

    /// Every stored event of an account, in order, each joined with its person's data
    /// (R36): opened under the person's key, or none once erased.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails, an event does not read, a version is missing,
    /// or the person's sealed data does not open under their key.
    pub async fn events(&self, codice_fiscale: CodiceFiscale) -> Result<Vec<Event>, StoreError> {
        Ok(self.events_keyed(codice_fiscale).await?.0)
    }

    /// [`Store::events`], and the person's key if any event's data is sealed under one.
    async fn events_keyed(
        &self,
        codice_fiscale: CodiceFiscale,
    ) -> Result<(Vec<Event>, Option<PersonKey>), StoreError> {
        let rows = sqlx::query(
            "SELECT version, event, personal FROM events WHERE codice_fiscale = $1
             ORDER BY version",
        )
        .bind(codice_fiscale.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut key = None;
        let mut looked_up = false;
        let mut events = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let version: i64 = row.try_get(0)?;
            let text: String = row.try_get(1)?;
            let personal: Option<Vec<u8>> = row.try_get(2)?;
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
            let Some(sealed) = personal else {
                // Facts alone, or a row that holds its personal data inside its facts.
                events.push(stored.into_event());
                continue;
            };
            if !looked_up {
                key = self.person_key(codice_fiscale).await?;
                looked_up = true;
            }
            let opened = match &key {
                Some(key) => {
                    let row_key =
                        event_row_key(codice_fiscale, u64::try_from(version).unwrap_or(0));
                    Some(
                        key.open(row_key.as_bytes(), &sealed)
                            .map_err(|source| personal_error(codice_fiscale, source))?,
                    )
                }
                // Erased: the key is gone, the facts replay alone.
                None => None,
            };
            let joined = StoredEvent::join(stored, opened).map_err(|source| StoreError::Join {
                codice_fiscale: codice_fiscale.as_str().to_owned(),
                code: source.code(),
            })?;
            events.push(joined.into_event());
        }
        Ok((events, key))
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
        let mut keys: Vec<Keying<'_>> = Vec::with_capacity(writes.len());
        for write in writes {
            let keying = self.keying(write).await?;
            if matches!(keying, Keying::Erase { .. }) {
                self.key_cache.evict(write.next.codice_fiscale().as_str());
            }
            keys.push(keying);
        }
        if self.backend == Backend::Sqlite
            && let Some(lost) = self.commit_keys_first(writes, &mut keys).await?
        {
            return Ok(lost);
        }
        let mut rng = self.entropy.generator();
        let sql = CommitSql::new(writes, &keys, &mut rng)?;
        if sql.parts.is_empty() {
            return Ok(Commit::Written);
        }
        match self.backend {
            Backend::Postgres => {
                let text = sql.one_statement();
                match sql.bind(sqlx::query(&text)).execute(&self.pool).await {
                    Ok(_) => Ok(Commit::Written),
                    Err(error) if sql.appends && (lost_race(&error) || lost_key_race(&error)) => {
                        Ok(Commit::LostRace)
                    }
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

    /// What a write needs of its person's key (R36): none; the key it was loaded with, or the
    /// stored one; a fresh one, generated and wrapped here; or, for an erasure, the rows
    /// that still hold the person's data inside their facts (written by a release that did
    /// not seal it), to rewrite with the facts alone.
    async fn keying<'a>(&self, write: &Write<'a>) -> Result<Keying<'a>, StoreError> {
        if write.events.is_empty() {
            return Ok(Keying::Nothing);
        }
        let codice_fiscale = write.next.codice_fiscale();
        if write
            .events
            .iter()
            .any(|event| matches!(event, Event::PersonalDataErased { .. }))
        {
            let rows = sqlx::query(
                "SELECT version, event FROM events
                 WHERE codice_fiscale = $1 AND personal IS NULL ORDER BY version",
            )
            .bind(codice_fiscale.as_str())
            .fetch_all(&self.pool)
            .await?;
            let mut legacy = Vec::new();
            for row in &rows {
                let version: i64 = row.try_get(0)?;
                let text: String = row.try_get(1)?;
                let Ok(stored) = serde_json::from_str::<StoredEvent>(&text) else {
                    continue;
                };
                if let (facts, Some(_)) = stored.split() {
                    legacy.push((
                        version,
                        serde_json::to_string(&facts).map_err(StoreError::Encode)?,
                    ));
                }
            }
            return Ok(Keying::Erase { legacy });
        }
        let seals =
            write.next.person().is_some() || write.events.iter().any(Event::holds_personal_data);
        if !seals {
            return Ok(Keying::Nothing);
        }
        if let Some(key) = write.person_key {
            return Ok(Keying::Under(key));
        }
        if let Some(key) = self.person_key(codice_fiscale).await? {
            return Ok(Keying::Found(key));
        }
        let (key, wrapped) = PersonKey::generate(
            &self.personal_keys,
            codice_fiscale.as_str(),
            &mut self.entropy.generator(),
        );
        Ok(Keying::Fresh(key, wrapped))
    }

    /// The wrapped keys of these people, by codice fiscale.
    async fn wrapped_keys(&self, people: &[String]) -> Result<HashMap<String, Sealed>, StoreError> {
        let mut found = HashMap::with_capacity(people.len());
        for chunk in people.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let text = format!(
                "SELECT codice_fiscale, key_id, wrapped FROM person_keys
                 WHERE codice_fiscale IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&text);
            for person in chunk {
                query = query.bind(person.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                found.insert(
                    row.try_get::<String, _>(0)?,
                    Sealed {
                        key_id: row.try_get(1)?,
                        bytes: row.try_get(2)?,
                    },
                );
            }
        }
        Ok(found)
    }

    /// Wraps every person's key that is not under the current master key again under it, in
    /// batches of `batch` (R36): what a rotation of the master key runs, after the new key is
    /// configured as current and the old one as previous. Only the small table of keys is
    /// rewritten, never the events; once it reports no key left under the old one, the old
    /// key can be removed from the configuration. A key that no configured master key opens
    /// is left as it was, counted and logged (its id, never the key).
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn rewrap_person_keys(&self, batch: u32) -> Result<Rewrapped, StoreError> {
        let current = self.personal_keys.current_id().to_owned();
        let mut report = Rewrapped::default();
        let mut after = String::new();
        let mut rng = self.entropy.generator();
        loop {
            let rows = sqlx::query(
                "SELECT codice_fiscale, key_id, wrapped FROM person_keys
                 WHERE key_id <> $1 AND codice_fiscale > $2 ORDER BY codice_fiscale LIMIT $3",
            )
            .bind(current.as_str())
            .bind(after.as_str())
            .bind(i64::from(batch.max(1)))
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(report);
            }
            for row in &rows {
                let person: String = row.try_get(0)?;
                let old = Sealed {
                    key_id: row.try_get(1)?,
                    bytes: row.try_get(2)?,
                };
                let aad = crate::personal::person_key_row_key(&person);
                match self.personal_keys.open(&old, aad.as_bytes()) {
                    Ok(material) => {
                        let new = self.personal_keys.seal(aad.as_bytes(), &material, &mut rng);
                        sqlx::query(
                            "UPDATE person_keys SET key_id = $1, wrapped = $2
                             WHERE codice_fiscale = $3 AND key_id = $4",
                        )
                        .bind(new.key_id.as_str())
                        .bind(new.bytes.as_slice())
                        .bind(person.as_str())
                        .bind(old.key_id.as_str())
                        .execute(&self.pool)
                        .await?;
                        report.rewrapped += 1;
                    }
                    Err(error) => {
                        tracing::error!(key_id = %old.key_id, %error, "a person's key does not unwrap under any configured master key");
                        report.unreadable += 1;
                    }
                }
                after = person;
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
                     RETURNING codice_fiscale, version, snapshot, personal",
                )
                .bind(now_ms)
                .bind(until)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
            }
            Backend::Sqlite => {
                sqlx::query(
                    "SELECT codice_fiscale, version, snapshot, personal FROM accounts
                     WHERE next_deadline <= $1 ORDER BY next_deadline LIMIT $2",
                )
                .bind(now_ms)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
            }
        };
        let sealed: Vec<String> = rows
            .iter()
            .filter(|row| {
                row.try_get::<Option<Vec<u8>>, _>(3)
                    .ok()
                    .flatten()
                    .is_some()
            })
            .filter_map(|row| row.try_get::<String, _>(0).ok())
            .collect();
        let mut wrapped = self.wrapped_keys(&sealed).await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in &rows {
            let text: String = row.try_get(0)?;
            let version: i64 = row.try_get(1)?;
            let snapshot: Vec<u8> = row.try_get(2)?;
            let personal: Option<Vec<u8>> = row.try_get(3)?;
            let Ok(codice_fiscale) = CodiceFiscale::parse(&text) else {
                tracing::error!("a stored codice fiscale does not parse: its account is skipped");
                continue;
            };
            let key = match wrapped.remove(&text) {
                Some(wrapped) => match self.key_cache.unwrap(&self.personal_keys, &text, wrapped) {
                    Ok(key) => Some(key),
                    Err(error) => {
                        tracing::error!(%error, "a person's key does not unwrap: its account is skipped");
                        continue;
                    }
                },
                None => None,
            };
            let (account, key) = match read_snapshot(
                codice_fiscale,
                version,
                &snapshot,
                personal.as_deref(),
                key.as_ref(),
            ) {
                Some(account) => (account, key),
                None => {
                    let (events, key) = self.events_keyed(codice_fiscale).await?;
                    (Account::replay(codice_fiscale, &events), key)
                }
            };
            due.push(DueAccount { account, key });
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

/// A storage error of a person's sealed data or key.
fn personal_error(codice_fiscale: CodiceFiscale, source: PersonalDataError) -> StoreError {
    StoreError::PersonalData {
        codice_fiscale: codice_fiscale.as_str().to_owned(),
        source,
    }
}

/// A cached account, if it loads and agrees with its row (its version and its key), joined
/// with its person's data (R36): opened under `key`, or the facts alone without a key (erased).
/// Sealed data that does not open, or does not join, sends the caller to the events.
fn read_snapshot(
    codice_fiscale: CodiceFiscale,
    version: i64,
    snapshot: &[u8],
    personal: Option<&[u8]>,
    key: Option<&PersonKey>,
) -> Option<Account> {
    match postcard::from_bytes::<Account>(snapshot) {
        Ok(account)
            if i64::try_from(account.version()).ok() == Some(version)
                && account.codice_fiscale() == codice_fiscale =>
        {
            let (Some(sealed), Some(key)) = (personal, key) else {
                return Some(account);
            };
            let row_key = account_row_key(codice_fiscale, account.version());
            match key.open(row_key.as_bytes(), sealed) {
                Ok(data) => match Account::join(account, Some(data)) {
                    Ok(account) => Some(account),
                    Err(error) => {
                        tracing::warn!(
                            code = error.code(),
                            "a cached account's personal data does not join: rebuilding it from its events"
                        );
                        None
                    }
                },
                Err(error) => {
                    tracing::warn!(%error, "a cached account's personal data does not open: rebuilding it from its events");
                    None
                }
            }
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
