//! Sign-in with Google, Kakao and Naver, each against a real OAuth 2 server
//! started locally (npm's oauth2-mock-server, answering like that
//! provider): the first visit asks for a nickname and creates the user,
//! the next one signs the same user in; a wrong `state` is refused; a code
//! exchanged with another flow's PKCE verifier is refused by the provider
//! and so by Gaemi; a provider e-mail never joins an existing account; and
//! a signed-in user can link an identity. Runs on SQLite, or PostgreSQL
//! with `GAEMI_TEST_BACKEND`.

mod common;

use common::{TestDb, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The local OAuth 2 server, speaking as one provider about one person.
struct ProviderMock {
    child: Child,
    port: u16,
}

impl ProviderMock {
    fn start(provider: &str, subject: &str, email: Option<&str>) -> ProviderMock {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/oauth-mock.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .args([provider, subject, email.unwrap_or("")])
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs (npm's oauth2-mock-server is installed by scripts/setup)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the OAuth server did not start: {line:?}"));
        ProviderMock { child, port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for ProviderMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(provider: &str, mock: &ProviderMock) -> TestServer {
    let upper = provider.to_uppercase();
    let vars = [
        (
            format!("GAEMI_OAUTH_{upper}_CLIENT_ID"),
            "gaemi-test".to_owned(),
        ),
        (
            format!("GAEMI_OAUTH_{upper}_CLIENT_SECRET"),
            "secret".to_owned(),
        ),
        (
            format!("GAEMI_OAUTH_{upper}_AUTH_URL"),
            mock.url("/authorize"),
        ),
        (format!("GAEMI_OAUTH_{upper}_TOKEN_URL"), mock.url("/token")),
        (
            format!("GAEMI_OAUTH_{upper}_USERINFO_URL"),
            mock.url("/userinfo"),
        ),
    ];
    TestServer::start_with(TestDb::from_env().await, move |var| {
        vars.iter()
            .find(|(name, _)| name == var)
            .map(|(_, value)| value.clone())
    })
    .await
}

/// A browser: keeps cookies, follows no redirects (the test does).
struct Browser {
    http: reqwest::Client,
    origin: String,
}

impl Browser {
    fn new(server: &TestServer) -> Browser {
        Browser {
            http: common::browser_client(),
            origin: server.origin(),
        }
    }

    /// GETs `url` and answers where it redirects to.
    async fn follow(&self, url: &str) -> String {
        let response = self.http.get(url).send().await.unwrap();
        assert!(
            response.status().is_redirection(),
            "{url} answered {}",
            response.status()
        );
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// Starts a sign-in and lets the provider approve it: the callback URL
    /// the provider sends the browser back to.
    async fn authorize(&self, provider: &str, link: bool) -> String {
        let start = format!(
            "{}/api/v1/auth/oauth/{provider}/start{}",
            self.origin,
            if link { "?link=1" } else { "" }
        );
        let at_provider = self.follow(&start).await;
        let back = self.follow(&at_provider).await;
        assert!(
            back.contains(&format!("/api/v1/auth/oauth/{provider}/callback?")),
            "{back}"
        );
        back
    }

    /// The callback's answer: where Gaemi sends the browser next.
    async fn callback(&self, url: &str) -> String {
        self.follow(url).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/api/v1{path}", self.origin))
            .header("origin", &self.origin)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// GETs a page: its status, where it redirects to (if it does) and
    /// its HTML.
    async fn page(&self, path: &str) -> (StatusCode, Option<String>, String) {
        common::get_page(&self.http, &format!("{}{path}", self.origin)).await
    }

    async fn me(&self) -> (StatusCode, Value) {
        let response = self
            .http
            .get(format!("{}/api/v1/auth/me", self.origin))
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// A first visit creates the user after choosing a nickname; a second
/// visit, from another browser, signs the same user in.
async fn first_and_second_sign_in(provider: &str, subject: &str, email: &str) {
    let mock = ProviderMock::start(provider, subject, Some(email));
    let server = start(provider, &mock).await;

    let first = Browser::new(&server);
    // The sign-in page offers this provider, the one configured, only.
    let (status, _, sign_in) = first.page("/sign-in").await;
    assert_eq!(status, StatusCode::OK);
    for other in ["google", "kakao", "naver"] {
        let offered = sign_in.contains(&format!("data-testid=\"social-{other}\""));
        assert_eq!(offered, other == provider, "{other} on a {provider} server");
    }
    // The nickname step has nothing to finish before a provider answered.
    let (status, location, _) = first.page("/sign-up/social").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/sign-in"))
    );
    let back = first.authorize(provider, false).await;
    assert_eq!(first.callback(&back).await, "/sign-up/social");
    let (status, _, page) = first.page("/sign-up/social").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("social-nickname"), "{page}");
    assert_eq!(
        first.me().await.0,
        StatusCode::UNAUTHORIZED,
        "not a user before the nickname"
    );
    let (status, body) = first
        .post("/auth/oauth/complete", json!({ "nickname": "개미!" }))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("nickname"))
    );
    let nickname = format!("{provider}개미");
    let (status, profile) = first
        .post("/auth/oauth/complete", json!({ "nickname": nickname }))
        .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["email"], email);
    assert_eq!(profile["verified"], true);
    let (status, me) = first.me().await;
    assert_eq!(
        (status, me["nickname"].as_str()),
        (StatusCode::OK, Some(nickname.as_str()))
    );
    // Finished: the step is gone, and every page's header names the member.
    let (status, location, _) = first.page("/sign-up/social").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/sign-in"))
    );
    let (_, _, home) = first.page("/").await;
    assert!(
        home.contains("header-nickname") && home.contains(&format!(">{nickname}<")),
        "{home}"
    );

    let second = Browser::new(&server);
    let back = second.authorize(provider, false).await;
    assert_eq!(second.callback(&back).await, "/");
    let (status, me) = second.me().await;
    assert_eq!(
        (status, me["user_id"].clone()),
        (StatusCode::OK, profile["user_id"].clone())
    );
    // One session per user: the first browser is signed out.
    assert_eq!(first.me().await.0, StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test]
async fn google_sign_in_creates_then_finds_the_user() {
    first_and_second_sign_in("google", "g-1001", "gina@gmail.com").await;
}

#[tokio::test]
async fn kakao_sign_in_creates_then_finds_the_user() {
    first_and_second_sign_in("kakao", "424242", "kim@kakao.com").await;
}

#[tokio::test]
async fn naver_sign_in_creates_then_finds_the_user_despite_a_string_expires_in() {
    first_and_second_sign_in("naver", "n-77", "na@naver.com").await;
}

#[tokio::test]
async fn a_wrong_state_is_refused() {
    let mock = ProviderMock::start("google", "g-2002", None);
    let server = start("google", &mock).await;
    let browser = Browser::new(&server);
    let back = browser.authorize("google", false).await;
    let forged = back.replace("state=", "state=forged");
    assert_eq!(
        browser.callback(&forged).await,
        "/sign-in?oauth_error=state"
    );
    // The flow was used up: the genuine return is refused now too.
    assert_eq!(browser.callback(&back).await, "/sign-in?oauth_error=state");
    assert_eq!(browser.me().await.0, StatusCode::UNAUTHORIZED);
    // And a return nobody started is refused.
    let stranger = Browser::new(&server);
    assert_eq!(stranger.callback(&back).await, "/sign-in?oauth_error=state");
    server.stop().await;
}

/// A stolen code presented in the thief's own flow (their state, their
/// PKCE verifier) fails at the provider, which checks the verifier against
/// the victim's challenge; the thief is not signed in.
#[tokio::test]
async fn a_code_with_another_flows_pkce_verifier_is_refused() {
    for (provider, subject) in [("google", "g-3003"), ("kakao", "3003")] {
        let mock = ProviderMock::start(provider, subject, None);
        let server = start(provider, &mock).await;
        let victim = Browser::new(&server);
        let victims_return = victim.authorize(provider, false).await;
        let thief = Browser::new(&server);
        let thiefs_return = thief.authorize(provider, false).await;
        let param = |url: &str, name: &str| {
            let query = url.split_once('?').unwrap().1;
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                .unwrap()
                .to_owned()
        };
        let forged = format!(
            "{}?code={}&state={}",
            thiefs_return.split_once('?').unwrap().0,
            param(&victims_return, "code"),
            param(&thiefs_return, "state"),
        );
        assert_eq!(
            thief.callback(&forged).await,
            "/sign-in?oauth_error=provider",
            "{provider}"
        );
        assert_eq!(thief.me().await.0, StatusCode::UNAUTHORIZED);
        server.stop().await;
    }
}

#[tokio::test]
async fn a_provider_email_never_joins_an_existing_account_and_linking_needs_a_sign_in() {
    let mock = ProviderMock::start("google", "g-4004", Some("owner@example.kr"));
    let server = start("google", &mock).await;

    // Someone signed up with a password and this address (verified by hand
    // here: the mail round trip has its own tests).
    let owner = Browser::new(&server);
    let password = "a sturdy colony 99";
    let (status, _) = owner
        .post(
            "/auth/sign-up",
            json!({ "email": "owner@example.kr", "nickname": "주인개미", "password": password }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    server
        .db
        .execute("UPDATE users SET verified_ms = 1 WHERE email_key = 'owner@example.kr'")
        .await;

    // The same address at Google: a new user, not the owner.
    let visitor = Browser::new(&server);
    let back = visitor.authorize("google", false).await;
    assert_eq!(visitor.callback(&back).await, "/sign-up/social");
    let (status, social) = visitor
        .post("/auth/oauth/complete", json!({ "nickname": "구글손님" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{social}");
    let (_, owner_profile) = owner
        .post(
            "/auth/sign-in",
            json!({ "email": "owner@example.kr", "password": password }),
        )
        .await;
    assert_ne!(social["user_id"], owner_profile["user_id"]);
    assert_eq!(
        social["email"],
        Value::Null,
        "the address stays the owner's"
    );

    // Linking happens only for a signed-in user; this identity is taken.
    let back = owner.authorize("google", true).await;
    assert_eq!(owner.callback(&back).await, "/me?oauth_error=taken");
    // A link request without a signed-in user is refused.
    let nobody = Browser::new(&server);
    let back = nobody.authorize("google", true).await;
    assert_eq!(nobody.callback(&back).await, "/sign-in?oauth_error=state");
    server.stop().await;
}

#[tokio::test]
async fn a_signed_in_user_can_link_a_provider_and_then_sign_in_with_it() {
    let mock = ProviderMock::start("kakao", "5005", None);
    let server = start("kakao", &mock).await;
    let user = Browser::new(&server);
    let password = "a sturdy colony 99";
    user.post(
        "/auth/sign-up",
        json!({ "email": "link@example.kr", "nickname": "연결개미", "password": password }),
    )
    .await;
    server
        .db
        .execute("UPDATE users SET verified_ms = 1 WHERE email_key = 'link@example.kr'")
        .await;
    let (status, profile) = user
        .post(
            "/auth/sign-in",
            json!({ "email": "link@example.kr", "password": password }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let back = user.authorize("kakao", true).await;
    assert_eq!(user.callback(&back).await, "/me?linked=kakao");

    let elsewhere = Browser::new(&server);
    let back = elsewhere.authorize("kakao", false).await;
    assert_eq!(elsewhere.callback(&back).await, "/");
    assert_eq!(elsewhere.me().await.1["user_id"], profile["user_id"]);

    // An unconfigured or unknown provider.
    assert_eq!(
        elsewhere
            .follow(&format!(
                "{}/api/v1/auth/oauth/naver/start",
                server.origin()
            ))
            .await,
        "/sign-in?oauth_error=unavailable"
    );
    let unknown = elsewhere
        .http
        .get(format!(
            "{}/api/v1/auth/oauth/myspace/start",
            server.origin()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn a_user_without_a_password_deletes_by_typing_their_nickname() {
    let mock = ProviderMock::start("naver", "n-6006", None);
    let server = start("naver", &mock).await;
    let user = Browser::new(&server);
    let back = user.authorize("naver", false).await;
    assert_eq!(user.callback(&back).await, "/sign-up/social");
    let (status, _) = user
        .post("/auth/oauth/complete", json!({ "nickname": "떠날개미" }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let delete = async |confirm: &str| {
        let response = user
            .http
            .delete(format!("{}/api/v1/auth/me", user.origin))
            .header("origin", &user.origin)
            .json(&json!({ "password": confirm }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        (
            status,
            response.json::<Value>().await.unwrap_or(Value::Null),
        )
    };
    let (status, body) = delete("남을개미").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("confirmation_mismatch"))
    );
    assert_eq!(delete("떠날개미").await.0, StatusCode::NO_CONTENT);
    assert_eq!(user.me().await.0, StatusCode::UNAUTHORIZED);
    // The identity went with the user: the next visit starts afresh.
    let again = Browser::new(&server);
    let back = again.authorize("naver", false).await;
    assert_eq!(again.callback(&back).await, "/sign-up/social");
    server.stop().await;
}
