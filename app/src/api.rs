//! The API contract shared by the browser and the server: request and response
//! types, the one error type every server function returns, and the server
//! functions themselves. A server function here is a thin adapter: it finds its
//! port in the Leptos context (see [`crate::ports`]) and calls it.

use leptos::prelude::*;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What the home page shows about the running server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStatus {
    pub version: String,
    /// `"sqlite"` or `"postgres"`.
    pub storage: String,
    /// When this process started, Unix milliseconds.
    pub started_at_ms: i64,
    /// How many times a Gaemi server has started on this database.
    pub start_count: i64,
}

/// A machine-readable code plus a message in both languages; `field` names the
/// input that was wrong when the error is about one input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message_en}")]
pub struct AppError {
    pub code: String,
    pub field: Option<String>,
    pub message_ko: String,
    pub message_en: String,
}

impl AppError {
    pub fn new(code: &str, message_ko: &str, message_en: &str) -> Self {
        AppError {
            code: code.to_owned(),
            field: None,
            message_ko: message_ko.to_owned(),
            message_en: message_en.to_owned(),
        }
    }

    pub fn unavailable() -> Self {
        AppError::new(
            "unavailable",
            "서버를 잠시 사용할 수 없습니다. 잠시 후 다시 시도해 주세요.",
            "The server is briefly unavailable. Please try again.",
        )
    }

    pub fn message(&self, lang: crate::i18n::Lang) -> &str {
        lang.pick(&self.message_ko, &self.message_en)
    }
}

/// One input a form refuses, with the message in both languages; the page
/// shows it beside the input, and the server answers it as an [`AppError`]
/// naming the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message_ko: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(
        field: &'static str,
        message_ko: impl Into<String>,
        message_en: impl Into<String>,
    ) -> FieldError {
        FieldError {
            field,
            message_ko: message_ko.into(),
            message_en: message_en.into(),
        }
    }

    pub fn message(&self, lang: crate::i18n::Lang) -> &str {
        lang.pick(&self.message_ko, &self.message_en)
    }
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> AppError {
        AppError {
            code: "invalid".to_owned(),
            field: Some(error.field.to_owned()),
            message_ko: error.message_ko,
            message_en: error.message_en,
        }
    }
}

impl FromServerFnError for AppError {
    // Decoded from text like every response (see `crate::codec`): server_fn's
    // own `JsonEncoding` decodes bytes, a second copy of the JSON decoder.
    type Encoder = crate::codec::JsonTextEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Transport and codec failures: the user can only retry; the detail
        // goes to the developer console, not the page.
        leptos::logging::debug_warn!("server function failed: {value}");
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => AppError::new(
                "bad_request",
                "요청 형식이 올바르지 않습니다.",
                "The request was malformed.",
            ),
            _ => AppError::unavailable(),
        }
    }
}

/// The running server's version, storage backend and uptime.
#[server(prefix = "/api/fn", endpoint = "server_status", output = crate::codec::JsonText)]
pub async fn get_server_status() -> Result<ServerStatus, AppError> {
    let system = use_context::<std::sync::Arc<dyn crate::ports::SystemPort>>()
        .ok_or_else(AppError::unavailable)?;
    system.status().await
}
