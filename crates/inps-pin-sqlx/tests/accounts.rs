//! Commands end to end through [`Accounts`]: what the store adds to the library's rules.

use std::sync::Arc;

use inps_pin::testing::Cast;
use inps_pin::{
    ChannelRequest, CodiceFiscale, Command, EnteredPin, HashCost, Person, PinPart, Policy, Reply,
};
use inps_pin_sqlx::testing::{self, Scratch};
use inps_pin_sqlx::{
    Accounts, DecidingOptions, DecidingPool, Entropy, ExecuteError, ManualClock, Outage, OutboxKey,
    OutboxKeys, PersonalDataKey, PersonalDataKeys, Store, StoreError, StoreOptions,
};
use jiff::Timestamp;

fn t0() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().unwrap()
}

fn keys() -> OutboxKeys {
    OutboxKeys::new(OutboxKey::from_hex("test", &"3c".repeat(32)).unwrap())
}

/// The master key of the person keys.
fn master() -> PersonalDataKeys {
    PersonalDataKeys::new(PersonalDataKey::from_hex("m", &"4d".repeat(32)).unwrap())
}

async fn accounts(url: &str, cost: HashCost) -> Accounts {
    let store = Store::connect(url, master()).await.unwrap();
    let policy = Policy::default().with_hash_cost(cost);
    Accounts::new(store, policy, keys())
        .unwrap()
        .with_clock(Arc::new(ManualClock::fixed(t0())))
        .with_entropy(Entropy::seeded(5))
}

/// Mario Rossi, with e-mail and mobile ([`Cast::mario`]).
fn mario() -> Person {
    Cast::mario().unwrap().owner
}

fn login(pin: &str) -> Command {
    Command::LogIn {
        pin: EnteredPin::parse(pin).unwrap(),
        device: None,
        trust_device: false,
    }
}

#[tokio::test]
async fn r30a_after_the_policy_cost_rises_an_unknown_codice_fiscale_costs_what_a_wrong_pin_does() {
    let dir = Scratch::new("accounts", "decoy");
    let url = dir.sqlite_url("decoy.db");
    let old_cost = HashCost::CHEAP;
    let new_cost = HashCost::new(64, 2, 1).unwrap();
    // Mario's PIN is hashed at the old cost.
    let before = accounts(&url, old_cost).await;
    let person = mario();
    let cf = person.codice_fiscale();
    let issued = before.execute(cf, request_pin(person, t0())).await.unwrap();
    assert!(matches!(issued.reply, Reply::PinIssued { .. }));
    assert!(issued.shown.iter().any(|d| d.part() == PinPart::FirstHalf));
    before.store().close().await;

    // The policy's cost rises. A wrong PIN on Mario is checked against his stored hash, at the
    // old cost; an unknown codice fiscale then runs its decoy at that same cost, not the new.
    let after = accounts(&url, new_cost).await;
    let wrong = after.execute(cf, login("ABCDEFGHABCDEFGH")).await.unwrap();
    assert!(matches!(wrong.reply, Reply::LoginFailed(_)));
    assert_eq!(wrong.verified_at_cost, Some(old_cost));
    let stranger = CodiceFiscale::parse("RCCMNL83S18D969H").unwrap();
    let unknown = after.execute(stranger, login("ABCDEFGH")).await.unwrap();
    assert!(matches!(unknown.reply, Reply::LoginFailed(_)));
    assert_eq!(unknown.verified_at_cost, Some(old_cost));
    assert_eq!(unknown.reply, wrong.reply);

    // A fresh instance that has loaded no hash yet runs the decoy at the policy's cost.
    let fresh = accounts(&url, new_cost).await;
    let unknown = fresh.execute(stranger, login("ABCDEFGH")).await.unwrap();
    assert_eq!(unknown.verified_at_cost, Some(new_cost));
}

#[tokio::test]
async fn an_unreachable_database_met_by_one_command_is_answered_at_once_to_the_next_until_one_finds_it_back()
 {
    let dir = Scratch::new("accounts", "outage");
    let url = dir.sqlite_url("outage.db");
    let clock = Arc::new(ManualClock::fixed(t0()));
    let accounts = Accounts::new(
        Store::connect(&url, master()).await.unwrap(),
        Policy::default().with_hash_cost(HashCost::CHEAP),
        keys(),
    )
    .unwrap()
    .with_clock(Arc::clone(&clock) as Arc<dyn inps_pin_sqlx::Clock>)
    .with_entropy(Entropy::seeded(6));
    let cf = mario().codice_fiscale();
    assert!(!accounts.outage().holds_at(t0()));

    // The database goes away: the first command meets it, and says what it met.
    accounts.store().close().await;
    let met = accounts.execute(cf, login("ABCDEFGH")).await.unwrap_err();
    match &met {
        ExecuteError::Store(error) => {
            assert!(error.is_unavailable());
            assert!(!matches!(error, StoreError::Outage), "{error:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(accounts.outage().holds_at(t0()));

    // The next is answered from the outage, without a trip to the database.
    let answered = accounts.execute(cf, login("ABCDEFGH")).await.unwrap_err();
    assert!(matches!(answered, ExecuteError::Store(StoreError::Outage)));

    // Past the hold, one command tries the database again (still gone here), and the
    // outage holds again from then.
    clock.advance(jiff::SignedDuration::try_from(Outage::HOLD).unwrap());
    let tried = accounts.execute(cf, login("ABCDEFGH")).await.unwrap_err();
    assert!(
        matches!(&tried, ExecuteError::Store(error) if error.is_unavailable() && !matches!(error, StoreError::Outage)),
        "{tried:?}"
    );
    let answered = accounts.execute(cf, login("ABCDEFGH")).await.unwrap_err();
    assert!(matches!(answered, ExecuteError::Store(StoreError::Outage)));
}

/// A request for a PIN online, the residence vouched for by the archive at `at`.
fn request_pin(person: Person, at: Timestamp) -> Command {
    Command::RequestPin {
        archive: Cast::mario().unwrap().archive_of(&person, at),
        person,
        channel: ChannelRequest::Online,
    }
}

/// Waits, without sleeping, until `done` holds; fails the test after 30 s.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !done() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what}: not within 30 s"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_command_decided_when_the_database_restarts_commits_once_it_is_back() {
    // A cluster of its own: the test stops and starts it.
    let cluster = match testing::Cluster::start() {
        Ok(cluster) => cluster,
        Err(why) => return testing::skip(&why),
    };
    let url = testing::database(&cluster.url("postgres"), "inps_pin_outage_commit").await;
    let options = StoreOptions {
        acquire_timeout: std::time::Duration::from_secs(1),
        ..StoreOptions::default()
    };
    // One deciding thread, which the test holds, so that the command is decided exactly
    // when the database is down.
    let deciding = Arc::new(
        DecidingPool::new(DecidingOptions {
            threads: 1,
            queue_bound: 8,
            max_wait: std::time::Duration::from_secs(60),
        })
        .unwrap(),
    );
    let accounts = Arc::new(
        Accounts::new(
            Store::connect_with(&url, &options, master()).await.unwrap(),
            Policy::default().with_hash_cost(HashCost::CHEAP),
            keys(),
        )
        .unwrap()
        .with_clock(Arc::new(ManualClock::system_with_offset()))
        .with_entropy(Entropy::seeded(7))
        .with_deciding(Arc::clone(&deciding))
        .with_outage_patience(std::time::Duration::from_secs(60)),
    );
    let (release, held) = std::sync::mpsc::channel::<()>();
    let holder = tokio::spawn({
        let deciding = Arc::clone(&deciding);
        async move { deciding.run(move || held.recv()).await }
    });
    until("the deciding thread held", || {
        deciding
            .stats()
            .running
            .load(std::sync::atomic::Ordering::Acquire)
            == 1
    })
    .await;

    // Mario's request is loaded and waits for the deciding thread.
    let person = mario();
    let cf = person.codice_fiscale();
    let requested = tokio::spawn({
        let accounts = Arc::clone(&accounts);
        let at = accounts.clock().now();
        async move { accounts.execute(cf, request_pin(person, at)).await }
    });
    until("the request queued", || {
        deciding
            .stats()
            .queued
            .load(std::sync::atomic::Ordering::Acquire)
            == 1
    })
    .await;

    // The database stops; the request is decided and its commit meets the outage.
    cluster.stop().unwrap();
    release.send(()).unwrap();
    let (released, _) = holder.await.unwrap().unwrap();
    released.unwrap();
    let clock = Arc::clone(accounts.clock());
    until("the outage met", || {
        accounts.outage().holds_at(clock.now()) || requested.is_finished()
    })
    .await;
    if requested.is_finished() {
        panic!(
            "a decided command waits for the database: {:?}",
            requested.await
        );
    }

    // A command arriving now is answered at once, without a trip to the database.
    let stranger = CodiceFiscale::parse("RCCMNL83S18D969H").unwrap();
    let refused = accounts
        .execute(stranger, login("ABCDEFGH"))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ExecuteError::Store(StoreError::Outage)),
        "{refused:?}"
    );

    // The database is back: the decided request commits, once.
    cluster.start_again().unwrap();
    let issued = requested.await.unwrap().unwrap();
    assert!(
        matches!(issued.reply, Reply::PinIssued { .. }),
        "{:?}",
        issued.reply
    );
    assert!(issued.shown.iter().any(|d| d.part() == PinPart::FirstHalf));
    let events = accounts.store().events(cf).await.unwrap();
    assert_eq!(
        events.len(),
        usize::try_from(issued.account.version()).unwrap()
    );
    assert_eq!(issued.events, events.len(), "its events, written once");
    assert_eq!(accounts.store().load(cf).await.unwrap(), issued.account);
    assert_eq!(
        accounts.store().outbox_stats().await.unwrap().unsent,
        i64::try_from(issued.outbox_rows).unwrap()
    );
    assert!(
        !accounts.outage().holds_at(clock.now()),
        "the commit found it back"
    );
}

/// What the store keeps beside the record for Mario after a PIN request: no session, and the
/// deliveries made, waiting for their carriers, described without their content.
async fn held_after_a_request(url: &str) {
    let accounts = accounts(url, HashCost::CHEAP).await;
    let cf = mario().codice_fiscale();
    accounts
        .execute(cf, request_pin(mario(), t0()))
        .await
        .unwrap();
    let held = accounts.store().held_records(cf).await.unwrap();
    assert!(held.sessions.is_empty());
    assert!(!held.messages.is_empty());
    for message in &held.messages {
        assert_eq!(message.kind, "delivery");
        assert!(
            message.description.contains(" by "),
            "{}",
            message.description
        );
        assert_eq!((message.created_at, message.sent_at), (t0(), None));
    }
    let stranger = CodiceFiscale::parse("RCCMNL83S18D969H").unwrap();
    let none = accounts.store().held_records(stranger).await.unwrap();
    assert!(none.sessions.is_empty() && none.messages.is_empty());
}

#[tokio::test]
async fn r36_the_store_lists_what_it_keeps_beside_the_record_on_sqlite() {
    let dir = Scratch::new("accounts", "held");
    held_after_a_request(&dir.sqlite_url("held.db")).await;
}

#[tokio::test]
async fn postgres_r36_the_store_lists_what_it_keeps_beside_the_record() {
    let Some(server) = testing::server() else {
        return;
    };
    held_after_a_request(&testing::database(&server.url(), "inps_pin_held").await).await;
}
