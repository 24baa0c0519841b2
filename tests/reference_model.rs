//! The reference model (feature `proptest`) against the crate's own storage
//! wrapper: a store that keeps the events as postcard bytes and the account as a JSON cache,
//! updated by compare-and-swap on the version (R29, R32). After every step it answers as the
//! account does, a refusal leaves every stored byte as it was (R27), the cache is the model's
//! account and its version counts the events; at the end of every sequence, replaying the
//! stored events gives the cached account.
//!
//! It runs [`SEQUENCES`] random sequences per run and prints the count: with the lifecycle
//! properties of `tests/properties*.rs` (about 2,000), the suite plays well over 10,000
//! random command sequences in all.
#![cfg(feature = "proptest")]

use inps_pin::reference_model::{self, AccountModel, ModelState};
use inps_pin::testing::{Driver, Observed, Step};
use inps_pin::{Account, Event, StoredEvent};
use proptest_state_machine::StateMachineTest;

/// Sequences per run; `INPS_PIN_SEQUENCES` overrides it (a longer campaign, a quick check).
const SEQUENCES: u32 = 10_000;

/// The wrapper under test: what a service keeps in its database.
struct Store {
    driver: Driver,
    /// The events, as postcard bytes of their stored (format-versioned) form.
    events: Vec<Vec<u8>>,
    /// The account cache, as JSON.
    cache: String,
}

impl Store {
    fn events(&self) -> Vec<Event> {
        self.events
            .iter()
            .map(|bytes| {
                postcard::from_bytes::<StoredEvent>(bytes)
                    .unwrap()
                    .into_event()
            })
            .collect()
    }

    fn cached(&self) -> Account {
        serde_json::from_str(&self.cache).unwrap()
    }

    /// Loads the cache, decides, and appends the events and the new cache only if the
    /// version read is still the stored one (compare-and-swap).
    fn handle(&mut self, step: &Step) -> Observed {
        let command = self.driver.prepare(step);
        let account = self.cached();
        let read_version = account.version();
        let result = account.decide(&command, &mut self.driver.context());
        if let Ok(outcome) = &result {
            assert_eq!(read_version, self.events.len() as u64, "compare-and-swap");
            let mut updated = account.clone();
            for event in &outcome.events {
                updated.evolve(event);
                self.events
                    .push(postcard::to_allocvec(&StoredEvent::new(event.clone())).unwrap());
            }
            self.cache = serde_json::to_string(&updated).unwrap();
            self.driver.learn(outcome);
        }
        Observed::of(&result)
    }
}

struct StoreTest;

impl StateMachineTest for StoreTest {
    type SystemUnderTest = Store;
    type Reference = AccountModel;

    fn init_test(reference: &ModelState) -> Store {
        let driver = reference.driver.clone();
        let cache = serde_json::to_string(&driver.account).unwrap();
        Store {
            driver,
            events: Vec::new(),
            cache,
        }
    }

    fn apply(mut store: Store, reference: &ModelState, step: Step) -> Store {
        let (events_before, cache_before) = (store.events.clone(), store.cache.clone());
        let observed = store.handle(&step);
        assert_eq!(Some(&observed), reference.last.as_ref(), "step {step:?}");
        if observed.result.is_err() || observed.events.is_empty() {
            // R27: a refusal (or a step with nothing to record) writes nothing.
            assert_eq!(store.events, events_before, "step {step:?}");
            assert_eq!(store.cache, cache_before, "step {step:?}");
        }
        store
    }

    fn check_invariants(store: &Store, reference: &ModelState) {
        let cached = store.cached();
        // R29: the version counts the events. The wrapper keeps what the model's account
        // keeps.
        assert_eq!(cached.version(), store.events.len() as u64);
        assert_eq!(cached, reference.driver.account);
    }

    fn teardown(store: Store, reference: ModelState) {
        // R29 at the end of the sequence (once, not at every step: the stored events are read
        // back whole): replaying them gives the cache, and they are the model's.
        let cached = store.cached();
        let events = store.events();
        assert_eq!(Account::replay(cached.codice_fiscale(), &events), cached);
        assert_eq!(events, reference.driver.events);
    }
}

fn sequences() -> u32 {
    std::env::var("INPS_PIN_SEQUENCES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SEQUENCES)
}

#[test]
fn r27_r29_r32_a_storage_wrapper_behaves_like_the_reference_model() {
    let cases = sequences();
    // A failure is shrunk quietly and reported with the minimal case first.
    let passed = reference_model::run::<StoreTest>(&reference_model::config(cases), 1..40);
    // Counted by the property itself (shrinking included), so the count is what ran.
    assert!(passed.sequences >= cases, "{} of {cases}", passed.sequences);
    println!(
        "reference model: {} random command sequences ({} steps) against the storage wrapper",
        passed.sequences, passed.steps
    );
}
