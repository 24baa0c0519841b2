//! The stored size of a typical account, and the time to store and load it.
//!
//! A citizen (name, surname, codice fiscale, an address in Roma, e-mail and mobile) whose PIN
//! was requested online and is active after the first access, hashed at the default (OWASP)
//! cost. Targets: postcard ≤ 256 bytes, JSON ≤ 768 bytes; the bench fails if either is over.
//! Each size is a `BENCHMARK` line, next to the PHC string the account holds (the part no
//! layout can shrink).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::{Account, PinStatus, Policy};

mod support;

const POSTCARD_TARGET: usize = 256;
const JSON_TARGET: usize = 768;

fn account_size(c: &mut Criterion) {
    let policy = Policy::default();
    let mut rng = support::rng(4);
    let (account, _pin) = support::active(&policy, &mut rng);
    assert!(matches!(
        account.status(support::t1(), &policy),
        PinStatus::Active { .. }
    ));

    let postcard_bytes = postcard::to_allocvec(&account).unwrap();
    let json = serde_json::to_string(&account).unwrap();
    let phc_len = support::phc_in(&serde_json::from_str(&json).unwrap())
        .unwrap()
        .len();
    eprintln!(
        "account_size: postcard {} bytes (target ≤ {POSTCARD_TARGET}), JSON {} bytes \
         (target ≤ {JSON_TARGET}); the PHC string alone is {phc_len} bytes",
        postcard_bytes.len(),
        json.len(),
    );
    eprintln!("account_size: JSON = {json}");

    // Both round-trip to the same account.
    assert_eq!(
        postcard::from_bytes::<Account>(&postcard_bytes).unwrap(),
        account
    );
    assert_eq!(serde_json::from_str::<Account>(&json).unwrap(), account);

    for (id, format, size, target) in [
        (
            "account_postcard_size",
            "postcard",
            postcard_bytes.len(),
            POSTCARD_TARGET,
        ),
        ("account_json_size", "JSON", json.len(), JSON_TARGET),
    ] {
        let measure = format!("a typical account stored as {format}");
        let target_text = format!("≤ {target} B");
        support::Row {
            id,
            measure: &measure,
            target: &target_text,
            value: size as f64,
            unit: "B",
            baseline: "its PHC string alone",
            baseline_value: Some(phc_len as f64),
            ratio: None,
            met: size <= target,
        }
        .print();
    }

    assert!(
        postcard_bytes.len() <= POSTCARD_TARGET,
        "postcard: {} bytes, over the target of {POSTCARD_TARGET}",
        postcard_bytes.len()
    );
    assert!(
        json.len() <= JSON_TARGET,
        "JSON: {} bytes, over the target of {JSON_TARGET}",
        json.len()
    );

    let mut group = c.benchmark_group("account_serde");
    group.bench_function("postcard_serialize", |b| {
        b.iter(|| postcard::to_allocvec(black_box(&account)).unwrap());
    });
    group.bench_function("postcard_deserialize", |b| {
        b.iter(|| postcard::from_bytes::<Account>(black_box(&postcard_bytes)).unwrap());
    });
    group.bench_function("json_serialize", |b| {
        b.iter(|| serde_json::to_string(black_box(&account)).unwrap());
    });
    group.bench_function("json_deserialize", |b| {
        b.iter(|| serde_json::from_str::<Account>(black_box(&json)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, account_size);
criterion_main!(benches);
