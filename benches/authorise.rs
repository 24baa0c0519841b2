//! `Catalogue::authorise`: target ≤ 300 ns a decision, and no allocation at all.
//!
//! The binary counts every allocation with a wrapper around the system allocator; the bench
//! function first makes 1000 decisions of each kind outside the timing loop and asserts that
//! the count did not move, so `cargo bench` fails if `authorise` ever allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::{
    AssuranceLevel, Credential, DenialReason, DigitalIdentity, HashCost, Policy, ServiceId,
    Session, SpidLevel, Verdict,
};

mod support;

/// The system allocator, counting allocations and reallocations.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// `unsafe` is needed to implement `GlobalAlloc`. The crate's `#![forbid(unsafe_code)]` covers
// `src/` only: this bench is a separate target, and the implementation does nothing but count
// and forward every call unchanged to `System`, so it keeps `System`'s guarantees.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc_zeroed` is passed on unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `realloc` is passed on unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `calls` runs of `f`.
fn allocations_in(calls: usize, mut f: impl FnMut()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for _ in 0..calls {
        f();
    }
    ALLOCATIONS.load(Ordering::SeqCst) - before
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
