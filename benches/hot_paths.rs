//! The hot paths of a service at scale, each next to a baseline in the same run:
//!
//! - `Account::poll_deadline` of an active PIN: target ≤ 5× reading a field of the account
//!   (`Account::expires_at`);
//! - loading a typical account from postcard: target ≤ 1 µs, next to loading a struct of the
//!   same shape made of plain owned strings and numbers (what any serde load of those bytes
//!   costs before the crate checks anything);
//! - a comparison without a target: a stored PHC string read into a `PinHash`, next to
//!   `base64ct` reading its Base64 alone.
//!
//! A paired run (batches alternated, so that drift in machine load hits both alike) prints each
//! ratio as a `BENCHMARK` line before criterion times each side on its own. Targets on time
//! stay here, in benchmarks: `cargo test --benches` runs every function once, with short
//! paired runs, and checks only that they work.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::{Account, HashCost, PinHash, Policy};

mod support;

/// Calls timed together in one sample of the paired run, and samples (fewer in test mode).
fn batch() -> usize {
    support::scaled(20_000, 200)
}

fn pairs() -> usize {
    support::scaled(40, 3)
}

/// Calls made in a row inside one timed closure call of the paired run. A service's
/// `poll_deadline` is inlined into its caller (the method is `#[inline(always)]`); the paired
/// loop calls its closure out of line, and that call, whose answer comes back through memory,
/// tripled the time of the few comparisons measured. A loop inside the closure inlines the calls
/// as a service's are, and divides the closure's own call among them.
const CALLS_INLINED: usize = 100; // the names of the paired sides say it too

fn poll_deadline(c: &mut Criterion) {
    let policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    let mut rng = support::rng(21);
    let (account, _pin) = support::active(&policy, &mut rng);
    assert!(account.poll_deadline(&policy).is_some());

    let poll = || black_box(&account).poll_deadline(black_box(&policy));
    let field = || black_box(&account).expires_at();
    // The bodies written out, not `poll` and `field` called: a closure call is the compiler's
    // to inline or not, and `poll_deadline` itself is always inlined.
    let polls = || {
        for _ in 0..CALLS_INLINED {
            black_box(black_box(&account).poll_deadline(black_box(&policy)));
        }
    };
    let fields = || {
        for _ in 0..CALLS_INLINED {
            black_box(black_box(&account).expires_at());
        }
    };
    let paired = support::paired_run(
        "poll_deadline (target ≤ 5)",
        ("100 poll_deadline", polls),
        ("100 field_read", fields),
        batch() / CALLS_INLINED,
        pairs(),
    );
    let paired = support::Paired {
        a: paired.a / CALLS_INLINED as f64,
        b: paired.b / CALLS_INLINED as f64,
        batch: paired.batch * CALLS_INLINED,
        ..paired
    };
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
        _role: u32,
        _codice_fiscale: String,
        _version: u64,
        _pin_generation: u64,
        _person: Option<Person>,
        _pin: Option<PinRecord>,
        _revoked_at: Option<(i64, i32)>,
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
    // The part of the load that reads the PIN hash: the whole PHC string into a `PinHash`
    // (its shape, its costs, and a 16-byte salt and a 32-byte hash in 65 Base64 characters,
    // read eight at a time), next to `base64ct` reading those 65 characters alone, one at a
    // time. DESIGN.md ("Hand-written or a library?") says why the crate reads them itself.
    let json = serde_json::to_value(&account).unwrap();
    let phc = support::phc_in(&json).unwrap().to_owned();
    let mut fields = phc.rsplit('$');
    let (output, salt) = (fields.next().unwrap(), fields.next().unwrap());
    let crate_reader = || PinHash::try_from(black_box(phc.as_str())).is_ok();
    let library = || {
        use base64ct::{Base64Unpadded, Encoding};
        let (mut s, mut o) = ([0u8; 16], [0u8; 32]);
        let salt = Base64Unpadded::decode(black_box(salt), &mut s).map(<[u8]>::len);
        let output = Base64Unpadded::decode(black_box(output), &mut o).map(<[u8]>::len);
        (salt.ok(), output.ok(), s[0], o[0])
    };
    assert!(crate_reader());
    assert_eq!(library().0, Some(16));
    let paired = support::paired_run(
        "PHC string into a PinHash, against base64ct on its 65 characters",
        ("pin_hash", crate_reader),
        ("base64ct", library),
        batch(),
        pairs(),
    );
    support::print_comparison(
        "phc_base64",
        "a stored PHC string read into a `PinHash`: its shape and costs, and its salt and hash \
         (65 Base64 characters) read eight at a time",
        "`base64ct` reading the 65 Base64 characters alone",
        paired,
    );

    let mut group = c.benchmark_group("postcard_load");
    group.bench_function("account", |b| b.iter(load));
    group.bench_function("baseline_plain_strings", |b| b.iter(plain));
    group.finish();
}

criterion_group!(benches, poll_deadline, postcard_load);
criterion_main!(benches);
