//! The ways out of a PIN: restore to the two registered contacts (R23) and revocation with
//! the tessera sanitaria (R24).
//!
//! The rig (an account whose every command is checked for R27 and logged for R29, and a clock
//! driven by deadlines) is in `tests/common/rig.rs`.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::civil::date;

// ---------------------------------------------------------------------------------------------
// R23: restore.

#[test]
fn r23_restore_sends_a_new_16_in_halves_to_the_two_registered_contacts() {
    let mut rig = Rig::new(&person());
    let old = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-10T09:00:00Z");
    // The contacts as the person types them: normalised before comparing.
    let outcome = rig.ok(
        Command::Restore {
            email: Email::parse(" mario.rossi@EXAMPLE.it ").unwrap(),
            mobile: MobileNumber::parse("333 123 4567").unwrap(),
        },
        now,
    );
    let lapses_at = at("2027-03-10T09:00:00Z");
    assert_eq!(
        outcome.reply,
        Reply::PinRestored {
            first_access_by: lapses_at
        }
    );
    assert_eq!(
        deliveries_of(&outcome),
        [
            (PinPart::FirstHalf, by_email()),
            (PinPart::SecondHalf, Medium::Sms(mario_mobile())),
        ]
    );
    assert!(matches!(
        outcome.events[..],
        [Event::RestoreRequested {
            at: when,
            lapses_at: lapse,
            ..
        }] if when == now && lapse == lapses_at
    ));
    // The owner hears of the request, whoever made it (R23a).
    assert_eq!(notices(&outcome), [(Notice::RestoreRequested, by_email())]);
    // The new 16 waits beside the PIN in use, which keeps its phase and its deadlines.
    assert!(matches!(
        rig.account.status(now, &rig.policy),
        PinStatus::Active { .. }
    ));
    assert_eq!(rig.account.restore_pending(now), Some(lapses_at));
    assert_eq!(rig.deadline(), Some(at("2027-05-11T08:00:00Z")));
    let first = code_of(&outcome, PinPart::FirstHalf);
    let second = code_of(&outcome, PinPart::SecondHalf);
    assert_eq!((first.len(), second.len()), (8, 8));

    // R23a: the old 8 keeps working until the new code's first access.
    rig.session(&old, now + secs(60));
    // The halves pass the first access; the new 8 logs in, and the old one stops working.
    let new = rig.first_access(&format!("{first}{second}"), now + secs(120));
    assert_ne!(new, old);
    assert_eq!(rig.account.restore_pending(now + secs(120)), None);
    let session = rig.session(&new, now + secs(180));
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    let outcome = rig.log_in(&old, now + secs(240));
    assert_eq!(failure_count(&outcome), 1);
    rig.check_replay();
}

#[test]
fn r23_wrong_or_missing_contacts_are_refused_alike_and_told_to_revoke() {
    let now = at("2026-12-10T09:00:00Z");
    let restore = |email: &str, mobile: &str| Command::Restore {
        email: Email::parse(email).unwrap(),
        mobile: MobileNumber::parse(mobile).unwrap(),
    };
    let mut refusals = Vec::new();
    // Wrong e-mail, wrong mobile, both wrong.
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    refusals.push(rig.refuse(restore("other@example.it", "+39 333 123 4567"), now));
    refusals.push(rig.refuse(restore("mario.rossi@example.it", "+39 333 000 0000"), now));
    refusals.push(rig.refuse(restore("other@example.it", "+39 333 000 0000"), now));
    // The local part keeps its case: another mailbox.
    refusals.push(rig.refuse(restore("Mario.Rossi@example.it", "+39 333 123 4567"), now));
    rig.check_replay();
    // Only an e-mail registered; only a mobile; none.
    let email_only = bare_person().with_email(mario_email());
    let mobile_only = bare_person().with_mobile(mario_mobile());
    for (who, channel) in [
        (email_only, ChannelRequest::Online),
        (mobile_only, ChannelRequest::Online),
        (bare_person(), sede_request()),
    ] {
        let mut rig = Rig::new(&who);
        rig.activate(who, channel, at("2026-11-25T09:00:00Z"));
        refusals.push(rig.refuse(restore("mario.rossi@example.it", "+39 333 123 4567"), now));
        rig.check_replay();
    }
    for refusal in &refusals {
        assert_eq!(*refusal, Refusal::ContactsNotMatching);
        assert_eq!(refusal.code(), "restore.contacts_not_matching");
        let message = refusal.message_it();
        assert!(
            message.contains("revoca il PIN con la tessera sanitaria"),
            "{message}"
        );
    }
}

#[test]
fn r23_r25_the_first_access_of_a_restore_lifts_a_block_and_resets_the_failures() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let blocked_at = hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    assert_eq!(
        rig.account.status(blocked_at, &rig.policy),
        PinStatus::Blocked
    );
    assert_eq!(rig.account.consecutive_failures(), 10);

    let now = blocked_at + secs(3600);
    let outcome = rig.ok(restore_with_mario_contacts(), now);
    // The request alone changes nothing of the block (R23a): the first access does.
    assert_eq!(rig.account.status(now, &rig.policy), PinStatus::Blocked);
    let new = rig.first_access(&whole_code(&outcome), now);
    assert_eq!(rig.account.consecutive_failures(), 0);
    rig.session(&new, now);
    rig.check_replay();
}

#[test]
fn r23_restore_keeps_the_level() {
    // Dispositivo from a sede.
    let mut rig = Rig::new(&person());
    rig.activate(person(), sede_request(), at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-10T09:00:00Z");
    let outcome = rig.ok(restore_with_mario_contacts(), now);
    let new = rig.first_access(&whole_code(&outcome), now + secs(1));
    let session = rig.session(&new, now + secs(2));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert!(bonus_600_allowed(&rig.policy, &session));
    rig.check_replay();

    // Dispositivo by an upgrade.
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::UpgradeAtSede {
            document: attested_by(valid_identity_card(), operator("op-042")),
        },
        at("2026-12-01T09:00:00Z"),
    );
    let outcome = rig.ok(restore_with_mario_contacts(), now);
    let new = rig.first_access(&whole_code(&outcome), now + secs(1));
    assert_eq!(
        rig.session(&new, now + secs(2)).level(),
        AssuranceLevel::Dispositivo
    );
    rig.check_replay();
}

#[test]
fn r23_r30_restore_with_no_pin_reads_like_wrong_contacts() {
    // A caller who knows a codice fiscale must not learn whether it has a PIN: no PIN reads
    // like wrong contacts, and the message covers both (request, or revoke and request).
    let mut rig = Rig::new(&person());
    let refusal = rig.refuse(restore_with_mario_contacts(), t0());
    assert_eq!(refusal.code(), "restore.contacts_not_matching");
    assert!(refusal.message_it().contains("richiedine uno nuovo"));
}

// ---------------------------------------------------------------------------------------------
// R24: revocation with the tessera sanitaria.

#[test]
fn r24_revoke_with_the_tessera_sanitaria_ends_the_pin_and_a_new_request_is_accepted() {
    let policy = policy();
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-10T09:00:00Z");
    let outcome = rig.ok(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        now,
    );
    assert_eq!(outcome.reply, Reply::PinRevoked);
    assert_eq!(
        outcome.events,
        [Event::PinRevoked {
            at: now,
            checked_by: Some(register_check())
        }]
    );
    assert_eq!(notices(&outcome), [(Notice::PinRevoked, by_email())]);
    assert_eq!(rig.account.status(now, &rig.policy), PinStatus::None);
    assert_eq!(rig.deadline(), None);
    // The old PIN reads like a PIN for an unknown person and counts nothing.
    let outcome = rig.log_in(&code, now + secs(1));
    assert_eq!(
        login_failure(&outcome),
        LoginFailure::for_unknown_person(&policy, &entered(&code))
    );
    assert!(outcome.events.is_empty());
    // Revoking again: nothing to revoke.
    let refusal = rig.refuse(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        now + secs(2),
    );
    assert_eq!(refusal, Refusal::NoPin);
    // A new request.
    let whole = rig.request(person(), ChannelRequest::Online, now + secs(3));
    let new = rig.first_access(&whole, now + secs(4));
    rig.session(&new, now + secs(5));
    rig.check_replay();
}

#[test]
fn r24_revocation_refusals() {
    let mut rig = Rig::new(&person());
    // No PIN.
    assert_eq!(
        rig.refuse(
            Command::Revoke {
                tessera: mario_tessera()
            },
            t0()
        )
        .code(),
        "account.no_pin"
    );
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    // Another person's card.
    let refusal = rig.refuse(
        Command::Revoke {
            tessera: tessera(cf("CCCFBA85D03L219P"), date(2029, 6, 30)),
        },
        at("2026-12-10T09:00:00Z"),
    );
    assert_eq!(refusal, Refusal::TesseraNotMatching);
    assert_eq!(refusal.code(), "revoke.tessera_not_matching");
    // An expired card: valid through its last day in Rome, not a minute more.
    let last_day = date(2026, 12, 10);
    let refusal = rig.refuse(
        Command::Revoke {
            tessera: tessera(person().codice_fiscale(), last_day),
        },
        at("2026-12-10T23:00:00Z"),
    );
    assert_eq!(
        refusal,
        Refusal::TesseraExpired {
            expired_on: last_day
        }
    );
    assert_eq!(refusal.code(), "revoke.tessera_expired");
    rig.apply(
        Command::Revoke {
            tessera: tessera(person().codice_fiscale(), last_day),
        },
        at("2026-12-10T22:59:59Z"),
    );
    rig.check_replay();
}

#[test]
fn r24_a_person_without_contacts_who_lost_the_pin_revokes_and_requests_again() {
    let mut rig = Rig::new(&bare_person());
    rig.activate(bare_person(), sede_request(), at("2026-11-25T09:00:00Z"));
    let now = at("2027-01-10T09:00:00Z");
    let refusal = rig.refuse(restore_with_mario_contacts(), now);
    assert_eq!(refusal.code(), "restore.contacts_not_matching");
    let outcome = rig.ok(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        now + secs(60),
    );
    // Told by post: the only way to reach them.
    assert_eq!(
        notices(&outcome),
        [(Notice::PinRevoked, Medium::Post(residence()))]
    );
    let whole = rig.request(bare_person(), sede_request(), now + secs(120));
    let new = rig.first_access(&whole, now + secs(180));
    let session = rig.session(&new, now + secs(240));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    rig.check_replay();
}

#[test]
fn r24_revocation_lifts_a_block_and_ends_a_pending_upgrade() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        },
        at("2026-11-30T09:00:00Z"),
    );
    let blocked_at = hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    let now = blocked_at + secs(60);
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        now,
    );
    assert_eq!(rig.account.consecutive_failures(), 0);
    assert_eq!(rig.account.upgrade_pending(), None);
    assert_eq!(rig.account.status(now, &rig.policy), PinStatus::None);
    rig.request(person(), ChannelRequest::Online, now + secs(1));
    rig.check_replay();
}
