//! The API contract's common ground, shared by the browser and the server:
//! the one error type every server function returns, and how a server
//! function finds its feature's port (defined beside its server functions:
//! `trading`, `market`, `auth`, and the system's here) in the Leptos
//! context. A server function is a thin adapter: it finds its port and
//! calls it.

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
        let malformed = matches!(
            value,
            ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_)
        );
        // On the server, the answer's status says the same as the body, as
        // the JSON routes' do (in the browser this only names the error).
        #[cfg(feature = "ssr")]
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(if malformed {
                http::StatusCode::BAD_REQUEST
            } else {
                http::StatusCode::SERVICE_UNAVAILABLE
            });
        }
        if malformed {
            AppError::new(
                "bad_request",
                "요청 형식이 올바르지 않습니다.",
                "The request was malformed.",
            )
        } else {
            AppError::unavailable()
        }
    }
}

/// This server's own status: the system feature's port.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SystemPort: Send + Sync + 'static {
    /// Version, storage backend and start history of this server.
    async fn status(&self) -> Result<ServerStatus, AppError>;
}

/// The port `P` the server provided for this request (see the crate's
/// doc comment: each feature module defines its port, the server
/// implements it and provides it as `Arc<P>` in every request's context).
#[cfg(feature = "ssr")]
pub(crate) fn port<P: ?Sized + Send + Sync + 'static>() -> Result<std::sync::Arc<P>, AppError> {
    use_context::<std::sync::Arc<P>>().ok_or_else(AppError::unavailable)
}

/// The request a server function is answering, for its port to find the
/// caller (the session) in.
#[cfg(feature = "ssr")]
pub(crate) fn request_parts() -> Result<http::request::Parts, AppError> {
    use_context::<http::request::Parts>().ok_or_else(AppError::unavailable)
}

/// The running server's version, storage backend and uptime.
#[server(prefix = "/api/fn", endpoint = "server_status", output = crate::codec::JsonText)]
pub async fn get_server_status() -> Result<ServerStatus, AppError> {
    port::<dyn SystemPort>()?.status().await
}
