//! What every answer passes through: a cap on requests in flight, a deadline on each, and the
//! headers that keep a browser or a proxy from keeping or framing what the service says.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use tracing::Instrument as _;

use crate::error::ApiError;
use crate::state::AppState;

/// The headers on every answer: nothing is cached (an answer may hold a code or a session),
/// sniffed, framed, or sent on as a referrer.
const SECURITY_HEADERS: &[(HeaderName, &str)] = &[
    (header::CACHE_CONTROL, "no-store"),
    (header::PRAGMA, "no-cache"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=63072000; includeSubDomains",
    ),
];

/// Releases a place in flight when the request ends, however it ends.
struct InFlight<'a>(&'a AppState);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.metrics.in_flight.dec();
    }
}

/// The edge of the service: every request and answer passes here.
pub async fn edge(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let mut response = admit_and_run(&state, request, next).await;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    response
}

async fn admit_and_run(state: &AppState, request: Request, next: Next) -> Response {
    // A span per request: the method and the route's template, never the path itself (it may
    // hold a codice fiscale), a header or the body.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let span = tracing::info_span!("request", method = %request.method(), route);
    async move {
        let response = admit_and_run_in_span(state, request, next).await;
        tracing::debug!(status = response.status().as_u16(), "answered");
        response
    }
    .instrument(span)
    .await
}

async fn admit_and_run_in_span(state: &AppState, request: Request, next: Next) -> Response {
    let before = state.in_flight.fetch_add(1, Ordering::AcqRel);
    state.metrics.in_flight.inc();
    let _place = InFlight(state);
    if before >= state.max_in_flight {
        state.metrics.shed("in_flight");
        return ApiError::overloaded().into_response();
    }
    match tokio::time::timeout(state.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            // The handler's future is dropped here: a decision still queued is not run.
            state.metrics.shed("request_timeout");
            ApiError::overloaded().into_response()
        }
    }
}
