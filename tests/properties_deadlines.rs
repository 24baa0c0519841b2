//! Properties of whole lives of an account: the deadlines (`poll_deadline` and
//! `Command::Tick`): a tick at a deadline moves it forward, a tick before it does nothing.
//!
//! The runs are played by `tests/common/lifecycle_run.rs`; failure persistence is off, and a
//! counterexample worth keeping becomes a test in `tests/properties_counterexamples.rs`.

mod common;

use common::lifecycle_run::*;
use common::*;
use inps_pin::{Command, Notice, PinStatus, Reply};
use jiff::Timestamp;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// ---------------------------------------------------------------------------------------------
// Deadlines: a tick at a deadline moves it forward; a tick before it does nothing
// ---------------------------------------------------------------------------------------------

fn deadline_holds(step: &Step<'_>) -> Result<(), TestCaseError> {
    let i = step.index;
    let now = step.now;
    // After every step: something that will happen by itself has a deadline no later than it
    // (unless it falls after the sunset's retirement, when the PIN's own deadlines go), and an
    // account without a PIN needs no clock.
    let deadline = step.after.poll_deadline(step.policy);
    let due_by = |at: Timestamp| -> Result<(), TestCaseError> {
        if !is_retired(step.policy, at) {
            prop_assert!(
                deadline.is_some_and(|d| d <= at),
                "step {}: {:?} but the deadline is {:?}",
                i,
                step.after.status(now, step.policy),
                deadline
            );
        }
        Ok(())
    };
    match step.after.status(now, step.policy) {
        PinStatus::None => prop_assert_eq!(deadline, None, "step {}", i),
        PinStatus::AwaitingFirstAccess { lapses_at, .. } => due_by(lapses_at)?,
        PinStatus::Active { expires_at, .. } | PinStatus::ExpiringSoon { expires_at, .. } => {
            due_by(expires_at)?;
        }
        _ => {}
    }
    if step.act != Act::Tick {
        return Ok(());
    }
    let Ok(outcome) = step.result else {
        return Err(TestCaseError::fail(format!(
            "step {i}: a tick was refused: {:?}",
            step.result
        )));
    };
    prop_assert_eq!(&outcome.reply, &Reply::TimeApplied);
    match step.before.poll_deadline(step.policy) {
        Some(due) if due <= now => prop_assert!(
            !outcome.events.is_empty(),
            "step {}: a tick at {} past the deadline {} did nothing",
            i,
            now,
            due
        ),
        _ => {
            prop_assert!(
                outcome.events.is_empty() && outcome.effects.is_empty(),
                "step {}: a tick before the deadline gave {:?}",
                i,
                outcome
            );
            prop_assert_eq!(step.after, &step.before);
        }
    }
    let next = step.after.poll_deadline(step.policy);
    prop_assert!(
        next.is_none_or(|next| next > now),
        "step {}: after a tick at {} the next deadline is {:?}",
        i,
        now,
        next
    );

    // What the tick tells the person can be done: after an expiry warning or an expiry notice
    // ("renew now", "the next access gives a new PIN"), a renewal with the PIN in use, at that
    // instant, is accepted, unless a block or a delay stands (which turns it away unchecked,
    // answered as a wrong PIN: R25b, R30a).
    let promises_renewal = outcome.notifications().any(|n| {
        matches!(
            n.about(),
            Notice::ExpiryWarning { .. } | Notice::PinExpired { .. }
        )
    });
    if promises_renewal {
        let Some(eight) = &step.known_eight else {
            return Err(TestCaseError::fail(format!(
                "step {i}: an expiry notice before any 8-character PIN"
            )));
        };
        let mut probe = step.after.clone();
        let renewal = run(
            &mut probe,
            Command::RenewPin {
                pin: entered(eight),
                trust_device: false,
                device: None,
            },
            now,
            step.policy,
            &mut rng(22),
        );
        match renewal {
            Ok(outcome) if matches!(outcome.reply, Reply::PinRenewed(_)) => {}
            Ok(outcome)
                if outcome
                    .failure
                    .as_ref()
                    .is_some_and(|failure| failure.closed.is_some()) => {}
            other => prop_assert!(
                false,
                "step {}: the tick's notice promises a renewal, which gave {:?}",
                i,
                other.map(|o| o.reply)
            ),
        }
    }
    Ok(())
}

#[test]
fn deadline_never_in_the_past_after_a_tick() {
    let tally = check_along_runs(128, |scenario| play(scenario, deadline_holds));
    tally.assert_reached(&[
        "tick:due",
        "tick:no_op",
        "event:first_pin_lapsed",
        "event:expiry_warned",
        "event:pin_expired",
    ]);
}
