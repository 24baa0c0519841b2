//! The population simulation of `examples/population.rs` (its core, included from
//! `examples/simulation/`), run small: its summary must add up, reach every phase a year
//! without a sunset can reach, and be the same for the same seed.

#[path = "../examples/simulation/mod.rs"]
mod simulation;

use inps_pin::{Account, Phase};
use simulation::{PHASES, Setup, phase_index, run, summary_text};

const PEOPLE: u32 = 1_500;

fn small(seed: u64) -> simulation::Run {
    run(
        Setup {
            people: PEOPLE,
            seed,
            allocations: simulation::no_allocation_count,
        },
        |_| {},
    )
    .unwrap()
}

#[test]
fn the_same_seed_gives_the_same_summary_and_another_seed_another() {
    let first = small(7);
    let again = small(7);
    assert_eq!(first.summary, again.summary);
    assert_eq!(summary_text(&first.summary), summary_text(&again.summary));
    let other = small(8);
    assert_ne!(first.summary, other.summary);
}

#[test]
fn the_counts_add_up_and_every_phase_without_a_sunset_is_reached() {
    let run = small(11);
    let summary = &run.summary;
    let people = u64::from(PEOPLE);
    assert_eq!(summary.citizens + summary.intermediaries, PEOPLE);
    assert_eq!(summary.phases_at_end.iter().sum::<u64>(), people);
    assert_eq!(summary.phases_by_day.len(), 365);
    for day in &summary.phases_by_day {
        assert_eq!(day.iter().map(|n| u64::from(*n)).sum::<u64>(), people);
    }
    // Every phase but the sunset's retirement (the simulated policy has no sunset) is met on
    // some day; the retirement never is.
    for phase in PHASES {
        let reached = summary
            .phases_by_day
            .iter()
            .any(|day| day[phase_index(phase)] > 0);
        assert_eq!(reached, phase != Phase::Retired, "{phase:?}");
    }
    // Each command had a reply or a refusal; each account's version counts its events.
    let commands: u64 = summary.commands.values().sum();
    let answered: u64 =
        summary.replies.values().sum::<u64>() + summary.refusals.values().sum::<u64>();
    assert_eq!(commands, answered);
    assert_eq!(summary.events.values().sum::<u64>(), summary.versions);
    // What the year is meant to hold happened, through every command.
    for command in [
        "request_pin",
        "first_access",
        "log_in",
        "renew_pin",
        "request_upgrade",
        "decide_upgrade",
        "upgrade_at_sede",
        "restore",
        "revoke",
        "tick",
    ] {
        assert!(
            summary.commands.get(command).is_some_and(|n| *n > 0),
            "{command}"
        );
    }
    for event in [
        "pin_issued",
        "first_access_completed",
        "first_pin_lapsed",
        "logged_in",
        "login_failed",
        "expiry_warned",
        "pin_renewed",
        "pin_expired",
        "restore_requested",
        "pin_revoked",
        "upgrade_approved",
        "upgrade_rejected",
        "device_trusted",
    ] {
        assert!(summary.events.get(event).is_some_and(|n| *n > 0), "{event}");
    }
    assert!(summary.owner_typos > 0 && summary.stranger_guesses > 0);
    assert!(summary.device_logins > 0);
    // The measured part, command by command, adds up to its totals and to the summary.
    let timings = &run.timings;
    let by_command = &timings.by_command;
    assert_eq!(
        by_command.values().map(|cost| cost.handled).sum::<u64>(),
        timings.handled
    );
    assert_eq!(timings.handled, commands);
    assert_eq!(
        by_command
            .values()
            .map(|cost| cost.argon2_runs)
            .sum::<u64>(),
        timings.argon2_runs
    );
    for (name, cost) in by_command {
        assert_eq!(summary.commands.get(name), Some(&cost.handled), "{name}");
        assert_eq!(
            cost.allocations, 0,
            "nobody counted allocations, yet {name} has some"
        );
    }
}

#[test]
fn every_simulated_account_round_trips_through_postcard() {
    let run = small(13);
    for agent in &run.agents {
        let bytes = postcard::to_allocvec(&agent.account).unwrap();
        assert_eq!(
            postcard::from_bytes::<Account>(&bytes).unwrap(),
            agent.account
        );
    }
}

#[test]
fn r36_the_retention_period_and_the_persons_requests_erase_personal_data_over_the_year() {
    let run = small(13);
    let summary = &run.summary;
    assert_eq!(summary.personal_data_by_day.len(), 365);
    assert!(
        summary
            .personal_data_by_day
            .iter()
            .all(|held| *held <= PEOPLE)
    );
    let retention = summary.erasures.get("retention_period").copied();
    let requested = summary.erasures.get("persons_request").copied();
    assert!(retention.is_some_and(|n| n > 0), "{:?}", summary.erasures);
    assert!(requested.is_some_and(|n| n > 0), "{:?}", summary.erasures);
    // Each erasure is one event of its own.
    assert_eq!(
        summary.erasures.values().sum::<u64>(),
        summary
            .events
            .get("personal_data_erased")
            .copied()
            .unwrap_or(0)
    );
    // At the end, the accounts that hold personal data are those the crate says do.
    let held = run
        .agents
        .iter()
        .filter(|agent| agent.account.holds_personal_data())
        .count();
    assert_eq!(
        summary.personal_data_by_day.last().copied(),
        Some(held as u32)
    );
    assert!(summary_text(summary).contains("erased over the year"));
}
