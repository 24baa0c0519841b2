//! A PIN login at the default cost (OWASP Argon2id, m=19456 KiB t=2 p=1), next to a bare
//! `argon2` verification of the same PHC string: target, the crate adds ≤ 1 %.
//!
//! The login is `Account::decide(Command::LogIn { .. })`: it takes `&self`, so every iteration
//! verifies against the same active account, exactly as `handle` would, without changing it.
//! Both sides run in one criterion group. Before criterion runs, a paired run alternates the two
//! (so drift in machine load hits both alike) and prints the ratio with its spread as the
//! `BENCHMARK` line.

use std::hint::black_box;
use std::time::Duration;

use argon2::{Argon2, PasswordVerifier};
use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::{Account, Command, Context, EnteredPin, HashCost, Policy, Reply};
use jiff::Timestamp;
use rand_chacha::ChaCha20Rng;

mod support;

/// Paired samples for the printed ratio (fewer in test mode).
fn pairs() -> usize {
    support::scaled(40, 2)
}

fn login(c: &mut Criterion) {
    let policy = Policy::default();
    let mut rng = support::rng(3);
    let (account, pin) = support::active(&policy, &mut rng);
    let now = support::at("2026-11-26T09:00:00Z");

    // The stored PHC string of the active PIN, as the service's database holds it.
    let json = serde_json::to_value(&account).unwrap();
    let phc = support::phc_in(&json).unwrap().to_owned();
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");

    let crate_login = || {
        let command = Command::LogIn {
            pin: EnteredPin::parse(black_box(&pin)).unwrap(),
            device: None,
            trust_device: false,
        };
        let mut context = Context::new(now, &policy, &mut rng);
        let outcome = account.decide(&command, &mut context).unwrap();
        assert!(matches!(outcome.reply, Reply::LoggedIn(_)));
        outcome
    };
    let bare_verify = || {
        Argon2::default()
            .verify_password(black_box(pin.as_bytes()), black_box(phc.as_str()))
            .unwrap();
    };
    // Both reject a wrong PIN, so both really verify.
    assert!(
        Argon2::default()
            .verify_password(b"ABCDEFGH", phc.as_str())
            .is_err()
    );
    let paired = support::paired_run(
        "login_owasp",
        ("crate", crate_login),
        ("bare", bare_verify),
        1,
        pairs(),
    );
    support::Row {
        id: "login_default_cost",
        measure: "a login at the default cost (`Account::decide`, Argon2id m=19456 t=2 p=1)",
        target: "≤ 1.01× the baseline (the crate adds ≤ 1 %)",
        value: support::ns(paired.a),
        unit: "ns",
        baseline: "a bare `argon2` verify of the same PHC string",
        baseline_value: Some(support::ns(paired.b)),
        ratio: Some(paired),
        met: paired.ratio <= 1.01,
    }
    .print();

    let mut group = c.benchmark_group("login_owasp");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(8));
    bench_pair(&mut group, &account, &pin, &phc, &policy, now, &mut rng);
    group.finish();
}

/// The same pair at the cheapest Argon2 cost (m=8 KiB t=1 p=1), where verification takes
/// microseconds instead of milliseconds: it bounds what the crate adds in absolute terms,
/// which at the default cost is lost in the noise.
fn login_cheap(c: &mut Criterion) {
    let policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    let mut rng = support::rng(5);
    let (account, pin) = support::active(&policy, &mut rng);
    let now = support::at("2026-11-26T09:00:00Z");
    let json = serde_json::to_value(&account).unwrap();
    let phc = support::phc_in(&json).unwrap().to_owned();
    assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");

    let mut group = c.benchmark_group("login_cheap");
    bench_pair(&mut group, &account, &pin, &phc, &policy, now, &mut rng);
    group.finish();
}

/// The crate's login (`decide`, which verifies without changing the account) next to a bare
/// `argon2` verify of the same PHC string, in one group so criterion compares them in one run.
fn bench_pair(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    account: &Account,
    pin: &str,
    phc: &str,
    policy: &Policy,
    now: Timestamp,
    rng: &mut ChaCha20Rng,
) {
    group.bench_function("crate_decide_login", |b| {
        b.iter(|| {
            let command = Command::LogIn {
                pin: EnteredPin::parse(black_box(pin)).unwrap(),
                device: None,
                trust_device: false,
            };
            account.decide(&command, &mut Context::new(now, policy, rng))
        });
    });
    group.bench_function("bare_argon2_verify", |b| {
        b.iter(|| Argon2::default().verify_password(black_box(pin.as_bytes()), black_box(phc)));
    });
}

criterion_group!(benches, login, login_cheap);
criterion_main!(benches);
