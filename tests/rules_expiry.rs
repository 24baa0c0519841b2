//! Expiry on the Rome calendar (R20) and the warnings and notices before and at it (R22).
//!
//! The rig (an account whose every command is checked for R27 and logged for R29, and a clock
//! driven by deadlines) is in `tests/common/rig.rs`.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::{SignedDuration, ToSpan};

// ---------------------------------------------------------------------------------------------
// R20: expiry in calendar months on the Rome calendar.

#[test]
fn r20_a_citizens_pin_expires_six_rome_calendar_months_after_its_first_access() {
    let mut rig = Rig::new(&person());
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let first_access = at("2026-11-25T09:00:00Z");
    let outcome = rig.ok(
        Command::FirstAccess {
            pin: entered(&whole),
            trust_device: false,
        },
        first_access,
    );
    let Some(Event::FirstAccessCompleted {
        at: when,
        assurance,
        expires_at,
        ..
    }) = outcome.events.first()
    else {
        panic!("{:?}", outcome.events)
    };
    assert_eq!(*when, first_access);
    assert_eq!(*assurance, AssuranceLevel::Ordinary);
    // 10:00 CET on 25 November → 10:00 CEST on 25 May: 08:00Z, not 09:00Z.
    assert_eq!(*expires_at, at("2027-05-25T08:00:00Z"));
    assert_eq!(rome(*expires_at), "2027-05-25T10:00:00+02:00[Europe/Rome]");
    let expiry = *expires_at;
    assert_eq!(
        rig.account
            .status(expiry - SignedDuration::from_nanos(1), &rig.policy),
        PinStatus::ExpiringSoon {
            assurance: AssuranceLevel::Ordinary,
            expires_at: expiry
        }
    );
    assert_eq!(
        rig.account.status(expiry, &rig.policy),
        PinStatus::Expired {
            assurance: AssuranceLevel::Ordinary,
            expired_at: expiry
        }
    );
    rig.check_replay();
}

#[test]
fn r20_an_intermediarys_pin_expires_after_three_months() {
    let mut rig = Rig::new(&intermediary());
    rig.activate(
        intermediary(),
        ChannelRequest::Online,
        at("2026-11-25T09:00:00Z"),
    );
    assert_eq!(rig.expiry(), at("2027-02-25T09:00:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-02-25T10:00:00+01:00[Europe/Rome]");

    // Set on 30 November: February has no 30th, so the last day of February.
    let mut rig = Rig::new(&intermediary());
    rig.activate(
        intermediary(),
        ChannelRequest::Online,
        at("2026-11-30T09:00:00Z"),
    );
    assert_eq!(rig.expiry(), at("2027-02-28T09:00:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-02-28T10:00:00+01:00[Europe/Rome]");
    rig.check_replay();
}

#[test]
fn r20_months_that_are_shorter_end_on_their_last_day_leap_years_included() {
    let cases = [
        // 31 August + 6 months: 28 February, same wall-clock time.
        (
            "2026-08-31T08:00:00Z",
            "2027-02-28T09:00:00Z",
            "2027-02-28T10:00:00+01:00[Europe/Rome]",
        ),
        // In a leap year: 29 February.
        (
            "2027-08-31T08:00:00Z",
            "2028-02-29T09:00:00Z",
            "2028-02-29T10:00:00+01:00[Europe/Rome]",
        ),
        // 23:30 on 31 August in Rome is still 31 August there (21:30Z).
        (
            "2026-08-31T21:30:00Z",
            "2027-02-28T22:30:00Z",
            "2027-02-28T23:30:00+01:00[Europe/Rome]",
        ),
        // 22:30Z on 31 August is already 1 September in Rome: + 6 months is 1 March, not the
        // 28 February that UTC's calendar would give.
        (
            "2026-08-31T22:30:00Z",
            "2027-02-28T23:30:00Z",
            "2027-03-01T00:30:00+01:00[Europe/Rome]",
        ),
    ];
    for (first_access, expected, expected_rome) in cases {
        let mut rig = Rig::new(&person());
        rig.activate(person(), ChannelRequest::Online, at(first_access));
        assert_eq!(rig.expiry(), at(expected), "first access at {first_access}");
        assert_eq!(rome(rig.expiry()), expected_rome);
        rig.check_replay();
    }
}

#[test]
fn r20_a_wall_clock_time_that_summer_time_skips_moves_forward_by_the_gap() {
    // 02:30 CEST on 28 September 2026; 28 March 2027 at 02:30 does not exist in Rome (the
    // clocks jump from 02:00 CET to 03:00 CEST): the expiry is 03:30 CEST, and nothing panics.
    let first_access = at("2026-09-28T00:30:00Z");
    assert_eq!(rome(first_access), "2026-09-28T02:30:00+02:00[Europe/Rome]");
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, first_access);
    assert_eq!(rig.expiry(), at("2027-03-28T01:30:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-03-28T03:30:00+02:00[Europe/Rome]");
    // The warning, 14 Rome days before, is at 03:30 CET (no gap on 14 March).
    assert_eq!(rig.deadline(), Some(at("2027-03-14T02:30:00Z")));
    // The whole path (warning, expiry, renewal after it) runs through the gap.
    let outcomes = rig.advance(at("2027-04-01T00:00:00Z"));
    assert_eq!(outcomes.len(), 2);
    assert_eq!(
        outcomes[1].events,
        [Event::PinExpired {
            at: at("2027-03-28T01:30:00Z")
        }]
    );
    let (_, _) = rig.renew(&code, at("2027-03-28T01:30:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-09-28T03:30:00+02:00[Europe/Rome]");
    rig.check_replay();

    // An intermediary set on 28 December at 02:30 lands in the same gap.
    let mut rig = Rig::new(&intermediary());
    rig.activate(
        intermediary(),
        ChannelRequest::Online,
        at("2026-12-28T01:30:00Z"),
    );
    assert_eq!(rome(rig.expiry()), "2027-03-28T03:30:00+02:00[Europe/Rome]");
}

#[test]
fn r20_a_wall_clock_time_that_summer_time_repeats_expires_at_that_time() {
    // 25 October 2026 at 02:30 happens twice in Rome: first in CEST (00:30Z), then in CET
    // (01:30Z). Either way the expiry is 02:30 on 25 April 2027, which exists once (CEST).
    for (first_access, shown) in [
        (
            "2026-10-25T00:30:00Z",
            "2026-10-25T02:30:00+02:00[Europe/Rome]",
        ),
        (
            "2026-10-25T01:30:00Z",
            "2026-10-25T02:30:00+01:00[Europe/Rome]",
        ),
    ] {
        assert_eq!(rome(at(first_access)), shown);
        let mut rig = Rig::new(&person());
        rig.activate(person(), ChannelRequest::Online, at(first_access));
        assert_eq!(rig.expiry(), at("2027-04-25T00:30:00Z"), "{first_access}");
        assert_eq!(rome(rig.expiry()), "2027-04-25T02:30:00+02:00[Europe/Rome]");
        rig.check_replay();
    }
    // A PIN set at 02:30 CEST on 25 April expires on 25 October at 02:30, which happens twice:
    // the earlier instant (CEST), as the crate documents.
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-04-25T00:30:00Z"));
    assert_eq!(rig.expiry(), at("2026-10-25T00:30:00Z"));
    assert_eq!(rome(rig.expiry()), "2026-10-25T02:30:00+02:00[Europe/Rome]");
}

#[test]
fn r20_renewals_at_the_same_wall_clock_time_keep_it_through_summer_time() {
    // A citizen renews at each expiry, always at 10:00 in Rome: every expiry is 10:00 on the
    // 15th, CET in January and CEST in July, for four years.
    let mut rig = Rig::new(&person());
    let mut code = rig.activate(person(), ChannelRequest::Online, at("2026-01-15T09:00:00Z"));
    for period in 0..8 {
        let expiry = rig.expiry();
        let year = 2026 + (period + 1) / 2;
        let (month, offset) = if period % 2 == 0 {
            (7, "+02:00")
        } else {
            (1, "+01:00")
        };
        assert_eq!(
            rome(expiry),
            format!("{year}-{month:02}-15T10:00:00{offset}[Europe/Rome]"),
            "period {period}"
        );
        let (outcome, new) = rig.renew(&code, expiry);
        assert!(matches!(outcome.events[..], [Event::PinRenewed { at, .. }] if at == expiry));
        code = new;
    }
    assert_eq!(rome(rig.expiry()), "2030-07-15T10:00:00+02:00[Europe/Rome]");
    rig.check_replay();
}

#[test]
fn r20_an_intermediarys_account_loaded_from_storage_still_renews_for_three_months() {
    // The role is kept beside the key in memory (the expiry reads it on every first access
    // and renewal) and is not stored: loading must find it again in the stored person.
    for format in ["postcard", "json"] {
        let mut rig = Rig::new(&intermediary());
        let code = rig.activate(
            intermediary(),
            ChannelRequest::Online,
            at("2026-11-25T09:00:00Z"),
        );
        let loaded: Account = match format {
            "postcard" => {
                postcard::from_bytes(&postcard::to_allocvec(&rig.account).unwrap()).unwrap()
            }
            _ => serde_json::from_str(&serde_json::to_string(&rig.account).unwrap()).unwrap(),
        };
        assert_eq!(loaded, rig.account, "{format}");
        rig.account = loaded;
        let renewed_at = at("2027-02-20T09:00:00Z");
        let (renewed, _) = rig.renew(&code, renewed_at);
        assert!(matches!(renewed.reply, Reply::PinRenewed(_)), "{format}");
        // 10:00 in Rome on 20 February, three months later: 10:00 CEST on 20 May.
        assert_eq!(rig.expiry(), at("2027-05-20T08:00:00Z"), "{format}");
    }
}

#[test]
fn r20_an_intermediary_renewing_at_each_warning_keeps_the_wall_clock_time() {
    // Fabio renews as soon as each warning arrives (the harness wakes him at it); every
    // expiry stays at 10:00 in Rome whatever the offset.
    let mut rig = Rig::new(&intermediary());
    let mut code = rig.activate(
        intermediary(),
        ChannelRequest::Online,
        at("2026-01-31T09:00:00Z"),
    );
    let expected = [
        // 31 January + 3 months: the last day of April.
        "2026-04-30T10:00:00+02:00[Europe/Rome]",
        "2026-07-16T10:00:00+02:00[Europe/Rome]",
        "2026-10-02T10:00:00+02:00[Europe/Rome]",
        "2026-12-18T10:00:00+01:00[Europe/Rome]",
        "2027-03-04T10:00:00+01:00[Europe/Rome]",
        "2027-05-18T10:00:00+02:00[Europe/Rome]",
    ];
    for (index, shown) in expected.iter().enumerate() {
        assert_eq!(rome(rig.expiry()), *shown, "period {index}");
        let warning = rig.deadline().unwrap();
        let outcomes = rig.advance(warning);
        assert_eq!(outcomes.len(), 1);
        assert_eq!(
            notices(&outcomes[0]),
            [(
                Notice::ExpiryWarning {
                    expires_at: rig.expiry()
                },
                Medium::Email(intermediary().email().unwrap().clone())
            )]
        );
        assert_eq!(
            rome_day(warning),
            rome_day(rig.expiry()).checked_sub(14.days()).unwrap()
        );
        code = rig.renew(&code, warning).1;
    }
    rig.check_replay();
}

#[test]
fn r20_an_expired_pin_does_not_log_in_and_the_person_is_told_to_renew() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = at("2027-05-25T08:00:00Z");
    // A nanosecond before, it works.
    rig.session(&code, expiry - SignedDuration::from_nanos(1));

    // At the expiry, the right PIN is refused with the reason.
    let refusal = rig.refuse(
        Command::LogIn {
            pin: entered(&code),
            device: None,
            trust_device: false,
        },
        expiry,
    );
    assert_eq!(refusal, Refusal::PinExpired { expired_at: expiry });
    assert_eq!(refusal.code(), "login.pin_expired");
    let message = refusal.message_it();
    assert!(
        message.contains("scaduto") && message.contains("rinnov"),
        "{message}"
    );
    assert_eq!(
        rig.account.status(expiry, &rig.policy),
        PinStatus::Expired {
            assurance: AssuranceLevel::Ordinary,
            expired_at: expiry
        }
    );

    // A wrong PIN on the expired account is a counted failure, not the expiry refusal: a
    // guesser learns nothing (R30).
    let outcome = rig.ok(
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        expiry,
    );
    assert_eq!(failure_count(&outcome), 1);
    assert_eq!(
        outcome.events,
        [Event::LoginFailed {
            at: expiry,
            device: None,
            blocks: false
        }]
    );
    // After the delay, the right PIN again says expired, and the refusal resets nothing.
    let refusal = rig.refuse(
        Command::LogIn {
            pin: entered(&code),
            device: None,
            trust_device: false,
        },
        expiry + secs(1),
    );
    assert_eq!(refusal.code(), "login.pin_expired");
    assert_eq!(rig.account.consecutive_failures(), 1);
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// R22: warnings, and the expiry notice.

#[test]
fn r22_one_warning_expiry_warning_days_before_then_the_expiry_notice_by_email() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let warning = at("2027-05-11T08:00:00Z");
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(rome(warning), "2027-05-11T10:00:00+02:00[Europe/Rome]");
    assert_eq!(rig.deadline(), Some(warning));

    let outcomes = rig.advance(expiry - SignedDuration::from_nanos(1));
    assert_eq!(outcomes.len(), 1, "one warning");
    assert_eq!(outcomes[0].events, [Event::ExpiryWarned { at: warning }]);
    assert_eq!(
        notices(&outcomes[0]),
        [(Notice::ExpiryWarning { expires_at: expiry }, by_email())]
    );
    let text = outcomes[0]
        .notifications()
        .next()
        .unwrap()
        .about()
        .message_it();
    assert!(
        text.contains("25/05/2027") && text.contains("rinnov"),
        "{text}"
    );
    assert_eq!(rig.deadline(), Some(expiry));
    // Not sent again by later ticks before the expiry.
    let outcome = rig.ok(Command::Tick, expiry - secs(1));
    assert!(outcome.events.is_empty() && outcome.effects.is_empty());

    let outcomes = rig.advance(at("2028-01-01T00:00:00Z"));
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].events, [Event::PinExpired { at: expiry }]);
    assert_eq!(
        notices(&outcomes[0]),
        [(Notice::PinExpired { expired_at: expiry }, by_email())]
    );
    assert_eq!(rig.deadline(), None);
    rig.check_replay();
}

#[test]
fn r22_notices_go_by_email_else_by_sms_else_by_post() {
    let mobile_only = bare_person().with_mobile(mario_mobile());
    let landline_only = bare_person().with_landline(mario_landline());
    let cases = [
        (person(), ChannelRequest::Online, by_email()),
        (
            mobile_only,
            ChannelRequest::Online,
            Medium::Sms(mario_mobile()),
        ),
        (
            landline_only,
            contact_center(PhoneKind::Landline),
            Medium::Post(residence()),
        ),
        (bare_person(), sede_request(), Medium::Post(residence())),
    ];
    let warning = at("2027-05-11T08:00:00Z");
    let expiry = at("2027-05-25T08:00:00Z");
    for (who, channel, medium) in cases {
        let mut rig = Rig::new(&who);
        rig.activate(who, channel, at("2026-11-25T09:00:00Z"));
        let outcomes = rig.advance(expiry);
        let sent: Vec<_> = outcomes.iter().flat_map(notices).collect();
        assert_eq!(
            sent,
            [
                (Notice::ExpiryWarning { expires_at: expiry }, medium.clone()),
                (Notice::PinExpired { expired_at: expiry }, medium.clone()),
            ]
        );
        assert_eq!(outcomes[0].events, [Event::ExpiryWarned { at: warning }]);
        rig.check_replay();
    }
}

#[test]
fn r22_a_clock_that_jumps_past_warning_and_expiry_sends_only_the_expiry() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = at("2027-05-25T08:00:00Z");
    let late = at("2027-06-01T12:00:00Z");
    let outcome = rig.ok(Command::Tick, late);
    assert_eq!(outcome.reply, Reply::TimeApplied);
    assert_eq!(outcome.events, [Event::PinExpired { at: late }]);
    assert_eq!(
        notices(&outcome),
        [(Notice::PinExpired { expired_at: expiry }, by_email())]
    );
    assert_eq!(rig.deadline(), None);
    // Nothing more, ever.
    let outcome = rig.ok(Command::Tick, at("2030-01-01T00:00:00Z"));
    assert!(outcome.events.is_empty() && outcome.effects.is_empty());
    rig.check_replay();
}

#[test]
fn r22_no_warning_when_expiry_warning_days_is_zero() {
    let mut policy = policy();
    policy.expiry_warning_days = 0;
    let mut rig = Rig::with_policy(&person(), policy);
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(rig.deadline(), Some(expiry));
    let outcomes = rig.advance(at("2028-01-01T00:00:00Z"));
    let sent: Vec<_> = outcomes.iter().flat_map(notices).collect();
    assert_eq!(
        sent,
        [(Notice::PinExpired { expired_at: expiry }, by_email())]
    );
    // Renewal only once expired.
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
            trust_device: false,
            device: None,
        },
        expiry - SignedDuration::from_nanos(1),
    );
    assert_eq!(
        refusal,
        Refusal::RenewalNotDue {
            renewable_from: expiry
        }
    );
    let (_, _) = rig.renew(&code, expiry);
    rig.check_replay();
}
