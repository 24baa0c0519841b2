//! Renewal (R21): a new 8 on screen, the level kept, the window before the expiry.
//!
//! The rig (an account whose every command is checked for R27 and logged for R29, and a clock
//! driven by deadlines) is in `tests/common/rig.rs`.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::SignedDuration;

// ---------------------------------------------------------------------------------------------
// R21: renewal.

#[test]
fn r21_renewal_gives_a_new_8_on_screen_and_the_old_one_stops_working() {
    let mut rig = Rig::new(&person());
    let old = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    // The day after the expiry (10:00 CEST).
    let now = at("2027-05-26T08:00:00Z");
    let (outcome, new) = rig.renew(&old, now);

    assert_eq!(deliveries_of(&outcome), [(PinPart::Pin, Medium::Screen)]);
    assert_eq!(new.len(), 8);
    assert!(new.bytes().all(|c| PIN_ALPHABET.contains(&c)));
    assert_ne!(new, old);
    let Reply::PinRenewed(session) = outcome.reply else {
        panic!("{:?}", outcome.reply)
    };
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    assert_eq!(session.started_at(), now);
    assert_eq!(session.credential(), Credential::Pin);
    // The new expiry: the renewal instant + 6 Rome months.
    let Some(Event::PinRenewed {
        at: when,
        expires_at,
        ..
    }) = outcome.events.first()
    else {
        panic!("{:?}", outcome.events)
    };
    assert_eq!(outcome.events.len(), 1);
    assert_eq!(*when, now);
    assert_eq!(*expires_at, at("2027-11-26T09:00:00Z"));
    assert_eq!(rome(*expires_at), "2027-11-26T10:00:00+01:00[Europe/Rome]");
    assert_eq!(
        rig.account.status(now, &rig.policy),
        PinStatus::Active {
            assurance: AssuranceLevel::Ordinary,
            expires_at: at("2027-11-26T09:00:00Z")
        }
    );
    // The next deadline is the new PIN's warning.
    assert_eq!(rig.deadline(), Some(at("2027-11-12T09:00:00Z")));

    // The old PIN is a wrong PIN now; the new one logs in.
    let outcome = rig.log_in(&old, now + secs(60));
    assert_eq!(failure_count(&outcome), 1);
    let session = rig.session(&new, now + secs(120));
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    // The old one cannot renew again either.
    let outcome = rig.ok(
        Command::RenewPin {
            pin: entered(&old),
            trust_device: false,
            device: None,
        },
        now + secs(180),
    );
    assert_eq!(failure_count(&outcome), 1);
    rig.check_replay();
}

#[test]
fn r21_renewal_keeps_a_dispositivo_pin_from_a_sede_dispositivo() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), sede_request(), at("2026-11-25T09:00:00Z"));
    // Inside the window, before the expiry.
    let now = at("2027-05-20T08:00:00Z");
    let (outcome, new) = rig.renew(&code, now);
    let Reply::PinRenewed(session) = outcome.reply else {
        panic!("{:?}", outcome.reply)
    };
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert_eq!(
        rig.account.status(now, &rig.policy),
        PinStatus::Active {
            assurance: AssuranceLevel::Dispositivo,
            expires_at: at("2027-11-20T09:00:00Z")
        }
    );
    let session = rig.session(&new, now + secs(1));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert!(bonus_600_allowed(&rig.policy, &session));
    rig.check_replay();
}

#[test]
fn r21_renewal_opens_expiry_warning_days_rome_days_before_the_expiry() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    assert_eq!(rig.policy.expiry_warning_days, 14);
    let opens = at("2027-05-11T08:00:00Z");

    let early = opens - SignedDuration::from_nanos(1);
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
            trust_device: false,
            device: None,
        },
        early,
    );
    assert_eq!(
        refusal,
        Refusal::RenewalNotDue {
            renewable_from: opens
        }
    );
    assert_eq!(refusal.code(), "renewal.not_due");
    assert!(refusal.message_it().contains("avviso di scadenza"));
    // Long before, the same answer.
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
            trust_device: false,
            device: None,
        },
        at("2026-12-01T09:00:00Z"),
    );
    assert_eq!(
        refusal,
        Refusal::RenewalNotDue {
            renewable_from: opens
        }
    );
    // A wrong PIN before the window is a counted failure, not the window's refusal.
    let outcome = rig.ok(
        Command::RenewPin {
            pin: wrong(&code),
            trust_device: false,
            device: None,
        },
        at("2026-12-01T09:00:00Z"),
    );
    assert_eq!(failure_count(&outcome), 1);

    // Exactly at the opening: renewed.
    let (outcome, _) = rig.renew(&code, opens);
    assert!(matches!(outcome.reply, Reply::PinRenewed(_)));
    rig.check_replay();
}

#[test]
fn r21_the_renewal_window_is_counted_in_rome_days_across_summer_time() {
    // Expiry at 10:00 CEST on 5 April 2027; the window opens at 10:00 CET on 22 March, which
    // is 13 days and 23 hours before, not 14 × 24 hours.
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-10-05T08:00:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-04-05T10:00:00+02:00[Europe/Rome]");
    let opens = at("2027-03-22T09:00:00Z");
    assert_eq!(rome(opens), "2027-03-22T10:00:00+01:00[Europe/Rome]");
    assert_eq!(rig.deadline(), Some(opens));
    let fixed_days = rig.expiry() - SignedDuration::from_hours(14 * 24);
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
            trust_device: false,
            device: None,
        },
        fixed_days,
    );
    assert_eq!(
        refusal,
        Refusal::RenewalNotDue {
            renewable_from: opens
        }
    );
    let (outcome, _) = rig.renew(&code, opens);
    assert!(matches!(outcome.reply, Reply::PinRenewed(_)));
    rig.check_replay();
}

#[test]
fn r21_a_renewal_without_an_active_pin_changes_nothing() {
    let policy = policy();
    // No PIN: a renewal reads like a wrong PIN for an unknown person, counts nothing.
    let mut rig = Rig::new(&person());
    let outcome = rig.ok(
        Command::RenewPin {
            pin: entered("ABCDEFGH"),
            trust_device: false,
            device: None,
        },
        t0(),
    );
    assert_eq!(
        login_failure(&outcome),
        LoginFailure::for_unknown_person(&policy, &entered("ABCDEFGH"))
    );
    assert!(outcome.events.is_empty());
    assert_eq!(rig.account.version(), 0);
    // Awaiting the first access, with the right 16: first access first.
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&whole),
            trust_device: false,
            device: None,
        },
        t0() + secs(60),
    );
    assert_eq!(refusal.code(), "login.first_access_required");
    rig.check_replay();
}

#[test]
fn r21_r30_a_renewal_with_a_wrong_pin_does_not_tell_that_a_first_access_is_pending() {
    let policy = policy();
    let mut rig = Rig::new(&person());
    rig.request(person(), ChannelRequest::Online, t0());
    let typed = "ABCDEFGH";
    let result = run(
        &mut rig.account,
        Command::RenewPin {
            pin: entered(typed),
            trust_device: false,
            device: None,
        },
        t0() + secs(60),
        &rig.policy,
        &mut rig.rng,
    );
    let Ok(outcome) = result else {
        panic!(
            "a guessed PIN was answered {:?}: the account is known to have a pending PIN",
            result.map(|o| o.reply).unwrap_err().code()
        )
    };
    assert_eq!(
        login_failure(&outcome).code(),
        LoginFailure::for_unknown_person(&policy, &entered(typed)).code()
    );
}
