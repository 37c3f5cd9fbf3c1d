//! Everything the account operations refuse, mapped once to an HTTP status
//! and to the shared [`AppError`]. The messages for a wrong e-mail or
//! password, an unknown address and a bad link are deliberately the same
//! whatever the cause, so no answer tells whether an address is registered.

use super::password::HashError;
use crate::storage::StorageError;
use crate::trading::TradingError;
use app::api::{AppError, FieldError};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid {}: {}", .0.field, .0.message_en)]
    Invalid(FieldError),
    #[error("the request body is not a JSON object")]
    Malformed,
    #[error("the nickname is taken")]
    NicknameTaken,
    #[error("the provider identity belongs to another user")]
    IdentityTaken,
    #[error("no such sign-in provider")]
    UnknownProvider,
    #[error("the sign-in provider failed: {0}")]
    Provider(String),
    #[error("wrong e-mail or password")]
    WrongCredentials,
    #[error("wrong {0}")]
    WrongPassword(&'static str),
    #[error("the confirmation does not match the nickname")]
    ConfirmMismatch,
    #[error("the e-mail address is not verified")]
    Unverified,
    #[error("the link is unknown, used or expired")]
    BadLink,
    #[error("not signed in")]
    SignedOut,
    #[error("too many attempts; retry in {0} s")]
    TooMany(u64),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Trading(#[from] TradingError),
    #[error("the session store failed: {0}")]
    Session(String),
}

impl AccountError {
    pub fn status(&self) -> StatusCode {
        match self {
            AccountError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AccountError::Malformed => StatusCode::BAD_REQUEST,
            AccountError::NicknameTaken | AccountError::IdentityTaken => StatusCode::CONFLICT,
            AccountError::WrongCredentials | AccountError::SignedOut => StatusCode::UNAUTHORIZED,
            AccountError::WrongPassword(_)
            | AccountError::ConfirmMismatch
            | AccountError::Unverified => StatusCode::FORBIDDEN,
            AccountError::BadLink => StatusCode::GONE,
            AccountError::UnknownProvider => StatusCode::NOT_FOUND,
            AccountError::Provider(_) => StatusCode::BAD_GATEWAY,
            AccountError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AccountError::Trading(err) => err.status(),
            AccountError::Hash(_) | AccountError::Storage(_) | AccountError::Session(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    pub fn to_app_error(&self) -> AppError {
        let (code, field, ko, en): (&str, Option<&str>, &str, &str) = match self {
            AccountError::Invalid(error) => return AppError::from(error.clone()),
            AccountError::Malformed => (
                "malformed_json",
                None,
                "요청 본문이 올바른 JSON 객체가 아닙니다.",
                "The request body is not a valid JSON object.",
            ),
            AccountError::NicknameTaken => (
                "nickname_taken",
                Some("nickname"),
                "이미 쓰이고 있는 닉네임입니다.",
                "This nickname is taken.",
            ),
            AccountError::IdentityTaken => (
                "identity_taken",
                None,
                "이 소셜 계정은 이미 다른 회원에게 연결되어 있습니다.",
                "This social account is already linked to another user.",
            ),
            AccountError::UnknownProvider => (
                "unknown_provider",
                None,
                "지원하지 않는 로그인 방식입니다.",
                "No such sign-in provider.",
            ),
            AccountError::Provider(_) => (
                "provider_failed",
                None,
                "소셜 로그인 서비스가 응답하지 않습니다. 잠시 후 다시 시도해 주세요.",
                "The sign-in provider did not answer. Please try again later.",
            ),
            AccountError::WrongCredentials => (
                "wrong_credentials",
                Some("password"),
                "이메일 또는 비밀번호가 맞지 않습니다.",
                "Wrong e-mail address or password.",
            ),
            AccountError::WrongPassword(field) => (
                "wrong_password",
                Some(*field),
                "비밀번호가 맞지 않습니다.",
                "Wrong password.",
            ),
            AccountError::ConfirmMismatch => (
                "confirmation_mismatch",
                Some("password"),
                "확인을 위해 닉네임을 정확히 입력해 주세요.",
                "Type your nickname exactly to confirm.",
            ),
            AccountError::Unverified => (
                "email_unverified",
                Some("email"),
                "이메일 인증을 마쳐 주세요. 받은편지함의 인증 메일을 확인하세요.",
                "Please verify your e-mail address first: check your inbox.",
            ),
            AccountError::BadLink => (
                "bad_link",
                None,
                "링크가 잘못되었거나 이미 사용되었거나 만료되었습니다. 새 링크를 요청해 주세요.",
                "This link is invalid, used or expired. Please ask for a new one.",
            ),
            AccountError::SignedOut => (
                "signed_out",
                None,
                "로그인이 필요합니다.",
                "Please sign in.",
            ),
            AccountError::TooMany(_) => (
                "too_many_attempts",
                None,
                "시도가 너무 많습니다. 잠시 후 다시 시도해 주세요.",
                "Too many attempts. Please wait a moment and try again.",
            ),
            AccountError::Trading(err) => return err.to_app_error(),
            AccountError::Hash(_) | AccountError::Storage(_) | AccountError::Session(_) => {
                return AppError::unavailable();
            }
        };
        AppError {
            code: code.to_owned(),
            field: field.map(str::to_owned),
            message_ko: ko.to_owned(),
            message_en: en.to_owned(),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(err: AccountError) -> Self {
        if err.status().is_server_error() {
            tracing::warn!(%err, "account request failed");
        }
        err.to_app_error()
    }
}

impl IntoResponse for AccountError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry = match self {
            AccountError::TooMany(seconds) => Some(seconds.max(1)),
            _ => None,
        };
        let mut response = (status, Json(AppError::from(self))).into_response();
        if let Some(seconds) = retry {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&seconds.to_string()).expect("digits"),
            );
        }
        response
    }
}
