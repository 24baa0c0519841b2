//! Every endpoint of version 1, end to end through the router: the right status and the shape
//! of each answer, what the carrier delivers and where, and the OpenAPI document that
//! describes them.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use inps_pin::{Medium, OperatorId, PinPart};
use inps_pin_server::{Config, MemoryCarrier, ServiceBuilder};
use inps_pin_sqlx::Clock as _;
use inps_pin_sqlx::testing::Scratch;
use jiff::SignedDuration;
use serde_json::{Value, json};

fn scratch(name: &str) -> Scratch {
    Scratch::new("server-api", name)
}

const CONSULT: &str = "estratto-contributivo";
const BENEFIT: &str = "bonus-600-euro";

async fn authorise(rig: &Rig, bearer: &str, service: &str) -> Answer {
    rig.post_with(
        "/v1/authorisations",
        &json!({ "service": service }),
        &[("authorization", bearer)],
    )
    .await
}

/// The session no longer stands: the command that ended its PIN deleted it (R31).
async fn assert_ended(rig: &Rig, bearer: &str) {
    let answer = authorise(rig, bearer, CONSULT).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    assert!(
        matches!(answer.code(), "session.unknown" | "session.ended"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn r11_r35_an_online_request_shows_the_first_half_and_posts_the_second_to_the_archives_residence()
 {
    let dir = scratch("r11");
    let rig = Rig::sqlite(&dir).await;
    let issued = rig.post("/v1/pin-requests", &person(MARIO)).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    assert_eq!(issued.body["channel"], "online");
    assert_eq!(issued.body["level"], "ordinario");
    assert_eq!(issued.body["first_access_by"], "2026-05-31T08:00:00Z");
    assert!(issued.body["message"].as_str().unwrap().contains("PIN"));
    let shown = issued.body["shown"].as_array().unwrap();
    assert_eq!(shown.len(), 1, "only the first half is shown");
    assert_eq!(shown[0]["part"], "first_half");
    assert_eq!(shown[0]["medium"], "screen");
    let first = issued.shown_code();
    assert_eq!(first.len(), 8);

    let drained = rig.drain().await;
    assert_eq!((drained.claimed, drained.sent), (2, 2));
    // The first half also by e-mail; the second by sealed post, to the residence the ARCHIVE
    // holds (Via del Corso 12), not the one the form typed (Via Roma 1).
    assert_eq!(rig.received(MARIO, PinPart::FirstHalf), first);
    let second = rig.received(MARIO, PinPart::SecondHalf);
    assert_eq!(second.len(), 8);
    assert_ne!(second, first);
    let sent = rig.sent_to(MARIO);
    assert!(sent.iter().any(|sent| sent.part == Some(PinPart::FirstHalf)
        && matches!(&sent.medium, Medium::Email(email) if email.as_str() == "mario.rossi@example.it")));
    assert_eq!(sealed_post_address(&sent), archive_residence());
    assert!(!issued.bytes.windows(8).any(|w| w == second.as_bytes()));
}

#[tokio::test]
async fn r6_the_first_access_exchanges_the_16_for_an_8_and_opens_a_session() {
    let dir = scratch("r6");
    let rig = Rig::sqlite(&dir).await;
    let first = rig.request_pin(MARIO).await;
    rig.drain().await;
    let second = rig.received(MARIO, PinPart::SecondHalf);
    let whole = format!("{first}{second}");
    // Half a PIN is not a first access.
    let half = rig
        .post(
            "/v1/first-access",
            &json!({ "codice_fiscale": MARIO, "pin": first }),
        )
        .await;
    half.assert_coded(
        StatusCode::UNPROCESSABLE_ENTITY,
        "first_access.whole_pin_required",
    );
    let done = rig
        .post(
            "/v1/first-access",
            &json!({ "codice_fiscale": MARIO, "pin": whole }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["level"], "ordinario");
    assert_eq!(done.body["expires_at"], "2026-03-02T09:30:00Z");
    assert_eq!(done.body["shown"][0]["part"], "pin");
    assert_eq!(done.body["shown"][0]["medium"], "screen");
    let pin = done.shown_code();
    assert_eq!(pin.len(), 8);
    assert_eq!(
        done.body["session_token"].as_str().unwrap().len(),
        64,
        "{}",
        done.body
    );
    // The 16 stops working; the 8 logs in.
    let again = rig
        .post(
            "/v1/first-access",
            &json!({ "codice_fiscale": MARIO, "pin": whole }),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{}", again.body);
    // That try counted as a wrong PIN: its delay passes first.
    rig.advance(SignedDuration::from_secs(2));
    let login = rig.login(MARIO, &pin).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.body["shown"], json!([]));
}

#[tokio::test]
async fn r15_r19_an_ordinary_pin_consults_and_may_not_apply_for_the_600_euro_bonus() {
    let dir = scratch("r15");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let bearer = rig.session(MARIO, &pin).await;

    let allowed = authorise(&rig, &bearer, CONSULT).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    assert_eq!(allowed.body["allowed"], true);
    assert_eq!(allowed.body["required"], "ordinario");
    assert_eq!(allowed.body["held"], "ordinario");
    assert_eq!(allowed.body["code"], Value::Null);

    let refused = authorise(&rig, &bearer, BENEFIT).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.body["allowed"], false);
    assert_eq!(refused.body["required"], "dispositivo");
    assert_eq!(refused.body["held"], "ordinario");
    assert_eq!(refused.body["code"], "authorisation.level_too_low");
    assert!(!refused.body["message"].as_str().unwrap().is_empty());

    authorise(&rig, &bearer, "no-such-service")
        .await
        .assert_coded(StatusCode::NOT_FOUND, "authorisation.unknown_service");
    rig.post("/v1/authorisations", &json!({ "service": CONSULT }))
        .await
        .assert_coded(StatusCode::UNAUTHORIZED, "session.missing");
    authorise(&rig, "Bearer not-a-session", CONSULT)
        .await
        .assert_coded(StatusCode::UNAUTHORIZED, "session.unknown");
}

#[tokio::test]
async fn r31_a_session_logged_out_is_refused() {
    let dir = scratch("r31-logout");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let bearer = rig.session(MARIO, &pin).await;
    let other = rig.session(MARIO, &pin).await;
    let out = rig
        .call(
            Method::DELETE,
            "/v1/session",
            None,
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.bytes.is_empty());
    authorise(&rig, &bearer, CONSULT)
        .await
        .assert_coded(StatusCode::UNAUTHORIZED, "session.unknown");
    // Only that session ended.
    assert_eq!(
        authorise(&rig, &other, CONSULT).await.status,
        StatusCode::OK
    );
    rig.call(Method::DELETE, "/v1/session", None, &[])
        .await
        .assert_coded(StatusCode::UNAUTHORIZED, "session.missing");
}

#[tokio::test]
async fn r21_r31_renewal_is_refused_until_due_then_gives_a_new_pin_and_ends_the_old_sessions() {
    let dir = scratch("r21");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let body = json!({ "codice_fiscale": MARIO, "pin": pin });
    rig.post("/v1/renewal", &body)
        .await
        .assert_coded(StatusCode::CONFLICT, "renewal.not_due");

    // 175 days on, inside the 14 days before the six months: the ticker warns, and the PIN
    // can be renewed.
    rig.advance(SignedDuration::from_hours(24 * 175));
    let report = rig.accounts().tick_due(100).await.unwrap();
    assert_eq!(report.ticked, 1, "the expiry warning is a deadline");
    rig.drain().await;
    assert!(
        rig.sent_to(MARIO).iter().any(|sent| sent.code.is_none()),
        "the warning went out as a notice"
    );
    let before = rig.session(MARIO, &pin).await;
    let renewed = rig.post("/v1/renewal", &body).await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    assert_eq!(renewed.body["level"], "ordinario");
    assert_eq!(renewed.body["shown"][0]["part"], "pin");
    let new_pin = renewed.shown_code();
    assert_ne!(new_pin, pin);
    assert_ended(&rig, &before).await;
    let renewed_session = format!("Bearer {}", renewed.body["session_token"].as_str().unwrap());
    assert_eq!(
        authorise(&rig, &renewed_session, CONSULT).await.status,
        StatusCode::OK
    );
    assert_eq!(rig.login(MARIO, &new_pin).await.status, StatusCode::OK);
    assert_eq!(
        rig.login(MARIO, &pin).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn r23_r23a_a_restore_sends_a_half_to_each_contact_and_the_pin_in_use_keeps_working() {
    let dir = scratch("r23");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let session = rig.session(MARIO, &pin).await;
    let restore = json!({
        "codice_fiscale": MARIO, "email": "mario.rossi@example.it", "mobile": "347 123 4567"
    });
    let accepted = rig.post("/v1/restore", &restore).await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    assert_eq!(accepted.body["code"], "restore.sent");
    assert!(!accepted.body["message"].as_str().unwrap().is_empty());
    assert_eq!(accepted.body.as_object().unwrap().len(), 2, "no code shown");
    // The PIN in use and its session still work beside the restore.
    assert_eq!(rig.login(MARIO, &pin).await.status, StatusCode::OK);
    assert_eq!(
        authorise(&rig, &session, CONSULT).await.status,
        StatusCode::OK
    );

    rig.drain().await;
    let sent = rig.sent_to(MARIO);
    let restored: Vec<_> = sent
        .iter()
        .filter(|sent| sent.key.contains("-4-"))
        .collect();
    assert!(
        restored
            .iter()
            .any(|sent| sent.part == Some(PinPart::FirstHalf)
                && matches!(&sent.medium, Medium::Email(_))),
        "{restored:?}"
    );
    assert!(
        restored
            .iter()
            .any(|sent| sent.part == Some(PinPart::SecondHalf)
                && matches!(&sent.medium, Medium::Sms(_))),
        "{restored:?}"
    );
    assert!(
        restored.iter().any(|sent| sent.code.is_none()),
        "the owner is told a restore was asked for"
    );
    let whole = format!(
        "{}{}",
        rig.received(MARIO, PinPart::FirstHalf),
        rig.received(MARIO, PinPart::SecondHalf)
    );
    let done = rig
        .post(
            "/v1/first-access",
            &json!({ "codice_fiscale": MARIO, "pin": whole }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let new_pin = done.shown_code();
    // The new code replaced the old PIN, and the old PIN's sessions (R31).
    assert_eq!(
        rig.login(MARIO, &pin).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_ended(&rig, &session).await;
    rig.advance(SignedDuration::from_secs(2));
    assert_eq!(rig.login(MARIO, &new_pin).await.status, StatusCode::OK);
}

#[tokio::test]
async fn r12_a_contact_center_request_shows_the_first_half_to_read_aloud() {
    let dir = scratch("r12");
    let rig = Rig::sqlite(&dir).await;
    let issued = rig
        .operator(
            CONTACT_CENTER,
            "/v1/operator/contact-center/pin-requests",
            &json!({ "person": person(EMANUELE), "caller_phone": "mobile" }),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    assert_eq!(issued.body["channel"], "contact_center");
    assert_eq!(issued.body["level"], "ordinario");
    assert_eq!(issued.body["shown"].as_array().unwrap().len(), 1);
    assert_eq!(issued.body["shown"][0]["part"], "first_half");
    assert_eq!(issued.body["shown"][0]["medium"], "voice");
    rig.drain().await;
    let sent = rig.sent_to(EMANUELE);
    assert_eq!(
        rig.received(EMANUELE, PinPart::FirstHalf),
        issued.shown_code()
    );
    assert_eq!(sealed_post_address(&sent), archive_residence());
}

#[tokio::test]
async fn r13_a_sede_request_shows_nothing_and_prints_the_envelope_at_the_counter() {
    let dir = scratch("r13");
    let rig = Rig::sqlite(&dir).await;
    let issued = rig
        .operator(
            SEDE,
            "/v1/operator/sede/pin-requests",
            &json!({ "person": person(EMANUELE), "document": document() }),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    assert_eq!(issued.body["channel"], "sede");
    assert_eq!(issued.body["level"], "dispositivo");
    assert_eq!(issued.body["shown"], json!([]));
    rig.drain().await;
    let sent = rig.sent_to(EMANUELE);
    let envelope = sent
        .iter()
        .find(|sent| sent.part == Some(PinPart::WholeFirstPin))
        .unwrap();
    assert_eq!(
        envelope.medium,
        Medium::SealedEnvelopeAtCounter(OperatorId::new(SEDE.0).unwrap())
    );
    let whole = envelope.code.clone().unwrap();
    assert_eq!(whole.len(), 16);
    let done = rig
        .post(
            "/v1/first-access",
            &json!({ "codice_fiscale": EMANUELE, "pin": whole }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["level"], "dispositivo");
    let bearer = format!("Bearer {}", done.body["session_token"].as_str().unwrap());
    assert_eq!(
        authorise(&rig, &bearer, BENEFIT).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn r24_r31_a_revocation_with_the_registered_card_ends_the_pin_and_its_sessions() {
    let dir = scratch("r24");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let session = rig.session(MARIO, &pin).await;
    let revoked = rig
        .operator(
            CONTACT_CENTER,
            "/v1/operator/revocations",
            &json!({ "codice_fiscale": MARIO, "card_number": MARIO_CARD, "expires_on": CARD_EXPIRY }),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["code"], "pin.revoked");
    assert_eq!(revoked.body["shown"], json!([]));
    assert!(!revoked.body["message"].as_str().unwrap().is_empty());
    rig.login(MARIO, &pin)
        .await
        .assert_coded(StatusCode::UNAUTHORIZED, "login.credentials_invalid");
    assert_ended(&rig, &session).await;
    // After the revocation a new PIN can be requested.
    rig.request_pin(MARIO).await;
}

#[tokio::test]
async fn r16_r17_an_upgrade_request_waits_for_the_back_office_whose_decision_makes_it_dispositivo()
{
    let dir = scratch("r17");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let request = json!({ "codice_fiscale": MARIO, "via": "online", "document": document() });
    let waiting = rig
        .operator(BACK_OFFICE, "/v1/operator/upgrade-requests", &request)
        .await;
    assert_eq!(waiting.status, StatusCode::ACCEPTED, "{}", waiting.body);
    assert_eq!(waiting.body["code"], "upgrade.requested");
    rig.operator(BACK_OFFICE, "/v1/operator/upgrade-requests", &request)
        .await
        .assert_coded(StatusCode::CONFLICT, "upgrade.pending");
    let decided = rig
        .operator(
            BACK_OFFICE,
            "/v1/operator/upgrade-decisions",
            &json!({ "codice_fiscale": MARIO, "approve": true }),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    assert_eq!(decided.body["code"], "upgrade.approved");
    let login = rig.login(MARIO, &pin).await;
    assert_eq!(login.body["level"], "dispositivo");
    let bearer = format!("Bearer {}", login.body["session_token"].as_str().unwrap());
    assert_eq!(
        authorise(&rig, &bearer, BENEFIT).await.status,
        StatusCode::OK
    );
    rig.operator(
        BACK_OFFICE,
        "/v1/operator/upgrade-decisions",
        &json!({ "codice_fiscale": MARIO, "approve": true }),
    )
    .await
    .assert_coded(StatusCode::NOT_FOUND, "upgrade.none_pending");

    // A rejection needs a reason, and the PIN stays ordinary.
    let pin = rig.active_pin(FABIO).await;
    let fax = json!({ "codice_fiscale": FABIO, "via": "fax", "document": document() });
    rig.operator(BACK_OFFICE, "/v1/operator/upgrade-requests", &fax)
        .await;
    let no_reason = rig
        .operator(
            BACK_OFFICE,
            "/v1/operator/upgrade-decisions",
            &json!({ "codice_fiscale": FABIO, "approve": false }),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rejected = rig
        .operator(
            BACK_OFFICE,
            "/v1/operator/upgrade-decisions",
            &json!({ "codice_fiscale": FABIO, "approve": false, "reason": "Documento illeggibile" }),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["code"], "upgrade.rejected");
    assert_eq!(rig.login(FABIO, &pin).await.body["level"], "ordinario");
}

#[tokio::test]
async fn r16_an_upgrade_at_a_sede_is_decided_on_the_spot() {
    let dir = scratch("r16");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(EMANUELE).await;
    let body = json!({ "codice_fiscale": EMANUELE, "document": document() });
    let done = rig
        .operator(SEDE, "/v1/operator/sede/upgrades", &body)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["code"], "upgrade.done");
    assert_eq!(rig.login(EMANUELE, &pin).await.body["level"], "dispositivo");
    rig.operator(SEDE, "/v1/operator/sede/upgrades", &body)
        .await
        .assert_coded(StatusCode::CONFLICT, "upgrade.already_dispositivo");
    // An expired document is refused.
    let expired = json!({ "codice_fiscale": FABIO, "document":
        { "kind": "passport", "number": "YA1234567", "expires_on": "2025-01-01" } });
    rig.active_pin(FABIO).await;
    let refused = rig
        .operator(SEDE, "/v1/operator/sede/upgrades", &expired)
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn r30_the_account_view_shows_the_state_and_never_a_code_or_a_hash() {
    let dir = scratch("view");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    rig.login(MARIO, &wrong_pin(&pin)).await;
    let path = format!("/v1/operator/accounts/{MARIO}");
    for who in [AUDITOR, SEDE, CONTACT_CENTER, BACK_OFFICE] {
        let view = rig.get(&path, &[("x-operator-key", who.1)]).await;
        assert_eq!(view.status, StatusCode::OK, "{}: {}", who.0, view.body);
    }
    let view = rig.get(&path, &[("x-operator-key", AUDITOR.1)]).await;
    assert_eq!(view.body["codice_fiscale"], MARIO);
    assert_eq!(view.body["version"], 3);
    assert_eq!(view.body["phase"], "Active");
    assert_eq!(view.body["consecutive_failures"], 1);
    assert_eq!(view.body["expires_at"], "2026-09-02T08:00:00Z");
    assert_eq!(view.body["now"], "2026-03-02T09:00:00Z");
    assert!(view.body["next_deadline"].is_string());
    let text = String::from_utf8(view.bytes.clone()).unwrap();
    assert!(!text.contains(&pin) && !text.contains("argon2"), "{text}");
    rig.get(
        "/v1/operator/accounts/NOTACODICEFISCALE",
        &[("x-operator-key", AUDITOR.1)],
    )
    .await
    .assert_coded(
        StatusCode::UNPROCESSABLE_ENTITY,
        "codice_fiscale.wrong_length",
    );
}

#[tokio::test]
async fn r35_the_demo_clock_is_a_route_only_in_demo_mode() {
    let dir = scratch("clock");
    let rig = Rig::sqlite(&dir).await;
    let body = json!({ "advance_days": 1 });
    rig.operator(AUDITOR, "/v1/operator/demo/clock", &body)
        .await
        .assert_coded(StatusCode::NOT_FOUND, "route.not_found");
    assert_eq!(rig.clock.now(), t0());

    // In demo mode (built-in fixtures, a demo operator) the clock moves and the ticker runs.
    let demo_dir = scratch("clock-demo");
    let demo = ServiceBuilder::new(Config {
        demo: true,
        database_url: sqlite_url(&demo_dir),
        ..Config::default()
    })
    .carrier(std::sync::Arc::new(MemoryCarrier::new()))
    .policy(cheap_policy())
    .build()
    .await
    .unwrap();
    let key = demo.demo_operator_key().unwrap().to_owned();
    let before = demo.state().accounts.clock().now();
    let moved = call(
        &demo.router(),
        Method::POST,
        "/v1/operator/demo/clock",
        Some(&body),
        &[("x-operator-key", &key)],
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let now: jiff::Timestamp = moved.body["now"].as_str().unwrap().parse().unwrap();
    assert!(now.duration_since(before) >= SignedDuration::from_hours(24));
    assert_eq!(moved.body["ticked"], 0);
}

/// The routes `Service::v1_routes` declares, as (method, path), read from its source: the
/// router cannot list its own routes.
fn declared_v1_routes() -> Vec<(String, String)> {
    let source = include_str!("../src/service.rs");
    let start = source.find("pub fn v1_routes()").unwrap();
    let end = source[start..].find("pub fn operations_routes()").unwrap() + start;
    let body = &source[start..end];
    let mut routes = Vec::new();
    for part in body.split(".route(").skip(1) {
        let path = part.split('"').nth(1).unwrap().to_owned();
        let after = &part[part.find(',').unwrap() + 1..];
        let method = after.trim_start().split('(').next().unwrap().to_owned();
        routes.push((method, path));
    }
    routes.sort();
    routes
}

#[tokio::test]
async fn r30_the_openapi_document_is_served_and_lists_every_route_of_v1() {
    let dir = scratch("openapi");
    let rig = Rig::sqlite(&dir).await;
    let answer = rig.get("/v1/openapi.json", &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "application/json");
    let document: Value = serde_json::from_slice(&answer.bytes).expect("valid JSON");
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(document["info"]["version"], "1");
    let mut documented = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let declared = declared_v1_routes();
    assert_eq!(declared.len(), 19, "{declared:?}");
    assert_eq!(documented, declared, "the document and the router disagree");

    // And each documented operation is a route of the router: none answers "not a route",
    // but the demo's clock outside demo mode, which says it is not there.
    for (method, path) in &documented {
        let path = path.replace("{codice_fiscale}", MARIO);
        let method: Method = method.to_uppercase().parse().unwrap();
        let body = (method == Method::POST).then(|| json!({}));
        let headers = [("x-operator-key", AUDITOR.1)];
        let answer = rig
            .call(method.clone(), &path, body.as_ref(), &headers)
            .await;
        if path == "/v1/operator/demo/clock" {
            assert_eq!(answer.status, StatusCode::NOT_FOUND);
            continue;
        }
        assert_ne!(answer.code(), "route.not_found", "{method} {path}");
        // Every error status an operation answers is documented for it.
        if !answer.status.is_success() && answer.status != StatusCode::BAD_REQUEST {
            let key = method.as_str().to_lowercase();
            let template = documented
                .iter()
                .find(|(m, p)| *m == key && p.replace("{codice_fiscale}", MARIO) == path)
                .unwrap();
            let responses = &document["paths"][&template.1][&key]["responses"];
            assert!(
                responses.get(answer.status.as_str()).is_some(),
                "{method} {path}: {} is not documented",
                answer.status
            );
        }
    }
}

#[test]
fn r30_every_refusal_maps_to_a_status_by_its_class() {
    use inps_pin::{CodiceFiscale, Refusal};
    use inps_pin_server::status_for;
    let cf = CodiceFiscale::parse(MARIO).unwrap();
    let at = t0();
    let day = jiff::civil::date(2030, 1, 1);
    let all = [
        (Refusal::WrongAccount { requested: cf }, 422),
        (Refusal::PinAlreadyLive, 409),
        (Refusal::TemporaryCodiceFiscale, 422),
        (Refusal::NoContactForFirstHalf, 422),
        (Refusal::IdentityDocumentExpired { expired_on: day }, 422),
        (Refusal::WholePinRequired, 422),
        (Refusal::FirstPinLapsed { lapsed_at: at }, 410),
        (Refusal::FirstAccessRequired, 409),
        (Refusal::PinExpired { expired_at: at }, 409),
        (Refusal::RenewalNotDue { renewable_from: at }, 409),
        (Refusal::PinBlocked, 423),
        (Refusal::LoginDelayed { retry_after: at }, 429),
        (Refusal::NewPinsDiscontinued { since: day }, 403),
        (Refusal::PinsRetired { since: day }, 410),
        (Refusal::NoPin, 404),
        (Refusal::ContactsNotMatching, 403),
        (Refusal::TesseraNotMatching, 403),
        (Refusal::TesseraExpired { expired_on: day }, 422),
        (Refusal::ArchiveNotMatching, 403),
        (Refusal::AttestationFromTheFuture, 422),
        (Refusal::AttestationStale { checked_at: at }, 422),
        (Refusal::AlreadyDispositivo, 409),
        (Refusal::UpgradePending, 409),
        (Refusal::NoUpgradePending, 404),
        (Refusal::RestoreLimitReached { retry_after: at }, 429),
        (Refusal::StoredHashRejected, 500),
        (Refusal::Internal, 500),
        (Refusal::HashingFailed, 500),
    ];
    for (refusal, status) in &all {
        assert_eq!(status_for(refusal).as_u16(), *status, "{}", refusal.code());
        assert!(!refusal.message_it().is_empty(), "{}", refusal.code());
        // A refusal with a time to wait has it, for the Retry-After header.
        assert_eq!(
            refusal.retry_after().is_some(),
            matches!(
                refusal,
                Refusal::LoginDelayed { .. } | Refusal::RestoreLimitReached { .. }
            ),
            "{}",
            refusal.code()
        );
    }
}

#[tokio::test]
async fn r30_refusal_classes_through_the_router_with_retry_after_where_there_is_one() {
    let dir = scratch("classes");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;

    // 409: a second request while a PIN is live (R14).
    let again = rig.post("/v1/pin-requests", &person(MARIO)).await;
    again.assert_coded(StatusCode::CONFLICT, "request.pin_already_live");
    // 422: what was typed does not parse, with its own code.
    let typo = rig.login("RSSMRA80A01H501X", &pin).await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typo.code().starts_with("codice_fiscale."), "{}", typo.body);
    // 403: a restore with contacts that are not the registered ones.
    rig.post(
        "/v1/restore",
        &json!({ "codice_fiscale": MARIO, "email": "x@example.it", "mobile": "347 000 0000" }),
    )
    .await
    .assert_coded(StatusCode::FORBIDDEN, "restore.contacts_not_matching");
    // 404: a revocation where there is no PIN.
    rig.operator(
        SEDE,
        "/v1/operator/revocations",
        &json!({ "codice_fiscale": FABIO, "card_number": "80380000000000000003", "expires_on": CARD_EXPIRY }),
    )
    .await
    .assert_coded(StatusCode::NOT_FOUND, "account.no_pin");
    // 429 with Retry-After: a restore too many in its window (R23a).
    let restore = json!({
        "codice_fiscale": MARIO, "email": "mario.rossi@example.it", "mobile": "347 123 4567"
    });
    for _ in 0..3 {
        assert_eq!(
            rig.post("/v1/restore", &restore).await.status,
            StatusCode::ACCEPTED
        );
    }
    let limited = rig.post("/v1/restore", &restore).await;
    limited.assert_coded(StatusCode::TOO_MANY_REQUESTS, "restore.limit_reached");
    let wait: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=7 * 86_400 + 3600).contains(&wait), "{wait}");

    // A wrong PIN, then another inside the delay, then the block after ten in a row: to
    // whoever knows only the codice fiscale, each reads as a wrong PIN, with no Retry-After
    // (R30a: a delay shown only to known codici fiscali would say the account exists).
    let wrong = wrong_pin(&pin);
    let first_guess = rig.login(MARIO, &wrong).await;
    first_guess.assert_coded(StatusCode::UNAUTHORIZED, "login.credentials_invalid");
    let delayed = rig.login(MARIO, &wrong).await;
    delayed.assert_coded(StatusCode::UNAUTHORIZED, "login.credentials_invalid");
    assert!(delayed.headers.get("retry-after").is_none());
    assert_eq!(delayed.bytes, first_guess.bytes);
    for _ in 0..12 {
        rig.advance(SignedDuration::from_secs(11));
        rig.login(MARIO, &wrong).await;
    }
    rig.advance(SignedDuration::from_secs(11));
    let blocked = rig.login(MARIO, &pin).await;
    blocked.assert_coded(StatusCode::UNAUTHORIZED, "login.credentials_invalid");
    assert!(blocked.headers.get("retry-after").is_none());
    assert_eq!(blocked.bytes, first_guess.bytes);

    // 410: an unused 16 lapses after its window (R9).
    let first = rig.request_pin(EMANUELE).await;
    rig.drain().await;
    let whole = format!("{first}{}", rig.received(EMANUELE, PinPart::SecondHalf));
    rig.advance(SignedDuration::from_hours(24 * 91));
    rig.post(
        "/v1/first-access",
        &json!({ "codice_fiscale": EMANUELE, "pin": whole }),
    )
    .await
    .assert_coded(StatusCode::GONE, "first_access.pin_lapsed");
}

#[tokio::test]
async fn r30_a_wrong_pin_and_an_unknown_codice_fiscale_read_the_same() {
    let dir = scratch("r30-same");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let wrong = rig.login(MARIO, &wrong_pin(&pin)).await;
    let unknown = rig.login(EMANUELE, &wrong_pin(&pin)).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    let visible = |answer: &Answer| {
        let mut headers: Vec<String> = answer
            .headers
            .iter()
            .map(|(name, value)| format!("{name}: {value:?}"))
            .collect();
        headers.sort();
        headers
    };
    assert_eq!(visible(&wrong), visible(&unknown));
    assert_eq!(wrong.bytes, unknown.bytes, "the same bytes");
    assert!(rig.events(EMANUELE).await.is_empty(), "nothing written");
}

#[tokio::test]
async fn r30_the_operations_routes_answer() {
    let dir = scratch("operations");
    let rig = Rig::sqlite(&dir).await;
    let health = rig.get("/healthz", &[]).await;
    assert_eq!(
        (health.status, health.bytes.as_slice()),
        (StatusCode::OK, &b"ok"[..])
    );
    let ready = rig.get("/readyz", &[]).await;
    assert_eq!(ready.status, StatusCode::OK);
    let pin = rig.active_pin(MARIO).await;
    rig.login(MARIO, &pin).await;
    let metrics = rig.get("/metrics", &[]).await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = String::from_utf8(metrics.bytes.clone()).unwrap();
    assert!(text.contains("inps_pin_logins_total 2"), "{text}");
    assert!(!text.contains(MARIO) && !text.contains(&pin));
}

#[tokio::test]
async fn r36_the_person_and_an_auditor_export_the_record_and_after_an_erasure_it_holds_no_personal_data()
 {
    let dir = scratch("r36-export-erasure");
    let mut setup = Setup::new(&sqlite_url(&dir));
    let cf = people(1).remove(0);
    setup.people = vec![cf.clone()];
    let rig = setup.start().await;
    let pin = rig.active_pin_with(&distinctive_person(&cf)).await;
    let bearer = rig.session(&cf, &pin).await;

    // The person's own export: who they are, the PIN as it stands, every event.
    let mine = rig
        .get("/v1/me/export", &[("authorization", &bearer)])
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["export_format"], 1);
    assert_eq!(mine.body["codice_fiscale"], cf.as_str());
    assert_eq!(mine.body["person"]["name"], "Zebedeo");
    assert_eq!(mine.body["person"]["surname"], "Quintilliani");
    assert_eq!(
        mine.body["person"]["email"],
        "zebedeo.quintilliani@esempio.it"
    );
    assert_eq!(mine.body["pin"]["phase"], "active");
    let events: Vec<&str> = mine.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        ["pin_issued", "first_access_completed", "logged_in"]
    );
    // Beside the record, what the service keeps: the sessions open (the first access's and
    // the login's) and the messages made, described without their content.
    let held = &mine.body["held_by_the_service"];
    let sessions = held["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{held}");
    assert!(sessions.iter().all(|session| session["credential"] == "pin"
        && session["level"] == "ordinary"
        && session["expires_at"].is_string()));
    let messages: Vec<&str> = held["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "first half of the PIN by e-mail",
            "second half of the PIN by post"
        ]
    );
    let text = String::from_utf8_lossy(&mine.bytes);
    let token = bearer.trim_start_matches("Bearer ");
    assert!(!text.contains(&pin) && !text.contains(token), "{text}");
    // The auditor's export is the same record.
    let path = format!("/v1/operator/accounts/{cf}/export");
    let audited = rig.get(&path, &[("x-operator-key", AUDITOR.1)]).await;
    assert_eq!(audited.status, StatusCode::OK, "{}", audited.body);
    assert_eq!(audited.body["person"], mine.body["person"]);
    assert_eq!(audited.body["history"], mine.body["history"]);

    // The erasure, with its reason; the PIN ends with it, and its sessions are deleted.
    let erased = rig
        .operator(
            AUDITOR,
            &format!("/v1/operator/accounts/{cf}/erasure"),
            &json!({ "reason": "court_order" }),
        )
        .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.body);
    assert_eq!(erased.body["code"], "personal_data.erased");
    assert_eq!(erased.body["reason"], "court_order");
    assert_eq!(erased.body["pin_ended"], true);
    rig.get("/v1/me/export", &[("authorization", &bearer)])
        .await
        .assert_coded(StatusCode::UNAUTHORIZED, "session.unknown");

    // What the record keeps: the security facts and the erasure, no personal data.
    let after = rig.get(&path, &[("x-operator-key", AUDITOR.1)]).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
    assert_eq!(after.body["person"], Value::Null);
    // The sessions went with the PIN; what was sent is still told, by its description.
    let held = &after.body["held_by_the_service"];
    assert_eq!(held["sessions"], json!([]));
    assert_eq!(held["messages"].as_array().unwrap().len(), 2);
    assert!(
        held["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|message| message["sent_at"].is_string())
    );
    let text = String::from_utf8_lossy(&after.bytes);
    for datum in DISTINCTIVE {
        assert!(!text.contains(datum), "{datum} in {text}");
    }
    let history = after.body["history"].as_array().unwrap();
    let names: Vec<&str> = history
        .iter()
        .map(|event| event["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "pin_issued",
            "first_access_completed",
            "logged_in",
            "personal_data_erased"
        ]
    );
    assert_eq!(history[0]["channel"], "online");
    assert_eq!(history[0]["assurance"], "ordinary");
    assert_eq!(history[3]["reason"], "court_order");

    // A malformed reason is refused before anything runs.
    let wrong = rig
        .operator(
            AUDITOR,
            &format!("/v1/operator/accounts/{cf}/erasure"),
            &json!({ "reason": "because" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
}
