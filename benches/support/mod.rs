//! Fixtures shared by the benchmarks, copied from `tests/common` (a bench cannot import an
//! integration test's module): seeded generators, explicit timestamps, a person, and the steps
//! that take an account to an active PIN.
#![allow(dead_code)] // each bench uses a different part

use inps_pin::{
    Account, Address, ArchiveRecord, Attested, ChannelRequest, CodiceFiscale, Command, Context,
    Delivery, Email, EnteredPin, MobileNumber, OperatorId, Outcome, Person, PersonName, PinPart,
    Policy, Reply, Role, Session,
};
use std::hint::black_box;
use std::time::Instant;

use jiff::Timestamp;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// A generator seeded for repeatable runs.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// An instant, from RFC 3339 text.
pub fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// The instant every scenario starts at.
pub fn t0() -> Timestamp {
    at("2026-11-24T09:00:00Z")
}

/// The instant of the first access: one day after `t0()`.
pub fn t1() -> Timestamp {
    at("2026-11-25T09:00:00Z")
}

pub fn cf(code: &str) -> CodiceFiscale {
    CodiceFiscale::parse(code).unwrap()
}

/// The typical citizen: Mario Rossi, resident in Roma, with e-mail and mobile.
pub fn person() -> Person {
    Person::new(
        PersonName::parse("Mario").unwrap(),
        PersonName::parse("Rossi").unwrap(),
        cf("RSSMRA80A01H501U"),
        Role::Citizen,
        Address::new("Via Roma 1", "00184", "Roma", "RM").unwrap(),
    )
    .with_email(Email::parse("mario.rossi@example.it").unwrap())
    .with_mobile(MobileNumber::parse("+39 333 123 4567").unwrap())
}

fn run(
    account: &mut Account,
    command: Command,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Outcome {
    account
        .handle(command, &mut Context::new(now, policy, rng))
        .unwrap()
}

fn delivery(outcome: &Outcome, wanted: PinPart) -> &Delivery {
    outcome.deliveries().find(|d| d.part() == wanted).unwrap()
}

/// An account for `person()` with a PIN requested online at `t0()` and its first access done
/// at `t1()`; returns it with the 8-character PIN as text (to type it again at each login).
pub fn active(policy: &Policy, rng: &mut ChaCha20Rng) -> (Account, String) {
    let person = person();
    let mut account = Account::new(person.codice_fiscale());
    let issued = run(
        &mut account,
        Command::RequestPin {
            archive: Attested::vouched_for(
                ArchiveRecord::new(person.codice_fiscale(), person.residence().clone()),
                OperatorId::new("archive-lookup").unwrap(),
                t0(),
            ),
            person,
            channel: ChannelRequest::Online,
        },
        t0(),
        policy,
        rng,
    );
    let whole = EnteredPin::from_halves(
        delivery(&issued, PinPart::FirstHalf).secret().unwrap(),
        delivery(&issued, PinPart::SecondHalf).secret().unwrap(),
    );
    let accessed = run(
        &mut account,
        Command::FirstAccess {
            pin: whole,
            trust_device: false,
        },
        t1(),
        policy,
        rng,
    );
    assert!(matches!(accessed.reply, Reply::FirstAccessCompleted(_)));
    let pin = delivery(&accessed, PinPart::Pin)
        .secret()
        .unwrap()
        .expose()
        .to_owned();
    (account, pin)
}

/// Logs in with `pin` at `now`; panics on anything but a session.
pub fn log_in(
    account: &mut Account,
    pin: &str,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Session {
    let pin = EnteredPin::parse(pin).unwrap();
    match run(
        account,
        Command::LogIn {
            pin,
            device: None,
            trust_device: false,
        },
        now,
        policy,
        rng,
    )
    .reply
    {
        Reply::LoggedIn(session) => session,
        other => panic!("expected a session, got {other:?}"),
    }
}

/// The first `$argon2id$...` string anywhere in a JSON value: the stored PIN hash.
pub fn phc_in(value: &serde_json::Value) -> Option<&str> {
    match value {
        serde_json::Value::String(s) if s.starts_with("$argon2id$") => Some(s),
        serde_json::Value::Array(items) => items.iter().find_map(phc_in),
        serde_json::Value::Object(map) => map.values().find_map(phc_in),
        _ => None,
    }
}

/// Runs `a` and `b` alternately, `pairs` times (after one warm-up pair), each time `batch` calls
/// in a row, and prints the medians of each per call and the median of the per-pair ratios a/b
/// with its interquartile range. Alternating lets drift in machine load hit both alike; the
/// batch makes calls of a few nanoseconds long enough to time. Returns the median ratio.
pub fn paired_ratio<A, B>(
    label: &str,
    a: (&str, impl FnMut() -> A),
    b: (&str, impl FnMut() -> B),
    batch: usize,
    pairs: usize,
) -> f64 {
    paired(label, a, b, batch, pairs, Results::DroppedInTheTiming)
}

/// Like [`paired_ratio`], but what each call returns is kept until its batch has been timed and
/// dropped after: the time of making a value without the time of dropping it (what criterion's
/// `iter_with_large_drop` measures), for values whose drop does work of its own.
pub fn paired_ratio_excluding_drop<A, B>(
    label: &str,
    a: (&str, impl FnMut() -> A),
    b: (&str, impl FnMut() -> B),
    batch: usize,
    pairs: usize,
) -> f64 {
    paired(label, a, b, batch, pairs, Results::DroppedAfterTheTiming)
}

/// Whether a timed batch includes dropping what the calls return.
#[derive(Clone, Copy)]
enum Results {
    DroppedInTheTiming,
    DroppedAfterTheTiming,
}

fn paired<A, B>(
    label: &str,
    (name_a, mut a): (&str, impl FnMut() -> A),
    (name_b, mut b): (&str, impl FnMut() -> B),
    batch: usize,
    pairs: usize,
    results: Results,
) -> f64 {
    let mut time_a = || match results {
        Results::DroppedInTheTiming => time_per_call_dropping(&mut a, batch),
        Results::DroppedAfterTheTiming => time_per_call_keeping(&mut a, batch),
    };
    let mut time_b = || match results {
        Results::DroppedInTheTiming => time_per_call_dropping(&mut b, batch),
        Results::DroppedAfterTheTiming => time_per_call_keeping(&mut b, batch),
    };
    let mut ratios = Vec::with_capacity(pairs);
    let mut times_a = Vec::with_capacity(pairs);
    let mut times_b = Vec::with_capacity(pairs);
    for round in 0..=pairs {
        // Alternate which goes first, so neither always runs on a warm cache.
        let (ta, tb) = if round % 2 == 0 {
            let ta = time_a();
            (ta, time_b())
        } else {
            let tb = time_b();
            (time_a(), tb)
        };
        if round > 0 {
            ratios.push(ta / tb);
            times_a.push(ta);
            times_b.push(tb);
        }
    }
    let quartiles = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        (at(0.25), at(0.5), at(0.75))
    };
    let (r1, r2, r3) = quartiles(&mut ratios);
    let (_, ma, _) = quartiles(&mut times_a);
    let (_, mb, _) = quartiles(&mut times_b);
    let drops = match results {
        Results::DroppedInTheTiming => "",
        Results::DroppedAfterTheTiming => ", drops not timed",
    };
    eprintln!(
        "{label} paired ({pairs} pairs of {batch}{drops}): {name_a} {}, {name_b} {} (medians \
         per call); {name_a}/{name_b} median {r2:.4} (IQR {r1:.4}-{r3:.4})",
        duration_text(ma),
        duration_text(mb),
    );
    r2
}

/// Seconds one call takes, averaged over `batch` calls in a row, each dropping its result.
fn time_per_call_dropping<T>(f: &mut impl FnMut() -> T, batch: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..batch {
        black_box(f());
    }
    start.elapsed().as_secs_f64() / batch as f64
}

/// Seconds one call takes, averaged over `batch` calls in a row whose results are kept (in a
/// vector allocated before) and dropped once the batch is timed.
fn time_per_call_keeping<T>(f: &mut impl FnMut() -> T, batch: usize) -> f64 {
    let mut kept = Vec::with_capacity(batch);
    let start = Instant::now();
    for _ in 0..batch {
        kept.push(black_box(f()));
    }
    let elapsed = start.elapsed();
    drop(black_box(kept));
    elapsed.as_secs_f64() / batch as f64
}

/// Seconds as text in the unit that suits them: ns, µs or ms.
fn duration_text(seconds: f64) -> String {
    if seconds < 1e-6 {
        format!("{:.1} ns", seconds * 1e9)
    } else if seconds < 1e-3 {
        format!("{:.3} µs", seconds * 1e6)
    } else {
        format!("{:.3} ms", seconds * 1e3)
    }
}
