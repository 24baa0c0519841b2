//! How the service meets more than it can serve: what cannot be decided soon is answered 503
//! with `Retry-After` at once, while the decisions it took go on; a client past its minute is
//! answered 429 while other clients pass; the in-flight cap and the request deadline answer
//! 503 too, and what they cut short writes nothing.
//!
//! A decision here is made slow on purpose: the accounts' PINs are made at the cheap cost by
//! a first instance, and a second instance on the same file has a policy whose Argon2 takes a
//! few hundred milliseconds, so each login's decision (the PIN hashed again at the policy's
//! cost) holds the one deciding thread for that long.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::*;
use inps_pin::{HashCost, Policy};
use inps_pin_server::LoadConfig;
use inps_pin_sqlx::DecidingStats;
use inps_pin_sqlx::testing::Scratch;
use serde_json::json;

/// An answer shed at once comes back within this.
const AT_ONCE: Duration = Duration::from_millis(100);

/// The Argon2 cost of the slow instance: 64 MiB, 3 passes (a few hundred milliseconds).
fn slow_cost() -> HashCost {
    HashCost::new(65_536, 3, 1).unwrap()
}

/// Active accounts (codice fiscale, PIN), and an instance whose logins decide slowly, with
/// `load`.
async fn slow_instance(dir: &std::path::Path, load: LoadConfig) -> (Rig, Vec<(String, String)>) {
    let extra = people(3);
    let mut setup = Setup::new(&sqlite_url(dir));
    setup.people = extra.clone();
    setup.seed = 100;
    let cheap = setup.start().await;
    let mut accounts = Vec::new();
    for cf in [MARIO, EMANUELE, FABIO]
        .into_iter()
        .map(str::to_owned)
        .chain(extra.iter().cloned())
    {
        let pin = cheap.active_pin(&cf).await;
        accounts.push((cf, pin));
    }
    cheap.accounts().store().close().await;
    drop(cheap);

    let mut setup = Setup::new(&sqlite_url(dir));
    setup.people = extra;
    setup.seed = 200;
    setup.policy = Policy::default().with_hash_cost(slow_cost());
    setup.load = load;
    (setup.start().await, accounts)
}

fn stats(rig: &Rig) -> Arc<DecidingStats> {
    Arc::clone(rig.accounts().deciding().stats())
}

/// Waits (yielding, not sleeping) until the pool reports `what`.
async fn until(rig: &Rig, what: impl Fn(&DecidingStats) -> bool) {
    let stats = stats(rig);
    while !what(&stats) {
        tokio::task::yield_now().await;
    }
}

/// Waits until the deciding threads are free and nothing waits for them.
async fn idle(rig: &Rig) {
    until(rig, |stats| {
        stats.running.load(Ordering::Acquire) == 0 && stats.queued.load(Ordering::Acquire) == 0
    })
    .await;
}

#[track_caller]
fn assert_shed(answer: &Answer) {
    answer.assert_coded(StatusCode::SERVICE_UNAVAILABLE, "service.busy");
    assert_eq!(answer.headers["retry-after"], "2");
}

fn spawn_login(rig: &Arc<Rig>, account: &(String, String)) -> tokio::task::JoinHandle<Answer> {
    let rig = Arc::clone(rig);
    let (cf, pin) = account.clone();
    tokio::spawn(async move { rig.login(&cf, &pin).await })
}

#[tokio::test]
async fn attack_a_burst_of_logins_beyond_the_deciding_queue_is_shed_at_once_with_503() {
    let dir = Scratch::new("server-load", "queue");
    let load = LoadConfig {
        deciding_threads: Some(1),
        queue_bound: Some(1),
        max_wait_ms: 20_000,
        anonymous_per_minute: 0,
        ..LoadConfig::default()
    };
    let (rig, accounts) = slow_instance(&dir, load).await;
    let rig = Arc::new(rig);
    let stats = stats(&rig);
    // One decision runs, one waits in the queue: the queue is full.
    let running = spawn_login(&rig, &accounts[0]);
    until(&rig, |stats| stats.running.load(Ordering::Acquire) == 1).await;
    let waiting = spawn_login(&rig, &accounts[1]);
    until(&rig, |stats| stats.queued.load(Ordering::Acquire) == 1).await;
    let completed = stats.completed.load(Ordering::Acquire);

    for (cf, pin) in &accounts[2..] {
        let events = rig.events(cf).await.len();
        let started = Instant::now();
        let answer = rig.login(cf, pin).await;
        let took = started.elapsed();
        assert_shed(&answer);
        assert!(took < AT_ONCE, "shed after {took:?}");
        assert_eq!(
            rig.events(cf).await.len(),
            events,
            "a shed login writes nothing"
        );
    }
    assert_eq!(
        stats.completed.load(Ordering::Acquire),
        completed,
        "every shed answer came back while the first decision was still running"
    );
    assert_eq!(stats.refused_busy.load(Ordering::Relaxed), 4);
    // The decisions taken go on to their answers.
    assert_eq!(running.await.unwrap().status, StatusCode::OK);
    assert_eq!(waiting.await.unwrap().status, StatusCode::OK);
}

#[tokio::test]
async fn attack_a_login_that_waits_past_max_wait_is_answered_503_at_its_deadline_and_never_runs() {
    let dir = Scratch::new("server-load", "max-wait");
    let load = LoadConfig {
        deciding_threads: Some(1),
        queue_bound: Some(4),
        max_wait_ms: 50,
        anonymous_per_minute: 0,
        ..LoadConfig::default()
    };
    let (rig, accounts) = slow_instance(&dir, load).await;
    let rig = Arc::new(rig);
    let stats = stats(&rig);
    let running = spawn_login(&rig, &accounts[0]);
    until(&rig, |stats| stats.running.load(Ordering::Acquire) == 1).await;
    let completed = stats.completed.load(Ordering::Acquire);
    let (cf, pin) = &accounts[1];
    let events = rig.events(cf).await.len();
    let started = Instant::now();
    let answer = rig.login(cf, pin).await;
    let took = started.elapsed();
    assert_shed(&answer);
    assert!(took >= Duration::from_millis(50), "{took:?}");
    assert_eq!(
        stats.completed.load(Ordering::Acquire),
        completed,
        "answered at its deadline, while the decision ahead of it still ran ({took:?})"
    );
    assert_eq!(running.await.unwrap().status, StatusCode::OK);
    idle(&rig).await;
    assert_eq!(
        rig.events(cf).await.len(),
        events,
        "the dropped login never ran"
    );
    assert_eq!(stats.expired.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn attack_a_client_past_its_minute_is_answered_429_and_other_clients_still_pass() {
    let dir = Scratch::new("server-load", "per-client");
    let mut setup = Setup::new(&sqlite_url(&dir));
    setup.load.anonymous_per_minute = 3;
    setup.client_ip_header = Some("x-forwarded-for".to_owned());
    let rig = setup.start().await;
    let one = [("x-forwarded-for", "192.0.2.1")];
    let two = [("x-forwarded-for", "192.0.2.2")];
    let login = json!({ "codice_fiscale": EMANUELE, "pin": "ABCDEFGH" });
    let restore =
        json!({ "codice_fiscale": MARIO, "email": "a@example.it", "mobile": "347 000 0000" });
    // Every anonymous endpoint counts against the client's minute.
    let statuses = [
        rig.post_with("/v1/login", &login, &one).await.status,
        rig.post_with("/v1/pin-requests", &person(MARIO), &one)
            .await
            .status,
        rig.post_with("/v1/restore", &restore, &one).await.status,
    ];
    assert_eq!(statuses.map(|status| status.as_u16()), [401, 201, 403]);
    for path in ["/v1/login", "/v1/first-access", "/v1/renewal"] {
        let answer = rig.post_with(path, &login, &one).await;
        answer.assert_coded(StatusCode::TOO_MANY_REQUESTS, "request.rate_limited");
        assert!(answer.body["message"].as_str().unwrap().contains("secondi"));
    }
    assert_eq!(rig.events(EMANUELE).await.len(), 0);
    // Another client passes; operators are not anonymous and are not counted.
    assert_eq!(
        rig.post_with("/v1/login", &login, &two).await.status,
        StatusCode::UNAUTHORIZED
    );
    let by_phone = rig
        .post_with(
            "/v1/operator/contact-center/pin-requests",
            &json!({ "person": person(EMANUELE), "caller_phone": "landline" }),
            &[one[0], ("x-operator-key", CONTACT_CENTER.1)],
        )
        .await;
    assert_eq!(by_phone.status, StatusCode::CREATED, "{}", by_phone.body);
}

#[tokio::test]
async fn attack_a_client_cannot_escape_its_limit_by_prepending_addresses_to_x_forwarded_for() {
    let dir = Scratch::new("server-load", "spoofed");
    let mut setup = Setup::new(&sqlite_url(&dir));
    setup.load.anonymous_per_minute = 3;
    setup.client_ip_header = Some("x-forwarded-for".to_owned());
    let rig = setup.start().await;
    let login = json!({ "codice_fiscale": EMANUELE, "pin": "ABCDEFGH" });
    // The trusted proxy appends the address it saw (192.0.2.9); what comes before it is
    // whatever the client wrote.
    let mut statuses = Vec::new();
    for forged in 0..6 {
        let header = format!("10.0.0.{forged}, 192.0.2.9");
        let answer = rig
            .post_with("/v1/login", &login, &[("x-forwarded-for", &header)])
            .await;
        statuses.push(answer.status.as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429, 429]);
}

#[tokio::test]
async fn attack_requests_beyond_the_in_flight_cap_are_shed_at_once_with_503() {
    let dir = Scratch::new("server-load", "in-flight");
    let load = LoadConfig {
        deciding_threads: Some(1),
        max_in_flight: 1,
        anonymous_per_minute: 0,
        ..LoadConfig::default()
    };
    let (rig, accounts) = slow_instance(&dir, load).await;
    let rig = Arc::new(rig);
    let stats = stats(&rig);
    let running = spawn_login(&rig, &accounts[0]);
    until(&rig, |stats| stats.running.load(Ordering::Acquire) == 1).await;
    let completed = stats.completed.load(Ordering::Acquire);
    for path in ["/healthz", "/v1/openapi.json"] {
        let started = Instant::now();
        let answer = rig.get(path, &[]).await;
        let took = started.elapsed();
        assert_shed(&answer);
        assert!(took < AT_ONCE, "{path} shed after {took:?}");
    }
    let (cf, pin) = &accounts[1];
    assert_shed(&rig.login(cf, pin).await);
    assert_eq!(stats.completed.load(Ordering::Acquire), completed);
    assert_eq!(running.await.unwrap().status, StatusCode::OK);
    assert_eq!(rig.get("/healthz", &[]).await.status, StatusCode::OK);
    let metrics = String::from_utf8(rig.get("/metrics", &[]).await.bytes).unwrap();
    assert!(
        metrics.contains(r#"inps_pin_shed_total{reason="in_flight"} 3"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn attack_a_request_past_its_deadline_is_answered_503_and_writes_nothing() {
    let dir = Scratch::new("server-load", "timeout");
    let load = LoadConfig {
        deciding_threads: Some(1),
        request_timeout_ms: 100,
        anonymous_per_minute: 0,
        ..LoadConfig::default()
    };
    let (rig, accounts) = slow_instance(&dir, load).await;
    let stats = stats(&rig);
    let (cf, pin) = &accounts[0];
    let events = rig.events(cf).await.len();
    let sessions = rig.count("sessions", Some(cf)).await;
    let completed = stats.completed.load(Ordering::Acquire);
    let started = Instant::now();
    let answer = rig.login(cf, pin).await;
    let took = started.elapsed();
    assert_shed(&answer);
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert_eq!(
        stats.completed.load(Ordering::Acquire),
        completed,
        "answered at the deadline, while its decision still ran ({took:?})"
    );
    // The decision runs to its end (Argon2 cannot be interrupted); its outcome is dropped.
    idle(&rig).await;
    assert_eq!(rig.events(cf).await.len(), events);
    assert_eq!(rig.count("sessions", Some(cf)).await, sessions);
    let metrics = String::from_utf8(rig.get("/metrics", &[]).await.bytes).unwrap();
    assert!(
        metrics.contains(r#"inps_pin_shed_total{reason="request_timeout"} 1"#),
        "{metrics}"
    );
}
