//! How fast one instance drains deadlines that came all at once: N accounts whose 16-character
//! PIN lapses on the same day (R9), the clock moved past it, then [`Accounts::tick_due`] in
//! batches, against the same ticks sent one account at a time through
//! [`Accounts::execute`] (a load, a decision and a transaction each) on a sample of the
//! accounts, in the same run: half the sample before the drain, half after (their PIN was
//! requested ten days later, so that the drain leaves them), so that drift in the machine's
//! load hits both sides. It prints the result as a `BENCHMARK` line (`scripts/benchmarks.py`).
//!
//! ```text
//! cargo bench -p inps-pin-sqlx --bench ticker      # 100,000 accounts, SQLite (PostgreSQL too
//!                                                  # with INPS_PIN_BENCH_POSTGRES=1)
//! cargo test -p inps-pin-sqlx --bench ticker       # 2,000 accounts, checked, not timed
//! ```

use std::sync::Arc;
use std::time::Instant;

use inps_pin::rand_core::SeedableRng;
use inps_pin::{
    Account, Address, ArchiveRecord, Attested, ChannelRequest, CodiceFiscale, Command, Context,
    Email, HashCost, OperatorId, Person, PersonName, Policy, Role,
};
use inps_pin_sqlx::testing::{self, Scratch};
use inps_pin_sqlx::{Accounts, Commit, Entropy, ManualClock, OutboxKey, OutboxKeys, Store, Write};
use jiff::{SignedDuration, Timestamp};
use rand_chacha::ChaCha20Rng;

/// The accounts ticked one at a time, for the baseline.
const SAMPLE: usize = 1_000;

/// A valid codice fiscale for person `n`: a surname and name code, a birth date, a place, and
/// the check character computed as the specification says (R3).
fn codice_fiscale(n: usize) -> CodiceFiscale {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let letters = |mut value: usize| -> String {
        (0..3)
            .map(|_| {
                let letter = char::from(b'A' + (value % 26) as u8);
                value /= 26;
                letter
            })
            .collect()
    };
    let months = "ABCDEHLMPRST";
    let month = months.as_bytes()[n % 12] as char;
    let body = format!(
        "{}{}{:02}{}{:02}H501",
        letters(n),
        letters(n / 17_576 + 7),
        50 + n % 50,
        month,
        1 + n % 28
    );
    let sum: u32 = body
        .chars()
        .enumerate()
        .map(|(index, c)| {
            let value = c.to_digit(10).unwrap_or_else(|| c as u32 - 'A' as u32);
            if index % 2 == 0 {
                ODD[value as usize]
            } else {
                value
            }
        })
        .sum();
    let check = char::from(b'A' + (sum % 26) as u8);
    CodiceFiscale::parse(&format!("{body}{check}")).unwrap()
}

fn person(cf: CodiceFiscale) -> Person {
    Person::new(
        PersonName::parse("Mario").unwrap(),
        PersonName::parse("Rossi").unwrap(),
        cf,
        Role::Citizen,
        Address::new("Via Roma 1", "00184", "Roma", "RM").unwrap(),
    )
    .with_email(Email::parse("mario.rossi@example.it").unwrap())
}

/// The accounts `indices` with a PIN requested at `t0`, written in batches straight to the
/// store.
async fn seed(store: &Store, policy: &Policy, indices: std::ops::Range<usize>, t0: Timestamp) {
    let mut rng = ChaCha20Rng::seed_from_u64(indices.start as u64);
    let archive_lookup = OperatorId::new("archive").unwrap();
    for start in indices.clone().step_by(500) {
        let mut pairs = Vec::new();
        for index in start..(start + 500).min(indices.end) {
            let cf = codice_fiscale(index);
            let read = Account::new(cf);
            let archive = Attested::vouched_for(
                ArchiveRecord::new(
                    cf,
                    Address::new("Via Roma 1", "00184", "Roma", "RM").unwrap(),
                ),
                archive_lookup.clone(),
                t0,
            );
            let command = Command::RequestPin {
                person: person(cf),
                channel: ChannelRequest::Online,
                archive,
            };
            let outcome = read
                .decide(&command, &mut Context::new(t0, policy, &mut rng))
                .unwrap();
            let mut next = read.clone();
            for event in &outcome.events {
                next.evolve(event);
            }
            pairs.push((read, next, outcome.events));
        }
        let writes: Vec<Write<'_>> = pairs
            .iter()
            .map(|(read, next, events)| Write {
                read,
                next,
                events,
                next_deadline: next.poll_deadline(policy),
                outbox: &[],
                end_sessions: None,
                new_session: None,
                person_key: None,
                now: t0,
            })
            .collect();
        assert_eq!(store.commit(&writes).await.unwrap(), Commit::Written);
    }
}

async fn measure(backend: &str, url: &str, n: usize, timed: bool) {
    let t0: Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
    let policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    let master = inps_pin_sqlx::PersonalDataKeys::new(
        inps_pin_sqlx::PersonalDataKey::from_hex("bench", &"71".repeat(32)).unwrap(),
    );
    let store = Store::connect(url, master).await.unwrap();
    // The sample ticked one at a time: its first half before the drain, its second half,
    // whose PIN was requested ten days later, after it.
    let sample = SAMPLE.min(n / 10).max(2);
    let half = sample / 2;
    let later = t0 + SignedDuration::from_hours(24 * 10);
    let started = Instant::now();
    seed(&store, &policy, 0..half, t0).await;
    seed(&store, &policy, half..sample, later).await;
    seed(&store, &policy, sample..n, t0).await;
    let seeded = started.elapsed();
    // Past the first-access window of every account but the sample's second half.
    let clock = Arc::new(ManualClock::fixed(t0));
    clock.advance(SignedDuration::from_hours(24 * 91));
    let keys = OutboxKeys::new(OutboxKey::from_hex("bench", &"17".repeat(32)).unwrap());
    let accounts = Accounts::new(store.clone(), policy.clone(), keys)
        .unwrap()
        .with_clock(clock.clone())
        .with_entropy(Entropy::seeded(2));

    // The baseline: one account at a time, each a load, a decision and a transaction.
    let one_at_a_time = |indices: std::ops::Range<usize>| {
        let accounts = &accounts;
        async move {
            let started = Instant::now();
            for index in indices {
                let executed = accounts
                    .execute(codice_fiscale(index), Command::Tick)
                    .await
                    .unwrap();
                assert!(executed.events > 0, "the tick applied the lapse");
            }
            started.elapsed()
        }
    };
    let first_half = one_at_a_time(0..half).await;

    let batched = Instant::now();
    let report = accounts.tick_due(500).await.unwrap();
    let batched = batched.elapsed();
    assert_eq!(report.ticked, n - sample, "{report:?}");

    clock.advance(SignedDuration::from_hours(24 * 10));
    let one_by_one = first_half + one_at_a_time(half..sample).await;
    assert_eq!(report.lost_races, 0);
    assert!(
        accounts.tick_due(500).await.unwrap().ticked == 0,
        "nothing left due"
    );

    let rate = |count: usize, took: std::time::Duration| count as f64 / took.as_secs_f64();
    let batched_rate = rate(report.ticked, batched);
    let single_rate = rate(sample, one_by_one);
    println!(
        "ticker on {backend}: {n} accounts due at once (seeded in {:.1} s); batched: {} in {:.2} s, {:.0} accounts/s, {} batches; one at a time: {sample} in {:.2} s, {:.0} accounts/s; ratio {:.1}x{}",
        seeded.as_secs_f64(),
        report.ticked,
        batched.as_secs_f64(),
        batched_rate,
        report.batches,
        one_by_one.as_secs_f64(),
        single_rate,
        batched_rate / single_rate,
        if timed {
            ""
        } else {
            " (test mode: not a measurement)"
        }
    );
    let line = serde_json::json!({
        "id": format!("ticker_{}", backend.to_lowercase()),
        "measure": format!(
            "due deadlines drained by `Accounts::tick_due` (batches of 500), {n} accounts due \
             at once, {backend}"
        ),
        "target": "as fast as the database allows: above one at a time",
        "value": batched_rate,
        "unit": "accounts/s",
        "baseline": format!("one at a time through `Accounts::execute` ({sample} accounts)"),
        "baseline_value": single_rate,
        "ratio": batched_rate / single_rate,
        "met": batched_rate > single_rate,
        "test_mode": !timed,
    });
    println!("BENCHMARK {line}");
    store.close().await;
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let n = if full { 100_000 } else { 2_000 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = Scratch::new("ticker", "sqlite");
    runtime.block_on(measure("SQLite", &dir.sqlite_url("ticker.db"), n, full));
    if std::env::var("INPS_PIN_BENCH_POSTGRES").as_deref() == Ok("1") {
        if let Some(server) = testing::server() {
            let url = runtime.block_on(testing::database(&server.url(), "inps_pin_ticker"));
            runtime.block_on(measure("PostgreSQL", &url, n, full));
        }
    }
}
