//! Middleware on every response: refuse state-changing requests from foreign
//! origins, set caching by kind of content, and add the security headers.
//! Pages send their own Content-Security-Policy (with a per-response nonce, see
//! `app::security`); everything else gets a deny-all policy.

use super::{ApiError, AppState};
use axum::extract::{Request, State};
use axum::http::{self as http, HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::TryFutureExt;
use futures_util::future::MapOk;
use std::task::{Context, Poll};
use tower::{Layer, Service};

pub async fn check_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !state.origin_allowed(request.headers()) {
        return ApiError::ForbiddenOrigin.into_response();
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

/// The security headers every response carries unless it set its own.
const SECURITY_HEADERS: [(HeaderName, &str); 6] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
];

/// Sent only when every allowed origin is `https://`.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Adds the security headers (and HSTS when served over HTTPS) that a
/// response does not already carry, in one layer. Written here rather than
/// as one `tower_http` `SetResponseHeaderLayer` per header: each of those
/// is another service and future wrapped around every request.
#[derive(Clone, Copy)]
pub struct SecurityHeadersLayer {
    pub https: bool,
}

impl<S> Layer<S> for SecurityHeadersLayer {
    type Service = SecurityHeaders<S>;

    fn layer(&self, inner: S) -> SecurityHeaders<S> {
        SecurityHeaders {
            inner,
            https: self.https,
        }
    }
}

#[derive(Clone)]
pub struct SecurityHeaders<S> {
    inner: S,
    https: bool,
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for SecurityHeaders<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = MapOk<S::Future, fn(http::Response<ResBody>) -> http::Response<ResBody>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let add: fn(http::Response<ResBody>) -> http::Response<ResBody> = if self.https {
            |response| with_hsts(with_security_headers(response))
        } else {
            with_security_headers
        };
        self.inner.call(request).map_ok(add)
    }
}

fn with_security_headers<B>(mut response: http::Response<B>) -> http::Response<B> {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

fn with_hsts<B>(mut response: http::Response<B>) -> http::Response<B> {
    response
        .headers_mut()
        .entry(header::STRICT_TRANSPORT_SECURITY)
        .or_insert(HeaderValue::from_static(HSTS));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    /// A service answering with the given headers already set.
    async fn answer_through_layer(
        https: bool,
        own: &'static [(HeaderName, &'static str)],
    ) -> http::HeaderMap {
        let inner = tower::service_fn(move |_: http::Request<()>| async move {
            let mut response = http::Response::new(());
            for (name, value) in own {
                response
                    .headers_mut()
                    .insert(name.clone(), HeaderValue::from_static(value));
            }
            Ok::<_, std::convert::Infallible>(response)
        });
        let response = SecurityHeadersLayer { https }
            .layer(inner)
            .oneshot(http::Request::new(()))
            .await
            .unwrap();
        response.headers().clone()
    }

    #[tokio::test]
    async fn every_response_gets_the_security_headers_it_lacks() {
        let headers = answer_through_layer(false, &[]).await;
        for (name, value) in SECURITY_HEADERS {
            assert_eq!(headers[&name], value, "{name}");
        }
        assert!(
            !headers.contains_key(header::STRICT_TRANSPORT_SECURITY),
            "no HSTS over plain HTTP"
        );
    }

    #[tokio::test]
    async fn a_response_keeps_its_own_policy_and_https_adds_hsts() {
        const OWN: &[(HeaderName, &str)] =
            &[(header::CONTENT_SECURITY_POLICY, "script-src 'nonce-abc'")];
        let headers = answer_through_layer(true, OWN).await;
        assert_eq!(
            headers
                .get_all(header::CONTENT_SECURITY_POLICY)
                .iter()
                .count(),
            1
        );
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            "script-src 'nonce-abc'"
        );
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::STRICT_TRANSPORT_SECURITY], HSTS);
    }
}
