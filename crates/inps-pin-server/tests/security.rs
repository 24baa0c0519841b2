//! The service's trust boundaries through its router: it will not start insecurely, operators
//! prove who they are with their own key and act within their roles, attestations name the
//! authenticated operator, the registers (not the client) decide what the archive and the
//! health-card register hold, malformed requests get coded Italian answers, every answer
//! carries the security headers, and sessions are kept by hash only.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use inps_pin::{Medium, PinPart};
use inps_pin_server::{ConfigError, MemoryCarrier, ServiceBuilder, StartError, key_hash};
use inps_pin_sqlx::sqlx::Row as _;
use inps_pin_sqlx::testing::{Scratch, files_containing};
use inps_pin_sqlx::{hash_token, sqlx};
use jiff::SignedDuration;
use serde_json::{Value, json};

fn scratch(name: &str) -> Scratch {
    Scratch::new("server-security", name)
}

/// The field a refused start names, and its message.
fn refused(result: Result<inps_pin_server::Service, StartError>) -> (&'static str, String) {
    match result {
        Err(StartError::Config(ConfigError::Field { field, message })) => (field, message),
        other => panic!("expected a refusal naming a field, got {other:?}"),
    }
}

#[tokio::test]
async fn r35_r36_the_service_refuses_to_start_without_operators_outbox_keys_personal_data_keys_or_registers()
 {
    let dir = scratch("start");
    let setup = Setup::new(&sqlite_url(&dir));
    let operators = || {
        Arc::new(inps_pin_server::StaticOperators::new(&operator_entries()).unwrap())
            as Arc<dyn inps_pin_server::OperatorDirectory>
    };
    let archive = || Arc::new(inps_pin_server::FixtureArchive::new());
    let register = || Arc::new(inps_pin_server::FixtureTesseraRegister::new());
    let carrier = || Arc::new(MemoryCarrier::new());

    // No operators, in code or in the configuration: no default key to fall back on.
    let mut config = setup.config();
    config.operators.clear();
    let (field, message) = refused(
        ServiceBuilder::new(config)
            .archive(archive())
            .tessera_register(register())
            .carrier(carrier())
            .build()
            .await,
    );
    assert_eq!(field, "operators");
    assert!(message.contains("[[operators]]") && message.contains("operator-key"));

    // No outbox key: codes would wait unsealed.
    let mut config = setup.config();
    config.outbox_keys = None;
    let (field, message) = refused(
        ServiceBuilder::new(config)
            .operators(operators())
            .archive(archive())
            .tessera_register(register())
            .carrier(carrier())
            .build()
            .await,
    );
    assert_eq!(field, "outbox_keys");
    assert!(message.contains("INPS_PIN_OUTBOX_KEYS"), "{message}");

    // A malformed outbox key.
    let mut config = setup.config();
    config.outbox_keys = Some("k1:not-hex".to_owned());
    assert_eq!(
        refused(ServiceBuilder::new(config).build().await).0,
        "outbox_keys"
    );

    // No personal-data key (R36): each person's data would have no key to be sealed under.
    let mut config = setup.config();
    config.personal_data_keys = None;
    let (field, message) = refused(
        ServiceBuilder::new(config)
            .operators(operators())
            .archive(archive())
            .tessera_register(register())
            .carrier(carrier())
            .build()
            .await,
    );
    assert_eq!(field, "personal_data_keys");
    assert!(
        message.contains("INPS_PIN_PERSONAL_DATA_KEYS") && message.contains("personal-data-key"),
        "{message}"
    );
    let mut config = setup.config();
    config.personal_data_keys = Some("p1:not-hex".to_owned());
    assert_eq!(
        refused(ServiceBuilder::new(config).build().await).0,
        "personal_data_keys"
    );

    // No archive, no health-card register, no carrier: each named, with what to supply.
    let (field, message) = refused(
        ServiceBuilder::new(setup.config())
            .tessera_register(register())
            .carrier(carrier())
            .build()
            .await,
    );
    assert_eq!(field, "archive_file");
    assert!(message.contains("ServiceBuilder::archive"), "{message}");
    let (field, _) = refused(
        ServiceBuilder::new(setup.config())
            .archive(archive())
            .carrier(carrier())
            .build()
            .await,
    );
    assert_eq!(field, "tessera_file");
    let (field, _) = refused(
        ServiceBuilder::new(setup.config())
            .archive(archive())
            .tessera_register(register())
            .build()
            .await,
    );
    assert_eq!(field, "carrier_log");
    assert!(
        !dir.join("service.db").exists(),
        "a refused start touches no database"
    );
}

/// An operator route, a body that passes its checks, and who may use it.
type OperatorRoute = (Method, String, Value, Vec<(&'static str, &'static str)>);

/// Every operator route.
fn operator_routes() -> Vec<OperatorRoute> {
    let card =
        json!({ "codice_fiscale": MARIO, "card_number": MARIO_CARD, "expires_on": CARD_EXPIRY });
    vec![
        (
            Method::POST,
            "/v1/operator/contact-center/pin-requests".to_owned(),
            json!({ "person": person(EMANUELE), "caller_phone": "landline" }),
            vec![CONTACT_CENTER],
        ),
        (
            Method::POST,
            "/v1/operator/sede/pin-requests".to_owned(),
            json!({ "person": person(EMANUELE), "document": document() }),
            vec![SEDE],
        ),
        (
            Method::POST,
            "/v1/operator/revocations".to_owned(),
            card,
            vec![SEDE, CONTACT_CENTER],
        ),
        (
            Method::POST,
            "/v1/operator/upgrade-requests".to_owned(),
            json!({ "codice_fiscale": MARIO, "via": "fax", "document": document() }),
            vec![BACK_OFFICE],
        ),
        (
            Method::POST,
            "/v1/operator/upgrade-decisions".to_owned(),
            json!({ "codice_fiscale": MARIO, "approve": true }),
            vec![BACK_OFFICE],
        ),
        (
            Method::POST,
            "/v1/operator/sede/upgrades".to_owned(),
            json!({ "codice_fiscale": MARIO, "document": document() }),
            vec![SEDE],
        ),
        (
            Method::GET,
            format!("/v1/operator/accounts/{MARIO}"),
            Value::Null,
            vec![SEDE, CONTACT_CENTER, BACK_OFFICE, AUDITOR],
        ),
        (
            Method::GET,
            format!("/v1/operator/accounts/{MARIO}/export"),
            Value::Null,
            vec![AUDITOR],
        ),
        (
            Method::POST,
            format!("/v1/operator/accounts/{MARIO}/erasure"),
            json!({ "reason": "court_order" }),
            vec![AUDITOR],
        ),
        (
            Method::POST,
            "/v1/operator/demo/clock".to_owned(),
            json!({ "advance_days": 1 }),
            vec![],
        ),
    ]
}

async fn operator_call(
    rig: &Rig,
    method: &Method,
    path: &str,
    body: &Value,
    key: Option<&str>,
) -> Answer {
    let headers: Vec<(&str, &str)> = key.map(|key| ("x-operator-key", key)).into_iter().collect();
    let body = (!body.is_null()).then_some(body);
    rig.call(method.clone(), path, body, &headers).await
}

/// Every row that any command writes, as text: what a refused request must leave alone.
async fn everything(rig: &Rig) -> String {
    let mut all = String::new();
    for cf in [MARIO, EMANUELE] {
        all.push_str(&serde_json::to_string(&rig.events(cf).await).unwrap());
    }
    for table in ["events", "accounts", "outbox", "sessions"] {
        all.push_str(&format!("{table}: {}\n", rig.count(table, None).await));
    }
    all
}

#[tokio::test]
async fn attack_an_operator_key_that_is_wrong_missing_or_the_hash_of_a_key_is_refused_401() {
    let dir = scratch("keys");
    let rig = Rig::sqlite(&dir).await;
    rig.active_pin(MARIO).await;
    let before = everything(&rig).await;
    let hash = key_hash(SEDE.1);
    let padded = format!("{} ", SEDE.1);
    let upper = SEDE.1.to_uppercase();
    let keys = [
        None,
        Some("op_0000000000000000000000000000000000000000000000000000000000000000"),
        Some(hash.as_str()),
        Some(padded.as_str()),
        Some(upper.as_str()),
        Some(""),
    ];
    for (method, path, body, allowed) in operator_routes() {
        for key in keys {
            let answer = operator_call(&rig, &method, &path, &body, key).await;
            if allowed.is_empty() {
                // The demo's clock is no route outside demo mode, whoever asks.
                answer.assert_coded(StatusCode::NOT_FOUND, "route.not_found");
                continue;
            }
            answer.assert_coded(StatusCode::UNAUTHORIZED, "operator.unauthenticated");
        }
        if allowed.is_empty() {
            continue;
        }
        // The key in another header is no key.
        let answer = rig
            .call(
                method.clone(),
                &path,
                (!body.is_null()).then_some(&body),
                &[("authorization", &format!("Bearer {}", SEDE.1))],
            )
            .await;
        answer.assert_coded(StatusCode::UNAUTHORIZED, "operator.unauthenticated");
    }
    assert_eq!(everything(&rig).await, before, "nothing written");
}

#[tokio::test]
async fn r35_an_operator_without_the_role_is_refused_403_on_each_operator_route() {
    let dir = scratch("roles");
    let rig = Rig::sqlite(&dir).await;
    rig.active_pin(MARIO).await;
    let before = everything(&rig).await;
    for (method, path, body, allowed) in operator_routes() {
        if allowed.is_empty() {
            continue; // the demo's clock: not a route outside demo mode
        }
        for who in [SEDE, CONTACT_CENTER, BACK_OFFICE, AUDITOR] {
            if allowed.contains(&who) {
                continue;
            }
            let answer = operator_call(&rig, &method, &path, &body, Some(who.1)).await;
            answer.assert_coded(StatusCode::FORBIDDEN, "operator.forbidden");
        }
    }
    assert_eq!(everything(&rig).await, before, "nothing written");
    // Each allowed operator gets past the role check (whatever the account then says).
    for (method, path, body, allowed) in operator_routes() {
        for who in allowed {
            let answer = operator_call(&rig, &method, &path, &body, Some(who.1)).await;
            assert!(
                !matches!(
                    answer.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                ),
                "{} {path}: {}",
                who.0,
                answer.body
            );
        }
    }
}

#[tokio::test]
async fn r35_attack_an_attestation_names_the_authenticated_operator_never_one_the_request_gives() {
    let dir = scratch("attestation");
    let rig = Rig::sqlite(&dir).await;
    let impostor = [("x-operator-id", "impostore-99")];
    let sede = [("x-operator-key", SEDE.1), impostor[0]];
    let back_office = [("x-operator-key", BACK_OFFICE.1), impostor[0]];
    let contact_center = [("x-operator-key", CONTACT_CENTER.1), impostor[0]];

    // A field that names an operator is not part of any form: refused, nothing written.
    let mut named = json!({ "person": person(EMANUELE), "document": document() });
    named["operator_id"] = json!("impostore-99");
    rig.post_with("/v1/operator/sede/pin-requests", &named, &sede)
        .await
        .assert_coded(StatusCode::BAD_REQUEST, "request.unknown_field");
    assert!(rig.events(EMANUELE).await.is_empty());

    let issued = rig
        .post_with(
            "/v1/operator/sede/pin-requests",
            &json!({ "person": person(EMANUELE), "document": document() }),
            &sede,
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    rig.drain().await;
    let envelope = rig
        .sent_to(EMANUELE)
        .into_iter()
        .find(|sent| sent.part == Some(PinPart::WholeFirstPin))
        .unwrap();
    assert!(
        matches!(&envelope.medium, Medium::SealedEnvelopeAtCounter(by) if by.as_str() == SEDE.0)
    );

    rig.active_pin(MARIO).await;
    let upgrade = json!({ "codice_fiscale": MARIO, "via": "online", "document": document() });
    let decision = json!({ "codice_fiscale": MARIO, "approve": true });
    for (path, body) in [
        ("/v1/operator/upgrade-requests", &upgrade),
        ("/v1/operator/upgrade-decisions", &decision),
    ] {
        let answer = rig.post_with(path, body, &back_office).await;
        assert!(answer.status.is_success(), "{path}: {}", answer.body);
    }
    let revoke =
        json!({ "codice_fiscale": MARIO, "card_number": MARIO_CARD, "expires_on": CARD_EXPIRY });
    let answer = rig
        .post_with("/v1/operator/revocations", &revoke, &contact_center)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);

    let mario = serde_json::to_value(rig.events(MARIO).await).unwrap();
    let emanuele = serde_json::to_value(rig.events(EMANUELE).await).unwrap();
    assert_eq!(emanuele[0]["PinIssued"]["document_checked_by"], SEDE.0);
    assert_eq!(
        emanuele[0]["PinIssued"]["archive_checked_by"],
        "archivio-inps"
    );
    let of = |kind: &str| {
        mario
            .as_array()
            .unwrap()
            .iter()
            .find_map(|event| event.get(kind).cloned())
            .unwrap_or_else(|| panic!("no {kind} in {mario}"))
    };
    assert_eq!(of("UpgradeRequested")["checked_by"], BACK_OFFICE.0);
    assert_eq!(of("UpgradeApproved")["by"], BACK_OFFICE.0);
    assert_eq!(of("PinRevoked")["checked_by"], CONTACT_CENTER.0);
    for events in [&mario, &emanuele] {
        assert!(!events.to_string().contains("impostore"), "{events}");
    }
}

#[tokio::test]
async fn r24_r35_attack_a_revocation_with_a_card_the_register_does_not_hold_revokes_nothing() {
    let dir = scratch("card");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    rig.active_pin(EMANUELE).await;
    let before = everything(&rig).await;
    let made_up = [
        ("80380000009999999999", CARD_EXPIRY),
        ("80380123456789012345", CARD_EXPIRY),
        // Mario's number with another expiry, and Emanuele's card for Mario.
        (MARIO_CARD, "2034-12-31"),
        ("80380000000000000002", CARD_EXPIRY),
    ];
    for (number, expires_on) in made_up {
        for who in [SEDE, CONTACT_CENTER] {
            rig.operator(
                who,
                "/v1/operator/revocations",
                &json!({ "codice_fiscale": MARIO, "card_number": number, "expires_on": expires_on }),
            )
            .await
            .assert_coded(StatusCode::UNPROCESSABLE_ENTITY, "revoke.card_not_in_register");
        }
    }
    // A number that is no health card's does not even reach the register.
    let answer = rig
        .operator(
            SEDE,
            "/v1/operator/revocations",
            &json!({ "codice_fiscale": MARIO, "card_number": "12345678901234567890", "expires_on": CARD_EXPIRY }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(everything(&rig).await, before, "nothing written");
    assert_eq!(rig.login(MARIO, &pin).await.status, StatusCode::OK);
}

#[tokio::test]
async fn r35_attack_a_pin_request_for_a_codice_fiscale_not_in_the_archive_writes_nothing() {
    let dir = scratch("archive");
    let rig = Rig::sqlite(&dir).await;
    rig.post("/v1/pin-requests", &person(NOT_IN_ARCHIVE))
        .await
        .assert_coded(StatusCode::UNPROCESSABLE_ENTITY, "request.not_in_archive");
    rig.operator(
        CONTACT_CENTER,
        "/v1/operator/contact-center/pin-requests",
        &json!({ "person": person(NOT_IN_ARCHIVE), "caller_phone": "mobile" }),
    )
    .await
    .assert_coded(StatusCode::UNPROCESSABLE_ENTITY, "request.not_in_archive");
    rig.operator(
        SEDE,
        "/v1/operator/sede/pin-requests",
        &json!({ "person": person(NOT_IN_ARCHIVE), "document": document() }),
    )
    .await
    .assert_coded(StatusCode::UNPROCESSABLE_ENTITY, "request.not_in_archive");
    assert!(rig.events(NOT_IN_ARCHIVE).await.is_empty());
    for table in ["events", "accounts", "outbox"] {
        assert_eq!(rig.count(table, None).await, 0, "{table}");
    }
}

#[tokio::test]
async fn r35_attack_a_stranger_who_types_their_own_address_receives_at_most_the_first_half() {
    let dir = scratch("stranger");
    let rig = Rig::sqlite(&dir).await;
    let stranger = json!({
        "first_name": "Ladro", "surname": "Furbo", "codice_fiscale": MARIO,
        "street": "Via dei Ladri 7", "postal_code": "20121", "city": "Milano", "province": "MI",
        "email": "ladro@example.com", "mobile": "+39 333 000 0000"
    });
    let issued = rig.post("/v1/pin-requests", &stranger).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let first = issued.shown_code();
    rig.drain().await;
    let sent = rig.sent_to(MARIO);
    let second = rig.received(MARIO, PinPart::SecondHalf);
    // The second half went to Mario's residence, as the archive holds it.
    assert_eq!(sealed_post_address(&sent), archive_residence());
    // Whatever reached the stranger's own contacts holds the first half at most.
    for sent in &sent {
        let theirs = match &sent.medium {
            Medium::Email(email) => email.as_str().contains("ladro"),
            Medium::Sms(_) => true,
            Medium::SealedPost(address) | Medium::Post(address) => {
                address.municipality() == "Milano"
            }
            _ => false,
        };
        if theirs {
            assert_ne!(sent.part, Some(PinPart::SecondHalf), "{sent:?}");
            assert_ne!(sent.code.as_deref(), Some(second.as_str()));
        }
    }
    assert!(!issued.bytes.windows(8).any(|w| w == second.as_bytes()));
    // The half alone is no first access, and contacts no first access proved restore nothing.
    rig.post(
        "/v1/first-access",
        &json!({ "codice_fiscale": MARIO, "pin": first }),
    )
    .await
    .assert_coded(
        StatusCode::UNPROCESSABLE_ENTITY,
        "first_access.whole_pin_required",
    );
    rig.post(
        "/v1/restore",
        &json!({ "codice_fiscale": MARIO, "email": "ladro@example.com", "mobile": "+39 333 000 0000" }),
    )
    .await
    .assert_coded(StatusCode::FORBIDDEN, "restore.contacts_not_matching");
}

/// A request with a raw body and a content type (or none).
fn raw(
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    request
        .header("x-operator-key", SEDE.1)
        .body(body.into())
        .unwrap()
}

const JSON: Option<&str> = Some("application/json");

/// A malformed request: method, path, content type, body, status, code.
type Case<'a> = (&'a str, &'a str, Option<&'a str>, String, u16, &'a str);

fn malformed() -> Vec<(Request<Body>, StatusCode, &'static str)> {
    const LOGIN: &str = "/v1/login";
    const SEDE_REQUEST: &str = "/v1/operator/sede/pin-requests";
    const CONTACT_CENTER_REQUEST: &str = "/v1/operator/contact-center/pin-requests";
    let big = format!(
        r#"{{"codice_fiscale":"{}","pin":"ABCDEFGH"}}"#,
        "X".repeat(20_000)
    );
    let form = r#"{"codice_fiscale":"x","pin":"y"}"#.to_owned();
    let unknown = format!(r#"{{"codice_fiscale":"{MARIO}","pin":"ABCDEFGH","admin":true}}"#);
    let missing = format!(r#"{{"codice_fiscale":"{MARIO}"}}"#);
    let number = format!(r#"{{"codice_fiscale":"{MARIO}","pin":12345678}}"#);
    let flag = format!(r#"{{"codice_fiscale":"{MARIO}","pin":"ABCDEFGH","trust_device":"yes"}}"#);
    let kind = format!(
        r#"{{"person":{},"document":{{"kind":"club","number":"1","expires_on":"2030-01-01"}}}}"#,
        person(EMANUELE)
    );
    let no_person = r#"{"caller_phone":"mobile"}"#.to_owned();
    let text = Some("text/plain");
    let cases: Vec<Case<'_>> = vec![
        (
            "POST",
            LOGIN,
            JSON,
            "{not json".to_owned(),
            400,
            "request.malformed_json",
        ),
        (
            "POST",
            LOGIN,
            JSON,
            String::new(),
            400,
            "request.malformed_json",
        ),
        (
            "POST",
            LOGIN,
            JSON,
            r#"{"pin": }"#.to_owned(),
            400,
            "request.malformed_json",
        ),
        (
            "POST",
            LOGIN,
            JSON,
            "[1, 2]".to_owned(),
            400,
            "request.invalid_value",
        ),
        (
            "POST",
            LOGIN,
            text,
            form.clone(),
            415,
            "request.content_type",
        ),
        ("POST", LOGIN, None, form, 415, "request.content_type"),
        ("POST", LOGIN, JSON, unknown, 400, "request.unknown_field"),
        ("POST", LOGIN, JSON, missing, 400, "request.missing_field"),
        ("POST", LOGIN, JSON, number, 400, "request.invalid_value"),
        ("POST", LOGIN, JSON, flag, 400, "request.invalid_value"),
        ("POST", LOGIN, JSON, big, 413, "request.too_large"),
        (
            "POST",
            SEDE_REQUEST,
            JSON,
            kind,
            400,
            "request.invalid_value",
        ),
        (
            "POST",
            CONTACT_CENTER_REQUEST,
            JSON,
            no_person,
            400,
            "request.missing_field",
        ),
        (
            "GET",
            "/v1/nothing-here",
            None,
            String::new(),
            404,
            "route.not_found",
        ),
        ("GET", "/", None, String::new(), 404, "route.not_found"),
        ("GET", LOGIN, None, String::new(), 404, "route.not_found"),
        (
            "PUT",
            "/v1/pin-requests",
            JSON,
            "{}".to_owned(),
            404,
            "route.not_found",
        ),
        (
            "DELETE",
            "/v1/openapi.json",
            None,
            String::new(),
            404,
            "route.not_found",
        ),
    ];
    cases
        .into_iter()
        .map(|(method, path, content_type, body, status, code)| {
            let request = raw(method.parse().unwrap(), path, content_type, body);
            (request, StatusCode::from_u16(status).unwrap(), code)
        })
        .collect()
}

#[tokio::test]
async fn r30_every_malformed_request_gets_a_coded_italian_answer_never_plain_text() {
    let dir = scratch("malformed");
    let rig = Rig::sqlite(&dir).await;
    for (request, status, code) in malformed() {
        let what = format!("{} {}", request.method(), request.uri());
        let answer = rig.send(request).await;
        assert_eq!(answer.status, status, "{what}: {}", answer.body);
        answer.assert_coded(status, code);
        let message = answer.body["message"].as_str().unwrap().to_lowercase();
        assert!(
            message.contains("richiesta") || message.contains("risorsa"),
            "{what}: not the Italian message: {message}"
        );
    }
    assert_eq!(rig.count("events", None).await, 0);
}

#[tokio::test]
async fn attack_a_malformed_body_never_echoes_the_pin_it_held() {
    let dir = scratch("echo");
    let rig = Rig::sqlite(&dir).await;
    let secret = "SEGRET0PIN7Q";
    for body in [
        format!(r#"{{"codice_fiscale":"{MARIO}","pin":"{secret}","{secret}":1}}"#),
        format!(r#"{{"codice_fiscale":"{MARIO}","pin":["{secret}"]}}"#),
        format!(r#"{{"codice_fiscale":"{MARIO}","pin":"{secret}""#),
        format!(r#"{{"codice_fiscale":"{MARIO}","pin":"{secret}"}}"#),
        format!(r#"{{"codice_fiscale":"{secret}","pin":"{secret}"}}"#),
    ] {
        let answer = rig
            .send(raw(Method::POST, "/v1/login", JSON, body.clone()))
            .await;
        assert!(!answer.status.is_success(), "{body}");
        let text = String::from_utf8_lossy(&answer.bytes);
        assert!(!text.contains(secret), "{body} -> {text}");
        let headers = format!("{:?}", answer.headers);
        assert!(!headers.contains(secret));
    }
}

/// The headers every answer carries.
const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("cache-control", "no-store"),
    ("pragma", "no-cache"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (
        "strict-transport-security",
        "max-age=63072000; includeSubDomains",
    ),
];

#[track_caller]
fn assert_secured(what: &str, answer: &Answer) {
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(
            answer.headers.get(*name).map(|v| v.to_str().unwrap()),
            Some(*value),
            "{what} ({}): {name}",
            answer.status
        );
    }
}

#[tokio::test]
async fn r8_every_answer_carries_no_store_and_the_security_headers() {
    let dir = scratch("headers");
    let rig = Rig::sqlite(&dir).await;
    let issued = rig.post("/v1/pin-requests", &person(MARIO)).await;
    assert_secured("a PIN issued", &issued);
    rig.drain().await;
    let whole = format!(
        "{}{}",
        issued.shown_code(),
        rig.received(MARIO, PinPart::SecondHalf)
    );
    let first = rig
        .post(
            "/v1/first-access",
            &json!({ "codice_fiscale": MARIO, "pin": whole }),
        )
        .await;
    assert_secured("a first access", &first);
    let pin = first.shown_code();
    let login = rig.login(MARIO, &pin).await;
    assert_secured("a login", &login);
    let bearer = format!("Bearer {}", login.body["session_token"].as_str().unwrap());
    let logout = rig
        .call(
            Method::DELETE,
            "/v1/session",
            None,
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_secured("a logout", &logout);
    let wrong = rig.login(MARIO, &wrong_pin(&pin)).await;
    assert_secured("a wrong PIN", &wrong);
    assert_secured("a delay", &rig.login(MARIO, &wrong_pin(&pin)).await);
    assert_secured(
        "an operator's refusal",
        &rig.get(&format!("/v1/operator/accounts/{MARIO}"), &[])
            .await,
    );
    assert_secured(
        "an account view",
        &rig.get(
            &format!("/v1/operator/accounts/{MARIO}"),
            &[("x-operator-key", AUDITOR.1)],
        )
        .await,
    );
    for path in [
        "/metrics",
        "/v1/openapi.json",
        "/healthz",
        "/readyz",
        "/nowhere",
    ] {
        let answer = rig.get(path, &[]).await;
        assert_secured(path, &answer);
    }
    for (request, _, code) in malformed() {
        let answer = rig.send(request).await;
        assert_secured(code, &answer);
    }
}

#[tokio::test]
async fn r8_r31_session_tokens_are_stored_only_as_their_hashes() {
    let dir = scratch("tokens");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let mut tokens = Vec::new();
    for _ in 0..4 {
        let answer = rig.login(MARIO, &pin).await;
        tokens.push(answer.body["session_token"].as_str().unwrap().to_owned());
    }
    let rows = sqlx::query("SELECT token_hash, codice_fiscale, session FROM sessions")
        .fetch_all(rig.accounts().store().pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 5, "the first access's session and four logins'");
    let mut stored = String::new();
    let mut hashes = Vec::new();
    for row in &rows {
        let hash: String = row.try_get(0).unwrap();
        let cf: String = row.try_get(1).unwrap();
        let session: String = row.try_get(2).unwrap();
        stored.push_str(&format!("{hash} {cf} {session}\n"));
        hashes.push(hash);
    }
    for token in &tokens {
        assert!(!stored.contains(token.as_str()), "a token in clear");
        assert!(hashes.contains(&hash_token(token)));
    }
    // Nor in the database's files, its write-ahead log included.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(rig.accounts().store().pool())
        .await
        .unwrap();
    for token in &tokens {
        assert_eq!(
            files_containing(&dir, token.as_bytes()),
            Vec::<std::path::PathBuf>::new()
        );
    }
}

/// R25b: a wrong 16 typed at a first access is counted in that code's own lane and never
/// blocks the PIN in use nor ends the owner's sessions, through the service.
#[tokio::test]
async fn r25b_attack_wrong_16s_at_a_first_access_never_block_the_pin_in_use() {
    let dir = scratch("r25b");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let session = rig.session(MARIO, &pin).await;
    for _ in 0..12 {
        rig.advance(SignedDuration::from_secs(11));
        let answer = rig
            .post(
                "/v1/first-access",
                &json!({ "codice_fiscale": MARIO, "pin": "AAAAAAAAAAAAAAAA" }),
            )
            .await;
        assert!(!answer.status.is_success());
    }
    rig.advance(SignedDuration::from_secs(11));
    assert_eq!(rig.login(MARIO, &pin).await.status, StatusCode::OK);
    let still = rig
        .post_with(
            "/v1/authorisations",
            &json!({ "service": "estratto-contributivo" }),
            &[("authorization", &session)],
        )
        .await;
    assert_eq!(still.status, StatusCode::OK, "{}", still.body);
}

#[tokio::test]
async fn r36_a_persons_export_is_their_own_session_s_and_says_nothing_without_one() {
    let dir = scratch("r36-export-session");
    let rig = Rig::sqlite(&dir).await;
    let pin = rig.active_pin(MARIO).await;
    let bearer = rig.session(MARIO, &pin).await;
    rig.active_pin(EMANUELE).await;
    // Without a session, or with one that is not, nothing.
    rig.get("/v1/me/export", &[])
        .await
        .assert_coded(StatusCode::UNAUTHORIZED, "session.missing");
    rig.get("/v1/me/export", &[("authorization", "Bearer nonsense")])
        .await
        .assert_coded(StatusCode::UNAUTHORIZED, "session.unknown");
    // With Mario's, Mario's record and no one else's; never a code or a hash; not cached.
    let export = rig
        .get("/v1/me/export", &[("authorization", &bearer)])
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert_eq!(export.headers["cache-control"], "no-store");
    assert_eq!(export.body["codice_fiscale"], MARIO);
    let text = String::from_utf8_lossy(&export.bytes);
    assert!(!text.contains(EMANUELE));
    assert!(!text.contains(&pin));
    assert!(!text.contains("argon2"));
    // An operator's key is not a session.
    rig.get("/v1/me/export", &[("x-operator-key", AUDITOR.1)])
        .await
        .assert_coded(StatusCode::UNAUTHORIZED, "session.missing");
}

/// A mistyped `INPS_PIN_` variable stops the service with its name, so a setting meant for it
/// does not pass unseen; the test suites' own switch, in the same environment, does not.
#[test]
fn an_unknown_inps_pin_variable_refuses_the_start_and_the_test_suites_switch_does_not() {
    let start = |variable: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_inps-pin-server"))
            .env(variable, "1")
            .output()
            .unwrap();
        assert!(!output.status.success(), "started with no configuration");
        String::from_utf8(output.stderr).unwrap()
    };
    let mistyped = start("INPS_PIN_OUTBOX_KEY");
    assert!(mistyped.contains("OUTBOX_KEY"), "{mistyped}");
    let switch = start("INPS_PIN_REQUIRE_POSTGRES");
    assert!(!switch.contains("REQUIRE_POSTGRES"), "{switch}");
    assert!(switch.contains("operators"), "{switch}");
}
