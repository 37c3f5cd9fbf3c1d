//! The HTTP surface of a running server: rendered pages, status codes,
//! security and cache headers, server functions and the Origin check.

mod common;

use app::api::ServerStatus;
use common::{TestDb, TestServer, client};
use reqwest::StatusCode;

/// Calls the status server function the way the page does.
async fn server_status(server: &TestServer) -> ServerStatus {
    let response = client()
        .post(server.url("/api/fn/server_status"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", server.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_home_page_is_rendered_on_the_server_in_korean_by_default() {
    let server = TestServer::start().await;
    let response = client().get(server.url("/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"ko\""), "{html}");
    assert!(html.contains("개미에 오신 것을 환영합니다"));
    assert!(html.contains("시장"), "navigation is rendered");
    server.stop().await;
}

#[tokio::test]
async fn the_language_cookie_and_accept_language_choose_english() {
    let server = TestServer::start().await;
    let by_cookie = client()
        .get(server.url("/"))
        .header("cookie", "gaemi_lang=en")
        .send()
        .await
        .unwrap();
    let html = by_cookie.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\"") && html.contains("Welcome to Gaemi"));
    let by_header = client()
        .get(server.url("/"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(by_header.text().await.unwrap().contains("Welcome to Gaemi"));
    let cookie_wins = client()
        .get(server.url("/"))
        .header("accept-language", "en-US")
        .header("cookie", "gaemi_lang=ko")
        .send()
        .await
        .unwrap();
    assert!(
        cookie_wins
            .text()
            .await
            .unwrap()
            .contains("개미에 오신 것을 환영합니다")
    );
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_url_gets_the_not_found_page_with_status_404() {
    let server = TestServer::start().await;
    let response = client()
        .get(server.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains("페이지를 찾을 수 없습니다"), "{html}");
    server.stop().await;
}

/// An unknown stock code is a 404 every time, not only when its lookup
/// happened to finish before the page's first bytes were sent; a known one
/// is a 200.
#[tokio::test]
async fn an_unknown_stock_code_answers_404_every_time() {
    // With the bots trading, as the page is usually asked for.
    let server = TestServer::start_with(TestDb::from_env().await, |var| {
        (var == "GAEMI_BOTS_ENABLED").then(|| "true".to_owned())
    })
    .await;
    let http = client();
    let statuses = futures_util::future::join_all((0..100).map(|_| async {
        http.get(server.url("/market/999999"))
            .send()
            .await
            .unwrap()
            .status()
    }))
    .await;
    let not_found = statuses
        .iter()
        .filter(|s| **s == StatusCode::NOT_FOUND)
        .count();
    assert_eq!(not_found, 100, "{statuses:?}");
    let response = http.get(server.url("/market/100010")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.stop().await;
}

/// The page's parts that the browser hydrates are islands, each with the
/// props it was rendered from (what the address said, read on the server);
/// the route's frame around them is plain HTML.
#[tokio::test]
async fn pages_send_their_interactive_parts_as_islands_with_their_props() {
    let server = TestServer::start().await;
    let page = async |path: &str| {
        let response = client().get(server.url(path)).send().await.unwrap();
        response.text().await.unwrap()
    };
    let stock = page("/market/100010").await;
    assert!(
        stock.contains("<leptos-island data-component=\"Header_"),
        "{stock}"
    );
    assert!(stock.contains("data-component=\"StockPage_"), "{stock}");
    assert!(
        stock.contains("&quot;code&quot;:&quot;100010&quot;")
            || stock.contains(r#""code":"100010""#),
        "the stock island gets its code: {stock}"
    );
    assert!(
        stock.contains(r#"href="/market" aria-current="page""#),
        "the header marks the market: {stock}"
    );
    let sign_in = page("/sign-in?reason=elsewhere").await;
    assert!(
        sign_in.contains("data-component=\"AccountPage_"),
        "{sign_in}"
    );
    assert!(
        sign_in.contains("다른 기기에서 로그인되어 로그아웃되었습니다"),
        "{sign_in}"
    );
    assert!(!page("/sign-in").await.contains("다른 기기에서 로그인되어"));
    // The server reads the listings' names for the orders island, which
    // then does not fetch the whole market itself.
    let orders = page("/orders").await;
    assert!(orders.contains("data-component=\"OrdersPage_"), "{orders}");
    assert!(
        orders.contains("한빛전자") && orders.contains("Hanbit Electronics"),
        "{orders}"
    );
    // The simple pages are one island, told which page it is.
    let rounds = page("/rounds").await;
    assert!(rounds.contains("data-component=\"SimplePage_"), "{rounds}");
    assert!(rounds.contains("Rounds"), "{rounds}");
    // A prop comes from the address, so from anyone: it stays an attribute.
    let hostile = page("/reset-password?token=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(
        hostile.contains("data-component=\"AccountPage_"),
        "{hostile}"
    );
    assert!(!hostile.contains("<script>alert(1)"), "{hostile}");
    server.stop().await;
}

#[tokio::test]
async fn pages_carry_a_nonce_based_content_security_policy() {
    let server = TestServer::start().await;
    let response = client().get(server.url("/")).send().await.unwrap();
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "private, no-cache");
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    server.stop().await;
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let server = TestServer::start().await;
    let response = client()
        .get(server.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    server.stop().await;
}

#[tokio::test]
async fn health_and_readiness_report_the_storage_backend() {
    let server = TestServer::start().await;
    let health = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready: serde_json::Value = client()
        .get(server.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["storage"], server.db.backend_name());
    server.stop().await;
}

#[tokio::test]
async fn the_status_server_function_reports_version_and_starts() {
    let server = TestServer::start().await;
    let status = server_status(&server).await;
    assert_eq!(status.version, gaemi::VERSION);
    assert_eq!(status.storage, server.db.backend_name());
    assert_eq!(status.start_count, 1);
    server.stop().await;
}

/// The server's status moved from the home page to the operator's page,
/// rendered on the server with the status in it; home links to it from the
/// footer and shows the market instead.
#[tokio::test]
async fn the_status_page_shows_the_server_status_and_home_the_market() {
    let server = TestServer::start().await;
    let status = client().get(server.url("/status")).send().await.unwrap();
    assert_eq!(status.status(), StatusCode::OK);
    let html = status.text().await.unwrap();
    assert!(html.contains("data-testid=\"server-status\""), "{html}");
    assert!(html.contains(server.db.backend_name()), "{html}");
    assert!(html.contains(gaemi::VERSION), "{html}");
    let home = client().get(server.url("/")).send().await.unwrap();
    let html = home.text().await.unwrap();
    assert!(!html.contains("data-testid=\"server-status\""), "{html}");
    assert!(
        html.contains(r#"href="/status""#),
        "the footer links it: {html}"
    );
    assert!(
        html.contains("상승률 상위") && html.contains("거래대금 상위"),
        "{html}"
    );
    assert!(
        html.contains("한빛전자"),
        "the listings come with the page: {html}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_state_changing_request_from_another_origin_is_refused() {
    let server = TestServer::start().await;
    let response = client()
        .post(server.url("/api/fn/server_status"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "forbidden_origin");
    assert!(body["message_ko"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body["message_en"].as_str().is_some_and(|m| !m.is_empty()));
    server.stop().await;
}

#[tokio::test]
async fn a_restart_on_the_same_database_counts_the_start() {
    let server = TestServer::start().await;
    let db = server.stop().await;
    let server = TestServer::start_with(db, |_| None).await;
    assert_eq!(server_status(&server).await.start_count, 2);
    server.stop().await;
}

#[tokio::test]
async fn private_answers_are_never_stored_and_market_data_only_briefly() {
    let server = TestServer::start().await;
    let browser = common::browser_client();
    let session = browser
        .post(server.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(session.headers()["cache-control"], "private, no-store");
    for path in [
        "/api/v1/session",
        "/api/v1/portfolio",
        "/api/v1/orders",
        "/api/v1/fills",
        "/api/v1/watchlist",
        "/api/v1/accounts",
        "/api/v1/auth/me",
        "/api/v1/orders/1",
    ] {
        let response = browser.get(server.url(path)).send().await.unwrap();
        assert_eq!(
            response.headers()["cache-control"],
            "private, no-store",
            "{path}"
        );
    }
    let response = browser
        .post(server.url("/api/fn/portfolio"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let response = browser
        .get(server.url("/api/v1/market/symbols"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "public, max-age=1");
    let response = browser
        .get(server.url("/api/v1/market/999999/book"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["cache-control"],
        "private, no-store",
        "a refusal"
    );
    server.stop().await;
}
