//! Properties of whole lives of an account, every command included: R27 (a refused command
//! changes nothing) and R29 (replaying the events rebuilds the account).
//!
//! The runs are played by `tests/common/lifecycle_run.rs`; failure persistence is off, and a
//! counterexample worth keeping becomes a test in `tests/properties_counterexamples.rs`.

mod common;

use common::lifecycle_run::*;
use common::scenario::*;
use inps_pin::{Account, Role, UpgradeVia};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// ---------------------------------------------------------------------------------------------
// R27: a refused command changes nothing; an accepted one counts its events
// ---------------------------------------------------------------------------------------------

fn r27_holds(step: &Step<'_>) -> Result<(), TestCaseError> {
    refusal_changed_nothing(step.index, &step.act, &step.before, step.after, step.result)?;
    // What an accepted command records happened at the instant it was handled.
    if let Ok(outcome) = step.result {
        for event in &outcome.events {
            prop_assert_eq!(event.at(), step.now, "step {}: {:?}", step.index, event);
        }
    }
    Ok(())
}

#[test]
fn r27_refused_commands_of_every_kind_leave_the_account_byte_identical() {
    let tally = check_along_runs(128, |scenario| play(scenario, r27_holds));
    tally.assert_reached(EVERY_COMMAND_BOTH_WAYS);
    tally.assert_reached(MUST_REACH);
}

/// A fixed run that accepts and refuses every command kind, each refusal leaving the account
/// byte-identical: the property above cannot pass by never refusing, or never accepting.
#[test]
fn r27_known_run_accepts_and_refuses_every_command_kind() {
    use Act::*;
    let s = |seconds| Wait::Seconds(seconds);
    let steps = vec![
        (s(0), LogIn(Entry::Right8)),          // no PIN: a failure nobody counts
        (s(0), Restore(Contacts::Registered)), // refused: reads as wrong contacts (R30)
        (s(0), Revoke(Card::Own)),             // refused: no PIN
        (s(0), Request(Applicant::Other, Via::Online)), // refused: wrong account
        (s(0), Request(Applicant::Owner, Via::Online)),
        (s(60), Request(Applicant::Owner, Via::Online)), // refused: pending
        (s(60), Tick),                                   // nothing due
        (s(60), FirstAccess(Entry::FirstHalf)),          // refused: 16 needed
        (s(60), LogIn(Entry::Right16)),                  // refused: first access due
        (s(60), FirstAccess(Entry::Right16)),
        (s(60), Stranger(*b"\x00\x01\x02\x03\x04\x05\x06\x07")), // a counted failure
        (s(0), Stranger(*b"\x00\x01\x02\x03\x04\x05\x06\x07")),  // turned away: delayed
        (s(1), Tick), // the delay ends by the clock: nothing to record
        (s(0), LogIn(Entry::Right8)),
        (s(60), Renew(Entry::Right8)),             // refused: not due
        (s(60), DecideUpgrade(Decision::Approve)), // refused: nothing pending
        (s(60), RequestUpgrade(UpgradeVia::Fax, Document::Expired)), // refused
        (s(60), RequestUpgrade(UpgradeVia::Fax, Document::Valid)),
        (s(60), DecideUpgrade(Decision::Reject)),
        (s(60), UpgradeAtSede(Document::Valid)),
        (s(60), UpgradeAtSede(Document::Valid)), // refused: already dispositivo
        (Wait::ToDeadline, Tick),                // the expiry warning
        (s(60), Renew(Entry::Right8)),
        (s(60), Restore(Contacts::WrongMobile)), // refused
        (s(60), Restore(Contacts::Registered)),
        (s(60), Revoke(Card::Others)), // refused
        (s(60), Revoke(Card::Own)),
    ];
    let scenario = Scenario {
        seed: 27,
        policy: PolicyKind::Default,
        role: Role::Citizen,
        start_offset: 0,
        steps,
    };
    let mut keys = Vec::new();
    let tally = play(&scenario, |step| {
        keys.push(match step.result {
            Ok(outcome) => reply_key(&outcome.reply),
            Err(refusal) => refusal_key(refusal),
        });
        r27_holds(step)
    })
    .unwrap();
    assert_eq!(
        keys,
        [
            "reply:login_failed",
            "refused:restore.contacts_not_matching",
            "refused:account.no_pin",
            "refused:request.wrong_account",
            "reply:pin_issued",
            "refused:request.pin_already_live",
            "reply:time_applied",
            "refused:first_access.whole_pin_required",
            "refused:login.first_access_required",
            "reply:first_access_completed",
            "reply:login_failed",
            "reply:login_failed",
            "reply:time_applied",
            "reply:logged_in",
            "refused:renewal.not_due",
            "refused:upgrade.none_pending",
            "refused:request.identity_document_expired",
            "reply:upgrade_requested",
            "reply:upgrade_rejected",
            "reply:upgrade_approved",
            "refused:upgrade.already_dispositivo",
            "reply:time_applied",
            "reply:pin_renewed",
            "refused:restore.contacts_not_matching",
            "reply:pin_restored",
            "refused:revoke.tessera_not_matching",
            "reply:pin_revoked",
        ]
    );
    tally.assert_reached(EVERY_COMMAND_BOTH_WAYS);
}

// ---------------------------------------------------------------------------------------------
// R29: replaying the events rebuilds the account, after every step
// ---------------------------------------------------------------------------------------------

fn r29_holds(step: &Step<'_>) -> Result<(), TestCaseError> {
    replay_rebuilds(step.index, step.after, step.events)?;
    let rebuilt = Account::replay(step.after.codice_fiscale(), step.events);

    // And the rebuilt account behaves the same from here on: same deadline, same status.
    prop_assert_eq!(
        rebuilt.poll_deadline(step.policy),
        step.after.poll_deadline(step.policy)
    );
    prop_assert_eq!(
        rebuilt.status(step.now, step.policy),
        step.after.status(step.now, step.policy)
    );
    Ok(())
}

#[test]
fn r29_replay_rebuilds_the_account_after_every_step() {
    let tally = check_along_runs(96, |scenario| play(scenario, r29_holds));
    tally.assert_reached(&[
        "accepted",
        "refused",
        "reply:pin_renewed",
        "reply:pin_restored",
        "reply:pin_revoked",
        "reply:upgrade_approved",
        "event:login_failed_blocking",
        "event:pin_expired",
    ]);
}
