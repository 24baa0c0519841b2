//! `EnteredPin::parse` of 8 characters: target ≤ 20 ns, next to baselines in the same run.
//!
//! - `copy_into_zeroized_array`: the 8 bytes copied into a 16-byte array on the stack that is
//!   wiped on drop, the least any parse does;
//! - `copy_into_zeroized_heap_block`: the same into a 16-byte heap block, allocated, wiped and
//!   freed, which is what an `EnteredPin` is (R8: its characters live on the heap, once). The
//!   block is allocated with `malloc`, as the crate's are (glibc serves `calloc` without its
//!   per-thread cache, at about twice the cost).
//!
//! Each call is timed twice: with dropping its result (wiping and freeing the block), and
//! without (the result kept and dropped after the timing, criterion's `iter_with_large_drop`).
//! Before criterion runs, paired runs alternate parse and each baseline in batches and print
//! the ratios; the one against the heap block is the `BENCHMARK` line.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::EnteredPin;
use zeroize::{Zeroize, Zeroizing};

mod support;

const TYPED: &str = "ABCD2345";
/// Calls timed together in one sample of the paired run, and samples (fewer in test mode).
fn batch() -> usize {
    support::scaled(20_000, 200)
}

fn pairs() -> usize {
    support::scaled(60, 3)
}

fn parse() -> EnteredPin {
    EnteredPin::parse(black_box(TYPED)).unwrap()
}

fn copy_into_zeroized_array() -> Zeroizing<[u8; 16]> {
    let mut chars = Zeroizing::new([0u8; 16]);
    chars[..8].copy_from_slice(black_box(TYPED).as_bytes());
    chars
}

/// A 16-byte heap block holding a copy of the 8 bytes, wiped on drop.
struct HeapCopy(Box<[u8; 16]>);

impl Drop for HeapCopy {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

fn copy_into_zeroized_heap_block() -> HeapCopy {
    // Not zero, so that the block comes from `malloc`, not `calloc`.
    let mut chars = HeapCopy(Box::new([0xFF; 16]));
    chars.0[..8].copy_from_slice(black_box(TYPED).as_bytes());
    chars
}

fn entered_pin(c: &mut Criterion) {
    assert_eq!(parse().len(), 8);
    assert!(EnteredPin::parse("ABCD0345").is_err());

    support::paired_ratio(
        "entered_pin_parse",
        ("parse", parse),
        ("array_copy", copy_into_zeroized_array),
        batch(),
        pairs(),
    );
    support::paired_run_excluding_drop(
        "entered_pin_parse",
        ("parse", parse),
        ("heap_copy", copy_into_zeroized_heap_block),
        batch(),
        pairs(),
    );
    let paired = support::paired_run(
        "entered_pin_parse",
        ("parse", parse),
        ("heap_copy", copy_into_zeroized_heap_block),
        batch(),
        pairs(),
    );
    support::Row {
        id: "entered_pin_parse",
        measure: "`EnteredPin::parse` of 8 characters, dropped (wiped, freed)",
        target: "≤ 20 ns",
        value: support::ns(paired.a),
        unit: "ns",
        baseline: "the 8 bytes copied into a wiped 16-byte heap block",
        baseline_value: Some(support::ns(paired.b)),
        ratio: Some(paired),
        met: support::ns(paired.a) <= 20.0,
    }
    .print();

    let mut group = c.benchmark_group("entered_pin_parse");
    group.bench_function("parse_8", |b| b.iter(parse));
    group.bench_function("parse_8_without_drop", |b| b.iter_with_large_drop(parse));
    group.bench_function("parse_8_typed_lower_case_with_dash", |b| {
        b.iter(|| EnteredPin::parse(black_box("abcd-2345")).unwrap())
    });
    group.bench_function("parse_16", |b| {
        b.iter(|| EnteredPin::parse(black_box("ABCD2345EFGH6789")).unwrap())
    });
    group.bench_function("baseline_copy_into_zeroized_array", |b| {
        b.iter(copy_into_zeroized_array)
    });
    group.bench_function("baseline_copy_into_zeroized_heap_block", |b| {
        b.iter(copy_into_zeroized_heap_block)
    });
    group.bench_function("baseline_copy_into_zeroized_heap_block_without_drop", |b| {
        b.iter_with_large_drop(copy_into_zeroized_heap_block)
    });
    group.finish();
}

criterion_group!(benches, entered_pin);
criterion_main!(benches);
