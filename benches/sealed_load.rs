//! Loading a cached account whose personal data is sealed under the person's own key (R36),
//! next to loading the same account stored in the clear, in the same run: target ≤ 2 µs.
//!
//! The sealed load is what `inps_pin_sqlx::Store::load` does with a cached row once the
//! database has answered: take the person's key from the store's cache of unwrapped keys (it
//! checks the wrapped bytes just read against the ones it unwrapped), decode the facts
//! (postcard), open the sealed personal part and decode it, join the two. The plain load
//! decodes the whole account (postcard). A paired run (batches alternated, so that drift in
//! machine load hits both alike) prints the sealed load, with the plain one as its baseline, as
//! a `BENCHMARK` line; a second one
//! prints, without a target, the load whose key is not cached (unwrapped under the master key
//! first: the first load of a person after a start, a rewrap or an eviction). Then criterion
//! times each side on its own. `cargo test --benches` runs it once, with short paired runs,
//! and checks only that it works.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::{Account, HashCost, Policy};
use inps_pin_sqlx::{
    PersonKey, PersonKeyCache, PersonalDataKey, PersonalDataKeys, account_row_key,
};

mod support;

fn batch() -> usize {
    support::scaled(5_000, 100)
}

fn pairs() -> usize {
    support::scaled(40, 3)
}

fn sealed_load(c: &mut Criterion) {
    let policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    let mut rng = support::rng(36);
    let (account, _pin) = support::active(&policy, &mut rng);
    assert!(account.person().is_some());
    let cf = account.codice_fiscale();
    let version = account.version();
    let plain = postcard::to_allocvec(&account).unwrap();

    let master =
        PersonalDataKeys::new(PersonalDataKey::from_hex("bench", &"5e".repeat(32)).unwrap());
    let (key, wrapped) = PersonKey::generate(&master, cf.as_str(), &mut rng);
    let (facts, personal) = account.clone().split();
    let facts = postcard::to_allocvec(&facts).unwrap();
    let sealed = key
        .seal(
            account_row_key(cf, version).as_bytes(),
            &personal.unwrap(),
            &mut rng,
        )
        .unwrap();

    let cache = PersonKeyCache::new(16);
    let load_plain = || postcard::from_bytes::<Account>(black_box(&plain)).unwrap();
    // The row as the database gives it: the wrapped key's bytes are a fresh copy each time.
    let load_sealed = || {
        let key = cache
            .unwrap(&master, cf.as_str(), black_box(&wrapped).clone())
            .unwrap();
        let facts = postcard::from_bytes::<Account>(black_box(&facts)).unwrap();
        let personal = key
            .open(
                account_row_key(cf, facts.version()).as_bytes(),
                black_box(&sealed),
            )
            .unwrap();
        Account::join(facts, Some(personal)).unwrap()
    };
    let load_cold = || {
        let key = PersonKey::unwrap(&master, cf.as_str(), black_box(&wrapped)).unwrap();
        let facts = postcard::from_bytes::<Account>(black_box(&facts)).unwrap();
        let personal = key
            .open(
                account_row_key(cf, facts.version()).as_bytes(),
                black_box(&sealed),
            )
            .unwrap();
        Account::join(facts, Some(personal)).unwrap()
    };
    assert_eq!(load_sealed(), account);
    assert_eq!(load_cold(), account);
    assert_eq!(load_plain(), account);

    let paired = support::paired_run(
        "sealed load vs plain load (target ≤ 2 µs)",
        ("sealed", load_sealed),
        ("plain", load_plain),
        batch(),
        pairs(),
    );
    let extra = paired.a - paired.b;
    println!(
        "sealed load: {:.0} ns, plain load: {:.0} ns, {:.0} ns more",
        support::ns(paired.a),
        support::ns(paired.b),
        support::ns(extra)
    );
    support::Row {
        id: "sealed_load",
        measure: "loading a cached account whose personal data is sealed (R36): the person's \
                  key from the store's cache, decode the facts, open and decode the personal \
                  part, join",
        target: "≤ 2 µs",
        value: support::ns(paired.a),
        unit: "ns",
        baseline: "the same account stored in the clear, decoded (postcard)",
        baseline_value: Some(support::ns(paired.b)),
        ratio: Some(paired),
        met: paired.a <= 2e-6,
    }
    .print();

    let cold = support::paired_run(
        "sealed load, key not cached, vs plain load",
        ("cold", load_cold),
        ("plain", load_plain),
        batch(),
        pairs(),
    );
    println!(
        "sealed load with the key unwrapped first: {:.0} ns more than the plain load",
        support::ns(cold.a - cold.b)
    );
    support::print_comparison(
        "sealed_load_uncached_key",
        "loading a cached account whose personal data is sealed, its person's key unwrapped \
         under the master key first (not in the store's cache)",
        "the same account stored in the clear, decoded (postcard)",
        cold,
    );

    let mut group = c.benchmark_group("sealed_load");
    group.bench_function("sealed", |b| b.iter(load_sealed));
    group.bench_function("sealed_uncached_key", |b| b.iter(load_cold));
    group.bench_function("plain", |b| b.iter(load_plain));
    group.finish();
}

criterion_group!(benches, sealed_load);
criterion_main!(benches);
