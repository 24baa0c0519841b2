//! The upgrade to dispositivo (R16, R17): the written request, the back office's decision,
//! and the sede operator's on-the-spot approval.
//!
//! The rig (an account whose every command is checked for R27 and logged for R29, and a clock
//! driven by deadlines) is in `tests/common/rig.rs`.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::civil::date;

// ---------------------------------------------------------------------------------------------
// R16, R17: the upgrade to dispositivo.

#[test]
fn r16_a_written_request_online_or_by_fax_waits_for_the_back_office() {
    for via in [UpgradeVia::Online, UpgradeVia::Fax] {
        let mut rig = Rig::new(&person());
        let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
        let now = at("2026-12-01T09:00:00Z");
        let outcome = rig.ok(
            Command::RequestUpgrade {
                via,
                document: examined_copy(valid_identity_card()),
            },
            now,
        );
        assert_eq!(outcome.reply, Reply::UpgradeRequested);
        assert_eq!(
            outcome.events,
            [Event::UpgradeRequested {
                at: now,
                via,
                checked_by: Some(copy_examiner())
            }]
        );
        assert!(outcome.effects.is_empty());
        assert_eq!(rig.account.upgrade_pending(), Some(via));
        // Still ordinary while it waits.
        let session = rig.session(&code, now + secs(1));
        assert_eq!(session.level(), AssuranceLevel::Ordinary);
        assert!(!bonus_600_allowed(&rig.policy, &session));

        // A second request while one waits, by either way.
        for again in [UpgradeVia::Online, UpgradeVia::Fax] {
            let refusal = rig.refuse(
                Command::RequestUpgrade {
                    via: again,
                    document: examined_copy(valid_identity_card()),
                },
                now + secs(2),
            );
            assert_eq!(refusal, Refusal::UpgradePending);
            assert_eq!(refusal.code(), "upgrade.pending");
        }
        rig.check_replay();
    }
}

#[test]
fn r16_a_document_past_its_expiry_is_refused_on_the_rome_calendar() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expires_on = date(2026, 12, 1);
    // 23:30 in Rome on its last day: still valid (22:30Z).
    let last_minute = at("2026-12-01T22:30:00Z");
    // Midnight in Rome on the next day (23:00Z on the 1st): expired.
    let next_day = at("2026-12-01T23:00:00Z");
    for command in [
        || Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(identity_card(date(2026, 12, 1))),
        },
        || Command::UpgradeAtSede {
            document: attested_by(identity_card(date(2026, 12, 1)), operator("op-007")),
        },
    ] {
        let refusal = rig.refuse(command(), next_day);
        assert_eq!(
            refusal,
            Refusal::IdentityDocumentExpired {
                expired_on: expires_on
            }
        );
        assert_eq!(refusal.code(), "request.identity_document_expired");
        assert!(refusal.message_it().contains("in corso di validità"));
    }
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: examined_copy(identity_card(expires_on)),
        },
        last_minute,
    );
    assert_eq!(rig.account.upgrade_pending(), Some(UpgradeVia::Fax));
    rig.check_replay();
}

#[test]
fn r16_a_dispositivo_pin_is_not_upgraded_again() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), sede_request(), at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let refusal = rig.refuse(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        },
        now,
    );
    assert_eq!(refusal, Refusal::AlreadyDispositivo);
    assert_eq!(refusal.code(), "upgrade.already_dispositivo");
    let refusal = rig.refuse(
        Command::UpgradeAtSede {
            document: attested_by(valid_identity_card(), operator("op-007")),
        },
        now,
    );
    assert_eq!(refusal.code(), "upgrade.already_dispositivo");
    rig.check_replay();
}

#[test]
fn r16_an_upgrade_needs_an_active_pin_that_has_not_expired() {
    let request = || Command::RequestUpgrade {
        via: UpgradeVia::Online,
        document: examined_copy(valid_identity_card()),
    };
    let mut rig = Rig::new(&person());
    assert_eq!(rig.refuse(request(), t0()).code(), "account.no_pin");
    rig.request(person(), ChannelRequest::Online, t0());
    assert_eq!(
        rig.refuse(request(), t0() + secs(1)).code(),
        "login.first_access_required"
    );
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(
        rig.refuse(request(), expiry),
        Refusal::PinExpired { expired_at: expiry }
    );
    rig.check_replay();
}

#[test]
fn r17_approval_makes_the_pin_dispositivo_and_tells_the_person() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let requested = at("2026-12-01T09:00:00Z");
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        },
        requested,
    );
    let decided = at("2026-12-03T15:00:00Z");
    let outcome = rig.ok(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("bo-11"),
        },
        decided,
    );
    assert_eq!(outcome.reply, Reply::UpgradeDecided { approved: true });
    assert_eq!(
        outcome.events,
        [Event::UpgradeApproved {
            at: decided,
            by: operator("bo-11")
        }]
    );
    assert_eq!(notices(&outcome), [(Notice::UpgradeApproved, by_email())]);
    assert_eq!(rig.account.upgrade_pending(), None);
    assert_eq!(
        rig.account.status(decided, &rig.policy),
        PinStatus::Active {
            assurance: AssuranceLevel::Dispositivo,
            expires_at: at("2027-05-25T08:00:00Z")
        }
    );
    let session = rig.session(&code, decided + secs(1));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert!(bonus_600_allowed(&rig.policy, &session));

    // A renewal keeps it dispositivo.
    let (outcome, new) = rig.renew(&code, at("2027-05-20T08:00:00Z"));
    let Reply::PinRenewed(renewed) = outcome.reply else {
        panic!()
    };
    assert_eq!(renewed.level(), AssuranceLevel::Dispositivo);
    let session = rig.session(&new, at("2027-05-20T08:00:01Z"));
    assert!(bonus_600_allowed(&rig.policy, &session));
    // Already dispositivo: no further request.
    let refusal = rig.refuse(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: examined_copy(valid_identity_card()),
        },
        at("2027-05-21T08:00:00Z"),
    );
    assert_eq!(refusal.code(), "upgrade.already_dispositivo");
    rig.check_replay();
}

#[test]
fn r17_rejection_keeps_the_pin_ordinary_and_tells_the_reason() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: examined_copy(valid_identity_card()),
        },
        at("2026-12-01T09:00:00Z"),
    );
    let reason = RejectionReason::new("la copia del documento non è leggibile").unwrap();
    let decided = at("2026-12-02T09:00:00Z");
    let outcome = rig.ok(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(reason.clone()),
            reviewer: operator("bo-12"),
        },
        decided,
    );
    assert_eq!(outcome.reply, Reply::UpgradeDecided { approved: false });
    assert_eq!(
        outcome.events,
        [Event::UpgradeRejected {
            at: decided,
            by: operator("bo-12"),
            reason: Some(reason.clone())
        }]
    );
    let notice = Notice::UpgradeRejected {
        reason: "la copia del documento non è leggibile".to_owned(),
    };
    assert!(
        notice
            .message_it()
            .contains("la copia del documento non è leggibile")
    );
    assert_eq!(notices(&outcome), [(notice, by_email())]);
    assert_eq!(rig.account.upgrade_pending(), None);
    let session = rig.session(&code, decided + secs(1));
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    assert!(!bonus_600_allowed(&rig.policy, &session));
    // The person may try again.
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        },
        decided + secs(2),
    );
    assert_eq!(rig.account.upgrade_pending(), Some(UpgradeVia::Online));
    rig.check_replay();
}

#[test]
fn r17_a_decision_with_nothing_pending_is_refused() {
    let mut rig = Rig::new(&person());
    let decide = || Command::DecideUpgrade {
        decision: UpgradeDecision::Approve,
        reviewer: operator("bo-11"),
    };
    assert_eq!(rig.refuse(decide(), t0()).code(), "upgrade.none_pending");
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let refusal = rig.refuse(decide(), at("2026-12-01T09:00:00Z"));
    assert_eq!(refusal, Refusal::NoUpgradePending);
    // Once decided, nothing waits any more.
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        },
        at("2026-12-01T09:00:00Z"),
    );
    rig.apply(decide(), at("2026-12-02T09:00:00Z"));
    let refusal = rig.refuse(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(RejectionReason::new("tardi").unwrap()),
            reviewer: operator("bo-12"),
        },
        at("2026-12-02T10:00:00Z"),
    );
    assert_eq!(refusal.code(), "upgrade.none_pending");
    rig.check_replay();
}

#[test]
fn r17_at_a_sede_the_operator_approves_on_the_spot() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let outcome = rig.ok(
        Command::UpgradeAtSede {
            document: attested_by(valid_identity_card(), operator("op-042")),
        },
        now,
    );
    assert_eq!(outcome.reply, Reply::UpgradeDecided { approved: true });
    assert_eq!(
        outcome.events,
        [Event::UpgradeApproved {
            at: now,
            by: operator("op-042")
        }]
    );
    assert_eq!(rig.account.upgrade_pending(), None);
    let session = rig.session(&code, now + secs(1));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert!(bonus_600_allowed(&rig.policy, &session));

    // A written request pending when the person goes to a sede: the sede settles it.
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: examined_copy(valid_identity_card()),
        },
        now,
    );
    rig.apply(
        Command::UpgradeAtSede {
            document: attested_by(valid_identity_card(), operator("op-042")),
        },
        now + secs(60),
    );
    assert_eq!(rig.account.upgrade_pending(), None);
    let refusal = rig.refuse(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("bo-11"),
        },
        now + secs(120),
    );
    assert_eq!(refusal.code(), "upgrade.none_pending");
    rig.check_replay();
}
