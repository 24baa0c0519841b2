//! The hot paths of a service at scale, each next to a baseline in the same run:
//!
//! - `Account::poll_deadline` of an active PIN: target ≤ 5× reading a field of the account
//!   (`Account::expires_at`);
//! - loading a typical account from postcard: target ≤ 1 µs, next to loading a struct of the
//!   same shape made of plain owned strings and numbers (what any serde load of those bytes
//!   costs before the crate checks anything).
//!
//! A paired run (batches alternated, so that drift in machine load hits both alike) prints each
//! ratio as a `BENCHMARK` line before criterion times each side on its own. Targets on time
//! stay here, in benchmarks: `cargo test --benches` runs every function once, with short
//! paired runs, and checks only that they work.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::{Account, HashCost, Policy};

mod support;

/// Calls timed together in one sample of the paired run, and samples (fewer in test mode).
fn batch() -> usize {
    support::scaled(20_000, 200)
}

fn pairs() -> usize {
    support::scaled(40, 3)
}

fn poll_deadline(c: &mut Criterion) {
    let policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    let mut rng = support::rng(21);
    let (account, _pin) = support::active(&policy, &mut rng);
    assert!(account.poll_deadline(&policy).is_some());

    let poll = || black_box(&account).poll_deadline(black_box(&policy));
    let field = || black_box(&account).expires_at();
    let paired = support::paired_run(
        "poll_deadline (target ≤ 5)",
        ("poll_deadline", poll),
        ("field_read", field),
        batch(),
        pairs(),
    );
    support::Row {
        id: "poll_deadline",
        measure: "`Account::poll_deadline` of an active PIN",
        target: "≤ 5× the baseline",
        value: support::ns(paired.a),
        unit: "ns",
        baseline: "reading a field (`Account::expires_at`)",
        baseline_value: Some(support::ns(paired.b)),
        ratio: Some(paired),
        met: paired.ratio <= 5.0,
    }
    .print();
    let mut group = c.benchmark_group("poll_deadline");
    group.bench_function("poll_deadline", |b| b.iter(poll));
    group.bench_function("baseline_field_read", |b| b.iter(field));
    group.finish();
}

/// The account's stored fields, as plain serde types with nothing checked: the baseline for
/// loading the same bytes. The shape follows the stored record field by field; the bench checks
/// that it reads the bytes of a real account to the end.
#[allow(dead_code)] // the fields are read only to be built, as a load builds them
mod plain {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Account {
        _format: u32,
        _codice_fiscale: String,
        _version: u64,
        _pin_generation: u64,
        _person: Option<Person>,
        _pin: Option<PinRecord>,
    }

    #[derive(Deserialize)]
    struct Person {
        _name: String,
        _surname: String,
        _codice_fiscale: String,
        _role: u32,
        _residence: Address,
        _email: Option<String>,
        _mobile: Option<String>,
        _landline: Option<String>,
        _sunset_exemption: Option<u32>,
    }

    #[derive(Deserialize)]
    struct Address {
        _street: String,
        _postal_code: String,
        _municipality: String,
        _province: String,
    }

    #[derive(Deserialize)]
    struct PinRecord {
        _stage: Stage,
        _lock: Lock,
        _pending_upgrade: Option<u32>,
        _restore: Option<(String, (i64, i32))>,
        _restores_requested: Vec<(i64, i32)>,
        _devices: Vec<()>,
        _first_access_lock: Lock,
    }

    #[derive(Deserialize)]
    enum Stage {
        _AwaitingFirstAccess(()),
        _Active(Active),
    }

    #[derive(Deserialize)]
    struct Active {
        _assurance: u32,
        _hash: String,
        _expires_at: (i64, i32),
        _warned: bool,
        _expiry_noted: bool,
    }

    #[derive(Deserialize)]
    struct Lock {
        _failures: u32,
        _last_failure: Option<(i64, i32)>,
        _blocked: bool,
    }
}

fn postcard_load(c: &mut Criterion) {
    let policy = Policy::default();
    let mut rng = support::rng(4);
    let (account, _pin) = support::active(&policy, &mut rng);
    let bytes = postcard::to_allocvec(&account).unwrap();
    let (_, rest) = postcard::take_from_bytes::<plain::Account>(&bytes)
        .expect("the plain shape reads a stored account");
    assert!(rest.is_empty(), "the plain shape left {} bytes", rest.len());

    let load = || postcard::from_bytes::<Account>(black_box(&bytes)).unwrap();
    let plain = || postcard::from_bytes::<plain::Account>(black_box(&bytes)).unwrap();
    let paired = support::paired_run(
        "postcard load (target ≤ 1 µs)",
        ("account", load),
        ("plain_strings", plain),
        batch() / 10,
        pairs(),
    );
    support::Row {
        id: "postcard_load",
        measure: "loading a typical account from postcard",
        target: "≤ 1 µs",
        value: support::ns(paired.a),
        unit: "ns",
        baseline: "the same bytes into plain strings and numbers",
        baseline_value: Some(support::ns(paired.b)),
        ratio: Some(paired),
        met: paired.a <= 1e-6,
    }
    .print();
    let mut group = c.benchmark_group("postcard_load");
    group.bench_function("account", |b| b.iter(load));
    group.bench_function("baseline_plain_strings", |b| b.iter(plain));
    group.finish();
}

criterion_group!(benches, poll_deadline, postcard_load);
criterion_main!(benches);
