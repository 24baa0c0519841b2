//! Properties of whole lives of an account: R8 (no delivered code in anything the crate shows).
//!
//! The runs are played by `tests/common/lifecycle_run.rs`; failure persistence is off, and a
//! counterexample worth keeping becomes a test in `tests/properties_counterexamples.rs`.

mod common;

use std::collections::BTreeSet;

use common::lifecycle_run::*;
use common::scenario::*;
use common::*;
use inps_pin::{ChannelRequest, Role};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// ---------------------------------------------------------------------------------------------
// R8: no delivered code in anything the crate shows
// ---------------------------------------------------------------------------------------------

/// Plays the scenario, then checks every delivered code against everything shown along the
/// whole run (a code must not surface before or after it was delivered), and every typed entry
/// against the command that carried it and what the crate showed of that step, the status at
/// that instant included.
fn r8_holds(scenario: &Scenario) -> Result<Tally, TestCaseError> {
    let mut secrets: BTreeSet<String> = BTreeSet::new();
    let mut shown: Vec<(String, Vec<u8>)> = Vec::new();
    let mut typed_failures: Vec<String> = Vec::new();
    let mut tally = play(scenario, |step| {
        for code in &step.delivered {
            prop_assert!(code.len() == 8 || code.len() == 16, "{} chars", code.len());
            secrets.insert(code.clone());
        }
        let i = step.index;
        let mut this_step = shown_by_the_crate(i, step.after, step.result);
        let status = step.after.status(step.now, step.policy);
        this_step.push((format!("{i}: status"), format!("{status:?}").into_bytes()));
        for (label, bytes) in &step.command_texts {
            this_step.push((format!("{i}: {label}"), bytes.clone()));
        }
        if let Some(typed) = &step.typed {
            typed_failures.extend(labels_showing(&[typed.as_str()], &this_step));
        }
        shown.extend(this_step);
        Ok(())
    })?;
    prop_assert!(typed_failures.is_empty(), "{:?}", typed_failures);
    no_code_shown(&secrets, &shown)?;
    if !secrets.is_empty() {
        tally.add("codes checked");
    }
    Ok(tally)
}

#[test]
fn r8_no_delivered_code_in_debug_or_serde_along_long_runs() {
    let tally = check_along_runs(96, r8_holds);
    tally.assert_reached(&[
        "codes checked",
        "reply:pin_issued",
        "reply:first_access_completed",
        "reply:pin_renewed",
        "reply:pin_restored",
        "event:expiry_warned",
        "event:login_failed_blocking",
        "refused",
    ]);
}

/// The check itself can fail: a code shown in a text is caught by the same search.
#[test]
fn r8_the_leak_check_catches_a_code() {
    let policy = policy();
    let mut rng = rng(8);
    let (account, outcome) = requested(
        owner(Role::Citizen),
        ChannelRequest::Online,
        &policy,
        &mut rng,
    );
    let code = whole_code(&outcome);
    let postcard = String::from_utf8_lossy(&postcard_bytes(&account)).into_owned();
    assert!(format!("{postcard}{code}").contains(&code));
    assert!(!postcard.contains(&code[..8]) && !postcard.contains(&code[8..]));
}
