//! The service around the accounts: one command at a time per account inside this instance,
//! compare-and-swap across instances, Argon2 off the async threads, effects into the outbox.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use inps_pin::rand_core::{Rng, SeedableRng};
use inps_pin::{
    Account, ArchiveRecord, Attested, CodiceFiscale, Command, Context, Delivery, DeviceToken,
    Effect, FailureDetail, OperatorId, Person, Policy, Refusal, Reply, Session,
};
use jiff::{SignedDuration, Timestamp};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::store::{Commit, NewOutboxRow, Store, Write};

#[path = "deciding.rs"]
pub mod deciding;
use deciding::DecidingPool;

/// The service's clock: the system's, or a fixed instant (tests), plus an offset that only the
/// demo's operator endpoint moves (`INPS_PIN_DEMO_CLOCK=1`).
pub struct Clock {
    fixed: Option<Timestamp>,
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn system() -> Clock {
        Clock {
            fixed: None,
            offset_ms: AtomicI64::new(0),
        }
    }

    pub fn fixed(at: Timestamp) -> Clock {
        Clock {
            fixed: Some(at),
            offset_ms: AtomicI64::new(0),
        }
    }

    pub fn now(&self) -> Timestamp {
        let base = self.fixed.unwrap_or_else(Timestamp::now);
        let offset = SignedDuration::from_millis(self.offset_ms.load(Ordering::SeqCst));
        base.checked_add(offset).unwrap_or(base)
    }

    pub fn advance(&self, by: SignedDuration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(millis, Ordering::SeqCst);
    }
}

/// Where the per-command generators come from: the operating system, or a seed (tests).
pub enum Entropy {
    Os,
    Seeded(Box<Mutex<ChaCha20Rng>>),
}

impl Entropy {
    pub fn seeded(seed: u64) -> Entropy {
        Entropy::Seeded(Box::new(Mutex::new(ChaCha20Rng::seed_from_u64(seed))))
    }

    /// A fresh ChaCha20 generator for one command, seeded from the source: it moves into the
    /// blocking task with the command.
    pub fn generator(&self) -> ChaCha20Rng {
        let mut seed = [0u8; 32];
        match self {
            Entropy::Os => inps_pin::rand_core::UnwrapErr(getrandom::SysRng).fill_bytes(&mut seed),
            Entropy::Seeded(master) => match master.lock() {
                Ok(mut master) => master.fill_bytes(&mut seed),
                Err(poisoned) => poisoned.into_inner().fill_bytes(&mut seed),
            },
        }
        ChaCha20Rng::from_seed(seed)
    }
}

/// Where one command's time went, phase by phase: collected when `INPS_PIN_TIMING=1` (the
/// logins bench prints the means), to see what the service adds to Argon2.
#[derive(Clone, Copy, Debug, Default)]
pub struct Phases {
    /// Waiting for the account's lock in this instance.
    pub lock: Duration,
    /// Reading the account (the query and the snapshot's JSON).
    pub load: Duration,
    /// Waiting in the deciding queue for a core (`deciding.rs`).
    pub queue: Duration,
    /// `Account::decide`: Argon2, for a PIN.
    pub decide: Duration,
    /// Evolving the account, the effects into rows, the session token, its JSON.
    pub prepare: Duration,
    /// The transaction: events, snapshot, outbox, sessions, and the commit's sync to disk.
    pub commit: Duration,
    /// The whole command.
    pub total: Duration,
}

impl Phases {
    fn add(&mut self, other: &Phases) {
        self.lock += other.lock;
        self.load += other.load;
        self.queue += other.queue;
        self.decide += other.decide;
        self.prepare += other.prepare;
        self.commit += other.commit;
        self.total += other.total;
    }
}

/// The phases of every command since the start: their count and their sums.
#[derive(Clone, Copy, Debug, Default)]
pub struct PhaseTotals {
    pub commands: u64,
    pub sums: Phases,
}

impl PhaseTotals {
    pub fn add(&mut self, more: &PhaseTotals) {
        self.commands += more.commands;
        self.sums.add(&more.sums);
    }
}

/// Why a command did not give an outcome.
#[derive(Debug)]
pub enum ServiceError {
    /// The account refused it at this instant (R27: nothing was written).
    Refused(Refusal, Timestamp),
    Storage(sqlx::Error),
    /// The blocking task died, or lost races beyond reason.
    Internal(String),
}

impl From<sqlx::Error> for ServiceError {
    fn from(error: sqlx::Error) -> Self {
        ServiceError::Storage(error)
    }
}

/// What came of a command, for the HTTP layer.
pub struct Handled {
    pub reply: Reply,
    /// The operators' view of a failed login (R30): never in the person's reply.
    pub failure: Option<FailureDetail>,
    /// The parts shown in the reply (a screen, the Contact Center operator's voice), with their
    /// codes: they belong to this response and are stored nowhere (R33).
    pub shown: Vec<Delivery>,
    /// A new device cookie, when the client asked to be trusted (R25a).
    pub trusted_device: Option<DeviceToken>,
    /// The token of the session the command opened, if it opened one.
    pub session_token: Option<String>,
    pub session: Option<Session>,
    /// The account after the command.
    pub account: Account,
    /// How many times the command lost the compare-and-swap and was decided again.
    pub lost_races: u32,
    /// How many events the command appended.
    pub events: usize,
}

/// A command's result, with the Argon2 verifications its typed PIN cost over every decision
/// (R32: at most one per attempt, however many compare-and-swaps it lost), refused or not.
pub struct Attempt {
    pub result: Result<Handled, ServiceError>,
    pub verifications: u32,
}

/// One instance of the service.
pub struct App {
    pub store: Store,
    pub policy: Arc<Policy>,
    pub clock: Clock,
    pub entropy: Entropy,
    /// Who vouches for archive lookups (R35): the lookup system, by name.
    archive_lookup: OperatorId,
    locks: Mutex<HashMap<CodiceFiscale, Weak<tokio::sync::Mutex<()>>>>,
    /// The commands' phases, when `INPS_PIN_TIMING=1`.
    timing: Option<Mutex<PhaseTotals>>,
    /// One thread per core for deciding (Argon2, 19 MiB and a core's worth of work for a PIN
    /// at the default cost): a burst of logins queues there (see `deciding.rs`).
    deciding: DecidingPool,
}

/// The SHA-256 of a bearer token, hex: what the database keeps of a session token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl App {
    pub fn new(
        store: Store,
        policy: Policy,
        clock: Clock,
        entropy: Entropy,
    ) -> Result<App, String> {
        Ok(App {
            store,
            policy: Arc::new(policy),
            clock,
            entropy,
            archive_lookup: OperatorId::new("archive-lookup").map_err(|error| error.to_string())?,
            locks: Mutex::new(HashMap::new()),
            timing: std::env::var("INPS_PIN_TIMING")
                .is_ok_and(|value| value == "1")
                .then(|| Mutex::new(PhaseTotals::default())),
            deciding: DecidingPool::new(
                std::thread::available_parallelism().map_or(1, |cores| cores.get()),
            )?,
        })
    }

    /// The phases of the commands since the last call, when `INPS_PIN_TIMING=1`.
    pub fn take_phase_totals(&self) -> Option<PhaseTotals> {
        let totals = self.timing.as_ref()?;
        Some(match totals.lock() {
            Ok(mut totals) => std::mem::take(&mut *totals),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        })
    }

    fn record(&self, phases: &Phases) {
        if let Some(totals) = &self.timing {
            let mut totals = match totals.lock() {
                Ok(totals) => totals,
                Err(poisoned) => poisoned.into_inner(),
            };
            totals.commands += 1;
            totals.sums.add(phases);
        }
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

    /// The institute's archive, as this example stands in for it: it "finds" the person with the
    /// residence they typed. A real service looks the codice fiscale up in the archive and
    /// vouches for what it found (R35); the second half then goes to the archive's residence.
    pub fn archive_lookup(&self, person: &Person) -> Attested<ArchiveRecord> {
        let record = ArchiveRecord::new(person.codice_fiscale(), person.residence().clone());
        Attested::vouched_for(record, self.archive_lookup.clone(), self.clock.now())
    }

    /// Runs a command on an account: decide (Argon2 on a deciding thread), then append its
    /// events with the compare-and-swap, and its cache, outbox rows, deadline and sessions in
    /// the same transaction. A lost race reloads and decides the *same* command again: its
    /// typed PIN remembers its verifications, so an unchanged hash is not verified twice.
    pub async fn execute(
        &self,
        codice_fiscale: CodiceFiscale,
        command: Command,
    ) -> Result<Handled, ServiceError> {
        self.attempt(codice_fiscale, command).await.result
    }

    /// [`App::execute`], counting the typed PIN's Argon2 verifications.
    pub async fn attempt(&self, codice_fiscale: CodiceFiscale, command: Command) -> Attempt {
        let mut command = Some(command);
        let mut phases = Phases::default();
        let started = Instant::now();
        let result = self.run(codice_fiscale, &mut command, &mut phases).await;
        phases.total = started.elapsed();
        self.record(&phases);
        Attempt {
            result,
            verifications: command.as_ref().map_or(0, typed_pin_verifications),
        }
    }

    async fn run(
        &self,
        codice_fiscale: CodiceFiscale,
        slot: &mut Option<Command>,
        phases: &mut Phases,
    ) -> Result<Handled, ServiceError> {
        let mut mark = Instant::now();
        let mut lap = |phase: &mut Duration| {
            let now = Instant::now();
            *phase += now - mark;
            mark = now;
        };
        let lock = self.lock_for(codice_fiscale);
        let _serialised = lock.lock().await;
        lap(&mut phases.lock);
        let mut lost_races = 0;
        loop {
            let read = self.store.load(codice_fiscale).await?;
            lap(&mut phases.load);
            let now = self.clock.now();
            let policy = Arc::clone(&self.policy);
            let mut rng = self.entropy.generator();
            let command = slot
                .take()
                .ok_or_else(|| ServiceError::Internal("the command was lost".to_owned()))?;
            let ((returned, read, decided), waited) = self
                .deciding
                .run(move || {
                    let decided = read.decide(&command, &mut Context::new(now, &policy, &mut rng));
                    (command, read, decided)
                })
                .await
                .map_err(ServiceError::Internal)?;
            lap(&mut phases.decide);
            phases.decide = phases.decide.saturating_sub(waited);
            phases.queue += waited;
            *slot = Some(returned);
            let mut outcome = decided.map_err(|refusal| ServiceError::Refused(refusal, now))?;

            let mut next = read.clone();
            for event in &outcome.events {
                next.evolve(event);
            }
            let mut shown = Vec::new();
            let mut outbox = Vec::new();
            for effect in std::mem::take(&mut outcome.effects) {
                match effect {
                    Effect::Deliver(delivery) if delivery.is_for_the_reply() => {
                        shown.push(delivery)
                    }
                    Effect::Deliver(delivery) => {
                        let description = delivery.to_string();
                        match delivery.into_outbox() {
                            Ok(form) => {
                                outbox.push(NewOutboxRow {
                                    kind: "delivery",
                                    payload: Zeroizing::new(serde_json::to_string(&form).map_err(
                                        |error| ServiceError::Internal(error.to_string()),
                                    )?),
                                    description,
                                })
                            }
                            Err(refused) => {
                                return Err(ServiceError::Internal(refused.to_string()));
                            }
                        }
                    }
                    Effect::Notify(notification) => outbox.push(NewOutboxRow {
                        kind: "notice",
                        payload: Zeroizing::new(
                            serde_json::to_string(&notification)
                                .map_err(|error| ServiceError::Internal(error.to_string()))?,
                        ),
                        description: notification.to_string(),
                    }),
                    // Ended below, from the outcome; any later effect is logged, not lost silently.
                    Effect::EndSessions(_) => {}
                    other => eprintln!("[service] an effect this example does not know: {other:?}"),
                }
            }
            let mut end_sessions = Vec::new();
            if let Some(end) = outcome.sessions_to_end() {
                // A session opened by another instance after this read is still refused at use,
                // by `Account::check_session`.
                for (hash, text) in self.store.sessions_of(codice_fiscale).await? {
                    match serde_json::from_str::<Session>(&text) {
                        Ok(session) if !end.ends(&session) => {}
                        _ => end_sessions.push(hash),
                    }
                }
            }
            let session = match &outcome.reply {
                Reply::FirstAccessCompleted(session)
                | Reply::LoggedIn(session)
                | Reply::PinRenewed(session) => Some(*session),
                _ => None,
            };
            let session_token = session.map(|_| {
                let mut bytes = [0u8; 32];
                self.entropy.generator().fill_bytes(&mut bytes);
                bytes
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect::<String>()
            });
            let session_row = match (&session_token, &session) {
                (Some(token), Some(session)) => Some((
                    token_hash(token),
                    serde_json::to_string(session)
                        .map_err(|error| ServiceError::Internal(error.to_string()))?,
                )),
                _ => None,
            };

            lap(&mut phases.prepare);
            if !outcome.events.is_empty() || session_row.is_some() {
                let written = self
                    .store
                    .commit(Write {
                        read: &read,
                        next: &next,
                        events: &outcome.events,
                        next_deadline: next.poll_deadline(&self.policy),
                        outbox: &outbox,
                        end_sessions: &end_sessions,
                        new_session: session_row.as_ref().map(|(h, s)| (h.as_str(), s.as_str())),
                        now,
                    })
                    .await?;
                lap(&mut phases.commit);
                if written == Commit::LostRace {
                    lost_races += 1;
                    if lost_races > 100 {
                        return Err(ServiceError::Internal(
                            "lost the compare-and-swap 100 times in a row".to_owned(),
                        ));
                    }
                    continue;
                }
            }
            return Ok(Handled {
                reply: outcome.reply,
                failure: outcome.failure,
                shown,
                trusted_device: outcome.trusted_device,
                session_token,
                session,
                account: next,
                lost_races,
                events: outcome.events.len(),
            });
        }
    }

    /// Ticks every account whose deadline has come; returns how many were ticked.
    pub async fn tick_due(&self) -> Result<usize, ServiceError> {
        let due = self.store.due_accounts(self.clock.now(), 100).await?;
        let mut ticked = 0;
        for cf in due {
            let Ok(codice_fiscale) = CodiceFiscale::parse(&cf) else {
                eprintln!("[ticker] a stored codice fiscale does not parse: skipped");
                continue;
            };
            match self.execute(codice_fiscale, Command::Tick).await {
                Ok(_) => ticked += 1,
                Err(error) => eprintln!("[ticker] tick of an account failed: {error:?}"),
            }
        }
        Ok(ticked)
    }

    /// The session behind a bearer token, if it is still one the account accepts.
    pub async fn session_for(
        &self,
        token: &str,
    ) -> Result<Result<Session, &'static str>, ServiceError> {
        let hash = token_hash(token);
        let Some(text) = self.store.session(&hash).await? else {
            return Ok(Err("session.unknown"));
        };
        let Ok(session) = serde_json::from_str::<Session>(&text) else {
            return Ok(Err("session.unknown"));
        };
        let account = self.store.load(session.codice_fiscale()).await?;
        match account.check_session(&session, self.clock.now(), &self.policy) {
            Ok(()) => Ok(Ok(session)),
            Err(_) => {
                self.store.delete_session(&hash).await?;
                Ok(Err("session.ended"))
            }
        }
    }
}

/// The Argon2 verifications a command's typed PIN has cost so far.
pub fn typed_pin_verifications(command: &Command) -> u32 {
    match command {
        Command::FirstAccess { pin, .. }
        | Command::LogIn { pin, .. }
        | Command::RenewPin { pin, .. } => pin.verifications(),
        _ => 0,
    }
}
