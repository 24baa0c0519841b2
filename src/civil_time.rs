//! Italian civil time: the calendar in which the PIN's windows are counted.
//!
//! Rules that speak of days and months (R9's first-access window, R20's expiry) are counted on
//! the calendar of Europe/Rome, not in fixed 24-hour blocks, so a window never ends at a
//! different hour of the day because summer time started or ended inside it. The time-zone
//! data is compiled into the crate (jiff's `static` feature): nothing reads the file system.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

static ROME: TimeZone = jiff::tz::get!("Europe/Rome");

/// The Europe/Rome time zone, compiled in: for callers that show the crate's timestamps to
/// people as Italian dates and times.
///
/// ```
/// use jiff::Timestamp;
///
/// let instant: Timestamp = "2017-07-20T22:00:00Z".parse()?;
/// let in_rome = instant.to_zoned_datetime(inps_pin::rome_time_zone());
/// assert_eq!(in_rome.to_string(), "2017-07-21T00:00:00+02:00[Europe/Rome]");
/// # Ok::<(), jiff::Error>(())
/// ```
#[must_use]
pub fn rome_time_zone() -> TimeZone {
    ROME.clone()
}

/// The calendar date in Rome at `instant`.
pub(crate) fn rome_date(instant: Timestamp) -> Date {
    ROME.to_datetime(instant).date()
}

/// The first instant of `date` in Rome. Midnight exists on every Italian date (summer time
/// changes at 02:00 and 03:00), but the lookup is total anyway: jiff's compatible rule picks the
/// later instant for a time that a gap skips.
pub(crate) fn rome_start_of_day(date: Date) -> Timestamp {
    let midnight = DateTime::from_parts(date, jiff::civil::Time::midnight());
    rome_instant(midnight).unwrap_or(if date.year() < 1970 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// `instant` moved by `days` calendar days in Rome: the same wall-clock time that many dates
/// later. Saturates at the ends of jiff's range instead of failing, since a window that ends
/// after the year 9999 has, for every caller, not ended.
///
/// Computed as jiff adds a span of days to a zoned datetime (the Rome wall-clock time, its
/// date moved, back to an instant by the compatible rule), but on the civil date directly,
/// without jiff's general span arithmetic; `benches/civil_time.rs` times both, and DESIGN.md
/// ("Hand-written or a library?") says why this one. A test holds the two to the same answers.
pub(crate) fn add_rome_days(instant: Timestamp, days: i64) -> Timestamp {
    let saturated = end_of_time_towards(days);
    // Whole days as seconds, which a civil date adds as days; a count beyond jiff's range
    // (about 20,000 years) saturates like any other overflow instead of panicking.
    let Some(seconds) = days.checked_mul(86_400) else {
        return saturated;
    };
    let start = ROME.to_datetime(instant);
    start
        .date()
        .checked_add(SignedDuration::from_secs(seconds))
        .ok()
        .and_then(|date| rome_instant(date.to_datetime(start.time())))
        .unwrap_or(saturated)
}

/// Whether `now` comes before `days` Rome calendar days after `instant`: the same answer as
/// `now < add_rome_days(instant, days)`, without the calendar when `now` is hours away from
/// that moment, as it is on nearly every login from a trusted device (R25a).
///
/// Rome calendar days add up to `days` × 24 hours, give or take the difference between two
/// of Rome's UTC offsets (at most 1 h 10 min: local mean time, +0:49:56, against summer time,
/// +2:00), whether or not the wall time falls in a gap or a fold. Three hours either side of
/// that moment leave the answer in no doubt.
pub(crate) fn before_rome_days_after(now: Timestamp, instant: Timestamp, days: i64) -> bool {
    const MARGIN_SECONDS: i64 = 3 * 3600;
    // Far from the ends of time, where the calendar arithmetic cannot overflow either.
    const SAFE_SECONDS: i64 = 100 * 365 * 86_400;
    let nominal = days
        .checked_mul(86_400)
        .and_then(|seconds| instant.as_second().checked_add(seconds))
        .filter(|nominal| {
            (Timestamp::MIN.as_second() + SAFE_SECONDS..=Timestamp::MAX.as_second() - SAFE_SECONDS)
                .contains(nominal)
        });
    match nominal {
        Some(nominal) if now.as_second() < nominal - MARGIN_SECONDS => true,
        Some(nominal) if now.as_second() >= nominal + MARGIN_SECONDS => false,
        _ => now < add_rome_days(instant, days),
    }
}

/// `instant` moved by `months` calendar months in Rome (R20): the same day of the month and
/// wall-clock time, or the month's last day when it is shorter (31 August + 6 months = the last
/// day of February, the 29th in a leap year). A wall-clock time that summer time skips on the
/// target date moves forward by the gap; one it repeats takes the earlier instant (jiff's
/// "compatible" rule, as RFC 5545 does), so nothing fails and nothing drifts by an hour from one
/// renewal to the next beyond that. Saturates like [`add_rome_days`].
pub(crate) fn add_rome_months(instant: Timestamp, months: i64) -> Timestamp {
    let saturated = end_of_time_towards(months);
    let start = ROME.to_datetime(instant);
    moved_by_months(start.date(), months)
        .and_then(|date| rome_instant(date.to_datetime(start.time())))
        .unwrap_or(saturated)
}

/// `date` moved by `months` calendar months, on the same day of the month or the month's last
/// day when it is shorter: what jiff does for a span of months, without its general span
/// arithmetic (see [`add_rome_days`]). `None` beyond jiff's years (-9999 to 9999).
fn moved_by_months(date: Date, months: i64) -> Option<Date> {
    let month_index = i64::from(date.year()) * 12 + i64::from(date.month()) - 1;
    let moved = month_index.checked_add(months)?;
    let year = i16::try_from(moved.div_euclid(12)).ok()?;
    // 1 to 12: the remainder of a division by 12, plus one.
    let month = i8::try_from(moved.rem_euclid(12) + 1).ok()?;
    let first = Date::new(year, month, 1).ok()?;
    Date::new(year, month, date.day().min(first.days_in_month())).ok()
}

/// Where a count of days or months that leaves jiff's range saturates: the first instant for a
/// count back in time, the last for one forward.
fn end_of_time_towards(count: i64) -> Timestamp {
    if count < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    }
}

/// The instant of a Rome wall-clock time, by jiff's compatible rule (the later instant for a
/// time a gap skips, the earlier for one a fold repeats); `None` beyond jiff's range.
fn rome_instant(wall_clock: DateTime) -> Option<Timestamp> {
    ROME.to_ambiguous_timestamp(wall_clock).compatible().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Span;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    /// The seconds of 1850-01-01 and 2150-01-01: local mean time, the wars' summer times and
    /// today's rules all lie between.
    const YEARS_1850_TO_2150: (i64, i64) = (-3_786_825_600, 5_680_281_600);

    /// A number from `low` up to (not including) `high`.
    fn between(rng: &mut ChaCha20Rng, low: i64, high: i64) -> i64 {
        low + i64::try_from(rng.next_u64() % u64::try_from(high - low).unwrap()).unwrap()
    }

    /// What jiff's own zoned arithmetic gives for `count` of a calendar unit in Rome (`unit`
    /// makes the span: `Span::try_days` or `Span::try_months`), saturating as the crate does:
    /// the answer [`add_rome_days`] and [`add_rome_months`] must give.
    fn zoned_add(
        instant: Timestamp,
        count: i64,
        unit: fn(Span, i64) -> Result<Span, jiff::Error>,
    ) -> Timestamp {
        unit(Span::new(), count)
            .ok()
            .and_then(|span| {
                instant
                    .to_zoned_datetime(ROME.clone())
                    .checked_add(span)
                    .ok()
            })
            .map_or(end_of_time_towards(count), |moved| moved.timestamp())
    }

    fn zoned_add_days(instant: Timestamp, days: i64) -> Timestamp {
        zoned_add(instant, days, Span::try_days::<i64>)
    }

    fn zoned_add_months(instant: Timestamp, months: i64) -> Timestamp {
        zoned_add(instant, months, Span::try_months::<i64>)
    }

    /// The civil arithmetic gives jiff's zoned answers: instants from 1850 to 2150 (local
    /// mean time, the wars' summer times, today's rules), times of day that summer time skips
    /// or repeats, the ends of months, counts up to decades either way, and the ends of time.
    #[test]
    fn r20_calendar_days_and_months_are_jiffs_zoned_arithmetic() {
        let mut rng = ChaCha20Rng::seed_from_u64(20);
        let (from, to) = YEARS_1850_TO_2150;
        let mut instants: Vec<Timestamp> = (0..30_000)
            .map(|_| Timestamp::from_second(between(&mut rng, from, to)).unwrap())
            .collect();
        // Wall-clock times in the gap and the fold of 2026, and the last days of months.
        for text in [
            "2026-03-29T00:30:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-28T01:30:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-25T01:30:00Z",
            "2026-10-24T00:30:00Z",
            "2026-01-31T10:00:00Z",
            "2026-08-31T21:59:59Z",
            "2027-12-31T23:30:00Z",
            "1916-06-03T22:30:00Z",
        ] {
            instants.push(text.parse().unwrap());
        }
        instants.extend([Timestamp::MIN, Timestamp::UNIX_EPOCH, Timestamp::MAX]);
        for (index, instant) in instants.iter().enumerate() {
            let days = match index % 3 {
                0 => between(&mut rng, -3, 3),
                1 => between(&mut rng, -400, 400),
                _ => between(&mut rng, -40_000, 40_000),
            };
            let months = match index % 3 {
                0 => between(&mut rng, -3, 3),
                1 => between(&mut rng, -24, 24),
                _ => between(&mut rng, -1_200, 1_200),
            };
            assert_eq!(
                add_rome_days(*instant, days),
                zoned_add_days(*instant, days),
                "{instant} + {days} days"
            );
            assert_eq!(
                add_rome_months(*instant, months),
                zoned_add_months(*instant, months),
                "{instant} + {months} months"
            );
        }
        for count in [i64::MIN, -7_304_485, -240_000, 240_000, 7_304_485, i64::MAX] {
            for instant in [Timestamp::MIN, Timestamp::UNIX_EPOCH, Timestamp::MAX] {
                assert_eq!(
                    add_rome_days(instant, count),
                    zoned_add_days(instant, count)
                );
                assert_eq!(
                    add_rome_months(instant, count),
                    zoned_add_months(instant, count)
                );
            }
        }
    }

    #[test]
    fn a_count_of_days_beyond_any_calendar_saturates_instead_of_panicking() {
        let now: Timestamp = "2026-11-30T18:00:00Z".parse().unwrap();
        for days in [i64::MAX, 7_304_485, 100_000_000] {
            assert_eq!(add_rome_days(now, days), Timestamp::MAX);
            assert!(before_rome_days_after(now, now, days));
        }
        for days in [i64::MIN, -7_304_485] {
            assert_eq!(add_rome_days(now, days), Timestamp::MIN);
            assert!(!before_rome_days_after(now, now, days));
        }
    }

    #[test]
    fn days_are_counted_on_the_rome_calendar_across_summer_time() {
        // 2026-03-28 12:00 in Rome is 11:00Z (CET); summer time starts on the 29th.
        let before: Timestamp = "2026-03-28T11:00:00Z".parse().unwrap();
        let after = add_rome_days(before, 2);
        // Same wall-clock noon two days later, now CEST: 10:00Z.
        assert_eq!(after.to_string(), "2026-03-30T10:00:00Z");
        assert_eq!(rome_date(after), jiff::civil::date(2026, 3, 30));
    }

    /// The shortcut gives the calendar's answer: instants from 1850 to 2150 (local mean
    /// time, the wars' summer times, today's rules), around the days summer time starts and
    /// ends, days from a year back to a year on, and `now` near the moment and far from it.
    #[test]
    fn before_rome_days_after_answers_as_the_calendar_does() {
        let mut rng = ChaCha20Rng::seed_from_u64(25);
        let (from, to) = YEARS_1850_TO_2150;
        for round in 0..20_000 {
            let instant = Timestamp::from_second(between(&mut rng, from, to)).unwrap();
            let days = between(&mut rng, -400, 400);
            let exact = add_rome_days(instant, days).as_second();
            // Half near the moment, within a few hours; half anywhere within days of it.
            let reach = if round % 2 == 0 { 4 * 3600 } else { 5 * 86_400 };
            let now =
                Timestamp::from_second(between(&mut rng, exact - reach, exact + reach)).unwrap();
            assert_eq!(
                before_rome_days_after(now, instant, days),
                now < add_rome_days(instant, days),
                "{now} {instant} {days}"
            );
        }
        for (instant, days) in [("2026-03-28T01:30:00Z", 1), ("2026-10-24T00:30:00Z", 1)] {
            let instant: Timestamp = instant.parse().unwrap();
            let exact = add_rome_days(instant, days);
            for offset in -4 * 3600..=4 * 3600 {
                let now = exact + jiff::SignedDuration::from_secs(offset);
                assert_eq!(before_rome_days_after(now, instant, days), now < exact);
            }
        }
        for days in [-1_000_000, -1, 0, 1, 1_000_000] {
            for instant in [Timestamp::MIN, Timestamp::UNIX_EPOCH, Timestamp::MAX] {
                assert_eq!(
                    before_rome_days_after(Timestamp::UNIX_EPOCH, instant, days),
                    Timestamp::UNIX_EPOCH < add_rome_days(instant, days)
                );
            }
        }
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        let end_of_august: Timestamp = "2026-08-31T10:00:00Z".parse().unwrap();
        assert_eq!(
            rome_date(add_rome_months(end_of_august, 6)),
            jiff::civil::date(2027, 2, 28)
        );
        let leap: Timestamp = "2027-08-31T10:00:00Z".parse().unwrap();
        assert_eq!(
            rome_date(add_rome_months(leap, 6)),
            jiff::civil::date(2028, 2, 29)
        );
    }

    #[test]
    fn start_of_day_is_rome_midnight() {
        let midnight = rome_start_of_day(jiff::civil::date(2017, 7, 21));
        assert_eq!(midnight.to_string(), "2017-07-20T22:00:00Z");
    }
}
