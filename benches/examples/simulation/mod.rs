//! The core of `examples/population.rs`: a population of citizens and intermediaries through a
//! simulated year, driven the way a service drives the crate.
//!
//! It lives in its own folder (not an example by itself: it has no `main.rs`) so that the
//! example and `tests/population.rs` include the same code with `#[path]`. Everything here is a
//! function of the seed and the size: the summary it returns is the same on every run. Timing is
//! measured around the crate's calls only, and reported apart from the summary.
//!
//! The clock is a priority queue of instants. Each account's next deadline
//! ([`Account::poll_deadline`]) is one entry, sent as a [`Command::Tick`] when it falls due;
//! each person has one planned action (a request, a first access, a login, ...) whose outcome
//! decides the next; strangers' guesses are entries of their own.
#![allow(dead_code)] // the example and the test use different parts

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use inps_pin::{
    Account, Address, ArchiveRecord, AssuranceLevel, Attested, ChannelRequest, CodiceFiscale,
    Command, Context, DeviceToken, DocumentKind, Email, EnteredPin, ErasureReason, Event, HashCost,
    IdentityDocument, LaneClosed, MobileNumber, Notice, OperatorId, Outcome, PIN_ALPHABET, Person,
    PersonName, Phase, PhoneKind, PinPart, Policy, Refusal, RejectionReason, Reply, Role,
    SedeRequest, TesseraSanitaria, UpgradeDecision, UpgradeVia,
};
use jiff::Timestamp;
use jiff::civil::date;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

type Error = Box<dyn std::error::Error>;

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// The year simulated: from midnight of 1 January 2026 in Rome (23:00 UTC the day before).
const YEAR_START: i64 = 1_767_222_000;
const YEAR_DAYS: i64 = 365;

/// Every phase the crate knows, in the order the summary and the chart list them.
pub const PHASES: [Phase; 8] = [
    Phase::NoPin,
    Phase::AwaitingFirstAccess,
    Phase::FirstPinLapsed,
    Phase::Active,
    Phase::ExpiringSoon,
    Phase::Expired,
    Phase::Blocked,
    Phase::Retired,
];

/// What a simulation is asked for.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    /// How many people.
    pub people: u32,
    /// The seed of every generator.
    pub seed: u64,
    /// How many allocations this thread has made so far: read before and after each
    /// command to count the command's own (`no_allocation_count` when nobody counts).
    pub allocations: fn() -> u64,
}

/// For a [`Setup`] whose caller does not count allocations: always 0.
pub fn no_allocation_count() -> u64 {
    0
}

/// What a person does next (one planned action each), or a stranger's guess.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    Request,
    FirstAccess,
    LogIn,
    Renew,
    Restore,
    Revoke,
    RequestUpgrade,
    DecideUpgrade,
    UpgradeAtSede,
    /// Asks for their data to be erased (R36, GDPR art. 17).
    Erase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    /// The account's deadline, as `poll_deadline` reported it.
    Deadline,
    /// The person's planned action, valid while the plan number is the person's latest.
    Person { act: Act, plan: u32 },
    /// A stranger's guess at the PIN, with how many more will follow.
    Stranger { left: u8 },
}

/// One entry of the clock: ordered by instant, then by when it was scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    at: i64,
    seq: u64,
    who: u32,
    what: What,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A PIN as the person remembers it: up to 16 characters, kept as the person would type them.
#[derive(Clone, Copy, Default)]
struct Remembered {
    chars: [u8; 16],
    len: u8,
}

impl Remembered {
    fn of(text: &str) -> Remembered {
        let mut chars = [0u8; 16];
        let len = text.len().min(16);
        chars[..len].copy_from_slice(&text.as_bytes()[..len]);
        Remembered {
            chars,
            len: len as u8,
        }
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.chars[..usize::from(self.len)]).unwrap_or("")
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// One person: the account the service stores, and what the person keeps.
pub struct Agent {
    /// The account, as the service stores it.
    pub account: Account,
    /// The 8-character PIN in use, as remembered.
    pin: Remembered,
    /// A 16-character PIN waiting for its first access (a new PIN, or a restore's).
    first: Remembered,
    /// The cookie of the person's usual computer, once it is a trusted device (R25a).
    device: Option<Box<str>>,
    /// The deadline in the queue for this account, if any.
    scheduled: Option<i64>,
    /// The number of the person's latest plan: older planned actions are dropped.
    plan: u32,
}

/// What happened over the year, and the phases day by day: all deterministic.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Summary {
    pub people: u32,
    pub citizens: u32,
    pub intermediaries: u32,
    pub seed: u64,
    /// How many accounts are in each phase at the end of the year, in [`PHASES`] order.
    pub phases_at_end: [u64; 8],
    /// The phase counts at noon of each day, in [`PHASES`] order.
    pub phases_by_day: Vec<[u32; 8]>,
    /// The accounts holding personal data at noon of each day (R36): the others' data was
    /// erased, or they never asked for a PIN.
    pub personal_data_by_day: Vec<u32>,
    /// The personal data erased over the year, by reason (R36).
    pub erasures: BTreeMap<&'static str, u64>,
    pub commands: BTreeMap<&'static str, u64>,
    pub events: BTreeMap<&'static str, u64>,
    pub refusals: BTreeMap<&'static str, u64>,
    pub notices: BTreeMap<&'static str, u64>,
    pub replies: BTreeMap<&'static str, u64>,
    /// Wrong PINs typed by owners, and by strangers.
    pub owner_typos: u64,
    pub stranger_guesses: u64,
    pub stranger_attacks: u64,
    /// First accesses with the 16 the person was sent that failed as a wrong PIN.
    pub first_access_failures: u64,
    /// Logins that used a trusted device.
    pub device_logins: u64,
    /// Bytes of all events, stored with postcard.
    pub event_bytes: u64,
    /// Bytes of all accounts at the end of the year, stored with postcard.
    pub account_bytes: u64,
    /// Sum of the accounts' versions: the events applied.
    pub versions: u64,
}

/// What was measured, apart from the summary: it varies from run to run.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// The whole year: the crate's calls, the simulation's own work and the daily phase counts.
    pub year: Duration,
    /// Inside `Account::handle` (its `decide` and `evolve`), Argon2 included.
    pub handle: Duration,
    /// How many times `Account::handle` was called.
    pub handled: u64,
    /// How many Argon2 runs those calls made, counted from what the crate shows: each hash in
    /// the events is one made, each typed PIN says how many verifications it ran, and a
    /// command with the token of a device the account trusts verifies it once.
    pub argon2_runs: u64,
    /// Bare Argon2 runs made beside the year's, as many as each command that ran Argon2 had
    /// just made, right after it: what one of the crate's runs costs on the machine as it was
    /// at that moment ([`bare_argon2_cheap`]). Pairing every command rather than a sample
    /// doubles Argon2's work but halves the spread of the crate's time on a shared machine.
    pub bare_argon2_runs: u64,
    /// Their time, not part of `year` nor of `handle`.
    pub bare_argon2: Duration,
    /// The same, command by command (by [`Command::name`]).
    pub by_command: BTreeMap<&'static str, CommandCost>,
}

/// What the calls of one kind of command cost: see [`Timings`].
#[derive(Clone, Debug, Default)]
pub struct CommandCost {
    /// How many were handled.
    pub handled: u64,
    /// Their time inside `Account::handle`, Argon2 included.
    pub handle: Duration,
    /// The Argon2 runs they made.
    pub argon2_runs: u64,
    /// The allocations they made inside `Account::handle`.
    pub allocations: u64,
}

impl CommandCost {
    /// Their own time in seconds: `handle` less their Argon2 runs, each at the mean of the
    /// year's bare runs (`argon2_each`). Signed: where Argon2 ran slower inside the crate
    /// than bare, by more than the crate's own work, it comes out below zero.
    pub fn own_seconds(&self, argon2_each: Duration) -> f64 {
        self.handle.as_secs_f64() - argon2_each.as_secs_f64() * self.argon2_runs as f64
    }
}

impl Timings {
    /// One Argon2 run: the mean of the bare runs.
    pub fn argon2_each(&self) -> Duration {
        Duration::from_secs_f64(
            self.bare_argon2.as_secs_f64() / self.bare_argon2_runs.max(1) as f64,
        )
    }

    /// Argon2's share of `handle`: the runs counted, each at the mean of the bare runs.
    pub fn argon2(&self) -> Duration {
        Duration::from_secs_f64(self.argon2_each().as_secs_f64() * self.argon2_runs as f64)
    }
}

/// One Argon2 run as the crate makes it at `HashCost::CHEAP`: Argon2id version 19, its 8 KiB of
/// memory on the stack starting a page, 1 pass, 1 lane, an 8-character PIN, a 16-byte salt, a
/// 32-byte hash.
pub fn bare_argon2_cheap(pin: &[u8]) -> [u8; 32] {
    /// Aligned as the crate aligns its own (see `StackBlocks` in `src/hash/mod.rs`): where
    /// the buffer starts changes Argon2's speed by a few per cent, as much as the crate's
    /// own time.
    #[repr(C, align(4096))]
    struct StackBlocks([argon2::Block; 8]);
    let mut blocks = StackBlocks([argon2::Block::new(); 8]);
    let mut out = [0u8; 32];
    let params = argon2::Params::new(8, 1, 1, Some(32)).expect("the cheapest cost");
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into_with_memory(pin, &[0x5a; 16], &mut out, &mut blocks.0)
        .expect("valid inputs");
    out
}

/// What a simulation hands back: its summary and its timings.
pub struct Run {
    pub summary: Summary,
    pub timings: Timings,
    pub agents: Vec<Agent>,
}

/// How long the simulation keeps the personal data of an account with no live PIN: shorter
/// than the default year, so that a simulated year shows the retention period at work.
pub const RETENTION_DAYS: u16 = 90;

/// The policy of the simulation: the default, at the cheap hash cost, with a retention period
/// of [`RETENTION_DAYS`].
pub fn policy() -> Policy {
    let mut policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    policy.personal_data_retention_days = Some(RETENTION_DAYS);
    policy
}

/// Runs the year. `progress` is told the days done (of 365) as the clock passes each noon.
pub fn run(setup: Setup, mut progress: impl FnMut(u64)) -> Result<Run, Error> {
    let mut sim = Simulation::new(setup)?;
    let started = Instant::now();
    sim.year(&mut progress)?;
    sim.timings.year = started.elapsed();
    for agent in &sim.agents {
        sim.summary.account_bytes += postcard::to_allocvec(&agent.account)?.len() as u64;
        sim.summary.versions += agent.account.version();
    }
    Ok(Run {
        summary: sim.summary,
        timings: sim.timings,
        agents: sim.agents,
    })
}

struct Simulation {
    policy: Policy,
    /// See [`Setup::allocations`].
    allocations: fn() -> u64,
    /// The crate's generator: PIN characters, salts, device tokens.
    crate_rng: ChaCha20Rng,
    /// The simulation's own: who does what, when.
    world: ChaCha20Rng,
    agents: Vec<Agent>,
    queue: BinaryHeap<Reverse<Entry>>,
    seq: u64,
    now: i64,
    summary: Summary,
    timings: Timings,
    archive: OperatorId,
    counter: OperatorId,
    intake: OperatorId,
    reviewer: OperatorId,
    register: OperatorId,
}

/// The typed PIN a command carries.
fn entered_pin_of(command: &Command) -> Option<&EnteredPin> {
    match command {
        Command::FirstAccess { pin, .. }
        | Command::LogIn { pin, .. }
        | Command::RenewPin { pin, .. } => Some(pin),
        _ => None,
    }
}

/// The trusted device's token a command carries: the crate verifies it against the device's
/// stored hash when the account trusts that device.
fn device_token_of(command: &Command) -> Option<&DeviceToken> {
    match command {
        Command::LogIn { device, .. } | Command::RenewPin { device, .. } => device.as_ref(),
        _ => None,
    }
}

/// How many PIN hashes an event stored with postcard holds (postcard writes strings as they
/// are): each is one Argon2 run of the command that made it.
fn hashes_in(stored: &[u8]) -> u64 {
    const PHC_START: &[u8] = b"$argon2id$";
    stored
        .windows(PHC_START.len())
        .filter(|window| *window == PHC_START)
        .count() as u64
}

/// Who is an intermediary: one person in twenty.
fn role_of(index: u32) -> Role {
    if index % 20 == 7 {
        Role::Intermediary
    } else {
        Role::Citizen
    }
}

impl Simulation {
    fn new(setup: Setup) -> Result<Simulation, Error> {
        let mut sim = Simulation {
            policy: policy(),
            allocations: setup.allocations,
            crate_rng: ChaCha20Rng::seed_from_u64(setup.seed),
            world: ChaCha20Rng::seed_from_u64(setup.seed ^ 0x5eed_5eed),
            agents: Vec::with_capacity(setup.people as usize),
            queue: BinaryHeap::new(),
            seq: 0,
            now: YEAR_START,
            summary: Summary {
                people: setup.people,
                seed: setup.seed,
                ..Summary::default()
            },
            timings: Timings::default(),
            archive: OperatorId::new("archive-lookup")?,
            counter: OperatorId::new("sede-roma-01")?,
            intake: OperatorId::new("backoffice-intake")?,
            reviewer: OperatorId::new("backoffice-03")?,
            register: OperatorId::new("ts-register")?,
        };
        for index in 0..setup.people {
            match role_of(index) {
                Role::Citizen => sim.summary.citizens += 1,
                Role::Intermediary => sim.summary.intermediaries += 1,
            }
            sim.agents.push(Agent {
                account: Account::new(codice_fiscale(index)?),
                pin: Remembered::default(),
                first: Remembered::default(),
                device: None,
                scheduled: None,
                plan: 0,
            });
            // Most ask for a PIN in the first ten months; one in twenty never does.
            if sim.chance(95) {
                let at = YEAR_START + sim.between(0, 300 * DAY);
                sim.plan_at(index, Act::Request, at);
            }
            // One in thirty meets a stranger who knows the codice fiscale and guesses.
            if sim.chance_in(1, 30) {
                let at = YEAR_START + sim.between(30 * DAY, YEAR_DAYS * DAY);
                let guesses = sim.between(1, 13) as u8;
                sim.summary.stranger_attacks += 1;
                sim.push(index, at, What::Stranger { left: guesses - 1 });
            }
        }
        Ok(sim)
    }

    fn year(&mut self, progress: &mut impl FnMut(u64)) -> Result<(), Error> {
        let end = YEAR_START + YEAR_DAYS * DAY;
        let mut next_noon = YEAR_START + 12 * HOUR;
        while let Some(Reverse(entry)) = self.queue.pop() {
            if entry.at >= end {
                break;
            }
            while next_noon <= entry.at {
                self.count_phases(next_noon);
                next_noon += DAY;
                progress(self.summary.phases_by_day.len() as u64);
            }
            self.now = entry.at;
            self.step(entry)?;
        }
        while next_noon < end {
            self.count_phases(next_noon);
            next_noon += DAY;
            progress(self.summary.phases_by_day.len() as u64);
        }
        let last = Timestamp::from_second(end - 1)?;
        for agent in &self.agents {
            let phase = agent.account.status(last, &self.policy).phase();
            self.summary.phases_at_end[phase_index(phase)] += 1;
        }
        Ok(())
    }

    fn count_phases(&mut self, at: i64) {
        let Ok(now) = Timestamp::from_second(at) else {
            return;
        };
        let mut counts = [0u32; 8];
        let mut personal = 0;
        for agent in &self.agents {
            counts[phase_index(agent.account.status(now, &self.policy).phase())] += 1;
            personal += u32::from(agent.account.holds_personal_data());
        }
        self.summary.phases_by_day.push(counts);
        self.summary.personal_data_by_day.push(personal);
    }

    fn step(&mut self, entry: Entry) -> Result<(), Error> {
        let who = entry.who;
        let Some(agent) = self.agents.get_mut(who as usize) else {
            return Ok(());
        };
        match entry.what {
            What::Deadline => {
                if agent.scheduled != Some(entry.at) {
                    return Ok(());
                }
                agent.scheduled = None;
                let outcome = self.command(who, Command::Tick)?;
                if let Ok(outcome) = outcome {
                    self.after_tick(who, &outcome);
                }
            }
            What::Person { act, plan } => {
                if agent.plan != plan {
                    return Ok(());
                }
                self.act(who, act)?;
            }
            What::Stranger { left } => {
                let guess = self.random_pin(8);
                self.summary.stranger_guesses += 1;
                let command = Command::LogIn {
                    pin: EnteredPin::parse(&guess)?,
                    device: None,
                    trust_device: false,
                };
                let outcome = self.command(who, command)?;
                if let Ok(outcome) = &outcome {
                    self.owner_hears(who, outcome);
                }
                if left > 0 {
                    // Past the longest delay (10 s), so that every guess counts.
                    let at = self.now + 11 + self.between(0, 5);
                    self.push(who, at, What::Stranger { left: left - 1 });
                }
            }
        }
        Ok(())
    }

    /// Runs one command on an account, counting it and what came of it, and reschedules the
    /// account's deadline.
    fn command(&mut self, who: u32, command: Command) -> Result<Result<Outcome, Refusal>, Error> {
        let name = command.name();
        *self.summary.commands.entry(name).or_default() += 1;
        let now = Timestamp::from_second(self.now)?;
        let Some(agent) = self.agents.get_mut(who as usize) else {
            return Err("no such person".into());
        };
        let device_verified = device_token_of(&command).is_some_and(|token| {
            agent
                .account
                .trusted_devices(now, &self.policy)
                .contains(&token.device_id())
        });
        // `Account::handle` as it is written (decide, then evolve each event), so that the typed
        // PIN can be asked afterwards how many verifications it ran.
        let allocations_before = (self.allocations)();
        let started = Instant::now();
        let result = agent.account.decide(
            &command,
            &mut Context::new(now, &self.policy, &mut self.crate_rng),
        );
        if let Ok(outcome) = &result {
            for event in &outcome.events {
                agent.account.evolve(event);
            }
        }
        let handled_in = started.elapsed();
        let allocations = (self.allocations)() - allocations_before;
        self.timings.handle += handled_in;
        self.timings.handled += 1;
        let mut argon2_runs = u64::from(device_verified)
            + u64::from(entered_pin_of(&command).map_or(0, EnteredPin::verifications));
        let deadline = agent
            .account
            .poll_deadline(&self.policy)
            .map(|at| at.as_second().max(self.now));
        match &result {
            Ok(outcome) => {
                for event in &outcome.events {
                    *self.summary.events.entry(event.name()).or_default() += 1;
                    if let Event::PersonalDataErased { reason, .. } = event {
                        *self.summary.erasures.entry(reason.code()).or_default() += 1;
                    }
                    let stored = postcard::to_allocvec(event)?;
                    self.summary.event_bytes += stored.len() as u64;
                    argon2_runs += hashes_in(&stored);
                }
                for notification in outcome.notifications() {
                    *self
                        .summary
                        .notices
                        .entry(notification.about().code())
                        .or_default() += 1;
                }
                *self
                    .summary
                    .replies
                    .entry(reply_name(&outcome.reply))
                    .or_default() += 1;
            }
            Err(refusal) => *self.summary.refusals.entry(refusal.code()).or_default() += 1,
        }
        if deadline != agent.scheduled {
            agent.scheduled = deadline;
            if let Some(at) = deadline {
                self.push(who, at, What::Deadline);
            }
        }
        self.timings.argon2_runs += argon2_runs;
        let cost = self.timings.by_command.entry(name).or_default();
        cost.handled += 1;
        cost.handle += handled_in;
        cost.argon2_runs += argon2_runs;
        cost.allocations += allocations;
        if argon2_runs > 0 {
            self.time_bare_argon2(argon2_runs);
        }
        Ok(result)
    }

    /// Times `runs` bare Argon2 runs, as the crate's command just made: see
    /// [`Timings::bare_argon2_runs`].
    fn time_bare_argon2(&mut self, runs: u64) {
        let started = Instant::now();
        for run in 0..runs {
            let pin = (self.timings.bare_argon2_runs + run).to_le_bytes();
            std::hint::black_box(bare_argon2_cheap(std::hint::black_box(&pin)));
        }
        self.timings.bare_argon2 += started.elapsed();
        self.timings.bare_argon2_runs += runs;
    }

    /// What a person does with what the clock brought: a warning, a lapse.
    fn after_tick(&mut self, who: u32, outcome: &Outcome) {
        for notification in outcome.notifications() {
            match notification.about() {
                // Two in three renew within three days of the warning; the others wait to be
                // refused at a login.
                Notice::ExpiryWarning { .. } if self.chance_in(2, 3) => {
                    let at = self.now + self.between(HOUR, 3 * DAY);
                    self.plan_at(who, Act::Renew, at);
                }
                // An unused 16 lapsed: most ask again, some later.
                Notice::FirstPinLapsed { .. } if self.chance(60) => {
                    let at = self.now + self.between(3 * DAY, 40 * DAY);
                    self.plan_at(who, Act::Request, at);
                }
                _ => {}
            }
        }
    }

    /// The owner reads a notice a stranger's guesses caused: most restore soon.
    fn owner_hears(&mut self, who: u32, outcome: &Outcome) {
        let blocked = outcome
            .notifications()
            .any(|notification| matches!(notification.about(), Notice::PinBlocked));
        if blocked && self.chance(70) {
            let at = self.now + self.between(HOUR, 2 * DAY);
            self.plan_at(who, Act::Restore, at);
        }
    }

    fn act(&mut self, who: u32, act: Act) -> Result<(), Error> {
        let now = Timestamp::from_second(self.now)?;
        let Some(agent) = self.agents.get(who as usize) else {
            return Ok(());
        };
        let (pin, first, device, cf) = (
            agent.pin,
            agent.first,
            agent.device.clone(),
            agent.account.codice_fiscale(),
        );
        let role = role_of(who);
        // Nothing to type: the person makes the first access if a 16 waits, or else gives up.
        let act = match act {
            Act::LogIn | Act::Renew if pin.is_empty() => Act::FirstAccess,
            other => other,
        };
        if act == Act::FirstAccess && first.is_empty() {
            return Ok(());
        }
        let command = match act {
            Act::Request => {
                let person = person(who)?;
                let archive = Attested::vouched_for(
                    ArchiveRecord::new(person.codice_fiscale(), person.residence().clone()),
                    self.archive.clone(),
                    now,
                );
                let channel = match self.between(0, 100) {
                    0..60 => ChannelRequest::Online,
                    60..85 => ChannelRequest::ContactCenter {
                        caller_phone: if self.chance(50) {
                            PhoneKind::Mobile
                        } else {
                            PhoneKind::Landline
                        },
                    },
                    _ => ChannelRequest::Sede(SedeRequest {
                        document: self.document(now)?,
                    }),
                };
                Command::RequestPin {
                    person,
                    channel,
                    archive,
                }
            }
            Act::FirstAccess => Command::FirstAccess {
                pin: EnteredPin::parse(first.text())?,
                trust_device: device.is_none() && self.chance(40),
            },
            Act::LogIn => {
                let typo = self.chance_in(1, 30);
                let typed = if typo {
                    self.summary.owner_typos += 1;
                    mistype(pin.text())
                } else {
                    pin.text().to_owned()
                };
                let device = device.as_deref().map(DeviceToken::parse).transpose()?;
                self.summary.device_logins += u64::from(device.is_some());
                Command::LogIn {
                    pin: EnteredPin::parse(&typed)?,
                    trust_device: device.is_none() && self.chance(5),
                    device,
                }
            }
            Act::Renew => Command::RenewPin {
                pin: EnteredPin::parse(pin.text())?,
                device: device.as_deref().map(DeviceToken::parse).transpose()?,
                trust_device: false,
            },
            Act::Restore => {
                let person = person(who)?;
                match (person.email(), person.mobile()) {
                    (Some(email), Some(mobile)) => Command::Restore {
                        email: email.clone(),
                        mobile: mobile.clone(),
                    },
                    _ => return Ok(()),
                }
            }
            Act::Revoke => Command::Revoke {
                tessera: Attested::vouched_for(
                    TesseraSanitaria::new(cf, "80380000001234567890", date(2030, 12, 31))?,
                    self.register.clone(),
                    now,
                ),
            },
            Act::RequestUpgrade => Command::RequestUpgrade {
                via: if self.chance(70) {
                    UpgradeVia::Online
                } else {
                    UpgradeVia::Fax
                },
                document: Attested::vouched_for(
                    IdentityDocument::new(
                        DocumentKind::IdentityCard,
                        "CA 00000 AA",
                        date(2031, 3, 1),
                    )?,
                    self.intake.clone(),
                    now,
                ),
            },
            Act::DecideUpgrade => Command::DecideUpgrade {
                decision: if self.chance(85) {
                    UpgradeDecision::Approve
                } else {
                    UpgradeDecision::Reject(RejectionReason::new(
                        "la copia del documento non è leggibile",
                    )?)
                },
                reviewer: self.reviewer.clone(),
            },
            Act::UpgradeAtSede => Command::UpgradeAtSede {
                document: self.document(now)?,
            },
            Act::Erase => Command::Erase {
                reason: ErasureReason::PersonsRequest,
            },
        };
        let outcome = self.command(who, command)?;
        self.react(who, act, role, outcome);
        Ok(())
    }

    /// What the person does next, after the reply to `act`.
    fn react(&mut self, who: u32, act: Act, role: Role, result: Result<Outcome, Refusal>) {
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(refusal) => {
                let next = match refusal {
                    // An expired PIN: nine in ten renew with the guided procedure at once.
                    Refusal::PinExpired { .. } if self.chance(90) => {
                        Some((Act::Renew, self.between(MINUTE, 10 * MINUTE)))
                    }
                    Refusal::PinExpired { .. } => None,
                    Refusal::PinBlocked => Some((Act::Restore, self.between(MINUTE, DAY))),
                    Refusal::LoginDelayed { .. } => Some((Act::LogIn, self.between(15, 60))),
                    Refusal::FirstAccessRequired if !self.agent(who).first.is_empty() => {
                        Some((Act::FirstAccess, self.between(MINUTE, HOUR)))
                    }
                    Refusal::NoPin | Refusal::FirstPinLapsed { .. } => {
                        Some((Act::Request, self.between(DAY, 30 * DAY)))
                    }
                    _ if act == Act::Renew => None,
                    _ => Some((Act::LogIn, self.login_gap(role))),
                };
                if let Some((act, after)) = next {
                    self.plan_at(who, act, self.now + after);
                }
                return;
            }
        };
        self.owner_hears(who, &outcome);
        let agent = self.agent_mut(who);
        let first = delivered(&outcome, PinPart::WholeFirstPin).or_else(|| {
            Some(
                delivered(&outcome, PinPart::FirstHalf)?
                    + &delivered(&outcome, PinPart::SecondHalf)?,
            )
        });
        if let Some(first) = first {
            agent.first = Remembered::of(&first);
        }
        if let Some(pin) = delivered(&outcome, PinPart::Pin) {
            agent.pin = Remembered::of(&pin);
            agent.first = Remembered::default();
        }
        if let Some(token) = &outcome.trusted_device {
            agent.device = Some(token.expose().into());
        }
        match &outcome.reply {
            // One in twelve never makes the first access: the 16 lapses.
            Reply::PinIssued { channel, .. } if self.chance_in(11, 12) => {
                let wait = match channel {
                    inps_pin::Channel::Sede => self.between(10 * MINUTE, 2 * DAY),
                    // The second half comes by post.
                    _ => self.between(4 * DAY, 25 * DAY),
                };
                self.plan_at(who, Act::FirstAccess, self.now + wait);
            }
            Reply::PinRestored { .. } => {
                let wait = self.between(5 * MINUTE, DAY);
                self.plan_at(who, Act::FirstAccess, self.now + wait);
            }
            // The 16 the person was sent does not open the account: they give up (and call
            // the Contact Center, which is beyond this simulation). It should never happen;
            // the summary counts it.
            Reply::LoginFailed(_) if act == Act::FirstAccess => {
                self.summary.first_access_failures += 1;
            }
            // A lane a stranger closed reads as a wrong PIN too (R30a), whose message says to
            // try again in a few seconds and to restore if it keeps failing: the simulation
            // takes what operators see for what the person finds out by trying again.
            Reply::LoginFailed(_)
                if outcome.failure.as_ref().and_then(|failure| failure.closed)
                    == Some(LaneClosed::Blocked) =>
            {
                let wait = self.between(MINUTE, DAY);
                self.plan_at(who, Act::Restore, self.now + wait);
            }
            Reply::LoginFailed(_)
                if outcome
                    .failure
                    .as_ref()
                    .is_some_and(|failure| failure.closed.is_some()) =>
            {
                let wait = self.between(15, 60);
                self.plan_at(who, Act::LogIn, self.now + wait);
            }
            Reply::LoginFailed(_) => {
                // The owner's typo: typed again, right, within two minutes.
                let wait = self.between(20, 120);
                self.plan_at(who, Act::LogIn, self.now + wait);
            }
            Reply::LoggedIn(session) => {
                let ordinary = session.level() == AssuranceLevel::Ordinary;
                let roll = self.between(0, 1000);
                let (next, after) = match roll {
                    0..4 => (Act::Restore, self.between(HOUR, 5 * DAY)),
                    4..6 => (Act::Revoke, self.between(DAY, 20 * DAY)),
                    6..26 if ordinary => (Act::RequestUpgrade, self.between(HOUR, 3 * DAY)),
                    26..31 if ordinary => (Act::UpgradeAtSede, self.between(DAY, 10 * DAY)),
                    _ => (Act::LogIn, self.login_gap(role)),
                };
                self.plan_at(who, next, self.now + after);
            }
            Reply::UpgradeRequested => {
                let wait = self.between(2 * DAY, 10 * DAY);
                self.plan_at(who, Act::DecideUpgrade, self.now + wait);
            }
            Reply::PinRevoked => {
                self.agent_mut(who).pin = Remembered::default();
                if self.chance(60) {
                    let wait = self.between(10 * DAY, 60 * DAY);
                    self.plan_at(who, Act::Request, self.now + wait);
                } else if self.chance(25) {
                    // Done with the service: some ask for their data to be erased at once
                    // rather than wait for the retention period.
                    let wait = self.between(HOUR, 30 * DAY);
                    self.plan_at(who, Act::Erase, self.now + wait);
                }
            }
            Reply::FirstAccessCompleted(_)
            | Reply::PinRenewed(_)
            | Reply::UpgradeDecided { .. }
            | Reply::TimeApplied => {
                let wait = self.login_gap(role);
                self.plan_at(who, Act::LogIn, self.now + wait);
            }
            _ => {}
        }
    }

    fn agent(&self, who: u32) -> &Agent {
        &self.agents[who as usize]
    }

    fn agent_mut(&mut self, who: u32) -> &mut Agent {
        &mut self.agents[who as usize]
    }

    /// Seconds to the next login: citizens about every three weeks, intermediaries about every
    /// three days.
    fn login_gap(&mut self, role: Role) -> i64 {
        let mean = match role {
            Role::Citizen => 21 * DAY,
            Role::Intermediary => 3 * DAY,
        };
        // Exponential, from a uniform draw in (0, 1].
        let uniform = (self.world.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let gap = -(1.0 - uniform).ln() * mean as f64;
        (gap as i64).clamp(MINUTE, 200 * DAY)
    }

    /// The person's next action: replaces whatever was planned.
    fn plan_at(&mut self, who: u32, act: Act, at: i64) {
        let agent = self.agent_mut(who);
        agent.plan = agent.plan.wrapping_add(1);
        let plan = agent.plan;
        self.push(who, at, What::Person { act, plan });
    }

    fn push(&mut self, who: u32, at: i64, what: What) {
        self.seq += 1;
        self.queue.push(Reverse(Entry {
            at,
            seq: self.seq,
            who,
            what,
        }));
    }

    fn document(&self, now: Timestamp) -> Result<Attested<IdentityDocument>, Error> {
        Ok(Attested::vouched_for(
            IdentityDocument::new(DocumentKind::IdentityCard, "CA 00000 AA", date(2031, 3, 1))?,
            self.counter.clone(),
            now,
        ))
    }

    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.world.next_u64() % (high - low) as u64) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.world.next_u64() % 100 < percent
    }

    fn chance_in(&mut self, numerator: u64, denominator: u64) -> bool {
        self.world.next_u64() % denominator < numerator
    }

    fn random_pin(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(PIN_ALPHABET[(self.world.next_u64() % 32) as usize]))
            .collect()
    }
}

/// The index of a phase in [`PHASES`].
pub fn phase_index(phase: Phase) -> usize {
    PHASES.iter().position(|p| *p == phase).unwrap_or(0)
}

fn reply_name(reply: &Reply) -> &'static str {
    match reply {
        Reply::PinIssued { .. } => "pin_issued",
        Reply::FirstAccessCompleted(_) => "first_access_completed",
        Reply::LoggedIn(_) => "logged_in",
        Reply::LoginFailed(_) => "login_failed",
        Reply::PinRenewed(_) => "pin_renewed",
        Reply::UpgradeRequested => "upgrade_requested",
        Reply::UpgradeDecided { approved: true } => "upgrade_approved",
        Reply::UpgradeDecided { approved: false } => "upgrade_rejected",
        Reply::PinRestored { .. } => "pin_restored",
        Reply::PinRevoked => "pin_revoked",
        Reply::TimeApplied => "time_applied",
        Reply::PersonalDataErased { .. } => "personal_data_erased",
        _ => "other",
    }
}

/// The code of a part delivered in `outcome`, if one was.
fn delivered(outcome: &Outcome, part: PinPart) -> Option<String> {
    outcome
        .deliveries()
        .find(|delivery| delivery.part() == part)
        .and_then(|delivery| delivery.secret())
        .map(|secret| secret.expose().to_owned())
}

/// The PIN with its last character changed: a typo.
fn mistype(pin: &str) -> String {
    let mut typed: Vec<u8> = pin.bytes().collect();
    if let Some(last) = typed.last_mut() {
        let at = PIN_ALPHABET.iter().position(|c| c == last).unwrap_or(0);
        *last = PIN_ALPHABET[(at + 1) % PIN_ALPHABET.len()];
    }
    String::from_utf8(typed).unwrap_or_default()
}

/// Person number `index`: a codice fiscale unique to the index, a residence, e-mail and mobile.
pub fn person(index: u32) -> Result<Person, Error> {
    const NAMES: [&str; 8] = [
        "Mario",
        "Giulia",
        "Luca",
        "Francesca",
        "Marco",
        "Chiara",
        "Andrea",
        "Sara",
    ];
    const SURNAMES: [&str; 8] = [
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
    ];
    let name = NAMES[index as usize % NAMES.len()];
    let surname = SURNAMES[index as usize / NAMES.len() % SURNAMES.len()];
    Ok(Person::new(
        PersonName::parse(name)?,
        PersonName::parse(surname)?,
        codice_fiscale(index)?,
        role_of(index),
        Address::new("Via Roma 1", "00184", "Roma", "RM")?,
    )
    .with_email(Email::parse(&format!("persona{index}@example.it"))?)
    .with_mobile(MobileNumber::parse(&format!("+39 3{:09}", index))?))
}

/// A valid codice fiscale unique to `index` (below 26^6): the letters spell the index.
pub fn codice_fiscale(index: u32) -> Result<CodiceFiscale, Error> {
    const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
    let mut body = String::with_capacity(16);
    let mut rest = index;
    for _ in 0..6 {
        body.push(char::from(b'A' + (rest % 26) as u8));
        rest /= 26;
    }
    let year = 40 + index % 60;
    let month = char::from(MONTHS[(index % 12) as usize]);
    // Women's days count from 41.
    let day = 1 + index % 28 + if index % 2 == 0 { 0 } else { 40 };
    write!(body, "{year:02}{month}{day:02}H501")?;
    body.push(check_character(&body));
    Ok(CodiceFiscale::parse(&body)?)
}

/// The check character of a codice fiscale's first 15 characters (the published tables).
fn check_character(body: &str) -> char {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let value = if b.is_ascii_digit() {
                b - b'0'
            } else {
                b - b'A'
            };
            if i % 2 == 0 {
                ODD[usize::from(value)]
            } else {
                u32::from(value)
            }
        })
        .sum();
    char::from(b'A' + (sum % 26) as u8)
}

/// The summary as text: the part of the output that is the same for the same seed.
pub fn summary_text(summary: &Summary) -> String {
    let mut out = String::new();
    let people = u64::from(summary.people);
    let _ = writeln!(
        out,
        "Population: {} people ({} citizens, {} intermediaries), seed {}, \
         one year from 2026-01-01 (Europe/Rome), hash cost CHEAP",
        summary.people, summary.citizens, summary.intermediaries, summary.seed
    );
    let _ = writeln!(out, "\nPhases at the end of the year");
    for (phase, count) in PHASES.iter().zip(summary.phases_at_end) {
        let _ = writeln!(
            out,
            "  {:<40} {:>9} {:>6.1} %",
            phase.label(),
            count,
            percent(count, people)
        );
    }
    let _ = writeln!(
        out,
        "  {:<40} {:>9}",
        "total",
        summary.phases_at_end.iter().sum::<u64>()
    );
    let reached: Vec<String> = PHASES
        .iter()
        .enumerate()
        .filter(|(i, _)| summary.phases_by_day.iter().any(|day| day[*i] > 0))
        .map(|(_, phase)| phase.label().to_owned())
        .collect();
    let _ = writeln!(out, "  reached on some day: {}", reached.join(", "));
    for (title, counts) in [
        ("Commands over the year", &summary.commands),
        ("Replies", &summary.replies),
        ("Refusals", &summary.refusals),
        ("Events", &summary.events),
        ("Notices to the person", &summary.notices),
    ] {
        let total: u64 = counts.values().sum();
        let _ = writeln!(out, "\n{title}: {total}");
        for (name, count) in counts {
            let _ = writeln!(out, "  {name:<40} {count:>9}");
        }
    }
    let _ = writeln!(out, "\nPeople and strangers");
    for (what, count) in [
        ("owners' wrong PINs (typos)", summary.owner_typos),
        ("logins from a trusted device", summary.device_logins),
        (
            "first accesses refused with the 16 sent",
            summary.first_access_failures,
        ),
        ("strangers who guessed", summary.stranger_attacks),
        ("strangers' guesses", summary.stranger_guesses),
    ] {
        let _ = writeln!(out, "  {what:<40} {count:>9}");
    }
    let erased: u64 = summary.erasures.values().sum();
    let _ = writeln!(
        out,
        "\nPersonal data (R36, kept {RETENTION_DAYS} days after the last live PIN)"
    );
    for (reason, count) in &summary.erasures {
        let _ = writeln!(out, "  {:<40} {count:>9}", format!("erased: {reason}"));
    }
    let _ = writeln!(out, "  {:<40} {erased:>9}", "erased over the year");
    let held_at_end = summary.personal_data_by_day.last().copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "  {:<40} {:>9} {:>6.1} %",
        "accounts holding it at the end",
        held_at_end,
        percent(u64::from(held_at_end), people)
    );
    let events: u64 = summary.events.values().sum();
    let _ = writeln!(out, "\nPer account");
    let _ = writeln!(
        out,
        "  {:<40} {:>9.2}",
        "events",
        events as f64 / people.max(1) as f64
    );
    let _ = writeln!(
        out,
        "  {:<40} {:>9.1}",
        "bytes of events (postcard)",
        summary.event_bytes as f64 / people.max(1) as f64
    );
    let _ = writeln!(
        out,
        "  {:<40} {:>9.1}",
        "bytes of the account (postcard)",
        summary.account_bytes as f64 / people.max(1) as f64
    );
    out
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// A stacked area chart of the phases day by day, as SVG text, drawn with plotters (the SVG
/// backend criterion already compiles). The legend has a panel of its own beside the plot,
/// sized for its longest line, so that no label runs past the edge.
pub fn svg_chart(summary: &Summary) -> Result<String, Error> {
    use plotters::prelude::*;

    const COLOURS: [RGBColor; 8] = [
        RGBColor(0xd9, 0xd9, 0xd9),
        RGBColor(0x9e, 0xca, 0xe1),
        RGBColor(0xfd, 0xae, 0x6b),
        RGBColor(0x31, 0xa3, 0x54),
        RGBColor(0xff, 0xd9, 0x2f),
        RGBColor(0xe6, 0x55, 0x0d),
        RGBColor(0xde, 0x2d, 0x26),
        RGBColor(0x63, 0x63, 0x63),
    ];
    const MONTH_STARTS: [i32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const FONT: u32 = 14;
    const PLOT_WIDTH: u32 = 760;
    const HEIGHT: u32 = 560;

    let labels: Vec<String> = PHASES
        .iter()
        .zip(summary.phases_at_end)
        .map(|(phase, count)| format!("{} ({count} at the end)", phase.label()))
        .collect();
    let erased: u64 = summary.erasures.values().sum();
    let personal_label = format!(
        "holding personal data ({} at the end; {erased} erased)",
        summary.personal_data_by_day.last().copied().unwrap_or(0)
    );
    // Wide enough for the longest label in any sans-serif font: plotters writes a font of
    // size 14 as 11.3 px, whose letters average well under 7 px, half the size.
    let longest = labels
        .iter()
        .chain(std::iter::once(&personal_label))
        .map(|label| label.chars().count())
        .max()
        .unwrap_or(0);
    let legend_width = 50 + (longest as f64 * f64::from(FONT) * 0.5).ceil() as u32;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (PLOT_WIDTH + legend_width, HEIGHT))
            .into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_horizontally(PLOT_WIDTH);
        let days = summary.phases_by_day.len().max(2) as i32;
        let people = f64::from(summary.people.max(1));
        let mut chart = ChartBuilder::on(&plot)
            .caption(
                format!(
                    "Phases of {} PINs through 2026 (seed {}), accounts at noon each day",
                    summary.people, summary.seed
                ),
                ("sans-serif", 17),
            )
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d(
                (0..days - 1).with_key_points(MONTH_STARTS.to_vec()),
                0.0..people,
            )?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|day| {
                MONTH_STARTS
                    .iter()
                    .position(|start| start == day)
                    .and_then(|month| MONTHS.get(month))
                    .map_or_else(String::new, |name| (*name).to_owned())
            })
            .y_labels(6)
            .y_label_formatter(&|count| format!("{count:.0}"))
            .label_style(("sans-serif", FONT))
            .draw()?;

        // Each phase's band lies on the bands of the phases before it.
        let mut below = vec![0.0f64; summary.phases_by_day.len()];
        for (phase, colour) in COLOURS.iter().enumerate() {
            if summary.phases_by_day.iter().all(|day| day[phase] == 0) {
                continue;
            }
            let above: Vec<f64> = below
                .iter()
                .zip(&summary.phases_by_day)
                .map(|(b, day)| b + f64::from(day[phase]))
                .collect();
            let outline: Vec<(i32, f64)> = (0i32..)
                .zip(above.iter().copied())
                .chain(
                    (0i32..)
                        .zip(below.iter().copied())
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev(),
                )
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(outline, colour.filled())))?;
            below = above;
        }
        // Over the bands, the accounts that hold personal data (R36): erasures take it down.
        chart.draw_series(LineSeries::new(
            (0i32..).zip(summary.personal_data_by_day.iter().map(|n| f64::from(*n))),
            BLACK.stroke_width(2),
        ))?;

        // The legend, one line a phase, in its own panel.
        for (row, (label, colour)) in labels.iter().zip(COLOURS).enumerate() {
            let top = 60 + 28 * row as i32;
            legend.draw(&Rectangle::new(
                [(12, top), (28, top + 16)],
                colour.filled(),
            ))?;
            legend.draw(&Rectangle::new([(12, top), (28, top + 16)], BLACK))?;
            legend.draw(&Text::new(
                label.clone(),
                (38, top + 1),
                ("sans-serif", FONT).into_font(),
            ))?;
        }
        let top = 60 + 28 * labels.len() as i32;
        legend.draw(&PathElement::new(
            [(12, top + 8), (28, top + 8)],
            BLACK.stroke_width(2),
        ))?;
        legend.draw(&Text::new(
            personal_label,
            (38, top + 1),
            ("sans-serif", FONT).into_font(),
        ))?;
        root.present()?;
    }
    Ok(svg)
}
