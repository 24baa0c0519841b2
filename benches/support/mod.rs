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

/// What a paired run measured: the medians of each side per call, in seconds, and the median
/// of the per-pair ratios a/b with its interquartile range.
#[derive(Clone, Copy, Debug)]
pub struct Paired {
    pub a: f64,
    pub b: f64,
    pub ratio: f64,
    pub ratio_q1: f64,
    pub ratio_q3: f64,
    pub pairs: usize,
    pub batch: usize,
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
    paired(label, a, b, batch, pairs, Results::DroppedInTheTiming).ratio
}

/// Like [`paired_ratio`], returning everything the run measured.
pub fn paired_run<A, B>(
    label: &str,
    a: (&str, impl FnMut() -> A),
    b: (&str, impl FnMut() -> B),
    batch: usize,
    pairs: usize,
) -> Paired {
    paired(label, a, b, batch, pairs, Results::DroppedInTheTiming)
}

/// Like [`paired_run`], but what each call returns is kept until its batch has been timed and
/// dropped after: the time of making a value without the time of dropping it (what criterion's
/// `iter_with_large_drop` measures), for values whose drop does work of its own.
pub fn paired_run_excluding_drop<A, B>(
    label: &str,
    a: (&str, impl FnMut() -> A),
    b: (&str, impl FnMut() -> B),
    batch: usize,
    pairs: usize,
) -> Paired {
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
) -> Paired {
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
    Paired {
        a: ma,
        b: mb,
        ratio: r2,
        ratio_q1: r1,
        ratio_q3: r3,
        pairs,
        batch,
    }
}

/// The first quartile, the median and the third quartile of `values`, sorted in place.
pub fn quartiles(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
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
pub fn duration_text(seconds: f64) -> String {
    if seconds < 1e-6 {
        format!("{:.1} ns", seconds * 1e9)
    } else if seconds < 1e-3 {
        format!("{:.3} µs", seconds * 1e6)
    } else {
        format!("{:.3} ms", seconds * 1e3)
    }
}

/// Whether the bench runs in criterion's test mode (`cargo test --benches`, or `--test`): the
/// paired runs are then short, checking that everything works rather than measuring.
pub fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.iter().any(|arg| arg == name);
    !flag("--bench") || flag("--test")
}

/// `full` when measuring, `quick` in test mode.
pub fn scaled(full: usize, quick: usize) -> usize {
    if test_mode() { quick } else { full }
}

/// One row of BENCHMARKS.md, as a bench measured it: printed on standard output as
/// `BENCHMARK {json}`, the line `scripts/benchmarks.py render` reads, so that the table holds
/// what the bench printed and nothing else.
pub struct Row<'a> {
    /// Unique across the benches: the row's key in the table.
    pub id: &'a str,
    /// What is measured, in words.
    pub measure: &'a str,
    /// The target, in words ("≤ 50 ns", "≤ 10× the baseline").
    pub target: &'a str,
    /// The figure measured, in `unit`.
    pub value: f64,
    pub unit: &'a str,
    /// The baseline measured in the same run, in words, and its figure in `unit`.
    pub baseline: &'a str,
    pub baseline_value: Option<f64>,
    /// `value / baseline_value` as a paired run measured it (the median of the pairs' ratios),
    /// with its interquartile range.
    pub ratio: Option<Paired>,
    /// Whether the target is met.
    pub met: bool,
}

impl Row<'_> {
    /// Prints the row's line.
    pub fn print(&self) {
        let mut line = serde_json::json!({
            "id": self.id,
            "measure": self.measure,
            "target": self.target,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_value": self.baseline_value,
            "met": self.met,
            "test_mode": test_mode(),
        });
        if let Some(paired) = self.ratio {
            line["ratio"] = serde_json::json!(paired.ratio);
            line["ratio_iqr"] = serde_json::json!([paired.ratio_q1, paired.ratio_q3]);
            line["pairs"] =
                serde_json::json!(format!("{} pairs of {} calls", paired.pairs, paired.batch));
        }
        println!("BENCHMARK {line}");
    }
}

/// A comparison with no target of its own (one that DESIGN.md weighs, for instance): printed
/// as a `BENCHMARK` line like a [`Row`], with no verdict.
pub fn print_comparison(id: &str, measure: &str, baseline: &str, paired: Paired) {
    let line = serde_json::json!({
        "id": id,
        "measure": measure,
        "target": "none (a comparison)",
        "value": ns(paired.a),
        "unit": "ns",
        "baseline": baseline,
        "baseline_value": ns(paired.b),
        "ratio": paired.ratio,
        "ratio_iqr": [paired.ratio_q1, paired.ratio_q3],
        "pairs": format!("{} pairs of {} calls", paired.pairs, paired.batch),
        "met": null,
        "test_mode": test_mode(),
    });
    println!("BENCHMARK {line}");
}

/// Nanoseconds in `seconds`.
pub fn ns(seconds: f64) -> f64 {
    seconds * 1e9
}

/// `count` different valid personal codici fiscali from `seed`, about one in ten an omocode:
/// surname and name letters, birth year, month and day (women's + 40) and place drawn at random,
/// the omocodes written with one to three of their last digits as letters (the order the
/// Agenzia delle Entrate assigns them), each with its check character.
pub fn varied_codici_fiscali(count: usize, seed: u64) -> Vec<String> {
    use rand_core::Rng;
    const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    /// The digit positions (0-based) omocodia writes as letters, from the right.
    const FROM_THE_RIGHT: [usize; 7] = [14, 13, 12, 10, 9, 7, 6];
    const OMOCODE_LETTERS: &[u8; 10] = b"LMNPQRSTUV";
    let mut rng = rng(seed);
    let mut below = |n: u32| rng.next_u32() % n;
    let mut seen = std::collections::HashSet::new();
    let mut codes = Vec::with_capacity(count);
    while codes.len() < count {
        let mut code = Vec::with_capacity(16);
        for _ in 0..6 {
            code.push(b'A' + below(26) as u8);
        }
        code.extend(format!("{:02}", below(100)).bytes());
        let month = below(12) as usize;
        code.push(MONTHS[month]);
        let day = 1 + below(DAYS[month]) + if below(2) == 0 { 0 } else { 40 };
        code.extend(format!("{day:02}").bytes());
        code.push(b'A' + below(26) as u8);
        code.extend(format!("{:03}", below(1000)).bytes());
        if below(10) == 0 {
            for &at in &FROM_THE_RIGHT[..1 + below(3) as usize] {
                code[at] = OMOCODE_LETTERS[usize::from(code[at] - b'0')];
            }
        }
        code.push(check_character(&code));
        let text = String::from_utf8(code).unwrap();
        assert!(CodiceFiscale::parse(&text).is_ok(), "{text}");
        if seen.insert(text.clone()) {
            codes.push(text);
        }
    }
    codes
}

/// The check character of a codice fiscale's first 15 characters, from the published tables.
fn check_character(body: &[u8]) -> u8 {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let sum: u32 = body
        .iter()
        .take(15)
        .enumerate()
        .map(|(i, &b)| {
            let value = if b.is_ascii_digit() {
                b - b'0'
            } else {
                b - b'A'
            };
            if i % 2 == 0 {
                ODD[usize::from(value)]
            } else {
                u32::from(value)
            }
        })
        .sum();
    b'A' + (sum % 26) as u8
}
