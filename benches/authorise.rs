//! `Catalogue::authorise`: target ≤ 300 ns a decision, and no allocation at all.
//!
//! The binary counts every allocation with `stats_alloc`'s instrumented system allocator; the
//! bench function first makes 1000 decisions of each kind outside the timing loop and asserts
//! that the count did not move, so `cargo bench` fails if `authorise` ever allocates. A paired
//! run then times each kind of decision next to reading the session's level, and the slowest
//! kind is the `BENCHMARK` line.

use std::alloc::System;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::{
    AssuranceLevel, Credential, DenialReason, DigitalIdentity, HashCost, Policy, ServiceId,
    Session, SpidLevel, Verdict,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

mod support;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (and reallocations) made by `calls` runs of `f`.
fn allocations_in(calls: usize, mut f: impl FnMut()) -> usize {
    let region = Region::new(GLOBAL);
    for _ in 0..calls {
        f();
    }
    let change = region.change();
    change.allocations + change.reallocations
}

fn authorise(c: &mut Criterion) {
    let policy = Policy::default();
    let catalogue = &policy.catalogue;

    // A session from SPID level 1: ordinary (R18).
    let spid = Session::from_digital_identity(
        support::cf("RSSMRA80A01H501U"),
        DigitalIdentity::Spid(SpidLevel::One),
        support::at("2026-11-26T09:00:00Z"),
        policy.digital_identity_dispositivo_since,
    );
    // A session from a login with a PIN requested online: ordinary (R11). The hash cost does
    // not change the session, so the account is made at the cheap one; the catalogue is the
    // default one either way.
    let cheap = Policy::default().with_hash_cost(HashCost::CHEAP);
    let mut rng = support::rng(1);
    let (mut account, pin) = support::active(&cheap, &mut rng);
    let pin_session = support::log_in(
        &mut account,
        &pin,
        support::at("2026-11-26T09:00:00Z"),
        &cheap,
        &mut rng,
    );
    assert_eq!(pin_session.credential(), Credential::Pin);

    // The counter is live: one vector, one allocation.
    let one = allocations_in(1, || {
        black_box(Vec::<u8>::with_capacity(black_box(8)));
    });
    assert_eq!(one, 1, "the counting allocator does not count");

    let cases = [
        (
            "spid1/bonus_600_refused",
            &spid,
            ServiceId::BONUS_600,
            false,
        ),
        (
            "spid1/contribution_record_allowed",
            &spid,
            ServiceId::CONTRIBUTION_RECORD,
            true,
        ),
        (
            "pin/bonus_600_refused",
            &pin_session,
            ServiceId::BONUS_600,
            false,
        ),
        (
            "pin/contribution_record_allowed",
            &pin_session,
            ServiceId::CONTRIBUTION_RECORD,
            true,
        ),
    ];

    let mut total_allocations = 0;
    for (name, session, service, allowed) in &cases {
        assert_eq!(session.level(), AssuranceLevel::Ordinary);
        let decision = catalogue.authorise(session, service).unwrap();
        let expected = if *allowed {
            Verdict::Allowed
        } else {
            Verdict::Refused(DenialReason::LevelTooLow)
        };
        assert_eq!(decision.verdict, expected, "{name}");

        let allocations = allocations_in(1000, || {
            let decision = catalogue.authorise(black_box(*session), black_box(service));
            black_box(decision.map(|d| d.verdict)).unwrap();
        });
        eprintln!("authorise/{name}: {allocations} allocations in 1000 calls");
        assert_eq!(allocations, 0, "authorise allocated ({name})");
        total_allocations += allocations;
    }
    support::Row {
        id: "authorise_allocations",
        measure: "allocations of `Catalogue::authorise`, 1000 decisions of each of 4 kinds",
        target: "none",
        value: total_allocations as f64,
        unit: "allocations",
        baseline: "one `Vec::with_capacity(8)`: 1 allocation",
        baseline_value: Some(one as f64),
        ratio: None,
        met: total_allocations == 0,
    }
    .print();

    // Each kind next to reading the session's level; the slowest kind is the row.
    let mut slowest: Option<(&str, support::Paired)> = None;
    for (name, session, service, _) in &cases {
        let paired = support::paired_run(
            &format!("authorise/{name}"),
            ("authorise", || {
                catalogue
                    .authorise(black_box(*session), black_box(service))
                    .map(|d| d.verdict)
            }),
            ("level", || black_box(*session).level()),
            support::scaled(20_000, 200),
            support::scaled(40, 3),
        );
        if slowest.is_none_or(|(_, worst)| paired.a > worst.a) {
            slowest = Some((name, paired));
        }
    }
    if let Some((name, paired)) = slowest {
        let measure = format!("`Catalogue::authorise`, slowest of 4 kinds ({name})");
        support::Row {
            id: "authorise_time",
            measure: &measure,
            target: "≤ 300 ns",
            value: support::ns(paired.a),
            unit: "ns",
            baseline: "reading the session's level",
            baseline_value: Some(support::ns(paired.b)),
            ratio: Some(paired),
            met: support::ns(paired.a) <= 300.0,
        }
        .print();
    }

    let mut group = c.benchmark_group("authorise");
    for (name, session, service, _) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| {
                catalogue
                    .authorise(black_box(*session), black_box(service))
                    .map(|d| d.verdict)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, authorise);
criterion_main!(benches);
