//! What operators do: take PIN requests on the phone and at the counter, revoke with the
//! tessera sanitaria, receive and decide upgrade requests, upgrade at the counter, read an
//! account. Every action is authenticated, checked against the operator's roles, attested in
//! their name (never a name the request gives) and logged with who did it.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inps_pin::{
    Attested, ChannelRequest, CodiceFiscale, Command, IdentityDocument, OperatorId,
    RejectionReason, Reply, SedeRequest, TesseraSanitaria, UpgradeDecision,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::api::{
    AccountView, ClockForm, ClockResponse, ContactCenterForm, DocumentForm, ErrorBody,
    OperatorResponse, RevokeForm, SedeForm, SedeUpgradeForm, UpgradeDecisionForm,
    UpgradeRequestForm,
};
use crate::error::ApiError;
use crate::extract::{ApiJson, OperatorAuth};
use crate::handlers::person::{archive_record, codice_fiscale, person, pin_issued, shown};
use crate::operators::{Operator, OperatorRole};
use crate::registers::CardStatus;
use crate::state::AppState;

/// A date as typed (`YYYY-MM-DD`), or its coded error.
fn date(text: &str, code: &'static str) -> Result<Date, ApiError> {
    text.parse().map_err(|_: jiff::Error| ApiError::Input {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code,
        message: "La data deve essere nella forma AAAA-MM-GG.".to_owned(),
    })
}

/// The document as the operator who examined it vouches for it, now (R35).
fn document(
    form: &DocumentForm,
    by: &OperatorId,
    now: Timestamp,
) -> Result<Attested<IdentityDocument>, ApiError> {
    let expires_on = date(&form.expires_on, "document.date")?;
    let document = IdentityDocument::new(form.kind.into(), &form.number, expires_on)
        .map_err(|error| ApiError::input(&error))?;
    Ok(Attested::vouched_for(document, by.clone(), now))
}

/// Logs an operator action: who, what, on whose account.
fn audit(state: &AppState, operator: &Operator, action: &'static str, cf: CodiceFiscale) {
    state.metrics.operator_action(action);
    tracing::info!(
        operator = operator.id.as_str(),
        action,
        codice_fiscale = cf.as_str(),
        "operator action"
    );
}

fn done(
    status: StatusCode,
    code: &str,
    message: &str,
    shown: Vec<crate::api::ShownPart>,
) -> Response {
    let body = OperatorResponse {
        code: code.to_owned(),
        message: message.to_owned(),
        shown,
    };
    (status, Json(body)).into_response()
}

/// A PIN request taken on the phone by the Contact Center (R12): the operator reads the first
/// half to the caller (shown here), which also goes by e-mail and SMS; the second by post.
#[utoipa::path(
    post,
    path = "/v1/operator/contact-center/pin-requests",
    tag = "operator",
    request_body = ContactCenterForm,
    security(("operator_key" = [])),
    responses(
        (status = 201, description = "Issued: the first half, to read to the caller", body = crate::api::PinIssuedResponse),
        (status = 401, description = "No operator key, or an unknown one", body = ErrorBody),
        (status = 403, description = "Not a Contact Center operator", body = ErrorBody),
        (status = 409, description = "A PIN exists for this codice fiscale", body = ErrorBody),
        (status = 422, description = "A field does not parse, or the archive holds no such person", body = ErrorBody),
    )
)]
pub async fn contact_center_request(
    State(state): State<Arc<AppState>>,
    operator: OperatorAuth,
    ApiJson(form): ApiJson<ContactCenterForm>,
) -> Result<Response, ApiError> {
    let operator = operator.require(&[OperatorRole::ContactCenter])?;
    let person = person(&form.person)?;
    let cf = person.codice_fiscale();
    let archive = archive_record(&state, cf).await?;
    let command = Command::RequestPin {
        person,
        channel: ChannelRequest::ContactCenter {
            caller_phone: form.caller_phone.into(),
        },
        archive,
    };
    let executed = state.accounts.execute(cf, command).await?;
    audit(&state, &operator, "pin_request_contact_center", cf);
    Ok((StatusCode::CREATED, Json(pin_issued(&executed)?)).into_response())
}

/// A PIN request at a sede with form MV35 (R13): the operator examined the document; the
/// whole PIN is printed in a sealed envelope (never shown here), and it is dispositivo.
#[utoipa::path(
    post,
    path = "/v1/operator/sede/pin-requests",
    tag = "operator",
    request_body = SedeForm,
    security(("operator_key" = [])),
    responses(
        (status = 201, description = "Issued: the envelope is printed at the counter", body = crate::api::PinIssuedResponse),
        (status = 401, description = "No operator key, or an unknown one", body = ErrorBody),
        (status = 403, description = "Not a sede operator", body = ErrorBody),
        (status = 409, description = "A PIN exists for this codice fiscale", body = ErrorBody),
        (status = 422, description = "A field does not parse, the document is expired, or the archive holds no such person", body = ErrorBody),
    )
)]
pub async fn sede_request(
    State(state): State<Arc<AppState>>,
    operator: OperatorAuth,
    ApiJson(form): ApiJson<SedeForm>,
) -> Result<Response, ApiError> {
    let operator = operator.require(&[OperatorRole::Sede])?;
    let person = person(&form.person)?;
    let cf = person.codice_fiscale();
    let archive = archive_record(&state, cf).await?;
    let document = document(&form.document, &operator.id, state.accounts.clock().now())?;
    let command = Command::RequestPin {
        person,
        channel: ChannelRequest::Sede(SedeRequest { document }),
        archive,
    };
    let executed = state.accounts.execute(cf, command).await?;
    audit(&state, &operator, "pin_request_sede", cf);
    Ok((StatusCode::CREATED, Json(pin_issued(&executed)?)).into_response())
}

/// A revocation with the tessera sanitaria (R24). The service checks the card against the
/// health-card register itself: a made-up card revokes nobody's PIN.
#[utoipa::path(
    post,
    path = "/v1/operator/revocations",
    tag = "operator",
    request_body = RevokeForm,
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "Revoked", body = OperatorResponse),
        (status = 401, description = "No operator key, or an unknown one", body = ErrorBody),
        (status = 403, description = "Not a sede or Contact Center operator", body = ErrorBody),
        (status = 404, description = "No PIN to revoke", body = ErrorBody),
        (status = 422, description = "The card does not parse, or the register does not hold it for this person", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    operator: OperatorAuth,
    ApiJson(form): ApiJson<RevokeForm>,
) -> Result<Response, ApiError> {
    let operator = operator.require(&[OperatorRole::Sede, OperatorRole::ContactCenter])?;
    let cf = codice_fiscale(&form.codice_fiscale)?;
    let expires_on = date(&form.expires_on, "tessera.date")?;
    let card = TesseraSanitaria::new(cf, &form.card_number, expires_on)
        .map_err(|error| ApiError::input(&error))?;
    match state.tessera.check(&card).await {
        Ok(CardStatus::Valid) => {}
        Ok(_) => {
            tracing::warn!(
                operator = operator.id.as_str(),
                codice_fiscale = cf.as_str(),
                "a revocation with a card the register does not hold"
            );
            return Err(ApiError::Input {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "revoke.card_not_in_register",
                message: "La tessera sanitaria indicata non risulta valida per questo codice \
                          fiscale: controlla il numero e la scadenza sulla tessera."
                    .to_owned(),
            });
        }
        Err(error) => {
            tracing::error!(%error, "the health-card register could not be consulted");
            return Err(ApiError::Unavailable {
                code: "service.register_unavailable",
                retry_after: 30,
            });
        }
    }
    let tessera = Attested::vouched_for(card, operator.id.clone(), state.accounts.clock().now());
    let executed = state
        .accounts
        .execute(cf, Command::Revoke { tessera })
        .await?;
    audit(&state, &operator, "revoke", cf);
    Ok(done(
        StatusCode::OK,
        "pin.revoked",
        "PIN revocato: la persona può richiederne uno nuovo.",
        shown(&executed),
    ))
}

/// A written upgrade request, online or by fax (R16, R17): it waits for the back office.
#[utoipa::path(
    post,
    path = "/v1/operator/upgrade-requests",
    tag = "operator",
    request_body = UpgradeRequestForm,
    security(("operator_key" = [])),
    responses(
        (status = 202, description = "Waiting for the back office", body = OperatorResponse),
        (status = 401, description = "No operator key, or an unknown one", body = ErrorBody),
        (status = 403, description = "Not a back-office operator", body = ErrorBody),
        (status = 409, description = "Already dispositivo, or a request waits", body = ErrorBody),
        (status = 422, description = "The document does not parse or is expired", body = ErrorBody),
    )
)]
pub async fn upgrade_request(
    State(state): State<Arc<AppState>>,
    operator: OperatorAuth,
    ApiJson(form): ApiJson<UpgradeRequestForm>,
) -> Result<Response, ApiError> {
    let operator = operator.require(&[OperatorRole::BackOffice])?;
    let cf = codice_fiscale(&form.codice_fiscale)?;
    let document = document(&form.document, &operator.id, state.accounts.clock().now())?;
    let command = Command::RequestUpgrade {
        via: form.via.into(),
        document,
    };
    state.accounts.execute(cf, command).await?;
    audit(&state, &operator, "upgrade_request", cf);
    Ok(done(
        StatusCode::ACCEPTED,
        "upgrade.requested",
        "Richiesta di PIN dispositivo ricevuta: sarà esaminata dal back office.",
        Vec::new(),
    ))
}

/// The back office's decision on a waiting upgrade request (R17). The reviewer is the
/// authenticated operator.
#[utoipa::path(
    post,
    path = "/v1/operator/upgrade-decisions",
    tag = "operator",
    request_body = UpgradeDecisionForm,
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "Decided", body = OperatorResponse),
        (status = 401, description = "No operator key, or an unknown one", body = ErrorBody),
        (status = 403, description = "Not a back-office operator", body = ErrorBody),
        (status = 404, description = "No request waits", body = ErrorBody),
        (status = 422, description = "A rejection without a reason", body = ErrorBody),
    )
)]
pub async fn upgrade_decision(
    State(state): State<Arc<AppState>>,
    operator: OperatorAuth,
    ApiJson(form): ApiJson<UpgradeDecisionForm>,
) -> Result<Response, ApiError> {
    let operator = operator.require(&[OperatorRole::BackOffice])?;
    let cf = codice_fiscale(&form.codice_fiscale)?;
    let decision = if form.approve {
        UpgradeDecision::Approve
    } else {
        let reason = RejectionReason::new(form.reason.as_deref().unwrap_or_default())
            .map_err(|error| ApiError::input(&error))?;
        UpgradeDecision::Reject(reason)
    };
    let command = Command::DecideUpgrade {
        decision,
        reviewer: operator.id.clone(),
    };
    let executed = state.accounts.execute(cf, command).await?;
    audit(&state, &operator, "upgrade_decision", cf);
    let (code, message) = match executed.reply {
        Reply::UpgradeDecided { approved: true } => (
            "upgrade.approved",
            "Richiesta approvata: il PIN è ora dispositivo.",
        ),
        _ => (
            "upgrade.rejected",
            "Richiesta respinta: la persona riceve il motivo.",
        ),
    };
    Ok(done(StatusCode::OK, code, message, Vec::new()))
}

/// An upgrade at a sede, decided on the spot (R16).
#[utoipa::path(
    post,
    path = "/v1/operator/sede/upgrades",
    tag = "operator",
    request_body = SedeUpgradeForm,
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "The PIN is dispositivo", body = OperatorResponse),
        (status = 401, description = "No operator key, or an unknown one", body = ErrorBody),
        (status = 403, description = "Not a sede operator", body = ErrorBody),
        (status = 409, description = "Already dispositivo", body = ErrorBody),
        (status = 422, description = "The document does not parse or is expired", body = ErrorBody),
    )
)]
pub async fn sede_upgrade(
    State(state): State<Arc<AppState>>,
    operator: OperatorAuth,
    ApiJson(form): ApiJson<SedeUpgradeForm>,
) -> Result<Response, ApiError> {
    let operator = operator.require(&[OperatorRole::Sede])?;
    let cf = codice_fiscale(&form.codice_fiscale)?;
    let document = document(&form.document, &operator.id, state.accounts.clock().now())?;
    state
        .accounts
        .execute(cf, Command::UpgradeAtSede { document })
        .await?;
    audit(&state, &operator, "upgrade_at_sede", cf);
    Ok(done(
        StatusCode::OK,
        "upgrade.done",
        "PIN dispositivo: la persona può ora presentare domande online.",
        Vec::new(),
    ))
}

/// An account as operators see it: its state, never a code or a hash.
#[utoipa::path(
    get,
    path = "/v1/operator/accounts/{codice_fiscale}",
    tag = "operator",
    params(("codice_fiscale" = String, Path, description = "The codice fiscale")),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "The account", body = AccountView),
        (status = 401, description = "No operator key, or an unknown one", body = ErrorBody),
        (status = 403, description = "Not an operator who may read accounts", body = ErrorBody),
    )
)]
pub async fn account_view(
    State(state): State<Arc<AppState>>,
    operator: OperatorAuth,
    Path(codice_fiscale_text): Path<String>,
) -> Result<Response, ApiError> {
    let operator = operator.require(&[
        OperatorRole::Auditor,
        OperatorRole::Sede,
        OperatorRole::ContactCenter,
        OperatorRole::BackOffice,
    ])?;
    let cf = codice_fiscale(&codice_fiscale_text)?;
    let account = state
        .accounts
        .store()
        .load(cf)
        .await
        .map_err(|error| ApiError::storage(&error))?;
    audit(&state, &operator, "account_view", cf);
    let now = state.accounts.clock().now();
    let policy = state.accounts.policy();
    let view = AccountView {
        codice_fiscale: cf.as_str().to_owned(),
        version: account.version(),
        phase: account.phase(now, policy).name().to_owned(),
        consecutive_failures: account.consecutive_failures(),
        expires_at: account.expires_at().map(|at| at.to_string()),
        next_deadline: account.poll_deadline(policy).map(|at| at.to_string()),
        now: now.to_string(),
    };
    Ok(Json(view).into_response())
}

/// Moves the demo's clock forward, then ticks every account whose deadline has come (only
/// in demo mode).
#[utoipa::path(
    post,
    path = "/v1/operator/demo/clock",
    tag = "operator",
    request_body = ClockForm,
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "The clock moved", body = ClockResponse),
        (status = 404, description = "Not in demo mode", body = ErrorBody),
    )
)]
pub async fn demo_clock(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
    ApiJson(form): ApiJson<ClockForm>,
) -> Result<Response, ApiError> {
    // Outside demo mode the route does not exist, for anyone.
    let clock = state
        .demo_clock
        .as_ref()
        .ok_or(ApiError::NotFound("route.not_found"))?;
    let operator = OperatorAuth::from_headers(&state, &headers).await?;
    let operator = operator.require(&[
        OperatorRole::Auditor,
        OperatorRole::Sede,
        OperatorRole::ContactCenter,
        OperatorRole::BackOffice,
    ])?;
    let days = form.advance_days.clamp(0, 3660);
    let seconds = form.advance_seconds.clamp(0, 366 * 86_400);
    clock.advance(SignedDuration::from_hours(24 * days) + SignedDuration::from_secs(seconds));
    tracing::info!(
        operator = operator.id.as_str(),
        days,
        seconds,
        "the demo clock moved"
    );
    let report = state
        .accounts
        .tick_due(500)
        .await
        .map_err(|error| ApiError::storage(&error))?;
    Ok(Json(ClockResponse {
        now: state.accounts.clock().now().to_string(),
        ticked: report.ticked,
    })
    .into_response())
}
