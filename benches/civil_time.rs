//! The Rome calendar arithmetic of `src/civil_time.rs` next to jiff's own zoned arithmetic,
//! in the same run: `instant` moved by 90 Rome calendar days (the first-access window, R9) and
//! by 6 calendar months (a PIN's life, R20), on 1,000 different instants of 2026 and 2027.
//!
//! The crate's functions are private, so the file is compiled into this bench as it is (the
//! population test includes the simulation the same way). A test in that file holds both to
//! the same answers; this bench says what each costs, in a paired run (batches alternated, so
//! that drift in machine load hits both alike), printed as a `BENCHMARK` line with no target:
//! what counts is the crate's own time in the population example, and DESIGN.md
//! ("Hand-written or a library?") says which the crate uses and why.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{Span, Timestamp};
use rand_core::Rng;

// Only the arithmetic is measured; the file's own tests, compiled here under `cargo test` and
// clippy, use what the library's tests have.
#[path = "../src/civil_time.rs"]
#[allow(dead_code, unused_imports)]
mod civil_time;
mod support;

/// Different instants, from 2026-01-01 to 2027-12-31, taken in turn.
fn instants() -> Vec<Timestamp> {
    let mut rng = support::rng(9);
    let start = support::at("2026-01-01T00:00:00Z").as_second();
    (0..1_000)
        .map(|_| {
            let offset = i64::from(rng.next_u32() % (2 * 365 * 86_400));
            Timestamp::from_second(start + offset).unwrap()
        })
        .collect()
}

/// A way to move an instant by a fixed count of calendar units.
type Move = fn(Timestamp) -> Timestamp;

/// jiff's zoned arithmetic: the instant in Rome, plus the span, back to an instant.
fn jiff_zoned(instant: Timestamp, span: Span) -> Timestamp {
    instant
        .to_zoned_datetime(civil_time::rome_time_zone())
        .checked_add(span)
        .map_or(Timestamp::MAX, |moved| moved.timestamp())
}

/// Each side takes the next instant at every call.
struct Cycle<'a> {
    instants: &'a [Timestamp],
    next: usize,
}

impl Cycle<'_> {
    fn next(&mut self) -> Timestamp {
        let instant = self.instants[self.next];
        self.next = (self.next + 1) % self.instants.len();
        black_box(instant)
    }
}

fn calendar(c: &mut Criterion) {
    let instants = instants();
    let cycle = || Cycle {
        instants: &instants,
        next: 0,
    };
    for instant in &instants {
        assert_eq!(
            civil_time::add_rome_days(*instant, 90),
            jiff_zoned(*instant, Span::new().days(90))
        );
        assert_eq!(
            civil_time::add_rome_months(*instant, 6),
            jiff_zoned(*instant, Span::new().months(6))
        );
    }
    let cases: [(&str, &str, Move, Move); 2] = [
        (
            "civil_time_90_days",
            "an instant moved by 90 Rome calendar days, 1,000 different instants",
            |instant| civil_time::add_rome_days(instant, 90),
            |instant| jiff_zoned(instant, Span::new().days(90)),
        ),
        (
            "civil_time_6_months",
            "an instant moved by 6 Rome calendar months, 1,000 different instants",
            |instant| civil_time::add_rome_months(instant, 6),
            |instant| jiff_zoned(instant, Span::new().months(6)),
        ),
    ];
    let mut group = c.benchmark_group("civil_time");
    for (id, measure, crate_side, jiff_side) in cases {
        let (mut ours, mut theirs) = (cycle(), cycle());
        let paired = support::paired_run(
            &format!("{id}: {measure}"),
            ("crate", || crate_side(ours.next())),
            ("jiff_zoned", || jiff_side(theirs.next())),
            support::scaled(10_000, 100),
            support::scaled(40, 3),
        );
        support::print_comparison(
            id,
            &format!("{measure}: the crate's civil-date arithmetic"),
            "jiff's zoned arithmetic (`ZonedDateTime::checked_add`)",
            paired,
        );
        let mut ours = cycle();
        group.bench_function(format!("{id}/crate"), |b| {
            b.iter(|| crate_side(ours.next()))
        });
        let mut theirs = cycle();
        group.bench_function(format!("{id}/jiff_zoned"), |b| {
            b.iter(|| jiff_side(theirs.next()))
        });
    }
    group.finish();
}

criterion_group!(benches, calendar);
criterion_main!(benches);
