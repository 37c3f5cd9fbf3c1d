//! Middleware on every response: refuse state-changing requests from foreign
//! origins, set caching by kind of content, and add the security headers.
//! Pages send their own Content-Security-Policy (with a per-response nonce, see
//! `app::security`); everything else gets a deny-all policy.

use super::{AppState, HttpError};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;

pub async fn check_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !state.origin_allowed(request.headers()) {
        return HttpError::ForbiddenOrigin.into_response();
    }
    next.run(request).await
}

/// Hashed build output never changes under its name: cache it for a year.
/// Pages are per-user and live: always revalidate. Other assets: an hour.
pub async fn cache_control(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_pkg = request
        .uri()
        .path()
        .strip_prefix('/')
        .and_then(|path| path.strip_prefix(&*state.leptos.site_pkg_dir))
        .is_some_and(|rest| rest.starts_with('/'));
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = if is_html || !response.status().is_success() {
        "no-cache"
    } else if is_pkg && state.leptos.hash_files {
        "public, max-age=31536000, immutable"
    } else if is_pkg {
        "no-cache"
    } else {
        "public, max-age=3600"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// Adds the security headers a response does not already carry.
pub fn with_security_headers(router: Router<AppState>, https: bool) -> Router<AppState> {
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    let router = router
        .layer(header(
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "strict-origin-when-cross-origin"))
        .layer(header("cross-origin-opener-policy", "same-origin"))
        .layer(header(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        ));
    if https {
        router.layer(header(
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        router
    }
}
