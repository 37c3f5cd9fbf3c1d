//! The one error map. Every refusal that leaves the server, from any
//! domain (trading, accounts, market, sessions) or from the edge itself (a
//! malformed body, a foreign origin), becomes an [`ApiError`], which
//! decides its HTTP status, its machine-readable code, the input it
//! concerns and its message in Korean and English, in one place, for the
//! JSON routes and the UI's server functions alike: the same refusal gets
//! the same status and body either way, `busy` a 503 with `Retry-After`
//! and a 429 its wait. Server errors are logged with their cause; the body
//! never carries internal detail.

mod text;

use crate::accounts::AccountError;
use crate::gateway::ExchangeError;
use crate::market::MarketError;
use crate::sessions::SessionError;
use crate::storage::StorageError;
use crate::trading::TradingError;
use app::api::{AppError, FieldError};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Trading(#[from] TradingError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Market(#[from] MarketError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A query value or body field the edge could not read.
    #[error("invalid {}: {}", .0.field, .0.message_en)]
    Invalid(FieldError),
    #[error("the request body is not a JSON object")]
    Malformed,
    /// A trading route called without a session.
    #[error("no session")]
    NoSession,
    #[error("request from a foreign origin")]
    ForbiddenOrigin,
    #[error("not ready: {0}")]
    NotReady(String),
    /// Over a flood limit (`crate::http::floods`); the seconds to wait.
    #[error("too many requests; retry in {0} s")]
    Flood(u64),
    #[error("no such API route")]
    NotFound,
}

/// How one refusal is answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub body: AppError,
    /// Seconds to wait before retrying (`Retry-After`), if it says.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn invalid(field: &'static str, message_ko: &str, message_en: &str) -> ApiError {
        ApiError::Invalid(FieldError::new(field, message_ko, message_en))
    }

    pub fn status(&self) -> StatusCode {
        text::status(self)
    }

    /// The status, body and wait this error is answered with.
    pub fn refusal(&self) -> Refusal {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(error = %self, "request failed");
        }
        let retry_after = match self {
            ApiError::Trading(TradingError::Exchange(ExchangeError::Busy)) => Some(1),
            ApiError::Account(AccountError::TooMany(seconds)) | ApiError::Flood(seconds) => {
                Some((*seconds).max(1))
            }
            _ => None,
        };
        Refusal {
            status,
            body: text::body(self),
            retry_after,
        }
    }

    /// The error a server function returns, with its response's status (and
    /// `Retry-After`) set exactly as the JSON routes answer it.
    pub fn refuse(self) -> AppError {
        let refusal = self.refusal();
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(refusal.status);
            if let Some(seconds) = refusal.retry_after {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
        }
        refusal.body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let refusal = self.refusal();
        let mut response = (refusal.status, Json(refusal.body)).into_response();
        if let Some(seconds) = refusal.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Turns any domain error into the error a server function returns.
pub fn refuse(err: impl Into<ApiError>) -> AppError {
    err.into().refuse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::Reject;

    #[test]
    fn every_rejection_has_a_distinct_code_a_client_status_and_both_languages() {
        let refusal = |reject| ApiError::from(TradingError::Rejected(reject)).refusal();
        // Someone else's order is answered exactly like no order at all.
        assert_eq!(refusal(Reject::NotYourOrder), refusal(Reject::UnknownOrder));
        let mut codes: Vec<String> = (Reject::ALL.iter())
            .filter(|reject| **reject != Reject::NotYourOrder)
            .map(|reject| refusal(*reject).body.code)
            .collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Reject::ALL.len() - 1);
        for reject in Reject::ALL {
            let refusal = ApiError::from(TradingError::Rejected(reject)).refusal();
            assert!(refusal.status.is_client_error(), "{reject:?}");
            assert!(!refusal.body.message_ko.is_empty() && !refusal.body.message_en.is_empty());
        }
    }

    #[test]
    fn busy_is_a_retryable_503_and_too_many_says_how_long() {
        let response = ApiError::from(TradingError::Exchange(ExchangeError::Busy)).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        let response = ApiError::from(AccountError::TooMany(42)).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
    }

    #[test]
    fn server_errors_say_nothing_of_their_cause() {
        let refusal = ApiError::from(StorageError::WriterStopped).refusal();
        assert_eq!(refusal.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refusal.body, AppError::unavailable());
    }
}
