//! `CodiceFiscale::parse` on varied inputs, next to reading the same bytes in the same run:
//!
//! - parse alone: target ≤ 50 ns a code;
//! - parse, then the birth date and the sex: target ≤ 10× reading the code's 16 bytes (their
//!   sum, so that no byte can be skipped).
//!
//! The inputs are 10,026 different valid codes (about one in ten an omocode) from a fixed seed,
//! taken in turn: one code repeated would let the branch predictor learn its path, which no
//! service meets. A paired run (batches alternated, so that drift in machine load hits both
//! alike) prints each ratio as a `BENCHMARK` line; criterion then times the kinds of input one
//! by one (a stored code, an omocode, a code as typed, a temporary code).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::CodiceFiscale;
use jiff::civil::{Date, date};

mod support;

/// How many different codes, and the seed that makes them.
const CODES: usize = 10_026;
const SEED: u64 = 21;

/// Each side takes the next code at every call, from first to last and round again. The
/// codes lie one after the other in one string, as in a page of a database read, so that
/// reading them costs little more than reading their bytes.
struct Cycle<'a> {
    codes: &'a [&'a str],
    next: usize,
}

impl<'a> Cycle<'a> {
    fn new(codes: &'a [&'a str]) -> Self {
        Cycle { codes, next: 0 }
    }

    fn next(&mut self) -> &'a str {
        let code = &self.codes[self.next];
        self.next += 1;
        if self.next == self.codes.len() {
            self.next = 0;
        }
        code
    }
}

/// The baseline: the sum of the code's 16 bytes.
fn read_16_bytes(code: &str) -> u32 {
    black_box(code)
        .as_bytes()
        .iter()
        .fold(0u32, |sum, byte| sum + u32::from(*byte))
}

fn parse_date_sex(code: &str, today: Date) -> (Option<Date>, Option<inps_pin::Sex>) {
    let code = CodiceFiscale::parse(black_box(code)).unwrap();
    (code.birth_date(today), code.sex())
}

fn varied(c: &mut Criterion) {
    let text = support::varied_codici_fiscali(CODES, SEED).concat();
    let codes: Vec<&str> = (0..CODES).map(|i| &text[16 * i..16 * (i + 1)]).collect();
    let today = date(2026, 11, 24);
    let omocodes = codes
        .iter()
        .filter(|code| CodiceFiscale::parse(code).unwrap().is_omocode())
        .count();
    eprintln!(
        "codice_fiscale: {} different codes, {omocodes} omocodes ({:.1} %)",
        codes.len(),
        100.0 * omocodes as f64 / codes.len() as f64
    );
    for code in &codes {
        assert!(parse_date_sex(code, today).0.is_some(), "{code}");
    }

    let batch = support::scaled(CODES, 500);
    let pairs = support::scaled(40, 3);
    let (mut parsed, mut read) = (Cycle::new(&codes), Cycle::new(&codes));
    let parse = support::paired_run(
        "codice fiscale parse, varied codes",
        ("parse", || CodiceFiscale::parse(black_box(parsed.next()))),
        ("read_16_bytes", || read_16_bytes(read.next())),
        batch,
        pairs,
    );
    let parse_ns = support::ns(parse.a);
    support::Row {
        id: "codice_fiscale_parse",
        measure: "`CodiceFiscale::parse`, 10,026 different codes (10 % omocodes)",
        target: "≤ 50 ns",
        value: parse_ns,
        unit: "ns",
        baseline: "reading the same 16 bytes",
        baseline_value: Some(support::ns(parse.b)),
        ratio: Some(parse),
        met: parse_ns <= 50.0,
    }
    .print();

    let (mut parsed, mut read) = (Cycle::new(&codes), Cycle::new(&codes));
    let full = support::paired_run(
        "codice fiscale parse + birth date + sex, varied codes",
        ("parse_date_sex", || parse_date_sex(parsed.next(), today)),
        ("read_16_bytes", || read_16_bytes(read.next())),
        batch,
        pairs,
    );
    support::Row {
        id: "codice_fiscale_full",
        measure: "`CodiceFiscale::parse` + `birth_date` + `sex`, 10,026 different codes",
        target: "≤ 10× the baseline",
        value: support::ns(full.a),
        unit: "ns",
        baseline: "reading the same 16 bytes",
        baseline_value: Some(support::ns(full.b)),
        ratio: Some(full),
        met: full.ratio <= 10.0,
    }
    .print();

    let mut group = c.benchmark_group("codice_fiscale_varied");
    let mut parsed = Cycle::new(&codes);
    group.bench_function("parse", |b| {
        b.iter(|| CodiceFiscale::parse(black_box(parsed.next())))
    });
    let mut parsed = Cycle::new(&codes);
    group.bench_function("parse_birth_date_sex", |b| {
        b.iter(|| parse_date_sex(parsed.next(), today))
    });
    let mut read = Cycle::new(&codes);
    group.bench_function("baseline_read_16_bytes", |b| {
        b.iter(|| read_16_bytes(read.next()))
    });
    group.finish();
}

fn kinds(c: &mut Criterion) {
    let inputs = [
        // A plain code, as printed on the tessera sanitaria.
        ("plain", "RSSMRA80A01H501U", "RSSMRA80A01H501U"),
        // An omocode: digits written as letters L-V, kept as written.
        ("omocode", "CCCFBA85D03L21VE", "CCCFBA85D03L21VE"),
        // As a person types it: spaces and lower case.
        ("typed", "rss mra 80a01 h501u", "RSSMRA80A01H501U"),
        // A temporary code: 11 digits, the last a check digit (R3).
        ("temporary", "12345678903", "12345678903"),
    ];
    let mut group = c.benchmark_group("codice_fiscale_parse");
    for (name, input, normalised) in inputs {
        assert_eq!(CodiceFiscale::parse(input).unwrap().as_str(), normalised);
        group.bench_function(name, |b| b.iter(|| CodiceFiscale::parse(black_box(input))));
    }
    group.finish();
}

criterion_group!(benches, varied, kinds);
criterion_main!(benches);
