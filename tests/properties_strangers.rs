//! R25a and R23a under siege: a stranger can never keep the owner out.
//!
//! The stranger knows what is not secret about Mario: his codice fiscale, his e-mail and his
//! mobile. They know no PIN, no device token and hold no genuine attestation. At any time, at
//! any pace, with the service's clock jumping forward (seconds to months) and now and then
//! reading an instant before the previous one (a wrong clock), they send logins with random 8s
//! and 16s (with no device token, a random well-formed one, or one that carries the owner's
//! public device identifier and a made-up secret; asking to be trusted or not), first accesses
//! with random 16s, renewals with random 8s, restores with the registered contacts and with
//! wrong ones, and ticks. Interleaved, the owner, who holds the real codes and the trusted
//! device token of the setup, logs in and renews from that device (his newest token) or from a
//! new browser, restores when blocked and completes a restore's first access with the latest
//! code delivered to him, whoever asked for it (a restore's halves always go to the registered
//! contacts: to him).
//!
//! After every step, on copies of the account so the run itself is not steered:
//! - the owner on a trusted device logs in at the first try (R25a), with the 8 in use now;
//! - when the PIN is due for renewal (its warning days, or expired), the owner renews from
//!   every device the account still trusts at the first try, and logs in with the new 8 (R21,
//!   R25a): a renewal presents the device token as a login does, so neither the stranger's
//!   block nor the stranger's delays stand before it;
//! - the owner without a device gets back in: a restore and its first access, then a login
//!   with the new 8 (R23a, R25a). At the restore cap, the latest restore's code still waits for
//!   him, whoever asked for it: the cap counts only the restores since the owner's last first
//!   access, and a restore's code waits (the first-access window) at least as long as the cap's
//!   window counts it (the policy draw keeps restore window ≤ first-access window, as policy
//!   validation asks). That holds under the stranger's wrong clock too: the latest restore was
//!   granted with fewer than the cap in the window, and every earlier one the window counts now
//!   it counted then (that reading was no later than now), so at the cap the window counts the
//!   latest one now, and its code has not lapsed;
//! - the stranger never got a session, a first access, a renewal, a trusted device, nor a
//!   delivery anywhere but Mario's registered contacts;
//! - a stranger's guess stored at most one event, a restore exactly one (R25a);
//! - a block is told once (R25): only the guess that reaches the block blocks and notifies;
//!   the guesses after it are turned away unchecked, writing nothing (R25b), and a wrong 16 at
//!   a first access is counted in the lane of the 16 that waits, apart from the login lanes,
//!   and tells nobody;
//! - a stranger reads a wrong PIN's answer whatever the lanes are doing (R30a);
//! - a refusal changed nothing (R27).
//!
//! Where the owner's trusted device may rightly not log in, the check is skipped and counted:
//! - the PIN expired: the right PIN is told so (R20), the device changes nothing to expiry; his
//!   way in is then the renewal, which is checked from the same devices;
//! - the device's own validity ran out (the policy's days), or a newer device of the owner
//!   made room for itself: its token is then no token, and the client is an unknown one.
//!
//! A renewal from a new browser, or from a device whose trust ran out, is an unknown client's:
//! it may meet the stranger's block or delay, and that is counted, not failed; the owner's
//! way back is then the restore. The stranger's wrong 16s may hold a restore's first access
//! back by their lane's delay, a few seconds at most (R25b): the owner then tries again when
//! it ends.
//!
//! Not skipped: the owner replaced the PIN (a restore's first access, a renewal) and the device
//! still logs in, with the new 8. That is what is right. A device token is not a credential:
//! it only says which lane an attempt is counted in, and the PIN is still needed. Forgetting
//! the devices at a restore would take the owner's protection away at the very moment a
//! stranger is active (a siege is what makes people restore). A stolen cookie gains nothing
//! from it either: it meets the new PIN with the device's own five tries.
//!
//! The stranger sends no request, revocation or upgrade: those need attestations of the
//! caller's own checks (R35), which a stranger does not have.
//!
//! This property found three of these rules broken in the crate (the restore cap counting the
//! restores before the owner's first access, a renewal unable to present the trusted device,
//! the block notice resent by every wrong 16 after the block). Each is also pinned by a test of
//! its own at the end of this file.

mod common;

use common::lifecycle_run::{Contacts, DAY, alphabet_code, owner, restore_command};
use common::rig::{Rig, hammer_until_blocked, notices, secs};
use common::scenario::*;
use common::*;

use inps_pin::{
    Account, ChannelRequest, Command, Context, DeviceId, DeviceToken, Event, LaneClosed, Lockout,
    Medium, Notice, Outcome, PIN_ALPHABET, PinPart, PinStatus, Policy, Refusal, Reply, Role,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand_chacha::ChaCha20Rng;

// ---------------------------------------------------------------------------------------------
// The run, as proptest values
// ---------------------------------------------------------------------------------------------

/// A device token as the stranger sends it: none, a random well-formed one, or the owner's
/// public device identifier (it is in logs and events) followed by a made-up secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenGuess {
    None,
    Random([u8; 30]),
    OwnersId([u8; 26]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stranger {
    LogIn8([u8; 8], TokenGuess, bool),
    LogIn16([u8; 16], TokenGuess, bool),
    FirstAccess16([u8; 16], bool),
    Renew8([u8; 8], bool),
    Restore(Contacts),
    /// The service's clock, which the stranger's traffic also drives.
    Tick,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    /// From the newest device token he holds, asking to be trusted (a client always may: it
    /// changes nothing while the token is valid, and trusts the client again once it is not).
    LogInTrusted,
    /// From a new browser: no token, not asking to be trusted.
    LogInNewBrowser,
    /// The guided renewal, when the PIN is in its warning window or expired (R21), from the
    /// newest device token he holds, asking to be trusted (as [`Owner::LogInTrusted`]).
    RenewTrusted,
    /// The guided renewal, when due, from a new browser: no token, asking to trust it or not.
    RenewNewBrowser(bool),
    /// A restore with his contacts, when a login from a new browser would find the PIN blocked.
    RestoreWhenBlocked,
    /// The first access of the latest restore's code delivered to him, asking to trust the
    /// client or not.
    CompleteRestore(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    Stranger(Stranger),
    Owner(Owner),
}

/// How the service's clock moves before a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    Seconds(u32),
    /// Calendar days in Rome: up to four months.
    RomeDays(u16),
    /// To the account's next deadline, if ahead.
    ToDeadline,
    /// To the end of the delay the stranger's last wrong PIN started, if ahead: how a patient
    /// guesser goes fastest.
    PastDelay,
    /// To the first of the PIN's warning days before expiry, when it can be renewed (R21, R22),
    /// if ahead.
    IntoRenewal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Step {
    wait: Wait,
    /// A wrong clock: the stranger's command (or tick) is read this many seconds before the
    /// previous reading. The true clock goes on from where it was.
    back: Option<u32>,
    act: Act,
}

/// The policy of a run: the default with every time and count R23a and R25a depend on drawn.
#[derive(Clone, Debug)]
struct PolicyDraw {
    role: Role,
    citizen_validity_months: u8,
    expiry_warning_days: u16,
    first_access_window_days: u16,
    delays_secs: Vec<u32>,
    block_after: u32,
    device_block_after: u32,
    device_valid_days: u16,
    max_devices: u8,
    restore_max: u8,
    restore_window_days: u16,
}

impl PolicyDraw {
    fn policy(&self) -> Policy {
        let mut policy = policy();
        policy.citizen_validity_months = self.citizen_validity_months;
        policy.expiry_warning_days = self.expiry_warning_days;
        policy.first_access_window_days = self.first_access_window_days;
        policy.lockout = Lockout::new(self.delays_secs.clone(), self.block_after).unwrap();
        policy.trusted_devices.lockout = Lockout::new(vec![1, 3], self.device_block_after).unwrap();
        policy.trusted_devices.valid_days = self.device_valid_days;
        policy.trusted_devices.max_devices = self.max_devices;
        policy.restore_limit.max_requests = self.restore_max;
        policy.restore_limit.window_days = self.restore_window_days;
        policy
    }
}

#[derive(Clone, Debug)]
struct Siege {
    seed: u64,
    policy: PolicyDraw,
    steps: Vec<Step>,
}

const MAX_STEPS: usize = 40;

fn policy_strategy() -> impl Strategy<Value = PolicyDraw> {
    let delays = prop_oneof![
        3 => Just(vec![1, 3, 5, 10]),
        1 => Just(vec![]),
        1 => Just(vec![0]),
        1 => Just(vec![2, 30, 300]),
    ];
    (
        prop_oneof![3 => Just(Role::Citizen), 1 => Just(Role::Intermediary)],
        1..=6u8,
        0..=14u16,
        delays,
        3..=10u32,
        1..=5u32,
        1..=120u16,
        1..=5u8,
        1..=4u8,
        1..=14u16,
        // Equal windows, the edge where a code lapses as it stops counting, now and then.
        prop_oneof![1 => Just(0u16), 3 => 0..=90u16],
    )
        .prop_map(
            |(
                role,
                months,
                warning,
                delays_secs,
                block_after,
                device_block_after,
                device_valid_days,
                max_devices,
                restore_max,
                restore_window_days,
                extra_window,
            )| PolicyDraw {
                role,
                citizen_validity_months: months,
                expiry_warning_days: warning,
                // A restore's code waits at least as long as the cap's window counts it
                // (restore window <= first-access window, as policy validation asks), so that
                // at the cap the latest restore's code still waits for the owner.
                first_access_window_days: restore_window_days + extra_window,
                delays_secs,
                block_after,
                device_block_after,
                device_valid_days,
                max_devices,
                restore_max,
                restore_window_days,
            },
        )
}

fn wait_strategy() -> impl Strategy<Value = Wait> {
    prop_oneof![
        5 => (0..=12u32).prop_map(Wait::Seconds),
        2 => (13..=DAY).prop_map(Wait::Seconds),
        1 => (1..=120u16).prop_map(Wait::RomeDays),
        1 => Just(Wait::ToDeadline),
        3 => Just(Wait::PastDelay),
    ]
}

fn back_strategy() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        12 => Just(None),
        1 => (1..=60u32).prop_map(Some),
        1 => (61..=30 * DAY).prop_map(Some),
    ]
}

fn token_strategy() -> impl Strategy<Value = TokenGuess> {
    let alphabet = || 0..PIN_ALPHABET.len() as u8;
    prop_oneof![
        3 => Just(TokenGuess::None),
        1 => prop::array::uniform30(alphabet()).prop_map(TokenGuess::Random),
        1 => prop::array::uniform26(alphabet()).prop_map(TokenGuess::OwnersId),
    ]
}

fn stranger_strategy() -> impl Strategy<Value = Stranger> {
    let alphabet = || 0..PIN_ALPHABET.len() as u8;
    let contacts = prop_oneof![
        3 => Just(Contacts::Registered),
        1 => Just(Contacts::WrongEmail),
        1 => Just(Contacts::WrongMobile),
    ];
    prop_oneof![
        6 => (prop::array::uniform8(alphabet()), token_strategy(), any::<bool>())
            .prop_map(|(pin, token, trust)| Stranger::LogIn8(pin, token, trust)),
        1 => (prop::array::uniform16(alphabet()), token_strategy(), any::<bool>())
            .prop_map(|(pin, token, trust)| Stranger::LogIn16(pin, token, trust)),
        2 => (prop::array::uniform16(alphabet()), any::<bool>())
            .prop_map(|(pin, trust)| Stranger::FirstAccess16(pin, trust)),
        1 => (prop::array::uniform8(alphabet()), any::<bool>())
            .prop_map(|(pin, trust)| Stranger::Renew8(pin, trust)),
        2 => contacts.prop_map(Stranger::Restore),
        1 => Just(Stranger::Tick),
    ]
}

fn owner_strategy() -> impl Strategy<Value = Owner> {
    prop_oneof![
        4 => Just(Owner::LogInTrusted),
        2 => Just(Owner::LogInNewBrowser),
        1 => Just(Owner::RenewTrusted),
        1 => any::<bool>().prop_map(Owner::RenewNewBrowser),
        2 => Just(Owner::RestoreWhenBlocked),
        2 => any::<bool>().prop_map(Owner::CompleteRestore),
    ]
}

/// A few steps that belong together, so that runs reach the far states: mostly one step,
/// sometimes a burst of guesses each at the end of the last delay (towards a block), a string
/// of restores with the registered contacts (towards the cap), the owner's way back, or his
/// renewal while a stranger guesses.
fn segment_strategy() -> impl Strategy<Value = Vec<Step>> {
    let one =
        (wait_strategy(), back_strategy(), stranger_strategy()).prop_map(|(wait, back, act)| {
            vec![Step {
                wait,
                back,
                act: Act::Stranger(act),
            }]
        });
    let owner = (wait_strategy(), owner_strategy()).prop_map(|(wait, act)| {
        vec![Step {
            wait,
            back: None,
            act: Act::Owner(act),
        }]
    });
    let burst = prop::collection::vec(
        (
            back_strategy(),
            prop::array::uniform8(0..PIN_ALPHABET.len() as u8),
        ),
        3..=12,
    )
    .prop_map(|guesses| {
        guesses
            .into_iter()
            .map(|(back, pin)| Step {
                wait: Wait::PastDelay,
                back,
                act: Act::Stranger(Stranger::LogIn8(pin, TokenGuess::None, false)),
            })
            .collect()
    });
    let restores = prop::collection::vec((0..=3600u32, back_strategy()), 1..=4).prop_map(|waits| {
        waits
            .into_iter()
            .map(|(seconds, back)| Step {
                wait: Wait::Seconds(seconds),
                back,
                act: Act::Stranger(Stranger::Restore(Contacts::Registered)),
            })
            .collect()
    });
    let way_back = (0..=600u32, any::<bool>()).prop_map(|(seconds, trust)| {
        vec![
            Step {
                wait: Wait::Seconds(0),
                back: None,
                act: Act::Owner(Owner::RestoreWhenBlocked),
            },
            Step {
                wait: Wait::Seconds(seconds),
                back: None,
                act: Act::Owner(Owner::CompleteRestore(trust)),
            },
        ]
    });
    // Into the warning days, the owner on his device (trusted again if its trust ran out on
    // the way), the stranger guessing towards a block, then the owner's renewal from a new
    // browser and from his device.
    let renewal = (
        prop::collection::vec(prop::array::uniform8(0..PIN_ALPHABET.len() as u8), 3..=10),
        any::<bool>(),
    )
        .prop_map(|(guesses, trust)| {
            let mut steps = vec![Step {
                wait: Wait::IntoRenewal,
                back: None,
                act: Act::Owner(Owner::LogInTrusted),
            }];
            steps.extend(guesses.into_iter().map(|pin| Step {
                wait: Wait::PastDelay,
                back: None,
                act: Act::Stranger(Stranger::LogIn8(pin, TokenGuess::None, false)),
            }));
            steps.extend(
                [Owner::RenewNewBrowser(trust), Owner::RenewTrusted].map(|act| Step {
                    wait: Wait::Seconds(0),
                    back: None,
                    act: Act::Owner(act),
                }),
            );
            steps
        });
    prop_oneof![
        8 => one,
        5 => owner,
        3 => burst,
        2 => restores,
        1 => way_back,
        1 => renewal,
    ]
}

fn siege_strategy() -> impl Strategy<Value = Siege> {
    (
        any::<u64>(),
        policy_strategy(),
        prop::collection::vec(segment_strategy(), 1..=24),
    )
        .prop_map(|(seed, policy, segments)| {
            let mut steps: Vec<Step> = segments.into_iter().flatten().collect();
            steps.truncate(MAX_STEPS);
            Siege {
                seed,
                policy,
                steps,
            }
        })
}

// ---------------------------------------------------------------------------------------------
// What the owner holds
// ---------------------------------------------------------------------------------------------

/// A device token the owner's client keeps.
struct OwnedToken {
    text: String,
    id: DeviceId,
    /// When it was trusted, on the true clock.
    trusted_at: Timestamp,
    /// How many times the owner had replaced the PIN when it was trusted.
    generation: u32,
}

/// The latest restore's code, as delivered to the owner's contacts.
struct DeliveredRestore {
    whole: String,
    by_stranger: bool,
}

struct OwnerState {
    eight: String,
    tokens: Vec<OwnedToken>,
    /// PINs the owner put in place since the setup (restores completed, renewals).
    generation: u32,
    latest_restore: Option<DeliveredRestore>,
}

impl OwnerState {
    fn trust(&mut self, outcome: &Outcome, now: Timestamp) {
        if let Some(token) = &outcome.trusted_device {
            self.tokens.push(OwnedToken {
                text: token.expose().to_owned(),
                id: token.device_id(),
                trusted_at: now,
                generation: self.generation,
            });
        }
    }

    /// The codes a stranger's guess must not be: the owner's.
    fn known(&self) -> Vec<String> {
        let mut known = vec![self.eight.clone()];
        known.extend(self.latest_restore.iter().map(|r| r.whole.clone()));
        known
    }
}

/// A well-formed guess from these indices that is none of the owner's codes.
fn guess(indices: &[u8], known: &[String]) -> String {
    let mut code = alphabet_code(indices);
    while known.contains(&code) {
        code = near_miss(&code);
    }
    code
}

fn stranger_token(guess: TokenGuess, owner: &OwnerState) -> Option<DeviceToken> {
    let text = match guess {
        TokenGuess::None => return None,
        TokenGuess::Random(indices) => alphabet_code(&indices),
        TokenGuess::OwnersId(indices) => {
            let id = owner.tokens.first().map_or("ABCD", |t| t.id.as_str());
            format!("{id}{}", alphabet_code(&indices))
        }
    };
    // A made-up secret that happened to be the owner's would be the owner's device.
    if owner.tokens.iter().any(|t| t.text == text) {
        return None;
    }
    Some(DeviceToken::parse(&text).unwrap())
}

/// Why a closed lane turned an attempt away unchecked, if it did (R25b, R30a).
fn closed(result: &Result<Outcome, Refusal>) -> Option<LaneClosed> {
    result
        .as_ref()
        .ok()
        .and_then(|outcome| outcome.failure.as_ref())
        .and_then(|failure| failure.closed)
}

/// The end of the first-access lane's delay that turned `result` away, if it did and it ends
/// within the policy's longest wait after `now` (R25b: seconds, never a block).
fn first_access_held_back(
    result: &Result<Outcome, Refusal>,
    now: Timestamp,
    policy: &Policy,
) -> Option<Timestamp> {
    let failure = result.as_ref().ok()?.failure.as_ref()?;
    let Some(LaneClosed::Delayed { retry_after }) = failure.closed else {
        return None;
    };
    let longest = policy
        .first_access_delays
        .longest_secs()
        .map_or(0, i64::from);
    (failure.first_access && now.duration_until(retry_after) <= SignedDuration::from_secs(longest))
        .then_some(retry_after)
}

fn log_in_command(pin: &str, device: Option<DeviceToken>, trust_device: bool) -> Command {
    Command::LogIn {
        pin: entered(pin),
        device,
        trust_device,
    }
}

fn is_marios_contact(medium: &Medium) -> bool {
    match medium {
        Medium::Email(email) => *email == mario_email(),
        Medium::Sms(mobile) => *mobile == mario_mobile(),
        _ => false,
    }
}

fn decide(
    account: &Account,
    command: Command,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Result<Outcome, Refusal> {
    account.decide(&command, &mut Context::new(now, policy, rng))
}

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

fn siege_holds(siege: &Siege) -> Result<Tally, TestCaseError> {
    let draw = &siege.policy;
    let policy = draw.policy();
    let mut rng = rng(siege.seed);
    let mut tally = Tally::default();
    let mut log: Vec<Event> = Vec::new();

    // The setup: a request, and an hour later (within any first-access window) the first
    // access on the owner's device, trusted, its token kept.
    let set_up = t0() + SignedDuration::from_hours(1);
    let mut account = Account::new(mario_cf());
    let issued = request(
        &mut account,
        owner(draw.role),
        ChannelRequest::Online,
        t0(),
        &policy,
        &mut rng,
    );
    log.extend(issued.events.iter().cloned());
    let done = run(
        &mut account,
        Command::FirstAccess {
            pin: whole_pin_from(&issued),
            trust_device: true,
        },
        set_up,
        &policy,
        &mut rng,
    )
    .unwrap();
    log.extend(done.events.iter().cloned());
    let mut owner = OwnerState {
        eight: code_of(&done, PinPart::Pin),
        tokens: Vec::new(),
        generation: 0,
        latest_restore: None,
    };
    owner.trust(&done, set_up);
    prop_assert_eq!(owner.tokens.len(), 1, "the setup trusts the owner's device");

    let mut now = set_up;
    let mut last_reading = now;
    let mut stranger_retry_after: Option<Timestamp> = None;

    for (index, step) in siege.steps.iter().enumerate() {
        now = match step.wait {
            Wait::Seconds(seconds) => now + SignedDuration::from_secs(i64::from(seconds)),
            Wait::RomeDays(days) => plus_rome_days(now, i64::from(days)),
            Wait::ToDeadline => forward_to(now, account.poll_deadline(&policy)),
            Wait::PastDelay => forward_to(now, stranger_retry_after),
            Wait::IntoRenewal => forward_to(
                now,
                account
                    .expires_at()
                    .map(|expiry| plus_rome_days(expiry, -i64::from(policy.expiry_warning_days))),
            ),
        };
        let reading = match (step.act, step.back) {
            (Act::Stranger(_), Some(back)) => {
                last_reading - SignedDuration::from_secs(i64::from(back))
            }
            _ => now,
        };
        if reading < last_reading {
            tally.add("clock went back");
        }
        last_reading = reading;

        let before = account.clone();
        let drawn = rng.get_word_pos();
        let result = match step.act {
            Act::Stranger(act) => {
                let result = stranger_step(act, &mut account, &owner, reading, &policy, &mut rng);
                stranger_checks(
                    index,
                    act,
                    policy.lockout.block_after(),
                    &result,
                    &mut owner,
                    &mut tally,
                )?;
                if let Ok(outcome) = &result {
                    if let Some(detail) = &outcome.failure {
                        stranger_retry_after = detail.retry_after;
                    }
                }
                Some(result)
            }
            Act::Owner(act) => owner_step(
                index,
                act,
                &mut account,
                &mut owner,
                now,
                &policy,
                &mut rng,
                &mut tally,
            )?,
        };
        if let Some(result) = &result {
            refusal_changed_nothing(index, &step.act, &before, &account, result)?;
            match result {
                Err(_) => prop_assert_eq!(
                    rng.get_word_pos(),
                    drawn,
                    "step {} ({:?}): a refusal drew from the generator",
                    index,
                    step.act
                ),
                Ok(outcome) => log.extend(outcome.events.iter().cloned()),
            }
        }

        // The probes: on the account as it is (`decide` reads only) or on a copy, with their
        // own generator, so that the run goes on exactly as if nobody had looked.
        let mut probe_rng = common::rng(siege.seed ^ (index as u64 + 1).rotate_left(32));
        let probe = Probe {
            index,
            account: &account,
            owner: &owner,
            now,
            draw,
            policy: &policy,
        };
        let new_browser = decide(
            &account,
            log_in_command(&owner.eight, None, false),
            now,
            &policy,
            &mut probe_rng,
        );
        probe.owner_on_trusted_device(&new_browser, &mut probe_rng, &mut tally)?;
        probe.owner_renews_from_trusted_devices(&mut probe_rng, &mut tally)?;
        probe.owner_without_device_gets_back_in(&new_browser, &mut probe_rng, &mut tally)?;
    }
    replay_rebuilds(siege.steps.len(), &account, &log)?;
    Ok(tally)
}

fn stranger_step(
    act: Stranger,
    account: &mut Account,
    owner: &OwnerState,
    reading: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Result<Outcome, Refusal> {
    let known = owner.known();
    let command = match act {
        Stranger::LogIn8(pin, token, trust) => {
            log_in_command(&guess(&pin, &known), stranger_token(token, owner), trust)
        }
        Stranger::LogIn16(pin, token, trust) => {
            log_in_command(&guess(&pin, &known), stranger_token(token, owner), trust)
        }
        Stranger::FirstAccess16(pin, trust_device) => Command::FirstAccess {
            pin: entered(&guess(&pin, &known)),
            trust_device,
        },
        Stranger::Renew8(pin, trust_device) => Command::RenewPin {
            pin: entered(&guess(&pin, &known)),
            trust_device,
            device: None,
        },
        Stranger::Restore(contacts) => restore_command(contacts),
        Stranger::Tick => Command::Tick,
    };
    run(account, command, reading, policy, rng)
}

/// What a stranger's command may and may not give.
fn stranger_checks(
    index: usize,
    act: Stranger,
    block_after: u32,
    result: &Result<Outcome, Refusal>,
    owner: &mut OwnerState,
    tally: &mut Tally,
) -> Result<(), TestCaseError> {
    if let Stranger::LogIn8(_, TokenGuess::OwnersId(_), _)
    | Stranger::LogIn16(_, TokenGuess::OwnersId(_), _) = act
    {
        tally.add("stranger tried the owner's device id");
    }
    let outcome = match result {
        Err(refusal) => {
            tally.add(format!("stranger refused: {}", refusal.code()));
            if matches!(refusal, Refusal::RestoreLimitReached { .. }) {
                tally.add("restore cap reached");
            }
            return Ok(());
        }
        Ok(outcome) => outcome,
    };
    prop_assert!(
        !matches!(
            outcome.reply,
            Reply::LoggedIn(_) | Reply::FirstAccessCompleted(_) | Reply::PinRenewed(_)
        ),
        "step {} ({:?}): the stranger got {:?}",
        index,
        act,
        outcome.reply
    );
    prop_assert!(
        outcome.trusted_device.is_none(),
        "step {} ({:?}): the stranger's client was trusted",
        index,
        act
    );
    for delivery in outcome.deliveries() {
        prop_assert!(
            is_marios_contact(delivery.medium()),
            "step {} ({:?}): a code went to {}",
            index,
            act,
            delivery.medium()
        );
    }
    for notification in outcome.notifications() {
        prop_assert!(
            is_marios_contact(notification.to()),
            "step {} ({:?}): a notice went to {}",
            index,
            act,
            notification.to()
        );
    }
    match act {
        Stranger::LogIn8(..)
        | Stranger::LogIn16(..)
        | Stranger::FirstAccess16(..)
        | Stranger::Renew8(..) => {
            prop_assert!(
                outcome.events.len() <= 1,
                "step {} ({:?}): a guess stored {:?}",
                index,
                act,
                outcome.events
            );
            prop_assert!(
                matches!(outcome.reply, Reply::LoginFailed(_)),
                "{:?}",
                outcome.reply
            );
            prop_assert_eq!(outcome.deliveries().count(), 0);
            if let Some(detail) = &outcome.failure {
                prop_assert!(
                    detail.device.is_none(),
                    "step {} ({:?}): a stranger's guess counted in a device's lane",
                    index,
                    act
                );
                if let Some(closed) = detail.closed {
                    prop_assert!(
                        outcome.events.is_empty() && !detail.counted,
                        "step {} ({:?}): a guess turned away wrote {:?}",
                        index,
                        act,
                        outcome.events
                    );
                    tally.add(match closed {
                        LaneClosed::Delayed { .. } if detail.first_access => {
                            "stranger turned away: first access delayed"
                        }
                        LaneClosed::Delayed { .. } => "stranger turned away: delayed",
                        _ => "stranger turned away: blocked",
                    });
                }
                if detail.first_access {
                    // Its own lane: no login lane, no block, no notice (R25b).
                    prop_assert!(
                        !detail.blocks
                            && outcome.notifications().next().is_none()
                            && outcome
                                .events
                                .iter()
                                .all(|event| matches!(event, Event::FirstAccessFailed { .. })),
                        "step {} ({:?}): a wrong 16 gave {:?}",
                        index,
                        act,
                        outcome.events
                    );
                    if detail.counted {
                        tally.add("stranger's wrong 16 counted in its own lane");
                    }
                    return Ok(());
                }
                let flagged = outcome
                    .events
                    .iter()
                    .any(|event| matches!(event, Event::LoginFailed { blocks: true, .. }));
                prop_assert_eq!(
                    flagged,
                    detail.blocks,
                    "step {}: {:?}",
                    index,
                    outcome.events
                );
                let told = outcome
                    .notifications()
                    .any(|notification| matches!(notification.about(), Notice::PinBlocked));
                prop_assert_eq!(told, detail.blocks, "step {}: the block notice", index);
                // A block is told once (R25): only the guess that reaches it blocks. A wrong
                // 16 at the first access after it (no block stands before a 16) is counted
                // and tells nobody.
                if detail.blocks {
                    prop_assert_eq!(
                        detail.consecutive_failures,
                        block_after,
                        "step {} ({:?}): a guess past the block blocked again: the owner told \
                         again",
                        index,
                        act
                    );
                    tally.add("stranger blocked the anonymous lane");
                }
            }
        }
        Stranger::Restore(contacts) => {
            prop_assert_eq!(contacts, Contacts::Registered);
            prop_assert!(
                matches!(outcome.events[..], [Event::RestoreRequested { .. }]),
                "step {}: a restore stored {:?}",
                index,
                outcome.events
            );
            prop_assert_eq!(outcome.deliveries().count(), 2);
            owner.latest_restore = Some(DeliveredRestore {
                whole: whole_code(outcome),
                by_stranger: true,
            });
            tally.add("stranger's restore delivered to the owner");
        }
        Stranger::Tick => {
            prop_assert_eq!(outcome.deliveries().count(), 0);
            prop_assert!(outcome.events.len() <= 1);
        }
    }
    Ok(())
}

/// Plays one act of the owner; `None` when the act has nothing to do now.
#[allow(clippy::too_many_arguments)]
fn owner_step(
    index: usize,
    act: Owner,
    account: &mut Account,
    owner: &mut OwnerState,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
    tally: &mut Tally,
) -> Result<Option<Result<Outcome, Refusal>>, TestCaseError> {
    let result = match act {
        Owner::LogInTrusted => {
            let Some(token) = owner.tokens.last() else {
                return Ok(None);
            };
            let device = DeviceToken::parse(&token.text).unwrap();
            let result = run(
                account,
                log_in_command(&owner.eight, Some(device), true),
                now,
                policy,
                rng,
            );
            if let Ok(outcome) = &result {
                if outcome.trusted_device.is_some() {
                    tally.add("owner's client trusted again");
                }
                owner.trust(outcome, now);
            }
            result
        }
        Owner::LogInNewBrowser => run(
            account,
            log_in_command(&owner.eight, None, false),
            now,
            policy,
            rng,
        ),
        Owner::RenewTrusted => {
            let Some(token) = owner.tokens.last() else {
                return Ok(None);
            };
            let device = (token.text.clone(), token.id.clone());
            if !renewal_due(account, now, policy) {
                return Ok(None);
            }
            owner_renews(
                index,
                Some(device),
                true,
                account,
                owner,
                now,
                policy,
                rng,
                tally,
            )?
        }
        Owner::RenewNewBrowser(trust_device) => {
            if !renewal_due(account, now, policy) {
                return Ok(None);
            }
            owner_renews(
                index,
                None,
                trust_device,
                account,
                owner,
                now,
                policy,
                rng,
                tally,
            )?
        }
        Owner::RestoreWhenBlocked => {
            if account.status(now, policy) != PinStatus::Blocked {
                return Ok(None);
            }
            let result = run(account, restore_with_mario_contacts(), now, policy, rng);
            match &result {
                Ok(outcome) => {
                    prop_assert!(
                        matches!(outcome.reply, Reply::PinRestored { .. }),
                        "step {}: {:?}",
                        index,
                        outcome.reply
                    );
                    for delivery in outcome.deliveries() {
                        prop_assert!(is_marios_contact(delivery.medium()));
                    }
                    owner.latest_restore = Some(DeliveredRestore {
                        whole: whole_code(outcome),
                        by_stranger: false,
                    });
                    tally.add("owner asked for a restore");
                }
                Err(Refusal::RestoreLimitReached { .. }) => {
                    // Only while the latest restore's code still waits for him (R23a).
                    prop_assert!(
                        owner.latest_restore.is_some() && account.restore_pending(now).is_some(),
                        "step {}: the owner's restore refused at the cap with no code waiting",
                        index
                    );
                    tally.add("restore cap reached");
                    tally.add("owner's restore refused at the cap");
                }
                Err(refusal) => {
                    return Err(TestCaseError::fail(format!(
                        "step {index}: the owner's restore was refused: {refusal:?}"
                    )));
                }
            }
            result
        }
        Owner::CompleteRestore(trust_device) => {
            let Some(latest) = &owner.latest_restore else {
                return Ok(None);
            };
            if account.restore_pending(now).is_none() {
                return Ok(None);
            }
            let by_stranger = latest.by_stranger;
            // A restore asked now, on the side (its own generator: the run is not steered).
            let restore_now = |account: &Account| {
                decide(
                    account,
                    restore_with_mario_contacts(),
                    now,
                    policy,
                    &mut common::rng(index as u64),
                )
            };
            let at_the_cap = matches!(
                restore_now(account),
                Err(Refusal::RestoreLimitReached { .. })
            );
            let result = run(
                account,
                Command::FirstAccess {
                    pin: entered(&latest.whole),
                    trust_device,
                },
                now,
                policy,
                rng,
            );
            if first_access_held_back(&result, now, policy).is_some() {
                // The stranger's wrong 16s hold it back by seconds: the owner comes back later.
                tally.add("owner's first access held back by a stranger's 16s, seconds at most");
                return Ok(Some(result));
            }
            let outcome = match &result {
                Ok(outcome) if matches!(outcome.reply, Reply::FirstAccessCompleted(_)) => outcome,
                other => {
                    return Err(TestCaseError::fail(format!(
                        "step {index}: the latest restore's code gave {:?}",
                        other.as_ref().map(|o| &o.reply)
                    )));
                }
            };
            owner.eight = code_of(outcome, PinPart::Pin);
            owner.generation += 1;
            owner.latest_restore = None;
            owner.trust(outcome, now);
            tally.add("owner restored");
            if by_stranger {
                tally.add("owner used a code the stranger asked for");
            }
            if at_the_cap {
                // The cap counts the restores since the owner's last first access (R23a).
                let reopened = restore_now(account);
                prop_assert!(
                    matches!(&reopened, Ok(o) if matches!(o.reply, Reply::PinRestored { .. })),
                    "step {}: after the owner's first access the restore gave {:?}",
                    index,
                    reopened.map(|o| o.reply)
                );
                tally.add("at the cap, the owner's first access reopened restores");
            }
            result
        }
    };
    Ok(Some(result))
}

/// Whether the owner is invited to renew: from the warning days before expiry on, or after it
/// (R21, R22).
fn renewal_due(account: &Account, now: Timestamp, policy: &Policy) -> bool {
    account
        .expires_at()
        .is_some_and(|expiry| now >= plus_rome_days(expiry, -i64::from(policy.expiry_warning_days)))
}

/// The owner's guided renewal, from `device` (a token of his: its text and identifier) or from
/// a new browser. From a device the account still trusts it must go through, blocked or
/// delayed anonymous lane or not (R25a); from an unknown client it may meet the stranger's
/// block or delay, which is counted.
#[allow(clippy::too_many_arguments)]
fn owner_renews(
    index: usize,
    device: Option<(String, DeviceId)>,
    trust_device: bool,
    account: &mut Account,
    owner: &mut OwnerState,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
    tally: &mut Tally,
) -> Result<Result<Outcome, Refusal>, TestCaseError> {
    let in_device_lane = device
        .as_ref()
        .is_some_and(|(_, id)| account.trusted_devices(now, policy).contains(id));
    let blocked = account.status(now, policy) == PinStatus::Blocked;
    let result = run(
        account,
        Command::RenewPin {
            pin: entered(&owner.eight),
            device: device.map(|(text, _)| DeviceToken::parse(&text).unwrap()),
            trust_device,
        },
        now,
        policy,
        rng,
    );
    match (&result, closed(&result)) {
        (Ok(_), Some(LaneClosed::Blocked)) if !in_device_lane => {
            tally.add("owner's renewal from an unknown client: blocked");
        }
        (Ok(_), Some(LaneClosed::Delayed { .. })) if !in_device_lane => {
            tally.add("owner's renewal from an unknown client: delayed");
        }
        (Ok(outcome), _) => {
            prop_assert!(
                matches!(outcome.reply, Reply::PinRenewed(_)),
                "step {}: the owner's renewal gave {:?}",
                index,
                outcome.reply
            );
            owner.eight = code_of(outcome, PinPart::Pin);
            owner.generation += 1;
            owner.trust(outcome, now);
            tally.add("owner renewed");
            if in_device_lane {
                prop_assert!(
                    outcome.trusted_device.is_none(),
                    "step {}: a renewal from a trusted device trusted it again",
                    index
                );
                tally.add("owner renewed from the trusted device");
                if blocked {
                    tally.add("owner renewed from the trusted device while blocked");
                }
            }
        }
        (Err(refusal), _) => {
            return Err(TestCaseError::fail(format!(
                "step {index}: the owner's renewal (from a trusted device: {in_device_lane}) was \
                 refused: {refusal:?}"
            )));
        }
    }
    Ok(result)
}

// ---------------------------------------------------------------------------------------------
// The owner's checks, after every step
// ---------------------------------------------------------------------------------------------

/// What the checks after a step look at.
struct Probe<'a> {
    index: usize,
    account: &'a Account,
    owner: &'a OwnerState,
    /// The true clock.
    now: Timestamp,
    draw: &'a PolicyDraw,
    policy: &'a Policy,
}

impl Probe<'_> {
    /// R25a: every token of the owner's that the account still trusts logs in at the first
    /// try, with the 8 in use, whatever the stranger did; the skips are counted (module docs).
    fn owner_on_trusted_device(
        &self,
        new_browser: &Result<Outcome, Refusal>,
        rng: &mut ChaCha20Rng,
        tally: &mut Tally,
    ) -> Result<(), TestCaseError> {
        let Probe {
            index,
            account,
            owner,
            now,
            draw,
            policy,
        } = *self;
        let trusted = account.trusted_devices(now, policy);
        let expired = account.expires_at().is_some_and(|expiry| now >= expiry);
        let mut in_from_a_device = false;
        for (n, token) in owner.tokens.iter().enumerate() {
            if !trusted.contains(&token.id) {
                let valid_until =
                    plus_rome_days(token.trusted_at, i64::from(draw.device_valid_days));
                if now >= valid_until {
                    tally.add("skip: the device's validity ran out");
                } else {
                    prop_assert!(
                        n + 1 < owner.tokens.len(),
                        "step {}: the owner's device {} was forgotten before its time with no \
                         newer device of his to make room",
                        index,
                        token.id
                    );
                    tally.add("skip: a newer device of the owner's made room");
                }
                continue;
            }
            let device = DeviceToken::parse(&token.text).unwrap();
            let result = decide(
                account,
                log_in_command(&owner.eight, Some(device), false),
                now,
                policy,
                rng,
            );
            if expired {
                prop_assert!(
                    matches!(result, Err(Refusal::PinExpired { .. })),
                    "step {}: an expired PIN on the trusted device gave {:?}",
                    index,
                    result.map(|o| o.reply)
                );
                tally.add("skip: the PIN expired");
                continue;
            }
            let outcome = match result {
                Ok(outcome) if matches!(outcome.reply, Reply::LoggedIn(_)) => outcome,
                other => {
                    return Err(TestCaseError::fail(format!(
                        "step {index}: the owner on trusted device {} got {:?}",
                        token.id,
                        other.map(|o| o.reply)
                    )));
                }
            };
            prop_assert!(
                matches!(
                    &outcome.events[..],
                    [Event::LoggedIn { device: Some(id), .. }] if *id == token.id
                ),
                "step {}: {:?}",
                index,
                outcome.events
            );
            prop_assert!(outcome.failure.is_none() && outcome.trusted_device.is_none());
            in_from_a_device = true;
            if token.generation < owner.generation {
                tally.add("device trusted before the PIN changed, in with the new 8");
            }
        }
        if in_from_a_device {
            tally.add("owner in from trusted device");
            match closed(new_browser) {
                Some(LaneClosed::Blocked) => {
                    tally.add("owner in from trusted device while blocked");
                }
                Some(LaneClosed::Delayed { .. }) => {
                    tally.add("owner in from trusted device while delayed");
                }
                _ => {}
            }
        } else {
            tally.add("skip: no trusted device");
        }
        Ok(())
    }

    /// R21, R25a: when the PIN is due for renewal, the owner renews from every device the
    /// account still trusts at the first try, and logs in from it with the new 8, whatever the
    /// stranger did to the anonymous lane. From a new browser the renewal may meet the
    /// stranger's block or delay: counted, not failed.
    fn owner_renews_from_trusted_devices(
        &self,
        rng: &mut ChaCha20Rng,
        tally: &mut Tally,
    ) -> Result<(), TestCaseError> {
        let Probe {
            index,
            account,
            owner,
            now,
            policy,
            ..
        } = *self;
        if !renewal_due(account, now, policy) {
            return Ok(());
        }
        let renew = |device: Option<DeviceToken>| Command::RenewPin {
            pin: entered(&owner.eight),
            device,
            trust_device: false,
        };
        let from_new_browser = decide(account, renew(None), now, policy, rng);
        let (new_browser, lane) = match (&from_new_browser, closed(&from_new_browser)) {
            (_, Some(LaneClosed::Blocked)) => ("blocked", " while blocked"),
            (_, Some(LaneClosed::Delayed { .. })) => ("delayed", " while delayed"),
            (Ok(outcome), None) if matches!(outcome.reply, Reply::PinRenewed(_)) => ("renewed", ""),
            (other, _) => {
                return Err(TestCaseError::fail(format!(
                    "step {index}: the owner's renewal from a new browser got {:?}",
                    other.as_ref().map(|o| &o.reply)
                )));
            }
        };
        tally.add(format!("new browser renewal: {new_browser}"));
        let trusted = account.trusted_devices(now, policy);
        for token in owner
            .tokens
            .iter()
            .filter(|token| trusted.contains(&token.id))
        {
            let mut copy = account.clone();
            let device = || Some(DeviceToken::parse(&token.text).unwrap());
            let outcome = match run(&mut copy, renew(device()), now, policy, rng) {
                Ok(outcome) if matches!(outcome.reply, Reply::PinRenewed(_)) => outcome,
                other => {
                    return Err(TestCaseError::fail(format!(
                        "step {index}: the owner's renewal from trusted device {} got {:?}",
                        token.id,
                        other.map(|o| o.reply)
                    )));
                }
            };
            prop_assert!(
                matches!(&outcome.events[..], [Event::PinRenewed { .. }])
                    && outcome.failure.is_none()
                    && outcome.trusted_device.is_none(),
                "step {}: {:?}",
                index,
                outcome.events
            );
            let eight = code_of(&outcome, PinPart::Pin);
            prop_assert_ne!(&eight, &owner.eight);
            let login = run(
                &mut copy,
                log_in_command(&eight, device(), false),
                now,
                policy,
                rng,
            );
            prop_assert!(
                matches!(&login, Ok(o) if matches!(o.reply, Reply::LoggedIn(_))),
                "step {}: the renewed 8 on trusted device {} gave {:?}",
                index,
                token.id,
                login.map(|o| o.reply)
            );
            tally.add(format!("owner renews from trusted device{lane}"));
        }
        Ok(())
    }

    /// R23a, R25a: the owner without a device gets back in: a restore (or, at the cap, the
    /// code of an earlier one that still waits), its first access, and a login with the new 8.
    fn owner_without_device_gets_back_in(
        &self,
        new_browser: &Result<Outcome, Refusal>,
        rng: &mut ChaCha20Rng,
        tally: &mut Tally,
    ) -> Result<(), TestCaseError> {
        let Probe {
            index,
            account,
            owner,
            now,
            policy,
            ..
        } = *self;
        tally.add(match (new_browser, closed(new_browser)) {
            (_, Some(LaneClosed::Delayed { .. })) => "new browser: delayed",
            (_, Some(LaneClosed::Blocked)) => "new browser: blocked",
            (Ok(outcome), None) if matches!(outcome.reply, Reply::LoggedIn(_)) => {
                "owner in from a new browser"
            }
            (Err(Refusal::PinExpired { .. }), _) => "new browser: expired",
            (other, _) => {
                return Err(TestCaseError::fail(format!(
                    "step {index}: the owner from a new browser got {:?}",
                    other.as_ref().map(|o| &o.reply)
                )));
            }
        });
        let mut copy = account.clone();
        let whole = match run(&mut copy, restore_with_mario_contacts(), now, policy, rng) {
            Ok(outcome) => {
                prop_assert!(
                    matches!(outcome.reply, Reply::PinRestored { .. }),
                    "step {}: {:?}",
                    index,
                    outcome.reply
                );
                prop_assert_eq!(outcome.deliveries().count(), 2);
                for delivery in outcome.deliveries() {
                    prop_assert!(is_marios_contact(delivery.medium()));
                }
                whole_code(&outcome)
            }
            Err(Refusal::RestoreLimitReached { retry_after }) => {
                // The cap counts the restores since the owner's last first access, and each
                // waits for him at least as long as the window counts it (module docs).
                tally.add("restore cap reached");
                match (&owner.latest_restore, account.restore_pending(now)) {
                    (Some(latest), Some(_)) => {
                        tally.add("at the cap, an earlier code still waiting");
                        latest.whole.clone()
                    }
                    (None, Some(_)) => {
                        return Err(TestCaseError::fail(format!(
                            "step {index}: a restore's code waits that the owner never received"
                        )));
                    }
                    (_, None) => {
                        return Err(TestCaseError::fail(format!(
                            "step {index}: at the restore cap until {retry_after} with no code \
                             waiting: the owner without a device is kept out"
                        )));
                    }
                }
            }
            Err(refusal) => {
                return Err(TestCaseError::fail(format!(
                    "step {index}: the owner's restore was refused: {refusal:?}"
                )));
            }
        };
        let eight = first_access_then_log_in(index, &mut copy, &whole, now, policy, rng, tally)?;
        prop_assert_ne!(eight, owner.eight.clone());
        tally.add("owner without a device back in by a restore");
        Ok(())
    }
}

/// The first access of `whole` and a login with the 8 it gives, from a new browser: both must
/// apply, the first access once the stranger's wrong 16s' delay ended if it held the owner back
/// (seconds at most, R25b). Returns the new 8.
fn first_access_then_log_in(
    index: usize,
    account: &mut Account,
    whole: &str,
    mut now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
    tally: &mut Tally,
) -> Result<String, TestCaseError> {
    let first_access = || Command::FirstAccess {
        pin: entered(whole),
        trust_device: false,
    };
    let mut done = run(account, first_access(), now, policy, rng);
    if let Some(retry_after) = first_access_held_back(&done, now, policy) {
        tally.add("owner's first access held back by a stranger's 16s, seconds at most");
        now = retry_after;
        done = run(account, first_access(), now, policy, rng);
    }
    let done = match done {
        Ok(outcome) if matches!(outcome.reply, Reply::FirstAccessCompleted(_)) => outcome,
        other => {
            return Err(TestCaseError::fail(format!(
                "step {index}: the first access of the restore's code gave {:?}",
                other.map(|o| o.reply)
            )));
        }
    };
    let eight = code_of(&done, PinPart::Pin);
    let login = run(
        account,
        log_in_command(&eight, None, false),
        now,
        policy,
        rng,
    );
    prop_assert!(
        matches!(&login, Ok(o) if matches!(o.reply, Reply::LoggedIn(_))),
        "step {}: the new 8 from a new browser gave {:?}",
        index,
        login.map(|o| o.reply)
    );
    Ok(eight)
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

/// What the runs must reach between them, so that the property cannot pass by missing the
/// interesting cases.
const MUST_REACH: &[&str] = &[
    "stranger blocked the anonymous lane",
    "owner in from trusted device",
    "owner in from trusted device while blocked",
    "owner in from trusted device while delayed",
    "owner without a device back in by a restore",
    "owner asked for a restore",
    "owner restored",
    "owner used a code the stranger asked for",
    "owner renewed",
    "owner renewed from the trusted device",
    "owner renewed from the trusted device while blocked",
    "owner's renewal from an unknown client: blocked",
    "owner's renewal from an unknown client: delayed",
    "owner renews from trusted device",
    "owner renews from trusted device while blocked",
    "owner renews from trusted device while delayed",
    "new browser renewal: blocked",
    "new browser renewal: delayed",
    "owner's client trusted again",
    "device trusted before the PIN changed, in with the new 8",
    "restore cap reached",
    "owner's restore refused at the cap",
    "at the cap, an earlier code still waiting",
    "at the cap, the owner's first access reopened restores",
    "stranger's restore delivered to the owner",
    "stranger refused: restore.contacts_not_matching",
    "stranger turned away: blocked",
    "stranger turned away: delayed",
    "stranger's wrong 16 counted in its own lane",
    "owner's first access held back by a stranger's 16s, seconds at most",
    "stranger tried the owner's device id",
    "clock went back",
    "skip: the PIN expired",
    "skip: the device's validity ran out",
    "new browser: blocked",
    "new browser: delayed",
];

#[test]
fn r25a_r23a_a_stranger_never_keeps_the_owner_out() {
    let tally = check_property(256, siege_strategy(), siege_holds);
    // What the runs reached, for `--nocapture`.
    eprintln!("{tally:#?}");
    tally.assert_reached(MUST_REACH);
}

/// The default policy's times and counts, as a [`PolicyDraw`].
fn default_draw() -> PolicyDraw {
    let policy = policy();
    PolicyDraw {
        role: Role::Citizen,
        citizen_validity_months: policy.citizen_validity_months,
        expiry_warning_days: policy.expiry_warning_days,
        first_access_window_days: policy.first_access_window_days,
        delays_secs: vec![1, 3, 5, 10],
        block_after: policy.lockout.block_after(),
        device_block_after: policy.trusted_devices.lockout.block_after(),
        device_valid_days: policy.trusted_devices.valid_days,
        max_devices: policy.trusted_devices.max_devices,
        restore_max: policy.restore_limit.max_requests,
        restore_window_days: policy.restore_limit.window_days,
    }
}

fn stranger(wait: Wait, act: Stranger) -> Step {
    Step {
        wait,
        back: None,
        act: Act::Stranger(act),
    }
}

fn owner_does(wait: Wait, act: Owner) -> Step {
    Step {
        wait,
        back: None,
        act: Act::Owner(act),
    }
}

/// Ten wrong 8s, each at the end of the delay the one before started: the default block.
fn ten_guesses(first: u8) -> Vec<Step> {
    (first..first + 10)
        .map(|n| {
            stranger(
                Wait::PastDelay,
                Stranger::LogIn8([n; 8], TokenGuess::None, false),
            )
        })
        .collect()
}

/// The siege at its worst, under the default policy, checked after every step as the property
/// checks: the stranger blocks the anonymous lane, guesses on with the owner's public device
/// identifier and under a wrong clock, takes every restore of the week (each code goes to the
/// owner) and guesses at the restore's code. The owner on his trusted device logs in after
/// every step. Without it, he uses the latest code the stranger had sent him, which reopens
/// restores: when the stranger blocks the lane again, the owner restores at once, no week to
/// wait. Months later, in the PIN's warning days, the stranger blocks the lane a third time:
/// from a new browser the owner's renewal meets the block, from his trusted device it does
/// not.
#[test]
fn r25a_known_siege_the_stranger_blocks_and_spends_every_restore_and_the_owner_stays_in() {
    let mut steps = ten_guesses(0);
    steps.extend([
        stranger(
            Wait::Seconds(1),
            Stranger::LogIn8([1; 8], TokenGuess::OwnersId([2; 26]), true),
        ),
        Step {
            wait: Wait::Seconds(1),
            back: Some(3600),
            act: Act::Stranger(Stranger::LogIn16(
                [3; 16],
                TokenGuess::Random([4; 30]),
                true,
            )),
        },
    ]);
    steps.extend(
        (0..4).map(|_| stranger(Wait::Seconds(60), Stranger::Restore(Contacts::Registered))),
    );
    steps.extend([
        stranger(Wait::Seconds(60), Stranger::Restore(Contacts::WrongEmail)),
        stranger(Wait::Seconds(1), Stranger::FirstAccess16([5; 16], true)),
        Step {
            wait: Wait::Seconds(1),
            back: Some(DAY),
            act: Act::Stranger(Stranger::Tick),
        },
        owner_does(Wait::Seconds(60), Owner::LogInTrusted),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
        owner_does(Wait::Seconds(1), Owner::RestoreWhenBlocked),
        owner_does(Wait::Seconds(60), Owner::CompleteRestore(false)),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
    ]);
    steps.extend(ten_guesses(20));
    steps.extend([
        owner_does(Wait::Seconds(1), Owner::LogInTrusted),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
        owner_does(Wait::Seconds(1), Owner::RestoreWhenBlocked),
        owner_does(Wait::Seconds(60), Owner::CompleteRestore(true)),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
        // Within the 90 days that keep the newest device trusted, into the warning days before
        // the 6 months are over (173 days: at least 167 of them are past the warning's start).
        owner_does(Wait::RomeDays(85), Owner::LogInTrusted),
        owner_does(Wait::RomeDays(88), Owner::LogInTrusted),
    ]);
    steps.extend(ten_guesses(40));
    steps.extend([
        owner_does(Wait::Seconds(1), Owner::RenewNewBrowser(false)),
        owner_does(Wait::Seconds(1), Owner::RenewTrusted),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
    ]);
    let siege = Siege {
        seed: 25,
        policy: default_draw(),
        steps,
    };
    let tally = siege_holds(&siege).unwrap();
    eprintln!("{tally:#?}");
    // Three blocks, each by the tenth guess, each told once; the guesses after a block are
    // turned away unchecked, writing nothing and telling nobody (R25b, R30a); the wrong 16 at
    // the restore's first access, which no block stands before, is counted in that code's own
    // lane and tells nobody.
    assert_eq!(tally.get("stranger blocked the anonymous lane"), 3);
    assert_eq!(tally.get("stranger turned away: blocked"), 2);
    assert_eq!(tally.get("stranger's wrong 16 counted in its own lane"), 1);
    assert_eq!(tally.get("stranger tried the owner's device id"), 1);
    // Three restores to the owner's contacts; the fourth and the owner's own over the cap,
    // while the latest code waits for him (from the third restore to his first access).
    assert_eq!(tally.get("stranger's restore delivered to the owner"), 3);
    assert_eq!(tally.get("stranger refused: restore.limit_reached"), 1);
    assert_eq!(tally.get("owner's restore refused at the cap"), 1);
    assert_eq!(tally.get("at the cap, an earlier code still waiting"), 8);
    assert_eq!(
        tally.get("stranger refused: restore.contacts_not_matching"),
        1
    );
    assert_eq!(tally.get("clock went back"), 2);
    // The owner: in from the trusted device after every step, the blocked ones included ...
    assert_eq!(
        tally.get("owner in from trusted device"),
        siege.steps.len() as u32
    );
    assert_eq!(tally.get("owner in from trusted device while blocked"), 19);
    // ... and without it, through the stranger's code, which reopens restores, then at once
    // through his own.
    assert_eq!(tally.get("owner used a code the stranger asked for"), 1);
    assert_eq!(
        tally.get("at the cap, the owner's first access reopened restores"),
        1
    );
    assert_eq!(tally.get("owner asked for a restore"), 1);
    assert_eq!(tally.get("owner restored"), 2);
    // In the warning days: the renewal from the trusted device goes through before the guesses,
    // inside each of their delays and after the block; from a new browser only before.
    assert_eq!(tally.get("owner renews from trusted device"), 1);
    assert_eq!(
        tally.get("owner renews from trusted device while delayed"),
        9
    );
    assert_eq!(
        tally.get("owner renews from trusted device while blocked"),
        2
    );
    assert_eq!(
        tally.get("owner's renewal from an unknown client: blocked"),
        1
    );
    assert_eq!(
        tally.get("owner renewed from the trusted device while blocked"),
        1
    );
    assert_eq!(tally.get("owner renewed"), 1);
    // The setup's device keeps working with each new 8: after every step from the owner's
    // first restore (step 23) to the last login that still finds it within its 90 days (step
    // 40), 18 steps; the device trusted at the second restore, after the renewal: 2 more.
    assert_eq!(
        tally.get("device trusted before the PIN changed, in with the new 8"),
        20
    );
    assert_eq!(tally.get("skip: the device's validity ran out"), 14);
}

// ---------------------------------------------------------------------------------------------
// The rules the property found broken, each pinned on its own
// ---------------------------------------------------------------------------------------------

/// R25a: "The owner without a trusted device can always restore (R23, R23a)." The cap on
/// restores (R23a) counts the restores asked for since the owner's last first access. So: the
/// stranger asks for the week's three restores (the codes go to the owner, who uses the latest
/// and is in), then blocks the anonymous lane again with ten guesses. The owner without a
/// trusted device restores at once, no week to wait. The cap still binds the stranger: at most
/// the cap's codes per first access the owner makes.
#[test]
fn r25a_the_owner_without_a_device_can_restore_after_using_the_last_code_at_the_cap() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, day_after());
    let start = at("2026-12-01T09:00:00Z");
    let cap = rig.policy.restore_limit.max_requests;
    let mut latest = String::new();
    for n in 0..cap {
        latest = whole_code(&rig.ok(restore_with_mario_contacts(), start + secs(n.into())));
    }
    assert!(matches!(
        rig.refuse(restore_with_mario_contacts(), start + secs(30)),
        Refusal::RestoreLimitReached { .. }
    ));
    let new = rig.first_access(&latest, start + secs(60));
    rig.session(&new, start + secs(61));
    let blocked_at = hammer_until_blocked(&mut rig, &new, start + secs(120));
    assert_eq!(
        rig.account.status(blocked_at, &rig.policy),
        PinStatus::Blocked
    );
    let now = blocked_at + secs(60);
    let restored = run(
        &mut rig.account,
        restore_with_mario_contacts(),
        now,
        &rig.policy,
        &mut rig.rng,
    );
    assert!(
        matches!(&restored, Ok(o) if matches!(o.reply, Reply::PinRestored { .. })),
        "the owner without a trusted device could not restore: {:?}",
        restored.map(|o| o.reply)
    );
    // The owner's restore counts: the cap's others, then the cap again.
    for n in 1..cap {
        rig.apply(restore_with_mario_contacts(), now + secs(n.into()));
    }
    assert!(matches!(
        rig.refuse(restore_with_mario_contacts(), now + secs(30)),
        Refusal::RestoreLimitReached { .. }
    ));
}

/// R25a: "failures from unknown clients delay and block only unknown clients, never the
/// owner's trusted device". A renewal presents the client's device token as a login does and
/// is counted in the device's lane. In the warning days the owner, whose anonymous lane a
/// stranger blocked, renews from his trusted device, and the new 8 works; from a new browser
/// the same renewal meets the block, which only a restore lifts.
#[test]
fn r25a_the_owner_renews_from_the_trusted_device_while_a_stranger_blocks_the_anonymous_lane() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, day_after());
    // The day before expiry, in the warning window, the owner logs in and trusts the device;
    // then the stranger blocks the anonymous lane.
    let due = plus_rome_days(rig.expiry(), -1);
    let trusted = rig.ok(log_in_command(&code, None, true), due - secs(3600));
    let token = trusted.trusted_device.unwrap().expose().to_owned();
    let device = || Some(DeviceToken::parse(&token).unwrap());
    let blocked_at = hammer_until_blocked(&mut rig, &code, due);
    let renew = |device: Option<DeviceToken>| Command::RenewPin {
        pin: entered(&code),
        device,
        trust_device: false,
    };
    // From a new browser, the renewal is an unknown client's: blocked, and turned away
    // unchecked with a wrong PIN's answer (R25b, R30a).
    assert_eq!(rig.turn_away(renew(None), blocked_at), LaneClosed::Blocked);
    // From the trusted device the owner is in (R25a) ...
    logged_in(&rig.ok(log_in_command(&code, device(), false), blocked_at));
    // ... and the renewal the warning invites him to make is his too.
    let renewed = run(
        &mut rig.account,
        renew(device()),
        blocked_at,
        &rig.policy,
        &mut rig.rng,
    );
    let renewed = match renewed {
        Ok(outcome) if matches!(outcome.reply, Reply::PinRenewed(_)) => outcome,
        other => panic!(
            "the owner's renewal from his trusted device met the stranger's block: {:?}",
            other.map(|o| o.reply)
        ),
    };
    assert!(renewed.failure.is_none() && renewed.trusted_device.is_none());
    let eight = code_of(&renewed, PinPart::Pin);
    logged_in(&rig.ok(
        log_in_command(&eight, device(), false),
        blocked_at + secs(1),
    ));
}

/// R25, R25b: the block notice "tells the owner early that someone is guessing", once. Once
/// blocked, a login or a renewal is turned away before any PIN is checked, but a first access
/// is not: no login lane's delay or block stands before a 16, so that the owner's way back
/// never waits. Where no 16 waits, a wrong 16 has nothing to be counted against: nothing is
/// written. Where a restore's 16 waits, each wrong 16 is counted in that code's own lane, which
/// slows the next by seconds and never blocks; either way the login lanes stay as they were,
/// still blocked, and nobody is told again.
#[test]
fn r25_r25b_the_owner_hears_of_a_block_once_however_many_16s_a_stranger_types() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, day_after());
    let blocked_at = hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    let block_after = rig.policy.lockout.block_after();
    for n in 0..5 {
        let outcome = rig.ok(
            Command::FirstAccess {
                pin: entered(NO_SIXTEEN_YET),
                trust_device: false,
            },
            blocked_at + secs(n),
        );
        login_failure(&outcome);
        assert_eq!(outcome.events, [], "no 16 waits: nothing to count");
        assert_eq!(notices(&outcome), []);
        assert_eq!(rig.account.consecutive_failures(), block_after);
    }
    let restored = rig.ok(restore_with_mario_contacts(), blocked_at + secs(10));
    let mut now = blocked_at + secs(10);
    for n in 1..=5u32 {
        let outcome = rig.ok(
            Command::FirstAccess {
                pin: entered(NO_SIXTEEN_YET),
                trust_device: false,
            },
            now,
        );
        login_failure(&outcome);
        assert_eq!(outcome.events, [Event::FirstAccessFailed { at: now }]);
        let detail = outcome.failure.as_ref().unwrap();
        assert!(detail.first_access && detail.counted && !detail.blocks);
        assert_eq!(detail.consecutive_failures, n);
        assert_eq!(
            notices(&outcome),
            [],
            "wrong 16 number {n} after the block told the owner again"
        );
        assert_eq!(rig.account.consecutive_failures(), block_after);
        now = detail.retry_after.expect("a wrong 16 slows the next");
    }
    assert_eq!(rig.account.wrong_first_accesses(), 5);
    assert_eq!(rig.account.status(now, &rig.policy), PinStatus::Blocked);
    // The owner's code still opens, at once: the lane slows, never blocks.
    rig.first_access(&whole_code(&restored), now);
    rig.check_replay();
}
