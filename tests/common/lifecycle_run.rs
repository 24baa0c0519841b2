//! The abstract run of a whole life of an account, every command included, that the lifecycle
//! properties play (`tests/properties_refusal_replay.rs`, `properties_live_pin.rs`,
//! `properties_deadlines.rs`, `properties_lockout.rs`, `properties_leaks.rs`,
//! `properties_counterexamples.rs`; `properties_expiry.rs` uses its fixtures).
//!
//! The approach is the one of `tests/properties.rs`: a run is a random list of abstract steps
//! (wait, then act) played against one account of Mario Rossi (RSSMRA80A01H501U). A step names
//! what is typed ("the right 8", "a wrong 16", "a stranger's random 8") and the run learns the
//! real characters only from the deliveries of the outcomes before, so runs replay and shrink
//! like any proptest value. Waits go from 0 s to about 200 days, and some land exactly on
//! `poll_deadline` or one nanosecond before it. The policy is the default one or the INPS
//! sunset of 2020–2021 (with runs that start in 2020), always with the cheap hash cost.
//!
//! The stateful properties run through a `TestRunner` held by the test
//! ([`check_property`](super::scenario::check_property)), which adds up what the runs reached
//! (per command: accepted and refused; refusal codes; reply kinds) and asserts that every
//! command kind was both accepted and refused, so a generator gone blind fails the test instead
//! of passing vacuously. A deterministic companion sequence reaches the same spread.

use inps_pin::{
    Account, Attested, ChannelRequest, Command, Email, Event, IdentityDocument, LaneClosed,
    MobileNumber, Outcome, PIN_ALPHABET, Person, PhoneKind, PinPart, PinStatus, Policy, Refusal,
    RejectionReason, Reply, Role, SunsetExemption, TesseraSanitaria, UpgradeDecision, UpgradeVia,
};
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp, ToSpan};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand_chacha::ChaCha20Rng;

use super::scenario::*;
use super::*;

// ---------------------------------------------------------------------------------------------
// The abstract run
// ---------------------------------------------------------------------------------------------

/// The rules in force for a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// The system the sources describe: no sunset. Runs start at `t0()` (2026).
    Default,
    /// INPS's sunset (no new PINs from 1 October 2020, none works from 1 October 2021). Runs
    /// start in 2020.
    Sunset,
}

/// Who asks for a PIN on Mario's account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicant {
    /// Mario with e-mail, mobile and landline.
    Owner,
    /// Mario with his residence only: no contacts, so no restore.
    OwnerNoContacts,
    /// Mario with all contacts, declaring a sunset exemption (R22a).
    OwnerExempt,
    /// Emanuele Ricci, RCCMNL83S18D969H: another person's codice fiscale.
    Other,
}

impl Applicant {
    pub fn is_owner(self) -> bool {
        self != Applicant::Other
    }
}

/// Through which channel, with which document at a sede.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Online,
    ContactCenterLandline,
    ContactCenterMobile,
    SedeValidDocument,
    SedeExpiredDocument,
}

/// What the person types, from the codes delivered before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// The 16 of the last request or restore.
    Right16,
    /// That 16 with its last character changed.
    Wrong16,
    /// The 8 of the last first access or renewal.
    Right8,
    /// That 8 with its last character changed.
    Wrong8,
    /// The first 8 of the last 16.
    FirstHalf,
}

/// The contacts given for a restore.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contacts {
    /// Mario's e-mail and mobile, as the owner registers them.
    Registered,
    WrongEmail,
    WrongMobile,
}

/// The tessera sanitaria shown for a revocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Card {
    Own,
    OwnExpired,
    Others,
    OthersExpired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    Valid,
    Expired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Request(Applicant, Via),
    FirstAccess(Entry),
    LogIn(Entry),
    Renew(Entry),
    RequestUpgrade(UpgradeVia, Document),
    DecideUpgrade(Decision),
    UpgradeAtSede(Document),
    Restore(Contacts),
    Revoke(Card),
    Tick,
    /// Someone who does not know the PIN logs in with 8 random characters of the alphabet.
    Stranger([u8; 8]),
}

impl Act {
    /// The name the tally counts it under: the command's, or "stranger".
    pub fn name(self) -> &'static str {
        match self {
            Act::Request(..) => "request_pin",
            Act::FirstAccess(_) => "first_access",
            Act::LogIn(_) => "log_in",
            Act::Renew(_) => "renew_pin",
            Act::RequestUpgrade(..) => "request_upgrade",
            Act::DecideUpgrade(_) => "decide_upgrade",
            Act::UpgradeAtSede(_) => "upgrade_at_sede",
            Act::Restore(_) => "restore",
            Act::Revoke(_) => "revoke",
            Act::Tick => "tick",
            Act::Stranger(_) => "stranger",
        }
    }
}

/// How far the clock moves before the act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Seconds, 0 to 200 days' worth.
    Seconds(u32),
    /// Calendar days in Rome, 0 to 200.
    RomeDays(u8),
    /// To the account's `poll_deadline`, if it is ahead (else no wait).
    ToDeadline,
    /// To one nanosecond before it, if that is ahead.
    JustBeforeDeadline,
}

#[derive(Clone, Debug)]
pub struct Scenario {
    /// Seeds the generator handed to every command.
    pub seed: u64,
    pub policy: PolicyKind,
    /// Mario's role in every request of the run.
    pub role: Role,
    /// For a sunset run, seconds after 2020-01-01T00:00:00Z at which it starts.
    pub start_offset: u32,
    pub steps: Vec<(Wait, Act)>,
}

pub const DAY: u32 = 86_400;
pub const MAX_WAIT_SECONDS: u32 = 200 * DAY;

pub fn wait_strategy() -> impl Strategy<Value = Wait> {
    prop_oneof![
        3 => Just(Wait::Seconds(0)),
        3 => (0..=60u32).prop_map(Wait::Seconds),
        3 => (0..=DAY).prop_map(Wait::Seconds),
        1 => (0..=MAX_WAIT_SECONDS).prop_map(Wait::Seconds),
        1 => (0..=200u8).prop_map(Wait::RomeDays),
        4 => Just(Wait::ToDeadline),
        2 => Just(Wait::JustBeforeDeadline),
    ]
}

pub fn applicant_strategy() -> impl Strategy<Value = Applicant> {
    prop_oneof![
        4 => Just(Applicant::Owner),
        1 => Just(Applicant::OwnerNoContacts),
        2 => Just(Applicant::OwnerExempt),
        1 => Just(Applicant::Other),
    ]
}

pub fn via_strategy() -> impl Strategy<Value = Via> {
    prop_oneof![
        3 => Just(Via::Online),
        1 => Just(Via::ContactCenterLandline),
        1 => Just(Via::ContactCenterMobile),
        1 => Just(Via::SedeValidDocument),
        1 => Just(Via::SedeExpiredDocument),
    ]
}

pub fn document_strategy() -> impl Strategy<Value = Document> {
    prop_oneof![4 => Just(Document::Valid), 1 => Just(Document::Expired)]
}

pub fn act_strategy() -> impl Strategy<Value = Act> {
    let first_access = prop_oneof![
        5 => Just(Entry::Right16),
        1 => Just(Entry::Wrong16),
        1 => Just(Entry::FirstHalf),
    ];
    let login = prop_oneof![
        5 => Just(Entry::Right8),
        1 => Just(Entry::Wrong8),
        1 => Just(Entry::Right16),
        1 => Just(Entry::FirstHalf),
    ];
    let renew = prop_oneof![
        5 => Just(Entry::Right8),
        1 => Just(Entry::Wrong8),
        1 => Just(Entry::Right16),
    ];
    let via = prop_oneof![Just(UpgradeVia::Online), Just(UpgradeVia::Fax)];
    let decision = prop_oneof![3 => Just(Decision::Approve), 2 => Just(Decision::Reject)];
    let contacts = prop_oneof![
        4 => Just(Contacts::Registered),
        1 => Just(Contacts::WrongEmail),
        1 => Just(Contacts::WrongMobile),
    ];
    let card = prop_oneof![
        4 => Just(Card::Own),
        1 => Just(Card::OwnExpired),
        1 => Just(Card::Others),
        1 => Just(Card::OthersExpired),
    ];
    prop_oneof![
        5 => (applicant_strategy(), via_strategy()).prop_map(|(who, via)| Act::Request(who, via)),
        5 => first_access.prop_map(Act::FirstAccess),
        5 => login.prop_map(Act::LogIn),
        3 => renew.prop_map(Act::Renew),
        2 => (via, document_strategy()).prop_map(|(via, doc)| Act::RequestUpgrade(via, doc)),
        2 => decision.prop_map(Act::DecideUpgrade),
        2 => document_strategy().prop_map(Act::UpgradeAtSede),
        3 => contacts.prop_map(Act::Restore),
        3 => card.prop_map(Act::Revoke),
        4 => Just(Act::Tick),
        3 => stranger_strategy(),
    ]
}

pub fn role_strategy() -> impl Strategy<Value = Role> {
    prop_oneof![3 => Just(Role::Citizen), 1 => Just(Role::Intermediary)]
}

pub fn policy_kind_strategy() -> impl Strategy<Value = PolicyKind> {
    prop_oneof![Just(PolicyKind::Default), Just(PolicyKind::Sunset)]
}

pub fn stranger_strategy() -> impl Strategy<Value = Act> {
    prop::array::uniform8(0..PIN_ALPHABET.len() as u8).prop_map(Act::Stranger)
}

/// A few steps that belong together, so that the runs reach the far states as well as the
/// near ones: mostly one random step, sometimes a burst of a stranger's guesses spaced to beat
/// the delays (towards a block), a fresh PIN and its first access, a renewal at the warning,
/// or an upgrade request and its decision. The steps stay plain `(Wait, Act)` pairs.
pub fn segment_strategy() -> impl Strategy<Value = Vec<(Wait, Act)>> {
    let seconds = |range: std::ops::RangeInclusive<u32>| range.prop_map(Wait::Seconds);
    let fresh_pin = (
        wait_strategy(),
        prop_oneof![Just(Applicant::Owner), Just(Applicant::OwnerExempt)],
        via_strategy(),
        seconds(0..=7 * DAY),
        prop_oneof![
            Just(None),
            Just(Some(Act::LogIn(Entry::Right8))),
            Just(Some(Act::Renew(Entry::Right8))),
        ],
    )
        .prop_map(|(wait, who, via, later, then)| {
            let mut steps = vec![
                (wait, Act::Request(who, via)),
                (later, Act::FirstAccess(Entry::Right16)),
            ];
            steps.extend(then.map(|act| (Wait::Seconds(60), act)));
            steps
        });
    let burst = prop::collection::vec((seconds(10..=12), stranger_strategy()), 5..=12);
    let clock = (
        prop_oneof![Just(Wait::ToDeadline), Just(Wait::JustBeforeDeadline)],
        1..=3usize,
        seconds(0..=3 * DAY),
        prop_oneof![
            3 => Just(Act::Renew(Entry::Right8)),
            1 => Just(Act::LogIn(Entry::Right8)),
        ],
    )
        .prop_map(|(wait, ticks, later, act)| {
            let mut steps = vec![(wait, Act::Tick)];
            steps.extend((1..ticks).map(|_| (Wait::ToDeadline, Act::Tick)));
            steps.push((later, act));
            steps
        });
    let upgrade = (
        seconds(0..=DAY),
        prop_oneof![
            2 => Just(Act::RequestUpgrade(UpgradeVia::Online, Document::Valid)),
            1 => Just(Act::RequestUpgrade(UpgradeVia::Fax, Document::Valid)),
            1 => Just(Act::UpgradeAtSede(Document::Valid)),
        ],
        any::<bool>(),
        seconds(0..=30 * DAY),
        prop_oneof![Just(Decision::Approve), Just(Decision::Reject)],
    )
        .prop_map(|(wait, first, again, later, decision)| {
            let mut steps = vec![(wait, first)];
            if again {
                steps.push((Wait::Seconds(60), first));
            }
            steps.push((later, Act::DecideUpgrade(decision)));
            steps
        });
    prop_oneof![
        16 => (wait_strategy(), act_strategy()).prop_map(|step| vec![step]),
        2 => fresh_pin,
        2 => burst,
        3 => clock,
        3 => upgrade,
    ]
}

pub fn scenario_strategy() -> impl Strategy<Value = Scenario> {
    (
        any::<u64>(),
        policy_kind_strategy(),
        role_strategy(),
        0..366 * DAY,
        prop::collection::vec(segment_strategy(), 1..40),
    )
        .prop_map(|(seed, policy, role, start_offset, segments)| Scenario {
            seed,
            policy,
            role,
            start_offset,
            steps: segments.into_iter().flatten().collect(),
        })
}

// ---------------------------------------------------------------------------------------------
// Fixtures of this file
// ---------------------------------------------------------------------------------------------

/// Mario, in `role`, with e-mail and mobile: the contacts a restore needs.
pub fn owner(role: Role) -> Person {
    bare_person_as(role)
        .with_email(mario_email())
        .with_mobile(mario_mobile())
}

pub fn applicant(who: Applicant, role: Role) -> Person {
    match who {
        Applicant::Owner => owner(role),
        Applicant::OwnerNoContacts => bare_person_as(role),
        Applicant::OwnerExempt => {
            owner(role).with_sunset_exemption(SunsetExemption::LegalProtection)
        }
        Applicant::Other => other_person(),
    }
}

/// Valid through 2099, or expired at the end of 2019: before every run of this file.
pub fn expiry(valid: bool) -> Date {
    if valid {
        date(2099, 12, 31)
    } else {
        date(2019, 12, 31)
    }
}

pub fn document(valid: bool) -> IdentityDocument {
    identity_card(expiry(valid))
}

pub fn channel(via: Via) -> ChannelRequest {
    match via {
        Via::Online => ChannelRequest::Online,
        Via::ContactCenterLandline => contact_center(PhoneKind::Landline),
        Via::ContactCenterMobile => contact_center(PhoneKind::Mobile),
        Via::SedeValidDocument => sede_with(document(true)),
        Via::SedeExpiredDocument => sede_with(document(false)),
    }
}

/// The card shown, as the register check vouches for it (R35).
pub fn tessera(card: Card) -> Attested<TesseraSanitaria> {
    let (cf, valid) = match card {
        Card::Own => (mario_cf(), true),
        Card::OwnExpired => (mario_cf(), false),
        Card::Others => (other_person().codice_fiscale(), true),
        Card::OthersExpired => (other_person().codice_fiscale(), false),
    };
    register_checked(TesseraSanitaria::new(cf, "8038 0000 0012 3456 7890", expiry(valid)).unwrap())
}

pub fn restore_command(contacts: Contacts) -> Command {
    let (email, mobile) = match contacts {
        Contacts::Registered => (mario_email(), mario_mobile()),
        Contacts::WrongEmail => (Email::parse("m.rossi@example.org").unwrap(), mario_mobile()),
        Contacts::WrongMobile => (
            mario_email(),
            MobileNumber::parse("+39 320 000 1111").unwrap(),
        ),
    };
    Command::Restore { email, mobile }
}

/// A new account of Mario with a PIN `person` requested online at `requested_at`, and its
/// first access at `first_access_at`; returns the account and the 8 shown on screen.
pub fn activated(
    person: Person,
    requested_at: Timestamp,
    first_access_at: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> (Account, String) {
    let mut account = Account::new(mario_cf());
    let issued = request(
        &mut account,
        person,
        ChannelRequest::Online,
        requested_at,
        policy,
        rng,
    );
    let whole = entered(&whole_code(&issued));
    let done = first_access(&mut account, whole, first_access_at, policy, rng);
    (account, code_of(&done, PinPart::Pin))
}

pub fn policy_of(kind: PolicyKind) -> Policy {
    match kind {
        PolicyKind::Default => policy(),
        PolicyKind::Sunset => sunset_policy(),
    }
}

pub fn start_of_2020() -> Timestamp {
    at("2020-01-01T00:00:00Z")
}

pub fn start_of(kind: PolicyKind, offset: u32) -> Timestamp {
    match kind {
        PolicyKind::Default => t0(),
        PolicyKind::Sunset => start_of_2020() + SignedDuration::from_secs(i64::from(offset)),
    }
}

pub fn plus_rome_months(now: Timestamp, months: i64) -> Timestamp {
    now.to_zoned_datetime(inps_pin::rome_time_zone())
        .checked_add(months.months())
        .unwrap()
        .timestamp()
}

/// The clock after `wait`, from `now`, for an account whose next deadline is `deadline`.
pub fn advance(now: Timestamp, wait: Wait, deadline: Option<Timestamp>) -> Timestamp {
    match wait {
        Wait::Seconds(seconds) => now + SignedDuration::from_secs(i64::from(seconds)),
        Wait::RomeDays(days) => plus_rome_days(now, i64::from(days)),
        Wait::ToDeadline => forward_to(now, deadline),
        Wait::JustBeforeDeadline => forward_to_just_before(now, deadline),
    }
}

/// The code of these characters of the alphabet (each index taken modulo its length).
pub fn alphabet_code(indices: &[u8]) -> String {
    indices
        .iter()
        .map(|&i| char::from(PIN_ALPHABET[usize::from(i) % PIN_ALPHABET.len()]))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What runs reach
// ---------------------------------------------------------------------------------------------

/// The key of an event: its name, and for a wrong PIN that blocks, `event:login_failed_blocking`
/// (one event per guess, the blocking one too).
pub fn event_key(event: &Event) -> String {
    match event {
        Event::LoginFailed { blocks: true, .. } => "event:login_failed_blocking".to_owned(),
        other => format!("event:{}", other.name()),
    }
}

/// The tally key of a refusal: its code, which is all a refusal tells (a live PIN's state is
/// not told, R30a).
pub fn refusal_key(refusal: &Refusal) -> String {
    format!("refused:{}", refusal.code())
}

/// The keys a step adds: per command, accepted or refused (a tick: with events or not); the
/// reply or refusal.
pub fn step_keys(act: Act, result: &Result<Outcome, Refusal>) -> Vec<String> {
    let name = act.name();
    match result {
        Ok(outcome) => {
            let mut keys = vec![
                "accepted".to_owned(),
                format!("{name}:accepted"),
                reply_key(&outcome.reply),
                format!("{name}:{}", reply_key(&outcome.reply)),
            ];
            if act == Act::Tick {
                let due = if outcome.events.is_empty() {
                    "tick:no_op"
                } else {
                    "tick:due"
                };
                keys.push(due.to_owned());
            }
            keys.extend(outcome.events.iter().map(event_key));
            // A guess a closed lane turned away reads as a wrong PIN (R30a); operators see why.
            match outcome.failure.as_ref().and_then(|failure| failure.closed) {
                Some(LaneClosed::Delayed { .. }) => {
                    keys.push("failure:turned_away_delayed".to_owned())
                }
                Some(LaneClosed::Blocked) => keys.push("failure:turned_away_blocked".to_owned()),
                _ => {}
            }
            keys
        }
        Err(refusal) => vec![
            "refused".to_owned(),
            format!("{name}:refused"),
            refusal_key(refusal),
        ],
    }
}

// ---------------------------------------------------------------------------------------------
// Playing a run
// ---------------------------------------------------------------------------------------------

/// One step as the properties see it.
pub struct Step<'a> {
    pub index: usize,
    pub act: Act,
    pub now: Timestamp,
    pub policy: &'a Policy,
    /// What was typed, if anything.
    pub typed: Option<String>,
    /// The command's `Debug`, alternate `Debug` and JSON, taken before it was handled.
    pub command_texts: Vec<(&'static str, Vec<u8>)>,
    pub before: Account,
    pub after: &'a Account,
    pub result: &'a Result<Outcome, Refusal>,
    /// The codes this step's deliveries carry, exposed.
    pub delivered: Vec<String>,
    /// Every event so far, this step's included.
    pub events: &'a [Event],
    /// The last 16 and the last 8 delivered before this step.
    pub known_sixteen: Option<String>,
    pub known_eight: Option<String>,
}

/// Plays `scenario` on a fresh account of Mario, handing every step to `observe`, and returns
/// what the run reached.
pub fn play(
    scenario: &Scenario,
    mut observe: impl FnMut(&Step<'_>) -> Result<(), TestCaseError>,
) -> Result<Tally, TestCaseError> {
    let policy = policy_of(scenario.policy);
    let mut rng: ChaCha20Rng = rng(scenario.seed);
    let mut account = Account::new(mario_cf());
    let mut now = start_of(scenario.policy, scenario.start_offset);
    let mut sixteen: Option<String> = None;
    let mut eight: Option<String> = None;
    let mut events: Vec<Event> = Vec::new();
    let mut tally = Tally::default();

    for (index, &(wait, act)) in scenario.steps.iter().enumerate() {
        now = advance(now, wait, account.poll_deadline(&policy));

        let sixteen_now = sixteen.clone().unwrap_or_else(|| NO_SIXTEEN_YET.to_owned());
        let eight_now = eight.clone().unwrap_or_else(|| NO_EIGHT_YET.to_owned());
        let text_of = |entry: Entry| match entry {
            Entry::Right16 => sixteen_now.clone(),
            Entry::Wrong16 => near_miss(&sixteen_now),
            Entry::Right8 => eight_now.clone(),
            Entry::Wrong8 => near_miss(&eight_now),
            Entry::FirstHalf => sixteen_now[..8].to_owned(),
        };
        let mut typed = None;
        let mut enter = |text: String| {
            let pin = entered(&text);
            typed = Some(text);
            pin
        };
        let command = match act {
            Act::Request(who, via) => request_pin(applicant(who, scenario.role), channel(via)),
            Act::FirstAccess(entry) => Command::FirstAccess {
                pin: enter(text_of(entry)),
                trust_device: false,
            },
            Act::LogIn(entry) => Command::LogIn {
                pin: enter(text_of(entry)),
                device: None,
                trust_device: false,
            },
            Act::Renew(entry) => Command::RenewPin {
                pin: enter(text_of(entry)),
                trust_device: false,
                device: None,
            },
            Act::RequestUpgrade(via, doc) => Command::RequestUpgrade {
                via,
                document: examined_copy(document(doc == Document::Valid)),
            },
            Act::DecideUpgrade(decision) => Command::DecideUpgrade {
                decision: match decision {
                    Decision::Approve => UpgradeDecision::Approve,
                    Decision::Reject => UpgradeDecision::Reject(
                        RejectionReason::new("la copia del documento non è leggibile").unwrap(),
                    ),
                },
                reviewer: operator("bo-007"),
            },
            Act::UpgradeAtSede(doc) => Command::UpgradeAtSede {
                document: seen_at_sede(document(doc == Document::Valid)),
            },
            Act::Restore(contacts) => restore_command(contacts),
            Act::Revoke(card) => Command::Revoke {
                tessera: tessera(card),
            },
            Act::Tick => Command::Tick,
            Act::Stranger(indices) => {
                let mut guess = alphabet_code(&indices);
                if Some(&guess) == eight.as_ref() {
                    guess = near_miss(&guess);
                }
                Command::LogIn {
                    pin: enter(guess),
                    device: None,
                    trust_device: false,
                }
            }
        };
        let command_texts = command_texts(&command);

        let before = account.clone();
        let result = run(&mut account, command, now, &policy, &mut rng);

        let known_sixteen = sixteen.clone();
        let known_eight = eight.clone();
        let mut delivered = Vec::new();
        if let Ok(outcome) = &result {
            delivered = fresh_codes(index, outcome)?;
            match &outcome.reply {
                Reply::PinIssued { .. } | Reply::PinRestored { .. } => {
                    sixteen = Some(whole_code(outcome));
                }
                Reply::FirstAccessCompleted(_) | Reply::PinRenewed(_) => {
                    let code = find_code(outcome, PinPart::Pin);
                    prop_assert!(code.is_some(), "step {}: no 8-character PIN", index);
                    eight = code;
                }
                _ => {}
            }
            events.extend(outcome.events.iter().cloned());
        }
        for key in step_keys(act, &result) {
            tally.add(key);
        }

        observe(&Step {
            index,
            act,
            now,
            policy: &policy,
            typed,
            command_texts,
            before,
            after: &account,
            result: &result,
            delivered,
            events: &events,
            known_sixteen,
            known_eight,
        })?;
    }
    Ok(tally)
}

pub fn check_along_runs(
    cases: u32,
    property: impl Fn(&Scenario) -> Result<Tally, TestCaseError>,
) -> Tally {
    check_property(cases, scenario_strategy(), property)
}

/// Every command kind, accepted and refused (a tick cannot be refused: due and not due; a
/// stranger's guess is answered as a wrong PIN whatever the lanes, R30a, and refused only once
/// the sunset retired every PIN, R22a).
pub const EVERY_COMMAND_BOTH_WAYS: &[&str] = &[
    "request_pin:accepted",
    "request_pin:refused",
    "first_access:accepted",
    "first_access:refused",
    "log_in:accepted",
    "log_in:refused",
    "renew_pin:accepted",
    "renew_pin:refused",
    "request_upgrade:accepted",
    "request_upgrade:refused",
    "decide_upgrade:accepted",
    "decide_upgrade:refused",
    "upgrade_at_sede:accepted",
    "upgrade_at_sede:refused",
    "restore:accepted",
    "restore:refused",
    "revoke:accepted",
    "revoke:refused",
    "tick:due",
    "tick:no_op",
    "stranger:accepted",
];

/// Replies and refusals the random runs must reach between them.
pub const MUST_REACH: &[&str] = &[
    "stranger:refused",
    "reply:pin_issued",
    "reply:first_access_completed",
    "reply:logged_in",
    "reply:login_failed",
    "reply:pin_renewed",
    "reply:upgrade_requested",
    "reply:upgrade_approved",
    "reply:upgrade_rejected",
    "reply:pin_restored",
    "reply:pin_revoked",
    "first_access:reply:login_failed",
    "renew_pin:reply:login_failed",
    "event:login_failed_blocking",
    "event:first_pin_lapsed",
    "event:expiry_warned",
    "event:pin_expired",
    "refused:request.wrong_account",
    "refused:request.pin_already_live",
    "refused:request.identity_document_expired",
    "refused:first_access.whole_pin_required",
    "refused:first_access.pin_lapsed",
    "refused:login.first_access_required",
    "refused:login.pin_expired",
    "refused:login.pin_blocked",
    "failure:turned_away_delayed",
    "failure:turned_away_blocked",
    "event:first_access_failed",
    "refused:renewal.not_due",
    "refused:sunset.no_new_pins",
    "refused:sunset.pins_retired",
    "refused:account.no_pin",
    "refused:restore.contacts_not_matching",
    "refused:revoke.tessera_not_matching",
    "refused:revoke.tessera_expired",
    "refused:upgrade.already_dispositivo",
    "refused:upgrade.pending",
    "refused:upgrade.none_pending",
];

pub fn is_awaiting(status: PinStatus) -> bool {
    matches!(status, PinStatus::AwaitingFirstAccess { .. })
}

/// Whether the policy's sunset has retired every PIN at `now` (R22a).
pub fn is_retired(policy: &Policy, now: Timestamp) -> bool {
    policy
        .sunset
        .is_some_and(|sunset| now >= start_of_rome_day(sunset.retired_from))
}

pub fn start_of_rome_day(day: Date) -> Timestamp {
    day.to_zoned_datetime(inps_pin::rome_time_zone())
        .unwrap()
        .timestamp()
}
