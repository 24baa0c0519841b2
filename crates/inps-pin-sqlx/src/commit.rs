//! A commit: what one command, or a ticker's batch of them, writes, as the fewest statements.

use inps_pin::rand_core::CryptoRng;
use inps_pin::{Account, EndSessions, Event, STORED_FORMAT, Session, StoredEvent};
use jiff::Timestamp;

use crate::error::StoreError;
use crate::outbox::NewOutboxRow;
use crate::personal::{PersonKey, account_row_key, event_row_key};
use crate::sealing::Sealed;
use crate::store::deadline_millis;

/// What one command writes besides its events.
#[derive(Debug)]
pub struct Write<'a> {
    /// The account as read, before the events.
    pub read: &'a Account,
    /// The account after the events.
    pub next: &'a Account,
    /// The events the command appends.
    pub events: &'a [Event],
    /// The account's next deadline after them ([`Account::poll_deadline`]).
    pub next_deadline: Option<Timestamp>,
    /// The carriers' rows, sealed.
    pub outbox: &'a [NewOutboxRow],
    /// The sessions to end (R31).
    pub end_sessions: Option<&'a EndSessions>,
    /// A session the command opened.
    pub new_session: Option<NewSession<'a>>,
    /// The person's key, as the account was loaded with it: the person's data is sealed
    /// under it (R36). `None`: the store looks it up, and generates one for a person who has
    /// none yet.
    pub person_key: Option<&'a crate::PersonKey>,
    /// When.
    pub now: Timestamp,
}

/// What one write does with its person's key (R36).
pub(crate) enum Keying<'a> {
    /// Nothing to seal.
    Nothing,
    /// Seal under the key the account was loaded with.
    Under(&'a PersonKey),
    /// Seal under the stored key.
    Found(PersonKey),
    /// Seal under a fresh key, and store it wrapped.
    Fresh(PersonKey, Sealed),
    /// The write erases the person's data: delete the key, empty the sealed columns, and
    /// rewrite these (version, facts) rows that held the data inside their facts.
    Erase { legacy: Vec<(i64, String)> },
}

impl Keying<'_> {
    fn key(&self) -> Option<&PersonKey> {
        match self {
            Keying::Under(key) => Some(key),
            Keying::Found(key) | Keying::Fresh(key, _) => Some(key),
            Keying::Nothing | Keying::Erase { .. } => None,
        }
    }
}

/// A session to store.
#[derive(Clone, Copy, Debug)]
pub struct NewSession<'a> {
    /// The SHA-256 of its token ([`crate::SessionToken::hash`]).
    pub token_hash: &'a str,
    /// The session.
    pub session: &'a Session,
    /// When it ends whatever the PIN does.
    pub expires_at: Timestamp,
}

/// How a commit ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Commit {
    /// Everything was written.
    Written,
    /// Another writer appended one of these accounts' next versions first: nothing was
    /// written; reload and decide again.
    LostRace,
}

/// Whether a failed commit lost the compare-and-swap: a unique violation of the events' key.
/// The other rows' keys cannot collide once the events went in (the outbox's is the new
/// version's, a session's a fresh token's hash). SQLite does not name the constraint.
pub(crate) fn lost_race(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(error) => {
            error.is_unique_violation()
                && error.constraint().is_none_or(|name| name == "events_pkey")
        }
        _ => false,
    }
}

/// Whether a unique violation is the person keys' (PostgreSQL names it): two writers gave
/// one new person a key each, and the second lost the race as surely as on the events.
pub(crate) fn lost_key_race(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(error) => {
            error.is_unique_violation() && error.constraint() == Some("person_keys_pkey")
        }
        _ => false,
    }
}

/// A parameter of a commit's statements.
enum Param<'a> {
    Text(&'a str),
    OwnedText(String),
    Blob(Vec<u8>),
    BorrowedBlob(&'a [u8]),
    Int(i64),
    OptionalInt(Option<i64>),
    OptionalBlob(Option<Vec<u8>>),
}

/// A commit's statements, one per kind of row (multi-row `VALUES`), and the parameters they
/// share (`$n`: a codice fiscale and the time appear once). The events' insert is first.
pub(crate) struct CommitSql<'a> {
    pub(crate) parts: Vec<Part>,
    params: Vec<Param<'a>>,
    /// How many events the first part appends (the compare-and-swap).
    events: usize,
    /// Whether there are any: when there are none, no part is the append and none is guarded.
    pub(crate) appends: bool,
}

/// One statement of a commit.
pub(crate) enum Part {
    /// `INSERT INTO {into} VALUES {rows}{tail}`.
    Insert {
        into: &'static str,
        rows: Vec<String>,
        tail: &'static str,
    },
    /// `DELETE FROM {from} WHERE {filter}`.
    Delete { from: &'static str, filter: String },
    /// `UPDATE {table} SET {set} WHERE {filter}`.
    Update {
        table: &'static str,
        set: String,
        filter: String,
    },
}

impl Part {
    /// The statement's SQL; with a `guard`, a condition it must meet before it touches a row.
    pub(crate) fn sql(&self, guard: Option<&str>) -> String {
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
                format!("DELETE FROM {from} WHERE ({filter}) AND {guard}")
            }
            (Part::Update { table, set, filter }, None) => {
                format!("UPDATE {table} SET {set} WHERE {filter}")
            }
            (Part::Update { table, set, filter }, Some(guard)) => {
                format!("UPDATE {table} SET {set} WHERE ({filter}) AND {guard}")
            }
        }
    }
}

impl<'a> CommitSql<'a> {
    pub(crate) fn new(
        writes: &'a [Write<'a>],
        keyings: &[Keying<'_>],
        rng: &mut impl CryptoRng,
    ) -> Result<Self, StoreError> {
        let events = writes.iter().map(|write| write.events.len()).sum();
        let mut sql = CommitSql {
            parts: Vec::new(),
            params: Vec::new(),
            events,
            appends: events > 0,
        };
        let mut event_rows = Vec::with_capacity(events);
        let mut account_rows = Vec::new();
        let mut outbox_rows = Vec::new();
        let mut session_rows = Vec::new();
        let mut ended = Vec::new();
        let mut key_rows = Vec::new();
        let mut erased = Vec::new();
        let mut rewritten = Vec::new();
        let mut times: Vec<(Timestamp, String)> = Vec::new();
        for (write, keying) in writes.iter().zip(keyings) {
            let codice_fiscale = write.read.codice_fiscale();
            let cf = sql.param(Param::OwnedText(
                write.read.codice_fiscale().as_str().to_owned(),
            ));
            let now = match times.iter().find(|(at, _)| *at == write.now) {
                Some((_, placeholder)) => placeholder.clone(),
                None => {
                    let placeholder = sql.param(Param::Int(write.now.as_millisecond()));
                    times.push((write.now, placeholder.clone()));
                    placeholder
                }
            };
            if !write.events.is_empty() {
                let mut version = write.read.version();
                for event in write.events {
                    version += 1;
                    // The facts in clear, the person's data sealed under their key (R36).
                    let (facts, personal) = StoredEvent::new(event.clone()).split();
                    let text = serde_json::to_string(&facts).map_err(StoreError::Encode)?;
                    let sealed = match (personal, keying.key()) {
                        (Some(data), Some(key)) => Some(
                            key.seal(
                                event_row_key(codice_fiscale, version).as_bytes(),
                                &data,
                                rng,
                            )
                            .map_err(StoreError::Seal)?,
                        ),
                        // An erasure keeps no personal data (none is left to seal).
                        _ => None,
                    };
                    let version = sql.param(Param::Int(to_i64(version)?));
                    let text = sql.param(Param::OwnedText(text));
                    let sealed = sql.param(Param::OptionalBlob(sealed));
                    event_rows.push(format!("({cf}, {version}, {text}, {now}, {sealed})"));
                }
                // Only a writer that appended events moves the cache, and only forward: a
                // command that changed nothing must not put back an older copy over a newer
                // one written meanwhile by another instance.
                let (facts, personal) = write.next.clone().split();
                let snapshot = postcard::to_allocvec(&facts).map_err(StoreError::Snapshot)?;
                let sealed = match (personal, keying.key()) {
                    (Some(data), Some(key)) => Some(
                        key.seal(
                            account_row_key(codice_fiscale, write.next.version()).as_bytes(),
                            &data,
                            rng,
                        )
                        .map_err(StoreError::Seal)?,
                    ),
                    _ => None,
                };
                let version = sql.param(Param::Int(to_i64(write.next.version())?));
                let format = sql.param(Param::Int(i64::from(STORED_FORMAT)));
                let snapshot = sql.param(Param::Blob(snapshot));
                let deadline =
                    sql.param(Param::OptionalInt(write.next_deadline.map(deadline_millis)));
                let sealed = sql.param(Param::OptionalBlob(sealed));
                account_rows.push(format!(
                    "({cf}, {version}, {format}, {snapshot}, {deadline}, CAST(NULL AS BIGINT), {sealed})"
                ));
                match keying {
                    Keying::Fresh(_, wrapped) => {
                        let key_id = sql.param(Param::OwnedText(wrapped.key_id.clone()));
                        let wrapped = sql.param(Param::Blob(wrapped.bytes.clone()));
                        key_rows.push(format!("({cf}, {key_id}, {wrapped}, {now})"));
                    }
                    Keying::Erase { legacy } => {
                        erased.push(format!("codice_fiscale = {cf}"));
                        for (version, facts) in legacy {
                            let version = sql.param(Param::Int(*version));
                            let facts = sql.param(Param::OwnedText(facts.clone()));
                            rewritten.push(Part::Update {
                                table: "events",
                                set: format!("event = {facts}"),
                                filter: format!("codice_fiscale = {cf} AND version = {version}"),
                            });
                        }
                    }
                    Keying::Nothing | Keying::Under(_) | Keying::Found(_) => {}
                }
            }
            if !write.outbox.is_empty() {
                let version = sql.param(Param::Int(to_i64(write.next.version())?));
                for row in write.outbox {
                    let seq = sql.param(Param::Int(i64::from(row.seq)));
                    let kind = sql.param(Param::Text(row.kind));
                    let key_id = sql.param(Param::Text(&row.sealed.key_id));
                    let payload = sql.param(Param::BorrowedBlob(&row.sealed.bytes));
                    let description = sql.param(Param::Text(&row.description));
                    outbox_rows.push(format!(
                        "({cf}, {version}, {seq}, {kind}, {key_id}, {payload}, {description}, {now}, 0, {now})"
                    ));
                }
            }
            if let Some(end) = write.end_sessions {
                let generation = sql.param(Param::Int(to_i64(end.up_to_generation)?));
                let trusted = if end.trusted_devices_stand {
                    " AND trusted_device = 0"
                } else {
                    ""
                };
                ended.push(format!(
                    "(codice_fiscale = {cf} AND pin_generation <= {generation}{trusted})"
                ));
            }
            if let Some(new) = write.new_session {
                let json = serde_json::to_string(new.session).map_err(StoreError::Encode)?;
                let token_hash = sql.param(Param::Text(new.token_hash));
                let generation = sql.param(Param::OptionalInt(
                    new.session.pin_generation().map(to_i64).transpose()?,
                ));
                let trusted = sql.param(Param::Int(i64::from(new.session.from_trusted_device())));
                let json = sql.param(Param::OwnedText(json));
                let expires = sql.param(Param::Int(new.expires_at.as_millisecond()));
                session_rows.push(format!(
                    "({token_hash}, {cf}, {generation}, {trusted}, {json}, {expires})"
                ));
            }
        }
        if !event_rows.is_empty() {
            sql.parts.push(Part::Insert {
                into: "events (codice_fiscale, version, event, recorded_at, personal)",
                rows: event_rows,
                tail: "",
            });
        }
        if !account_rows.is_empty() {
            sql.parts.push(Part::Insert {
                into: "accounts (codice_fiscale, version, format, snapshot, next_deadline, \
                       tick_lease, personal)",
                rows: account_rows,
                tail: " ON CONFLICT (codice_fiscale) DO UPDATE \
                       SET version = excluded.version, format = excluded.format, \
                       snapshot = excluded.snapshot, next_deadline = excluded.next_deadline, \
                       tick_lease = NULL, personal = excluded.personal \
                       WHERE accounts.version < excluded.version",
            });
        }
        if !key_rows.is_empty() {
            sql.parts.push(Part::Insert {
                into: "person_keys (codice_fiscale, key_id, wrapped, created_at)",
                rows: key_rows,
                tail: "",
            });
        }
        if !erased.is_empty() {
            // Crypto-shredding (R36): the key goes, and every sealed copy with it; the sealed
            // columns are emptied too, rows that held the data inside their facts are
            // rewritten with the facts alone, and unsent deliveries are dropped.
            let people = erased.join(" OR ");
            sql.parts.push(Part::Delete {
                from: "person_keys",
                filter: people.clone(),
            });
            sql.parts.push(Part::Update {
                table: "events",
                set: "personal = NULL".to_owned(),
                filter: format!("personal IS NOT NULL AND ({people})"),
            });
            // Deliveries not yet sent carry the person's address or number (sealed under the
            // outbox's key, not theirs) and a code of the PIN the erasure ended: they go too.
            sql.parts.push(Part::Delete {
                from: "outbox",
                filter: format!("sent_at IS NULL AND ({people})"),
            });
            sql.parts.append(&mut rewritten);
        }
        if !outbox_rows.is_empty() {
            sql.parts.push(Part::Insert {
                into: "outbox (codice_fiscale, version, seq, kind, key_id, payload, description, \
                       created_at, attempts, next_attempt_at)",
                rows: outbox_rows,
                tail: "",
            });
        }
        if !ended.is_empty() {
            sql.parts.push(Part::Delete {
                from: "sessions",
                filter: ended.join(" OR "),
            });
        }
        if !session_rows.is_empty() {
            sql.parts.push(Part::Insert {
                into: "sessions (token_hash, codice_fiscale, pin_generation, trusted_device, \
                       session, expires_at)",
                rows: session_rows,
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
    pub(crate) fn one_statement(&self) -> String {
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

    /// Binds every parameter, by number (`$n`): PostgreSQL. A statement that uses fewer
    /// ignores the rest: sqlx declares every parameter's type to PostgreSQL, which accepts
    /// declared parameters a statement does not use.
    pub(crate) fn bind<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for param in &self.params {
            query = self.bind_one(query, param);
        }
        query
    }

    /// The statement `text` with its `$n` placeholders turned into anonymous `?`, and the
    /// parameters bound in the order they appear (a number used twice is bound twice): SQLite.
    /// sqlx looks each numbered parameter up by name, and SQLite finds a name by walking the
    /// statement's list of names: for a batch of a few thousand parameters that walk was most
    /// of a commit. Anonymous parameters have no names to walk.
    pub(crate) fn positional(&self, text: &str) -> (String, Vec<usize>) {
        let mut sql = String::with_capacity(text.len());
        let mut order = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            let (before, after) = rest.split_at(at);
            sql.push_str(before);
            let digits = after
                .get(1..)
                .unwrap_or_default()
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            match after
                .get(1..=digits)
                .and_then(|number| number.parse::<usize>().ok())
            {
                Some(number) if digits > 0 => {
                    sql.push('?');
                    order.push(number);
                    rest = after.get(1 + digits..).unwrap_or_default();
                }
                _ => {
                    sql.push('$');
                    rest = after.get(1..).unwrap_or_default();
                }
            }
        }
        sql.push_str(rest);
        (sql, order)
    }

    /// Binds the parameters numbered in `order`, in that order.
    pub(crate) fn bind_in_order<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        order: &[usize],
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for number in order {
            if let Some(param) = number
                .checked_sub(1)
                .and_then(|index| self.params.get(index))
            {
                query = self.bind_one(query, param);
            }
        }
        query
    }

    fn bind_one<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        param: &'q Param<'a>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match param {
            Param::Text(text) => query.bind(*text),
            Param::OwnedText(text) => query.bind(text.as_str()),
            Param::Blob(bytes) => query.bind(bytes.as_slice()),
            Param::BorrowedBlob(bytes) => query.bind(*bytes),
            Param::Int(value) => query.bind(*value),
            Param::OptionalInt(value) => query.bind(*value),
            Param::OptionalBlob(value) => query.bind(value.as_deref()),
        }
    }
}

pub(crate) fn to_i64(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_placeholders_become_positional_in_the_order_they_appear() {
        let sql = CommitSql {
            parts: Vec::new(),
            params: Vec::new(),
            events: 0,
            appends: false,
        };
        let (text, order) = sql.positional("INSERT INTO t VALUES ($1, $12, $1), ($3, '$x', $)");
        assert_eq!(text, "INSERT INTO t VALUES (?, ?, ?), (?, '$x', $)");
        assert_eq!(order, vec![1, 12, 1, 3]);
    }
}
