//! The service on its storage: a restart keeps accounts, sessions, deadlines and unsent
//! deliveries; logins racing on one account (in one instance, and in two on one database)
//! lose no event and run Argon2 once each; the ticker drains many due accounts in batches;
//! two drainers hand each outbox row to one carrier. On SQLite, and the same scenarios on a
//! throwaway PostgreSQL cluster.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::*;
use inps_pin::{Account, CodiceFiscale, Command, EnteredPin, Lockout, PinPart, Policy, Reply};
use inps_pin_server::{Carrier, CarrierError, async_trait, drain_outbox};
use inps_pin_sqlx::testing::{self, Scratch};
use inps_pin_sqlx::{Clock as _, ExecuteError, ManualClock, OutboxMessage};
use jiff::SignedDuration;
use serde_json::json;

fn cf(text: &str) -> CodiceFiscale {
    CodiceFiscale::parse(text).unwrap()
}

/// A rig on `url` with its own seed, sharing `clock` with the other instances.
async fn instance(url: &str, seed: u64, policy: Policy, clock: &Arc<ManualClock>) -> Rig {
    let mut setup = Setup::new(url);
    setup.seed = seed;
    setup.policy = policy;
    setup.clock = Some(Arc::clone(clock));
    setup.people = people(24);
    setup.start().await
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::fixed(t0()))
}

// ---- restart ----

#[tokio::test]
async fn r32_a_restart_keeps_accounts_sessions_deadlines_and_unsent_deliveries() {
    let dir = Scratch::new("server-storage", "restart");
    restart(&sqlite_url(&dir)).await;
}

async fn restart(url: &str) {
    let clock = clock();
    let rig = instance(url, 6, cheap_policy(), &clock).await;
    let pin = rig.active_pin(EMANUELE).await;
    let session = rig.session(EMANUELE, &pin).await;
    let first = rig.request_pin(MARIO).await;
    let store = rig.accounts().store();
    let deadline = store.next_deadline(cf(MARIO)).await.unwrap();
    assert!(
        deadline.is_some(),
        "the first-access window's end is stored"
    );
    // Stopped before the drainer ran: Mario's two halves wait.
    assert_eq!(store.outbox_stats().await.unwrap().unsent, 2);
    let version = store.load(cf(EMANUELE)).await.unwrap().version();
    store.close().await;
    drop(rig);

    let rig = instance(url, 7, cheap_policy(), &clock).await;
    let store = rig.accounts().store();
    assert_eq!(store.load(cf(MARIO)).await.unwrap().version(), 1);
    assert_eq!(store.load(cf(EMANUELE)).await.unwrap().version(), version);
    assert_eq!(store.next_deadline(cf(MARIO)).await.unwrap(), deadline);
    // The session opened before the restart still stands; the PIN still logs in.
    let allowed = rig
        .post_with(
            "/v1/authorisations",
            &json!({ "service": "estratto-contributivo" }),
            &[("authorization", &session)],
        )
        .await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    assert_eq!(rig.login(EMANUELE, &pin).await.status, StatusCode::OK);
    // The unsent deliveries go out after the restart, once.
    assert_eq!(rig.drain().await.sent, 2);
    assert_eq!(rig.drain().await.claimed, 0);
    assert_eq!(rig.received(MARIO, PinPart::FirstHalf), first);
    let second = rig.received(MARIO, PinPart::SecondHalf);
    // The deadline holds too: past the 90 days, the ticker lapses the unused 16.
    rig.advance(SignedDuration::from_hours(24 * 91));
    assert_eq!(rig.accounts().tick_due(100).await.unwrap().ticked, 1);
    assert_eq!(rig.accounts().tick_due(100).await.unwrap().ticked, 0);
    rig.post(
        "/v1/first-access",
        &json!({ "codice_fiscale": MARIO, "pin": format!("{first}{second}") }),
    )
    .await
    .assert_coded(StatusCode::GONE, "first_access.pin_lapsed");
}

// ---- concurrency ----

/// A lockout that never delays, so that every racing attempt runs its verification.
fn racing_policy() -> Policy {
    let mut policy = cheap_policy();
    policy.lockout = Lockout::new(vec![], 100).unwrap();
    policy.validate().unwrap();
    policy
}

#[tokio::test]
async fn r32_eight_concurrent_logins_on_one_account_lose_no_event_and_verify_once_each() {
    let dir = Scratch::new("server-storage", "eight");
    race(&[&sqlite_url(&dir)]).await;
    through_the_router(&sqlite_url(&dir)).await;
}

#[tokio::test]
async fn r32_two_services_on_one_sqlite_file_race_on_one_account() {
    let dir = Scratch::new("server-storage", "two-sqlite");
    let url = sqlite_url(&dir);
    race(&[&url, &url]).await;
}

/// Eight tasks, right and wrong PINs mixed, spread over one instance per URL given.
async fn race(urls: &[&str]) {
    let clock = clock();
    let mut rigs = Vec::new();
    for (index, url) in urls.iter().enumerate() {
        rigs.push(Arc::new(
            instance(url, 10 + index as u64, racing_policy(), &clock).await,
        ));
    }
    let mario = cf(MARIO);
    let pin = rigs[0].active_pin(MARIO).await;
    // One login on each instance first: a deciding pool that has run no decision yet admits
    // one command a thread (it cannot predict waits), and the race is about the store.
    for rig in &rigs {
        let login = Command::LogIn {
            pin: EnteredPin::parse(&pin).unwrap(),
            device: None,
            trust_device: false,
        };
        let (warmed, _) = rig.accounts().attempt(mario, login).await;
        assert!(matches!(warmed.unwrap().reply, Reply::LoggedIn(_)));
    }
    let before = rigs[0]
        .accounts()
        .store()
        .load(mario)
        .await
        .unwrap()
        .version();

    let mut tasks = Vec::new();
    for task in 0..8 {
        let rig = Arc::clone(&rigs[task % rigs.len()]);
        let typed = if task % 2 == 0 {
            pin.clone()
        } else {
            wrong_pin(&pin)
        };
        tasks.push(tokio::spawn(async move {
            let command = Command::LogIn {
                pin: EnteredPin::parse(&typed).unwrap(),
                device: None,
                trust_device: false,
            };
            rig.accounts().attempt(mario, command).await
        }));
    }
    let (mut appended, mut lost, mut logged_in) = (0, 0, 0);
    for task in tasks {
        let (result, verifications) = task.await.unwrap();
        assert_eq!(
            verifications, 1,
            "Argon2 ran {verifications} times for one login"
        );
        match result {
            Ok(executed) => {
                assert_eq!(executed.verifications, 1);
                appended += executed.events;
                lost += executed.lost_races;
                match executed.reply {
                    Reply::LoggedIn(_) => logged_in += 1,
                    Reply::LoginFailed(_) => {}
                    other => panic!("{other:?}"),
                }
            }
            Err(ExecuteError::Refused { refusal, .. }) => panic!("refused: {refusal:?}"),
            Err(error) => panic!("{error:?}"),
        }
    }
    let store = rigs[0].accounts().store();
    let events = store.events(mario).await.unwrap();
    let cached = store.load(mario).await.unwrap();
    assert_eq!(
        Account::replay(mario, &events),
        cached,
        "replay equals the cache"
    );
    assert_eq!(cached.version(), events.len() as u64);
    assert_eq!(appended, 8, "one event per login");
    assert_eq!(cached.version(), before + 8, "no event lost");
    assert_eq!(logged_in, 4);
    // The first access's session, the warm-up logins' and the race's.
    assert_eq!(
        store.session_count(mario).await.unwrap(),
        1 + rigs.len() as i64 + 4
    );
    if urls.len() > 1 {
        eprintln!("two instances: {lost} lost compare-and-swaps, decided again without Argon2");
    }
}

/// Eight logins at once through the router of one instance: each answered, each recorded.
async fn through_the_router(url: &str) {
    let rig = Arc::new(instance(url, 20, racing_policy(), &clock()).await);
    let pin = rig.active_pin(EMANUELE).await;
    let before = rig.events(EMANUELE).await.len();
    let mut tasks = Vec::new();
    for task in 0..8 {
        let rig = Arc::clone(&rig);
        let typed = if task % 2 == 0 {
            pin.clone()
        } else {
            wrong_pin(&pin)
        };
        tasks.push(tokio::spawn(async move {
            rig.login(EMANUELE, &typed).await.status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().as_u16());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 200, 401, 401, 401, 401]);
    assert_eq!(rig.events(EMANUELE).await.len(), before + 8);
}

// ---- the ticker ----

#[tokio::test]
async fn r9_the_ticker_drains_600_lapsed_accounts_in_batches() {
    let dir = Scratch::new("server-storage", "ticker");
    ticker(&sqlite_url(&dir), 600).await;
}

/// `count` PIN requests never used: 91 days on, every first-access window has lapsed, and
/// one drain ticks them all, in batches, leaving none due.
async fn ticker(url: &str, count: usize) {
    let mut setup = Setup::new(url);
    setup.people = people(count);
    let rig = setup.start().await;
    let people = people(count);
    let first = rig.request_pin(&people[0]).await;
    for cf in &people[1..] {
        let issued = rig.post("/v1/pin-requests", &person(cf)).await;
        assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    }
    // The oldest rows: the first person's two halves.
    let carrier = rig.carrier.as_ref();
    assert_eq!(
        drain_outbox(rig.accounts(), carrier, 2).await.unwrap().sent,
        2
    );
    let whole = format!("{first}{}", rig.received(&people[0], PinPart::SecondHalf));
    assert_eq!(
        rig.accounts().tick_due(250).await.unwrap(),
        Default::default()
    );
    rig.advance(SignedDuration::from_hours(24 * 91));
    let report = rig.accounts().tick_due(250).await.unwrap();
    assert_eq!(report.ticked, count, "{report:?}");
    assert_eq!(report.ticked + report.unchanged + report.lost_races, count);
    assert_eq!(report.batches, count.div_ceil(250), "{report:?}");
    assert_eq!(
        rig.accounts().tick_due(250).await.unwrap(),
        Default::default()
    );
    let now = rig.clock.now();
    let due = rig
        .accounts()
        .store()
        .claim_due(now, 10_000, std::time::Duration::from_secs(1))
        .await
        .unwrap();
    assert!(due.is_empty(), "{} accounts still due", due.len());
    // Every account records the lapse, and the 16 of any of them no longer works.
    for cf in people.iter().step_by(97) {
        let events = serde_json::to_string(&rig.events(cf).await).unwrap();
        assert!(events.contains("FirstPinLapsed"), "{events}");
    }
    rig.post(
        "/v1/first-access",
        &json!({ "codice_fiscale": people[0], "pin": whole }),
    )
    .await
    .assert_coded(StatusCode::GONE, "first_access.pin_lapsed");
}

// ---- two drainers ----

/// A carrier that records every hand-over, a key given twice included.
#[derive(Default)]
struct Counting {
    keys: Mutex<Vec<String>>,
}

#[async_trait]
impl Carrier for Counting {
    async fn send(&self, key: &str, _message: &OutboxMessage) -> Result<(), CarrierError> {
        self.keys.lock().unwrap().push(key.to_owned());
        Ok(())
    }
}

impl Counting {
    fn keys(&self) -> Vec<String> {
        self.keys.lock().unwrap().clone()
    }
}

/// Drains a row per round until a round claims nothing.
async fn drain_row_by_row(rig: &Rig, carrier: &Counting) {
    while drain_outbox(rig.accounts(), carrier, 1)
        .await
        .unwrap()
        .claimed
        > 0
    {}
}

async fn requests(rig: &Rig, people: &[String]) -> usize {
    for cf in people {
        rig.request_pin(cf).await;
    }
    2 * people.len()
}

#[tokio::test]
async fn r33_two_services_on_one_sqlite_file_drain_every_row_and_each_key_reaches_the_carrier_once()
{
    let dir = Scratch::new("server-storage", "drainers");
    let url = sqlite_url(&dir);
    let clock = clock();
    let one = instance(&url, 1, cheap_policy(), &clock).await;
    let two = instance(&url, 2, cheap_policy(), &clock).await;
    let people = people(12);
    // Taking turns, a batch each: every row is handed over once.
    let rows = requests(&one, &people[..6]).await;
    let (first, second) = (Counting::default(), Counting::default());
    loop {
        let a = drain_outbox(one.accounts(), &first, 3).await.unwrap();
        let b = drain_outbox(two.accounts(), &second, 3).await.unwrap();
        if a.claimed + b.claimed == 0 {
            break;
        }
    }
    let mut keys = [first.keys(), second.keys()].concat();
    assert_eq!(keys.len(), rows, "each row handed over once: {keys:?}");
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), rows);
    // At once: SQLite takes no lock for a claim, so a row may be handed to both; a carrier
    // drops a key it has taken, and nothing is left behind.
    let rows = requests(&one, &people[6..]).await;
    let (a, b) = tokio::join!(
        drain_outbox(one.accounts(), one.carrier.as_ref(), 1000),
        drain_outbox(two.accounts(), one.carrier.as_ref(), 1000),
    );
    assert!(a.unwrap().sent + b.unwrap().sent >= rows);
    let delivered: Vec<String> = one
        .carrier
        .sent()
        .into_iter()
        .map(|sent| sent.key)
        .collect();
    assert_eq!(delivered.len(), rows, "each key once: {delivered:?}");
    let stats = one.accounts().store().outbox_stats().await.unwrap();
    assert_eq!((stats.unsent, stats.sent_with_payload), (0, 0));
}

/// Two instances draining one PostgreSQL outbox: `FOR UPDATE SKIP LOCKED` gives each row to
/// one drainer, so none is handed to two carriers, and a drainer does not wait for another's
/// rows.
async fn two_drainers_hand_each_row_to_one_carrier(url: &str) {
    let clock = clock();
    let one = instance(url, 1, cheap_policy(), &clock).await;
    let two = instance(url, 2, cheap_policy(), &clock).await;
    let people = people(12);
    let now = clock.now();
    let mut waiting = requests(&one, &people[..6]).await;
    let (first, second) = (Counting::default(), Counting::default());

    // The first drainer holds its claim on the two oldest rows while the second drains: the
    // second passes over them and takes all the others.
    let mut held = one.accounts().store().claim_outbox(now, 2).await.unwrap();
    let rows = std::mem::take(&mut held.rows);
    assert_eq!(rows.len(), 2);
    let batch = drain_outbox(two.accounts(), &second, 100).await.unwrap();
    assert_eq!(batch.sent, waiting - 2);
    for row in &rows {
        let message = row.open(one.accounts().outbox_keys()).unwrap();
        first.send(&row.idempotency_key(), &message).await.unwrap();
        held.mark_sent(row, now).await.unwrap();
    }
    held.finish().await.unwrap();

    // Then both at once, a row per round, racing for the rows of six more requests.
    waiting += requests(&one, &people[6..]).await;
    tokio::join!(
        drain_row_by_row(&one, &first),
        drain_row_by_row(&two, &second)
    );
    let (by_one, by_two) = (first.keys(), second.keys());
    let mut every = [by_one.clone(), by_two.clone()].concat();
    every.sort();
    every.dedup();
    assert_eq!(
        every.len(),
        by_one.len() + by_two.len(),
        "a row went to both carriers: {by_one:?} {by_two:?}"
    );
    assert_eq!(every.len(), waiting, "every row was handed over once");
    let stats = one.accounts().store().outbox_stats().await.unwrap();
    assert_eq!((stats.unsent, stats.sent_with_payload), (0, 0));
}

// ---- PostgreSQL ----

#[tokio::test]
async fn postgres_r32_r33_restart_races_ticker_and_two_drainers() {
    let Some(server) = testing::server() else {
        return;
    };
    let server = server.url();
    restart(&testing::database(&server, "inps_pin_restart").await).await;
    race(&[&testing::database(&server, "inps_pin_one").await]).await;
    through_the_router(&testing::database(&server, "inps_pin_router").await).await;
    // Two instances on two pools, several rounds: they meet on the same versions and lose
    // compare-and-swaps, and still lose no event and verify once per attempt.
    for round in 0..3 {
        let two = testing::database(&server, &format!("inps_pin_two{round}")).await;
        race(&[&two, &two]).await;
    }
    ticker(&testing::database(&server, "inps_pin_ticker").await, 600).await;
    two_drainers_hand_each_row_to_one_carrier(
        &testing::database(&server, "inps_pin_drainers").await,
    )
    .await;
}
