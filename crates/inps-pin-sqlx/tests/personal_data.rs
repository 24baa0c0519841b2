//! R36 in the store: the person's data sealed under a key of their own, the key wrapped under
//! the master keys; a rotation of the master key rewraps the keys and leaves the events alone;
//! rows written with the person's data inside their facts still load, and an erasure rewrites
//! them; the retention tick erases like an erasure on request; on SQLite a key is written
//! before the data sealed under it, deleted before the erasure is recorded, and purged when a
//! crash left it unused.

use std::sync::Arc;

use inps_pin::rand_core::SeedableRng;
use inps_pin::{
    Account, Address, ArchiveRecord, Attested, ChannelRequest, CodiceFiscale, Command, Context,
    Email, ErasureReason, HashCost, OperatorId, Person, PersonName, Policy, Reply, Role,
    STORED_FORMAT, StoredEvent,
};
use inps_pin_sqlx::testing::{self, Scratch, files_containing};
use inps_pin_sqlx::{
    Accounts, Commit, Entropy, ManualClock, OutboxKey, OutboxKeys, PersonalDataKey,
    PersonalDataKeys, Rewrapped, Store, StoreError, Write,
};
use jiff::{SignedDuration, Timestamp};
use rand_chacha::ChaCha20Rng;
use sqlx::Row as _;

const NAME: &str = "Ildebranda";

fn t0() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().unwrap()
}

fn cf() -> CodiceFiscale {
    CodiceFiscale::parse("RSSMRA80A01H501U").unwrap()
}

fn master(id: &str, byte: &str) -> PersonalDataKey {
    PersonalDataKey::from_hex(id, &byte.repeat(32)).unwrap()
}

fn policy() -> Policy {
    Policy::default().with_hash_cost(HashCost::CHEAP)
}

fn person() -> Person {
    Person::new(
        PersonName::parse(NAME).unwrap(),
        PersonName::parse("Rossi").unwrap(),
        cf(),
        Role::Citizen,
        Address::new("Via Roma 1", "00184", "Roma", "RM").unwrap(),
    )
    .with_email(Email::parse("ildebranda.rossi@example.it").unwrap())
}

fn request() -> Command {
    let person = person();
    let archive = Attested::vouched_for(
        ArchiveRecord::new(cf(), person.residence().clone()),
        OperatorId::new("archive").unwrap(),
        t0(),
    );
    Command::RequestPin {
        person,
        channel: ChannelRequest::Online,
        archive,
    }
}

async fn accounts(store: Store, clock: &Arc<ManualClock>, policy: Policy) -> Accounts {
    let keys = OutboxKeys::new(OutboxKey::from_hex("o", &"3c".repeat(32)).unwrap());
    Accounts::new(store.with_entropy(Entropy::seeded(7)), policy, keys)
        .unwrap()
        .with_clock(Arc::clone(clock) as Arc<dyn inps_pin_sqlx::Clock>)
        .with_entropy(Entropy::seeded(5))
}

/// Every events row's bytes, and the account row's: what a rotation must leave alone.
async fn record_rows(store: &Store) -> Vec<Vec<u8>> {
    let mut rows = Vec::new();
    for row in sqlx::query("SELECT event, personal FROM events ORDER BY version")
        .fetch_all(store.pool())
        .await
        .unwrap()
    {
        let mut bytes = row.try_get::<String, _>(0).unwrap().into_bytes();
        bytes.extend(
            row.try_get::<Option<Vec<u8>>, _>(1)
                .unwrap()
                .unwrap_or_default(),
        );
        rows.push(bytes);
    }
    for row in sqlx::query("SELECT snapshot, personal FROM accounts")
        .fetch_all(store.pool())
        .await
        .unwrap()
    {
        let mut bytes = row.try_get::<Vec<u8>, _>(0).unwrap();
        bytes.extend(
            row.try_get::<Option<Vec<u8>>, _>(1)
                .unwrap()
                .unwrap_or_default(),
        );
        rows.push(bytes);
    }
    rows
}

#[tokio::test]
async fn r36_rotating_the_master_key_rewraps_the_person_keys_and_leaves_the_events_alone() {
    let dir = Scratch::new("personal-data", "rotation");
    let url = dir.sqlite_url("store.db");
    let clock = Arc::new(ManualClock::fixed(t0()));
    let store = Store::connect(&url, PersonalDataKeys::new(master("old", "11")))
        .await
        .unwrap();
    let before = accounts(store, &clock, policy()).await;
    let issued = before.execute(cf(), request()).await.unwrap();
    assert!(matches!(issued.reply, Reply::PinIssued { .. }));
    let rows = record_rows(before.store()).await;
    before.store().close().await;

    // The new key alone does not open what the old one wrapped: a key retired too early.
    let new_only = Store::connect(&url, PersonalDataKeys::new(master("new", "22")))
        .await
        .unwrap();
    assert!(matches!(
        new_only.load(cf()).await,
        Err(StoreError::PersonalData { .. })
    ));
    new_only.close().await;

    // The rotation: the new key current, the old one kept to unwrap; the keys rewrapped.
    let rotating = PersonalDataKeys::new(master("new", "22"))
        .with_previous(master("old", "11"))
        .unwrap();
    let store = Store::connect(&url, rotating).await.unwrap();
    assert_eq!(
        store.rewrap_person_keys(10).await.unwrap(),
        Rewrapped {
            rewrapped: 1,
            unreadable: 0
        }
    );
    assert_eq!(
        store.rewrap_person_keys(10).await.unwrap(),
        Rewrapped::default()
    );
    assert_eq!(
        record_rows(&store).await,
        rows,
        "the events and the cache are untouched"
    );
    store.close().await;

    // The old key can go.
    let store = Store::connect(&url, PersonalDataKeys::new(master("new", "22")))
        .await
        .unwrap();
    let account = store.load(cf()).await.unwrap();
    assert_eq!(account.person().unwrap().name().as_str(), NAME);
    assert_eq!(store.replay(cf()).await.unwrap(), account);
}

#[tokio::test]
async fn r36_rows_written_with_the_personal_data_inside_the_facts_still_load_and_an_erasure_rewrites_them()
 {
    let dir = Scratch::new("personal-data", "legacy");
    let url = dir.sqlite_url("store.db");
    let clock = Arc::new(ManualClock::fixed(t0()));
    let store = Store::connect(&url, PersonalDataKeys::new(master("m", "33")))
        .await
        .unwrap();
    // Rows as a store that did not seal wrote them: the person inside the facts.
    let policy = policy();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let read = Account::new(cf());
    let outcome = read
        .decide(&request(), &mut Context::new(t0(), &policy, &mut rng))
        .unwrap();
    let mut next = read.clone();
    for (index, event) in outcome.events.iter().enumerate() {
        next.evolve(event);
        sqlx::query(
            "INSERT INTO events (codice_fiscale, version, event, recorded_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(cf().as_str())
        .bind(i64::try_from(index + 1).unwrap())
        .bind(serde_json::to_string(&StoredEvent::new(event.clone())).unwrap())
        .bind(t0().as_millisecond())
        .execute(store.pool())
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO accounts (codice_fiscale, version, format, snapshot) VALUES ($1, $2, $3, $4)",
    )
    .bind(cf().as_str())
    .bind(i64::try_from(next.version()).unwrap())
    .bind(i64::from(STORED_FORMAT))
    .bind(postcard::to_allocvec(&next).unwrap())
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(store.load(cf()).await.unwrap(), next);
    assert_eq!(store.replay(cf()).await.unwrap(), next);
    assert!(
        !files_containing(&dir, NAME.as_bytes()).is_empty(),
        "in clear"
    );

    let accounts = accounts(store, &clock, policy).await;
    let erased = accounts
        .execute(
            cf(),
            Command::Erase {
                reason: ErasureReason::PersonsRequest,
            },
        )
        .await
        .unwrap();
    assert!(matches!(erased.reply, Reply::PersonalDataErased { .. }));
    let store = accounts.store();
    let events = store.events(cf()).await.unwrap();
    assert!(events.iter().all(|event| !event.holds_personal_data()));
    assert!(store.load(cf()).await.unwrap().person().is_none());
    for row in sqlx::query("SELECT event FROM events")
        .fetch_all(store.pool())
        .await
        .unwrap()
    {
        assert!(!row.try_get::<String, _>(0).unwrap().contains(NAME));
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        files_containing(&dir, NAME.as_bytes()),
        Vec::<std::path::PathBuf>::new()
    );
}

#[tokio::test]
async fn r36_the_retention_tick_destroys_the_persons_key_as_an_erasure_on_request_does() {
    let dir = Scratch::new("personal-data", "retention");
    let url = dir.sqlite_url("store.db");
    let clock = Arc::new(ManualClock::fixed(t0()));
    let store = Store::connect(&url, PersonalDataKeys::new(master("m", "44")))
        .await
        .unwrap();
    let policy = policy();
    let days = policy.personal_data_retention_days.unwrap();
    let accounts = accounts(store, &clock, policy).await;
    accounts.execute(cf(), request()).await.unwrap();
    let keys = || async {
        sqlx::query("SELECT COUNT(*) FROM person_keys")
            .fetch_one(accounts.store().pool())
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap()
    };
    assert_eq!(keys().await, 1);
    // The unused PIN lapses, then the retention period runs out: the ticker erases.
    clock.advance(SignedDuration::from_hours(24 * (120 + i64::from(days))));
    let mut report = accounts.tick_due(10).await.unwrap();
    while report.ticked > 0 {
        report = accounts.tick_due(10).await.unwrap();
    }
    let account = accounts.store().load(cf()).await.unwrap();
    assert!(account.person().is_none());
    assert!(!account.holds_personal_data());
    let events = accounts.store().events(cf()).await.unwrap();
    assert!(matches!(
        events.last(),
        Some(inps_pin::Event::PersonalDataErased {
            reason: ErasureReason::RetentionPeriod,
            ..
        })
    ));
    assert!(events.iter().all(|event| !event.holds_personal_data()));
    assert_eq!(keys().await, 0);
}

/// A store on a SQLite file in `dir`, its master key `byte` repeated.
async fn sqlite_store(dir: &Scratch, byte: &str) -> Store {
    Store::connect(
        &dir.sqlite_url("store.db"),
        PersonalDataKeys::new(master("m", byte)),
    )
    .await
    .unwrap()
}

/// How many person keys the store holds.
async fn stored_keys(store: &Store) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM person_keys")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

/// Another writer's event at `version`: the commit that would append there fails as a crash
/// between SQLite's two files would cut it, after the keys file and before the main file.
async fn taken_by_another_writer(store: &Store, version: u64) {
    sqlx::query(
        "INSERT INTO events (codice_fiscale, version, event, recorded_at) VALUES ($1, $2, '{}', 0)",
    )
    .bind(cf().as_str())
    .bind(i64::try_from(version).unwrap())
    .execute(store.pool())
    .await
    .unwrap();
}

async fn given_back(store: &Store, version: u64) {
    sqlx::query("DELETE FROM events WHERE codice_fiscale = $1 AND version = $2")
        .bind(cf().as_str())
        .bind(i64::try_from(version).unwrap())
        .execute(store.pool())
        .await
        .unwrap();
}

/// `read` after `command`, and the events that lead there.
fn decided(read: &Account, command: Command, policy: &Policy) -> (Account, Vec<inps_pin::Event>) {
    testing::decided(
        read,
        command,
        t0(),
        policy,
        &mut ChaCha20Rng::seed_from_u64(9),
    )
}

fn write<'a>(read: &'a Account, next: &'a Account, events: &'a [inps_pin::Event]) -> Write<'a> {
    testing::write_of_events(read, next, events, t0())
}

#[tokio::test]
async fn r36_on_sqlite_a_new_persons_key_is_on_disk_before_the_data_sealed_under_it() {
    let dir = Scratch::new("personal-data", "key-first");
    let store = sqlite_store(&dir, "55").await;
    // The keys file's commits wait for the disk, whatever the main file's durability.
    let synchronous = sqlx::query("PRAGMA person_keys_db.synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap();
    assert_eq!(synchronous, 2, "FULL");

    let policy = policy();
    let read = Account::new(cf());
    let (next, events) = decided(&read, request(), &policy);
    taken_by_another_writer(&store, 1).await;
    let request = write(&read, &next, &events);
    assert_eq!(
        store.commit(std::slice::from_ref(&request)).await.unwrap(),
        Commit::LostRace
    );
    assert_eq!(
        stored_keys(&store).await,
        1,
        "the key is stored before anything sealed under it, and stays"
    );

    // Decided again, the request finds that key and seals under it: the person reads back.
    given_back(&store, 1).await;
    assert_eq!(
        store.commit(std::slice::from_ref(&request)).await.unwrap(),
        Commit::Written
    );
    assert_eq!(stored_keys(&store).await, 1);
    let account = store.load(cf()).await.unwrap();
    assert_eq!(account.person().unwrap().name().as_str(), NAME);
    assert_eq!(store.replay(cf()).await.unwrap(), account);
}

#[tokio::test]
async fn r36_on_sqlite_an_erased_persons_key_is_gone_before_the_erasure_is_recorded() {
    let dir = Scratch::new("personal-data", "erasure-key-first");
    let clock = Arc::new(ManualClock::fixed(t0()));
    let store = sqlite_store(&dir, "66").await;
    let policy = policy();
    let accounts = accounts(store, &clock, policy.clone()).await;
    accounts.execute(cf(), request()).await.unwrap();
    let store = accounts.store();
    assert_eq!(stored_keys(store).await, 1);

    let erase = || Command::Erase {
        reason: ErasureReason::PersonsRequest,
    };
    let read = store.load(cf()).await.unwrap();
    let (next, events) = decided(&read, erase(), &policy);
    taken_by_another_writer(store, read.version() + 1).await;
    assert_eq!(
        store
            .commit(std::slice::from_ref(&write(&read, &next, &events)))
            .await
            .unwrap(),
        Commit::LostRace
    );
    // The erasure is not recorded, but the key is gone: the person's data no longer opens,
    // and the account loads its facts alone, which still say personal data is held.
    assert_eq!(stored_keys(store).await, 0);
    let facts = store.load(cf()).await.unwrap();
    assert!(facts.person().is_none());
    assert!(facts.holds_personal_data());

    // The erasure runs again and is recorded.
    given_back(store, read.version() + 1).await;
    let erased = accounts.execute(cf(), erase()).await.unwrap();
    assert!(matches!(erased.reply, Reply::PersonalDataErased { .. }));
    assert!(!store.load(cf()).await.unwrap().holds_personal_data());
    assert_eq!(stored_keys(store).await, 0);
}

#[tokio::test]
async fn r36_a_key_left_unused_between_the_two_files_is_purged_once_no_command_can_be_using_it() {
    let dir = Scratch::new("personal-data", "unused-key");
    let store = sqlite_store(&dir, "77").await;
    let policy = policy();
    let read = Account::new(cf());
    let (next, events) = decided(&read, request(), &policy);
    let request = write(&read, &next, &events);
    taken_by_another_writer(&store, 1).await;
    assert_eq!(
        store.commit(std::slice::from_ref(&request)).await.unwrap(),
        Commit::LostRace
    );
    assert_eq!(stored_keys(&store).await, 1);

    // While a command could still be about to seal under it, the key stays.
    given_back(&store, 1).await;
    let grace = Store::UNUSED_KEY_GRACE;
    let within = t0()
        .checked_add(grace - SignedDuration::from_secs(1))
        .unwrap();
    assert_eq!(store.purge_unused_keys(within).await.unwrap(), 0);
    // The person never came back: nothing was sealed under it, and it goes.
    let past = t0()
        .checked_add(grace + SignedDuration::from_secs(1))
        .unwrap();
    assert_eq!(store.purge_unused_keys(past).await.unwrap(), 1);
    assert_eq!(stored_keys(&store).await, 0);

    // A person who came back has a key of their own again; one with events keeps theirs.
    assert_eq!(
        store.commit(std::slice::from_ref(&request)).await.unwrap(),
        Commit::Written
    );
    assert_eq!(store.purge_unused_keys(past).await.unwrap(), 0);
    assert_eq!(stored_keys(&store).await, 1);
    let account = store.load(cf()).await.unwrap();
    assert_eq!(account.person().unwrap().name().as_str(), NAME);
}
