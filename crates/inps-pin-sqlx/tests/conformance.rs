//! The conformance suite: `inps-pin`'s reference model (feature `proptest`) against this
//! crate's store, as a service uses it: load the account (its cached
//! row, or a replay of its events), decide, and commit the events, the cache, the next
//! deadline and the outbox rows in one transaction whose events' primary key is the
//! compare-and-swap. The wrapper decides with the model's clock and seeded generator, so its
//! outcomes are the model's byte for byte when the storage is right.
//!
//! After every step: it answers as the account does; a refusal (or a step with nothing to
//! record) writes no row (R27); what the store loads, and what it replays from the events
//! alone, is the model's account, and the stored deadline is the account's (R29, R32). At the
//! end of every sequence the stored events are the model's (those before an erasure without
//! their person's data, R36), and a writer that read an older
//! version loses the compare-and-swap and writes nothing.
//!
//! On SQLite in a temporary directory; on PostgreSQL too, in a throwaway cluster
//! ([`inps_pin_sqlx::testing`]).

use std::cell::RefCell;
use std::rc::Rc;

use inps_pin::rand_core::SeedableRng;
use inps_pin::reference_model::{AccountModel, ModelState};
use inps_pin::testing::{Driver, Observed, Step};
use inps_pin::{Account, CodiceFiscale, Effect, EndSessions, Event};
use inps_pin_sqlx::testing::{self as postgres, Scratch};
use inps_pin_sqlx::{
    Commit, NewOutboxRow, OutboxKey, OutboxKeys, OutboxMessage, Store, Write, deadline_millis,
};
use proptest::test_runner::{Config, RngSeed, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};
use rand_chacha::ChaCha20Rng;
use sqlx::{AnyPool, Row};
use tokio::runtime::Runtime;

/// Sequences per database; `INPS_PIN_CONFORMANCE_SEQUENCES` overrides it. Every step is a few
/// transactions on a real database, so far fewer than the in-memory wrapper's 10,000.
const SEQUENCES: u32 = 100;

/// One database and the runtime that drives it, shared by the sequences of one test (each
/// sequence starts from empty tables).
struct Database {
    runtime: Runtime,
    store: Store,
    /// A second pool on the same database, for what the store has no method for: emptying
    /// the tables between sequences and counting rows.
    raw: AnyPool,
}

thread_local! {
    /// The database of the test running on this thread (`init_test` has no other way in).
    static DATABASE: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

impl Database {
    fn connect(url: &str) -> Rc<Database> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (store, raw) = runtime.block_on(async {
            let options = inps_pin_sqlx::StoreOptions {
                max_connections: 2,
                ..inps_pin_sqlx::StoreOptions::default()
            };
            let store = Store::connect_with(url, &options, personal_keys())
                .await
                .unwrap();
            let raw = AnyPool::connect(url).await.unwrap();
            (store, raw)
        });
        Rc::new(Database {
            runtime,
            store,
            raw,
        })
    }

    fn empty(&self) {
        self.runtime.block_on(async {
            for table in ["events", "accounts", "outbox", "sessions"] {
                sqlx::query(&format!("DELETE FROM {table}"))
                    .execute(&self.raw)
                    .await
                    .unwrap();
            }
            // On SQLite the person keys are in the file the store's connections attach.
            sqlx::query("DELETE FROM person_keys")
                .execute(self.store.pool())
                .await
                .unwrap();
        });
    }

    /// Every row of an account that a command writes, as text: what a refusal must leave
    /// alone.
    fn rows(&self, codice_fiscale: CodiceFiscale) -> Vec<String> {
        let cf = codice_fiscale.as_str().to_owned();
        self.runtime.block_on(async {
            let mut rows = Vec::new();
            for row in sqlx::query(
                "SELECT version, event FROM events WHERE codice_fiscale = $1 ORDER BY version",
            )
            .bind(cf.clone())
            .fetch_all(&self.raw)
            .await
            .unwrap()
            {
                let version: i64 = row.try_get(0).unwrap();
                let event: String = row.try_get(1).unwrap();
                rows.push(format!("event {version}: {event}"));
            }
            for row in sqlx::query(
                "SELECT version, snapshot, next_deadline FROM accounts WHERE codice_fiscale = $1",
            )
            .bind(cf.clone())
            .fetch_all(&self.raw)
            .await
            .unwrap()
            {
                let version: i64 = row.try_get(0).unwrap();
                let snapshot: Vec<u8> = row.try_get(1).unwrap();
                let deadline: Option<i64> = row.try_get(2).unwrap();
                rows.push(format!("account {version}: {snapshot:?} {deadline:?}"));
            }
            for row in sqlx::query(
                "SELECT version, seq, kind, description FROM outbox
                 WHERE codice_fiscale = $1 ORDER BY version, seq",
            )
            .bind(cf.clone())
            .fetch_all(&self.raw)
            .await
            .unwrap()
            {
                let version: i64 = row.try_get(0).unwrap();
                let seq: i64 = row.try_get(1).unwrap();
                let kind: String = row.try_get(2).unwrap();
                let description: String = row.try_get(3).unwrap();
                rows.push(format!("outbox {version}-{seq}: {kind} {description}"));
            }
            rows
        })
    }
}

/// The wrapper under test: the service's storage, and the driver that supplies the clock, the
/// generator and the codes to type.
struct Service {
    database: Rc<Database>,
    driver: Driver,
}

impl Service {
    fn codice_fiscale(&self) -> CodiceFiscale {
        self.driver.account.codice_fiscale()
    }

    fn load(&self) -> Account {
        let database = &self.database;
        database
            .runtime
            .block_on(database.store.load(self.codice_fiscale()))
            .unwrap()
    }

    /// One command as the service runs it: load, decide, commit what it changed.
    fn handle(&mut self, step: &Step) -> Observed {
        let command = self.driver.prepare(step);
        let read = self.load();
        let now = self.driver.now;
        let result = read.decide(&command, &mut self.driver.context());
        let observed = Observed::of(&result);
        if let Ok(mut outcome) = result {
            self.driver.learn(&outcome);
            let mut next = read.clone();
            for event in &outcome.events {
                next.evolve(event);
            }
            let (outbox, end_sessions) = outbox_rows(
                next.codice_fiscale(),
                next.version(),
                std::mem::take(&mut outcome.effects),
            );
            if !outcome.events.is_empty() {
                let database = &self.database;
                let commit = database
                    .runtime
                    .block_on(database.store.commit(&[Write {
                        read: &read,
                        next: &next,
                        events: &outcome.events,
                        next_deadline: next.poll_deadline(&self.driver.policy),
                        outbox: &outbox,
                        end_sessions: end_sessions.as_ref(),
                        new_session: None,
                        person_key: None,
                        now,
                    }]))
                    .unwrap();
                assert_eq!(commit, Commit::Written, "nobody else writes this account");
            }
        }
        observed
    }
}

/// The outbox rows of a command's effects, as a service writes them (every delivery that is
/// not shown in the reply, in its outbox form, and every notification, sealed), and the
/// sessions it ends.
fn outbox_rows(
    codice_fiscale: CodiceFiscale,
    version: u64,
    effects: Vec<Effect>,
) -> (Vec<NewOutboxRow>, Option<EndSessions>) {
    let keys = OutboxKeys::new(OutboxKey::from_hex("conformance", &"5a".repeat(32)).unwrap());
    let mut rng = ChaCha20Rng::seed_from_u64(version);
    let mut rows = Vec::new();
    let mut end = None;
    for effect in effects {
        let message = match effect {
            Effect::Deliver(delivery) if delivery.is_for_the_reply() => continue,
            Effect::Deliver(delivery) => OutboxMessage::Delivery(delivery.into_outbox().unwrap()),
            Effect::Notify(notification) => OutboxMessage::Notice(notification),
            Effect::EndSessions(ends) => {
                end = Some(ends);
                continue;
            }
            _ => continue,
        };
        let seq = u32::try_from(rows.len()).unwrap();
        rows.push(
            NewOutboxRow::seal(&keys, codice_fiscale, version, seq, &message, &mut rng).unwrap(),
        );
    }
    (rows, end)
}

struct ServiceTest;

impl StateMachineTest for ServiceTest {
    type SystemUnderTest = Service;
    type Reference = AccountModel;

    fn init_test(reference: &ModelState) -> Service {
        let database = DATABASE.with(|database| database.borrow().clone());
        let database = database.expect("the test sets the database first");
        database.empty();
        Service {
            database,
            driver: reference.driver.clone(),
        }
    }

    fn apply(mut service: Service, reference: &ModelState, step: Step) -> Service {
        let rows_before = service.database.rows(service.codice_fiscale());
        let observed = service.handle(&step);
        assert_eq!(Some(&observed), reference.last.as_ref(), "step {step:?}");
        if observed.result.is_err() || observed.events.is_empty() {
            // R27: a refusal (or a step with nothing to record) writes nothing.
            assert_eq!(
                service.database.rows(service.codice_fiscale()),
                rows_before,
                "step {step:?}"
            );
        }
        service
    }

    fn check_invariants(service: &Service, reference: &ModelState) {
        let model = &reference.driver.account;
        let database = &service.database;
        let cf = service.codice_fiscale();
        // What the service loads (its cache) and what it rebuilds from the events alone are
        // both the model's account (R29, R32).
        assert_eq!(&service.load(), model);
        let replayed = database
            .runtime
            .block_on(database.store.replay(cf))
            .unwrap();
        assert_eq!(&replayed, model);
        // The ticker finds the account at the model's deadline; a fresh account has no row.
        let stored = database
            .runtime
            .block_on(database.store.next_deadline(cf))
            .unwrap();
        let expected = model
            .poll_deadline(&reference.driver.policy)
            .map(deadline_millis);
        if model.version() > 0 {
            assert_eq!(stored, expected);
        } else {
            assert_eq!(stored, None);
        }
    }

    fn teardown(service: Service, reference: ModelState) {
        let database = &service.database;
        let cf = service.codice_fiscale();
        let events = database
            .runtime
            .block_on(database.store.events(cf))
            .unwrap();
        assert_eq!(events, as_stored(&reference.driver.events));
        // A writer that read the account before its first event, and appends that event
        // again, loses the compare-and-swap and writes nothing.
        if let Some(first) = events.first() {
            let stale = Account::new(cf);
            let mut next = stale.clone();
            next.evolve(first);
            let rows_before = database.rows(cf);
            let commit = database
                .runtime
                .block_on(database.store.commit(&[Write {
                    read: &stale,
                    next: &next,
                    events: std::slice::from_ref(first),
                    next_deadline: None,
                    outbox: &[],
                    end_sessions: None,
                    new_session: None,
                    person_key: None,
                    now: service.driver.now,
                }]))
                .unwrap();
            assert_eq!(commit, Commit::LostRace);
            assert_eq!(database.rows(cf), rows_before);
        }
    }
}

/// The events as the store gives them back (R36): those before the last erasure are their
/// facts alone, their person's data destroyed with the person's key.
fn as_stored(events: &[Event]) -> Vec<Event> {
    let erased = events
        .iter()
        .rposition(|event| matches!(event, Event::PersonalDataErased { .. }))
        .unwrap_or(0);
    events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            if index < erased {
                event.clone().split().0
            } else {
                event.clone()
            }
        })
        .collect()
}

/// The master key the person keys are wrapped under.
fn personal_keys() -> inps_pin_sqlx::PersonalDataKeys {
    inps_pin_sqlx::PersonalDataKeys::new(
        inps_pin_sqlx::PersonalDataKey::from_hex("conformance", &"5a".repeat(32)).unwrap(),
    )
}

fn sequences() -> u32 {
    std::env::var("INPS_PIN_CONFORMANCE_SEQUENCES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SEQUENCES)
}

/// Runs the model's random sequences against the store at `url`; returns how many ran.
fn run_against(url: &str) -> (u32, usize) {
    DATABASE.with(|database| *database.borrow_mut() = Some(Database::connect(url)));
    let cases = sequences();
    let config = Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x5E_2026),
        ..Config::default()
    };
    let played = std::cell::Cell::new(0u32);
    let steps = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(config.clone());
    let result = runner.run(
        &AccountModel::sequential_strategy(1..40),
        |(initial, transitions, seen)| {
            played.set(played.get() + 1);
            steps.set(steps.get() + transitions.len());
            ServiceTest::test_sequential(config.clone(), initial, transitions, seen);
            Ok(())
        },
    );
    DATABASE.with(|database| *database.borrow_mut() = None);
    if let Err(error) = result {
        panic!("{error}");
    }
    assert!(played.get() >= cases, "{} of {cases}", played.get());
    (played.get(), steps.get())
}

#[test]
fn r27_r29_r32_the_store_on_sqlite_behaves_like_the_reference_model() {
    let dir = Scratch::new("conformance", "sqlite");
    let (played, steps) = run_against(&dir.sqlite_url("store.db"));
    println!(
        "reference model: {played} random command sequences ({steps} steps) against the store on SQLite"
    );
}

#[test]
fn r27_r29_r32_the_store_on_postgres_behaves_like_the_reference_model() {
    let Some(server) = postgres::server() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = runtime.block_on(postgres::database(
        &server.url(),
        "inps_pin_reference_model",
    ));
    drop(runtime);
    let (played, steps) = run_against(&url);
    println!(
        "reference model: {played} random command sequences ({steps} steps) against the store on PostgreSQL"
    );
}
