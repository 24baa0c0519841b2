//! Strategies for commands and timed sequences of steps that reach every phase.

use super::*;

/// How far the clock moves before a step: nothing, seconds, a day, up to 200 days, calendar
/// days in Rome, to the next deadline or one nanosecond before it.
pub fn wait() -> impl Strategy<Value = Wait> {
    const DAY: u32 = 86_400;
    prop_oneof![
        3 => Just(Wait::Seconds(0)),
        3 => (0..=60u32).prop_map(Wait::Seconds),
        3 => (0..=DAY).prop_map(Wait::Seconds),
        1 => (0..=200 * DAY).prop_map(Wait::Seconds),
        1 => (0..=200u16).prop_map(Wait::RomeDays),
        4 => Just(Wait::ToDeadline),
        2 => Just(Wait::JustBeforeDeadline),
    ]
}

/// A stranger's guess: 8 characters of the alphabet.
pub fn guess() -> impl Strategy<Value = Entry> {
    proptest::array::uniform8(any::<u8>()).prop_map(Entry::Guess)
}

/// Who asks for a PIN, and through which channel: the owner mostly, online mostly.
pub(super) fn request_act() -> impl Strategy<Value = Act> {
    let applicant = prop_oneof![
        4 => Just(Applicant::Owner),
        1 => Just(Applicant::OwnerNoContacts),
        2 => Just(Applicant::OwnerExempt),
        1 => Just(Applicant::Stranger),
    ];
    let via = prop_oneof![
        3 => Just(Via::Online),
        1 => Just(Via::ContactCenterLandline),
        1 => Just(Via::ContactCenterMobile),
        1 => Just(Via::SedeValidDocument),
        1 => Just(Via::SedeExpiredDocument),
    ];
    (applicant, via).prop_map(|(who, via)| Act::Request(who, via))
}

/// What is typed where a 16 is asked for: the right one mostly.
fn sixteen() -> impl Strategy<Value = Entry> {
    prop_oneof![
        5 => Just(Entry::Right16),
        1 => Just(Entry::Wrong16),
        1 => Just(Entry::FirstHalf),
    ]
}

/// What is typed where an 8 is asked for: the right one mostly, and guesses.
fn eight() -> impl Strategy<Value = Entry> {
    prop_oneof![
        5 => Just(Entry::Right8),
        1 => Just(Entry::Wrong8),
        1 => Just(Entry::Right16),
        1 => Just(Entry::FirstHalf),
        2 => guess(),
    ]
}

pub(super) fn first_access_act() -> impl Strategy<Value = Act> {
    (sixteen(), any::<bool>()).prop_map(|(entry, trust_device)| Act::FirstAccess {
        entry,
        trust_device,
    })
}

pub(super) fn log_in_act() -> impl Strategy<Value = Act> {
    (eight(), any::<bool>(), any::<bool>()).prop_map(|(entry, device, trust_device)| Act::LogIn {
        entry,
        device,
        trust_device,
    })
}

pub(super) fn renew_act() -> impl Strategy<Value = Act> {
    (eight(), any::<bool>()).prop_map(|(entry, device)| Act::Renew { entry, device })
}

fn document() -> impl Strategy<Value = Document> {
    prop_oneof![4 => Just(Document::Valid), 1 => Just(Document::Expired)]
}

pub(super) fn request_upgrade_act() -> impl Strategy<Value = Act> {
    let upgrade_via = prop_oneof![Just(UpgradeVia::Online), Just(UpgradeVia::Fax)];
    (upgrade_via, document()).prop_map(|(via, doc)| Act::RequestUpgrade(via, doc))
}

pub(super) fn decide_upgrade_act() -> impl Strategy<Value = Act> {
    any::<bool>().prop_map(Act::DecideUpgrade)
}

pub(super) fn upgrade_at_sede_act() -> impl Strategy<Value = Act> {
    document().prop_map(Act::UpgradeAtSede)
}

pub(super) fn restore_act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => Just(Contacts::Registered),
        1 => Just(Contacts::WrongEmail),
        1 => Just(Contacts::WrongMobile),
    ]
    .prop_map(Act::Restore)
}

pub(super) fn revoke_act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => Just(Card::Own),
        1 => Just(Card::OwnExpired),
        1 => Just(Card::Strangers),
        1 => Just(Card::StrangersExpired),
    ]
    .prop_map(Act::Revoke)
}

pub(super) fn erase_act() -> impl Strategy<Value = Act> {
    select(ErasureReason::ALL).prop_map(Act::Erase)
}

/// Every abstract command, right and wrong codes, valid and expired documents and cards, the
/// owner's and a stranger's data, in the mix of [`StepWeights::default`].
pub fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        5 => request_act(),
        5 => first_access_act(),
        8 => log_in_act(),
        3 => renew_act(),
        2 => request_upgrade_act(),
        2 => decide_upgrade_act(),
        2 => upgrade_at_sede_act(),
        3 => restore_act(),
        3 => revoke_act(),
        1 => erase_act(),
        4 => Just(Act::Tick),
    ]
}

/// One step: a wait and an act.
pub fn step() -> impl Strategy<Value = Step> {
    (wait(), act()).prop_map(|(wait, act)| Step { wait, act })
}

/// A few steps that belong together, so that sequences reach the far phases as well as the
/// near ones: mostly one step, sometimes a fresh PIN and its first access, a burst of a
/// stranger's guesses spaced to beat the delays (towards a block), the clock run to the
/// deadlines and a renewal, or an upgrade request and its decision.
pub fn segment() -> impl Strategy<Value = Vec<Step>> {
    prop_oneof![
        16 => step().prop_map(|step| vec![step]),
        3 => fresh_pin_segment(),
        2 => burst_segment(),
        3 => clock_segment(),
        2 => upgrade_segment(),
    ]
}

fn seconds(range: std::ops::RangeInclusive<u32>) -> impl Strategy<Value = Wait> {
    range.prop_map(Wait::Seconds)
}

/// A request online and its first access, within a week.
pub(super) fn fresh_pin_segment() -> impl Strategy<Value = Vec<Step>> {
    (wait(), seconds(0..=7 * 86_400)).prop_map(|(wait, later)| {
        vec![
            Step {
                wait,
                act: Act::Request(Applicant::Owner, Via::Online),
            },
            Step {
                wait: later,
                act: Act::FirstAccess {
                    entry: Entry::Right16,
                    trust_device: true,
                },
            },
        ]
    })
}

/// A stranger's guesses spaced to beat the delays: towards a block.
pub(super) fn burst_segment() -> impl Strategy<Value = Vec<Step>> {
    vec(
        (seconds(10..=12), guess()).prop_map(|(wait, entry)| Step {
            wait,
            act: Act::LogIn {
                entry,
                device: false,
                trust_device: false,
            },
        }),
        5..=12,
    )
}

/// The clock run to the next deadlines, then a renewal.
pub(super) fn clock_segment() -> impl Strategy<Value = Vec<Step>> {
    (1..=3usize, any::<bool>()).prop_map(|(ticks, device)| {
        let mut steps: Vec<Step> = (0..ticks)
            .map(|_| Step {
                wait: Wait::ToDeadline,
                act: Act::Tick,
            })
            .collect();
        steps.push(Step {
            wait: Wait::Seconds(60),
            act: Act::Renew {
                entry: Entry::Right8,
                device,
            },
        });
        steps
    })
}

/// An upgrade request online and its decision, within a month.
pub(super) fn upgrade_segment() -> impl Strategy<Value = Vec<Step>> {
    (any::<bool>(), seconds(0..=30 * 86_400)).prop_map(|(approve, later)| {
        vec![
            Step {
                wait: Wait::Seconds(60),
                act: Act::RequestUpgrade(UpgradeVia::Online, Document::Valid),
            },
            Step {
                wait: later,
                act: Act::DecideUpgrade(approve),
            },
        ]
    })
}

/// Timed sequences of 1 to about 100 steps (segments flattened).
pub fn steps() -> impl Strategy<Value = Vec<Step>> {
    vec(segment(), 1..40).prop_map(|segments| segments.into_iter().flatten().collect())
}

/// The people of a run: the standard [`Cast::mario`] first, then [`Cast::intermediary`], then
/// a generated owner with contacts (either role) and stranger. A failing case shrinks towards
/// the standard fixture, so the case printed names Mario unless the people matter.
pub fn cast() -> impl Strategy<Value = Cast> {
    let generated = (person_with_contacts(), person())
        .prop_filter_map("a cast of two people", |(owner, stranger)| {
            if owner.codice_fiscale() == stranger.codice_fiscale() {
                return None;
            }
            Cast::new(owner, stranger).ok()
        })
        .boxed();
    let mut options: Vec<(u32, BoxedStrategy<Cast>)> = [Cast::mario(), Cast::intermediary()]
        .into_iter()
        .flatten()
        .map(|fixture| (1, Just(fixture).boxed()))
        .collect();
    options.push((6, generated));
    proptest::strategy::Union::new_weighted(options)
}

/// A fresh driver: a [`cast`], the cheap default policy at [`START`] or INPS's sunset (from
/// a generated instant of 2020), a generated seed. Its simplest value, where a failing case
/// shrinks to, is the standard fixture: [`Driver::mario`]`(0)`.
pub fn driver() -> impl Strategy<Value = Driver> {
    (cast(), any::<bool>(), any::<u64>(), 0..366u32 * 86_400).prop_map(
        |(cast, sunset, seed, offset)| {
            let driver = Driver::new(cast, cheap_policy(), START, seed);
            if sunset {
                let mut driver = driver.with_sunset();
                driver.now = SUNSET_START
                    .checked_add(SignedDuration::from_secs(i64::from(offset)))
                    .unwrap_or(SUNSET_START);
                driver
            } else {
                driver
            }
        },
    )
}

/// A driver and a timed sequence of steps for it: what a property over whole lives of an
/// account plays.
pub fn scenario() -> impl Strategy<Value = (Driver, Vec<Step>)> {
    (driver(), steps())
}

/// Concrete commands for `driver` as it stands (codes it learnt included): for a property of
/// one command.
pub fn command(driver: Driver) -> impl Strategy<Value = Command> {
    act().prop_map(move |act| driver.command(&act))
}
