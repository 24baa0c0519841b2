//! `CodiceFiscale::parse`: target ≤ 50 ns a code (python-stdnum takes about 7 µs).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inps_pin::CodiceFiscale;

fn parse(c: &mut Criterion) {
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

criterion_group!(benches, parse);
criterion_main!(benches);
