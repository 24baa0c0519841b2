//! Commands end to end: load, decide, append with compare-and-swap, and on a lost race reload
//! and decide again with the same command; the ticker that drains every due deadline.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use inps_pin::{
    Account, CodiceFiscale, Command, Context, Delivery, DeviceToken, Effect, EndSessions,
    FailureDetail, HashCost, Outcome, Policy, Refusal, Reply, Session, SessionEnd,
};
use jiff::{SignedDuration, Timestamp};
use rand_chacha::ChaCha20Rng;
use thiserror::Error;

use crate::clock::{Clock, SystemClock};
use crate::commit::{Commit, NewSession, Write};
use crate::deciding::{DecideError, DecidingOptions, DecidingPool};
use crate::entropy::Entropy;
use crate::error::StoreError;
use crate::outage::{Entry, Outage};
use crate::outbox::{NewOutboxRow, OutboxMessage};
use crate::sealing::OutboxKeys;
use crate::session_token::{SessionToken, hash_token};
use crate::store::Store;

mod decided_commit;

/// How many times a command may lose the compare-and-swap before it gives up: far more than
/// any real contention (commands of one account are serialised inside an instance).
const MAX_LOST_RACES: u32 = 100;

/// The accounts of a [`Store`], driven by commands: what a service calls.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use inps_pin::{CodiceFiscale, Command, EnteredPin, Policy};
/// use inps_pin_sqlx::{Accounts, OutboxKey, OutboxKeys, PersonalDataKey, PersonalDataKeys, Store};
///
/// let master = PersonalDataKeys::new(PersonalDataKey::from_hex("m1", &std::env::var("PERSONAL_DATA_KEY")?)?);
/// let store = Store::connect("sqlite://pins.db?mode=rwc", master).await?;
/// let keys = OutboxKeys::new(OutboxKey::from_hex("k1", &std::env::var("OUTBOX_KEY")?)?);
/// let accounts = Accounts::new(store, Policy::default(), keys)?;
/// let login = Command::LogIn { pin: EnteredPin::parse("ABCDEFGH")?, device: None, trust_device: false };
/// let executed = accounts.execute(CodiceFiscale::parse("RSSMRA80A01H501U")?, login).await?;
/// println!("{:?}", executed.reply);
/// # Ok(())
/// # }
/// ```
pub struct Accounts {
    store: Store,
    policy: Arc<Policy>,
    clock: Arc<dyn Clock>,
    entropy: Entropy,
    keys: Arc<OutboxKeys>,
    deciding: Arc<DecidingPool>,
    session_lifetime: SignedDuration,
    locks: Mutex<HashMap<CodiceFiscale, Weak<tokio::sync::Mutex<()>>>>,
    /// What the stored PIN hashes cost, as the last account loaded with one says: the decoy
    /// verification of an unknown codice fiscale runs at it (R30a).
    stored_cost: Mutex<Option<HashCost>>,
    /// A database outage one command met, answered at once to the others.
    outage: Outage,
    /// How long a decided command waits for an outage to end before it answers
    /// "unavailable".
    outage_patience: Duration,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("backend", &self.store.backend())
            .field("deciding", &self.deciding)
            .finish_non_exhaustive()
    }
}

/// Where one command's time went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    /// Waiting for the account's lock in this instance.
    pub lock: Duration,
    /// Reading the account.
    pub load: Duration,
    /// Waiting in the deciding queue for a thread.
    pub queue: Duration,
    /// `Account::decide`: Argon2, for a PIN.
    pub decide: Duration,
    /// Evolving, sealing the outbox rows, the session.
    pub prepare: Duration,
    /// The transaction.
    pub commit: Duration,
    /// The whole command.
    pub total: Duration,
}

/// A session a command opened.
#[derive(Debug)]
pub struct OpenedSession {
    /// The token for the client (the database keeps its hash).
    pub token: SessionToken,
    /// The session.
    pub session: Session,
    /// When it ends whatever the PIN does.
    pub expires_at: Timestamp,
}

/// What came of a command.
#[derive(Debug)]
#[non_exhaustive]
pub struct Executed {
    /// The answer for the person.
    pub reply: Reply,
    /// The operators' view of a failed login (R30): never in the person's reply.
    pub failure: Option<FailureDetail>,
    /// The parts shown in the reply (a screen, the Contact Center operator's voice), with
    /// their codes: they belong to this response and are stored nowhere (R33).
    pub shown: Vec<Delivery>,
    /// A new device cookie, when the client asked to be trusted (R25a).
    pub trusted_device: Option<DeviceToken>,
    /// The session the command opened.
    pub session: Option<OpenedSession>,
    /// The account after the command.
    pub account: Account,
    /// How many times the command lost the compare-and-swap and was decided again.
    pub lost_races: u32,
    /// How many events it appended.
    pub events: usize,
    /// How many outbox rows it wrote.
    pub outbox_rows: usize,
    /// Argon2 verifications its typed PIN cost over every decision (R32: at most one per
    /// hash, however many races it lost).
    pub verifications: u32,
    /// What the last Argon2 run of its typed PIN cost: the stored hash checked, or the decoy
    /// an unknown codice fiscale runs (R30a); `None` when none ran.
    pub verified_at_cost: Option<HashCost>,
    /// Where the time went.
    pub timings: Timings,
}

/// Why a command gave no outcome.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExecuteError {
    /// The account refused it at this instant (R27: nothing was written).
    #[error("refused: {refusal}")]
    Refused {
        /// Why.
        refusal: Refusal,
        /// When it was decided.
        at: Timestamp,
    },
    /// The deciding queue is full, or the command waited past its deadline: nothing ran and
    /// nothing was written; try again shortly.
    #[error("overloaded")]
    Overloaded(#[source] DecideError),
    /// Storage failed.
    #[error("storage")]
    Store(#[from] StoreError),
    /// Something that should not happen: a decision that panicked, a stopped pool, races
    /// lost beyond reason, an outbox row that did not seal.
    #[error("internal: {0}")]
    Internal(String),
}

/// How a session presented by a client stands.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionCheck {
    /// It stands.
    Valid(Session),
    /// No session has this token.
    Unknown,
    /// It reached its end of life.
    Expired,
    /// Its PIN stopped being the live one (R31).
    Ended(SessionEnd),
}

/// What a drain of the due deadlines did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Accounts ticked whose tick appended events.
    pub ticked: usize,
    /// Accounts whose tick had nothing to do (their stored deadline was moved).
    pub unchanged: usize,
    /// Accounts another writer changed meanwhile: left for the next drain.
    pub lost_races: usize,
    /// Batches.
    pub batches: usize,
}

impl Accounts {
    /// How long a decided command waits, by default, for a database outage to end: a
    /// PostgreSQL restart takes under a second, and a client told "unavailable" would retry
    /// and run its Argon2 again.
    pub const OUTAGE_PATIENCE: Duration = Duration::from_secs(2);

    /// The accounts of `store`, under `policy`, sealing outbox rows under `keys`; the system
    /// clock, the operating system's generator, and a deciding pool of one thread per core.
    ///
    /// # Errors
    /// The operating system's refusal to start the deciding threads.
    pub fn new(store: Store, policy: Policy, keys: OutboxKeys) -> std::io::Result<Accounts> {
        Ok(Accounts {
            store,
            policy: Arc::new(policy),
            clock: Arc::new(SystemClock),
            entropy: Entropy::Os,
            keys: Arc::new(keys),
            deciding: Arc::new(DecidingPool::new(DecidingOptions::default())?),
            session_lifetime: SignedDuration::from_mins(30),
            locks: Mutex::new(HashMap::new()),
            stored_cost: Mutex::new(None),
            outage: Outage::new(),
            outage_patience: Accounts::OUTAGE_PATIENCE,
        })
    }

    /// The database outage commands met, if one holds ([`Outage`]).
    #[must_use]
    pub fn outage(&self) -> &Outage {
        &self.outage
    }

    /// Another clock (tests, a demo's).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Accounts {
        self.clock = clock;
        self
    }

    /// Another source of generators (a seed, for tests).
    #[must_use]
    pub fn with_entropy(mut self, entropy: Entropy) -> Accounts {
        self.entropy = entropy;
        self
    }

    /// Another deciding pool (its bounds and deadline are the service's load policy).
    #[must_use]
    pub fn with_deciding(mut self, deciding: Arc<DecidingPool>) -> Accounts {
        self.deciding = deciding;
        self
    }

    /// How long a decided command waits for a database outage to end before it answers
    /// "unavailable" ([`Accounts::OUTAGE_PATIENCE`] by default; zero: not at all).
    #[must_use]
    pub fn with_outage_patience(mut self, patience: Duration) -> Accounts {
        self.outage_patience = patience;
        self
    }

    /// How long a session lasts at most, whatever its PIN does (30 minutes by default).
    #[must_use]
    pub fn with_session_lifetime(mut self, lifetime: SignedDuration) -> Accounts {
        self.session_lifetime = lifetime;
        self
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    /// The clock.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The deciding pool.
    #[must_use]
    pub fn deciding(&self) -> &Arc<DecidingPool> {
        &self.deciding
    }

    /// The outbox's keys (the drainer opens rows with them).
    #[must_use]
    pub fn outbox_keys(&self) -> &Arc<OutboxKeys> {
        &self.keys
    }

    /// The cost of the stored hashes, for the decoy verification (R30a): learnt from every
    /// account loaded with a hash, so that after the policy's cost changes an unknown codice
    /// fiscale still costs what a wrong PIN against the hashes actually stored costs.
    fn decoy_cost(&self, read: &Account) -> Option<HashCost> {
        let mut remembered = match self.stored_cost.lock() {
            Ok(remembered) => remembered,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(cost) = read.stored_hash_cost() {
            *remembered = Some(cost);
        }
        *remembered
    }

    /// The lock of one account inside this instance. Commands for one account wait here, so a
    /// queue of logins does not each run Argon2 and then lose the compare-and-swap to the
    /// first; other instances are kept out by the compare-and-swap itself.
    fn lock_for(&self, codice_fiscale: CodiceFiscale) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = match self.locks.lock() {
            Ok(locks) => locks,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(lock) = locks.get(&codice_fiscale).and_then(Weak::upgrade) {
            return lock;
        }
        if locks.len() > 1024 {
            locks.retain(|_, lock| lock.strong_count() > 0);
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        locks.insert(codice_fiscale, Arc::downgrade(&lock));
        lock
    }

    /// Runs a command on an account: decide (Argon2 on a deciding thread), then append its
    /// events with the compare-and-swap, and its cache, outbox rows, deadline and sessions in
    /// the same transaction. A lost race reloads and decides the *same* command again: its
    /// typed PIN remembers its verifications, so an unchanged hash is not verified twice.
    ///
    /// # Errors
    /// [`ExecuteError`]: refused (nothing written), overloaded (nothing ran), storage, internal.
    pub async fn execute(
        &self,
        codice_fiscale: CodiceFiscale,
        command: Command,
    ) -> Result<Executed, ExecuteError> {
        self.attempt(codice_fiscale, command).await.0
    }

    /// [`Accounts::execute`], with the Argon2 verifications the command's typed PIN cost,
    /// refused or not.
    pub async fn attempt(
        &self,
        codice_fiscale: CodiceFiscale,
        command: Command,
    ) -> (Result<Executed, ExecuteError>, u32) {
        let started = Instant::now();
        let mut slot = Some(command);
        let mut timings = Timings::default();
        let result = self.run(codice_fiscale, &mut slot, &mut timings).await;
        let verifications = slot.as_ref().map_or(0, typed_pin_verifications);
        let cost = slot.as_ref().and_then(typed_pin_cost);
        timings.total = started.elapsed();
        let result = result.map(|mut executed| {
            executed.verifications = verifications;
            executed.verified_at_cost = cost;
            executed.timings = timings;
            executed
        });
        (result, verifications)
    }

    async fn run(
        &self,
        codice_fiscale: CodiceFiscale,
        slot: &mut Option<Command>,
        timings: &mut Timings,
    ) -> Result<Executed, ExecuteError> {
        let mut mark = Instant::now();
        let mut lap = |phase: &mut Duration| {
            let now = Instant::now();
            *phase += now - mark;
            mark = now;
        };
        // A full deciding queue refuses at once, before the lock and the load: under a crowd,
        // a command that cannot be decided soon costs the database nothing. The admission
        // counts as queued while the account loads.
        let mut admission = if matches!(slot, Some(Command::Tick)) {
            None
        } else {
            Some(self.deciding.admit().map_err(ExecuteError::Overloaded)?)
        };
        // An outage another command met: answered now, not after a wait for a connection.
        let outage_met = self.outage.opened();
        tokio::pin!(outage_met);
        outage_met.as_mut().enable();
        let mut probe = match self.outage.enter(self.clock.now()) {
            Entry::Closed => None,
            Entry::Probe(probe) => Some(probe),
            Entry::Refused => return Err(StoreError::Outage.into()),
        };
        let lock = self.lock_for(codice_fiscale);
        let _serialised = lock.lock().await;
        lap(&mut timings.lock);
        let mut lost_races = 0;
        loop {
            let (read, person_key) = tokio::select! {
                biased;
                read = self.store.load_keyed(codice_fiscale) => read.inspect_err(|error| {
                    if error.is_unavailable() {
                        self.outage.open_at(self.clock.now());
                    }
                })?,
                () = outage_met.as_mut() => return Err(StoreError::Outage.into()),
            };
            if let Some(probe) = probe.take() {
                probe.reachable();
            }
            lap(&mut timings.load);
            let now = self.clock.now();
            let command = slot
                .take()
                .ok_or_else(|| ExecuteError::Internal("the command was lost".to_owned()))?;
            let decoy = self.decoy_cost(&read);
            let (returned, read, decided) = if matches!(command, Command::Tick) {
                // A tick runs no Argon2: decided here, without a trip through the queue.
                let decided = read.decide(
                    &command,
                    &mut Context::new(now, &self.policy, &mut self.entropy.generator()),
                );
                lap(&mut timings.decide);
                (command, read, decided)
            } else {
                let policy = Arc::clone(&self.policy);
                let mut rng = self.entropy.generator();
                // Queued from here: no longer on its way.
                drop(admission.take());
                let (decision, waited) = self
                    .deciding
                    .run(move || {
                        let mut context = Context::new(now, &policy, &mut rng);
                        if let Some(cost) = decoy {
                            context = context.with_decoy_cost(cost);
                        }
                        let decided = read.decide(&command, &mut context);
                        (command, read, decided)
                    })
                    .await
                    .map_err(|error| match error {
                        DecideError::Busy | DecideError::Expired => ExecuteError::Overloaded(error),
                        other => ExecuteError::Internal(other.to_string()),
                    })?;
                lap(&mut timings.decide);
                timings.decide = timings.decide.saturating_sub(waited);
                timings.queue += waited;
                decision
            };
            *slot = Some(returned);
            let outcome = decided.map_err(|refusal| ExecuteError::Refused { refusal, at: now })?;
            let mut prepared = self.prepare(&read, outcome, now)?;
            lap(&mut timings.prepare);
            if !prepared.outcome.events.is_empty() || prepared.session.is_some() {
                let write = Write {
                    read: &read,
                    next: &prepared.next,
                    events: &prepared.outcome.events,
                    next_deadline: prepared.next.poll_deadline(&self.policy),
                    outbox: &prepared.outbox,
                    end_sessions: prepared.end_sessions.as_ref(),
                    new_session: prepared.session.as_ref().map(|opened| NewSession {
                        token_hash: &prepared.token_hash,
                        session: &opened.session,
                        expires_at: opened.expires_at,
                    }),
                    person_key: person_key.as_ref(),
                    now,
                };
                let written = self.commit_decided(&write).await?;
                lap(&mut timings.commit);
                if written == Commit::LostRace {
                    lost_races += 1;
                    if lost_races > MAX_LOST_RACES {
                        return Err(ExecuteError::Internal(format!(
                            "lost the compare-and-swap {MAX_LOST_RACES} times in a row"
                        )));
                    }
                    continue;
                }
            }
            let outcome = &mut prepared.outcome;
            return Ok(Executed {
                reply: outcome.reply.clone(),
                failure: outcome.failure.take(),
                shown: std::mem::take(&mut prepared.shown),
                trusted_device: outcome.trusted_device.take(),
                session: prepared.session,
                account: prepared.next,
                lost_races,
                events: outcome.events.len(),
                outbox_rows: prepared.outbox.len(),
                verifications: 0,
                verified_at_cost: None,
                timings: Timings::default(),
            });
        }
    }

    /// What a decided outcome writes: the account after it, its carriers' rows sealed, the
    /// parts for the reply, the sessions to end and the one it opens.
    fn prepare(
        &self,
        read: &Account,
        mut outcome: Outcome,
        now: Timestamp,
    ) -> Result<Prepared, ExecuteError> {
        let mut next = read.clone();
        for event in &outcome.events {
            next.evolve(event);
        }
        let mut rng = self.entropy.generator();
        let (shown, outbox, end_sessions) = self.effects(
            read.codice_fiscale(),
            next.version(),
            std::mem::take(&mut outcome.effects),
            &mut rng,
        )?;
        let session = match &outcome.reply {
            Reply::FirstAccessCompleted(session)
            | Reply::LoggedIn(session)
            | Reply::PinRenewed(session) => Some(OpenedSession {
                token: SessionToken::generate(&mut rng),
                session: *session,
                expires_at: now.checked_add(self.session_lifetime).unwrap_or(now),
            }),
            _ => None,
        };
        let token_hash = session
            .as_ref()
            .map(|opened| opened.token.hash())
            .unwrap_or_default();
        Ok(Prepared {
            next,
            outcome,
            shown,
            outbox,
            end_sessions,
            session,
            token_hash,
        })
    }

    /// Sorts a command's effects: parts for the reply, sealed rows for the carriers, and the
    /// sessions to end.
    fn effects(
        &self,
        codice_fiscale: CodiceFiscale,
        version: u64,
        effects: Vec<Effect>,
        rng: &mut ChaCha20Rng,
    ) -> Result<SortedEffects, ExecuteError> {
        let mut shown = Vec::new();
        let mut outbox = Vec::new();
        let mut end_sessions = None;
        for effect in effects {
            let message = match effect {
                Effect::Deliver(delivery) if delivery.is_for_the_reply() => {
                    shown.push(delivery);
                    continue;
                }
                Effect::Deliver(delivery) => OutboxMessage::Delivery(
                    delivery
                        .into_outbox()
                        .map_err(|refused| ExecuteError::Internal(refused.to_string()))?,
                ),
                Effect::Notify(notification) => OutboxMessage::Notice(notification),
                Effect::EndSessions(end) => {
                    end_sessions = Some(end);
                    continue;
                }
                other => {
                    tracing::error!(effect = ?other, "an effect this release does not carry out");
                    continue;
                }
            };
            let seq = u32::try_from(outbox.len()).unwrap_or(u32::MAX);
            outbox.push(
                NewOutboxRow::seal(&self.keys, codice_fiscale, version, seq, &message, rng)
                    .map_err(|error| ExecuteError::Internal(error.to_string()))?,
            );
        }
        Ok((shown, outbox, end_sessions))
    }

    /// Ticks every account whose deadline has come, in batches of `batch`, until none is due:
    /// each batch is one claim, decisions in memory (a tick runs no Argon2), and one commit.
    /// A batch that loses a race is committed account by account, and the losers wait for
    /// the next drain.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn tick_due(&self, batch: u32) -> Result<TickReport, StoreError> {
        let mut report = TickReport::default();
        loop {
            let now = self.clock.now();
            let due = self
                .store
                .claim_due(now, batch.max(1), Duration::from_secs(30))
                .await?;
            if due.is_empty() {
                return Ok(report);
            }
            report.batches += 1;
            let full = due.len() >= batch.max(1) as usize;
            let mut ticked = Vec::with_capacity(due.len());
            let mut unchanged = Vec::new();
            for item in due {
                let read = item.account;
                let key = item.key;
                let decided = read.decide(
                    &Command::Tick,
                    &mut Context::new(now, &self.policy, &mut self.entropy.generator()),
                );
                let prepared = match decided {
                    Ok(outcome) if !outcome.events.is_empty() => {
                        match self.prepare(&read, outcome, now) {
                            Ok(prepared) => prepared,
                            Err(error) => {
                                tracing::error!(%error, "a tick could not be prepared");
                                unchanged.push((read.codice_fiscale(), read.version(), None));
                                continue;
                            }
                        }
                    }
                    Ok(_) => {
                        let deadline = guarded_deadline(read.poll_deadline(&self.policy), now);
                        unchanged.push((read.codice_fiscale(), read.version(), deadline));
                        continue;
                    }
                    Err(refusal) => {
                        tracing::error!(code = refusal.code(), "a tick was refused");
                        let deadline = guarded_deadline(read.poll_deadline(&self.policy), now);
                        unchanged.push((read.codice_fiscale(), read.version(), deadline));
                        continue;
                    }
                };
                ticked.push((read, prepared, key));
            }
            report.unchanged += unchanged.len();
            self.store.set_deadlines(&unchanged).await?;
            let writes: Vec<Write<'_>> = ticked
                .iter()
                .map(|(read, prepared, key)| Write {
                    read,
                    next: &prepared.next,
                    events: &prepared.outcome.events,
                    next_deadline: guarded_deadline(prepared.next.poll_deadline(&self.policy), now),
                    outbox: &prepared.outbox,
                    end_sessions: prepared.end_sessions.as_ref(),
                    new_session: None,
                    person_key: key.as_ref(),
                    now,
                })
                .collect();
            match self.store.commit(&writes).await? {
                Commit::Written => report.ticked += writes.len(),
                Commit::LostRace => {
                    for write in &writes {
                        match self.store.commit(std::slice::from_ref(write)).await? {
                            Commit::Written => report.ticked += 1,
                            Commit::LostRace => report.lost_races += 1,
                        }
                    }
                }
            }
            if !full {
                return Ok(report);
            }
        }
    }

    /// How the session behind a presented token stands; a session found ended is deleted.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn session(&self, token: &str) -> Result<SessionCheck, StoreError> {
        let hash = hash_token(token);
        let Some(stored) = self.store.session(&hash).await? else {
            return Ok(SessionCheck::Unknown);
        };
        let now = self.clock.now();
        if stored.expires_at <= now.as_millisecond() {
            self.store.delete_session(&hash).await?;
            return Ok(SessionCheck::Expired);
        }
        let account = self.store.load(stored.session.codice_fiscale()).await?;
        match account.check_session(&stored.session, now, &self.policy) {
            Ok(()) => Ok(SessionCheck::Valid(stored.session)),
            Err(end) => {
                self.store.delete_session(&hash).await?;
                Ok(SessionCheck::Ended(end))
            }
        }
    }

    /// Ends the session behind a presented token (a logout).
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn log_out(&self, token: &str) -> Result<(), StoreError> {
        self.store.delete_session(&hash_token(token)).await
    }
}

/// A command's effects, sorted: the parts for the reply, the carriers' rows, the sessions
/// to end.
type SortedEffects = (Vec<Delivery>, Vec<NewOutboxRow>, Option<EndSessions>);

/// A decided outcome, ready to write.
struct Prepared {
    next: Account,
    outcome: Outcome,
    shown: Vec<Delivery>,
    outbox: Vec<NewOutboxRow>,
    end_sessions: Option<EndSessions>,
    session: Option<OpenedSession>,
    token_hash: String,
}

/// A deadline to store after a tick at `now`: one that has already come would bring the
/// ticker back at once, for ever, so it is moved a minute on (and said).
fn guarded_deadline(deadline: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
    match deadline {
        Some(at) if at <= now => {
            tracing::warn!("an account's deadline had come again right after its tick");
            Some(now.checked_add(SignedDuration::from_mins(1)).unwrap_or(now))
        }
        other => other,
    }
}

/// What the last Argon2 run of a command's typed PIN cost.
fn typed_pin_cost(command: &Command) -> Option<HashCost> {
    match command {
        Command::FirstAccess { pin, .. }
        | Command::LogIn { pin, .. }
        | Command::RenewPin { pin, .. } => pin.last_verification_cost(),
        _ => None,
    }
}

/// The Argon2 verifications a command's typed PIN has cost so far.
#[must_use]
pub fn typed_pin_verifications(command: &Command) -> u32 {
    match command {
        Command::FirstAccess { pin, .. }
        | Command::LogIn { pin, .. }
        | Command::RenewPin { pin, .. } => pin.verifications(),
        _ => 0,
    }
}
