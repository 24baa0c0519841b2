//! Properties of sieges on an account: R25 (a stranger can never keep the owner out for good),
//! R25b (a guess a closed lane turns away writes nothing; a wrong 16 slows the owner's first
//! access by seconds at most) and R30a (a stranger reads a wrong PIN's answer throughout).
//!
//! The runs are played by `tests/common/lifecycle_run.rs`; failure persistence is off, and a
//! counterexample worth keeping becomes a test in `tests/properties_counterexamples.rs`.

mod common;

use common::lifecycle_run::*;
use common::scenario::*;
use common::*;
use inps_pin::{
    Account, Command, LaneClosed, PIN_ALPHABET, PinPart, PinStatus, Refusal, Reply, Role,
};
use jiff::SignedDuration;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// ---------------------------------------------------------------------------------------------
// R25: whatever a stranger did, the owner who restores gets back in
// ---------------------------------------------------------------------------------------------

/// What a stranger tries against Mario's account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attack {
    LogIn8([u8; 8]),
    LogIn16([u8; 16]),
    FirstAccess16([u8; 16]),
    Renew8([u8; 8]),
    /// The service's clock, in between.
    Tick,
}

#[derive(Clone, Debug)]
struct Siege {
    seed: u64,
    policy: PolicyKind,
    role: Role,
    /// For a sunset run, seconds after 2020-01-01 at which the PIN is issued (before the
    /// cut-off of 1 October 2020).
    start_offset: u32,
    via: Via,
    /// Whether the owner completed the first access before the siege.
    first_access_done: bool,
    attacks: Vec<(Wait, Attack)>,
    /// The wait between the last attack and the restore: up to about two years, so that some
    /// sunset runs restore after the retirement.
    then: Wait,
}

fn attack_wait_strategy() -> impl Strategy<Value = Wait> {
    prop_oneof![
        4 => Just(Wait::Seconds(0)),
        6 => (1..=12u32).prop_map(Wait::Seconds),
        1 => (0..=DAY).prop_map(Wait::Seconds),
        1 => (0..=MAX_WAIT_SECONDS).prop_map(Wait::Seconds),
        1 => Just(Wait::ToDeadline),
        1 => Just(Wait::JustBeforeDeadline),
    ]
}

fn attack_strategy() -> impl Strategy<Value = Attack> {
    let alphabet = || 0..PIN_ALPHABET.len() as u8;
    prop_oneof![
        6 => prop::array::uniform8(alphabet()).prop_map(Attack::LogIn8),
        1 => prop::array::uniform16(alphabet()).prop_map(Attack::LogIn16),
        2 => prop::array::uniform16(alphabet()).prop_map(Attack::FirstAccess16),
        1 => prop::array::uniform8(alphabet()).prop_map(Attack::Renew8),
        1 => Just(Attack::Tick),
    ]
}

fn siege_strategy() -> impl Strategy<Value = Siege> {
    let via = prop_oneof![
        Just(Via::Online),
        Just(Via::ContactCenterMobile),
        Just(Via::SedeValidDocument),
    ];
    (
        any::<u64>(),
        policy_kind_strategy(),
        role_strategy(),
        0..270 * DAY,
        via,
        any::<bool>(),
        prop::collection::vec((attack_wait_strategy(), attack_strategy()), 0..40),
        prop_oneof![
            attack_wait_strategy(),
            (0..=800 * DAY).prop_map(Wait::Seconds),
        ],
    )
        .prop_map(
            |(seed, policy, role, start_offset, via, first_access_done, attacks, then)| Siege {
                seed,
                policy,
                role,
                start_offset,
                via,
                first_access_done,
                attacks,
                then,
            },
        )
}

fn r25_holds(siege: &Siege) -> Result<Tally, TestCaseError> {
    let policy = policy_of(siege.policy);
    let mut rng = rng(siege.seed);
    let mut tally = Tally::default();
    let mut now = start_of(siege.policy, siege.start_offset);
    let mut account = Account::new(mario_cf());
    let issued = request(
        &mut account,
        owner(siege.role),
        channel(siege.via),
        now,
        &policy,
        &mut rng,
    );
    let mut known = vec![whole_code(&issued)];
    if siege.first_access_done {
        now += SignedDuration::from_hours(1);
        let done = first_access(&mut account, entered(&known[0]), now, &policy, &mut rng);
        known.push(code_of(&done, PinPart::Pin));
    }

    for (n, &(wait, attack)) in siege.attacks.iter().enumerate() {
        now = advance(now, wait, account.poll_deadline(&policy));
        let guess = |indices: &[u8]| {
            let mut code = alphabet_code(indices);
            while known.contains(&code) {
                code = near_miss(&code);
            }
            entered(&code)
        };
        let command = match attack {
            Attack::LogIn8(c) => Command::LogIn {
                pin: guess(&c),
                device: None,
                trust_device: false,
            },
            Attack::LogIn16(c) => Command::LogIn {
                pin: guess(&c),
                device: None,
                trust_device: false,
            },
            Attack::FirstAccess16(c) => Command::FirstAccess {
                pin: guess(&c),
                trust_device: false,
            },
            Attack::Renew8(c) => Command::RenewPin {
                pin: guess(&c),
                trust_device: false,
                device: None,
            },
            Attack::Tick => Command::Tick,
        };
        let result = run(&mut account, command, now, &policy, &mut rng);
        match &result {
            Ok(outcome) => {
                prop_assert!(
                    matches!(outcome.reply, Reply::LoginFailed(_) | Reply::TimeApplied),
                    "attack {}: a stranger got {:?}",
                    n,
                    outcome.reply
                );
                prop_assert!(outcome.deliveries().next().is_none());
                for event in &outcome.events {
                    tally.add(event_key(event));
                }
                if let Some(closed) = outcome.failure.as_ref().and_then(|failure| failure.closed) {
                    prop_assert!(
                        outcome.events.is_empty(),
                        "attack {}: turned away, yet wrote {:?}",
                        n,
                        outcome.events
                    );
                    tally.add(match closed {
                        LaneClosed::Delayed { .. } => "turned_away:delayed",
                        _ => "turned_away:blocked",
                    });
                }
            }
            Err(refusal) => tally.add(refusal_key(refusal)),
        }
    }
    if account.status(now, &policy) == PinStatus::Blocked {
        tally.add("blocked before the restore");
    }
    if account.consecutive_failures() > 0 {
        tally.add("failures before the restore");
    }

    now = advance(now, siege.then, account.poll_deadline(&policy));
    let retired = is_retired(&policy, now);
    // The owner's way back: the 16 they hold, if the first access is still to do (no block
    // stands before it); else a restore, whose 16 waits beside the PIN (R23a).
    let sixteen = if siege.first_access_done {
        let restored = run(
            &mut account,
            restore_command(Contacts::Registered),
            now,
            &policy,
            &mut rng,
        );
        let restored = match restored {
            Err(Refusal::PinsRetired { .. }) if retired => {
                tally.add("retired");
                return Ok(tally);
            }
            Err(refusal) => {
                return Err(TestCaseError::fail(format!(
                    "the owner's restore at {now} was refused: {refusal:?}"
                )));
            }
            Ok(outcome) => outcome,
        };
        prop_assert!(!retired, "a restore after the retirement applied");
        prop_assert!(
            matches!(restored.reply, Reply::PinRestored { .. }),
            "{:?}",
            restored.reply
        );
        prop_assert!(account.restore_pending(now).is_some());
        // Halves to the two registered contacts (R23).
        let media: Vec<String> = restored
            .deliveries()
            .map(|d| format!("{:?} {}", d.part(), d.medium()))
            .collect();
        prop_assert_eq!(media.len(), 2, "{:?}", media);
        whole_code(&restored)
    } else {
        known[0].clone()
    };

    let mut first = run(
        &mut account,
        Command::FirstAccess {
            pin: entered(&sixteen),
            trust_device: false,
        },
        now,
        &policy,
        &mut rng,
    );
    // The stranger's wrong 16s may hold the owner's first access back by their lane's delay,
    // seconds at most, never longer (R25b): the owner tries again when it ends.
    if let Ok(outcome) = &first {
        if let Some(LaneClosed::Delayed { retry_after }) =
            outcome.failure.as_ref().and_then(|failure| failure.closed)
        {
            let longest = policy
                .first_access_delays
                .longest_secs()
                .map_or(0, i64::from);
            prop_assert!(
                now.duration_until(retry_after) <= SignedDuration::from_secs(longest),
                "the owner's first access was held back from {} to {}",
                now,
                retry_after
            );
            tally.add("owner slowed at the first access");
            now = retry_after;
            first = run(
                &mut account,
                Command::FirstAccess {
                    pin: entered(&sixteen),
                    trust_device: false,
                },
                now,
                &policy,
                &mut rng,
            );
        }
    }
    let first = match first {
        Ok(outcome) if matches!(outcome.reply, Reply::FirstAccessCompleted(_)) => outcome,
        // The owner let the 16 they hold lapse, or the sunset came: a new request follows,
        // which nothing of the siege stands in the way of.
        Err(Refusal::FirstPinLapsed { .. }) if !siege.first_access_done => {
            tally.add("lapsed");
            return Ok(tally);
        }
        Err(Refusal::PinsRetired { .. }) if retired => {
            tally.add("retired");
            return Ok(tally);
        }
        other => {
            return Err(TestCaseError::fail(format!(
                "the owner's first access after the siege gave {:?}",
                other.map(|o| o.reply)
            )));
        }
    };
    prop_assert_eq!(account.consecutive_failures(), 0);
    let eight = code_of(&first, PinPart::Pin);
    let login = run(
        &mut account,
        Command::LogIn {
            pin: entered(&eight),
            device: None,
            trust_device: false,
        },
        now,
        &policy,
        &mut rng,
    );
    match login {
        Ok(outcome) if matches!(outcome.reply, Reply::LoggedIn(_)) => {}
        other => {
            return Err(TestCaseError::fail(format!(
                "the login after the restore gave {:?}",
                other.map(|o| o.reply)
            )));
        }
    }
    tally.add("owner back in");
    Ok(tally)
}

#[test]
fn r25_the_owner_who_restores_can_always_log_in() {
    let tally = check_property(128, siege_strategy(), r25_holds);
    tally.assert_reached(&[
        "owner back in",
        "retired",
        "blocked before the restore",
        "failures before the restore",
        "turned_away:delayed",
        "turned_away:blocked",
        "event:login_failed_blocking",
        "event:first_access_failed",
        "owner slowed at the first access",
    ]);
}

/// The siege at its worst, fixed: ten wrong PINs block the account, two more tries are turned
/// away unchecked, and the restore at the same instant lets the owner in.
#[test]
fn r25_known_siege_blocks_then_the_owner_restores() {
    let attacks = (0..12)
        .map(|n| (Wait::Seconds(11), Attack::LogIn8([n; 8])))
        .collect();
    let siege = Siege {
        seed: 25,
        policy: PolicyKind::Default,
        role: Role::Citizen,
        start_offset: 0,
        via: Via::Online,
        first_access_done: true,
        attacks,
        then: Wait::Seconds(0),
    };
    let tally = r25_holds(&siege).unwrap();
    assert_eq!(tally.get("event:login_failed_blocking"), 1);
    assert_eq!(tally.get("turned_away:blocked"), 2);
    assert_eq!(tally.get("blocked before the restore"), 1);
    assert_eq!(tally.get("owner back in"), 1);
}
