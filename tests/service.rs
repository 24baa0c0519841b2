//! The example service (examples/service/), in process: every endpoint and refusal class
//! through the router (`tower::ServiceExt::oneshot`), a restart, eight tasks racing on one
//! account, and the same storage tests against a real PostgreSQL server.
//!
//! PostgreSQL: the tests start a throwaway cluster of their own, or use the server named by
//! `INPS_PIN_TEST_POSTGRES_URL` (tests/common/postgres.rs); without either they are skipped,
//! and say so on the terminal; with `INPS_PIN_REQUIRE_POSTGRES=1` (set by `.ci/run`) a skip
//! fails.

#[path = "../examples/service/app.rs"]
#[allow(dead_code)]
mod app;
#[path = "../examples/service/carrier.rs"]
#[allow(dead_code)]
mod carrier;
#[path = "../examples/service/http.rs"]
#[allow(dead_code)]
mod http;
#[path = "common/postgres.rs"]
mod postgres;
#[path = "common/scratch.rs"]
mod scratch;
#[path = "../examples/service/store.rs"]
#[allow(dead_code)]
mod store;

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use inps_pin::{
    Account, CodiceFiscale, Command, EnteredPin, HashCost, Lockout, PinPart, Policy, Refusal,
    Reply, ServiceId,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use app::{App, Clock, Entropy, ServiceError};
use carrier::LogCarrier;
use http::{HttpState, status_for};
use postgres::database;
use scratch::Scratch;
use store::Store;

const MARIO: &str = "RSSMRA80A01H501U";
const KEY: &str = "test-operator-key";

fn t0() -> Timestamp {
    Timestamp::from_second(1_795_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn cheap_policy() -> Policy {
    Policy::default().with_hash_cost(HashCost::CHEAP)
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("service.db").display())
}

/// One service instance, with its router and its carrier.
struct Rig {
    state: Arc<HttpState>,
    router: Router,
    carrier: Arc<LogCarrier>,
}

impl Rig {
    async fn start(url: &str, dir: &Path, policy: Policy, seed: u64) -> Rig {
        Rig::start_at(url, dir, policy, seed, t0()).await
    }

    async fn start_at(url: &str, dir: &Path, policy: Policy, seed: u64, now: Timestamp) -> Rig {
        let store = Store::connect(url, 8).await.unwrap();
        let app = App::new(store, policy, Clock::fixed(now), Entropy::seeded(seed)).unwrap();
        let state = Arc::new(HttpState {
            app,
            operator_key: KEY.to_owned(),
            demo_clock: true,
        });
        Rig {
            router: http::router(Arc::clone(&state)),
            carrier: Arc::new(LogCarrier::open(dir.join(format!("carrier-{seed}.log")))),
            state,
        }
    }

    fn app(&self) -> &App {
        &self.state.app
    }

    async fn call(
        &self,
        path: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Value) {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, headers, value)
    }

    async fn operator(&self, path: &str, body: Value) -> (StatusCode, HeaderMap, Value) {
        self.call(
            path,
            body,
            &[("x-operator-key", KEY), ("x-operator-id", "sede-roma-01")],
        )
        .await
    }

    async fn drain(&self) -> usize {
        carrier::drain_once(&self.app().store, &self.carrier, self.app().clock.now())
            .await
            .unwrap()
    }

    /// The code the carrier last took for this account and part.
    fn received(&self, cf: &str, part: PinPart) -> String {
        self.carrier
            .sent()
            .into_iter()
            .rev()
            .find(|sent| sent.key.starts_with(cf) && sent.part == Some(part))
            .and_then(|sent| sent.code)
            .unwrap()
    }

    /// Requests a PIN online, receives the second half by post, and makes the first access:
    /// returns the 8-character PIN shown on screen.
    async fn active_pin(&self, cf: &str) -> String {
        let (status, _, issued) = self.call("/online/request", person(cf), &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{issued}");
        let first = issued["shown"][0]["code"].as_str().unwrap().to_owned();
        self.drain().await;
        let second = self.received(cf, PinPart::SecondHalf);
        let (status, _, done) = self
            .call(
                "/first-access",
                json!({ "codice_fiscale": cf, "pin": format!("{first}{second}") }),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        done["shown"][0]["code"].as_str().unwrap().to_owned()
    }
}

fn person(cf: &str) -> Value {
    json!({
        "first_name": "Mario", "surname": "Rossi", "codice_fiscale": cf,
        "street": "Via Roma 1", "postal_code": "00184", "city": "Roma", "province": "RM",
        "email": "mario.rossi@example.it", "mobile": "347 123 4567"
    })
}

fn wrong_pin(right: &str) -> &'static str {
    if right == "AAAAAAAA" {
        "BBBBBBBB"
    } else {
        "AAAAAAAA"
    }
}

// ---- every endpoint, in process ----

#[tokio::test]
async fn every_endpoint_answers_through_the_router() {
    let dir = Scratch::new("service", "endpoints");
    every_endpoint(&sqlite_url(&dir), &dir).await;
}

async fn every_endpoint(url: &str, dir: &Path) {
    let rig = Rig::start(url, dir, cheap_policy(), 1).await;
    let pin = rig.active_pin(MARIO).await;

    // Login from a new browser, asking to be trusted: a session and a device cookie.
    let (status, headers, body) = rig
        .call(
            "/login",
            json!({ "codice_fiscale": MARIO, "pin": pin, "trust_device": true }),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let session = body["session"].as_str().unwrap().to_owned();
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("inps_device="));
    // The trusted device logs in with its cookie.
    let (status, _, _) = rig
        .call(
            "/login",
            json!({ "codice_fiscale": MARIO, "pin": pin }),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Authorise: an ordinary PIN consults, and does not apply for a benefit.
    let bearer = format!("Bearer {session}");
    let consult = ServiceId::CONTRIBUTION_RECORD.as_str();
    let benefit = ServiceId::BONUS_600.as_str();
    let (status, _, body) = rig
        .call(
            "/authorise",
            json!({ "service": consult }),
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["allowed"], true);
    let (status, _, body) = rig
        .call(
            "/authorise",
            json!({ "service": benefit }),
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "authorisation.level_too_low");
    let (status, _, _) = rig
        .call("/authorise", json!({ "service": benefit }), &[])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Upgrade: a written request examined by the intake, decided by the back office.
    let document =
        json!({ "kind": "IdentityCard", "number": "CA00000AA", "expires_on": "2031-03-01" });
    let (status, _, body) = rig
        .operator(
            "/operator/upgrade/request",
            json!({ "codice_fiscale": MARIO, "via": "Online", "document": document }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, _, body) = rig
        .operator(
            "/operator/upgrade/decide",
            json!({ "codice_fiscale": MARIO, "approve": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["reply"]["UpgradeDecided"]["approved"], true);
    // Now dispositivo at the next login.
    let (_, _, body) = rig
        .call(
            "/login",
            json!({ "codice_fiscale": MARIO, "pin": pin }),
            &[],
        )
        .await;
    assert_eq!(body["level"], "Dispositivo");
    let dispositivo_session = format!("Bearer {}", body["session"].as_str().unwrap());
    let (status, _, _) = rig
        .call(
            "/authorise",
            json!({ "service": benefit }),
            &[("authorization", &dispositivo_session)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Renewal before it is due is refused; after the clock passes the warning, it renews.
    let (status, _, body) = rig
        .call(
            "/renew",
            json!({ "codice_fiscale": MARIO, "pin": pin }),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "renewal.not_due");
    let (status, _, body) = rig
        .operator("/operator/test/clock", json!({ "advance_days": 175 }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["ticked"], 1,
        "the expiry warning is a deadline the ticker applies"
    );
    let (status, _, body) = rig
        .call(
            "/renew",
            json!({ "codice_fiscale": MARIO, "pin": pin }),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = body["shown"][0]["code"].as_str().unwrap().to_owned();
    // The renewal ended the sessions of the old PIN (R31).
    let (status, _, body) = rig
        .call(
            "/authorise",
            json!({ "service": benefit }),
            &[("authorization", &dispositivo_session)],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // Restore: both registered contacts; the new 16 waits beside the PIN in use (R23a).
    let (status, _, body) = rig
        .call("/restore", json!({ "codice_fiscale": MARIO, "email": "mario.rossi@example.it", "mobile": "347 123 4567" }), &[])
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, _, _) = rig
        .call(
            "/login",
            json!({ "codice_fiscale": MARIO, "pin": renewed }),
            &[],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the PIN in use still works beside a restore"
    );
    rig.drain().await;
    let notices = rig
        .carrier
        .sent()
        .iter()
        .filter(|sent| sent.kind == "notice")
        .count();
    assert!(notices >= 1, "the owner is told of the restore");

    // Operators: the account view, then a revocation with the tessera checked at the register.
    let (status, _, body) = rig
        .operator_get(&format!("/operator/accounts/{MARIO}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["version"].as_u64().unwrap() > 3);
    let (status, _, body) = rig
        .operator("/operator/revoke", json!({ "codice_fiscale": MARIO, "card_number": "80380000000000000001", "expires_on": "2030-01-01" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["reply"], "PinRevoked");

    // The Contact Center: the first half in the operator's reply, read aloud; the sede: the
    // whole 16 in a sealed envelope from the counter's printer (an outbox row).
    let (status, _, body) = rig
        .operator(
            "/operator/contact-center/request",
            json!({ "person": person(MARIO), "caller_phone": "Mobile" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["shown"][0]["part"], "FirstHalf");
    let emanuele = "RCCMNL83S18D969H";
    let (status, _, body) = rig
        .operator(
            "/operator/sede/request",
            json!({ "person": person(emanuele), "document": document }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["reply"]["PinIssued"]["assurance"], "Dispositivo");
    assert_eq!(body["shown"], json!([]));
    rig.drain().await;
    assert_eq!(rig.received(emanuele, PinPart::WholeFirstPin).len(), 16);
    // At a sede, a PIN is made dispositivo on the spot once it is in use; this one waits for
    // its first access, and the answer says so.
    let (status, _, body) = rig
        .operator(
            "/operator/sede/upgrade",
            json!({ "codice_fiscale": emanuele, "document": document }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "login.first_access_required");

    // Every delivery went out once, and no sent row keeps its code.
    assert_eq!(rig.app().store.outbox_counts().await.unwrap(), (0, 0));
}

impl Rig {
    async fn operator_get(&self, path: &str) -> (StatusCode, HeaderMap, Value) {
        let request = Request::get(path)
            .header("x-operator-key", KEY)
            .header("x-operator-id", "sede-roma-01")
            .body(Body::empty())
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (
            status,
            headers,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn the_clock_endpoint_exists_only_in_the_demo() {
    let dir = Scratch::new("service", "noclock");
    let store = Store::connect(&sqlite_url(&dir), 2).await.unwrap();
    let app = App::new(
        store,
        cheap_policy(),
        Clock::fixed(t0()),
        Entropy::seeded(3),
    )
    .unwrap();
    let state = Arc::new(HttpState {
        app,
        operator_key: KEY.to_owned(),
        demo_clock: false,
    });
    let request = Request::post("/operator/test/clock")
        .header("x-operator-key", KEY)
        .header("x-operator-id", "sede-roma-01")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"advance_days": 1}"#))
        .unwrap();
    let response = http::router(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

// ---- refusals ----

#[tokio::test]
async fn r30_an_unknown_codice_fiscale_and_a_wrong_pin_get_the_same_answer() {
    let dir = Scratch::new("service", "r30");
    let rig = Rig::start(&sqlite_url(&dir), &dir, cheap_policy(), 4).await;
    let pin = rig.active_pin(MARIO).await;
    let wrong = rig
        .router
        .clone()
        .oneshot(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({ "codice_fiscale": MARIO, "pin": wrong_pin(&pin) }).to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    let unknown = rig
        .router
        .clone()
        .oneshot(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({ "codice_fiscale": "RCCMNL83S18D969H", "pin": wrong_pin(&pin) })
                        .to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status(), unknown.status());
    let headers = |response: &axum::response::Response| {
        let mut names: Vec<String> = response
            .headers()
            .iter()
            .filter(|(name, _)| *name != header::DATE)
            .map(|(name, value)| format!("{name}: {value:?}"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(headers(&wrong), headers(&unknown));
    let wrong = to_bytes(wrong.into_body(), 1 << 20).await.unwrap();
    let unknown = to_bytes(unknown.into_body(), 1 << 20).await.unwrap();
    assert_eq!(wrong, unknown, "the same bytes");
    // The unknown codice fiscale left nothing behind.
    let stranger = CodiceFiscale::parse("RCCMNL83S18D969H").unwrap();
    assert!(rig.app().store.events(stranger).await.unwrap().is_empty());
}

/// Every refusal the crate lists, with the status its class maps to: none falls to the 500 of
/// an unclassed code but the internal ones.
/// The deciding pool answers each decision with its result, and a decision that panics is an
/// error for its caller alone: the thread goes on with the next.
#[tokio::test]
async fn the_deciding_pool_answers_and_outlives_a_panicking_decision() {
    let pool = app::deciding::DecidingPool::new(1).unwrap();
    let (answer, _waited) = pool.run(|| 6 * 7).await.unwrap();
    assert_eq!(answer, 42);
    let panicked = pool
        .run(|| -> u32 { panic!("a decision that panics (expected by this test)") })
        .await;
    assert!(panicked.unwrap_err().contains("panicked"));
    // One thread: the same one ran the panicking job and runs this.
    let (answer, _waited) = pool.run(|| "still deciding").await.unwrap();
    assert_eq!(answer, "still deciding");
}

#[test]
fn every_refusal_maps_to_a_status_by_its_class() {
    let cf = CodiceFiscale::parse(MARIO).unwrap();
    let at = t0();
    let day = jiff::civil::date(2030, 1, 1);
    let all = [
        (
            Refusal::WrongAccount { requested: cf },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (Refusal::PinAlreadyLive, StatusCode::CONFLICT),
        (
            Refusal::TemporaryCodiceFiscale,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Refusal::NoContactForFirstHalf,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Refusal::IdentityDocumentExpired { expired_on: day },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (Refusal::WholePinRequired, StatusCode::UNPROCESSABLE_ENTITY),
        (Refusal::FirstPinLapsed { lapsed_at: at }, StatusCode::GONE),
        (Refusal::FirstAccessRequired, StatusCode::CONFLICT),
        (Refusal::PinExpired { expired_at: at }, StatusCode::CONFLICT),
        (
            Refusal::RenewalNotDue { renewable_from: at },
            StatusCode::CONFLICT,
        ),
        (Refusal::PinBlocked, StatusCode::LOCKED),
        (
            Refusal::LoginDelayed { retry_after: at },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        (
            Refusal::NewPinsDiscontinued { since: day },
            StatusCode::FORBIDDEN,
        ),
        (Refusal::PinsRetired { since: day }, StatusCode::GONE),
        (Refusal::NoPin, StatusCode::NOT_FOUND),
        (Refusal::ContactsNotMatching, StatusCode::FORBIDDEN),
        (Refusal::TesseraNotMatching, StatusCode::FORBIDDEN),
        (
            Refusal::TesseraExpired { expired_on: day },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (Refusal::ArchiveNotMatching, StatusCode::FORBIDDEN),
        (
            Refusal::AttestationFromTheFuture,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Refusal::AttestationStale { checked_at: at },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (Refusal::AlreadyDispositivo, StatusCode::CONFLICT),
        (Refusal::UpgradePending, StatusCode::CONFLICT),
        (Refusal::NoUpgradePending, StatusCode::NOT_FOUND),
        (
            Refusal::RestoreLimitReached { retry_after: at },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        (
            Refusal::StoredHashRejected,
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        (Refusal::Internal, StatusCode::INTERNAL_SERVER_ERROR),
        (Refusal::HashingFailed, StatusCode::INTERNAL_SERVER_ERROR),
    ];
    for (refusal, status) in &all {
        assert_eq!(status_for(refusal), *status, "{}", refusal.code());
        assert!(!refusal.message_it().is_empty());
    }
}

#[tokio::test]
async fn refusal_classes_through_the_router() {
    let dir = Scratch::new("service", "classes");
    let rig = Rig::start(&sqlite_url(&dir), &dir, cheap_policy(), 5).await;
    let pin = rig.active_pin(MARIO).await;

    // 409: a second request while a PIN is live (R14).
    let (status, _, body) = rig.call("/online/request", person(MARIO), &[]).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("request.pin_already_live"))
    );
    assert!(body["message"].as_str().unwrap().contains("PIN"));

    // 422: what the person typed does not parse (R30), with a code and an Italian message.
    let (status, _, body) = rig
        .call(
            "/login",
            json!({ "codice_fiscale": "RSSMRA80A01H501X", "pin": pin }),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["code"]
            .as_str()
            .unwrap()
            .starts_with("codice_fiscale."),
        "{body}"
    );
    // 403: wrong contacts for a restore.
    let (status, _, body) = rig
        .call("/restore", json!({ "codice_fiscale": MARIO, "email": "someone@example.it", "mobile": "347 000 0000" }), &[])
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("restore.contacts_not_matching"))
    );

    // 401, then 401 again: a wrong PIN, then another inside the delay, which reads the same as
    // a wrong PIN or an unknown codice fiscale (R30a).
    let (status, _, _) = rig
        .call(
            "/login",
            json!({ "codice_fiscale": MARIO, "pin": wrong_pin(&pin) }),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, headers, body) = rig
        .call(
            "/login",
            json!({ "codice_fiscale": MARIO, "pin": wrong_pin(&pin) }),
            &[],
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("login.credentials_invalid"))
    );
    assert!(headers.get(header::RETRY_AFTER).is_none());

    // 401 still: blocked after ten in a row (the clock moves past each delay), and told to no
    // one who knows only the codice fiscale (R30a); the message says to restore.
    for _ in 0..12 {
        rig.state.app.clock.advance(SignedDuration::from_secs(11));
        let _ = rig
            .call(
                "/login",
                json!({ "codice_fiscale": MARIO, "pin": wrong_pin(&pin) }),
                &[],
            )
            .await;
    }
    rig.state.app.clock.advance(SignedDuration::from_secs(11));
    let (status, _, body) = rig
        .call(
            "/login",
            json!({ "codice_fiscale": MARIO, "pin": pin }),
            &[],
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("login.credentials_invalid"))
    );

    // 401: an operator endpoint without the key.
    let (status, _, body) = rig
        .call(
            "/operator/upgrade/decide",
            json!({ "codice_fiscale": MARIO, "approve": true }),
            &[],
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("operator.unauthorised"))
    );
    // 409: a decision with no request waiting... on a blocked PIN the table answers first.
    let (status, _, body) = rig
        .operator(
            "/operator/upgrade/decide",
            json!({ "codice_fiscale": MARIO, "approve": true }),
        )
        .await;
    assert_eq!(body["code"], "login.pin_blocked", "{body}");
    assert_eq!(status, StatusCode::LOCKED, "{body}");
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

// ---- restart ----

#[tokio::test]
async fn a_restart_keeps_accounts_deadlines_and_unsent_deliveries() {
    let dir = Scratch::new("service", "restart");
    restart(&sqlite_url(&dir), &dir).await;
}

async fn restart(url: &str, dir: &Path) {
    let cf = CodiceFiscale::parse(MARIO).unwrap();
    let rig = Rig::start(url, dir, cheap_policy(), 6).await;
    let (status, _, issued) = rig.call("/online/request", person(MARIO), &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    let first = issued["shown"][0]["code"].as_str().unwrap().to_owned();
    let deadline = rig.app().store.next_deadline(cf).await.unwrap();
    assert!(
        deadline.is_some(),
        "the first-access window's end is stored"
    );
    // Stopped before the drainer ran.
    assert_eq!(rig.app().store.outbox_counts().await.unwrap(), (2, 0));
    rig.app().store.close().await;
    drop(rig);

    let rig = Rig::start(url, dir, cheap_policy(), 7).await;
    let account = rig.app().store.load(cf).await.unwrap();
    assert_eq!(account.version(), 1);
    assert_eq!(rig.app().store.next_deadline(cf).await.unwrap(), deadline);
    assert_eq!(
        rig.drain().await,
        2,
        "the unsent deliveries go out after the restart"
    );
    assert_eq!(rig.drain().await, 0, "once");
    assert_eq!(rig.app().store.outbox_counts().await.unwrap(), (0, 0));
    let second = rig.received(MARIO, PinPart::SecondHalf);
    assert_eq!(second.len(), 8);
    assert_ne!(first, second);

    // The deadline survives too: past the 90 days, the ticker lapses the unused 16.
    rig.app().clock.advance(SignedDuration::from_hours(24 * 91));
    assert_eq!(rig.app().tick_due().await.unwrap(), 1);
    assert_eq!(rig.app().tick_due().await.unwrap(), 0);
    let (status, _, body) = rig
        .call(
            "/first-access",
            json!({ "codice_fiscale": MARIO, "pin": format!("{first}{second}") }),
            &[],
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("first_access.pin_lapsed"))
    );
}

// ---- concurrency ----

/// A policy whose lockout never delays, so that every racing attempt runs its verification.
fn racing_policy() -> Policy {
    let mut policy = cheap_policy();
    policy.lockout = Lockout::new(vec![], 100).unwrap();
    policy.validate().unwrap();
    policy
}

#[tokio::test]
async fn eight_tasks_on_one_account_lose_no_event_and_verify_once_each() {
    let dir = Scratch::new("service", "eight");
    let url = sqlite_url(&dir);
    race(&[&url], &dir).await;
}

#[tokio::test]
async fn two_instances_on_one_sqlite_file_race_on_one_account() {
    let dir = Scratch::new("service", "two-sqlite");
    let url = sqlite_url(&dir);
    race(&[&url, &url], &dir).await;
}

/// Eight tasks, right and wrong PINs mixed, spread over one instance per URL given.
async fn race(urls: &[&str], dir: &Path) {
    let cf = CodiceFiscale::parse(MARIO).unwrap();
    let mut rigs = Vec::new();
    for (index, url) in urls.iter().enumerate() {
        rigs.push(Arc::new(
            Rig::start(url, dir, racing_policy(), 10 + index as u64).await,
        ));
    }
    let pin = rigs[0].active_pin(MARIO).await;
    let before = rigs[0].app().store.load(cf).await.unwrap().version();

    let mut tasks = Vec::new();
    for task in 0..8 {
        let rig = Arc::clone(&rigs[task % rigs.len()]);
        let typed = if task % 2 == 0 {
            pin.clone()
        } else {
            wrong_pin(&pin).to_owned()
        };
        tasks.push(tokio::spawn(async move {
            let command = Command::LogIn {
                pin: EnteredPin::parse(&typed).unwrap(),
                device: None,
                trust_device: false,
            };
            rig.app().attempt(cf, command).await
        }));
    }
    let mut appended = 0;
    let mut lost = 0;
    for task in tasks {
        let attempt = task.await.unwrap();
        assert!(
            attempt.verifications <= 1,
            "Argon2 ran {} times for one login",
            attempt.verifications
        );
        match attempt.result {
            Ok(handled) => {
                appended += handled.events;
                lost += handled.lost_races;
                assert!(matches!(
                    handled.reply,
                    Reply::LoggedIn(_) | Reply::LoginFailed(_)
                ));
                assert_eq!(attempt.verifications, 1);
            }
            Err(ServiceError::Refused(refusal, _)) => panic!("refused: {refusal:?}"),
            Err(error) => panic!("{error:?}"),
        }
    }
    let store = &rigs[0].app().store;
    let events = store.events(cf).await.unwrap();
    let cached = store.load(cf).await.unwrap();
    let replayed = Account::replay(cf, &events);
    assert_eq!(replayed, cached, "replay equals the snapshot");
    assert_eq!(
        cached.version(),
        events.len() as u64,
        "the version is the events' count"
    );
    assert_eq!(cached.version(), before + appended as u64, "no event lost");
    assert!(appended >= 4, "each wrong PIN is one event");
    if urls.len() > 1 {
        eprintln!("two instances: {lost} lost compare-and-swaps, decided again without Argon2");
    }
}

// ---- PostgreSQL ----

#[tokio::test]
async fn postgres_storage_endpoints_restart_and_two_instances_racing() {
    let Some(started) = postgres::server() else {
        return;
    };
    let server = started.url();
    every_endpoint(
        &database(&server, "inps_pin_endpoints").await,
        &Scratch::new("service", "pg-endpoints"),
    )
    .await;
    restart(
        &database(&server, "inps_pin_restart").await,
        &Scratch::new("service", "pg-restart"),
    )
    .await;
    let one = database(&server, "inps_pin_one").await;
    race(&[&one], &Scratch::new("service", "pg-one")).await;
    // Two instances on two pools, several rounds: they meet on the same versions and lose
    // compare-and-swaps, and still lose no event and verify once per attempt.
    for round in 0..3 {
        let two = database(&server, &format!("inps_pin_two{round}")).await;
        race(
            &[&two, &two],
            &Scratch::new("service", &format!("pg-two{round}")),
        )
        .await;
    }
    two_drainers_hand_each_row_to_one_carrier(
        &database(&server, "inps_pin_drainers").await,
        &Scratch::new("service", "pg-drainers"),
    )
    .await;
}

/// A valid codice fiscale from its first 15 characters: the check character that parses.
fn with_check(first_15: &str) -> String {
    ('A'..='Z')
        .map(|check| format!("{first_15}{check}"))
        .find(|code| CodiceFiscale::parse(code).is_ok())
        .unwrap()
}

/// Requests a PIN online for each account: each leaves its second half in the outbox.
async fn outbox_rows_for(rig: &Rig, accounts: &[String]) -> i64 {
    for cf in accounts {
        let (status, _, issued) = rig.call("/online/request", person(cf), &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{issued}");
    }
    rig.app().store.outbox_counts().await.unwrap().0
}

/// Drains a row per batch until a batch claims nothing.
async fn drain_row_by_row(rig: &Rig) {
    let now = rig.app().clock.now();
    while carrier::drain_batch(&rig.app().store, &rig.carrier, now, 1)
        .await
        .unwrap()
        .claimed
        > 0
    {}
}

/// Two instances draining one PostgreSQL outbox at once: `FOR UPDATE SKIP LOCKED` gives each
/// row to one drainer, so no row is handed to two carriers, and a drainer does not wait for
/// another's rows.
async fn two_drainers_hand_each_row_to_one_carrier(url: &str, dir: &Path) {
    let one = Rig::start(url, dir, cheap_policy(), 1).await;
    let two = Rig::start(url, dir, cheap_policy(), 2).await;
    let now = one.app().clock.now();
    let accounts: Vec<String> = (1..=12)
        .map(|day| with_check(&format!("RSSMRA80A{day:02}H501")))
        .collect();
    let waiting = outbox_rows_for(&one, &accounts[..6]).await;
    assert!(waiting >= 6, "{waiting} rows");

    // The first drainer holds its claim on the two oldest rows while the second drains: the
    // second passes over them and takes all the others.
    let mut held = one.app().store.claim_unsent(2).await.unwrap();
    let rows = std::mem::take(&mut held.rows);
    assert_eq!(rows.len(), 2);
    let batch = carrier::drain_batch(&two.app().store, &two.carrier, now, 100)
        .await
        .unwrap();
    assert_eq!(batch.sent as i64, waiting - 2);
    for row in &rows {
        one.carrier.take(row).unwrap();
        held.mark_sent(row, now).await.unwrap();
    }
    held.finish().await.unwrap();

    // Then both drain at once, a row per batch, racing for the rows of six more requests.
    let waiting = waiting + outbox_rows_for(&one, &accounts[6..]).await;
    tokio::join!(drain_row_by_row(&one), drain_row_by_row(&two));

    let keys = |rig: &Rig| -> Vec<String> {
        rig.carrier
            .sent()
            .into_iter()
            .map(|sent| sent.key)
            .collect()
    };
    let (by_one, by_two) = (keys(&one), keys(&two));
    let mut every = [by_one.clone(), by_two.clone()].concat();
    every.sort();
    every.dedup();
    assert_eq!(
        every.len(),
        by_one.len() + by_two.len(),
        "a row went to both carriers: {by_one:?} {by_two:?}"
    );
    assert_eq!(
        every.len() as i64,
        waiting,
        "every row was handed over once"
    );
    assert_eq!(one.app().store.outbox_counts().await.unwrap(), (0, 0));
}
