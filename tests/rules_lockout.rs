//! Lockout (R25): graduated delays, the block at the tenth failure, and the owner's way back;
//! a guess inside a delay or after the block is turned away unchecked (R25b) and reads as a
//! wrong PIN to whoever knows only the codice fiscale (R30a).
//!
//! The rig (an account whose every command is checked for R27 and logged for R29, and a clock
//! driven by deadlines) is in `tests/common/rig.rs`.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::SignedDuration;

// ---------------------------------------------------------------------------------------------
// R25: lockout.

#[test]
fn r25_r25b_r30a_graduated_delays_of_1_3_5_and_10_seconds_turn_away_tries_inside_them() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let start = at("2026-12-01T09:00:00Z");
    // The delay after the 1st, 2nd, … 9th consecutive failure; the 10th blocks.
    let delays = [1, 3, 5, 10, 10, 10, 10, 10, 10];
    let mut now = start;
    for (index, delay) in delays.iter().enumerate() {
        let outcome = rig.ok(
            Command::LogIn {
                pin: wrong(&code),
                device: None,
                trust_device: false,
            },
            now,
        );
        let count = u32::try_from(index + 1).unwrap();
        assert_eq!(failure_count(&outcome), count);
        let retry = now + secs(*delay);
        assert_eq!(
            outcome.events,
            [Event::LoginFailed {
                at: now,
                device: None,
                blocks: false
            }]
        );
        assert!(outcome.effects.is_empty());
        // Inside the delay: turned away, for the right PIN as for a wrong one, unchecked and
        // not counted, with a wrong PIN's answer (R25b, R30a).
        let inside = retry - SignedDuration::from_millis(1);
        for typed in [entered(&code), wrong(&code)] {
            let closed = rig.turn_away(
                Command::LogIn {
                    pin: typed,
                    device: None,
                    trust_device: false,
                },
                inside,
            );
            assert_eq!(closed, LaneClosed::Delayed { retry_after: retry });
        }
        // A renewal waits too.
        let closed = rig.turn_away(
            Command::RenewPin {
                pin: entered(&code),
                trust_device: false,
                device: None,
            },
            inside,
        );
        assert_eq!(closed, LaneClosed::Delayed { retry_after: retry });
        assert_eq!(rig.account.consecutive_failures(), count);
        now = retry;
    }
    assert_eq!(now, start + secs(69));
    // Exactly at the end of the last delay, the right PIN is accepted and resets the count.
    rig.session(&code, now);
    assert_eq!(rig.account.consecutive_failures(), 0);
    // The next failure starts the ladder again at 1 s.
    let outcome = rig.ok(
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        now + secs(1),
    );
    assert_eq!(
        outcome.events,
        [Event::LoginFailed {
            at: now + secs(1),
            device: None,
            blocks: false
        }]
    );
    rig.check_replay();
}

#[test]
fn r25_r30a_the_tenth_consecutive_failure_blocks_and_tells_the_person_only_by_notice() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let start = at("2026-12-01T09:00:00Z");
    let blocked_at = hammer_until_blocked(&mut rig, &code, start);
    assert_eq!(blocked_at, start + secs(69));
    // The blocking outcome, looked up in the log.
    let tail: Vec<_> = rig.log[rig.log.len() - 1..].to_vec();
    assert_eq!(
        tail,
        [Event::LoginFailed {
            at: blocked_at,
            device: None,
            blocks: true
        }]
    );
    assert_eq!(rig.account.consecutive_failures(), 10);
    assert_eq!(
        rig.account.status(blocked_at, &rig.policy),
        PinStatus::Blocked
    );
    // No delay to wait for: the next deadline is the expiry warning.
    assert_eq!(rig.deadline(), Some(at("2027-05-11T08:00:00Z")));
    // Blocked: even the right PIN, even much later, is turned away before any check, with a
    // wrong PIN's answer, which tells an honest owner to restore (R25b, R30a).
    for later in [
        blocked_at,
        blocked_at + secs(3600),
        at("2027-01-01T00:00:00Z"),
    ] {
        for command in [
            Command::LogIn {
                pin: entered(&code),
                device: None,
                trust_device: false,
            },
            Command::LogIn {
                pin: wrong(&code),
                device: None,
                trust_device: false,
            },
            Command::RenewPin {
                pin: entered(&code),
                trust_device: false,
                device: None,
            },
        ] {
            assert_eq!(rig.turn_away(command, later), LaneClosed::Blocked);
        }
        let answer = login_failure(&rig.ok(
            Command::LogIn {
                pin: entered(&code),
                device: None,
                trust_device: false,
            },
            later,
        ));
        assert_eq!(answer.code(), "login.credentials_invalid");
        assert!(answer.message_it().contains("Ripristina PIN"));
    }
    assert_eq!(rig.account.consecutive_failures(), 10);
    rig.check_replay();
}

#[test]
fn r25_a_blocked_pin_gets_no_renewal_notices() {
    // The block notice said to restore, which gives a new PIN anyway: a warning or an expiry
    // notice inviting a renewal would mislead. The clock still records both.
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    let outcomes = rig.advance(at("2027-06-01T00:00:00Z"));
    let names: Vec<&str> = outcomes
        .iter()
        .flat_map(|outcome| outcome.events.iter().map(Event::name))
        .collect();
    assert_eq!(names, ["expiry_warned", "pin_expired"]);
    assert!(
        outcomes
            .iter()
            .all(|outcome| outcome.notifications().next().is_none())
    );
    // The expiry still ends the sessions a trusted device may hold through the block (R31).
    assert_eq!(
        outcomes[1].sessions_to_end().map(|end| end.reason),
        Some(SessionEnd::Expired)
    );
    assert_eq!(rig.deadline(), None);
    rig.check_replay();
}

#[test]
fn r25_the_block_notice_goes_out_with_the_tenth_failure() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let mut now = at("2026-12-01T09:00:00Z");
    for _ in 0..9 {
        let outcome = rig.ok(
            Command::LogIn {
                pin: wrong(&code),
                device: None,
                trust_device: false,
            },
            now,
        );
        assert!(outcome.effects.is_empty(), "no notice before the block");
        now = rig.delay_end(now);
    }
    let outcome = rig.ok(
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        now,
    );
    assert_eq!(failure_count(&outcome), 10);
    assert_eq!(notices(&outcome), [(Notice::PinBlocked, by_email())]);
    assert_eq!(
        outcome.events.len(),
        1,
        "one event per guess, the blocking one too"
    );
    rig.check_replay();
}

#[test]
fn r25_a_success_resets_the_count() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let mut now = at("2026-12-01T09:00:00Z");
    // Nine failures, a success, nine more: never blocked.
    for round in 0..2 {
        for _ in 0..9 {
            rig.apply(
                Command::LogIn {
                    pin: wrong(&code),
                    device: None,
                    trust_device: false,
                },
                now,
            );
            now = rig.delay_end(now);
        }
        assert_eq!(rig.account.consecutive_failures(), 9, "round {round}");
        rig.session(&code, now);
        assert_eq!(rig.account.consecutive_failures(), 0);
    }
    assert!(matches!(
        rig.account.status(now, &rig.policy),
        PinStatus::Active { .. }
    ));
    rig.check_replay();
}

#[test]
fn r25_nist_caps_the_block_at_100_failures() {
    assert_eq!(MAX_BLOCK_AFTER, 100);
    assert_eq!(
        Lockout::new(vec![1, 3, 5, 10], 101),
        Err(LockoutError::BlockAfter { found: 101 })
    );
    assert_eq!(
        Lockout::new(vec![], 0),
        Err(LockoutError::BlockAfter { found: 0 })
    );
    assert_eq!(
        Lockout::new(vec![1, 3, 5, 10], 100).unwrap().block_after(),
        100
    );
    assert_eq!(
        Lockout::default(),
        Lockout::new(vec![1, 3, 5, 10], 10).unwrap()
    );
    // A policy loaded from storage with a block above the cap is refused too.
    let mut stored = serde_json::to_value(policy()).unwrap();
    stored["lockout"]["block_after"] = 101.into();
    assert!(serde_json::from_value::<Policy>(stored).is_err());

    // A custom block count is honoured: three failures, no delays.
    let mut custom = policy();
    custom.lockout = Lockout::new(vec![], 3).unwrap();
    let mut rig = Rig::with_policy(&person(), custom);
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    for _ in 0..2 {
        let outcome = rig.ok(
            Command::LogIn {
                pin: wrong(&code),
                device: None,
                trust_device: false,
            },
            now,
        );
        assert_eq!(
            outcome.events,
            [Event::LoginFailed {
                at: now,
                device: None,
                blocks: false
            }]
        );
    }
    assert_eq!(rig.account.consecutive_failures(), 2);
    let outcome = rig.ok(
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        now,
    );
    assert_eq!(
        outcome.events,
        [Event::LoginFailed {
            at: now,
            device: None,
            blocks: true
        }]
    );
    assert_eq!(rig.account.status(now, &rig.policy), PinStatus::Blocked);
    rig.check_replay();
}

#[test]
fn r25_a_stranger_hammering_can_block_but_the_owner_restores_and_logs_in() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let start = at("2026-12-01T09:00:00Z");
    // The stranger guesses, and the harness waits out each delay by its deadline.
    let mut now = start;
    let mut waits = Vec::new();
    for _ in 0..10 {
        rig.apply(
            Command::LogIn {
                pin: entered("ZZZZZZZZ"),
                device: None,
                trust_device: false,
            },
            now,
        );
        if rig.account.status(now, &rig.policy) == PinStatus::Blocked {
            break;
        }
        // The stranger waits out the delay, which no tick needs to end; meanwhile a guess
        // is turned away unchecked, and only operators see until when.
        let closed = rig.turn_away(
            Command::LogIn {
                pin: entered("ZZZZZZZZ"),
                device: None,
                trust_device: false,
            },
            now,
        );
        let LaneClosed::Delayed { retry_after } = closed else {
            panic!("no delay after a failure: {closed:?}")
        };
        waits.push(now.duration_until(retry_after).as_secs());
        now = retry_after;
    }
    assert_eq!(waits, [1, 3, 5, 10, 10, 10, 10, 10, 10]);
    assert_eq!(rig.account.status(now, &rig.policy), PinStatus::Blocked);
    assert_eq!(
        rig.turn_away(
            Command::LogIn {
                pin: entered(&code),
                device: None,
                trust_device: false,
            },
            now
        ),
        LaneClosed::Blocked
    );

    // The owner restores with the contacts only they hold, and is back in.
    let later = now + secs(600);
    let outcome = rig.ok(restore_with_mario_contacts(), later);
    let new = rig.first_access(&whole_code(&outcome), later + secs(60));
    let session = rig.session(&new, later + secs(120));
    assert_eq!(session.codice_fiscale(), person().codice_fiscale());
    assert_eq!(rig.account.consecutive_failures(), 0);
    rig.check_replay();
}

#[test]
fn r25_r30_a_counted_failure_reads_like_an_unknown_person() {
    let policy = policy();
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let unknown = LoginFailure::for_unknown_person(&policy, &entered("ABCDEFGH"));
    let mut now = at("2026-12-01T09:00:00Z");
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for command in [
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        Command::RenewPin {
            pin: wrong(&code),
            trust_device: false,
            device: None,
        },
        Command::FirstAccess {
            pin: entered("ABCDEFGHJKLMNPQR"),
            trust_device: false,
        },
    ] {
        let outcome = rig.ok(command, now);
        failures.push(login_failure(&outcome));
        counts.push(failure_count(&outcome));
        now = rig.delay_end(now);
    }
    // A wrong PIN on an expired account.
    let mut expired = Rig::new(&person());
    let code = expired.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let outcome = expired.ok(
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        at("2027-06-01T00:00:00Z"),
    );
    failures.push(login_failure(&outcome));
    counts.push(failure_count(&outcome));
    // The 16 at a first access, with no 16 waiting, had nothing to be counted against (R25b).
    assert_eq!(counts, [1, 2, 0, 1]);
    for failure in failures {
        assert_eq!(failure.code(), unknown.code());
        assert_eq!(failure.code(), "login.credentials_invalid");
        assert_eq!(failure.message_it(), unknown.message_it());
        assert_eq!(failure.message_en(), unknown.message_en());
    }
    rig.check_replay();
}
