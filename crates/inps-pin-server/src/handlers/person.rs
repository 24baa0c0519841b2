//! What the person does online: request a PIN, make the first access, log in, renew,
//! restore, ask whether a service is open to their session, log out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use inps_pin::{
    Address, ArchiveRecord, Attested, ChannelRequest, CodiceFiscale, Command, Email, EnteredPin,
    MobileNumber, Person, PersonName, Reply, Role, Verdict,
};
use inps_pin_sqlx::{Executed, SessionCheck};

use crate::api::{
    AcceptedResponse, AuthorisationResponse, AuthoriseForm, ErrorBody, Level, PersonForm,
    PersonRole, PinForm, PinIssuedResponse, RestoreForm, SessionResponse, ShownPart,
};
use crate::error::ApiError;
use crate::extract::{ApiJson, DEVICE_COOKIE, Peer, bearer, device_cookie};
use crate::state::AppState;

/// Parses a codice fiscale, or answers with its coded error.
pub(crate) fn codice_fiscale(text: &str) -> Result<CodiceFiscale, ApiError> {
    CodiceFiscale::parse(text).map_err(|error| ApiError::input(&error))
}

/// The person of a form, every field checked (R1, R3, R4).
pub(crate) fn person(form: &PersonForm) -> Result<Person, ApiError> {
    let contact = |error: inps_pin::ContactError| ApiError::input(&error);
    let mut person = Person::new(
        PersonName::parse(&form.first_name).map_err(contact)?,
        PersonName::parse(&form.surname).map_err(contact)?,
        codice_fiscale(&form.codice_fiscale)?,
        match form.role {
            PersonRole::Citizen => Role::Citizen,
            PersonRole::Intermediary => Role::Intermediary,
        },
        Address::new(&form.street, &form.postal_code, &form.city, &form.province)
            .map_err(contact)?,
    );
    if let Some(email) = &form.email {
        person = person.with_email(Email::parse(email).map_err(contact)?);
    }
    if let Some(mobile) = &form.mobile {
        person = person.with_mobile(MobileNumber::parse(mobile).map_err(contact)?);
    }
    Ok(person)
}

/// The archive's record of the person, as the service vouches for it (R35): what the person
/// typed is never taken for what the archive holds.
pub(crate) async fn archive_record(
    state: &AppState,
    codice_fiscale: CodiceFiscale,
) -> Result<Attested<ArchiveRecord>, ApiError> {
    match state.archive.lookup(codice_fiscale).await {
        Ok(Some(record)) => Ok(Attested::vouched_for(
            record,
            state.archive_checker.clone(),
            state.accounts.clock().now(),
        )),
        Ok(None) => Err(ApiError::Input {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "request.not_in_archive",
            message: "I dati indicati non risultano negli archivi dell'Istituto: rivolgiti a una \
                      sede INPS o al Contact Center (803 164 da rete fissa, 06 164 164 da \
                      cellulare)."
                .to_owned(),
        }),
        Err(error) => {
            tracing::error!(%error, "the archive could not be consulted");
            Err(ApiError::Unavailable {
                code: "service.archive_unavailable",
                retry_after: 30,
            })
        }
    }
}

/// Parses a typed PIN from its wiped buffer into the library's wiped type.
pub(crate) fn typed_pin(form: &PinForm) -> Result<EnteredPin, ApiError> {
    EnteredPin::parse(&form.pin.0).map_err(|error| ApiError::input(&error))
}

/// The client a request comes from: a trusted proxy's header when configured, else the peer.
/// Of a list (`x-forwarded-for: a, b, c`) the last address is the one the trusted proxy
/// wrote; those before it are whatever the client sent, and a client that could choose its
/// address would choose a new one for every request past its limit.
pub(crate) fn client(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> std::net::IpAddr {
    let from_proxy = state.client_ip_header.as_deref().and_then(|name| {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .rsplit(',')
            .next()?
            .trim()
            .parse()
            .ok()
    });
    from_proxy
        .or(peer.map(|peer| peer.ip()))
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
}

/// Counts an anonymous request against its client's minute; 429 past it.
pub(crate) fn admit(state: &AppState, headers: &HeaderMap, peer: Peer) -> Result<(), ApiError> {
    let client = client(state, headers, peer.0);
    state.limiter.admit(client).map_err(|retry_after| {
        state.metrics.shed("client_rate");
        ApiError::RateLimited { retry_after }
    })
}

/// The parts of a PIN shown in this answer.
pub(crate) fn shown(executed: &Executed) -> Vec<ShownPart> {
    executed.shown.iter().filter_map(ShownPart::of).collect()
}

/// A login-like command's answer: a session, or the one answer for wrong credentials, paced
/// like a verification (R30a).
async fn session_answer(
    state: &AppState,
    executed: Executed,
    status: StatusCode,
) -> Result<Response, ApiError> {
    if executed.verifications > 0 {
        state
            .metrics
            .argon2_seconds
            .observe(executed.timings.decide.as_secs_f64());
        state.pacing.observe(executed.timings.decide);
    }
    if let Some(failure) = &executed.failure {
        // The operators' view (R30): the count, the delay, the block; never in the reply.
        tracing::info!(
            consecutive = failure.consecutive_failures,
            blocks = failure.blocks,
            trusted_device = failure.device.is_some(),
            "a failed login"
        );
        if failure.blocks {
            state.metrics.blocks.inc();
        }
    }
    let session = match &executed.reply {
        Reply::LoginFailed(failure) => {
            state.metrics.login_failures.inc();
            tokio::time::sleep(state.pacing.remaining(executed.timings.decide)).await;
            return Err(ApiError::Credentials(*failure));
        }
        _ => executed.session.as_ref(),
    };
    let Some(opened) = session else {
        return Err(ApiError::Internal(
            "a login-like command answered without a session".to_owned(),
        ));
    };
    state.metrics.logins.inc();
    let body = SessionResponse {
        codice_fiscale: opened.session.codice_fiscale().as_str().to_owned(),
        session_token: opened.token.expose().to_owned(),
        level: opened.session.level().into(),
        expires_at: opened.expires_at.to_string(),
        shown: shown(&executed),
    };
    let mut response = (status, Json(body)).into_response();
    if let Some(device) = &executed.trusted_device {
        let cookie = format!(
            "{DEVICE_COOKIE}={}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={}",
            device.expose(),
            state.device_cookie_age.as_secs()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// Request a PIN online (R11): the first half on screen (and by e-mail or SMS), the second by
/// post to the residence the institute's archive holds.
#[utoipa::path(
    post,
    path = "/v1/pin-requests",
    tag = "person",
    request_body = PersonForm,
    responses(
        (status = 201, description = "Issued: the first half is shown", body = PinIssuedResponse),
        (status = 409, description = "A PIN exists for this codice fiscale: log in, restore or revoke", body = ErrorBody),
        (status = 422, description = "A field does not parse, or the archive holds no such person", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody),
        (status = 503, description = "Busy: try again after Retry-After", body = ErrorBody),
    )
)]
pub async fn request_pin(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(form): ApiJson<PersonForm>,
) -> Result<Response, ApiError> {
    admit(&state, &headers, peer)?;
    let person = person(&form)?;
    let cf = person.codice_fiscale();
    let archive = archive_record(&state, cf).await?;
    let command = Command::RequestPin {
        person,
        channel: ChannelRequest::Online,
        archive,
    };
    let executed = state.accounts.execute(cf, command).await?;
    Ok((StatusCode::CREATED, Json(pin_issued(&executed)?)).into_response())
}

/// The answer of an issued PIN.
pub(crate) fn pin_issued(executed: &Executed) -> Result<PinIssuedResponse, ApiError> {
    match &executed.reply {
        Reply::PinIssued {
            channel,
            assurance,
            first_access_by,
        } => Ok(PinIssuedResponse {
            codice_fiscale: executed.account.codice_fiscale().as_str().to_owned(),
            channel: (*channel).into(),
            level: (*assurance).into(),
            first_access_by: first_access_by.to_string(),
            shown: shown(executed),
            message: "PIN emesso: la prima parte è qui e nei tuoi contatti, la seconda arriva \
                      per posta all'indirizzo di residenza. Con le due parti fai il primo \
                      accesso entro la data indicata."
                .to_owned(),
        }),
        _ => Err(ApiError::Internal(
            "a PIN request answered without issuing".to_owned(),
        )),
    }
}

/// The first access with the 16 characters (R6): a new 8-character PIN on screen, a session.
#[utoipa::path(
    post,
    path = "/v1/first-access",
    tag = "person",
    request_body = PinForm,
    responses(
        (status = 200, description = "Done: the new 8-character PIN is shown", body = SessionResponse),
        (status = 401, description = "Codice fiscale or PIN not right", body = ErrorBody),
        (status = 410, description = "The 16 characters lapsed: request again", body = ErrorBody),
        (status = 422, description = "A field does not parse", body = ErrorBody),
        (status = 503, description = "Busy: try again after Retry-After", body = ErrorBody),
    )
)]
pub async fn first_access(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(form): ApiJson<PinForm>,
) -> Result<Response, ApiError> {
    admit(&state, &headers, peer)?;
    let cf = codice_fiscale(&form.codice_fiscale)?;
    let command = Command::FirstAccess {
        pin: typed_pin(&form)?,
        trust_device: form.trust_device,
    };
    let executed = state.accounts.execute(cf, command).await?;
    session_answer(&state, executed, StatusCode::OK).await
}

/// Log in with the 8-character PIN (or, where the policy allows, the first half, R9a).
#[utoipa::path(
    post,
    path = "/v1/login",
    tag = "person",
    request_body = PinForm,
    responses(
        (status = 200, description = "A session", body = SessionResponse),
        (status = 401, description = "Codice fiscale or PIN not right (also while slowed or blocked)", body = ErrorBody),
        (status = 410, description = "The PIN expired: renew it", body = ErrorBody),
        (status = 422, description = "A field does not parse", body = ErrorBody),
        (status = 503, description = "Busy: try again after Retry-After", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(form): ApiJson<PinForm>,
) -> Result<Response, ApiError> {
    admit(&state, &headers, peer)?;
    let cf = codice_fiscale(&form.codice_fiscale)?;
    let command = Command::LogIn {
        pin: typed_pin(&form)?,
        device: device_cookie(&headers),
        trust_device: form.trust_device,
    };
    let started = Instant::now();
    let result = state.accounts.execute(cf, command).await;
    tracing::debug!(elapsed_ms = started.elapsed().as_millis(), "login decided");
    session_answer(&state, result?, StatusCode::OK).await
}

/// Renew an expired or expiring PIN (R21): a new 8-character PIN, the same level, a session.
#[utoipa::path(
    post,
    path = "/v1/renewal",
    tag = "person",
    request_body = PinForm,
    responses(
        (status = 200, description = "Renewed: the new PIN is shown", body = SessionResponse),
        (status = 401, description = "Codice fiscale or PIN not right", body = ErrorBody),
        (status = 409, description = "Not due yet", body = ErrorBody),
        (status = 503, description = "Busy: try again after Retry-After", body = ErrorBody),
    )
)]
pub async fn renew(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(form): ApiJson<PinForm>,
) -> Result<Response, ApiError> {
    admit(&state, &headers, peer)?;
    let cf = codice_fiscale(&form.codice_fiscale)?;
    let command = Command::RenewPin {
        pin: typed_pin(&form)?,
        device: device_cookie(&headers),
        trust_device: form.trust_device,
    };
    let executed = state.accounts.execute(cf, command).await?;
    session_answer(&state, executed, StatusCode::OK).await
}

/// Restore a lost or blocked PIN through the two registered contacts (R23, R23a): a new
/// 16-character PIN, its halves to the e-mail and the mobile; the PIN in use keeps working.
#[utoipa::path(
    post,
    path = "/v1/restore",
    tag = "person",
    request_body = RestoreForm,
    responses(
        (status = 202, description = "Sent to the registered contacts", body = AcceptedResponse),
        (status = 422, description = "The contacts are not the registered ones, or do not parse", body = ErrorBody),
        (status = 429, description = "Too many restores", body = ErrorBody),
        (status = 503, description = "Busy: try again after Retry-After", body = ErrorBody),
    )
)]
pub async fn restore(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(form): ApiJson<RestoreForm>,
) -> Result<Response, ApiError> {
    admit(&state, &headers, peer)?;
    let cf = codice_fiscale(&form.codice_fiscale)?;
    let command = Command::Restore {
        email: Email::parse(&form.email).map_err(|error| ApiError::input(&error))?,
        mobile: MobileNumber::parse(&form.mobile).map_err(|error| ApiError::input(&error))?,
    };
    state.accounts.execute(cf, command).await?;
    let body = AcceptedResponse {
        code: "restore.sent".to_owned(),
        message: "Le due parti del nuovo PIN sono state inviate ai contatti registrati. Il PIN \
                  attuale resta valido fino al primo accesso con quello nuovo."
            .to_owned(),
    };
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// The session behind the request's bearer token, if it stands.
pub(crate) async fn session_of(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<inps_pin::Session, ApiError> {
    let token = bearer(headers).ok_or(ApiError::Unauthenticated("session.missing"))?;
    match state
        .accounts
        .session(token)
        .await
        .map_err(|error| ApiError::storage(&error))?
    {
        SessionCheck::Valid(session) => Ok(session),
        SessionCheck::Unknown => Err(ApiError::Unauthenticated("session.unknown")),
        _ => Err(ApiError::Unauthenticated("session.ended")),
    }
}

/// May the logged-in person use this service at their PIN's level (R19)?
#[utoipa::path(
    post,
    path = "/v1/authorisations",
    tag = "person",
    request_body = AuthoriseForm,
    security(("session" = [])),
    responses(
        (status = 200, description = "Allowed", body = AuthorisationResponse),
        (status = 401, description = "No session, or it ended", body = ErrorBody),
        (status = 403, description = "Refused, with why", body = AuthorisationResponse),
        (status = 404, description = "No such service", body = ErrorBody),
    )
)]
pub async fn authorise(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<AuthoriseForm>,
) -> Result<Response, ApiError> {
    let session = session_of(&state, &headers).await?;
    let authorisation = state
        .accounts
        .policy()
        .catalogue
        .authorise(&session, &form.service)
        .map_err(|_| ApiError::NotFound("authorisation.unknown_service"))?;
    let (status, code, message) = match authorisation.verdict {
        Verdict::Allowed => (StatusCode::OK, None, None),
        Verdict::Refused(reason) => (
            StatusCode::FORBIDDEN,
            Some(reason.code().to_owned()),
            Some(reason.message_it().to_owned()),
        ),
        _ => (StatusCode::FORBIDDEN, None, None),
    };
    let body = AuthorisationResponse {
        service: authorisation.service.name_it().to_owned(),
        allowed: status == StatusCode::OK,
        required: Level::from(authorisation.required),
        held: Level::from(authorisation.held),
        code,
        message,
    };
    Ok((status, Json(body)).into_response())
}

/// End the session (log out).
#[utoipa::path(
    delete,
    path = "/v1/session",
    tag = "person",
    security(("session" = [])),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "No session", body = ErrorBody),
    )
)]
pub async fn log_out(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = bearer(&headers).ok_or(ApiError::Unauthenticated("session.missing"))?;
    state
        .accounts
        .log_out(token)
        .await
        .map_err(|error| ApiError::storage(&error))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
