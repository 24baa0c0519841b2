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
fn r26_poll_deadline_names_the_lapse_the_warning_and_the_expiry_and_no_login_delay() {
    let mut rig = Rig::new(&person());
    assert_eq!(rig.deadline(), None, "no PIN, nothing will happen");
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    // The 16's lapse: 90 Rome days after the request.
    assert_eq!(rig.deadline(), Some(at("2027-02-22T09:00:00Z")));
    let code = rig.first_access(&whole, at("2026-11-25T09:00:00Z"));
    // The warning.
    let warning = at("2027-05-11T08:00:00Z");
    assert_eq!(rig.deadline(), Some(warning));
    // A wrong PIN: its delay ends by the clock alone, so it is no deadline (R25a: one stored
    // event per guess), and a try after it is accepted without a tick.
    let wrong_at = at("2026-12-01T09:00:00Z");
    let outcome = rig.ok(
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        wrong_at,
    );
    assert_eq!(
        outcome.events,
        [Event::LoginFailed {
            at: wrong_at,
            device: None,
            blocks: false
        }]
    );
    assert_eq!(rig.deadline(), Some(warning));
    rig.session(&code, wrong_at + secs(1));
    // The warning, then the expiry.
    rig.advance(warning);
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(rig.deadline(), Some(expiry));
    let late_wrong = at("2027-05-24T08:00:00Z");
    rig.apply(
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        late_wrong,
    );
    assert_eq!(rig.deadline(), Some(expiry));
    let outcomes = rig.advance(expiry);
    let events: Vec<_> = outcomes.iter().flat_map(|o| o.events.clone()).collect();
    assert_eq!(events, [Event::PinExpired { at: expiry }]);
    assert_eq!(rig.deadline(), None);
    rig.check_replay();
}

#[test]
fn r26_poll_deadline_follows_the_policy_it_is_given_not_the_one_asked_first() {
    // The instants behind an active PIN's deadline are remembered for the first policy asked,
    // so that polling again costs no calendar arithmetic; asking with another must answer for
    // that one: other warning days (R22), a
    // sunset that retires the PIN before its warning (R22a), then the first policy again.
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let warning = at("2027-05-11T08:00:00Z");
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(rig.deadline(), Some(warning));

    let mut fewer_days = rig.policy.clone();
    fewer_days.expiry_warning_days = 7;
    assert_eq!(
        rig.account.poll_deadline(&fewer_days),
        Some(at("2027-05-18T08:00:00Z"))
    );

    let retiring_before_the_warning = rig.policy.clone().with_sunset(Sunset {
        no_new_pins_from: jiff::civil::date(2027, 1, 1),
        retired_from: jiff::civil::date(2027, 5, 1),
    });
    assert_eq!(
        rig.account.poll_deadline(&retiring_before_the_warning),
        None
    );
    let retiring_between = rig.policy.clone().with_sunset(Sunset {
        no_new_pins_from: jiff::civil::date(2027, 1, 1),
        retired_from: jiff::civil::date(2027, 5, 20),
    });
    assert_eq!(rig.account.poll_deadline(&retiring_between), Some(warning));
    rig.advance(warning);
    assert_eq!(rig.account.poll_deadline(&retiring_between), None);

    assert_eq!(rig.deadline(), Some(expiry));
}

#[test]
fn r25a_a_stream_with_the_retired_delay_end_event_still_replays() {
    // Written before the end of a delay followed from the clock: a failure with its retry
    // instant, then the event that ended the delay. Both load; the retired event changes
    // nothing but the version.
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let wrong_at = at("2026-12-01T09:00:00Z");
    rig.apply(
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        wrong_at,
    );
    let mut log = serde_json::to_value(&rig.log).unwrap();
    let events = log.as_array_mut().unwrap();
    let failure = events.last_mut().unwrap();
    failure["LoginFailed"]["retry_not_before"] = "2026-12-01T09:00:01Z".into();
    events.push(serde_json::json!({ "LoginDelayEnded": { "at": "2026-12-01T09:00:01Z" } }));
    let old: Vec<Event> = serde_json::from_value(log).unwrap();
    let replayed = Account::replay(rig.account.codice_fiscale(), &old);
    assert_eq!(replayed.version(), rig.account.version() + 1);
    assert_eq!(replayed.consecutive_failures(), 1);
    assert_eq!(
        replayed.status(wrong_at, &rig.policy),
        rig.account.status(wrong_at, &rig.policy)
    );
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
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
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
        rig.account.status(lapse, &rig.policy),
        PinStatus::FirstPinLapsed { lapsed_at: lapse }
    );
    // The 16 no longer works, and a new request is accepted.
    let refusal = rig.refuse(
        Command::FirstAccess {
            pin: entered(&whole),
            trust_device: false,
        },
        lapse + secs(1),
    );
    assert_eq!(refusal.code(), "first_access.pin_lapsed");
    rig.request(person(), ChannelRequest::Online, lapse + secs(2));
    rig.check_replay();
}
