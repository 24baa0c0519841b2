//! What operations needs: liveness, readiness, metrics, the API's description, and an answer
//! for what is not a route.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi as _;

use crate::error::error_response;
use crate::metrics;
use crate::openapi::ApiDoc;
use crate::state::AppState;

/// Alive: the process answers.
pub async fn health() -> Response {
    (StatusCode::OK, "ok").into_response()
}

/// Ready: the database answers and the service is not draining for shutdown.
pub async fn ready(State(state): State<Arc<AppState>>) -> Response {
    if state.draining.load(Ordering::Acquire) {
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "service.draining",
            "Il servizio si sta arrestando.",
        );
    }
    match inps_pin_sqlx::sqlx::query("SELECT 1")
        .execute(state.accounts.store().pool())
        .await
    {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(error) => {
            tracing::warn!(%error, "not ready: the database does not answer");
            error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "service.database_unavailable",
                "Il servizio non è al momento disponibile. Riprova più tardi.",
            )
        }
    }
}

/// The Prometheus text exposition.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let stats = state.accounts.deciding().stats();
    metrics::set(
        &state.metrics.queue_depth,
        stats.queued.load(Ordering::Relaxed),
    );
    if let Ok(outbox) = state.accounts.store().outbox_stats().await {
        metrics::set(&state.metrics.outbox_unsent, outbox.unsent);
        let now = state.accounts.clock().now().as_millisecond();
        let lag = outbox
            .oldest_unsent_at
            .map_or(0.0, |at| (now.saturating_sub(at)).max(0) as f64 / 1000.0);
        state.metrics.outbox_lag_seconds.set(lag);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

/// The OpenAPI document of version 1: this document, so that it lists every route of
/// [`crate::Service::v1_routes`].
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "operations",
    responses(
        (status = 200, description = "The OpenAPI document of version 1", content_type = "application/json"),
    )
)]
pub async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// Not a route: a coded answer, like every other.
pub async fn not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "route.not_found",
        "Risorsa non trovata.",
    )
}
