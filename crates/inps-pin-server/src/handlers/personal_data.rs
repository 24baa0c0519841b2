//! What the record holds about a person, and how it forgets (R36): the person's own export
//! through their session, and an auditor's export and erasure. Every operator action is
//! logged with who did it (and, for an erasure, why), never with the personal data.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use inps_pin::{Account, CodiceFiscale, Command, ErasureReason, Reply};

use crate::api::{ErasureForm, ErasureResponse, ErrorBody, PersonalDataExportBody};
use crate::error::ApiError;
use crate::extract::{ApiJson, OperatorAuth};
use crate::handlers::person::{codice_fiscale, session_of};
use crate::operators::OperatorRole;
use crate::state::AppState;

/// The export of an account: replayed from its events, so the account and its history are
/// of one read, and what the service keeps beside them (the sessions open, the messages made).
/// Marked `no-store`: it holds the person's data.
async fn export_of(state: &AppState, cf: CodiceFiscale) -> Result<Response, ApiError> {
    let events = state
        .accounts
        .store()
        .events(cf)
        .await
        .map_err(|error| ApiError::storage(&error))?;
    let account = Account::replay(cf, &events);
    let now = state.accounts.clock().now();
    let export = account
        .export(&events, now, state.accounts.policy())
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let held = state
        .accounts
        .store()
        .held_records(cf)
        .await
        .map_err(|error| ApiError::storage(&error))?;
    let mut body = serde_json::to_value(&export)
        .map_err(|error| ApiError::Internal(format!("the export: {error}")))?;
    let held = serde_json::to_value(&held)
        .map_err(|error| ApiError::Internal(format!("the export: {error}")))?;
    if let Some(fields) = body.as_object_mut() {
        fields.insert("held_by_the_service".to_owned(), held);
    }
    Ok((
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response())
}

/// Everything the record holds about the logged-in person (R36; GDPR art. 15, 20).
#[utoipa::path(
    get,
    path = "/v1/me/export",
    tag = "person",
    security(("session" = [])),
    responses(
        (status = 200, description = "The export", body = PersonalDataExportBody),
        (status = 401, description = "No session, or it ended", body = ErrorBody),
    )
)]
pub async fn my_export(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let session = session_of(&state, &headers).await?;
    export_of(&state, session.codice_fiscale()).await
}

/// Everything the record holds about a person, for an auditor answering a request of access
/// (R36). Logged with the auditor's id.
#[utoipa::path(
    get,
    path = "/v1/operator/accounts/{codice_fiscale}/export",
    tag = "operator",
    params(("codice_fiscale" = String, Path, description = "The codice fiscale")),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "The export", body = PersonalDataExportBody),
        (status = 401, description = "No operator key, or an unknown one", body = ErrorBody),
        (status = 403, description = "Not an auditor", body = ErrorBody),
        (status = 422, description = "Not a codice fiscale", body = ErrorBody),
    )
)]
pub async fn account_export(
    State(state): State<Arc<AppState>>,
    operator: OperatorAuth,
    Path(codice_fiscale_text): Path<String>,
) -> Result<Response, ApiError> {
    let operator = operator.require(&[OperatorRole::Auditor])?;
    let cf = codice_fiscale(&codice_fiscale_text)?;
    let response = export_of(&state, cf).await?;
    state.metrics.operator_action("personal_data_export");
    tracing::info!(
        operator = operator.id.as_str(),
        action = "personal_data_export",
        codice_fiscale = cf.as_str(),
        "operator action"
    );
    Ok(response)
}

/// Erases a person's data (R36): the record keeps the security facts (that a PIN was issued,
/// used, blocked, revoked, when, at which level) and the erasure itself (when, why); the
/// person's key is destroyed, so every stored copy of their data is unreadable. A live PIN
/// ends with it. Logged with the auditor's id and the reason.
#[utoipa::path(
    post,
    path = "/v1/operator/accounts/{codice_fiscale}/erasure",
    tag = "operator",
    params(("codice_fiscale" = String, Path, description = "The codice fiscale")),
    request_body = ErasureForm,
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "Erased", body = ErasureResponse),
        (status = 401, description = "No operator key, or an unknown one", body = ErrorBody),
        (status = 403, description = "Not an auditor", body = ErrorBody),
        (status = 404, description = "The record holds no personal data to erase (erased already, or no PIN was ever requested)", body = ErrorBody),
        (status = 422, description = "Not a codice fiscale", body = ErrorBody),
    )
)]
pub async fn erasure(
    State(state): State<Arc<AppState>>,
    operator: OperatorAuth,
    Path(codice_fiscale_text): Path<String>,
    ApiJson(form): ApiJson<ErasureForm>,
) -> Result<Response, ApiError> {
    let operator = operator.require(&[OperatorRole::Auditor])?;
    let cf = codice_fiscale(&codice_fiscale_text)?;
    let reason = ErasureReason::from(form.reason);
    let executed = state
        .accounts
        .execute(cf, Command::Erase { reason })
        .await?;
    state.metrics.operator_action("personal_data_erasure");
    tracing::info!(
        operator = operator.id.as_str(),
        action = "personal_data_erasure",
        codice_fiscale = cf.as_str(),
        reason = reason.code(),
        "operator action"
    );
    let pin_ended = match executed.reply {
        Reply::PersonalDataErased { pin_ended, .. } => pin_ended,
        _ => false,
    };
    let body = ErasureResponse {
        code: "personal_data.erased".to_owned(),
        message: "I dati personali sono stati cancellati: restano solo i fatti di sicurezza \
                  del PIN (rilascio, uso, blocco, revoca, date e livello) e la cancellazione \
                  stessa."
            .to_owned(),
        reason: form.reason,
        pin_ended,
    };
    Ok((StatusCode::OK, Json(body)).into_response())
}
