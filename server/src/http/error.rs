//! Errors that leave the server as HTTP responses, mapped to a status and a
//! JSON body in exactly one place. Bodies carry a machine-readable code and a
//! message in Korean and English; internal detail stays in the log.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("request from a foreign origin")]
    ForbiddenOrigin,
    #[error("not ready: {0}")]
    NotReady(String),
    #[error("no such API route")]
    NotFound,
}

impl HttpError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str, &'static str) {
        match self {
            HttpError::ForbiddenOrigin => (
                StatusCode::FORBIDDEN,
                "forbidden_origin",
                "다른 사이트에서 보낸 요청은 처리할 수 없습니다.",
                "Requests from other sites are not allowed.",
            ),
            HttpError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "존재하지 않는 API 경로입니다.",
                "No such API route.",
            ),
            HttpError::NotReady(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "서버가 아직 준비되지 않았습니다.",
                "The server is not ready.",
            ),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let (status, code, message_ko, message_en) = self.parts();
        if status.is_server_error() {
            tracing::warn!(error = %self, "request failed");
        }
        let body = json!({ "code": code, "message_ko": message_ko, "message_en": message_en });
        (status, Json(body)).into_response()
    }
}
