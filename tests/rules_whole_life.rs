//! R27 (a refusal changes nothing) and R29 (replay rebuilds the account) across a whole life
//! of a PIN, every lifecycle command included.
//!
//! The rig (an account whose every command is checked for R27 and logged for R29, and a clock
//! driven by deadlines) is in `tests/common/rig.rs`.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::civil::date;

// ---------------------------------------------------------------------------------------------
// R27, R29 across a whole life.

#[test]
fn r27_every_lifecycle_command_refused_leaves_the_account_byte_identical() {
    // One account walked through its states; in each, the lifecycle commands that must be
    // refused are sent (Rig::refuse compares the serialized account before and after).
    let mut rig = Rig::new(&person());
    let restore = restore_with_mario_contacts;
    let revoke = || Command::Revoke {
        tessera: mario_tessera(),
    };
    let upgrade = || Command::RequestUpgrade {
        via: UpgradeVia::Online,
        document: examined_copy(valid_identity_card()),
    };
    let at_sede = || Command::UpgradeAtSede {
        document: attested_by(valid_identity_card(), operator("op-042")),
    };
    let decide = || Command::DecideUpgrade {
        decision: UpgradeDecision::Approve,
        reviewer: operator("bo-11"),
    };
    let mut codes = Vec::new();
    // No PIN.
    for command in [restore(), revoke(), upgrade(), at_sede(), decide()] {
        codes.push(rig.refuse(command, t0()).code());
    }
    // Awaiting the first access.
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    for command in [upgrade(), at_sede(), decide()] {
        codes.push(rig.refuse(command, t0() + secs(1)).code());
    }
    let code = rig.first_access(&whole, at("2026-11-25T09:00:00Z"));
    // Active.
    let now = at("2026-12-01T09:00:00Z");
    for command in [
        Command::RenewPin {
            pin: entered(&code),
            trust_device: false,
            device: None,
        },
        decide(),
        Command::Restore {
            email: Email::parse("x@example.it").unwrap(),
            mobile: mario_mobile(),
        },
        Command::Revoke {
            tessera: tessera(cf("CCCFBA85D03L219P"), date(2030, 1, 1)),
        },
        Command::UpgradeAtSede {
            document: attested_by(identity_card(date(2020, 1, 1)), operator("op-042")),
        },
    ] {
        codes.push(rig.refuse(command, now).code());
    }
    rig.apply(upgrade(), now);
    codes.push(rig.refuse(upgrade(), now).code());
    // Expired.
    let expiry = at("2027-05-25T08:00:00Z");
    rig.advance(expiry);
    for command in [
        Command::LogIn {
            pin: entered(&code),
            device: None,
            trust_device: false,
        },
        at_sede(),
    ] {
        codes.push(rig.refuse(command, expiry).code());
    }
    assert_eq!(
        codes,
        [
            "restore.contacts_not_matching",
            "account.no_pin",
            "account.no_pin",
            "account.no_pin",
            "upgrade.none_pending",
            "login.first_access_required",
            "login.first_access_required",
            "upgrade.none_pending",
            "renewal.not_due",
            "upgrade.none_pending",
            "restore.contacts_not_matching",
            "revoke.tessera_not_matching",
            "request.identity_document_expired",
            "upgrade.pending",
            "login.pin_expired",
            "login.pin_expired",
        ]
    );
    rig.check_replay();
}

#[test]
fn r29_replaying_the_events_of_a_long_life_rebuilds_the_account_at_every_step() {
    let mut rig = Rig::new(&person());
    let whole = rig.request(person(), contact_center(PhoneKind::Mobile), t0());
    rig.check_replay();
    let mut code = rig.first_access(&whole, at("2026-11-25T09:00:00Z"));
    rig.check_replay();
    rig.apply(
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        at("2026-11-26T09:00:00Z"),
    );
    rig.advance(at("2026-11-27T00:00:00Z"));
    rig.check_replay();
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: examined_copy(valid_identity_card()),
        },
        at("2026-11-28T09:00:00Z"),
    );
    rig.apply(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(RejectionReason::new("firma mancante").unwrap()),
            reviewer: operator("bo-12"),
        },
        at("2026-11-29T09:00:00Z"),
    );
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        },
        at("2026-11-30T09:00:00Z"),
    );
    rig.apply(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("bo-11"),
        },
        at("2026-12-01T09:00:00Z"),
    );
    rig.check_replay();
    // Warned, then renewed in the window.
    rig.advance(at("2027-05-11T08:00:00Z"));
    code = rig.renew(&code, at("2027-05-12T08:00:00Z")).1;
    rig.check_replay();
    // Blocked by a stranger, restored.
    hammer_until_blocked(&mut rig, &code, at("2027-06-01T08:00:00Z"));
    rig.check_replay();
    let outcome = rig.ok(restore_with_mario_contacts(), at("2027-06-02T08:00:00Z"));
    code = rig.first_access(&whole_code(&outcome), at("2027-06-03T08:00:00Z"));
    rig.check_replay();
    // Expired through the clock, renewed after.
    let events_before = rig.log.len();
    rig.advance(at("2028-01-01T00:00:00Z"));
    assert_eq!(rig.log.len(), events_before + 2, "warning and expiry");
    code = rig.renew(&code, at("2028-01-02T09:00:00Z")).1;
    assert_eq!(
        rig.session(&code, at("2028-01-02T09:00:01Z")).level(),
        AssuranceLevel::Dispositivo
    );
    // Revoked, requested again.
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        at("2028-02-01T09:00:00Z"),
    );
    rig.request(person(), ChannelRequest::Online, at("2028-02-01T09:01:00Z"));
    rig.check_replay();
    let names: Vec<_> = rig.log.iter().map(Event::name).collect();
    for expected in [
        "pin_issued",
        "first_access_completed",
        "login_failed",
        "upgrade_requested",
        "upgrade_rejected",
        "upgrade_approved",
        "expiry_warned",
        "pin_renewed",
        "restore_requested",
        "pin_expired",
        "logged_in",
        "pin_revoked",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}
