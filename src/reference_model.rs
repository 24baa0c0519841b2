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
//! A wrapper that keeps only the events, as JSON, and replays them to load the account:
//!
//! ```
//! use inps_pin::reference_model::{AccountModel, ModelState};
//! use inps_pin::testing::{Driver, Observed, Step};
//! use inps_pin::{Account, Event, StoredEvent};
//! use proptest::test_runner::{Config, TestRunner};
//! use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};
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
//! // In a test file: `prop_state_machine! { #[test] fn event_log(sequential 1..40 => EventLogTest); }`
//! let mut runner = TestRunner::new(Config::with_cases(8));
//! runner
//!     .run(&AccountModel::sequential_strategy(1..40), |(initial, steps, seen)| {
//!         EventLogTest::test_sequential(Config::default(), initial, steps, seen);
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

use proptest::prelude::*;
use proptest_state_machine::ReferenceStateMachine;

use crate::Phase;
use crate::strategies;
use crate::testing::{Act, Applicant, Contacts, Driver, Entry, Observed, Step, Via, Wait};

/// The reference model: [`ReferenceStateMachine`] over [`ModelState`] and [`Step`].
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

impl ReferenceStateMachine for AccountModel {
    type State = ModelState;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<ModelState> {
        strategies::driver()
            .prop_map(|driver| ModelState { driver, last: None })
            .boxed()
    }

    /// Any step, with a push towards what moves the account on from its phase (a request
    /// when it has no PIN, the first access when one waits, a renewal when due, a restore when
    /// blocked, the clock run to the deadline when active), so that sequences reach the far phases.
    fn transitions(state: &ModelState) -> BoxedStrategy<Step> {
        let onward = |act| Step {
            wait: Wait::Seconds(60),
            act,
        };
        let next = match state.phase() {
            Phase::NoPin | Phase::FirstPinLapsed => {
                onward(Act::Request(Applicant::Owner, Via::Online))
            }
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
        prop_oneof![
            2 => Just(next),
            5 => strategies::step(),
        ]
        .boxed()
    }

    fn apply(mut state: ModelState, step: &Step) -> ModelState {
        state.last = Some(state.driver.play(step));
        state
    }
}
