//! R30: a wrong PIN and an unknown codice fiscale read alike, in time too.
//!
//! The service answers an unknown codice fiscale with `LoginFailure::for_unknown_person`, which
//! spends one verification's worth of Argon2 at the policy's cost; a wrong PIN on an existing
//! account is verified against the stored hash. If the two took measurably different times, the
//! time of the answer would tell a guesser which codici fiscali have a PIN. Both are timed in
//! the same run, alternated in pairs (`support::paired_ratio`), at two policy costs, for:
//!
//! - (a) an account whose PIN was hashed at the policy's cost;
//! - (b) an account hashed at an old cost (the other of the two), after the policy changed and
//!   the owner logged in once: the crate hashes the PIN again at a successful login
//!   (`Event::LoggedIn { rehashed, .. }`), so a wrong PIN costs the policy's cost again.
//!
//! The costs are modest (m=1024 and m=4096 KiB, t=1, p=1) so the run is quick; what matters
//! is the ratio, which does not depend on the cost as long as Argon2 dominates. The login is
//! `Account::decide`, which reads only, so every call meets the same account (no failure
//! counted, no delay).
//!
//! Under `cargo test --benches` (criterion's test mode: the crate unoptimised, Argon2 at
//! opt-level 3) each paired median is asserted to lie in [0.8, 1.25] in at least one of
//! [`ATTEMPTS`] paired runs. A leak is systematic and fails every run (an account left at the
//! old cost gives about 4 or 0.27); the load of a shared machine is not, and once in a while
//! pushes one run's median out of the bounds (1.35 once in some 50 runs of m=1024 on two busy
//! cores, where the unoptimised crate adds some 8 % to a 0.45 ms hash). Under `cargo bench`
//! one paired run per case is printed with the rest.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::{Account, Command, Context, EnteredPin, HashCost, LoginFailure, Policy, Reply};
use jiff::Timestamp;
use rand_chacha::ChaCha20Rng;

mod support;

/// The bounds a paired median ratio (wrong PIN / unknown person) must keep to in test mode.
const RATIO_BOUNDS: (f64, f64) = (0.8, 1.25);

/// Calls per timed batch, and pairs of batches, for the printed ratios.
const BATCH: usize = 4;
const PAIRS: usize = 31;

/// Paired runs per case in test mode, until one keeps to [`RATIO_BOUNDS`].
const ATTEMPTS: usize = 3;

/// The two policy costs: the PIN is hashed at one, and for (b) first at the other.
fn costs() -> [(&'static str, HashCost); 2] {
    [
        ("m1024", HashCost::new(1024, 1, 1).unwrap()),
        ("m4096", HashCost::new(4096, 1, 1).unwrap()),
    ]
}

/// A PIN of the right length that is not `pin`: its first character changed.
fn wrong(pin: &str) -> String {
    let other = if pin.starts_with('A') { 'B' } else { 'A' };
    format!("{other}{}", &pin[1..])
}

/// The stored PHC string's parameters, e.g. `m=4096,t=1,p=1`.
fn stored_cost(account: &Account) -> String {
    let json = serde_json::to_value(account).unwrap();
    let phc = support::phc_in(&json).unwrap();
    phc.split('$').nth(3).unwrap().to_owned()
}

fn phc_params(cost: HashCost) -> String {
    format!(
        "m={},t={},p={}",
        cost.memory_kib(),
        cost.iterations(),
        cost.parallelism()
    )
}

/// One account to time a wrong PIN against, with the PIN it holds.
struct Case {
    label: String,
    policy: Policy,
    account: Account,
    pin: String,
}

/// (a) and (b) for the policy cost `cost`, `old` being the other cost.
fn cases(name: &str, cost: HashCost, old: HashCost, rng: &mut ChaCha20Rng) -> [Case; 2] {
    let policy = Policy::default().with_hash_cost(cost);
    let (account, pin) = support::active(&policy, rng);
    assert_eq!(stored_cost(&account), phc_params(cost));
    let at_policy_cost = Case {
        label: format!("r30_{name}_hashed_at_policy_cost"),
        policy: policy.clone(),
        account,
        pin,
    };

    let old_policy = Policy::default().with_hash_cost(old);
    let (mut account, pin) = support::active(&old_policy, rng);
    assert_eq!(stored_cost(&account), phc_params(old));
    // The policy changes; the owner logs in once, and the crate hashes the PIN again.
    support::log_in(&mut account, &pin, now(), &policy, rng);
    assert_eq!(stored_cost(&account), phc_params(cost), "rehashed at login");
    let rehashed = Case {
        label: format!("r30_{name}_rehashed_from_old_cost"),
        policy,
        account,
        pin,
    };
    [at_policy_cost, rehashed]
}

fn now() -> Timestamp {
    support::at("2026-11-26T09:00:00Z")
}

/// A wrong PIN on the case's account, decided (the account is not changed).
fn wrong_pin(case: &Case, typed: &str, rng: &mut ChaCha20Rng) -> Reply {
    let command = Command::LogIn {
        pin: EnteredPin::parse(black_box(typed)).unwrap(),
        device: None,
        trust_device: false,
    };
    let outcome = case
        .account
        .decide(&command, &mut Context::new(now(), &case.policy, rng))
        .unwrap();
    assert!(matches!(outcome.reply, Reply::LoginFailed(_)));
    outcome.reply
}

/// The answer to an unknown codice fiscale, with the same typed PIN.
fn unknown_person(case: &Case, typed: &str) -> LoginFailure {
    LoginFailure::for_unknown_person(&case.policy, &EnteredPin::parse(black_box(typed)).unwrap())
}

fn r30_timing(c: &mut Criterion) {
    let mut rng = support::rng(30);
    let [(low_name, low), (high_name, high)] = costs();
    let all: Vec<Case> = cases(low_name, low, high, &mut rng)
        .into_iter()
        .chain(cases(high_name, high, low, &mut rng))
        .collect();

    let testing = support::test_mode();
    let (low_bound, high_bound) = RATIO_BOUNDS;
    let in_bounds = |ratio: &f64| (low_bound..=high_bound).contains(ratio);
    let mut ratios: Vec<(String, Vec<f64>)> = Vec::new();
    let mut rows = Vec::new();
    for case in &all {
        let typed = wrong(&case.pin);
        let mut pair_rng = support::rng(31);
        let mut attempts = Vec::new();
        while attempts.len() < if testing { ATTEMPTS } else { 1 } {
            let paired = support::paired_run(
                &case.label,
                ("wrong_pin", || wrong_pin(case, &typed, &mut pair_rng)),
                ("unknown_cf", || unknown_person(case, &typed)),
                BATCH,
                PAIRS,
            );
            attempts.push(paired.ratio);
            rows.push((case, paired));
            if in_bounds(&paired.ratio) {
                break;
            }
        }
        ratios.push((case.label.clone(), attempts));
    }
    eprintln!("R30 paired median ratios, wrong PIN / unknown codice fiscale:");
    for (label, attempts) in &ratios {
        let text: Vec<String> = attempts.iter().map(|r| format!("{r:.4}")).collect();
        eprintln!("  {label}: {}", text.join(", then "));
    }
    // The last paired run of each case is its row.
    let mut last: Vec<&(&Case, support::Paired)> = Vec::new();
    for row in &rows {
        last.retain(|(case, _)| case.label != row.0.label);
        last.push(row);
    }
    for (case, paired) in last {
        let measure = format!(
            "R30: a wrong PIN against an unknown codice fiscale's answer, {}",
            case.label.trim_start_matches("r30_").replace('_', " ")
        );
        let target = format!("{low_bound}–{high_bound}× the baseline");
        support::Row {
            id: &case.label,
            measure: &measure,
            target: &target,
            value: support::ns(paired.a),
            unit: "ns",
            baseline: "the unknown codice fiscale's answer",
            baseline_value: Some(support::ns(paired.b)),
            ratio: Some(*paired),
            met: in_bounds(&paired.ratio),
        }
        .print();
    }
    if testing {
        for (label, attempts) in &ratios {
            assert!(
                attempts.iter().any(in_bounds),
                "{label}: a wrong PIN takes {attempts:.3?} times an unknown person's answer, \
                 outside [{low_bound}, {high_bound}] in every run: the time tells them apart (R30)"
            );
        }
    }

    for case in &all {
        let typed = wrong(&case.pin);
        let mut group = c.benchmark_group(&case.label);
        group.sample_size(20);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(3));
        group.bench_function("wrong_pin", |b| {
            b.iter(|| wrong_pin(case, &typed, &mut rng));
        });
        group.bench_function("unknown_cf", |b| {
            b.iter(|| unknown_person(case, &typed));
        });
        group.finish();
    }
}

criterion_group!(benches, r30_timing);
criterion_main!(benches);
