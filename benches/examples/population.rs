//! A population of PINs through a simulated year, at scale.
//!
//! N people (default 100,000; one in twenty an intermediary) ask for PINs through the three
//! channels, make their first access or let it lapse, log in (with a typo now and then, some
//! from a trusted device), are warned, renew, let PINs expire, restore them beside the PIN in
//! use, revoke them with the tessera and ask for the dispositivo PIN; some who revoke ask for
//! their data to be erased, and the rest's is erased 90 days after their last live PIN (the
//! retention period, R36); strangers who know a codice fiscale guess. The clock is driven by
//! `Account::poll_deadline`: a priority queue of every account's next deadline and every
//! person's next action. The hash cost is
//! `HashCost::CHEAP`, so that a year of 100,000 people runs in well under a minute.
//!
//! It prints a summary (the phases at the end, what happened over the year, events and stored
//! bytes per account) that is the same for the same seed, then, after the line
//! `== measured ==`, what varies from run to run: time, commands per second excluding Argon2
//! (Argon2's runs counted, each costing what bare runs timed beside them cost), resident memory
//! per account, and, command by command, the crate's own time and the allocations it made: where
//! the time goes. It writes a chart of the phases over the year, and of the accounts that hold
//! personal data, as SVG.
//!
//! ```text
//! cargo run --release --example population -- [PEOPLE] [--seed N] [--svg PATH]
//! ```

#[path = "simulation/mod.rs"]
mod simulation;

use std::alloc::System;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

type Error = Box<dyn std::error::Error>;

/// The system allocator, counting allocations and bytes (`stats_alloc`): for the allocations
/// of each command and the live heap per account. Its counters are atomics, shared by every
/// thread; the whole simulation runs on the main thread.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The allocations (and reallocations) made so far.
fn allocations() -> u64 {
    let stats = GLOBAL.stats();
    (stats.allocations + stats.reallocations) as u64
}

/// Bytes allocated and not freed.
fn live_bytes() -> i64 {
    let stats = GLOBAL.stats();
    stats.bytes_allocated as i64 - stats.bytes_deallocated as i64
}

struct Arguments {
    people: u32,
    seed: u64,
    svg: String,
}

fn arguments() -> Result<Arguments, Error> {
    let mut parsed = Arguments {
        people: 100_000,
        seed: 2026,
        svg: "target/population.svg".to_owned(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => parsed.seed = args.next().ok_or("--seed needs a number")?.parse()?,
            "--svg" => parsed.svg = args.next().ok_or("--svg needs a path")?,
            people => parsed.people = people.replace(['_', ','], "").parse()?,
        }
    }
    if parsed.people == 0 || parsed.people >= 26u32.pow(6) {
        return Err("the number of people must be between 1 and 26^6 - 1".into());
    }
    Ok(parsed)
}

/// Resident memory of this process, in bytes (Linux: the second field of /proc/self/statm,
/// in pages of 4 KiB).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn main() -> Result<(), Error> {
    let arguments = arguments()?;
    let setup = simulation::Setup {
        people: arguments.people,
        seed: arguments.seed,
        allocations,
    };
    let resident_before = resident_bytes();
    let live_before = live_bytes();

    let bar = ProgressBar::new(365);
    bar.set_style(ProgressStyle::with_template(
        "{msg} [{bar:40}] day {pos}/{len}, {elapsed} (eta {eta})",
    )?);
    bar.set_message(format!("{} people", arguments.people));
    let started = Instant::now();
    let run = simulation::run(setup, |day| bar.set_position(day))?;
    let wall = started.elapsed();
    bar.finish_and_clear();

    let resident_after = resident_bytes();
    let live_after = live_bytes();

    print!("{}", simulation::summary_text(&run.summary));
    if let Some(folder) = std::path::Path::new(&arguments.svg).parent() {
        std::fs::create_dir_all(folder).ok();
    }
    std::fs::write(&arguments.svg, simulation::svg_chart(&run.summary)?)?;
    println!("\nChart of the phases over the year: {}", arguments.svg);

    let people = f64::from(arguments.people);
    let timings = &run.timings;
    let argon2_runs = timings.argon2_runs;
    let argon2 = timings.argon2();
    let own = timings.handle.saturating_sub(argon2);
    // The bare runs were made inside the year's loop: not part of the year.
    let year = timings.year.saturating_sub(timings.bare_argon2);
    println!("\n== measured (varies from run to run; not part of the summary) ==");
    println!(
        "  {:<48} {:>10.3} s (setup and counting included: {:.3} s)",
        "the simulated year",
        year.as_secs_f64(),
        wall.as_secs_f64()
    );
    println!(
        "  {:<48} {:>10.3} s for {} commands",
        "inside Account::handle",
        timings.handle.as_secs_f64(),
        timings.handled
    );
    println!(
        "  {:<48} {:>10.3} s: {} runs of {:.2} µs ({} bare runs timed)",
        "of which Argon2 (runs counted x a bare run)",
        argon2.as_secs_f64(),
        argon2_runs,
        argon2.as_secs_f64() * 1e6 / argon2_runs.max(1) as f64,
        timings.bare_argon2_runs
    );
    println!(
        "  {:<48} {:>10.3} s: {:.3} µs a command, {:.0} commands/s",
        "the crate's own time (handle minus Argon2)",
        own.as_secs_f64(),
        own.as_secs_f64() * 1e6 / timings.handled.max(1) as f64,
        timings.handled as f64 / own.as_secs_f64().max(1e-9)
    );
    println!(
        "  {:<48} {:>10.2} % of the simulated year",
        "the crate's own share",
        100.0 * own.as_secs_f64() / year.as_secs_f64().max(1e-9)
    );
    let resident_per_account = match (resident_before, resident_after) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before) as f64 / people),
        _ => None,
    };
    if let (Some(before), Some(after)) = (resident_before, resident_after) {
        println!(
            "  {:<48} {:>10.0} B ({:.1} MiB before, {:.1} MiB after)",
            "resident memory per account",
            (after.saturating_sub(before)) as f64 / people,
            before as f64 / 1048576.0,
            after as f64 / 1048576.0
        );
    }
    println!(
        "  {:<48} {:>10.0} B (an Account is {} B inline, a person's simulation state {} B)",
        "live heap per account",
        (live_after - live_before) as f64 / people,
        std::mem::size_of::<inps_pin::Account>(),
        std::mem::size_of::<simulation::Agent>(),
    );
    print!("{}", command_costs(timings));

    // The result lines of BENCHMARKS.md (`scripts/benchmarks.py`).
    let own_rate = timings.handled as f64 / own.as_secs_f64().max(1e-9);
    let own_share = 100.0 * own.as_secs_f64() / year.as_secs_f64().max(1e-9);
    let live_per_account = (live_after - live_before) as f64 / people;
    let measure = format!(
        "the crate's own time in a simulated year of {} people (`Account::handle` less Argon2)",
        arguments.people
    );
    let argon2_baseline = format!(
        "Argon2 timed bare beside each command: {:.2} s of the {:.2} s in `handle`, subtracted",
        argon2.as_secs_f64(),
        timings.handle.as_secs_f64()
    );
    print_row(
        "population_own_rate",
        &measure,
        "≥ 1,000,000 commands/s",
        own_rate,
        "commands/s",
        &argon2_baseline,
        None,
        own_rate >= 1e6,
    );
    let year_baseline = format!("the simulated year: {:.2} s", year.as_secs_f64());
    print_row(
        "population_own_share",
        "the crate's own share of the simulated year",
        "≤ 2 %",
        own_share,
        "%",
        &year_baseline,
        None,
        own_share <= 2.0,
    );
    if let Some(resident) = resident_per_account {
        print_row(
            "population_resident_memory",
            "resident memory an account, after the simulated year",
            "≤ 1.5 KiB (1,536 B)",
            resident,
            "B",
            "the live heap an account (allocations counted)",
            Some(live_per_account),
            resident <= 1536.0,
        );
    }
    Ok(())
}

/// One result line of BENCHMARKS.md: `BENCHMARK {json}` (see `benches/support/mod.rs`).
#[allow(clippy::too_many_arguments)]
fn print_row(
    id: &str,
    measure: &str,
    target: &str,
    value: f64,
    unit: &str,
    baseline: &str,
    baseline_value: Option<f64>,
    met: bool,
) {
    let line = serde_json::json!({
        "id": id,
        "measure": measure,
        "target": target,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_value": baseline_value,
        "met": met,
        "test_mode": false,
    });
    println!("BENCHMARK {line}");
}

/// The crate's own time and allocations command by command: where the time goes.
fn command_costs(timings: &simulation::Timings) -> String {
    let argon2_each = timings.argon2_each();
    let own_total: f64 = timings
        .by_command
        .values()
        .map(|cost| cost.own_seconds(argon2_each))
        .sum();
    let mut table = format!(
        "\n  {:<20} {:>9} {:>12} {:>12} {:>10}\n",
        "command", "handled", "own µs each", "allocations", "own share"
    );
    for (name, cost) in &timings.by_command {
        let handled = cost.handled.max(1) as f64;
        let own = cost.own_seconds(argon2_each);
        table += &format!(
            "  {:<20} {:>9} {:>12.3} {:>12.2} {:>9.1} %\n",
            name,
            cost.handled,
            own * 1e6 / handled,
            cost.allocations as f64 / handled,
            100.0 * own / own_total.max(1e-12)
        );
    }
    table
}
