//! Properties of whole lives of an account: R14 (one live PIN per codice fiscale), and the
//! ways out of a PIN always open to its owner (R23, R24).
//!
//! The runs are played by `tests/common/lifecycle_run.rs`; failure persistence is off, and a
//! counterexample worth keeping becomes a test in `tests/properties_counterexamples.rs`.

mod common;

use common::lifecycle_run::*;
use common::*;
use inps_pin::{AssuranceLevel, Command, Event, PinStatus, Refusal, Reply};
use jiff::Timestamp;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// ---------------------------------------------------------------------------------------------
// R14: one live PIN per codice fiscale
// ---------------------------------------------------------------------------------------------

/// Whether a new request must find a live PIN, by the status at that instant (R14): it is
/// refused with the one answer that does not tell the PIN's state (R30a).
fn live_by_status(status: PinStatus) -> Result<bool, TestCaseError> {
    Ok(match status {
        // After the retirement a request meets the sunset, not a live PIN (R22a).
        PinStatus::None | PinStatus::FirstPinLapsed { .. } | PinStatus::Retired { .. } => false,
        PinStatus::AwaitingFirstAccess { .. }
        | PinStatus::Active { .. }
        | PinStatus::ExpiringSoon { .. }
        | PinStatus::Expired { .. }
        | PinStatus::Blocked => true,
        other => return Err(TestCaseError::fail(format!("unknown status {other:?}"))),
    })
}

/// The status is one of the states, and its instants agree with `now`.
fn status_is_coherent(status: PinStatus, now: Timestamp) -> Result<(), TestCaseError> {
    match status {
        PinStatus::None | PinStatus::Blocked => {}
        PinStatus::AwaitingFirstAccess { lapses_at, .. } => prop_assert!(lapses_at > now),
        PinStatus::FirstPinLapsed { lapsed_at } => prop_assert!(lapsed_at <= now),
        PinStatus::Active { expires_at, .. } | PinStatus::ExpiringSoon { expires_at, .. } => {
            prop_assert!(expires_at > now);
        }
        PinStatus::Retired { since } => {
            let midnight = since.to_datetime(jiff::civil::Time::midnight());
            let from = inps_pin::rome_time_zone()
                .to_ambiguous_timestamp(midnight)
                .compatible()
                .unwrap();
            prop_assert!(now >= from);
        }
        PinStatus::Expired { expired_at, .. } => prop_assert!(expired_at <= now),
        other => prop_assert!(false, "unknown status {:?}", other),
    }
    Ok(())
}

/// The level a status shows, when it shows one.
fn assurance_of(status: PinStatus) -> Option<AssuranceLevel> {
    match status {
        PinStatus::AwaitingFirstAccess { assurance, .. }
        | PinStatus::Active { assurance, .. }
        | PinStatus::ExpiringSoon { assurance, .. }
        | PinStatus::Expired { assurance, .. } => Some(assurance),
        _ => None,
    }
}

fn r14_holds(step: &Step<'_>) -> Result<(), TestCaseError> {
    let i = step.index;
    let now = step.now;
    let before = step.before.status(now, step.policy);
    let after = step.after.status(now, step.policy);
    status_is_coherent(before, now)?;
    status_is_coherent(after, now)?;
    let live = live_by_status(before)?;

    match (step.act, step.result) {
        (Act::Request(who, _), result) if who.is_owner() => match (live, result) {
            (true, Err(Refusal::PinAlreadyLive)) => {}
            (true, other) => prop_assert!(
                false,
                "step {}: a request while {:?} gave {:?}",
                i,
                before,
                other.as_ref().map(|o| &o.reply)
            ),
            (false, Err(Refusal::PinAlreadyLive)) => {
                prop_assert!(false, "step {}: refused as live while {:?}", i, before)
            }
            (false, _) => {}
        },
        (Act::Request(..), Ok(_)) => {
            prop_assert!(false, "step {}: a request for another person applied", i)
        }
        (Act::Restore(_), Ok(_)) => prop_assert!(
            before != PinStatus::None,
            "step {}: a restore with no PIN",
            i
        ),
        _ => {}
    }

    // The ways out of a PIN are always open to its owner: the restore with the registered
    // contacts once a first access proved them (R23, R23a, unless the sunset retired every
    // PIN), the revocation with the own valid tessera sanitaria (R24, even after the
    // retirement).
    let has_pin = before != PinStatus::None;
    // Proved by a first access: the 8 is in use (a block hides the stage, not the expiry).
    let contacts_proved = step.before.expires_at().is_some()
        && matches!(
            before,
            PinStatus::Active { .. }
                | PinStatus::ExpiringSoon { .. }
                | PinStatus::Expired { .. }
                | PinStatus::Blocked
        );
    let registered = step
        .before
        .person()
        .and_then(|p| p.registered_contacts())
        .is_some_and(|(e, m)| *e == mario_email() && *m == mario_mobile());
    let owner_can = match step.act {
        Act::Restore(Contacts::Registered) => {
            contacts_proved && registered && !is_retired(step.policy, now)
        }
        Act::Revoke(Card::Own) => has_pin,
        _ => false,
    };
    if owner_can {
        prop_assert!(
            matches!(
                step.result.as_ref().map(|o| &o.reply),
                Ok(Reply::PinRestored { .. } | Reply::PinRevoked)
            ),
            "step {}: the owner's {:?} while {:?} gave {:?}",
            i,
            step.act,
            before,
            step.result.as_ref().map(|o| &o.reply)
        );
    }

    if let Ok(outcome) = step.result {
        // R23a: a restore disturbs nothing: the phase stays, and the 8 in use still logs in.
        if matches!(outcome.reply, Reply::PinRestored { .. }) {
            prop_assert_eq!(after, before, "step {}: a restore changed the phase", i);
            prop_assert!(step.after.restore_pending(now).is_some(), "step {}", i);
            if let (Some(eight), PinStatus::Active { .. } | PinStatus::ExpiringSoon { .. }) =
                (&step.known_eight, before)
            {
                let mut probe = step.after.clone();
                let result = run(
                    &mut probe,
                    Command::LogIn {
                        pin: entered(eight),
                        device: None,
                        trust_device: false,
                    },
                    now,
                    step.policy,
                    &mut rng(23),
                );
                // Or turned away, unchecked, by a delay a stranger's guesses started (R30a).
                prop_assert!(
                    matches!(
                        &result,
                        Ok(o) if matches!(o.reply, Reply::LoggedIn(_))
                            || o.failure.as_ref().is_some_and(|f| f.closed.is_some())
                    ),
                    "step {}: after a restore the 8 in use gave {:?}",
                    i,
                    result.map(|o| o.reply)
                );
            }
        }
        let issued_new_16 = matches!(outcome.reply, Reply::PinIssued { .. });
        if issued_new_16 {
            prop_assert!(is_awaiting(after), "step {}: {:?}", i, after);
            prop_assert_eq!(step.after.consecutive_failures(), 0);
            // The PIN that was live before no longer works: the last 16 and the last 8.
            let mut rng = rng(14);
            if let Some(old) = &step.known_sixteen {
                let mut probe = step.after.clone();
                let result = run(
                    &mut probe,
                    Command::FirstAccess {
                        pin: entered(old),
                        trust_device: false,
                    },
                    now,
                    step.policy,
                    &mut rng,
                );
                prop_assert!(
                    !matches!(&result, Ok(o) if matches!(o.reply, Reply::FirstAccessCompleted(_))),
                    "step {}: the 16 of before still opens a first access",
                    i
                );
            }
            if let Some(old) = &step.known_eight {
                let mut probe = step.after.clone();
                let result = run(
                    &mut probe,
                    Command::LogIn {
                        pin: entered(old),
                        device: None,
                        trust_device: false,
                    },
                    now,
                    step.policy,
                    &mut rng,
                );
                prop_assert!(
                    !matches!(&result, Ok(o) if matches!(o.reply, Reply::LoggedIn(_))),
                    "step {}: the 8 of before still logs in",
                    i
                );
            }
        }
        match &outcome.reply {
            Reply::FirstAccessCompleted(_) => {
                prop_assert!(matches!(after, PinStatus::Active { .. }), "step {}", i);
            }
            // R21: the renewal keeps the level.
            Reply::PinRenewed(_) => prop_assert_eq!(
                assurance_of(after),
                assurance_of(before),
                "step {}: {:?} renewed into {:?}",
                i,
                before,
                after
            ),
            // Approved only on an 8 in use, neither blocked nor expired (R16, R17).
            Reply::UpgradeDecided { approved: true } => {
                prop_assert_eq!(
                    assurance_of(after),
                    Some(AssuranceLevel::Dispositivo),
                    "step {}",
                    i
                );
            }
            Reply::PinRevoked => prop_assert_eq!(after, PinStatus::None, "step {}", i),
            _ => {}
        }
        if outcome.events.iter().any(|e| {
            matches!(
                e,
                Event::LoginFailed {
                    blocks: true,
                    device: None,
                    ..
                }
            )
        }) {
            prop_assert_eq!(after, PinStatus::Blocked, "step {}", i);
        }
    }
    Ok(())
}

/// The tally key of a request refused while a PIN is live, by what the PIN was doing: the
/// refusal does not say (R30a), so the runs say which states they reached.
fn refused_while(step: &Step<'_>) -> Option<&'static str> {
    if !matches!(step.result, Err(Refusal::PinAlreadyLive)) {
        return None;
    }
    Some(match step.before.status(step.now, step.policy) {
        PinStatus::AwaitingFirstAccess { .. } => "live_pin:refused_while:awaiting_first_access",
        PinStatus::Active { .. } | PinStatus::ExpiringSoon { .. } => {
            "live_pin:refused_while:active"
        }
        PinStatus::Expired { .. } => "live_pin:refused_while:expired",
        PinStatus::Blocked => "live_pin:refused_while:blocked",
        _ => "live_pin:refused_while:no_live_pin",
    })
}

#[test]
fn r14_r30a_at_most_one_live_pin_and_one_answer_whatever_it_is_doing() {
    let tally = check_along_runs(128, |scenario| {
        let mut reached = Vec::new();
        let mut tally = play(scenario, |step| {
            reached.extend(refused_while(step));
            r14_holds(step)
        })?;
        for key in reached {
            tally.add(key);
        }
        Ok(tally)
    });
    assert_eq!(tally.get("live_pin:refused_while:no_live_pin"), 0);
    tally.assert_reached(&[
        "request_pin:reply:pin_issued",
        "restore:reply:pin_restored",
        "refused:request.pin_already_live",
        "live_pin:refused_while:awaiting_first_access",
        "live_pin:refused_while:active",
        "live_pin:refused_while:expired",
        "live_pin:refused_while:blocked",
    ]);
}
