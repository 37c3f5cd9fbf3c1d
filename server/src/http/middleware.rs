//! Middleware on every response: refuse state-changing requests from foreign
//! origins, set caching by kind of content, and add the security headers.
//! Pages send their own Content-Security-Policy (with a per-response nonce, see
//! `app::security`); everything else gets a deny-all policy.

use super::caller::Caller;
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

/// Finds who a page request's session speaks for, once, before the page
/// renders, and leaves it in the request's extensions for the header
/// (`app::viewer`): a signed-in member's nickname and address, nobody
/// otherwise. Only for what may be a page (a GET outside the API, the
/// websocket and the build output, whose last segment has no dot: not a
/// file), so assets and API calls pay nothing. A store that fails to answer
/// shows the header as for a guest; the page itself still reads the session
/// for what it shows, and says so if that fails.
pub async fn find_viewer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let may_be_page = matches!(*request.method(), Method::GET | Method::HEAD)
        && !is_build_output(path, &state.leptos.site_pkg_dir)
        && !is_api(path)
        && !path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
    if !may_be_page {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let member = match Caller::of(&parts, &state) {
        Ok(caller) => caller.member().await,
        Err(err) => Err(err),
    };
    let viewer = member.unwrap_or_else(|err| {
        tracing::warn!(error = %err, "the page header could not find who is signed in");
        None
    });
    parts
        .extensions
        .insert(app::viewer::RequestViewer(viewer.map(|user| {
            app::viewer::Viewer {
                nickname: user.nickname,
                email: user.email,
            }
        })));
    next.run(Request::from_parts(parts, body)).await
}

/// Whether `path` is under the build output's directory (`/pkg/`).
fn is_build_output(path: &str, pkg_dir: &str) -> bool {
    path.strip_prefix('/')
        .and_then(|path| path.strip_prefix(pkg_dir))
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether `path` is a JSON route, a server function or the websocket.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/ws"
}

/// How long a shared cache may keep public market data: a second, so a
/// crowd reloading the market list is served once per second at most while
/// nobody sees a price older than that.
const MARKET_DATA: &str = "public, max-age=1";
/// Anything that depends on the session (every other API answer, whatever
/// a server function answers): never stored by anyone but the browser, and
/// not even there.
const PRIVATE: &str = "private, no-store";
/// Pages differ by session and language and are live: the browser may keep
/// one but must ask again, and no shared cache may keep it.
const PAGE: &str = "private, no-cache";
/// Hashed build output never changes under its name.
const HASHED: &str = "public, max-age=31536000, immutable";

/// The caching a response gets unless it set its own: by what it is.
pub async fn cache_control(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_pkg = is_build_output(path, &state.leptos.site_pkg_dir);
    let is_market_data = path.starts_with("/api/v1/market/");
    let is_api = is_api(path);
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = cache_policy(
        is_pkg,
        is_pkg && state.leptos.hash_files,
        is_market_data,
        is_api,
        is_html,
        response.status().is_success(),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// Build output whose name does not change with its content (a dev build):
/// the browser asks again every time.
const REVALIDATE: &str = "no-cache";

fn cache_policy(
    build: bool,
    hashed: bool,
    market_data: bool,
    api: bool,
    html: bool,
    ok: bool,
) -> &'static str {
    match () {
        () if hashed && ok => HASHED,
        () if market_data && ok => MARKET_DATA,
        () if html => PAGE,
        () if api || !ok => PRIVATE,
        () if build => REVALIDATE,
        // Static files of the site (icons, the manifest, the chart library).
        () => "public, max-age=3600",
    }
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

    #[test]
    fn only_public_data_may_be_kept_by_shared_caches() {
        // (build output, hashed, market data, api, html, ok)
        let hashed_asset = cache_policy(true, true, false, false, false, true);
        assert_eq!(hashed_asset, HASHED);
        assert_eq!(
            cache_policy(true, false, false, false, false, true),
            REVALIDATE
        );
        assert_eq!(
            cache_policy(false, false, true, true, false, true),
            MARKET_DATA
        );
        assert_eq!(
            cache_policy(false, false, true, true, false, false),
            PRIVATE
        );
        assert_eq!(
            cache_policy(false, false, false, true, false, true),
            PRIVATE
        );
        assert_eq!(cache_policy(false, false, false, false, true, true), PAGE);
        assert_eq!(cache_policy(false, false, false, false, true, false), PAGE);
        assert_eq!(
            cache_policy(true, true, false, false, false, false),
            PRIVATE,
            "a missing asset"
        );
        assert_eq!(
            cache_policy(false, false, false, false, false, true),
            "public, max-age=3600"
        );
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
