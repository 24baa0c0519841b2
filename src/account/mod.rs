//! The account: one person's PIN record, driven by commands through decide and evolve.
//!
//! The phases ([`Phase`], derived in `phase.rs`) and what every command does in each of them
//! (the table in `table.rs`) are drawn in the crate documentation, from the table itself.
//!
//! Handling a command is two steps. [`Account::decide`] reads the account, the command and the
//! caller's [`Context`] and returns the events and effects, or a [`Refusal`]; it changes
//! nothing, so a refusal needs no undo (R27). [`Account::evolve`] applies one event; it cannot
//! fail, and applying an account's events in order rebuilds it (R29). [`Account::handle`] does
//! both.

pub(crate) mod phase;

mod command;
mod decide;
pub(crate) mod diagram;
mod event;
mod evolve;
mod export;
mod new_codes;
mod outcome;
mod personal;
mod refusal;
mod retention;
mod session_end;
mod stored;
mod sunset_rules;
pub(crate) mod table;
mod verify;
mod wrong_pin;

pub use command::{Command, CommandKind};
pub use event::Event;
pub use export::{
    EXPORT_FORMAT, ExportError, ExportedAddress, ExportedDevice, ExportedEvent, ExportedPerson,
    ExportedPin, ExportedSession, PersonalDataExport,
};
pub use outcome::{Effect, FailureDetail, LaneClosed, LoginFailure, Outcome, Reply};
pub use phase::{Phase, PinStatus};
pub use refusal::{Refusal, RefusalClass};
pub use session_end::{EndSessions, SessionEnd};
pub use stored::{AccountFormatError, STORED_FORMAT, StoredEvent, UnversionedEvent};

use jiff::Timestamp;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::CodiceFiscale;
use crate::account::phase::renewable_from;
use crate::assurance::AssuranceLevel;
use crate::civil_time::rome_start_of_day;
use crate::device::DeviceId;
use crate::device::{Lane, TrustedDevice};
use crate::hash::{HashCost, PinHash};
use crate::lockout::LockState;
use crate::person::{Person, Role};
use crate::policy::Policy;
use crate::upgrade::UpgradeVia;

/// What the caller passes into every command: the time, the policy and a random generator
/// (R26). The crate has no clock and no randomness of its own.
pub struct Context<'a, R: CryptoRng + ?Sized> {
    /// The current time.
    pub now: Timestamp,
    /// The rules in force.
    pub policy: &'a Policy,
    /// A cryptographic generator, for PIN characters and hash salts.
    pub rng: &'a mut R,
    /// What the stored PIN hashes cost to verify, for the decoy verification an account
    /// without a PIN runs in place of checking one (R30, R30a): an unknown codice fiscale
    /// must take as long as a wrong PIN against the hashes actually stored. `None`: the
    /// policy's [`hash_cost`](Policy::hash_cost), which is right while every stored hash was
    /// made at it. See [`Context::with_decoy_cost`].
    pub decoy_cost: Option<HashCost>,
}

/// Shows the time, the policy and the decoy's cost; the generator's state is not shown.
impl<R: CryptoRng + ?Sized> core::fmt::Debug for Context<'_, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Context")
            .field("now", &self.now)
            .field("policy", self.policy)
            .field("decoy_cost", &self.decoy_cost)
            .finish_non_exhaustive()
    }
}

impl<'a, R: CryptoRng + ?Sized> Context<'a, R> {
    /// A context for one command, the decoy at the policy's cost.
    pub fn new(now: Timestamp, policy: &'a Policy, rng: &'a mut R) -> Self {
        Context {
            now,
            policy,
            rng,
            decoy_cost: None,
        }
    }

    /// The same context with the decoy verification at `cost` (R30a).
    ///
    /// A PIN hash keeps the cost it was made at until its owner next logs in, when it is made
    /// again at the policy's (R30). So after the policy's [`hash_cost`](Policy::hash_cost)
    /// changes, most stored hashes still have the old cost for a while, and a decoy at the
    /// new cost would tell an unknown codice fiscale (the decoy's time) from a wrong PIN (the
    /// stored hash's time). A service passes what its stored hashes cost: the cost of an
    /// account it loaded lately ([`Account::stored_hash_cost`]), or of the last wrong PIN it
    /// checked ([`EnteredPin::last_verification_cost`](crate::EnteredPin::last_verification_cost)).
    /// A cost above the policy's bound on stored hashes
    /// ([`max_stored_hash_cost`](Policy::max_stored_hash_cost)) is run at that bound: no stored
    /// hash above it is ever run either (R35).
    ///
    /// ```
    /// use inps_pin::*;
    /// use rand_chacha::ChaCha20Rng;
    /// use rand_core::SeedableRng;
    ///
    /// let policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    /// let mut rng = ChaCha20Rng::seed_from_u64(1);
    /// let now: jiff::Timestamp = "2026-12-01T09:00:00Z".parse()?;
    /// let stored = HashCost::new(16, 1, 1)?; // what the accounts loaded lately were hashed at
    /// let pin = EnteredPin::parse("ABCDEFGH")?;
    /// let mut unknown = Account::new(CodiceFiscale::parse("RSSMRA80A01H501U")?);
    /// let outcome = unknown.handle(
    ///     Command::LogIn { pin, device: None, trust_device: false },
    ///     &mut Context::new(now, &policy, &mut rng).with_decoy_cost(stored),
    /// )?;
    /// assert!(matches!(outcome.reply, Reply::LoginFailed(_)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_decoy_cost(mut self, cost: HashCost) -> Self {
        self.decoy_cost = Some(cost);
        self
    }

    /// The cost the decoy verification runs at: [`Context::decoy_cost`] or the policy's, never
    /// above the policy's bound on stored hashes (R35).
    pub(crate) fn decoy_cost(&self) -> HashCost {
        self.decoy_cost
            .unwrap_or(self.policy.hash_cost)
            .at_most(self.policy.stored_hash_cost_bound())
    }
}

/// One person's PIN record, keyed by codice fiscale: the aggregate a service stores.
///
/// ```
/// use inps_pin::{Account, CodiceFiscale};
///
/// let cf = CodiceFiscale::parse("RSSMRA80A01H501U")?;
/// let account = Account::new(cf);
/// assert_eq!(account.version(), 0);
/// # Ok::<(), inps_pin::CodiceFiscaleError>(())
/// ```
///
/// Serialized, an account is a cache of its events (R32): it carries [`STORED_FORMAT`], and
/// one cached in another format is refused on loading with an error that says to rebuild it
/// with [`Account::replay`].
// Deserialized in `stored`, which checks the format before anything else is read.
//
// Laid out in the order declared (which is also the stored order, so it must not change): the
// fields every command reads (key, version, generation, the PIN's stage and lock) in the first
// 224 bytes, what only rare commands read (the person, a restore, the requests, the devices)
// after them. Left to the compiler, a login would read five or six cache lines of a 368-byte
// account instead of four, and fetching an account no cache holds is a large part of a login's
// own time in a population simulated in memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[repr(C)]
pub struct Account {
    /// The format it is stored in: always this release's in memory.
    format: u32,
    /// The role that sets the expiry (R2, R20): the one the latest PIN was issued for, a
    /// citizen until a request says otherwise. A security fact, kept when the person is split
    /// off or erased (R36). Kept beside the key: a first access and a renewal read it, and
    /// reading it through the boxed person fetched another cache line, far from the account,
    /// for one byte. Stored from format 3; derived from the person when loading earlier ones.
    role: Role,
    codice_fiscale: CodiceFiscale,
    version: u64,
    /// How many times the live PIN changed (issued, first access, renewal, restore,
    /// revocation): the generation a session carries, so it ends with its PIN (R31).
    pin_generation: u64,
    /// The person as the latest request gave them: the account's personal data (R36), `None`
    /// before any request, once erased, and in the facts split off for storage apart.
    /// Boxed: only requests, restores and notices read it, and inline it put 144 bytes
    /// between the PIN record and the fields every command reads (an account in memory was
    /// 368 bytes instead of 504: two cache lines fewer). Stored the same as inline.
    person: Option<Box<Person>>,
    /// The PIN issued and not revoked, with everything that only exists beside a PIN: `None`
    /// holds no lock and no upgrade request, so neither can outlive the PIN it was for.
    pin: Option<PinRecord>,
    /// When the last PIN was revoked, while the person's data is kept: from then its retention
    /// period counts (R36). Cleared by a new PIN and by the erasure, so that the facts alone
    /// tell whether personal data is held ([`Account::holds_personal_data`]). Stored from
    /// format 3: a cached account of an earlier format does not know it, and is rebuilt from
    /// its events to know it.
    #[serde(with = "crate::timestamp_serde::option")]
    revoked_at: Option<Timestamp>,
}

/// The role that sets the expiry (R2, R20): the person's, a citizen until a request says
/// otherwise.
fn role_of(person: Option<&Person>) -> Role {
    person.map_or(Role::Citizen, Person::role)
}

/// A PIN issued and not revoked.
///
/// Laid out in the order declared (the stored order), the stage and the lock first: see
/// [`Account`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[repr(C)]
struct PinRecord {
    stage: Stage,
    /// Wrong PINs, delays and the block (R25).
    lock: LockState,
    /// A written upgrade request waiting for the back office (R17).
    pending_upgrade: Option<UpgradeVia>,
    /// A restore's 16, waiting beside the PIN in use for its first access (R23a).
    /// Boxed: one account in many has one, and inline it took 80 bytes of every account.
    #[serde(default)]
    restore: Option<Box<RestoreCode>>,
    /// When the latest restores were asked for, at most
    /// [`MAX_RESTORE_REQUESTS`](crate::MAX_RESTORE_REQUESTS), oldest
    /// first: what the policy's cap counts (R23a). A stored account with more does not load.
    #[serde(
        default,
        deserialize_with = "crate::bounded::vec::<_, _, crate::restore::StoredRestoreRequests>"
    )]
    restores_requested: Vec<RestoreRequest>,
    /// The trusted devices, each with its own lane of wrong PINs (R25a), at most
    /// [`MAX_TRUSTED_DEVICES`](crate::MAX_TRUSTED_DEVICES). A stored account with more does
    /// not load.
    #[serde(
        default,
        deserialize_with = "crate::bounded::vec::<_, _, crate::device::StoredDevices>"
    )]
    devices: Vec<TrustedDevice>,
    /// Wrong 16s typed at a first access: the lane of the 16 that waits for its first access
    /// (the issued one, or a restore's), with its own delays and no block (R25b). A new code
    /// starts it afresh. Stored last: the stored forms before it end with `devices`.
    #[serde(default)]
    first_access_lock: LockState,
}

/// A restore's new 16-character PIN, waiting for its first access (R23a).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct RestoreCode {
    whole: PinHash,
    #[serde(with = "crate::timestamp_serde")]
    lapses_at: Timestamp,
}

/// When a restore was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct RestoreRequest {
    #[serde(with = "crate::timestamp_serde")]
    at: Timestamp,
}

impl PinRecord {
    /// A new record for a PIN just issued: no lock, no request, no restore, no device.
    fn new(stage: Stage) -> PinRecord {
        PinRecord {
            stage,
            lock: LockState::default(),
            pending_upgrade: None,
            restore: None,
            restores_requested: Vec::new(),
            devices: Vec::new(),
            first_access_lock: LockState::default(),
        }
    }

    /// The lock of a lane: the anonymous one, or a trusted device's (R25a).
    fn lock(&self, lane: &Lane) -> Option<&LockState> {
        match lane {
            Lane::Anonymous => Some(&self.lock),
            Lane::Device(id) => self
                .devices
                .iter()
                .find(|device| device.id == *id)
                .map(|device| &device.lock),
        }
    }

    /// The level of the PIN.
    fn assurance(&self) -> AssuranceLevel {
        match &self.stage {
            Stage::AwaitingFirstAccess(first) => first.assurance,
            Stage::Active(active) => active.assurance,
        }
    }
}

/// Which code the PIN is: the 16 before its first access, or the 8 after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Stage {
    /// A 16-character PIN waits for its first access.
    AwaitingFirstAccess(FirstPin),
    /// The 8-character PIN is in use.
    Active(ActivePin),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct FirstPin {
    assurance: AssuranceLevel,
    whole: PinHash,
    first_half: Option<PinHash>,
    #[serde(with = "crate::timestamp_serde")]
    lapses_at: Timestamp,
    /// The lapse was applied by the clock (and the person told).
    lapse_noted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct ActivePin {
    assurance: AssuranceLevel,
    hash: PinHash,
    #[serde(with = "crate::timestamp_serde")]
    expires_at: Timestamp,
    /// The expiry warning went out.
    warned: bool,
    /// The expiry was applied by the clock (and the person told).
    expiry_noted: bool,
    /// When the warning goes out, and when the sunset retires every PIN, under the policy
    /// first asked, once computed: Rome calendar arithmetic costs far more than the rest of a
    /// `poll_deadline`, which services call after every command. Not stored; rebuilt on demand.
    #[serde(skip)]
    deadline_memo: DeadlineMemo,
}

/// A memo of the instants an active PIN's deadlines are taken from, for one PIN: the inputs it
/// was computed from (the policy's warning days and retirement date) beside each instant.
/// Never part of what an account is: equal, hashed and printed as nothing, and cleared wherever
/// the expiry changes.
#[derive(Clone, Default)]
struct DeadlineMemo(std::sync::OnceLock<RememberedInstants>);

/// What [`DeadlineMemo`] remembers.
#[derive(Clone, Copy)]
struct RememberedInstants {
    /// The policy's `expiry_warning_days` that `renewable_from` was computed for.
    warning_days: u16,
    /// [`renewable_from`] of the PIN's expiry (R21, R22).
    renewable_from: Timestamp,
    /// The policy's sunset retirement date that `retirement` was computed for.
    retired_from: Option<jiff::civil::Date>,
    /// The start of that date in Rome: from then on no deadline falls due (R22a).
    retirement: Option<Timestamp>,
}

impl RememberedInstants {
    fn compute(expires_at: Timestamp, policy: &Policy) -> RememberedInstants {
        let retired_from = policy.sunset.map(|sunset| sunset.retired_from);
        RememberedInstants {
            warning_days: policy.expiry_warning_days,
            renewable_from: renewable_from(expires_at, policy),
            retired_from,
            retirement: retired_from.map(rome_start_of_day),
        }
    }

    /// Whether these instants were computed for `policy`.
    #[inline]
    fn hold_for(&self, policy: &Policy) -> bool {
        self.warning_days == policy.expiry_warning_days
            && self.retired_from == policy.sunset.map(|sunset| sunset.retired_from)
    }
}

impl DeadlineMemo {
    /// The instants remembered for the PIN expiring at `expires_at`, computed now if this is
    /// the first time they are asked for; they hold for the policy first asked (see
    /// [`RememberedInstants::hold_for`]).
    #[inline(always)] // part of `Account::poll_deadline`'s usual case
    fn remembered(&self, expires_at: Timestamp, policy: &Policy) -> &RememberedInstants {
        self.0
            .get_or_init(|| RememberedInstants::compute(expires_at, policy))
    }
}

impl PartialEq for DeadlineMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for DeadlineMemo {}

impl core::fmt::Debug for DeadlineMemo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("_")
    }
}

impl ActivePin {
    /// The next of this PIN's deadlines, if its expiry was not applied yet: the warning (R22)
    /// or the expiry (R20), none from the sunset's retirement on (R22a).
    #[inline(always)] // the body of `Account::poll_deadline`'s usual case
    fn next_deadline(&self, policy: &Policy) -> Option<Timestamp> {
        // Read in place, not copied: this is most of the usual case's work.
        let remembered = self.deadline_memo.remembered(self.expires_at, policy);
        let fresh;
        let instants = if remembered.hold_for(policy) {
            remembered
        } else {
            fresh = RememberedInstants::compute(self.expires_at, policy);
            &fresh
        };
        let earliest = if self.warned {
            self.expires_at
        } else {
            instants.renewable_from.min(self.expires_at)
        };
        instants
            .retirement
            .is_none_or(|retired| earliest < retired)
            .then_some(earliest)
    }

    /// From when this PIN is renewable and warned about under `policy` (R21, R22).
    fn renewable_from(&self, policy: &Policy) -> Timestamp {
        let remembered = self.deadline_memo.remembered(self.expires_at, policy);
        if remembered.hold_for(policy) {
            remembered.renewable_from
        } else {
            renewable_from(self.expires_at, policy)
        }
    }
}

/// Whether `at` comes before the sunset's retirement under `policy`, if there is one (R22a).
fn before_retirement(at: Timestamp, policy: &Policy) -> bool {
    policy
        .sunset
        .is_none_or(|sunset| at < rome_start_of_day(sunset.retired_from))
}

/// What falls due at one of the PIN's own deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PinDue {
    /// The unused 16 lapses (R9).
    Lapse,
    /// The expiry warning goes out (R22).
    Warning,
    /// The PIN expires (R20).
    Expiry,
}

impl Account {
    /// An account with no PIN yet, for the person with this codice fiscale.
    ///
    /// Also what a service uses for a codice fiscale it has no account for: every command
    /// answers as it would for a known one without a PIN (a login fails like a wrong PIN, a
    /// restore reads like wrong contacts, R30) and writes no event, so nothing is stored.
    #[must_use]
    pub fn new(codice_fiscale: CodiceFiscale) -> Account {
        Account {
            format: STORED_FORMAT,
            role: Role::Citizen,
            codice_fiscale,
            version: 0,
            pin_generation: 0,
            person: None,
            pin: None,
            revoked_at: None,
        }
    }

    /// Rebuilds an account from its events, oldest first (R29).
    ///
    /// ```
    /// # use inps_pin::*;
    /// # fn check(stored: &Account, events: &[Event]) {
    /// let rebuilt = Account::replay(stored.codice_fiscale(), events);
    /// assert_eq!(&rebuilt, stored);
    /// # }
    /// ```
    #[must_use]
    pub fn replay<'e>(
        codice_fiscale: CodiceFiscale,
        events: impl IntoIterator<Item = &'e Event>,
    ) -> Account {
        let mut account = Account::new(codice_fiscale);
        for event in events {
            account.evolve(event);
        }
        account
    }

    /// Decides and applies a command: the events are applied to the account and returned with
    /// the effects and the reply. A refusal leaves the account untouched (R27).
    ///
    /// # Errors
    /// A [`Refusal`] saying why the command cannot apply and what to do instead.
    pub fn handle<R: CryptoRng + ?Sized>(
        &mut self,
        command: Command,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let outcome = self.decide(&command, context)?;
        for event in &outcome.events {
            self.evolve(event);
        }
        Ok(outcome)
    }

    /// The person's codice fiscale: the account's key.
    #[must_use]
    pub fn codice_fiscale(&self) -> CodiceFiscale {
        self.codice_fiscale
    }

    /// How many events have been applied: for compare-and-swap updates in the caller's
    /// database (R29).
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The person as the latest request gave them, once a PIN was requested: the account's
    /// personal data (R36). `None` once erased, and in the facts split off for storage apart
    /// ([`Account::split`]).
    #[must_use]
    pub fn person(&self) -> Option<&Person> {
        self.person.as_deref()
    }

    /// Consecutive wrong PINs from clients without a trusted device, since the last success
    /// there or the last PIN issued (R25).
    #[must_use]
    pub fn consecutive_failures(&self) -> u32 {
        self.pin.as_ref().map_or(0, |pin| pin.lock.failures())
    }

    /// The devices the account trusts at `now` under `policy` (R25a): their identifiers,
    /// oldest first.
    #[must_use]
    pub fn trusted_devices(&self, now: Timestamp, policy: &Policy) -> Vec<DeviceId> {
        self.pin.as_ref().map_or_else(Vec::new, |pin| {
            pin.devices
                .iter()
                .filter(|device| device.trusted_at(now, &policy.trusted_devices))
                .map(|device| device.id.clone())
                .collect()
        })
    }

    /// What the hash a login checks cost to make: the 8's in use, or the 16's that waits for
    /// its first access; `None` without a PIN. A service passes it as the decoy's cost
    /// ([`Context::with_decoy_cost`]), so that an unknown codice fiscale costs what a wrong PIN
    /// against the hashes actually stored costs (R30a).
    #[must_use]
    pub fn stored_hash_cost(&self) -> Option<HashCost> {
        self.pin.as_ref().map(|record| match &record.stage {
            Stage::AwaitingFirstAccess(first) => first.whole.cost(),
            Stage::Active(active) => active.hash.cost(),
        })
    }

    /// Wrong 16s typed at a first access since the waiting 16 was issued: the count of its own
    /// lane, which slows further first accesses and never blocks them (R25b).
    #[must_use]
    pub fn wrong_first_accesses(&self) -> u32 {
        self.pin
            .as_ref()
            .map_or(0, |record| record.first_access_lock.failures())
    }

    /// When a restore's 16 that waits beside the PIN lapses, if one waits at `now` (R23a).
    #[must_use]
    pub fn restore_pending(&self, now: Timestamp) -> Option<Timestamp> {
        self.pin
            .as_ref()
            .and_then(|pin| pin.restore.as_ref())
            .map(|restore| restore.lapses_at)
            .filter(|lapses_at| now < *lapses_at)
    }

    /// When the PIN in use expires (R20); `None` without an 8-character PIN.
    #[must_use]
    pub fn expires_at(&self) -> Option<Timestamp> {
        match self.pin.as_ref().map(|pin| &pin.stage) {
            Some(Stage::Active(active)) => Some(active.expires_at),
            Some(Stage::AwaitingFirstAccess(_)) | None => None,
        }
    }

    /// Whether a written upgrade request waits for the back office (R17).
    #[must_use]
    pub fn upgrade_pending(&self) -> Option<UpgradeVia> {
        self.pin.as_ref().and_then(|pin| pin.pending_upgrade)
    }

    /// When the account next needs the clock: the end of the first-access window, the expiry
    /// warning, the expiry, or the end of the personal data's retention period (R36). At that
    /// instant (or later) send [`Command::Tick`]; an early or repeated tick is a harmless
    /// no-op. After a tick at `now` the next deadline is always after `now`. `None`: nothing
    /// will happen by itself. (The end of a login delay is no deadline: it follows from the
    /// clock, and nothing is recorded when it passes.) The facts split off for storage apart
    /// ([`Account::split`]) give the same deadline as the whole account.
    ///
    /// ```
    /// # use inps_pin::*;
    /// # fn drive<R: rand_core::CryptoRng>(account: &mut Account, policy: &Policy, rng: &mut R, until: jiff::Timestamp) -> Result<(), Refusal> {
    /// while let Some(deadline) = account.poll_deadline(policy).filter(|d| *d <= until) {
    ///     let outcome = account.handle(Command::Tick, &mut Context::new(deadline, policy, rng))?;
    ///     // carry out outcome.effects: warnings and notices to send
    /// #   let _ = outcome;
    /// }
    /// # Ok(()) }
    /// ```
    #[must_use]
    // Always inlined, into other crates too: out of line, most of its cost is the call itself,
    // whose answer goes back through memory and stalls the caller that reads it at once.
    // What is inlined is the usual case only, a few comparisons.
    #[inline(always)]
    pub fn poll_deadline(&self, policy: &Policy) -> Option<Timestamp> {
        // The earliest of `deadlines`, taken without building the list. The earliest PIN
        // deadline before the retirement is the earliest of those left once the retirement has
        // removed the later ones, since it removes every deadline from an instant on; the
        // retention deadline comes after every PIN deadline but when there is none. Debug
        // builds (every test) check the two agree.
        let deadline = match self.pin.as_ref().map(|pin| &pin.stage) {
            // The usual case, inlined: a few comparisons of instants remembered for this PIN,
            // all before the PIN expires, so before its retention deadline.
            Some(Stage::Active(active)) if !active.expiry_noted => active
                .next_deadline(policy)
                .or_else(|| self.poll_deadline_without_active_pin(policy)),
            _ => self.poll_deadline_without_active_pin(policy),
        };
        debug_assert_eq!(deadline, self.deadlines(policy).min());
        deadline
    }

    /// [`Account::poll_deadline`] without an 8-character PIN whose expiry is still ahead: kept
    /// out of the inlined path.
    #[inline(never)]
    fn poll_deadline_without_active_pin(&self, policy: &Policy) -> Option<Timestamp> {
        let pin_deadline = match self.pin.as_ref().map(|pin| &pin.stage) {
            Some(Stage::AwaitingFirstAccess(first)) => (!first.lapse_noted)
                .then_some(first.lapses_at)
                .filter(|at| before_retirement(*at, policy)),
            Some(Stage::Active(active)) if !active.expiry_noted => active.next_deadline(policy),
            Some(Stage::Active(_)) | None => None,
        };
        self.earliest_with_retention(pin_deadline, policy)
    }

    /// Every pending deadline: the PIN's own and the retention's, for the check of
    /// [`Account::poll_deadline`].
    fn deadlines(&self, policy: &Policy) -> impl Iterator<Item = Timestamp> {
        self.pin_deadlines(policy)
            .map(|(at, _)| at)
            .chain(self.retention_deadline(policy))
    }

    /// The PIN's own pending deadlines: the lapse of an unused 16 (R9), the expiry warning
    /// (R22), the expiry (R20). One source for [`Account::poll_deadline`] and for what a tick
    /// applies, so the two can never disagree. None from the sunset's retirement on (R22a): no
    /// PIN works then, so nothing about one falls due.
    fn pin_deadlines(&self, policy: &Policy) -> impl Iterator<Item = (Timestamp, PinDue)> {
        let [lapse, warning, expiry] = match self.pin.as_ref().map(|pin| &pin.stage) {
            None => [None; 3],
            Some(Stage::AwaitingFirstAccess(first)) => [
                (!first.lapse_noted).then_some((first.lapses_at, PinDue::Lapse)),
                None,
                None,
            ],
            Some(Stage::Active(active)) if active.expiry_noted => [None; 3],
            Some(Stage::Active(active)) => {
                let warn_at = active.renewable_from(policy);
                [
                    None,
                    (!active.warned && warn_at < active.expires_at)
                        .then_some((warn_at, PinDue::Warning)),
                    Some((active.expires_at, PinDue::Expiry)),
                ]
            }
        };
        let retirement = policy
            .sunset
            .map(|sunset| rome_start_of_day(sunset.retired_from));
        [lapse, warning, expiry]
            .into_iter()
            .flatten()
            .filter(move |(at, _)| retirement.is_none_or(|retired| *at < retired))
    }
}
