//! The siege of `properties_strangers.rs` and `r25a_siege.rs`: a stranger who knows all that
//! is not secret about Mario, and the owner who holds his codes, step by step, with the checks
//! made after every step (the module docs of `properties_strangers.rs` list them). The
//! strategies that draw a run are in `strategies.rs`.
#![allow(dead_code)] // each test file uses a different part

mod strategies;
#[allow(unused_imports)] // the property uses it, the known siege does not
pub(crate) use strategies::siege_strategy;

use crate::common::lifecycle_run::{Contacts, DAY, alphabet_code, owner, restore_command};
use crate::common::scenario::*;
use crate::common::*;
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
pub(crate) enum TokenGuess {
    None,
    Random([u8; 30]),
    OwnersId([u8; 26]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stranger {
    LogIn8([u8; 8], TokenGuess, bool),
    LogIn16([u8; 16], TokenGuess, bool),
    FirstAccess16([u8; 16], bool),
    Renew8([u8; 8], bool),
    Restore(Contacts),
    /// The service's clock, which the stranger's traffic also drives.
    Tick,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
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
pub(crate) enum Act {
    Stranger(Stranger),
    Owner(Owner),
}

/// How the service's clock moves before a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
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
pub(crate) struct Step {
    pub(crate) wait: Wait,
    /// A wrong clock: the stranger's command (or tick) is read this many seconds before the
    /// previous reading. The true clock goes on from where it was.
    pub(crate) back: Option<u32>,
    pub(crate) act: Act,
}

/// The policy of a run: the default with every time and count R23a and R25a depend on drawn.
#[derive(Clone, Debug)]
pub(crate) struct PolicyDraw {
    pub(crate) role: Role,
    pub(crate) citizen_validity_months: u8,
    pub(crate) expiry_warning_days: u16,
    pub(crate) first_access_window_days: u16,
    pub(crate) delays_secs: Vec<u32>,
    pub(crate) block_after: u32,
    pub(crate) device_block_after: u32,
    pub(crate) device_valid_days: u16,
    pub(crate) max_devices: u8,
    pub(crate) restore_max: u8,
    pub(crate) restore_window_days: u16,
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
pub(crate) struct Siege {
    pub(crate) seed: u64,
    pub(crate) policy: PolicyDraw,
    pub(crate) steps: Vec<Step>,
}

pub(crate) const MAX_STEPS: usize = 40;

// ---------------------------------------------------------------------------------------------
// What the owner holds
// ---------------------------------------------------------------------------------------------

/// A device token the owner's client keeps.
pub(crate) struct OwnedToken {
    text: String,
    id: DeviceId,
    /// When it was trusted, on the true clock.
    trusted_at: Timestamp,
    /// How many times the owner had replaced the PIN when it was trusted.
    generation: u32,
}

/// The latest restore's code, as delivered to the owner's contacts.
pub(crate) struct DeliveredRestore {
    whole: String,
    by_stranger: bool,
}

pub(crate) struct OwnerState {
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
pub(crate) fn guess(indices: &[u8], known: &[String]) -> String {
    let mut code = alphabet_code(indices);
    while known.contains(&code) {
        code = near_miss(&code);
    }
    code
}

pub(crate) fn stranger_token(guess: TokenGuess, owner: &OwnerState) -> Option<DeviceToken> {
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
pub(crate) fn closed(result: &Result<Outcome, Refusal>) -> Option<LaneClosed> {
    result
        .as_ref()
        .ok()
        .and_then(|outcome| outcome.failure.as_ref())
        .and_then(|failure| failure.closed)
}

/// The end of the first-access lane's delay that turned `result` away, if it did and it ends
/// within the policy's longest wait after `now` (R25b: seconds, never a block).
pub(crate) fn first_access_held_back(
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

pub(crate) fn log_in_command(
    pin: &str,
    device: Option<DeviceToken>,
    trust_device: bool,
) -> Command {
    Command::LogIn {
        pin: entered(pin),
        device,
        trust_device,
    }
}

pub(crate) fn is_marios_contact(medium: &Medium) -> bool {
    match medium {
        Medium::Email(email) => *email == mario_email(),
        Medium::Sms(mobile) => *mobile == mario_mobile(),
        _ => false,
    }
}

pub(crate) fn decide(
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

pub(crate) fn siege_holds(siege: &Siege) -> Result<Tally, TestCaseError> {
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
        let mut probe_rng = crate::common::rng(siege.seed ^ (index as u64 + 1).rotate_left(32));
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

pub(crate) fn stranger_step(
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
pub(crate) fn stranger_checks(
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
pub(crate) fn owner_step(
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
                    &mut crate::common::rng(index as u64),
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
pub(crate) fn renewal_due(account: &Account, now: Timestamp, policy: &Policy) -> bool {
    account
        .expires_at()
        .is_some_and(|expiry| now >= plus_rome_days(expiry, -i64::from(policy.expiry_warning_days)))
}

/// The owner's guided renewal, from `device` (a token of his: its text and identifier) or from
/// a new browser. From a device the account still trusts it must go through, blocked or
/// delayed anonymous lane or not (R25a); from an unknown client it may meet the stranger's
/// block or delay, which is counted.
#[allow(clippy::too_many_arguments)]
pub(crate) fn owner_renews(
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
pub(crate) struct Probe<'a> {
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
pub(crate) fn first_access_then_log_in(
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
