//! The lifecycle drawn from the table: a Mermaid state diagram for the README, a text form for
//! the crate docs, and the whole table as Markdown. Nothing here decides anything: a change to
//! the table changes the pictures, and a test fails until the committed ones are regenerated.

use core::fmt::Write as _;

use crate::account::command::CommandKind;
use crate::account::phase::Phase;
use crate::account::table::{CLOCK, Check, Then, row};

/// One arrow of the diagram: from a phase to another, and what takes it there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// Where it starts.
    pub from: Phase,
    /// Where it leads.
    pub to: Phase,
    /// The commands (or the clock) that take it, joined.
    pub by: String,
}

/// Every arrow between two different phases, in the table's order: the commands whose row
/// leads elsewhere, wrong PINs to the block, and the clock's own transitions ([`CLOCK`]).
#[must_use]
pub fn transitions() -> Vec<Transition> {
    let mut arrows: Vec<Transition> = Vec::new();
    let mut add = |from: Phase, to: Phase, by: &str| {
        if from == to {
            return;
        }
        match arrows.iter_mut().find(|t| t.from == from && t.to == to) {
            Some(existing) if !existing.by.split(", ").any(|b| b == by) => {
                existing.by.push_str(", ");
                existing.by.push_str(by);
            }
            Some(_) => {}
            None => arrows.push(Transition {
                from,
                to,
                by: by.to_owned(),
            }),
        }
    };
    for &from in Phase::ALL {
        for &command in CommandKind::ALL {
            let cell = row(command, from);
            if let Some(to) = cell.then.leads_to() {
                add(from, to, command.name());
            }
            if cell.checks.iter().any(|check| {
                matches!(
                    check,
                    Check::Pin | Check::PinOrFirstHalf | Check::WaitingCode
                )
            }) {
                add(from, Phase::Blocked, "wrong PINs");
            }
        }
    }
    for &(from, to, by) in CLOCK {
        add(from, to, by);
    }
    arrows
}

/// The lifecycle as a Mermaid `stateDiagram-v2`, for the README.
#[must_use]
pub fn mermaid() -> String {
    let mut out = String::from("stateDiagram-v2\n");
    for &phase in Phase::ALL {
        let _ = writeln!(out, "    {}: {}", phase.name(), phase.label());
    }
    let _ = writeln!(out, "    [*] --> {}", Phase::NoPin.name());
    for arrow in transitions() {
        let _ = writeln!(
            out,
            "    {} --> {}: {}",
            arrow.from.name(),
            arrow.to.name(),
            arrow.by
        );
    }
    out
}

/// The lifecycle as text, one arrow a line, for the crate docs.
#[must_use]
pub fn text() -> String {
    let arrows = transitions();
    let width = arrows
        .iter()
        .map(|arrow| arrow.from.label().chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for arrow in arrows {
        let _ = writeln!(
            out,
            "{:width$}  ──▶  {}   ({})",
            arrow.from.label(),
            arrow.to.label(),
            arrow.by
        );
    }
    out
}

/// The whole table as Markdown: a row per command, a column per phase, each cell the checks in
/// order (by number, listed below the table) and what follows.
#[must_use]
pub fn markdown() -> String {
    let mut out = String::from("| command |");
    for &phase in Phase::ALL {
        let _ = write!(out, " {} |", phase.name());
    }
    out.push_str("\n|---|");
    for _ in Phase::ALL {
        out.push_str("---|");
    }
    out.push('\n');
    for &command in CommandKind::ALL {
        let _ = write!(out, "| `{}` |", command.name());
        for &phase in Phase::ALL {
            let cell = row(command, phase);
            let checks: Vec<String> = cell
                .checks
                .iter()
                .map(|check| check_number(*check).to_string())
                .collect();
            let then = match cell.then {
                Then::Refuse(refuse) => format!("✗ {}", refuse.name()),
                other => other.label().to_owned(),
            };
            if checks.is_empty() {
                let _ = write!(out, " {then} |");
            } else {
                let _ = write!(out, " {} → {then} |", checks.join(" "));
            }
        }
        out.push('\n');
    }
    out.push_str("\nChecks, by number:\n\n");
    for (index, check) in Check::ALL.iter().enumerate() {
        let _ = writeln!(out, "{}. `{}`: {}", index + 1, check.name(), check.label());
    }
    out
}

fn check_number(check: Check) -> usize {
    Check::ALL
        .iter()
        .position(|listed| *listed == check)
        .map_or(0, |index| index + 1)
}
