//! What the handlers take from a request: its JSON body (every malformed one a coded Italian
//! answer, and the body's bytes wiped once read: they may hold a PIN), the operator behind a
//! key, a session's bearer token, a device cookie.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use inps_pin::DeviceToken;
use serde::de::DeserializeOwned;
use zeroize::Zeroize;

use crate::error::ApiError;
use crate::operators::{Operator, OperatorRole};
use crate::state::AppState;

/// The name of the device cookie (R25a).
pub const DEVICE_COOKIE: &str = "inps_device";

/// The header an operator's key travels in.
pub const OPERATOR_KEY_HEADER: &str = "x-operator-key";

/// A JSON body of type `T`. Every way it can be wrong is a coded Italian answer: not JSON, a
/// wrong type, a missing or unknown field, too large, not `application/json`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<ApiJson<T>, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::Input {
                status: axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "request.content_type",
                message:
                    "La richiesta deve essere in formato JSON (Content-Type: application/json)."
                        .to_owned(),
            });
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::Input {
                status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                code: "request.too_large",
                message: "La richiesta è troppo grande.".to_owned(),
            })?;
        let parsed = serde_json::from_slice::<T>(&bytes);
        wipe(bytes);
        parsed.map(ApiJson).map_err(|error| json_error(&error))
    }
}

/// Wipes a body's bytes when this is the only handle on them.
fn wipe(bytes: Bytes) {
    if let Ok(mut owned) = bytes.try_into_mut() {
        owned[..].zeroize();
    }
}

/// The coded answer for a body that did not deserialize. The message names the kind of
/// fault, never the value (it may be a PIN).
fn json_error(error: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let text = error.to_string();
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::malformed(
            "request.malformed_json",
            "La richiesta non è un JSON valido.",
        ),
        Category::Data if text.starts_with("missing field") => ApiError::malformed(
            "request.missing_field",
            "Nella richiesta manca un campo obbligatorio.",
        ),
        Category::Data if text.starts_with("unknown field") => ApiError::malformed(
            "request.unknown_field",
            "La richiesta contiene un campo non previsto.",
        ),
        Category::Data => ApiError::malformed(
            "request.invalid_value",
            "Un campo della richiesta ha un tipo o un valore non previsto.",
        ),
    }
}

/// The operator behind the request's key. No key, or a key no operator has: 401.
#[derive(Debug)]
pub struct OperatorAuth(pub Operator);

impl FromRequestParts<Arc<AppState>> for OperatorAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<OperatorAuth, ApiError> {
        OperatorAuth::from_headers(state, &parts.headers).await
    }
}

impl OperatorAuth {
    /// The operator behind the key in `headers`.
    ///
    /// # Errors
    /// [`ApiError::Unauthenticated`] without a key, or with one no operator has.
    pub async fn from_headers(
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<OperatorAuth, ApiError> {
        let key = headers
            .get(OPERATOR_KEY_HEADER)
            .and_then(|value| value.to_str().ok())
            .ok_or(ApiError::Unauthenticated("operator.unauthenticated"))?;
        match state.operators.authenticate(key).await {
            Some(operator) => Ok(OperatorAuth(operator)),
            None => {
                tracing::warn!("an operator key no operator has");
                Err(ApiError::Unauthenticated("operator.unauthenticated"))
            }
        }
    }

    /// The operator, if they hold one of `roles`; 403 otherwise.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] for an operator without any of the roles.
    pub fn require(self, roles: &[OperatorRole]) -> Result<Operator, ApiError> {
        if roles.iter().any(|role| self.0.may(*role)) {
            Ok(self.0)
        } else {
            tracing::warn!(operator = %self.0.id.as_str(), ?roles, "an operator without the role");
            Err(ApiError::Forbidden(
                "operator.forbidden",
                "Il tuo profilo di operatore non consente questa operazione.",
            ))
        }
    }
}

/// A session's bearer token, if the request has one.
#[must_use]
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The device cookie the client sent, if any. A malformed one is ignored: the login is then
/// counted in the anonymous lane, as for a client without a cookie.
#[must_use]
pub fn device_cookie(headers: &HeaderMap) -> Option<DeviceToken> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(DEVICE_COOKIE)?.strip_prefix('='))
        .find_map(|token| DeviceToken::parse(token).ok())
}

/// The peer's address, when the server knows it (not in a test that calls the router
/// directly).
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Peer, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0),
        ))
    }
}
