//! `EnteredPin::parse` of 8 characters: target ≤ 20 ns (issue 12), next to baselines in the
//! same run.
//!
//! - `copy_into_zeroized_array`: the 8 bytes copied into a 16-byte array on the stack that is
//!   wiped on drop, the least any parse does;
//! - `copy_into_zeroized_heap_block`: the same into a 16-byte heap block, allocated, wiped and
//!   freed, which is what an `EnteredPin` is (R8: its characters live on the heap, once). The
//!   block is allocated with `malloc`, as the crate's are;
//! - `copy_into_zeroed_heap_block`: the same into a block allocated zeroed, with `calloc`, as
//!   the crate's were before issue 12 (glibc serves `calloc` without its per-thread cache, so
//!   this costs about twice as much).
//!
//! Each call is timed twice: with dropping its result (wiping and freeing the block), and
//! without (the result kept and dropped after the timing, criterion's `iter_with_large_drop`).
//! Before criterion runs, paired runs alternate parse and each baseline in batches and print
//! the ratios.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::EnteredPin;
use zeroize::{Zeroize, Zeroizing};

mod support;

const TYPED: &str = "ABCD2345";
/// Calls timed together in one sample of the paired run, and samples.
const BATCH: usize = 20_000;
const PAIRS: usize = 60;

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
    // Not zero, so that the block comes from `malloc` (see `copy_into_zeroed_heap_block`).
    let mut chars = HeapCopy(Box::new([0xFF; 16]));
    chars.0[..8].copy_from_slice(black_box(TYPED).as_bytes());
    chars
}

fn copy_into_zeroed_heap_block() -> HeapCopy {
    let mut chars = HeapCopy(Box::new([0u8; 16]));
    chars.0[..8].copy_from_slice(black_box(TYPED).as_bytes());
    chars
}

fn entered_pin(c: &mut Criterion) {
    assert_eq!(parse().len(), 8);
    assert!(EnteredPin::parse("ABCD0345").is_err());

    // The zeroed block last: glibc's `calloc` leaves its allocator in another state, which
    // slows what is measured after it.
    support::paired_ratio(
        "entered_pin_parse",
        ("parse", parse),
        ("array_copy", copy_into_zeroized_array),
        BATCH,
        PAIRS,
    );
    for (name, baseline) in [
        (
            "heap_copy",
            copy_into_zeroized_heap_block as fn() -> HeapCopy,
        ),
        ("zeroed_heap_copy", copy_into_zeroed_heap_block),
    ] {
        support::paired_ratio(
            "entered_pin_parse",
            ("parse", parse),
            (name, baseline),
            BATCH,
            PAIRS,
        );
        support::paired_ratio_excluding_drop(
            "entered_pin_parse",
            ("parse", parse),
            (name, baseline),
            BATCH,
            PAIRS,
        );
    }

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
    group.bench_function("baseline_copy_into_zeroed_heap_block", |b| {
        b.iter(copy_into_zeroed_heap_block)
    });
    group.finish();
}

criterion_group!(benches, entered_pin);
criterion_main!(benches);
