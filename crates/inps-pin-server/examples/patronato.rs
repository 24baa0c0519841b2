//! A patronato's own PIN desk on the crates: its own route layout (Italian paths, no
//! operator routes), its own carrier (the desk's mail tray: what arrives for each assisted
//! person, handed over sealed at the next appointment), and a route of its own.
//!
//! ```text
//! cargo run -p inps-pin-server --example patronato            # a walkthrough, in process
//! cargo run -p inps-pin-server --example patronato -- --serve # on 127.0.0.1:8081
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Extension, Path};
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use inps_pin_server::inps_pin_sqlx::OutboxMessage;
use inps_pin_server::{AppState, Carrier, CarrierError, Config, ServiceBuilder, async_trait};
use inps_pin_server::{bind, drain_outbox, handlers};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// One letter in the tray: whose, what (no code), and the sealed code.
type Letter = (String, String, Option<String>);

/// The desk's mail tray, by idempotency key: a message handed over twice is filed once.
#[derive(Default)]
struct Tray(Mutex<BTreeMap<String, Letter>>);

#[async_trait]
impl Carrier for Tray {
    async fn send(&self, key: &str, message: &OutboxMessage) -> Result<(), CarrierError> {
        let owner = key.split('-').next().unwrap_or_default().to_owned();
        let code = match message {
            OutboxMessage::Delivery(delivery) => Some(delivery.secret().expose().to_owned()),
            _ => None,
        };
        let mut tray = self.0.lock().map_err(|_| CarrierError("poisoned".into()))?;
        let letter = (owner, message.description(), code);
        tray.entry(key.to_owned()).or_insert(letter);
        Ok(())
    }
}

impl Tray {
    fn letters_for(&self, codice_fiscale: &str) -> Vec<Letter> {
        let tray = self.0.lock().map(|tray| tray.clone()).unwrap_or_default();
        let mine = |(owner, ..): &Letter| owner == codice_fiscale;
        tray.into_values().filter(mine).collect()
    }
}

/// The desk's own route: what waits in the tray for an assisted person (never the codes).
async fn tray(Extension(tray): Extension<Arc<Tray>>, Path(cf): Path<String>) -> Json<Value> {
    let letters: Vec<String> = tray.letters_for(&cf).into_iter().map(|l| l.1).collect();
    Json(json!({ "codice_fiscale": cf, "letters": letters }))
}

fn routes(desk: Arc<Tray>) -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/patronato/assistiti/richiesta-pin",
            post(handlers::request_pin),
        )
        .route(
            "/patronato/assistiti/primo-accesso",
            post(handlers::first_access),
        )
        .route("/patronato/assistiti/accesso", post(handlers::login))
        .route("/patronato/assistiti/servizi", post(handlers::authorise))
        .route("/patronato/assistiti/{codice_fiscale}/posta", get(tray))
        .layer(Extension(desk))
}

type Answer = Result<(StatusCode, Value), Box<dyn std::error::Error>>;

/// One request to the router, in process: its status and JSON body.
async fn call(app: &Router, method: &str, path: &str, body: Value, token: Option<&str>) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    request = request.header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Body::from(body.to_string()))?;
    let response = app.clone().oneshot(request).await?;
    let status = response.status();
    let bytes = to_bytes(response.into_body(), 1 << 16).await?;
    println!("{method} {path} -> {status}");
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("inps-pin-patronato-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = Config {
        // The built-in archive and health-card register, a demo operator (unused).
        demo: true,
        database_url: format!("sqlite://{}?mode=rwc", dir.join("desk.db").display()),
        ..Config::default()
    };
    let desk = Arc::new(Tray::default());
    let builder = ServiceBuilder::new(config).carrier(desk.clone());
    let service = builder.build().await?;
    let app = service.finish(routes(Arc::clone(&desk)));
    if std::env::args().any(|arg| arg == "--serve") {
        let tasks = service.spawn_tasks();
        let listener = bind("127.0.0.1:8081".parse()?)?;
        println!("patronato desk on http://{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        tasks.stop().await;
        return Ok(());
    }
    let cf = "RCCMNL83S18D969H";
    let person = json!({"first_name": "Emanuele", "surname": "Ricci", "codice_fiscale": cf,
        "street": "Via XX Settembre 10", "postal_code": "16121", "city": "Genova",
        "province": "GE", "email": "emanuele.ricci@example.it", "mobile": "+39 347 765 4321"});
    let path = "/patronato/assistiti/richiesta-pin";
    let (status, issued) = call(&app, "POST", path, person, None).await?;
    assert_eq!(status, StatusCode::CREATED);
    let first = issued["shown"][0]["code"].as_str().ok_or("no first half")?;
    drain_outbox(&service.state().accounts, desk.as_ref(), 100).await?;
    let path = format!("/patronato/assistiti/{cf}/posta");
    let (_, tray) = call(&app, "GET", &path, Value::Null, None).await?;
    println!("  in the tray: {}", tray["letters"]);
    let letters = desk.letters_for(cf).into_iter();
    let mut second = letters.filter(|(_, what, _)| what.contains("second half"));
    let second = second.next().and_then(|l| l.2).ok_or("no second half")?;
    let pin = json!({"codice_fiscale": cf, "pin": format!("{first}{second}")});
    let path = "/patronato/assistiti/primo-accesso";
    let (status, session) = call(&app, "POST", path, pin, None).await?;
    assert_eq!(status, StatusCode::OK);
    let token = session["session_token"].as_str().map(str::to_owned);
    let service_id = json!({"service": "estratto-contributivo"});
    let path = "/patronato/assistiti/servizi";
    let (status, verdict) = call(&app, "POST", path, service_id, token.as_deref()).await?;
    println!("  estratto contributivo: {} ({status})", verdict["allowed"]);
    let (status, _) = call(&app, "POST", "/v1/login", json!({}), None).await?;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only the desk's layout is mounted"
    );
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
