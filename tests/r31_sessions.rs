//! R31: sessions end with their PIN. A session carries the generation of the PIN that opened
//! it; when that PIN stops being the live one (restore completed, renewal, revocation, expiry,
//! retirement) the outcome says which sessions to end, and a session can be checked against
//! the account at any time. A block from wrong guesses ends none: the PIN is unchanged, and a
//! stranger could otherwise log anyone out at will.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;

/// Mario with an 8 in use and a session opened with it at `now`.
fn with_session(now: jiff::Timestamp) -> (Rig, String, Session) {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let session = rig.session(&code, now);
    (rig, code, session)
}

#[test]
fn r31_a_session_carries_the_generation_of_the_pin_that_opened_it() {
    let now = at("2026-12-01T09:00:00Z");
    let (rig, _code, session) = with_session(now);
    assert_eq!(session.pin_generation(), Some(rig.account.pin_generation()));
    assert_eq!(
        rig.account.check_session(&session, now, &rig.policy),
        Ok(())
    );
    // A digital identity's session is no PIN's: nothing the PIN does ends it.
    let spid = Session::from_digital_identity(
        mario_cf(),
        DigitalIdentity::Spid(SpidLevel::Two),
        now,
        rig.policy.digital_identity_dispositivo_since,
    );
    assert_eq!(spid.pin_generation(), None);
    assert_eq!(rig.account.check_session(&spid, now, &rig.policy), Ok(()));
    // Another person's session is not this account's.
    let other = Account::new(cf("RCCMNL83S18D969H"));
    assert_eq!(
        other.check_session(&session, now, &rig.policy),
        Err(SessionEnd::OtherAccount)
    );
}

#[test]
fn r31_a_renewal_ends_the_sessions_of_the_pin_it_replaces() {
    let warned = at("2027-05-12T09:00:00Z");
    let (mut rig, code, session) = with_session(warned);
    let (outcome, new) = rig.renew(&code, warned);
    let end = outcome.sessions_to_end().unwrap();
    assert_eq!(end.reason, SessionEnd::Replaced);
    assert!(end.ends(&session));
    assert_eq!(
        rig.account.check_session(&session, warned, &rig.policy),
        Err(SessionEnd::Replaced)
    );
    // The renewal's own session, and a new login's, stand.
    let Reply::PinRenewed(renewed) = outcome.reply else {
        panic!("{:?}", outcome.reply)
    };
    assert!(!end.ends(&renewed));
    assert_eq!(
        rig.account.check_session(&renewed, warned, &rig.policy),
        Ok(())
    );
    let again = rig.session(&new, warned);
    assert_eq!(
        rig.account.check_session(&again, warned, &rig.policy),
        Ok(())
    );
}

#[test]
fn r31_the_first_access_of_a_restore_ends_the_sessions_of_the_pin_it_replaces() {
    let now = at("2026-12-01T09:00:00Z");
    let (mut rig, code, session) = with_session(now);
    let restored = rig.ok(restore_with_mario_contacts(), now);
    // The request alone ends nothing (R23a): the PIN in use is still the live one.
    assert_eq!(restored.sessions_to_end(), None);
    assert_eq!(
        rig.account.check_session(&session, now, &rig.policy),
        Ok(())
    );
    let outcome = rig.ok(
        Command::FirstAccess {
            pin: entered(&whole_code(&restored)),
            trust_device: false,
        },
        now,
    );
    assert_eq!(
        outcome.sessions_to_end().map(|end| end.reason),
        Some(SessionEnd::Replaced)
    );
    assert_eq!(
        rig.account.check_session(&session, now, &rig.policy),
        Err(SessionEnd::Replaced)
    );
    let _ = code;
}

#[test]
fn r31_a_revocation_ends_every_session_of_the_pin() {
    let now = at("2026-12-01T09:00:00Z");
    let (mut rig, _code, session) = with_session(now);
    let outcome = rig.ok(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        now,
    );
    assert_eq!(
        outcome.sessions_to_end().map(|end| end.reason),
        Some(SessionEnd::Revoked)
    );
    assert_eq!(
        rig.account.check_session(&session, now, &rig.policy),
        Err(SessionEnd::Revoked)
    );
}

/// Mario's account with a session from a client without a token and one from a trusted
/// device, both opened at `now`; returns the rig, the 8, and the two sessions.
fn with_two_sessions(now: jiff::Timestamp) -> (Rig, String, Session, Session) {
    let (mut rig, code, anonymous) = with_session(now);
    let trusted = rig.ok(
        Command::LogIn {
            pin: entered(&code),
            device: None,
            trust_device: true,
        },
        now,
    );
    let token = trusted.trusted_device.as_ref().unwrap().expose().to_owned();
    let from_device = rig.ok(
        Command::LogIn {
            pin: entered(&code),
            device: Some(DeviceToken::parse(&token).unwrap()),
            trust_device: false,
        },
        now,
    );
    let device_session = logged_in(&from_device);
    assert!(device_session.from_trusted_device());
    (rig, code, anonymous, device_session)
}

#[test]
fn r31_r25a_a_block_ends_no_session() {
    let now = at("2026-12-01T09:00:00Z");
    let (mut rig, code, anonymous, device_session) = with_two_sessions(now);
    let blocked_at = hammer_until_blocked(&mut rig, &code, now + secs(60));
    assert_eq!(
        rig.account.status(blocked_at, &rig.policy),
        PinStatus::Blocked
    );
    // The guesses failed and the PIN is unchanged: every session stands, whoever opened it.
    for session in [&anonymous, &device_session] {
        assert_eq!(
            rig.account.check_session(session, blocked_at, &rig.policy),
            Ok(())
        );
        assert_eq!(
            rig.account
                .check_session(session, blocked_at + secs(86_400), &rig.policy),
            Ok(())
        );
    }
    // The blocked PIN's own end still ends them: its expiry, which the block hides.
    let expiry = rig.account.expires_at().unwrap();
    assert_eq!(
        rig.account.check_session(&anonymous, expiry, &rig.policy),
        Err(SessionEnd::Expired)
    );
    rig.check_replay();
}

#[test]
fn r31_no_guess_names_a_session_to_end_not_even_the_blocking_one() {
    let mut custom = policy();
    custom.lockout = Lockout::new(vec![], 2).unwrap();
    let mut rig = Rig::with_policy(&person(), custom);
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let session = rig.session(&code, now);
    let first = rig.log_in("ZZZZZZZZ", now);
    assert_eq!(first.sessions_to_end(), None);
    let blocking = rig.log_in("ZZZZZZZZ", now);
    assert_eq!(blocking.events.len(), 1);
    assert!(matches!(
        blocking.events[0],
        Event::LoginFailed { blocks: true, .. }
    ));
    assert_eq!(blocking.sessions_to_end(), None);
    // The block notice still goes out: the owner learns that someone is guessing.
    assert_eq!(blocking.notifications().count(), 1);
    // Guesses turned away by the block end none either.
    let after = rig.ok(
        Command::LogIn {
            pin: entered("ZZZZZZZZ"),
            device: None,
            trust_device: false,
        },
        now,
    );
    assert_eq!(after.sessions_to_end(), None);
    assert_eq!(
        rig.account.check_session(&session, now, &rig.policy),
        Ok(())
    );
}

#[test]
fn r31_the_first_access_of_a_restore_ends_every_session_of_the_pin_it_replaces_in_every_phase() {
    // Active, expiring soon, expired and blocked: whatever the replaced 8 was doing, the
    // sessions it opened, from a trusted device too, end with it (R31), and the new code's
    // session stands.
    for (label, restore_at) in [
        ("active", at("2026-12-01T09:00:00Z")),
        ("expiring soon", at("2027-05-20T09:00:00Z")),
        ("expired", at("2027-06-01T09:00:00Z")),
        ("blocked", at("2026-12-02T09:00:00Z")),
    ] {
        let now = at("2026-12-01T09:00:00Z");
        let (mut rig, code, anonymous, device_session) = with_two_sessions(now);
        if label == "blocked" {
            hammer_until_blocked(&mut rig, &code, now + secs(60));
        }
        let restored = rig.ok(restore_with_mario_contacts(), restore_at);
        assert_eq!(restored.sessions_to_end(), None, "{label}");
        for trust_device in [false, true] {
            let mut probe = Rig {
                account: rig.account.clone(),
                policy: rig.policy.clone(),
                rng: rng(31),
                log: rig.log.clone(),
            };
            let outcome = probe.ok(
                Command::FirstAccess {
                    pin: entered(&whole_code(&restored)),
                    trust_device,
                },
                restore_at + secs(60),
            );
            let end = outcome
                .sessions_to_end()
                .unwrap_or_else(|| panic!("{label}: no sessions to end"));
            assert_eq!(end.reason, SessionEnd::Replaced, "{label}");
            assert!(!end.trusted_devices_stand, "{label}");
            for session in [&anonymous, &device_session] {
                assert!(end.ends(session), "{label}");
                assert_eq!(
                    probe
                        .account
                        .check_session(session, restore_at + secs(60), &probe.policy),
                    Err(SessionEnd::Replaced),
                    "{label}"
                );
            }
            let Reply::FirstAccessCompleted(new) = outcome.reply else {
                panic!("{label}: {:?}", outcome.reply)
            };
            assert!(!end.ends(&new), "{label}");
            probe.check_replay();
        }
    }
}

#[test]
fn r31_expiry_ends_the_sessions_by_the_clock_and_by_the_tick() {
    let now = at("2026-12-01T09:00:00Z");
    let (mut rig, _code, session) = with_session(now);
    let expiry = rig.account.expires_at().unwrap();
    // The check needs no tick: the clock alone ends it.
    assert_eq!(
        rig.account.check_session(&session, expiry, &rig.policy),
        Err(SessionEnd::Expired)
    );
    let outcomes = rig.advance(expiry);
    let end = outcomes.iter().find_map(Outcome::sessions_to_end).unwrap();
    assert_eq!(end.reason, SessionEnd::Expired);
    assert!(end.ends(&session));
}

#[test]
fn r31_the_sunset_retires_every_pin_session() {
    let mut retiring = policy();
    retiring = retiring.with_sunset(Sunset {
        no_new_pins_from: jiff::civil::date(2027, 1, 1),
        retired_from: jiff::civil::date(2027, 2, 1),
    });
    let mut rig = Rig::with_policy(&person(), retiring);
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let session = rig.session(&code, at("2026-12-01T09:00:00Z"));
    assert_eq!(
        rig.account
            .check_session(&session, at("2027-02-02T09:00:00Z"), &rig.policy),
        Err(SessionEnd::Retired)
    );
}
