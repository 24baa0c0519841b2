//! The deadlines that drive a PIN's life (R26): what `poll_deadline` names, what a tick at
//! and before it does, the rig's own clock, and the first-access lapse (R9).
//!
//! The rig (an account whose every command is checked for R27 and logged for R29, and a clock
//! driven by deadlines) is in `tests/common/rig.rs`.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::SignedDuration;

// ---------------------------------------------------------------------------------------------
// The harness itself.

#[test]
fn r26_advance_stops_at_until_and_applies_deadlines_at_their_instant() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let warning = at("2027-05-11T08:00:00Z");
    // One nanosecond short of the warning: nothing.
    assert!(
        rig.advance(warning - SignedDuration::from_nanos(1))
            .is_empty()
    );
    // `until` is inclusive.
    let outcomes = rig.advance(warning);
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].events, [Event::ExpiryWarned { at: warning }]);
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// Deadlines (R26) and the first-access lapse (R9).

#[test]
fn r26_poll_deadline_names_the_lapse_the_warning_the_expiry_and_a_login_delay() {
    let mut rig = Rig::new(&person());
    assert_eq!(rig.deadline(), None, "no PIN, nothing will happen");
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    // The 16's lapse: 90 Rome days after the request.
    assert_eq!(rig.deadline(), Some(at("2027-02-22T09:00:00Z")));
    let code = rig.first_access(&whole, at("2026-11-25T09:00:00Z"));
    // The warning.
    let warning = at("2027-05-11T08:00:00Z");
    assert_eq!(rig.deadline(), Some(warning));
    // A wrong PIN: the end of its delay comes first.
    let wrong_at = at("2026-12-01T09:00:00Z");
    rig.apply(Command::LogIn { pin: wrong(&code) }, wrong_at);
    assert_eq!(rig.deadline(), Some(wrong_at + secs(1)));
    let outcomes = rig.advance(at("2026-12-02T00:00:00Z"));
    assert_eq!(outcomes.len(), 1);
    assert_eq!(
        outcomes[0].events,
        [Event::LoginDelayEnded {
            at: wrong_at + secs(1)
        }]
    );
    assert!(outcomes[0].effects.is_empty());
    assert_eq!(rig.deadline(), Some(warning));
    // The warning, then the expiry.
    rig.advance(warning);
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(rig.deadline(), Some(expiry));
    // A delay that ends before the expiry comes first again: the second consecutive failure
    // (no success in between), so 3 s.
    let late_wrong = at("2027-05-24T08:00:00Z");
    rig.apply(Command::LogIn { pin: wrong(&code) }, late_wrong);
    assert_eq!(rig.deadline(), Some(late_wrong + secs(3)));
    let outcomes = rig.advance(expiry);
    let events: Vec<_> = outcomes.iter().flat_map(|o| o.events.clone()).collect();
    assert_eq!(
        events,
        [
            Event::LoginDelayEnded {
                at: late_wrong + secs(3)
            },
            Event::PinExpired { at: expiry }
        ]
    );
    assert_eq!(rig.deadline(), None);
    rig.check_replay();
}

#[test]
fn r26_a_tick_before_any_deadline_is_a_harmless_no_op() {
    let mut rig = Rig::new(&person());
    // On an empty account.
    let outcome = rig.ok(Command::Tick, t0());
    assert_eq!(outcome.reply, Reply::TimeApplied);
    assert!(outcome.events.is_empty() && outcome.effects.is_empty());

    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let before = serde_json::to_string(&rig.account).unwrap();
    for early in [t0(), t0() + secs(1), at("2027-02-22T08:59:59Z")] {
        let outcome = rig.ok(Command::Tick, early);
        assert_eq!(outcome.reply, Reply::TimeApplied);
        assert!(outcome.events.is_empty() && outcome.effects.is_empty());
        assert_eq!(serde_json::to_string(&rig.account).unwrap(), before);
    }
    let code = rig.first_access(&whole, at("2026-11-25T09:00:00Z"));
    // Inside a login delay too.
    rig.apply(
        Command::LogIn { pin: wrong(&code) },
        at("2026-12-01T09:00:00Z"),
    );
    let before = serde_json::to_string(&rig.account).unwrap();
    let outcome = rig.ok(Command::Tick, at("2026-12-01T09:00:00.999Z"));
    assert!(outcome.events.is_empty() && outcome.effects.is_empty());
    assert_eq!(serde_json::to_string(&rig.account).unwrap(), before);
    rig.check_replay();
}

#[test]
fn r26_a_repeated_tick_at_the_same_instant_is_a_no_op() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    for deadline in [at("2027-05-11T08:00:00Z"), at("2027-05-25T08:00:00Z")] {
        assert_eq!(rig.deadline(), Some(deadline));
        let first = rig.ok(Command::Tick, deadline);
        assert_eq!(first.events.len(), 1);
        let before = serde_json::to_string(&rig.account).unwrap();
        let again = rig.ok(Command::Tick, deadline);
        assert_eq!(again.reply, Reply::TimeApplied);
        assert!(again.events.is_empty() && again.effects.is_empty());
        assert_eq!(serde_json::to_string(&rig.account).unwrap(), before);
    }
    rig.check_replay();
}

#[test]
fn r9_an_unused_16_lapses_at_its_deadline_with_an_event_and_a_notice() {
    let mut rig = Rig::new(&person());
    // Requested at 10:00 CEST on 1 September; 90 Rome days later is 10:00 CET on 30 November.
    let requested = at("2026-09-01T08:00:00Z");
    let whole = rig.request(person(), ChannelRequest::Online, requested);
    let lapse = at("2026-11-30T09:00:00Z");
    assert_eq!(rome(lapse), "2026-11-30T10:00:00+01:00[Europe/Rome]");
    assert_eq!(rig.deadline(), Some(lapse));

    let outcomes = rig.advance(at("2027-01-01T00:00:00Z"));
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].events, [Event::FirstPinLapsed { at: lapse }]);
    assert_eq!(
        notices(&outcomes[0]),
        [(Notice::FirstPinLapsed { lapsed_at: lapse }, by_email())]
    );
    assert_eq!(rig.deadline(), None);
    assert_eq!(
        rig.account.status(lapse),
        PinStatus::FirstPinLapsed { lapsed_at: lapse }
    );
    // The 16 no longer works, and a new request is accepted.
    let refusal = rig.refuse(
        Command::FirstAccess {
            pin: entered(&whole),
        },
        lapse + secs(1),
    );
    assert_eq!(refusal.code(), "first_access.pin_lapsed");
    rig.request(person(), ChannelRequest::Online, lapse + secs(2));
    rig.check_replay();
}
