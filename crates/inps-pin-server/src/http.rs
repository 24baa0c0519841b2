//! The HTTP API (JSON), for the person (online) and for operators (Contact Center, sede, back
//! office), and how refusals become status codes.
//!
//! Operators authenticate with a shared key in `x-operator-key` and name themselves in
//! `x-operator-id`; a real deployment puts its staff single sign-on there. An operator endpoint
//! that takes a fact only a register, the archive or a person's eyes can check (an identity
//! document, a tessera sanitaria) takes it as the operator's attestation, made after their
//! check: the request names who checked it, and the service dates it (R35).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use inps_pin::{
    Address, Attested, ChannelRequest, CodiceFiscale, Command, DeviceToken, DocumentKind, Email,
    EnteredPin, IdentityDocument, LoginFailure, MobileNumber, OperatorId, Person, PersonName,
    PhoneKind, Refusal, RefusalClass, RejectionReason, Reply, Role, SedeRequest, TesseraSanitaria,
    UpgradeDecision, UpgradeVia, Verdict,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{App, Handled, ServiceError};

/// The name of the device cookie (R25a).
pub const DEVICE_COOKIE: &str = "inps_device";

pub struct HttpState {
    pub app: App,
    /// The operators' shared key.
    pub operator_key: String,
    /// Whether `POST /operator/test/clock` exists (`INPS_PIN_DEMO_CLOCK=1`).
    pub demo_clock: bool,
}

pub fn router(state: Arc<HttpState>) -> Router {
    let mut router = Router::new()
        .route("/online/request", post(request_online))
        .route("/first-access", post(first_access))
        .route("/login", post(login))
        .route("/authorise", post(authorise))
        .route("/renew", post(renew))
        .route("/restore", post(restore))
        .route(
            "/operator/contact-center/request",
            post(request_contact_center),
        )
        .route("/operator/sede/request", post(request_sede))
        .route("/operator/revoke", post(revoke))
        .route("/operator/upgrade/request", post(request_upgrade))
        .route("/operator/upgrade/decide", post(decide_upgrade))
        .route("/operator/sede/upgrade", post(upgrade_at_sede))
        .route("/operator/accounts/{codice_fiscale}", get(account_view));
    if state.demo_clock {
        router = router.route("/operator/test/clock", post(jump_clock));
    }
    router.with_state(state)
}

/// The HTTP status of a refusal, by its transport-neutral class (R30): a new variant of the
/// crate lands in its class's status with no change here.
pub fn status_for(refusal: &Refusal) -> StatusCode {
    match refusal.class() {
        RefusalClass::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
        RefusalClass::Conflict => StatusCode::CONFLICT,
        RefusalClass::Forbidden => StatusCode::FORBIDDEN,
        RefusalClass::Locked => StatusCode::LOCKED,
        RefusalClass::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        RefusalClass::Gone => StatusCode::GONE,
        RefusalClass::NotFound => StatusCode::NOT_FOUND,
        // Internal, and any class a later release adds until this service maps it.
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An answer that is not a success.
pub enum ApiError {
    Refused(Refusal, Timestamp),
    /// What the person typed does not parse (R30: a code and an Italian message).
    Input {
        code: &'static str,
        message: String,
    },
    /// A wrong PIN or an unknown codice fiscale: one answer for both (R30). The crate's
    /// `LoginFailure` carries nothing, so its code and message are all there is to send.
    Credentials(LoginFailure),
    Unauthorised(&'static str),
    NotFound(&'static str),
    Internal(String),
}

fn input<E>(
    code: impl Fn(&E) -> &'static str,
    message: impl Fn(&E) -> String,
) -> impl Fn(E) -> ApiError {
    move |error| ApiError::Input {
        code: code(&error),
        message: message(&error),
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Refused(refusal, now) => ApiError::Refused(refusal, now),
            ServiceError::Storage(error) => ApiError::Internal(format!("storage: {error}")),
            ServiceError::Internal(error) => ApiError::Internal(error),
        }
    }
}

fn body(code: &str, message: &str) -> Json<Value> {
    Json(json!({ "code": code, "message": message }))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Refused(refusal, now) => {
                let status = status_for(&refusal);
                let mut response =
                    (status, body(refusal.code(), &refusal.message_it())).into_response();
                if let Some(at) = refusal.retry_after() {
                    let seconds = at.duration_since(now).as_secs_f64().ceil().max(1.0) as u64;
                    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                        response.headers_mut().insert(header::RETRY_AFTER, value);
                    }
                }
                response
            }
            ApiError::Input { code, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, body(code, &message)).into_response()
            }
            ApiError::Credentials(failure) => (
                StatusCode::UNAUTHORIZED,
                body(failure.code(), failure.message_it()),
            )
                .into_response(),
            ApiError::Unauthorised(code) => (
                StatusCode::UNAUTHORIZED,
                body(code, "Accesso non autorizzato: accedi di nuovo."),
            )
                .into_response(),
            ApiError::NotFound(code) => {
                (StatusCode::NOT_FOUND, body(code, "Risorsa non trovata.")).into_response()
            }
            ApiError::Internal(error) => {
                eprintln!("[http] internal error: {error}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    body(
                        "internal.service",
                        "Il servizio non è al momento disponibile. Riprova più tardi.",
                    ),
                )
                    .into_response()
            }
        }
    }
}

type ApiResult = Result<Response, ApiError>;

// ---- what the person sends ----

#[derive(Deserialize)]
pub struct PersonForm {
    pub first_name: String,
    pub surname: String,
    pub codice_fiscale: String,
    #[serde(default)]
    pub intermediary: bool,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub province: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

fn parse_cf(text: &str) -> Result<CodiceFiscale, ApiError> {
    CodiceFiscale::parse(text).map_err(input(
        |e: &inps_pin::CodiceFiscaleError| e.code(),
        |e| e.message_it(),
    ))
}

fn contact<T>(result: Result<T, inps_pin::ContactError>) -> Result<T, ApiError> {
    result.map_err(input(
        |e: &inps_pin::ContactError| e.code(),
        |e| e.message_it(),
    ))
}

impl PersonForm {
    fn parse(&self) -> Result<Person, ApiError> {
        let mut person = Person::new(
            contact(PersonName::parse(&self.first_name))?,
            contact(PersonName::parse(&self.surname))?,
            parse_cf(&self.codice_fiscale)?,
            if self.intermediary {
                Role::Intermediary
            } else {
                Role::Citizen
            },
            contact(Address::new(
                &self.street,
                &self.postal_code,
                &self.city,
                &self.province,
            ))?,
        );
        if let Some(email) = &self.email {
            person = person.with_email(contact(Email::parse(email))?);
        }
        if let Some(mobile) = &self.mobile {
            person = person.with_mobile(contact(MobileNumber::parse(mobile))?);
        }
        Ok(person)
    }
}

fn parse_pin(text: &str) -> Result<EnteredPin, ApiError> {
    EnteredPin::parse(text).map_err(input(
        |e: &inps_pin::PinFormatError| e.code(),
        |e| e.message_it(),
    ))
}

/// The device cookie the client sent, if any. A malformed one is ignored: the login is then
/// counted in the anonymous lane, as for a client without a cookie.
fn device_cookie(headers: &HeaderMap) -> Option<DeviceToken> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(DEVICE_COOKIE)?.strip_prefix('='))
        .find_map(|token| DeviceToken::parse(token).ok())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The JSON of a success, with the parts shown in the reply and the session, and the device
/// cookie when one was handed out.
fn success(status: StatusCode, handled: Handled) -> Response {
    let shown: Vec<Value> = handled
        .shown
        .iter()
        .map(|delivery| {
            json!({
                "part": delivery.part(),
                "medium": delivery.medium(),
                "code": delivery.secret().map(|secret| secret.expose()),
            })
        })
        .collect();
    let mut value = json!({ "reply": handled.reply, "shown": shown });
    if let Some(token) = &handled.session_token {
        value["session"] = json!(token);
    }
    if let Some(session) = &handled.session {
        value["level"] = json!(session.level());
    }
    let mut response = (status, Json(value)).into_response();
    if let Some(device) = &handled.trusted_device {
        let cookie = format!(
            "{DEVICE_COOKIE}={}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=7776000",
            device.expose()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}

/// A login-like command's answer: a session, or the one answer for wrong credentials.
fn login_answer(handled: Handled) -> ApiResult {
    if let Some(failure) = &handled.failure {
        // The operators' view (R30): the count, the delay, the block; never in the reply.
        eprintln!(
            "[operators] failed login: {} consecutive, blocks: {}",
            failure.consecutive_failures, failure.blocks
        );
    }
    match handled.reply {
        Reply::LoginFailed(failure) => Err(ApiError::Credentials(failure)),
        _ => Ok(success(StatusCode::OK, handled)),
    }
}

async fn request_online(
    State(state): State<Arc<HttpState>>,
    Json(form): Json<PersonForm>,
) -> ApiResult {
    let person = form.parse()?;
    let archive = state.app.archive_lookup(&person);
    let cf = person.codice_fiscale();
    let command = Command::RequestPin {
        person,
        channel: ChannelRequest::Online,
        archive,
    };
    Ok(success(
        StatusCode::CREATED,
        state.app.execute(cf, command).await?,
    ))
}

#[derive(Deserialize)]
struct PinForm {
    codice_fiscale: String,
    pin: String,
    #[serde(default)]
    trust_device: bool,
}

async fn first_access(State(state): State<Arc<HttpState>>, Json(form): Json<PinForm>) -> ApiResult {
    let cf = parse_cf(&form.codice_fiscale)?;
    let pin = parse_pin(&form.pin)?;
    let handled = state
        .app
        .execute(
            cf,
            Command::FirstAccess {
                pin,
                trust_device: form.trust_device,
            },
        )
        .await?;
    login_answer(handled)
}

async fn login(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<PinForm>,
) -> ApiResult {
    let cf = parse_cf(&form.codice_fiscale)?;
    let pin = parse_pin(&form.pin)?;
    let command = Command::LogIn {
        pin,
        device: device_cookie(&headers),
        trust_device: form.trust_device,
    };
    login_answer(state.app.execute(cf, command).await?)
}

async fn renew(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<PinForm>,
) -> ApiResult {
    let cf = parse_cf(&form.codice_fiscale)?;
    let pin = parse_pin(&form.pin)?;
    let command = Command::RenewPin {
        pin,
        device: device_cookie(&headers),
        trust_device: form.trust_device,
    };
    login_answer(state.app.execute(cf, command).await?)
}

#[derive(Deserialize)]
struct AuthoriseForm {
    service: String,
}

async fn authorise(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<AuthoriseForm>,
) -> ApiResult {
    let token = bearer(&headers).ok_or(ApiError::Unauthorised("session.missing"))?;
    let session = state
        .app
        .session_for(token)
        .await?
        .map_err(ApiError::Unauthorised)?;
    let authorisation = state
        .app
        .policy
        .catalogue
        .authorise(&session, &form.service)
        .map_err(|_| ApiError::NotFound("authorisation.unknown_service"))?;
    let (status, verdict) = match authorisation.verdict {
        Verdict::Allowed => (StatusCode::OK, json!({ "allowed": true })),
        Verdict::Refused(reason) => (
            StatusCode::FORBIDDEN,
            json!({ "allowed": false, "code": reason.code(), "message": reason.message_it() }),
        ),
        _ => (StatusCode::FORBIDDEN, json!({ "allowed": false })),
    };
    let mut value = verdict;
    value["service"] = json!(authorisation.service.name_it());
    value["required"] = json!(authorisation.required);
    value["held"] = json!(authorisation.held);
    Ok((status, Json(value)).into_response())
}

#[derive(Deserialize)]
struct RestoreForm {
    codice_fiscale: String,
    email: String,
    mobile: String,
}

async fn restore(State(state): State<Arc<HttpState>>, Json(form): Json<RestoreForm>) -> ApiResult {
    let cf = parse_cf(&form.codice_fiscale)?;
    let command = Command::Restore {
        email: contact(Email::parse(&form.email))?,
        mobile: contact(MobileNumber::parse(&form.mobile))?,
    };
    Ok(success(
        StatusCode::ACCEPTED,
        state.app.execute(cf, command).await?,
    ))
}

// ---- operators ----

/// The operator making the request, once their key is checked.
fn operator(state: &HttpState, headers: &HeaderMap) -> Result<OperatorId, ApiError> {
    let key = headers
        .get("x-operator-key")
        .and_then(|value| value.to_str().ok());
    if key != Some(state.operator_key.as_str()) {
        return Err(ApiError::Unauthorised("operator.unauthorised"));
    }
    let id = headers
        .get("x-operator-id")
        .and_then(|value| value.to_str().ok())
        .ok_or(ApiError::Unauthorised("operator.unnamed"))?;
    OperatorId::new(id).map_err(input(
        |e: &inps_pin::OperatorIdError| e.code(),
        |e| e.message_it(),
    ))
}

#[derive(Deserialize)]
struct DocumentForm {
    kind: DocumentKind,
    number: String,
    expires_on: Date,
}

impl DocumentForm {
    /// The document as the operator who examined it vouches for it, now.
    fn attested(
        &self,
        by: &OperatorId,
        now: Timestamp,
    ) -> Result<Attested<IdentityDocument>, ApiError> {
        let document = IdentityDocument::new(self.kind, &self.number, self.expires_on).map_err(
            input(|e: &inps_pin::DocumentError| e.code(), |e| e.message_it()),
        )?;
        Ok(Attested::vouched_for(document, by.clone(), now))
    }
}

#[derive(Deserialize)]
struct ContactCenterForm {
    person: PersonForm,
    caller_phone: PhoneKind,
}

async fn request_contact_center(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<ContactCenterForm>,
) -> ApiResult {
    operator(&state, &headers)?;
    let person = form.person.parse()?;
    let archive = state.app.archive_lookup(&person);
    let cf = person.codice_fiscale();
    let channel = ChannelRequest::ContactCenter {
        caller_phone: form.caller_phone,
    };
    let command = Command::RequestPin {
        person,
        channel,
        archive,
    };
    Ok(success(
        StatusCode::CREATED,
        state.app.execute(cf, command).await?,
    ))
}

#[derive(Deserialize)]
struct SedeForm {
    person: PersonForm,
    /// The document the operator examined at the counter with form MV35.
    document: DocumentForm,
}

async fn request_sede(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<SedeForm>,
) -> ApiResult {
    let by = operator(&state, &headers)?;
    let person = form.person.parse()?;
    let archive = state.app.archive_lookup(&person);
    let document = form.document.attested(&by, state.app.clock.now())?;
    let cf = person.codice_fiscale();
    let channel = ChannelRequest::Sede(SedeRequest { document });
    let command = Command::RequestPin {
        person,
        channel,
        archive,
    };
    Ok(success(
        StatusCode::CREATED,
        state.app.execute(cf, command).await?,
    ))
}

#[derive(Deserialize)]
struct RevokeForm {
    codice_fiscale: String,
    /// The card the operator checked against the health-card register.
    card_number: String,
    expires_on: Date,
}

async fn revoke(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<RevokeForm>,
) -> ApiResult {
    let by = operator(&state, &headers)?;
    let cf = parse_cf(&form.codice_fiscale)?;
    let card = TesseraSanitaria::new(cf, &form.card_number, form.expires_on).map_err(input(
        |e: &inps_pin::TesseraError| e.code(),
        |e| e.message_it(),
    ))?;
    let tessera = Attested::vouched_for(card, by, state.app.clock.now());
    Ok(success(
        StatusCode::OK,
        state.app.execute(cf, Command::Revoke { tessera }).await?,
    ))
}

#[derive(Deserialize)]
struct UpgradeRequestForm {
    codice_fiscale: String,
    via: UpgradeVia,
    /// The copy of the document attached to the request, as the intake operator examined it.
    document: DocumentForm,
}

async fn request_upgrade(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<UpgradeRequestForm>,
) -> ApiResult {
    let by = operator(&state, &headers)?;
    let cf = parse_cf(&form.codice_fiscale)?;
    let document = form.document.attested(&by, state.app.clock.now())?;
    let command = Command::RequestUpgrade {
        via: form.via,
        document,
    };
    Ok(success(
        StatusCode::ACCEPTED,
        state.app.execute(cf, command).await?,
    ))
}

#[derive(Deserialize)]
struct DecideForm {
    codice_fiscale: String,
    approve: bool,
    reason: Option<String>,
}

async fn decide_upgrade(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<DecideForm>,
) -> ApiResult {
    let reviewer = operator(&state, &headers)?;
    let cf = parse_cf(&form.codice_fiscale)?;
    let decision = if form.approve {
        UpgradeDecision::Approve
    } else {
        let reason =
            RejectionReason::new(form.reason.as_deref().unwrap_or_default()).map_err(input(
                |e: &inps_pin::RejectionReasonError| e.code(),
                |e| e.message_it(),
            ))?;
        UpgradeDecision::Reject(reason)
    };
    let command = Command::DecideUpgrade { decision, reviewer };
    Ok(success(
        StatusCode::OK,
        state.app.execute(cf, command).await?,
    ))
}

#[derive(Deserialize)]
struct SedeUpgradeForm {
    codice_fiscale: String,
    document: DocumentForm,
}

async fn upgrade_at_sede(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<SedeUpgradeForm>,
) -> ApiResult {
    let by = operator(&state, &headers)?;
    let cf = parse_cf(&form.codice_fiscale)?;
    let document = form.document.attested(&by, state.app.clock.now())?;
    Ok(success(
        StatusCode::OK,
        state
            .app
            .execute(cf, Command::UpgradeAtSede { document })
            .await?,
    ))
}

/// The operators' view of an account: its version, phase, failures and next deadline.
async fn account_view(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Path(cf): Path<String>,
) -> ApiResult {
    operator(&state, &headers)?;
    let cf = parse_cf(&cf)?;
    let account = state.app.store.load(cf).await.map_err(ServiceError::from)?;
    let now = state.app.clock.now();
    Ok(Json(json!({
        "codice_fiscale": cf.as_str(),
        "version": account.version(),
        "phase": account.phase(now, &state.app.policy).name(),
        "consecutive_failures": account.consecutive_failures(),
        "expires_at": account.expires_at().map(|at| at.to_string()),
        "next_deadline": account.poll_deadline(&state.app.policy).map(|at| at.to_string()),
        "now": now.to_string(),
    }))
    .into_response())
}

#[derive(Deserialize)]
struct ClockForm {
    #[serde(default)]
    advance_days: i64,
    #[serde(default)]
    advance_seconds: i64,
}

/// Moves the service's clock forward (demo only: `INPS_PIN_DEMO_CLOCK=1`), then ticks every
/// account whose deadline has come, as the ticker would.
async fn jump_clock(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    Json(form): Json<ClockForm>,
) -> ApiResult {
    operator(&state, &headers)?;
    state.app.clock.advance(
        SignedDuration::from_hours(24 * form.advance_days)
            + SignedDuration::from_secs(form.advance_seconds),
    );
    let ticked = state.app.tick_due().await?;
    Ok(Json(json!({ "now": state.app.clock.now().to_string(), "ticked": ticked })).into_response())
}
