//! Properties of runs driven by the clock alone: R20–R22 (a PIN warns and expires once per
//! period).
//!
//! The runs are played by `tests/common/lifecycle_run.rs`; failure persistence is off, and a
//! counterexample worth keeping becomes a test in `tests/properties_counterexamples.rs`.

mod common;

use common::lifecycle_run::*;
use common::scenario::*;
use common::*;
use inps_pin::{
    AssuranceLevel, ChannelRequest, Command, Event, Notice, PinPart, PinStatus, Reply, Role,
};
use jiff::SignedDuration;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// ---------------------------------------------------------------------------------------------
// R20–R22: a run driven by the clock alone
// ---------------------------------------------------------------------------------------------

/// What the owner does about a period's expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Renewal {
    /// Nothing.
    Never,
    /// Renews this many seconds after the warning (before the expiry).
    AfterWarning(u32),
    /// Renews this many seconds after the expiry.
    AfterExpiry(u32),
}

#[derive(Clone, Debug)]
struct ClockRun {
    seed: u64,
    role: Role,
    /// Seconds after `t0()` at which the PIN is issued: about 4 years of instants, so both
    /// summer and winter time, month ends and leap days come up.
    start_offset: u32,
    /// Seconds from the request to the first access, within the 90-day window.
    first_access_after: u32,
    /// For each period in turn; none left means `Never`.
    renewals: Vec<Renewal>,
}

fn clock_run_strategy() -> impl Strategy<Value = ClockRun> {
    let renewal = prop_oneof![
        2 => Just(Renewal::Never),
        3 => (0..=13 * DAY).prop_map(Renewal::AfterWarning),
        1 => (0..=MAX_WAIT_SECONDS).prop_map(Renewal::AfterExpiry),
    ];
    (
        any::<u64>(),
        prop_oneof![Just(Role::Citizen), Just(Role::Intermediary)],
        0..4 * 366 * DAY,
        0..89 * DAY,
        prop::collection::vec(renewal, 0..5),
    )
        .prop_map(
            |(seed, role, start_offset, first_access_after, renewals)| ClockRun {
                seed,
                role,
                start_offset,
                first_access_after,
                renewals,
            },
        )
}

/// One period of validity: from a first access or a renewal to the expiry.
#[derive(Debug, Default)]
struct Period {
    warnings: u32,
    expiries: u32,
    renewed: bool,
}

/// Drives the account with ticks at `poll_deadline` only, and the owner's renewals, for two
/// years from the first access; checks each period and the deadlines.
fn clock_run_holds(clock: &ClockRun) -> Result<Tally, TestCaseError> {
    let policy = policy();
    let mut rng = rng(clock.seed);
    let mut tally = Tally::default();
    let months = i64::from(policy.validity_months(clock.role));
    let issued_at = t0() + SignedDuration::from_secs(i64::from(clock.start_offset));
    let started = issued_at + SignedDuration::from_secs(i64::from(clock.first_access_after));
    let (mut account, mut eight) =
        activated(owner(clock.role), issued_at, started, &policy, &mut rng);
    let horizon = started + SignedDuration::from_hours(2 * 365 * 24);

    let mut periods = vec![Period::default()];
    let mut expires_at = plus_rome_months(started, months);
    let mut renewals = clock.renewals.iter().copied();
    let mut this_period = renewals.next().unwrap_or(Renewal::Never);
    let mut last = started;
    let mut ticks = 0;
    loop {
        prop_assert!(ticks < 200, "the deadlines never end");
        ticks += 1;
        let renew_at = match (this_period, periods.last()) {
            (Renewal::AfterWarning(after), Some(p)) if p.warnings == 1 && p.expiries == 0 => {
                let warned_at = last;
                let latest = expires_at - SignedDuration::from_secs(1);
                Some((warned_at + SignedDuration::from_secs(i64::from(after))).min(latest))
            }
            (Renewal::AfterExpiry(after), Some(p)) if p.expiries == 1 => {
                Some(last + SignedDuration::from_secs(i64::from(after)))
            }
            _ => None,
        };
        if let Some(at) = renew_at.filter(|at| *at <= horizon) {
            let renewed = run(
                &mut account,
                Command::RenewPin {
                    pin: entered(&eight),
                    trust_device: false,
                    device: None,
                },
                at,
                &policy,
                &mut rng,
            );
            let renewed = match renewed {
                Ok(outcome) if matches!(outcome.reply, Reply::PinRenewed(_)) => outcome,
                other => {
                    return Err(TestCaseError::fail(format!(
                        "a renewal at {at} (expiry {expires_at}) gave {:?}",
                        other.map(|o| o.reply)
                    )));
                }
            };
            eight = code_of(&renewed, PinPart::Pin);
            if let Some(p) = periods.last_mut() {
                p.renewed = true;
            }
            periods.push(Period::default());
            expires_at = plus_rome_months(at, months);
            prop_assert_eq!(
                account.status(at, &policy),
                PinStatus::Active {
                    assurance: AssuranceLevel::Ordinary,
                    expires_at
                }
            );
            this_period = renewals.next().unwrap_or(Renewal::Never);
            last = at;
            tally.add("renewed");
            continue;
        }

        let Some(deadline) = account.poll_deadline(&policy) else {
            break;
        };
        if deadline > horizon {
            break;
        }
        prop_assert!(
            deadline > last,
            "deadline {} not after the last instant {}",
            deadline,
            last
        );
        let outcome = run(&mut account, Command::Tick, deadline, &policy, &mut rng).unwrap();
        prop_assert!(
            !outcome.events.is_empty(),
            "a tick at its deadline did nothing"
        );
        let Some(period) = periods.last_mut() else {
            unreachable!()
        };
        for event in &outcome.events {
            match event {
                Event::ExpiryWarned { .. } => {
                    period.warnings += 1;
                    prop_assert_eq!(deadline, plus_rome_days(expires_at, -14));
                    tally.add("warning");
                }
                Event::PinExpired { .. } => {
                    period.expiries += 1;
                    prop_assert_eq!(deadline, expires_at);
                    tally.add("expiry");
                }
                other => prop_assert!(false, "a tick gave {:?}", other),
            }
        }
        let notices: Vec<&Notice> = outcome.notifications().map(|n| n.about()).collect();
        prop_assert_eq!(notices.len(), outcome.events.len(), "{:?}", notices);
        for notice in notices {
            prop_assert!(
                matches!(notice,
                    Notice::ExpiryWarning { expires_at: e } | Notice::PinExpired { expired_at: e }
                    if *e == expires_at),
                "{:?} for the expiry {}",
                notice,
                expires_at
            );
        }
        last = deadline;
    }

    // Every period: one warning, and one expiry unless renewed; a renewed period expires
    // never. After the last expiry nothing more is due.
    let count = periods.len();
    for (n, period) in periods.iter().enumerate() {
        let is_last = n + 1 == count;
        if !is_last {
            prop_assert_eq!(period.warnings, 1, "period {}: {:?}", n, period);
            prop_assert!(period.renewed);
            prop_assert!(period.expiries <= 1);
        } else {
            prop_assert!(period.warnings <= 1 && period.expiries <= 1, "{:?}", period);
            let warn_at = plus_rome_days(expires_at, -14);
            prop_assert_eq!(period.warnings == 1, warn_at <= horizon, "{:?}", period);
            prop_assert_eq!(period.expiries == 1, expires_at <= horizon, "{:?}", period);
            if period.expiries == 1 {
                prop_assert_eq!(account.poll_deadline(&policy), None);
                tally.add("nothing due after the expiry");
            }
        }
    }
    if clock.renewals.iter().all(|r| *r == Renewal::Never) {
        // Nobody renews: two years hold one period of 3 or 6 months, so exactly one warning
        // and one expiry.
        prop_assert_eq!(count, 1);
        prop_assert_eq!((periods[0].warnings, periods[0].expiries), (1, 1));
        tally.add(format!("never renewed: {:?}", clock.role));
    }
    Ok(tally)
}

#[test]
fn r20_a_clock_driven_run_warns_and_expires_once_per_period() {
    let tally = check_property(96, clock_run_strategy(), clock_run_holds);
    tally.assert_reached(&[
        "warning",
        "expiry",
        "renewed",
        "nothing due after the expiry",
        "never renewed: Citizen",
        "never renewed: Intermediary",
    ]);
}

/// The plainest clock-driven run, fixed: a citizen who never renews gets one warning 14 days
/// before the 6 calendar months are up, one expiry at the end, and then nothing is due.
#[test]
fn r20_a_citizen_who_never_renews_gets_one_warning_and_one_expiry() {
    let policy = policy();
    let mut rng = rng(20);
    let (mut account, _) = active(person(), ChannelRequest::Online, &policy, &mut rng);
    let mut ticks = Vec::new();
    let until = at("2028-11-25T09:00:00Z");
    while let Some(deadline) = account.poll_deadline(&policy).filter(|d| *d <= until) {
        let outcome = run(&mut account, Command::Tick, deadline, &policy, &mut rng).unwrap();
        let names: Vec<_> = outcome.events.iter().map(Event::name).collect();
        ticks.push((deadline.to_string(), names));
        assert!(ticks.len() < 10);
    }
    // First access 2026-11-25 at 10:00 in Rome (09:00Z); 6 months later, 2027-05-25 at 10:00
    // in Rome, is 08:00Z in summer time, and the warning comes 14 Rome days before.
    assert_eq!(
        ticks,
        [
            ("2027-05-11T08:00:00Z".to_owned(), vec!["expiry_warned"]),
            ("2027-05-25T08:00:00Z".to_owned(), vec!["pin_expired"]),
        ]
    );
    assert_eq!(account.poll_deadline(&policy), None);
}
