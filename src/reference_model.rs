//! A reference model of an account (feature `proptest`), on `proptest-state-machine`: its
//! state is a [`Driver`] (an [`Account`](crate::Account) with its clock, policy, generator and
//! the codes delivered so far) and its transitions are the [`Step`]s of [`crate::strategies`].
//!
//! A user's suite runs it against their own wrapper (their storage layer, their HTTP service)
//! with a `StateMachineTest`: the wrapper gets each step, prepares the command with its own
//! copy of the driver ([`Driver::prepare`]), handles it its own way, hands the outcome back
//! ([`Driver::learn`]), and checks that it behaves like the account: the same reply or refusal
//! ([`ModelState::last`]), the same account ([`ModelState::driver`]). The generator is seeded,
//! so the wrapper's outcomes are the model's byte for byte when the wrapper is right.
//!
//! [`check`] and [`run`] play a suite with [`config`]: a failure is shrunk to its few
//! relevant steps ([`MAX_SHRINK_ITERS`]), the panics of the shrinking print nothing, and the
//! report starts with the minimal case, one step a line, then where it started and the first
//! lines of the failure ([`Failure`]). The generated people and clock shrink towards the
//! standard fixture ([`strategies::driver`]), so a minimal case names Mario at
//! [`START`](crate::testing::START) unless they matter. [`WeightedModel`] draws the steps with
//! other [`StepWeights`].
//!
//! A wrapper that keeps only the events, as JSON, and replays them to load the account:
//!
//! ```
//! use inps_pin::reference_model::{self, AccountModel, ModelState};
//! use inps_pin::testing::{Driver, Observed, Step};
//! use inps_pin::{Account, Event, StoredEvent};
//! use proptest_state_machine::StateMachineTest;
//!
//! /// The system under test: an event log, and the driver that supplies the clock, the
//! /// generator and the codes to type.
//! struct EventLog {
//!     driver: Driver,
//!     stored: Vec<String>,
//! }
//!
//! impl EventLog {
//!     fn load(&self) -> Account {
//!         let events: Vec<Event> = self
//!             .stored
//!             .iter()
//!             .map(|json| serde_json::from_str::<StoredEvent>(json).unwrap().into_event())
//!             .collect();
//!         Account::replay(self.driver.account.codice_fiscale(), &events)
//!     }
//! }
//!
//! struct EventLogTest;
//!
//! impl StateMachineTest for EventLogTest {
//!     type SystemUnderTest = EventLog;
//!     type Reference = AccountModel;
//!
//!     fn init_test(reference: &ModelState) -> EventLog {
//!         EventLog { driver: reference.driver.clone(), stored: Vec::new() }
//!     }
//!
//!     fn apply(mut log: EventLog, reference: &ModelState, step: Step) -> EventLog {
//!         let command = log.driver.prepare(&step);
//!         let account = log.load();
//!         let result = account.decide(&command, &mut log.driver.context());
//!         if let Ok(outcome) = &result {
//!             for event in &outcome.events {
//!                 let stored = StoredEvent::new(event.clone());
//!                 log.stored.push(serde_json::to_string(&stored).unwrap());
//!             }
//!             log.driver.learn(outcome);
//!         }
//!         // The wrapper answers as the account does, and keeps what the account keeps.
//!         assert_eq!(Some(&Observed::of(&result)), reference.last.as_ref());
//!         assert_eq!(log.load(), reference.driver.account);
//!         log
//!     }
//! }
//!
//! // In a test file, the body of a `#[test]`: the minimal failing case is printed first,
//! // and the panics of the shrinking are kept quiet.
//! let passed = reference_model::run::<EventLogTest>(&reference_model::config(8), 1..40);
//! assert!(passed.sequences >= 8);
//! ```

use core::fmt;
use core::marker::PhantomData;
use core::ops::Range;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

use crate::Phase;
use crate::strategies::{self, StepWeights};
use crate::testing::{Act, Applicant, Cast, Contacts, Driver, Entry, Observed, Step, Via, Wait};

/// The reference model: [`ReferenceStateMachine`] over [`ModelState`] and [`Step`], with the
/// steps in the mix of [`StepWeights::default`]. [`WeightedModel`] takes other weights.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountModel;

/// The model's state: the driver after the steps so far, and what the last step did.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelState {
    /// The account, its clock, policy and generator, and the codes delivered.
    pub driver: Driver,
    /// What the last step did (reply or refusal, events); `None` before the first.
    pub last: Option<Observed>,
}

impl ModelState {
    /// The phase of the account at the model's clock.
    #[must_use]
    pub fn phase(&self) -> Phase {
        self.driver
            .account
            .phase(self.driver.now, &self.driver.policy)
    }
}

/// A fresh model state: [`strategies::driver`], whose simplest value is the standard fixture.
fn init_state() -> BoxedStrategy<ModelState> {
    strategies::driver()
        .prop_map(|driver| ModelState { driver, last: None })
        .boxed()
}

/// Any step `weights` allows, with a push towards what moves the account on from its phase
/// (a request when it has no PIN, the first access when one waits, a renewal when due, a
/// restore when blocked, the clock run to the deadline when active), so that sequences reach
/// the far phases. The push is left out when `weights` leaves its kind out.
fn transitions(state: &ModelState, weights: &StepWeights) -> BoxedStrategy<Step> {
    let onward = |act| Step {
        wait: Wait::Seconds(60),
        act,
    };
    let next = match state.phase() {
        Phase::NoPin | Phase::FirstPinLapsed => onward(Act::Request(Applicant::Owner, Via::Online)),
        Phase::AwaitingFirstAccess => onward(Act::FirstAccess {
            entry: Entry::Right16,
            trust_device: true,
        }),
        // Towards the warning and the expiry.
        Phase::Active => Step {
            wait: Wait::ToDeadline,
            act: Act::Tick,
        },
        Phase::ExpiringSoon | Phase::Expired => onward(Act::Renew {
            entry: Entry::Right8,
            device: true,
        }),
        Phase::Blocked => onward(Act::Restore(Contacts::Registered)),
        _ => onward(Act::Tick),
    };
    if *weights == StepWeights::default() {
        // The standard mix: `strategies::step`, whose weights `StepWeights::default` gives.
        return prop_oneof![
            2 => Just(next),
            5 => strategies::step(),
        ]
        .boxed();
    }
    if weights.weight(next.act.kind()) == 0 {
        return strategies::step_with(weights);
    }
    prop_oneof![
        2 => Just(next),
        5 => strategies::step_with(weights),
    ]
    .boxed()
}

impl ReferenceStateMachine for AccountModel {
    type State = ModelState;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<ModelState> {
        init_state()
    }

    /// Any step, with a push towards what moves the account on from its phase (a request
    /// when it has no PIN, the first access when one waits, a renewal when due, a restore when
    /// blocked, the clock run to the deadline when active), so that sequences reach the far phases.
    fn transitions(state: &ModelState) -> BoxedStrategy<Step> {
        transitions(state, &StepWeights::default())
    }

    fn apply(mut state: ModelState, step: &Step) -> ModelState {
        state.last = Some(state.driver.play(step));
        state
    }
}

/// The weights a [`WeightedModel`] draws its steps with: a type, because a
/// [`ReferenceStateMachine`]'s strategies take no value.
pub trait ModelWeights: 'static {
    /// The weights of the steps.
    fn weights() -> StepWeights;
}

/// The reference model with the steps weighted by `W` (module docs: a suite of logins and
/// restores only, say). It behaves as [`AccountModel`] in every other way.
///
/// ```
/// use inps_pin::CommandKind;
/// use inps_pin::reference_model::{ModelWeights, WeightedModel};
/// use inps_pin::strategies::StepWeights;
///
/// /// Everything but erasure.
/// struct NoErasure;
/// impl ModelWeights for NoErasure {
///     fn weights() -> StepWeights {
///         StepWeights::default().without(CommandKind::Erase)
///     }
/// }
/// type Model = WeightedModel<NoErasure>; // `type Reference = Model;` in a StateMachineTest
/// ```
pub struct WeightedModel<W>(PhantomData<fn() -> W>);

impl<W> fmt::Debug for WeightedModel<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WeightedModel")
    }
}

impl<W: ModelWeights> ReferenceStateMachine for WeightedModel<W> {
    type State = ModelState;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<ModelState> {
        init_state()
    }

    fn transitions(state: &ModelState) -> BoxedStrategy<Step> {
        transitions(state, &W::weights())
    }

    fn apply(mut state: ModelState, step: &Step) -> ModelState {
        state.last = Some(state.driver.play(step));
        state
    }
}

// ---------------------------------------------------------------------------------------------
// Running a suite: the configuration, and failures that read at a glance

/// How many times a failing case is shrunk at most by [`config`]: enough for a sequence of
/// a hundred steps to lose every step that does not matter, and shrink the rest.
pub const MAX_SHRINK_ITERS: u32 = 4_096;

/// A runner configuration for suites on the reference model: `cases` sequences, from a fixed
/// seed (the same sequences every run, as the crate's own suites), no file of past failures
/// (a run is reproduced by its seed), quiet (`verbose` 0), and [`MAX_SHRINK_ITERS`] shrink
/// iterations (proptest's default is four per case, too few for a sequence of steps to shrink
/// to the few that matter). Change any field as usual: `Config { rng_seed: RngSeed::Random,
/// ..config(256) }`.
#[must_use]
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x1A5_2026),
        max_shrink_iters: MAX_SHRINK_ITERS,
        verbose: 0,
        ..Config::default()
    }
}

/// What a passing [`check`] played.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Passed {
    /// Sequences played, shrinking included.
    pub sequences: u32,
    /// Steps played in all.
    pub steps: usize,
}

/// A failing case of [`check`], shrunk. `Display` (and `Debug`, so that `unwrap` reads the
/// same) starts with the minimal case, one step a line, then where the run started and the
/// first lines of the failure; [`Failure::message`] holds the whole failure message.
#[derive(Clone, PartialEq)]
pub struct Failure {
    /// The shrunk steps, in order.
    pub steps: Vec<Step>,
    /// The state the shrunk case started from; `None` when the run stopped without a case
    /// (too many rejected values).
    pub start: Option<Box<ModelState>>,
    /// The whole failure message (a panic's payload, or proptest's reason).
    pub message: String,
    /// Where the failing assertion panicked, as `file:line`, if it was a panic.
    pub location: Option<String>,
    /// How many steps the first failing case had, before shrinking.
    pub first_failing_len: usize,
    /// Sequences played in all, shrinking included.
    pub sequences: u32,
}

/// The most lines of the failure message that [`Failure`]'s `Display` shows.
const MESSAGE_LINES: usize = 6;
/// The most characters of a line of the failure message that `Display` shows.
const LINE_CHARS: usize = 240;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "minimal failing case: {} step{} (shrunk from {}, {} sequences played)",
            self.steps.len(),
            if self.steps.len() == 1 { "" } else { "s" },
            self.first_failing_len,
            self.sequences,
        )?;
        for (i, step) in self.steps.iter().enumerate() {
            writeln!(f, "  {}. {:?}", i + 1, step)?;
        }
        match &self.start {
            Some(start) => writeln!(f, "from: {}", start_summary(&start.driver))?,
            None => writeln!(f, "from: no case (the run stopped before one failed)")?,
        }
        match &self.location {
            Some(at) => writeln!(f, "failed at {at}:")?,
            None => writeln!(f, "failed:")?,
        }
        let lines: Vec<&str> = self.message.lines().collect();
        for line in lines.iter().take(MESSAGE_LINES) {
            match line.char_indices().nth(LINE_CHARS) {
                Some((cut, _)) => writeln!(f, "  {}…", line.get(..cut).unwrap_or(line))?,
                None => writeln!(f, "  {line}")?,
            }
        }
        if lines.len() > MESSAGE_LINES {
            writeln!(
                f,
                "  … {} more lines in Failure::message",
                lines.len() - MESSAGE_LINES
            )?;
        }
        Ok(())
    }
}

/// Who, when and under which policy a case starts, in a line.
fn start_summary(driver: &Driver) -> String {
    let cast = match (Cast::mario(), Cast::intermediary()) {
        (Ok(mario), _) if mario == driver.cast => "the standard cast (Cast::mario)".to_owned(),
        (_, Ok(fabio)) if fabio == driver.cast => {
            "the intermediary's cast (Cast::intermediary)".to_owned()
        }
        _ => format!(
            "owner {} ({:?}), stranger {}",
            driver.cast.owner.codice_fiscale(),
            driver.cast.owner.role(),
            driver.cast.stranger.codice_fiscale()
        ),
    };
    let policy = if driver.policy == crate::testing::cheap_policy() {
        "the cheap default policy"
    } else if driver.policy.sunset.is_some() {
        "the cheap policy with INPS's sunset"
    } else {
        "a policy of its own"
    };
    format!("{cast}, at {}, {policy}", driver.now)
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Failure {}

thread_local! {
    /// Whether this thread's panics are being caught by [`check`], to print nothing.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where this thread's last quiet panic happened.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that stays silent on a thread inside [`check`] (noting where
/// the panic happened) and hands every other panic to the hook that was there before. The
/// shrinking of one failure runs the test hundreds of times, and each run's panic would
/// otherwise print its message and location.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.try_with(Cell::get).unwrap_or(false) {
                let at = info
                    .location()
                    .map(|at| format!("{}:{}", at.file(), at.line()));
                let _ = LAST_PANIC.try_with(|last| *last.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Turns quiet panics off again when [`check`] returns or unwinds.
struct Quiet;

impl Quiet {
    fn on() -> Quiet {
        install_quiet_hook();
        QUIET.with(|quiet| quiet.set(true));
        Quiet
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        let _ = QUIET.try_with(|quiet| quiet.set(false));
    }
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs the state-machine test `T` against the reference model `T::Reference` (an
/// [`AccountModel`] or a [`WeightedModel`]) with `config` (see [`config`]), on sequences of
/// `steps` steps. A failure is shrunk, with the panics of the shrinking kept quiet, and
/// returned as a [`Failure`] whose message starts with the minimal case.
///
/// In a test: `if let Err(failure) = check::<MyTest>(&config(256), 1..40) { panic!("{failure}") }`.
///
/// # Errors
/// The [`Failure`], shrunk, when a sequence fails.
pub fn check<T>(config: &Config, steps: Range<usize>) -> Result<Passed, Failure>
where
    T: StateMachineTest,
    T::Reference: ReferenceStateMachine<State = ModelState, Transition = Step>,
{
    let _quiet = Quiet::on();
    let sequences = Cell::new(0u32);
    let played = Cell::new(0usize);
    let first_failing_len = Cell::new(None::<usize>);
    let location = RefCell::new(None::<String>);
    let mut runner = TestRunner::new(config.clone());
    let result = runner.run(
        &<T::Reference as ReferenceStateMachine>::sequential_strategy(steps),
        |(initial, transitions, seen)| {
            sequences.set(sequences.get() + 1);
            played.set(played.get() + transitions.len());
            let len = transitions.len();
            let config = config.clone();
            let run = catch_unwind(AssertUnwindSafe(|| {
                T::test_sequential(config, initial, transitions, seen);
            }));
            match run {
                Ok(()) => Ok(()),
                Err(payload) => {
                    if first_failing_len.get().is_none() {
                        first_failing_len.set(Some(len));
                    }
                    *location.borrow_mut() = LAST_PANIC.with(|last| last.borrow_mut().take());
                    Err(TestCaseError::fail(panic_text(payload.as_ref())))
                }
            }
        },
    );
    match result {
        Ok(()) => Ok(Passed {
            sequences: sequences.get(),
            steps: played.get(),
        }),
        Err(error) => {
            let (message, value) = match error {
                TestError::Fail(why, value) => (why.to_string(), Some(value)),
                TestError::Abort(why) => (why.to_string(), None),
            };
            let (start, steps) = match value {
                Some((start, steps, _)) => (Some(Box::new(start)), steps),
                None => (None, Vec::new()),
            };
            Err(Failure {
                first_failing_len: first_failing_len.get().unwrap_or(steps.len()),
                steps,
                start,
                message,
                location: location.into_inner(),
                sequences: sequences.get(),
            })
        }
    }
}

/// [`check`], panicking with the [`Failure`]'s message (the minimal case first) when a
/// sequence fails: the body of a `#[test]`.
///
/// # Panics
/// When a sequence fails, with the shrunk case.
#[allow(clippy::panic)] // a test's failure
#[allow(clippy::must_use_candidate)] // called for its panic; the counts are there if wanted
pub fn run<T>(config: &Config, steps: Range<usize>) -> Passed
where
    T: StateMachineTest,
    T::Reference: ReferenceStateMachine<State = ModelState, Transition = Step>,
{
    match check::<T>(config, steps) {
        Ok(passed) => passed,
        Err(failure) => panic!("{failure}"),
    }
}
