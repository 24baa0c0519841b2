//! R25b: guessing is bounded work, and a guess at a 16 disturbs nothing.
//!
//! Every kind of guess (a login, a first access with 16 characters, a renewal) costs the
//! account at most bounded work in a window: while a delay or a block is in force, a further
//! guess runs no Argon2 and writes no event. A PIN of a length no stored code has is checked
//! against no hash. A wrong 16 typed at a first access is counted in the lane of the 16 that
//! waits (the issued one, or a restore's): it slows further first accesses by seconds and never
//! blocks them, and it touches no login lane, no failure count of the PIN in use and no session.
//!
//! Argon2 runs are counted with `EnteredPin::verifications`, events in the outcomes: no timing.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

fn log_in(pin: &str) -> Command {
    Command::LogIn {
        pin: entered(pin),
        device: None,
        trust_device: false,
    }
}

fn renew(pin: &str) -> Command {
    Command::RenewPin {
        pin: entered(pin),
        trust_device: false,
        device: None,
    }
}

fn first_access_with(pin: &str) -> Command {
    Command::FirstAccess {
        pin: entered(pin),
        trust_device: false,
    }
}

/// A wrong 16, never a code the crate issued in these tests.
const WRONG_16: &str = "ZZZZZZZZZZZZZZZZ";

/// Mario with an 8 in use, a session opened with it, and a restore's 16 waiting beside it:
/// the rig, the 8, the session and the waiting 16.
fn with_restore_waiting(now: Timestamp) -> (Rig, String, Session, String) {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let session = rig.session(&code, now);
    let restored = rig.ok(restore_with_mario_contacts(), now);
    (rig, code, session, whole_code(&restored))
}

// ---------------------------------------------------------------------------------------------
// A closed lane runs nothing and writes nothing

#[test]
fn r25b_inside_a_delay_a_login_or_renewal_runs_no_argon2_and_writes_no_event() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let (outcome, runs) = rig.ok_verifying(log_in("ZZZZZZZZ"), now);
    assert_eq!(
        (outcome.events.len(), runs),
        (1, 1),
        "the first guess is checked"
    );
    // A thousand more inside the 1 s delay, right PIN and wrong, login and renewal: nothing.
    let version = rig.account.version();
    for n in 0..1_000 {
        let command = match n % 3 {
            0 => log_in(&code),
            1 => log_in("ZZZZZZZZ"),
            _ => renew(&code),
        };
        let (outcome, runs) = rig.ok_verifying(command, now + SignedDuration::from_millis(n));
        assert_eq!(runs, 0, "guess {n} ran Argon2");
        assert_eq!(
            turned_away(&outcome),
            LaneClosed::Delayed {
                retry_after: now + secs(1)
            }
        );
    }
    assert_eq!(rig.account.version(), version, "nothing was written");
    assert_eq!(rig.account.consecutive_failures(), 1);
    rig.check_replay();
}

#[test]
fn r25b_once_blocked_a_login_or_renewal_runs_no_argon2_and_writes_no_event() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let blocked_at = hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    let version = rig.account.version();
    for n in 0..1_000i64 {
        let command = if n % 2 == 0 {
            log_in(&code)
        } else {
            renew(&code)
        };
        let (outcome, runs) = rig.ok_verifying(command, blocked_at + secs(n * 60));
        assert_eq!(runs, 0);
        assert_eq!(turned_away(&outcome), LaneClosed::Blocked);
        assert_eq!(outcome.notifications().count(), 0, "the block is told once");
    }
    assert_eq!(rig.account.version(), version);
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// A PIN of a length no code has

#[test]
fn r25b_a_pin_of_a_length_no_stored_code_has_runs_no_argon2() {
    // An 8 in use: a 16 at a login or a renewal cannot match it.
    let mut rig = Rig::with_policy(&person(), policy_without_lockout());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let (outcome, runs) = rig.ok_verifying(log_in(WRONG_16), now);
    assert_eq!(runs, 0, "a 16 checked against the 8's hash");
    // Still a guess like any other: counted, and answered as a wrong PIN.
    assert_eq!(failure_count(&outcome), 1);
    assert_eq!(outcome.events.len(), 1);
    let warned = at("2027-05-20T09:00:00Z");
    let (outcome, runs) = rig.ok_verifying(renew(WRONG_16), warned);
    assert_eq!(runs, 0, "a 16 checked against the 8's hash at a renewal");
    login_failure(&outcome);
    // The 8 of the right length is checked, once.
    let (outcome, runs) = rig.ok_verifying(log_in(&code), warned);
    logged_in(&outcome);
    assert_eq!(runs, 1);

    // A 16 waiting for its first access, no first half kept (R9a off): an 8 cannot match.
    let mut rig = Rig::with_policy(&person(), policy_without_lockout());
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let (outcome, runs) = rig.ok_verifying(log_in(&whole[..8]), day_after());
    assert_eq!(runs, 0, "an 8 checked against the 16's hash");
    login_failure(&outcome);
    // Where the policy keeps the first half's hash, the 8 is checked against it, once.
    let mut rig = Rig::with_policy(&person(), accepting_first_half(policy_without_lockout()));
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let (outcome, runs) = rig.ok_verifying(log_in(&whole[..8]), day_after());
    logged_in(&outcome);
    assert_eq!(runs, 1);
}

#[test]
fn r25b_r9a_the_first_half_is_checked_only_where_it_opens_a_session() {
    // The policy keeps the first half's hash (R9a), which only a login may check: a renewal
    // with the first half alone, before the first access, checks no hash and is a wrong PIN.
    let mut rig = Rig::with_policy(&person(), accepting_first_half(policy_without_lockout()));
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let (outcome, runs) = rig.ok_verifying(renew(&whole[..8]), day_after());
    assert_eq!(runs, 0, "the first half checked at a renewal");
    assert_eq!(failure_count(&outcome), 1);
    let (outcome, runs) = rig.ok_verifying(log_in(&whole[..8]), day_after());
    logged_in(&outcome);
    assert_eq!(runs, 1);
}

// ---------------------------------------------------------------------------------------------
// The first access's own lane

#[test]
fn r25b_a_burst_of_wrong_16s_at_a_first_access_costs_one_check_and_one_event_per_delay() {
    let now = at("2026-12-01T09:00:00Z");
    let (mut rig, _code, _session, waiting) = with_restore_waiting(now);
    let version = rig.account.version();
    // A thousand wrong 16s at the same instant: the first is checked and counted, the rest
    // are turned away by the 1 s delay it starts.
    let mut runs_total = 0;
    for _ in 0..1_000 {
        let (outcome, runs) = rig.ok_verifying(first_access_with(WRONG_16), now);
        login_failure(&outcome);
        runs_total += runs;
    }
    assert_eq!(runs_total, 1);
    assert_eq!(rig.account.version(), version + 1);
    assert_eq!(rig.account.wrong_first_accesses(), 1);
    // At one guess a second for ten minutes: one check per step of the ladder (1, 2, then
    // 5 s), never more.
    let mut at_second = now;
    let mut counted = Vec::new();
    for second in 1..=600 {
        at_second = now + secs(second);
        let (outcome, runs) = rig.ok_verifying(first_access_with(WRONG_16), at_second);
        assert_eq!(runs, outcome.events.len() as u32);
        if !outcome.events.is_empty() {
            assert_eq!(outcome.events, [Event::FirstAccessFailed { at: at_second }]);
            counted.push(second);
        }
    }
    // Counted at 1 s (after the first delay of 1 s), 3 s (2 s), then every 5 s.
    let expected: Vec<i64> = [1, 3].into_iter().chain((8..=600).step_by(5)).collect();
    assert_eq!(counted, expected);
    assert_eq!(
        rig.account.wrong_first_accesses(),
        1 + expected.len() as u32
    );
    // The lane only slows: the owner's code opens as soon as the delay ends.
    assert!(at_second < now + secs(603));
    let delay_end = now + secs(expected.last().unwrap() + 5);
    let (done, runs) = rig.ok_verifying(first_access_with(&waiting), delay_end);
    assert!(
        matches!(done.reply, Reply::FirstAccessCompleted(_)),
        "{:?}",
        done.reply
    );
    assert_eq!(runs, 1);
    assert_eq!(rig.account.wrong_first_accesses(), 0);
    rig.check_replay();
}

#[test]
fn r25b_the_first_access_lane_never_blocks() {
    // Far past any login block count, the right 16 still opens once the short delay ends.
    let mut policy = policy();
    policy.first_access_delays = DelayLadder::new(vec![1]).unwrap();
    let mut rig = Rig::with_policy(&person(), policy);
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let mut now = day_after();
    for _ in 0..=MAX_BLOCK_AFTER {
        let outcome = rig.ok(first_access_with(WRONG_16), now);
        let detail = outcome.failure.as_ref().unwrap();
        assert!(detail.first_access && detail.counted && !detail.blocks);
        assert_eq!(outcome.notifications().count(), 0);
        now += secs(1);
    }
    assert_eq!(rig.account.wrong_first_accesses(), MAX_BLOCK_AFTER + 1);
    assert!(matches!(
        rig.account.status(now, &rig.policy),
        PinStatus::AwaitingFirstAccess { .. }
    ));
    rig.first_access(&whole, now);
    rig.check_replay();
}

#[test]
fn r25b_a_wrong_16_touches_no_login_lane_no_pin_in_use_and_no_session() {
    let now = at("2026-12-01T09:00:00Z");
    let (mut rig, code, session, waiting) = with_restore_waiting(now);
    // One wrong 8 in the anonymous lane, and a trusted device with one wrong 8 in its own.
    let trusted = rig.ok(
        Command::LogIn {
            pin: entered(&code),
            device: None,
            trust_device: true,
        },
        now,
    );
    let token = trusted.trusted_device.as_ref().unwrap().expose().to_owned();
    let device = || Some(DeviceToken::parse(&token).unwrap());
    rig.apply(log_in("ZZZZZZZZ"), now);
    rig.apply(
        Command::LogIn {
            pin: entered("ZZZZZZZZ"),
            device: device(),
            trust_device: false,
        },
        now,
    );
    let anonymous_before = rig.account.consecutive_failures();
    let devices_before = rig.account.trusted_devices(now, &rig.policy);
    let mut later = now + secs(60);
    for _ in 0..20 {
        let outcome = rig.ok(first_access_with(WRONG_16), later);
        assert!(outcome.effects.is_empty(), "{:?}", outcome.effects);
        assert_eq!(outcome.sessions_to_end(), None);
        assert!(outcome.failure.as_ref().unwrap().first_access);
        later += secs(10);
    }
    assert_eq!(rig.account.consecutive_failures(), anonymous_before);
    assert_eq!(
        rig.account.trusted_devices(later, &rig.policy),
        devices_before
    );
    assert_eq!(
        rig.account.check_session(&session, later, &rig.policy),
        Ok(())
    );
    // The PIN in use still works, at once, from a new browser and from the device: no login
    // lane is delayed by the wrong 16s (the wrong 8s' delays are long over).
    logged_in(&rig.log_in(&code, later));
    logged_in(&rig.ok(
        Command::LogIn {
            pin: entered(&code),
            device: device(),
            trust_device: false,
        },
        later,
    ));
    // And the owner's 16 opens.
    rig.first_access(&waiting, later);
    rig.check_replay();
}

#[test]
fn r25b_a_wrong_16_while_the_login_lane_is_blocked_is_counted_apart_and_blocks_nothing_more() {
    let now = at("2026-12-01T09:00:00Z");
    let (mut rig, code, session, waiting) = with_restore_waiting(now);
    let blocked_at = hammer_until_blocked(&mut rig, &code, now + secs(1));
    let block_after = rig.policy.lockout.block_after();
    let outcome = rig.ok(first_access_with(WRONG_16), blocked_at);
    assert_eq!(
        outcome.events,
        [Event::FirstAccessFailed { at: blocked_at }]
    );
    assert_eq!(rig.account.consecutive_failures(), block_after);
    assert_eq!(outcome.notifications().count(), 0);
    assert_eq!(
        rig.account.check_session(&session, blocked_at, &rig.policy),
        Ok(())
    );
    // Inside its delay, the owner's own code is turned away too, for a second at most.
    assert_eq!(
        rig.turn_away(first_access_with(&waiting), blocked_at),
        LaneClosed::Delayed {
            retry_after: blocked_at + secs(1)
        }
    );
    rig.first_access(&waiting, blocked_at + secs(1));
    rig.check_replay();
}

#[test]
fn r25b_where_no_16_waits_a_first_access_runs_nothing_and_writes_nothing() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let version = rig.account.version();
    for n in 0..100 {
        let (outcome, runs) = rig.ok_verifying(first_access_with(WRONG_16), now + secs(n));
        assert_eq!(runs, 0);
        login_failure(&outcome);
        assert!(outcome.events.is_empty());
        let detail = outcome.failure.as_ref().unwrap();
        assert!(detail.first_access && !detail.counted && detail.closed.is_none());
    }
    assert_eq!(rig.account.version(), version);
    logged_in(&rig.log_in(&code, now));
}

#[test]
fn r25b_a_new_code_starts_its_own_lane() {
    let now = at("2026-12-01T09:00:00Z");
    let (mut rig, _code, _session, _waiting) = with_restore_waiting(now);
    rig.apply(first_access_with(WRONG_16), now);
    assert_eq!(rig.account.wrong_first_accesses(), 1);
    // A new restore's 16 replaces the waiting one: its lane is empty, no delay stands.
    let restored = rig.ok(restore_with_mario_contacts(), now);
    assert_eq!(rig.account.wrong_first_accesses(), 0);
    rig.first_access(&whole_code(&restored), now);
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// Property: whatever a stranger sends, at whatever pace, the work is bounded

/// What a stranger sends.
#[derive(Clone, Copy, Debug)]
enum Guess {
    LogIn8,
    LogIn16,
    FirstAccess16,
    Renew8,
    /// A restore with the registered contacts (which are no secret): a new waiting 16.
    Restore,
}

fn guess_strategy() -> impl Strategy<Value = Guess> {
    prop_oneof![
        4 => Just(Guess::LogIn8),
        1 => Just(Guess::LogIn16),
        4 => Just(Guess::FirstAccess16),
        2 => Just(Guess::Renew8),
        1 => Just(Guess::Restore),
    ]
}

/// When a lane accepts its next check, from its count and last counted failure.
fn open_from(ladder: &DelayLadder, count: u32, last: Option<Timestamp>) -> Option<Timestamp> {
    Some(last? + ladder.delay_after(count)?)
}

fn bounded_work_holds(burst: &[(u32, Guess)]) -> Result<(), TestCaseError> {
    let now = at("2026-12-01T09:00:00Z");
    let (mut rig, _code, session, _waiting) = with_restore_waiting(now);
    let policy = rig.policy.clone();
    let mut clock = now;
    // The model of the two lanes, kept here from the events alone.
    let (mut login_count, mut login_last, mut blocked) = (0u32, None, false);
    let (mut first_count, mut first_last) = (0u32, None::<Timestamp>);
    for (n, &(gap_ms, guess)) in burst.iter().enumerate() {
        clock += SignedDuration::from_millis(i64::from(gap_ms));
        let command = match guess {
            Guess::LogIn8 => log_in("ZZZZZZZZ"),
            Guess::LogIn16 => log_in(WRONG_16),
            Guess::FirstAccess16 => first_access_with(WRONG_16),
            Guess::Renew8 => renew("ZZZZZZZZ"),
            Guess::Restore => restore_with_mario_contacts(),
        };
        if typed_pin(&command).is_none() {
            // A restore: refused at the cap, or a new 16 with a lane of its own.
            let result = run(&mut rig.account, command, clock, &rig.policy, &mut rig.rng);
            if let Ok(outcome) = result {
                rig.log.extend(outcome.events.iter().cloned());
                first_count = 0;
                first_last = None;
            }
            continue;
        }
        let (outcome, runs) = rig.ok_verifying(command, clock);
        prop_assert!(
            matches!(outcome.reply, Reply::LoginFailed(_)),
            "guess {}",
            n
        );
        prop_assert!(outcome.events.len() <= 1 && runs <= 1, "guess {}", n);
        prop_assert!(
            runs as usize <= outcome.events.len(),
            "guess {}: Argon2 and nothing written",
            n
        );
        prop_assert_eq!(outcome.sessions_to_end(), None);
        let detail = outcome.failure.clone().unwrap();
        if detail.closed.is_some() {
            prop_assert!(outcome.events.is_empty() && runs == 0, "guess {}", n);
        }
        match (guess, outcome.events.first()) {
            (Guess::FirstAccess16, Some(event)) => {
                prop_assert_eq!(event, &Event::FirstAccessFailed { at: clock });
                // Counted only once the lane's delay ended.
                if let Some(open) = open_from(&policy.first_access_delays, first_count, first_last)
                {
                    prop_assert!(
                        clock >= open,
                        "guess {}: counted at {} before {}",
                        n,
                        clock,
                        open
                    );
                }
                first_count += 1;
                first_last = Some(clock);
            }
            (Guess::FirstAccess16, None) => {
                prop_assert!(
                    open_from(&policy.first_access_delays, first_count, first_last)
                        .is_some_and(|open| clock < open),
                    "guess {}: an open first-access lane wrote nothing",
                    n
                );
            }
            (
                _,
                Some(Event::LoginFailed {
                    blocks,
                    device: None,
                    ..
                }),
            ) => {
                prop_assert!(!blocked, "guess {}: counted while blocked", n);
                if let Some(open) = open_from(policy.lockout.delays(), login_count, login_last) {
                    prop_assert!(
                        clock >= open,
                        "guess {}: counted at {} before {}",
                        n,
                        clock,
                        open
                    );
                }
                login_count += 1;
                login_last = Some(clock);
                blocked = *blocks;
            }
            (_, None) => prop_assert!(
                blocked
                    || open_from(policy.lockout.delays(), login_count, login_last)
                        .is_some_and(|open| clock < open),
                "guess {}: an open login lane wrote nothing",
                n
            ),
            (_, Some(other)) => prop_assert!(false, "guess {}: {:?}", n, other),
        }
        // The lanes never touch each other.
        prop_assert_eq!(rig.account.consecutive_failures(), login_count);
        prop_assert_eq!(rig.account.wrong_first_accesses(), first_count);
    }
    prop_assert_eq!(
        rig.account.check_session(&session, clock, &rig.policy),
        Ok(())
    );
    rig.check_replay();
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(64))]

    #[test]
    fn r25b_any_burst_of_guesses_is_checked_at_most_once_per_delay_in_each_lane(
        burst in prop::collection::vec((0..4_000u32, guess_strategy()), 1..80)
    ) {
        bounded_work_holds(&burst)?;
    }
}
