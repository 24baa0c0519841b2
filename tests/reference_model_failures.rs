//! The reference model's failures read at a glance: a wrapper with a bug planted in it fails,
//! the failure shrinks to its few relevant steps, from the standard fixture, and the report
//! starts with that minimal case and stays short. Steps weighted by a [`ModelWeights`] leave
//! out the kinds they weigh 0.
#![cfg(feature = "proptest")]

use inps_pin::reference_model::{
    self, AccountModel, Failure, ModelState, ModelWeights, WeightedModel,
};
use inps_pin::strategies::StepWeights;
use inps_pin::testing::{Driver, Observed, Step};
use inps_pin::{Account, CommandKind, Event};
use proptest_state_machine::StateMachineTest;

/// A wrapper that keeps its own copy of the account, applying the events of each outcome:
/// with `FORGETS_RESTORES`, it drops every `RestoreRequested` (the planted bug).
struct Copy<const FORGETS_RESTORES: bool> {
    driver: Driver,
    account: Account,
}

impl<const FORGETS_RESTORES: bool> Copy<FORGETS_RESTORES> {
    fn handle(&mut self, step: &Step) -> Observed {
        let command = self.driver.prepare(step);
        let result = self.account.decide(&command, &mut self.driver.context());
        if let Ok(outcome) = &result {
            for event in &outcome.events {
                if !(FORGETS_RESTORES && matches!(event, Event::RestoreRequested { .. })) {
                    self.account.evolve(event);
                }
            }
            self.driver.learn(outcome);
        }
        Observed::of(&result)
    }
}

/// The test of a [`Copy`] against the model `M`.
struct CopyTest<const FORGETS_RESTORES: bool, M = AccountModel>(std::marker::PhantomData<M>);

impl<const FORGETS_RESTORES: bool, M> StateMachineTest for CopyTest<FORGETS_RESTORES, M>
where
    M: proptest_state_machine::ReferenceStateMachine<State = ModelState, Transition = Step>,
{
    type SystemUnderTest = Copy<FORGETS_RESTORES>;
    type Reference = M;

    fn init_test(reference: &ModelState) -> Copy<FORGETS_RESTORES> {
        Copy {
            driver: reference.driver.clone(),
            account: reference.driver.account.clone(),
        }
    }

    fn apply(
        mut copy: Copy<FORGETS_RESTORES>,
        reference: &ModelState,
        step: Step,
    ) -> Copy<FORGETS_RESTORES> {
        let observed = copy.handle(&step);
        assert_eq!(Some(&observed), reference.last.as_ref());
        copy
    }

    fn check_invariants(copy: &Copy<FORGETS_RESTORES>, reference: &ModelState) {
        assert_eq!(
            copy.account, reference.driver.account,
            "the copy keeps another account than the model"
        );
    }
}

/// The most lines a failure's report may take: the header, a few steps, where it started,
/// where it failed and the first lines of the message.
const MAX_REPORT_LINES: usize = 20;

fn planted_failure() -> Failure {
    match reference_model::check::<CopyTest<true>>(&reference_model::config(64), 1..40) {
        Ok(passed) => panic!("the planted bug went unnoticed in {passed:?}"),
        Err(failure) => failure,
    }
}

/// R23a's restore request, lost by the wrapper: the failure shrinks to the three steps that
/// matter (a request, its first access, a restore: a restore needs contacts a first access
/// proved), from the standard fixture, and the report starts with them.
#[test]
fn r23a_a_wrapper_that_loses_restore_requests_fails_with_the_minimal_case_first() {
    let failure = planted_failure();
    let report = failure.to_string();
    // What a failing suite prints, for `--nocapture`.
    eprintln!("{report}");
    assert!(
        report.starts_with(&format!(
            "minimal failing case: {} steps",
            failure.steps.len()
        )),
        "{report}"
    );
    assert!(failure.steps.len() <= 4, "{report}");
    assert!(failure.first_failing_len >= failure.steps.len(), "{report}");
    let kinds: Vec<CommandKind> = failure.steps.iter().map(|step| step.act.kind()).collect();
    assert_eq!(kinds.last(), Some(&CommandKind::Restore), "{report}");
    assert!(kinds.contains(&CommandKind::RequestPin), "{report}");
    assert!(kinds.contains(&CommandKind::FirstAccess), "{report}");
    // The steps come right after the header, one a line.
    for (n, (line, step)) in report.lines().skip(1).zip(&failure.steps).enumerate() {
        assert_eq!(line, format!("  {}. {step:?}", n + 1));
    }
    // From the standard fixture: the generated people and clock shrank to it.
    assert!(
        report.contains("from: the standard cast (Cast::mario), at 2026-11-24T09:00:00Z, the cheap default policy"),
        "{report}"
    );
    // Where it failed, and short: the accounts' long debug output is cut.
    let location = failure.location.as_deref().unwrap_or_default();
    assert!(location.contains("reference_model_failures.rs"), "{report}");
    assert!(
        report.contains("the copy keeps another account than the model"),
        "{report}"
    );
    assert!(report.lines().count() <= MAX_REPORT_LINES, "{report}");
    assert!(
        report.lines().all(|line| line.chars().count() <= 250),
        "{report}"
    );
    // `Debug` reads the same, so that `unwrap` prints the minimal case first too.
    assert_eq!(format!("{failure:?}"), report);
}

/// The run is deterministic (R26: the seed is the caller's): the same configuration finds the
/// same minimal case.
#[test]
fn r26_the_same_configuration_shrinks_to_the_same_case() {
    assert_eq!(planted_failure().steps, planted_failure().steps);
}

/// Everything but restores, so the planted bug has nothing to lose.
struct NoRestore;

impl ModelWeights for NoRestore {
    fn weights() -> StepWeights {
        StepWeights::default().without(CommandKind::Restore)
    }
}

/// Weighted steps leave out what they weigh 0: without restores, the wrapper that loses them
/// passes, and no step played was a restore.
#[test]
fn r23a_steps_weighted_without_restores_play_none() {
    let passed = reference_model::run::<CopyTest<true, WeightedModel<NoRestore>>>(
        &reference_model::config(32),
        1..40,
    );
    assert!(passed.sequences >= 32 && passed.steps > 0, "{passed:?}");
    // And the faithful copy passes the standard model.
    reference_model::run::<CopyTest<false>>(&reference_model::config(16), 1..40);
}
