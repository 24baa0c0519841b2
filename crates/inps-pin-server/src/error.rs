//! Every answer that is not a success: a status, a stable code and an Italian message (R30),
//! never a stack trace, a storage detail or another person's data.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use inps_pin::{LoginFailure, Refusal, RefusalClass};
use inps_pin_sqlx::{ExecuteError, StoreError};
use jiff::Timestamp;

use crate::api::ErrorBody;

/// An error that carries a stable code and an Italian message: every parser of what a person
/// or an operator typed.
pub trait Coded {
    /// Stable, for programs and logs.
    fn code(&self) -> &'static str;
    /// For the person, in Italian.
    fn message_it(&self) -> String;
}

macro_rules! coded {
    ($($error:ty),* $(,)?) => {$(
        impl Coded for $error {
            fn code(&self) -> &'static str {
                <$error>::code(self)
            }
            fn message_it(&self) -> String {
                <$error>::message_it(self).to_string()
            }
        }
    )*};
}

coded!(
    inps_pin::CodiceFiscaleError,
    inps_pin::ContactError,
    inps_pin::PinFormatError,
    inps_pin::DocumentError,
    inps_pin::TesseraError,
    inps_pin::RejectionReasonError,
);

/// An answer that is not a success.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiError {
    /// The account refused the command at this instant (nothing was written).
    Refused(Refusal, Timestamp),
    /// What was typed does not parse, or the request is malformed: 422 or 400.
    Input {
        /// The status: 400 for a request that is not the API's, 422 for a value it refuses.
        status: StatusCode,
        /// Stable code.
        code: &'static str,
        /// Italian message.
        message: String,
    },
    /// A wrong PIN or an unknown codice fiscale: one answer for both (R30, R30a).
    Credentials(LoginFailure),
    /// No session, or one that ended: 401.
    Unauthenticated(&'static str),
    /// An operator without the role, or a service the session may not use: 403.
    Forbidden(&'static str, &'static str),
    /// What was asked for does not exist: 404.
    NotFound(&'static str),
    /// The service cannot take this now (the deciding queue is full, a register is down):
    /// 503 with `Retry-After`.
    Unavailable {
        /// Stable code.
        code: &'static str,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// A client made too many requests to the anonymous endpoints: 429 with `Retry-After`.
    RateLimited {
        /// Seconds until its window ends.
        retry_after: u64,
    },
    /// Something failed inside: 500, logged, never detailed to the client.
    Internal(String),
}

impl ApiError {
    /// An input error from a parser's coded error: 422.
    pub fn input(error: &impl Coded) -> ApiError {
        ApiError::Input {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: error.code(),
            message: error.message_it(),
        }
    }

    /// A request that is not the API's (malformed JSON, a wrong type, an unknown field): 400.
    #[must_use]
    pub fn malformed(code: &'static str, message: &str) -> ApiError {
        ApiError::Input {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.to_owned(),
        }
    }

    /// A storage failure: 503 with `Retry-After` when the database is unreachable for now (a
    /// restart, a broken connection), else an internal error.
    #[must_use]
    pub fn storage(error: &StoreError) -> ApiError {
        if error.is_unavailable() {
            // The command that met the outage says so; those answered because of it do not
            // repeat it once each.
            if matches!(error, StoreError::Outage) {
                tracing::debug!("answered during a database outage");
            } else {
                tracing::warn!(error = %error, "the database is unavailable");
            }
            ApiError::Unavailable {
                code: "service.unavailable",
                retry_after: 2,
            }
        } else {
            ApiError::Internal(format!("storage: {error:#}"))
        }
    }

    /// Why a shed request was shed: the queue is full or its wait ran out.
    #[must_use]
    pub fn overloaded() -> ApiError {
        ApiError::Unavailable {
            code: "service.busy",
            retry_after: 2,
        }
    }
}

impl From<ExecuteError> for ApiError {
    fn from(error: ExecuteError) -> ApiError {
        match error {
            ExecuteError::Refused { refusal, at } => ApiError::Refused(refusal, at),
            ExecuteError::Overloaded(_) => ApiError::overloaded(),
            ExecuteError::Store(error) => ApiError::storage(&error),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The HTTP status of a refusal, by its transport-neutral class (R30): a new variant of the
/// library lands in its class's status with no change here.
#[must_use]
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

/// A JSON error answer.
#[must_use]
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody {
        code: code.to_owned(),
        message: message.to_owned(),
    };
    (status, axum::Json(body)).into_response()
}

fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Refused(refusal, now) => {
                let response =
                    error_response(status_for(&refusal), refusal.code(), &refusal.message_it());
                match refusal.retry_after() {
                    Some(at) => {
                        let seconds = at.duration_since(now).as_secs_f64().ceil().max(1.0);
                        // Saturating: a float beyond u64 becomes u64::MAX.
                        with_retry_after(response, seconds as u64)
                    }
                    None => response,
                }
            }
            ApiError::Input {
                status,
                code,
                message,
            } => error_response(status, code, &message),
            ApiError::Credentials(failure) => error_response(
                StatusCode::UNAUTHORIZED,
                failure.code(),
                failure.message_it(),
            ),
            ApiError::Unauthenticated(code) => error_response(
                StatusCode::UNAUTHORIZED,
                code,
                "Accesso non autorizzato: accedi di nuovo.",
            ),
            ApiError::Forbidden(code, message) => {
                error_response(StatusCode::FORBIDDEN, code, message)
            }
            ApiError::NotFound(code) => {
                error_response(StatusCode::NOT_FOUND, code, "Risorsa non trovata.")
            }
            ApiError::Unavailable { code, retry_after } => with_retry_after(
                error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code,
                    "Il servizio è molto richiesto in questo momento. Riprova tra qualche secondo.",
                ),
                retry_after,
            ),
            ApiError::RateLimited { retry_after } => with_retry_after(
                error_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "request.rate_limited",
                    &format!(
                        "Hai fatto troppe richieste in poco tempo: riprova tra {retry_after} secondi."
                    ),
                ),
                retry_after,
            ),
            ApiError::Internal(error) => {
                tracing::error!(error, "internal error");
                error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "service.internal",
                    "Il servizio non è al momento disponibile. Riprova più tardi.",
                )
            }
        }
    }
}
