//! R23a: asking for a restore disturbs nothing. The new 16 waits beside the live PIN, which
//! keeps working until the new code's first access; requests are capped per window and each
//! tells the owner; an unused restore lapses; and contacts count only once a first access
//! proved them.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;

#[test]
fn r23a_a_strangers_restores_never_lock_the_owner_out_and_each_tells_the_owner() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let mut now = at("2026-12-01T09:00:00Z");
    let cap = rig.policy.restore_limit.max_requests;
    assert_eq!(cap, 3);
    for n in 0..cap {
        // Anyone who knows the contacts asks ...
        let outcome = rig.ok(restore_with_mario_contacts(), now);
        assert_eq!(
            notices(&outcome),
            [(Notice::RestoreRequested, by_email())],
            "request {n}"
        );
        // ... and the owner's PIN keeps working, unchanged.
        rig.session(&code, now + secs(1));
        now += secs(3600);
    }
    // Over the cap: refused, changing nothing, with when to try again.
    let refusal = rig.refuse(restore_with_mario_contacts(), now);
    let Refusal::RestoreLimitReached { retry_after } = refusal else {
        panic!("{refusal:?}")
    };
    assert_eq!(retry_after, plus_rome_days(at("2026-12-01T09:00:00Z"), 7));
    assert!(refusal.message_it().contains("resta valido"));
    // A week after the first, one more is accepted, and its code completes the restore.
    let latest = whole_code(&rig.ok(restore_with_mario_contacts(), retry_after));
    let new = rig.first_access(&latest, retry_after + secs(1));
    rig.session(&new, retry_after + secs(2));
    rig.check_replay();
}

#[test]
fn r23a_a_later_restore_replaces_an_unused_earlier_one() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let first = whole_code(&rig.ok(restore_with_mario_contacts(), now));
    let second = whole_code(&rig.ok(restore_with_mario_contacts(), now + secs(60)));
    let outcome = rig.ok(
        Command::FirstAccess {
            pin: entered(&first),
            trust_device: false,
        },
        now + secs(120),
    );
    login_failure(&outcome);
    let new = rig.first_access(&second, now + secs(180));
    rig.session(&new, now + secs(240));
    rig.check_replay();
}

#[test]
fn r23a_an_unused_restore_lapses_like_any_16() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let outcome = rig.ok(restore_with_mario_contacts(), now);
    let lapses_at = plus_rome_days(now, 90);
    assert_eq!(rig.account.restore_pending(now), Some(lapses_at));
    assert_eq!(rig.account.restore_pending(lapses_at), None);
    // At its lapse it opens nothing; the PIN in use still does.
    let outcome = rig.ok(
        Command::FirstAccess {
            pin: entered(&whole_code(&outcome)),
            trust_device: false,
        },
        lapses_at,
    );
    login_failure(&outcome);
    rig.session(&code, lapses_at + secs(1));
    rig.check_replay();
}

#[test]
fn r23a_a_stranger_who_requested_a_pin_cannot_restore_it_to_their_own_contacts() {
    // No PIN yet for Mario: a stranger requests one online with their own e-mail and mobile.
    // The second half goes by post to the residence; the stranger holds the first half only.
    let stranger = bare_person()
        .with_email(Email::parse("stranger@example.org").unwrap())
        .with_mobile(MobileNumber::parse("3470000000").unwrap());
    let mut rig = Rig::new(&stranger);
    rig.request(stranger, ChannelRequest::Online, t0());
    // A restore "with the registered contacts", the stranger's own: refused, reading like
    // wrong contacts, because no first access proved them (R23a, R30).
    let refusal = rig.refuse(
        Command::Restore {
            email: Email::parse("stranger@example.org").unwrap(),
            mobile: MobileNumber::parse("3470000000").unwrap(),
        },
        day_after(),
    );
    assert_eq!(refusal, Refusal::ContactsNotMatching);
}

#[test]
fn r23a_the_owner_without_a_trusted_device_restores_and_logs_in_whatever_a_stranger_does() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let start = at("2026-12-01T09:00:00Z");
    // The stranger blocks the anonymous lane, asks for restores up to the cap, and keeps
    // guessing 16s at the restore's first access: the first guess at each code is counted in
    // that code's own lane, the next, inside its delay, is turned away unchecked (R25b).
    let blocked_at = hammer_until_blocked(&mut rig, &code, start);
    let mut owner_code = None;
    for n in 0..3 {
        let outcome = rig.ok(restore_with_mario_contacts(), blocked_at + secs(n));
        owner_code = Some(whole_code(&outcome));
        let counted = rig.ok(
            Command::FirstAccess {
                pin: entered("ABCDEFGHJKLMNPQR"),
                trust_device: false,
            },
            blocked_at + secs(n),
        );
        login_failure(&counted);
        assert_eq!(counted.events.len(), 1);
        let closed = rig.turn_away(
            Command::FirstAccess {
                pin: entered("ZZZZZZZZZZZZZZZZ"),
                trust_device: false,
            },
            blocked_at + secs(n),
        );
        assert_eq!(
            closed,
            LaneClosed::Delayed {
                retry_after: blocked_at + secs(n + 1)
            }
        );
    }
    // The owner uses the latest code they received: no block stands before it, and the
    // stranger's guesses held it back by a second at most.
    let new = rig.first_access(&owner_code.unwrap(), blocked_at + secs(3));
    rig.session(&new, blocked_at + secs(3));
    rig.check_replay();
}

#[test]

fn r23a_a_stranger_who_requested_and_blocked_a_pin_cannot_restore_it_to_their_own_contacts() {
    // As above, but the stranger first blocks the 16 that waits for its first access, with
    // ten wrong PINs. The phase then reads "blocked", which hides that no first access ever
    // proved the contacts: the restore must still read like wrong contacts (R23a, R30).
    let stranger = bare_person()
        .with_email(Email::parse("stranger@example.org").unwrap())
        .with_mobile(MobileNumber::parse("3470000000").unwrap());
    let mut rig = Rig::new(&stranger);
    let whole = rig.request(stranger, ChannelRequest::Online, t0());
    let blocked_at = hammer_until_blocked(&mut rig, &whole[..8], day_after());
    let refusal = rig.refuse(
        Command::Restore {
            email: Email::parse("stranger@example.org").unwrap(),
            mobile: MobileNumber::parse("3470000000").unwrap(),
        },
        blocked_at.checked_add(secs(60)).unwrap(),
    );
    assert_eq!(refusal, Refusal::ContactsNotMatching);
}

/// R23a, what the cap counts: the restore requests of the last `window_days` Rome days made
/// since the PIN's last completed first access. Each completed first access (of a restore's
/// code, here) starts the count afresh, so the owner, who receives every code, can restore
/// again at once, any number of times a day, each round proved by the codes; whoever does not
/// receive them (a stranger who knows the contacts) gets at most the cap per window between
/// two first accesses of the owner. A renewal is not a first access and starts nothing afresh.
#[test]
fn r23a_the_restore_cap_counts_the_requests_since_the_last_first_access() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let start = at("2026-12-01T09:00:00Z");
    let cap = rig.policy.restore_limit.max_requests;
    let window = i64::from(rig.policy.restore_limit.window_days);
    assert_eq!((cap, window), (3, 7));
    let mut now = start;
    let mut eight = code;
    // Three rounds in one morning: the cap's requests, the cap reached, the latest code's
    // first access, and the count starts again.
    for round in 0..3 {
        let round_start = now;
        let mut latest = String::new();
        for _ in 0..cap {
            latest = whole_code(&rig.ok(restore_with_mario_contacts(), now));
            now += secs(60);
        }
        let refusal = rig.refuse(restore_with_mario_contacts(), now);
        assert_eq!(
            refusal,
            Refusal::RestoreLimitReached {
                retry_after: plus_rome_days(round_start, window),
            },
            "round {round}: the window counts from the round's first request"
        );
        now += secs(60);
        eight = rig.first_access(&latest, now);
        rig.session(&eight, now + secs(1));
        now += secs(60);
    }
    assert!(now < plus_rome_days(start, 1), "nine restores in one day");

    // In the warning days before expiry: the cap's requests, then a renewal. A renewal is not
    // a first access: the requests before it still count, until the window passes them.
    let due = plus_rome_days(rig.expiry(), -1);
    for n in 0..cap {
        rig.apply(restore_with_mario_contacts(), due + secs(n.into()));
    }
    let renewed = rig.ok(
        Command::RenewPin {
            pin: entered(&eight),
            device: None,
            trust_device: false,
        },
        due + secs(60),
    );
    assert!(matches!(renewed.reply, Reply::PinRenewed(_)));
    assert_eq!(
        rig.refuse(restore_with_mario_contacts(), due + secs(120)),
        Refusal::RestoreLimitReached {
            retry_after: plus_rome_days(due, window),
        }
    );
    rig.apply(restore_with_mario_contacts(), plus_rome_days(due, window));
    rig.check_replay();
}
