//! The phase and the decision agree: over random whole lives (every command, random times,
//! both policies), what each command gave is something the lifecycle table's row for the phase
//! `Account::status` reported can give: a refusal of one of its checks, or what the row does.
//! What each check and each outcome can answer is written here from the rules, not read from
//! the crate. Every phase is reached, and counted.

mod common;

use common::lifecycle_run::*;
use common::scenario::{Tally, reply_key};
use inps_pin::lifecycle::{Check, Refuse, Then, row};
use inps_pin::{CommandKind, Phase};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// The command an act sends.
fn kind_of(act: Act) -> CommandKind {
    match act {
        Act::Request(..) => CommandKind::RequestPin,
        Act::FirstAccess(_) => CommandKind::FirstAccess,
        Act::LogIn(_) | Act::Stranger(_) => CommandKind::LogIn,
        Act::Renew(_) => CommandKind::RenewPin,
        Act::RequestUpgrade(..) => CommandKind::RequestUpgrade,
        Act::DecideUpgrade(_) => CommandKind::DecideUpgrade,
        Act::UpgradeAtSede(_) => CommandKind::UpgradeAtSede,
        Act::Restore(_) => CommandKind::Restore,
        Act::Revoke(_) => CommandKind::Revoke,
        Act::Tick => CommandKind::Tick,
    }
}

/// What a check answers when it does not pass, by the rule it checks.
fn check_answers(check: Check) -> &'static [&'static str] {
    match check {
        Check::SameAccount => &["request.wrong_account"],
        Check::TemporaryCodiceFiscale => &["request.temporary_codice_fiscale"],
        Check::SunsetAllowsUse => &["sunset.pins_retired"],
        Check::SunsetAllowsNewPin => &["sunset.pins_retired", "sunset.no_new_pins"],
        Check::ContactForFirstHalf => &["request.no_contact_for_first_half"],
        Check::DocumentValid => &["request.identity_document_expired"],
        Check::WholePinTyped => &["first_access.whole_pin_required"],
        // A closed lane answers a wrong PIN's reply, unchecked (R25b, R30a); a trusted device
        // is told its own delay (R25a).
        Check::LoginDelay => &["reply:login_failed", "login.delayed"],
        Check::FirstAccessDelay => &["reply:login_failed"],
        // A wrong PIN is no refusal: a counted failure (R25).
        Check::Pin | Check::PinOrFirstHalf | Check::WaitingCode => &["reply:login_failed"],
        Check::Ordinary => &["upgrade.already_dispositivo"],
        Check::NoUpgradeWaiting => &["upgrade.pending"],
        Check::UpgradeWaiting => &["upgrade.none_pending"],
        Check::ContactsMatch | Check::ContactsProven => &["restore.contacts_not_matching"],
        Check::RestoreLimit => &["restore.limit_reached"],
        Check::TesseraMatches => &["revoke.tessera_not_matching"],
        Check::TesseraValid => &["revoke.tessera_expired"],
        Check::ArchiveMatches => &["request.archive_not_matching"],
        Check::AttestationCurrent => &["attestation.from_the_future", "attestation.stale"],
        other => panic!("the property does not know the check {other:?}: add it"),
    }
}

/// What a row gives once its checks pass.
fn then_answers(then: Then) -> &'static [&'static str] {
    match then {
        Then::Issue => &["reply:pin_issued"],
        Then::CompleteFirstAccess => &["reply:first_access_completed"],
        Then::OpenSession => &["reply:logged_in"],
        Then::FirstAccessDue => &["login.first_access_required", "reply:logged_in"],
        Then::Renew => &["reply:pin_renewed"],
        Then::RecordUpgradeRequest => &["reply:upgrade_requested"],
        Then::DecideUpgrade => &["reply:upgrade_approved", "reply:upgrade_rejected"],
        Then::ApproveAtSede => &["reply:upgrade_approved"],
        Then::Restore => &["reply:pin_restored"],
        Then::Revoke => &["reply:pin_revoked"],
        Then::ApplyTime => &["reply:time_applied"],
        Then::AnswerUnknown | Then::TurnAway => &["reply:login_failed"],
        Then::Refuse(refuse) => match refuse {
            Refuse::PinAlreadyLive => &["request.pin_already_live"],
            Refuse::PinsRetired => &["sunset.pins_retired"],
            Refuse::FirstPinLapsed => &["first_access.pin_lapsed"],
            Refuse::FirstAccessRequired => &["login.first_access_required"],
            Refuse::PinExpired => &["login.pin_expired"],
            Refuse::RenewalNotDue => &["renewal.not_due"],
            Refuse::PinBlocked => &["login.pin_blocked"],
            Refuse::NoPin => &["account.no_pin"],
            Refuse::ContactsNotMatching => &["restore.contacts_not_matching"],
            Refuse::NoUpgradePending => &["upgrade.none_pending"],
            other => panic!("the property does not know the refusal {other:?}: add it"),
        },
        other => panic!("the property does not know {other:?}: add it"),
    }
}

fn decision_fits_the_phase(step: &Step<'_>) -> Result<Tally, TestCaseError> {
    let phase = step.before.phase(step.now, step.policy);
    let kind = kind_of(step.act);
    let given = match step.result {
        Ok(outcome) => reply_key(&outcome.reply),
        Err(refusal) => refusal.code().to_owned(),
    };
    let cell = row(kind, phase);
    let allowed: Vec<&str> = cell
        .checks
        .iter()
        .flat_map(|check| check_answers(*check).iter().copied())
        .chain(then_answers(cell.then).iter().copied())
        .collect();
    prop_assert!(
        allowed.contains(&given.as_str()),
        "step {}: {:?} in {:?} gave {}, but its row ({:?}) can give only {:?}",
        step.index,
        kind,
        phase,
        given,
        cell,
        allowed
    );
    let mut tally = Tally::default();
    tally.add(format!("phase:{}", phase.name()));
    Ok(tally)
}

#[test]
fn r27_the_decision_of_every_command_agrees_with_the_phase_status_reports() {
    let tally = check_along_runs(256, |scenario| {
        let mut reached = Tally::default();
        let run = play(scenario, |step| {
            reached.merge(decision_fits_the_phase(step)?);
            Ok(())
        })?;
        reached.merge(run);
        Ok(reached)
    });
    let phases: Vec<String> = Phase::ALL
        .iter()
        .map(|phase| format!("phase:{}", phase.name()))
        .collect();
    let phases: Vec<&str> = phases.iter().map(String::as_str).collect();
    tally.assert_reached(&phases);
    for phase in Phase::ALL {
        println!(
            "{:>24}: {} steps",
            phase.name(),
            tally.get(&format!("phase:{}", phase.name()))
        );
    }
}
