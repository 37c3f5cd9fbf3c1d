//! Accounts end to end over HTTP, with mail going through a real SMTP
//! server (Debian's aiosmtpd, writing a maildir the test reads): sign-up,
//! the verification link, sign-in; password reset links that work once and
//! expire; answers that never tell whether an address is registered; 429
//! after repeated wrong passwords; one session per user; a guest account
//! claimed at sign-up; deletion; and no reading another user's data. Runs
//! on SQLite, or PostgreSQL with `GAEMI_TEST_BACKEND`; sessions and limits
//! live in the database, or in Redis with `GAEMI_TEST_SESSIONS=redis`.

mod common;

use base64::Engine;
use common::{TestDb, TestServer, wait_for};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

/// An SMTP server on a free port that keeps every message in a maildir.
struct MailCatcher {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl MailCatcher {
    async fn start() -> MailCatcher {
        let program = Path::new("/usr/bin/aiosmtpd");
        assert!(
            program.exists(),
            "the SMTP catcher is missing: install Debian's python3-aiosmtpd (scripts/setup --test does)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(program)
            .args(["-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mail"))
            .spawn()
            .expect("aiosmtpd starts");
        wait_for("the SMTP catcher to listen", async || {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        })
        .await;
        MailCatcher { child, port, dir }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("mail/new"))
            .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok());
        files
    }

    /// Every message to `to` so far: (subject, decoded body).
    fn mails_to(&self, to: &str) -> Vec<(String, String)> {
        self.files()
            .iter()
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .filter_map(|raw| decode(&raw))
            .filter(|mail| mail.0.eq_ignore_ascii_case(to))
            .map(|(_, subject, body)| (subject, body))
            .collect()
    }

    /// Waits for the `n`th message to `to` and returns its body.
    async fn nth_mail(&self, to: &str, n: usize) -> String {
        wait_for(&format!("mail #{n} to {to}"), async || {
            self.mails_to(to).len() >= n
        })
        .await;
        self.mails_to(to).swap_remove(n - 1).1
    }
}

impl Drop for MailCatcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (recipient, subject as sent, body) of a base64 single-part message.
fn decode(raw: &str) -> Option<(String, String, String)> {
    let (head, body) = raw
        .split_once("\n\n")
        .or_else(|| raw.split_once("\r\n\r\n"))?;
    let header = |name: &str| {
        head.lines()
            .find(|line| line.to_ascii_lowercase().starts_with(&format!("{name}:")))
            .map(|line| line[name.len() + 1..].trim().to_owned())
    };
    let to = header("to")?;
    let to = to.trim_matches(|c| c == '<' || c == '>').to_owned();
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()?;
    Some((
        to,
        header("subject").unwrap_or_default(),
        String::from_utf8(bytes).ok()?,
    ))
}

/// The token of the first link to `path` in a mail body.
fn token_in(body: &str, path: &str) -> String {
    let start = body
        .find(&format!("{path}?token="))
        .expect("a link in the mail")
        + path.len()
        + 7;
    body[start..start + 64].to_owned()
}

struct Browser {
    http: reqwest::Client,
    base: String,
    origin: String,
    /// The address it claims through the trusted proxy, if any.
    address: Option<String>,
}

impl Browser {
    fn new(server: &TestServer) -> Browser {
        Browser {
            http: common::browser_client(),
            base: server.url("/api/v1"),
            origin: server.origin(),
            address: None,
        }
    }

    /// A browser at `address` (the server must trust 127.0.0.1 as a proxy).
    fn at(server: &TestServer, address: String) -> Browser {
        Browser {
            address: Some(address),
            ..Browser::new(server)
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("origin", &self.origin);
        if let Some(address) = &self.address {
            request = request.header("x-forwarded-for", address);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn sign_up(&self, email: &str, nickname: &str, password: &str) -> (StatusCode, Value) {
        self.post(
            "/auth/sign-up",
            json!({ "email": email, "nickname": nickname, "password": password }),
        )
        .await
    }

    async fn sign_in(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.post(
            "/auth/sign-in",
            json!({ "email": email, "password": password }),
        )
        .await
    }

    async fn me(&self) -> StatusCode {
        self.call(Method::GET, "/auth/me", None).await.0
    }

    /// A page's status, redirect and HTML.
    async fn page(&self, path: &str) -> (StatusCode, Option<String>, String) {
        common::get_page(&self.http, &format!("{}{path}", self.origin)).await
    }
}

const PASSWORD: &str = "bright ant colony 7";

/// The Redis keys one test's server wrote (under a prefix of its own),
/// removed when the test ends.
struct RedisKeys(String);

impl Drop for RedisKeys {
    fn drop(&mut self) {
        if let Ok(mut redis) = redis::Client::open(REDIS).and_then(|c| c.get_connection()) {
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{}*", self.0))
                .query(&mut redis)
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut redis);
            }
        }
    }
}

const REDIS: &str = "redis://127.0.0.1:6379";

fn redis_sessions() -> bool {
    std::env::var("GAEMI_TEST_SESSIONS").as_deref() == Ok("redis")
}

async fn start(mail: &MailCatcher) -> (TestServer, Option<RedisKeys>) {
    start_with(mail, |_| None).await
}

/// `start` with more settings (`extra` is asked first).
async fn start_with(
    mail: &MailCatcher,
    extra: fn(&str) -> Option<String>,
) -> (TestServer, Option<RedisKeys>) {
    let url = mail.url();
    static SERVERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let keys = redis_sessions().then(|| {
        RedisKeys(format!(
            "gaemi-test-{}-{}-{n}:",
            std::process::id(),
            gaemi::now_ms()
        ))
    });
    let prefix = keys.as_ref().map(|keys| keys.0.clone());
    let server = TestServer::start_with(TestDb::from_env().await, move |var| match var {
        _ if extra(var).is_some() => extra(var),
        "GAEMI_SMTP_URL" => Some(url.clone()),
        "REDIS_URL" => prefix.as_ref().map(|_| REDIS.to_owned()),
        "GAEMI_REDIS_PREFIX" => prefix.clone(),
        _ => None,
    })
    .await;
    (server, keys)
}

/// Signs a user up and verifies them through the mailed link.
async fn verified_user(
    server: &TestServer,
    mail: &MailCatcher,
    email: &str,
    nickname: &str,
) -> Browser {
    let browser = Browser::new(server);
    let (status, _) = browser.sign_up(email, nickname, PASSWORD).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let body = mail.nth_mail(email, 1).await;
    let (status, _) = browser
        .post(
            "/auth/verify",
            json!({ "token": token_in(&body, "/verify") }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = browser.sign_in(email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    browser
}

#[tokio::test]
async fn sign_up_mails_a_link_that_verifies_once_and_then_sign_in_works() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let browser = Browser::new(&server);

    let (status, body) = browser.sign_up("Kim@Example.kr", "개미왕", PASSWORD).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, body) = browser.sign_in("kim@example.kr", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "email_unverified");

    let letter = mail.nth_mail("Kim@Example.kr", 1).await;
    assert!(letter.contains("이메일 인증"), "{letter}");
    assert!(!letter.contains(PASSWORD), "a mail never holds a password");
    let token = token_in(&letter, "/verify");
    // Opening the link verifies the address and signs the member in here.
    let (status, profile) = browser
        .post("/auth/verify", json!({ "token": token }))
        .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["nickname"], "개미왕");
    assert_eq!(profile["verified"], true);
    assert_eq!(browser.me().await, StatusCode::OK);
    let (status, body) = browser
        .post("/auth/verify", json!({ "token": token }))
        .await;
    assert_eq!(status, StatusCode::GONE, "a link works once: {body}");
    assert_eq!(body["code"], "bad_link");
    // A second browser with the used link gets nothing.
    let other = Browser::new(&server);
    let (status, _) = other.post("/auth/verify", json!({ "token": token })).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(other.me().await, StatusCode::UNAUTHORIZED);

    let (status, _) = browser.post("/auth/sign-out", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(browser.me().await, StatusCode::UNAUTHORIZED);
    let (status, profile) = browser.sign_in("KIM@example.KR", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["nickname"], "개미왕");
    assert_eq!(profile["verified"], true);
    assert_eq!(browser.me().await, StatusCode::OK);
    // The new member's main account opens with 100,000,000 won on their
    // first order; until then it reads as it will open.
    assert_eq!(profile["main_account_id"], Value::Null);
    let (status, portfolio) = browser.call(Method::GET, "/portfolio", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(portfolio["account_id"], Value::Null);
    assert_eq!(portfolio["cash_available"], 100_000_000);

    let (status, _) = browser.post("/auth/sign-out", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(browser.me().await, StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test]
async fn no_answer_tells_whether_an_address_is_registered() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let _owner = verified_user(&server, &mail, "lee@example.kr", "이개미").await;
    let stranger = Browser::new(&server);

    // Signing up again with the address: the same answer; the owner is told.
    let (status, body) = stranger
        .sign_up("LEE@example.kr", "다른개미", PASSWORD)
        .await;
    assert_eq!(
        (status, body.clone()),
        (StatusCode::ACCEPTED, json!({ "accepted": true }))
    );
    let notice = mail.nth_mail("lee@example.kr", 2).await;
    assert!(
        notice.contains("이개미") && notice.contains("/forgot-password"),
        "{notice}"
    );
    // The nickname is public, so a taken one is named (in any case).
    let (status, body) = stranger
        .sign_up("park@example.kr", "이개미", PASSWORD)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("nickname_taken"), Some("nickname"))
    );

    // Reset requests: the same answer for a known and an unknown address.
    let known = stranger
        .post("/auth/password-reset", json!({ "email": "lee@example.kr" }))
        .await;
    let unknown = stranger
        .post(
            "/auth/password-reset",
            json!({ "email": "nobody@example.kr" }),
        )
        .await;
    assert_eq!(known, unknown);
    assert_eq!(known.0, StatusCode::ACCEPTED);

    // Sign-in: the same answer for an unknown address and a wrong password.
    let wrong = stranger.sign_in("lee@example.kr", "not the password").await;
    let nobody = stranger
        .sign_in("nobody@example.kr", "not the password")
        .await;
    assert_eq!(wrong, nobody);
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.1["code"], "wrong_credentials");
    server.stop().await;
}

/// Reset and resend-verification answer before they look the address up
/// or write anything, so neither the answer nor its time tells whether the
/// address is registered: with every write to the links' table held up,
/// a registered address is answered at once, like an unknown one, and its
/// mail goes out once the database lets the link be written.
#[tokio::test]
async fn mail_requests_answer_before_any_work_for_the_address() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let _owner = verified_user(&server, &mail, "han@example.kr", "한개미").await;
    let unverified = Browser::new(&server);
    let (status, _) = unverified
        .sign_up("seo@example.kr", "서개미", PASSWORD)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    mail.nth_mail("seo@example.kr", 1).await;

    let held = server.db.hold_writes("user_tokens").await;
    let stranger = Browser::new(&server);
    for (path, email) in [
        ("/auth/password-reset", "han@example.kr"),
        ("/auth/password-reset", "nobody@example.kr"),
        ("/auth/resend-verification", "seo@example.kr"),
        ("/auth/resend-verification", "nobody@example.kr"),
    ] {
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            stranger.post(path, json!({ "email": email })),
        )
        .await
        .unwrap_or_else(|_| panic!("{path} {email}: no answer while the links' table is held"));
        assert_eq!(
            answer,
            (StatusCode::ACCEPTED, json!({ "accepted": true })),
            "{path} {email}"
        );
    }
    drop(held);
    assert!(
        mail.nth_mail("han@example.kr", 2)
            .await
            .contains("/reset-password")
    );
    assert!(mail.nth_mail("seo@example.kr", 2).await.contains("/verify"));
    server.stop().await;
}

#[tokio::test]
async fn a_reset_link_works_once_and_expires() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let user = verified_user(&server, &mail, "choi@example.kr", "최개미").await;
    let other = Browser::new(&server);

    let (status, _) = other
        .post(
            "/auth/password-reset",
            json!({ "email": "choi@example.kr" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let letter = mail.nth_mail("choi@example.kr", 2).await;
    let token = token_in(&letter, "/reset-password");

    // A refused new password leaves the link usable.
    let (status, body) = other
        .post(
            "/auth/password-reset/confirm",
            json!({ "token": token, "new_password": "short" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "new_password");
    let new_password = "a whole new colony 9";
    let (status, _) = other
        .post(
            "/auth/password-reset/confirm",
            json!({ "token": token, "new_password": new_password }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = other
        .post(
            "/auth/password-reset/confirm",
            json!({ "token": token, "new_password": "yet another colony 3" }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("bad_link"))
    );

    // The reset ended the session that knew the old password.
    assert_eq!(user.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        other.sign_in("choi@example.kr", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        other.sign_in("choi@example.kr", new_password).await.0,
        StatusCode::OK
    );

    // An expired link is refused like a used one.
    other
        .post(
            "/auth/password-reset",
            json!({ "email": "choi@example.kr" }),
        )
        .await;
    let letter = mail.nth_mail("choi@example.kr", 3).await;
    let token = token_in(&letter, "/reset-password");
    server
        .db
        .execute("UPDATE user_tokens SET expires_ms = 1 WHERE used_ms IS NULL")
        .await;
    let (status, _) = other
        .post(
            "/auth/password-reset/confirm",
            json!({ "token": token, "new_password": "yet another colony 3" }),
        )
        .await;
    assert_eq!(status, StatusCode::GONE);
    server.stop().await;
}

/// A sign-in from `address` (behind the trusted proxy at 127.0.0.1).
async fn sign_in_from(
    browser: &Browser,
    address: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    browser
        .http
        .post(format!("{}/auth/sign-in", browser.base))
        .header("origin", &browser.origin)
        .header("x-forwarded-for", address)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

/// Wrong passwords from one address make that address wait, even with the
/// right password; the owner, from an address of their own, signs in.
#[tokio::test]
async fn repeated_wrong_passwords_get_429_from_their_address_only() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start_with(&mail, |var| {
        (var == "GAEMI_TRUSTED_PROXIES").then(|| "127.0.0.1".to_owned())
    })
    .await;
    let _user = verified_user(&server, &mail, "jung@example.kr", "정개미").await;
    let guesser = Browser::new(&server);
    let mut statuses = Vec::new();
    for n in 0..7 {
        let guess = format!("guess number {n}");
        let response = sign_in_from(&guesser, "203.0.113.7", "jung@example.kr", &guess).await;
        statuses.push(response.status());
    }
    assert_eq!(&statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(&statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    // Even the right password waits now, from that address.
    let response = sign_in_from(&guesser, "203.0.113.7", "jung@example.kr", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    // The owner, elsewhere, is not locked out by it.
    let owner = Browser::new(&server);
    let response = sign_in_from(&owner, "198.51.100.2", "jung@example.kr", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn a_new_sign_in_ends_the_users_previous_session() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let first = verified_user(&server, &mail, "han@example.kr", "한개미").await;
    assert_eq!(first.me().await, StatusCode::OK);
    let second = Browser::new(&server);
    assert_eq!(
        second.sign_in("han@example.kr", PASSWORD).await.0,
        StatusCode::OK
    );
    assert_eq!(second.me().await, StatusCode::OK);
    assert_eq!(first.me().await, StatusCode::UNAUTHORIZED);
    // The first browser trades as a fresh guest now, not as the user.
    let (_, user) = second.call(Method::GET, "/session", None).await;
    assert_eq!(user["kind"], "member");
    let (_, guest) = first.call(Method::POST, "/session", None).await;
    assert_eq!(guest["kind"], "guest");
    assert_ne!(guest["user_id"], user["user_id"]);
    server.stop().await;
}

/// Every page's header says who is signed in: 로그인 and 회원가입 for a
/// visitor, the member's nickname (and no sign-in link) once signed in,
/// and the visitor's again after signing out. A server with no provider
/// configured offers no provider button on 로그인 or 내 정보.
#[tokio::test]
async fn the_header_shows_who_is_signed_in_and_no_unconfigured_provider() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let visitor = Browser::new(&server);
    for path in ["/", "/market", "/sign-in", "/no-such-page"] {
        let (_, _, page) = visitor.page(path).await;
        assert!(page.contains("data-testid=\"header-sign-in\""), "{path}");
        assert!(!page.contains("header-nickname"), "{path}");
    }
    let (_, _, sign_in) = visitor.page("/sign-in").await;
    assert!(!sign_in.contains("social__button"), "{sign_in}");

    let member = verified_user(&server, &mail, "head@example.kr", "머리개미").await;
    for path in ["/", "/market", "/me", "/no-such-page"] {
        let (_, _, page) = member.page(path).await;
        assert!(
            page.contains("header-nickname") && page.contains(">머리개미<"),
            "{path}: {page}"
        );
        assert!(!page.contains("header-sign-in"), "{path}");
    }
    let (_, _, me) = member.page("/me").await;
    assert!(!me.contains("social__button"), "{me}");
    // Pages that name the member are the member's own: never shared.
    let response = (member.http.get(server.url("/"))).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "private, no-cache");

    member.post("/auth/sign-out", json!({})).await;
    let (_, _, page) = member.page("/").await;
    assert!(page.contains("header-sign-in") && !page.contains("머리개미"));
    server.stop().await;
}

#[tokio::test]
async fn a_guest_account_can_be_claimed_at_sign_up() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let browser = Browser::new(&server);
    browser.call(Method::POST, "/session", None).await;
    let (status, guest) = browser.call(Method::POST, "/accounts", None).await;
    assert_eq!(status, StatusCode::OK, "{guest}");
    let guest = guest["account_id"].as_u64().unwrap();
    let (status, _) = browser
        .post(
            "/auth/sign-up",
            json!({ "email": "yoon@example.kr", "nickname": "윤개미", "password": PASSWORD, "claim_guest": true }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let letter = mail.nth_mail("yoon@example.kr", 1).await;
    browser
        .post(
            "/auth/verify",
            json!({ "token": token_in(&letter, "/verify") }),
        )
        .await;
    let (_, profile) = browser.sign_in("yoon@example.kr", PASSWORD).await;
    assert_eq!(profile["main_account_id"].as_u64(), Some(guest));
    server.stop().await;
}

#[tokio::test]
async fn bad_account_input_is_refused_by_field_and_changes_nothing() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let browser = Browser::new(&server);
    for (email, nickname, password, field) in [
        ("", "개미", PASSWORD, "email"),
        ("not-an-address", "개미", PASSWORD, "email"),
        ("a@example.kr", "", PASSWORD, "nickname"),
        ("a@example.kr", "개미!", PASSWORD, "nickname"),
        ("a@example.kr", "개미둘", "", "password"),
        ("a@example.kr", "개미둘", "short", "password"),
        ("a@example.kr", "개미둘", "1234567890", "password"),
        // Past the page's rules, refused by the strength estimate.
        ("a@example.kr", "개미둘", "1234567890a", "password"),
        ("a@example.kr", "개미둘", "qwerty123456", "password"),
        ("a@example.kr", "개미둘", "password1234", "password"),
    ] {
        let (status, body) = browser.sign_up(email, nickname, password).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{email:?} {nickname:?} {password:?}"
        );
        assert_eq!(body["field"], field, "{body}");
        assert!(body["message_ko"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(body["message_en"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let response = browser
        .http
        .post(format!("{}/auth/sign-up", browser.base))
        .header("origin", &browser.origin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // A request from another site changes nothing.
    let response = browser
        .http
        .post(format!("{}/auth/sign-up", browser.base))
        .header("origin", "https://evil.example")
        .json(&json!({ "email": "a@example.kr", "nickname": "개미둘", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // None of it reached the mail server.
    assert!(mail.files().is_empty());
    server.stop().await;
}

#[tokio::test]
async fn users_cannot_touch_each_others_orders_or_profile() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let alice = verified_user(&server, &mail, "alice@example.kr", "앨리스").await;
    let bob = verified_user(&server, &mail, "bob@example.kr", "밥개미").await;
    let (status, order) = alice
        .post(
            "/orders",
            json!({ "client_order_id": 1, "symbol": "100010", "side": "buy", "kind": "limit", "price": 60000, "qty": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{order}");
    let order_id = order["order"]["order_id"].as_u64().unwrap();
    let (status, _) = bob
        .call(Method::GET, &format!("/orders/{order_id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = bob
        .call(Method::DELETE, &format!("/orders/{order_id}"), None)
        .await;
    assert!(status.is_client_error(), "{status}");
    let (_, bobs) = bob.call(Method::GET, "/orders", None).await;
    assert_eq!(bobs["items"], json!([]));
    // Bob's profile changes are his own.
    let (status, _) = bob
        .call(
            Method::PUT,
            "/auth/nickname",
            Some(json!({ "nickname": "앨리스" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = bob
        .call(
            Method::PUT,
            "/auth/nickname",
            Some(json!({ "nickname": "밥대장" })),
        )
        .await;
    assert_eq!(
        (status, body["nickname"].as_str()),
        (StatusCode::OK, Some("밥대장"))
    );
    let (_, me) = alice.call(Method::GET, "/auth/me", None).await;
    assert_eq!(me["nickname"], "앨리스");
    server.stop().await;
}

#[tokio::test]
async fn changing_and_deleting_need_the_current_password() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let user = verified_user(&server, &mail, "kang@example.kr", "강개미").await;
    let (status, body) = user
        .post(
            "/auth/password",
            json!({ "current_password": "not it at all", "new_password": "a fresh colony 42" }),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::FORBIDDEN, Some("current_password"))
    );
    let (status, body) = user
        .post(
            "/auth/password",
            json!({ "current_password": PASSWORD, "new_password": "password1234" }),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("new_password")),
        "an easily guessed new password: {body}"
    );
    let (status, _) = user
        .post(
            "/auth/password",
            json!({ "current_password": PASSWORD, "new_password": "a fresh colony 42" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        user.me().await,
        StatusCode::OK,
        "the changer stays signed in"
    );

    let (status, _) = user
        .call(
            Method::DELETE,
            "/auth/me",
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = user
        .call(
            Method::DELETE,
            "/auth/me",
            Some(json!({ "password": "a fresh colony 42" })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(user.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        user.sign_in("kang@example.kr", "a fresh colony 42").await.0,
        StatusCode::UNAUTHORIZED
    );
    // The address and the nickname are free again.
    let again = Browser::new(&server);
    assert_eq!(
        again.sign_up("kang@example.kr", "강개미", PASSWORD).await.0,
        StatusCode::ACCEPTED
    );
    let letter = mail.nth_mail("kang@example.kr", 2).await;
    assert!(
        letter.contains("/verify?token="),
        "a new sign-up, not a notice: {letter}"
    );
    server.stop().await;
}

#[tokio::test]
async fn sessions_live_in_the_configured_store() {
    let mail = MailCatcher::start().await;
    let (server, keys) = start(&mail).await;
    let _user = verified_user(&server, &mail, "store@example.kr", "저장개미").await;
    let in_database: i64 = {
        use sqlx::Connection;
        let sql = "SELECT COUNT(*) FROM sessions";
        match server.db.backend_name() {
            "sqlite" => {
                let mut db = sqlx::SqliteConnection::connect(server.db.url())
                    .await
                    .unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut db).await.unwrap()
            }
            _ => {
                let mut db = sqlx::PgConnection::connect(server.db.url()).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut db).await.unwrap()
            }
        }
    };
    match &keys {
        Some(RedisKeys(prefix)) => {
            let mut redis = redis::Client::open(REDIS)
                .unwrap()
                .get_connection()
                .unwrap();
            let sessions: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{prefix}session:*"))
                .query(&mut redis)
                .unwrap();
            assert_eq!(sessions.len(), 1, "the signed-in session, in Redis");
            assert_eq!(in_database, 0, "nothing in the database's table");
        }
        None => assert_eq!(in_database, 1, "the signed-in session, in the database"),
    }
    server.stop().await;
}

#[tokio::test]
async fn a_replaced_session_is_refused_on_every_trading_route_while_it_keeps_asking() {
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let stolen =
        std::sync::Arc::new(verified_user(&server, &mail, "oh@example.kr", "오개미").await);
    let (status, _) = stolen.call(Method::GET, "/portfolio", None).await;
    assert_eq!(status, StatusCode::OK);

    // A dozen loops keep using the old cookie while its owner signs in
    // elsewhere, which ends that session.
    let signed_in_again = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let loops: Vec<_> = (0..12)
        .map(|_| {
            let (stolen, done) = (stolen.clone(), signed_in_again.clone());
            tokio::spawn(async move {
                let mut refused_after = 0;
                while refused_after < 5 {
                    let after = done.load(std::sync::atomic::Ordering::SeqCst);
                    let (status, _) = stolen.call(Method::GET, "/portfolio", None).await;
                    if after {
                        assert_eq!(status, StatusCode::UNAUTHORIZED, "a read after the end");
                        refused_after += 1;
                    }
                }
            })
        })
        .collect();
    let owner = Browser::new(&server);
    assert_eq!(
        owner.sign_in("oh@example.kr", PASSWORD).await.0,
        StatusCode::OK
    );
    signed_in_again.store(true, std::sync::atomic::Ordering::SeqCst);
    for task in loops {
        task.await.expect("every loop saw the session refused");
    }
    for (method, path, body) in [
        (Method::GET, "/portfolio", None),
        (Method::GET, "/portfolio/equity", None),
        (Method::GET, "/orders", None),
        (Method::GET, "/fills", None),
        (Method::GET, "/accounts", None),
        (Method::GET, "/watchlist", None),
        (
            Method::POST,
            "/orders",
            Some(json!({
                "client_order_id": 1, "symbol": "100010", "side": "buy",
                "kind": "limit", "price": 72_000, "qty": 1
            })),
        ),
        (Method::DELETE, "/orders", None),
        (Method::PUT, "/watchlist/100010", None),
        (Method::POST, "/accounts", None),
    ] {
        let (status, body) = stolen.call(method.clone(), path, body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
    }
    // The owner trades on.
    let (status, _) = owner.call(Method::GET, "/portfolio", None).await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}

/// A guest kept at sign-up: its session ends, and stays ended while a dozen
/// loops keep asking with a copy of its cookie (the cache once let a read
/// that missed it during the delete bring the session back for good).
#[tokio::test]
async fn a_kept_guest_session_stays_ended_while_its_cookie_keeps_asking() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    for round in 0..8 {
        let guest = Arc::new(common::Guest::open(&server).await);
        let account = guest.open_main_account().await;
        let ended = Arc::new(AtomicBool::new(false));
        let loops: Vec<_> = (0..12)
            .map(|_| {
                let (guest, ended) = (guest.clone(), ended.clone());
                tokio::spawn(async move {
                    let mut refused_after = 0;
                    while refused_after < 5 {
                        let after = ended.load(Ordering::SeqCst);
                        let (status, body) = guest.call(Method::GET, "/portfolio", None).await;
                        if after {
                            assert_eq!(status, StatusCode::UNAUTHORIZED, "a read after: {body}");
                            refused_after += 1;
                        }
                    }
                })
            })
            .collect();
        let (status, body) = guest
            .call(
                Method::POST,
                "/auth/sign-up",
                Some(json!({
                    "email": format!("guest{round}@example.kr"),
                    "nickname": format!("손님개미{round}"),
                    "password": PASSWORD,
                    "claim_guest": true
                })),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        ended.store(true, Ordering::SeqCst);
        for task in loops {
            task.await.expect("every loop saw the session refused");
        }
        let order = json!({
            "client_order_id": 1, "symbol": "100010", "side": "buy",
            "kind": "limit", "price": 72_000, "qty": 1
        });
        for (method, path, body) in [
            (Method::GET, "/portfolio".to_owned(), None),
            (
                Method::POST,
                format!("/orders?account={account}"),
                Some(order),
            ),
        ] {
            let (status, answer) = guest.call(method, &path, body).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "round {round}, {path}: {answer}"
            );
        }
    }
    server.stop().await;
}

/// One verification link sent by 64 browsers at once (a forwarded mail, a
/// replay): it is used once, so exactly one browser is signed in and the
/// other 63 get `410 bad_link` and stay signed out.
#[tokio::test]
async fn a_verification_link_replayed_64_times_at_once_signs_in_one_browser() {
    use futures_util::future::join_all;
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    let owner = Browser::new(&server);
    let (status, _) = owner.sign_up("race@example.kr", "경주개미", PASSWORD).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let token = token_in(&mail.nth_mail("race@example.kr", 1).await, "/verify");
    let browsers: Vec<Browser> = (0..64).map(|_| Browser::new(&server)).collect();
    let answers = join_all(
        (browsers.iter()).map(|browser| browser.post("/auth/verify", json!({ "token": token }))),
    )
    .await;
    let mut signed_in = Vec::new();
    for (n, (status, body)) in answers.iter().enumerate() {
        match *status {
            StatusCode::OK => signed_in.push(n),
            StatusCode::GONE => assert_eq!(body["code"], "bad_link", "#{n}"),
            other => panic!("#{n}: {other} {body}"),
        }
    }
    assert_eq!(signed_in.len(), 1, "one browser used the link");
    for (n, browser) in browsers.iter().enumerate() {
        let expected = match signed_in.contains(&n) {
            true => StatusCode::OK,
            false => StatusCode::UNAUTHORIZED,
        };
        assert_eq!(browser.me().await, expected, "#{n}");
    }
    server.stop().await;
}

/// The session cookies a response sets.
fn session_cookies(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    (headers.get_all("set-cookie").iter())
        .filter_map(|value| value.to_str().ok())
        .filter(|value| value.starts_with("gaemi_session="))
        .map(str::to_owned)
        .collect()
}

/// A browser's requests sent with its session id from before a sign-in
/// (a page's websocket reconnecting, a page or an API read in flight)
/// answer after the sign-in gave it a new id. None of them may clear that
/// new cookie (tower-sessions answers an id the store does not hold with
/// a removal cookie, which signed a browser out just after it signed in
/// with Google): 64 of them racing the sign-in and 64 after it set no
/// session cookie at all, and the new cookie is the member's.
#[tokio::test]
async fn requests_carrying_the_id_from_before_a_sign_in_leave_the_new_cookie() {
    use futures_util::future::join_all;
    let mail = MailCatcher::start().await;
    let (server, _keys) = start(&mail).await;
    verified_user(&server, &mail, "late@example.kr", "늦은개미").await;
    let guest = common::Guest::open(&server).await;
    let http = common::client();
    let stale = |n: usize| {
        let (http, guest, server) = (&http, &guest, &server);
        async move {
            let headers = match n % 3 {
                0 => {
                    let response = (http.get(server.url("/api/v1/auth/me")))
                        .header("cookie", &guest.cookie)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "#{n}");
                    response.headers().clone()
                }
                1 => {
                    let response = (http.get(server.url("/")))
                        .header("cookie", &guest.cookie)
                        .header("accept", "text/html")
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::OK, "#{n}");
                    response.headers().clone()
                }
                _ => {
                    let (_socket, response) = common::connect_ws_answered(
                        server,
                        Some(&server.origin()),
                        Some(&guest.cookie),
                    )
                    .await
                    .unwrap();
                    let mut headers = reqwest::header::HeaderMap::new();
                    for value in response.headers().get_all("set-cookie") {
                        headers.append("set-cookie", value.as_bytes().try_into().unwrap());
                    }
                    headers
                }
            };
            (n, session_cookies(&headers))
        }
    };
    let sign_in = (http.post(server.url("/api/v1/auth/sign-in")))
        .header("cookie", &guest.cookie)
        .header("origin", server.origin())
        .json(&json!({ "email": "late@example.kr", "password": PASSWORD }))
        .send();
    let (signed_in, racing) = tokio::join!(sign_in, join_all((0..64).map(stale)));
    let signed_in = signed_in.unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let new_cookie = session_cookies(signed_in.headers())
        .first()
        .and_then(|cookie| cookie.split(';').next())
        .expect("a new session cookie")
        .to_owned();
    assert_ne!(new_cookie, guest.cookie, "the id is new");
    let after = join_all((0..64).map(stale)).await;
    for (n, cookies) in racing.iter().chain(&after) {
        assert_eq!(
            cookies,
            &Vec::<String>::new(),
            "#{n} set the session cookie"
        );
    }
    let me = (http.get(server.url("/api/v1/auth/me")))
        .header("cookie", &new_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    server.stop().await;
}

/// 64 people at once sign up, verify, sign in, reset their passwords and
/// place orders: on SQLite every write goes through one writer, so none of
/// it answers 5xx (racing writers once got "database is locked" as 503),
/// and each reset is whole: the old session ends, the new password works.
#[tokio::test]
async fn a_crowd_of_64_at_once_never_gets_a_5xx() {
    use futures_util::future::join_all;
    const CROWD: usize = 64;
    let mail = MailCatcher::start().await;
    let (server, _keys) = start_with(&mail, |var| {
        (var == "GAEMI_TRUSTED_PROXIES").then(|| "127.0.0.1".to_owned())
    })
    .await;
    let people: Vec<(Browser, String)> = (0..CROWD)
        .map(|n| {
            let browser = Browser::at(&server, format!("10.0.{}.{}", n / 200, n % 200 + 1));
            (browser, format!("crowd{n}@example.kr"))
        })
        .collect();
    let all_answer = async |what: &str, expected: StatusCode, answers: Vec<(StatusCode, Value)>| {
        for (n, (status, body)) in answers.into_iter().enumerate() {
            assert!(!status.is_server_error(), "{what} #{n}: {status} {body}");
            assert_eq!(status, expected, "{what} #{n}: {body}");
        }
    };

    let nicknames: Vec<String> = (0..CROWD).map(|n| format!("군중개미{n}")).collect();
    let answers = join_all(
        (people.iter().zip(&nicknames))
            .map(|((browser, email), nickname)| browser.sign_up(email, nickname, PASSWORD)),
    )
    .await;
    all_answer("sign-up", StatusCode::ACCEPTED, answers).await;
    let mut tokens = Vec::new();
    for (_, email) in &people {
        tokens.push(token_in(&mail.nth_mail(email, 1).await, "/verify"));
    }
    let answers = join_all(
        people
            .iter()
            .zip(&tokens)
            .map(|((browser, _), token)| browser.post("/auth/verify", json!({ "token": token }))),
    )
    .await;
    all_answer("verify", StatusCode::OK, answers).await;
    let answers =
        join_all((people.iter()).map(|(browser, email)| browser.sign_in(email, PASSWORD))).await;
    all_answer("sign-in", StatusCode::OK, answers).await;

    // Reset requests and confirms, all at once; a stolen copy of each
    // session is watched.
    let answers =
        join_all(people.iter().map(|(browser, email)| {
            browser.post("/auth/password-reset", json!({ "email": email }))
        }))
        .await;
    all_answer("reset request", StatusCode::ACCEPTED, answers).await;
    let mut tokens = Vec::new();
    for (_, email) in &people {
        tokens.push(token_in(&mail.nth_mail(email, 2).await, "/reset-password"));
    }
    let new_password = "a brand new colony 8";
    let answers = join_all(people.iter().zip(&tokens).map(|((browser, _), token)| {
        browser.post(
            "/auth/password-reset/confirm",
            json!({ "token": token, "new_password": new_password }),
        )
    }))
    .await;
    all_answer("reset", StatusCode::NO_CONTENT, answers).await;
    for (n, (browser, _)) in people.iter().enumerate() {
        assert_eq!(
            browser.me().await,
            StatusCode::UNAUTHORIZED,
            "#{n}: the reset ended the session"
        );
    }
    let answers =
        join_all((people.iter()).map(|(browser, email)| browser.sign_in(email, new_password)))
            .await;
    all_answer("sign-in with the new password", StatusCode::OK, answers).await;

    let answers = join_all(people.iter().map(|(browser, _)| {
        browser.post(
            "/orders",
            json!({
                "client_order_id": 1, "symbol": "100010", "side": "buy",
                "kind": "limit", "price": 70_000, "qty": 1
            }),
        )
    }))
    .await;
    for (n, (status, body)) in answers.into_iter().enumerate() {
        assert!(status.is_success(), "order #{n}: {status} {body}");
    }
    server.stop().await;
}

/// The flood limits: 64 orders at once from one user, cookie-less guests
/// from one address, websockets from one address. Over a limit the answer
/// is 429 with `Retry-After`, on the JSON route and the server function
/// alike, and nothing changes; another user or address keeps its own
/// budget. (Counted in Redis with `GAEMI_TEST_SESSIONS=redis`.)
#[tokio::test]
async fn floods_of_orders_guests_and_sockets_are_refused_with_429() {
    use futures_util::future::join_all;
    let mail = MailCatcher::start().await;
    let (server, _keys) = start_with(&mail, |var| match var {
        "GAEMI_TRUSTED_PROXIES" => Some("127.0.0.1".to_owned()),
        "GAEMI_LIMIT_ORDERS_PER_USER" => Some("5".to_owned()),
        "GAEMI_LIMIT_GUESTS_PER_ADDRESS" => Some("3".to_owned()),
        "GAEMI_LIMIT_SOCKETS_PER_ADDRESS" => Some("2".to_owned()),
        _ => None,
    })
    .await;

    // Guests: three per address, then 429; nobody else is made.
    let guests_before = server
        .db
        .count("SELECT COUNT(*) FROM users WHERE kind = 'guest'")
        .await;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let visitor = Browser::at(&server, "203.0.113.9".to_owned());
        statuses.push(visitor.call(Method::POST, "/session", None).await.0);
    }
    assert_eq!(&statuses[..3], [StatusCode::OK; 3]);
    assert_eq!(&statuses[3..], [StatusCode::TOO_MANY_REQUESTS; 7]);
    let guests = server
        .db
        .count("SELECT COUNT(*) FROM users WHERE kind = 'guest'")
        .await;
    assert_eq!(guests - guests_before, 3);
    let elsewhere = Browser::at(&server, "198.51.100.9".to_owned());
    assert_eq!(
        elsewhere.call(Method::POST, "/session", None).await.0,
        StatusCode::OK
    );

    // Orders: five a second per user.
    let trader = common::Guest::open(&server).await;
    trader.open_main_account().await;
    let started = std::time::Instant::now();
    let answers = join_all((0..64).map(|n| {
        trader.call(
            Method::POST,
            "/orders",
            Some(json!({
                "client_order_id": n + 1, "symbol": "100010", "side": "buy",
                "kind": "limit", "price": 70_000, "qty": 1
            })),
        )
    }))
    .await;
    // Windows are one second long: the burst may reach into a second one.
    let windows = started.elapsed().as_secs() as usize + 1;
    let accepted = answers
        .iter()
        .filter(|(status, _)| status.is_success())
        .count();
    assert!(
        (5..=5 * windows).contains(&accepted),
        "{accepted} in {windows} windows"
    );
    for (status, body) in answers.iter().filter(|(status, _)| !status.is_success()) {
        assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["code"], "too_many_requests");
    }
    let (_, orders) = trader.call(Method::GET, "/orders", None).await;
    let listed = orders["items"].as_array().map_or(0, Vec::len);
    assert_eq!(
        listed, accepted,
        "a refused order changed nothing: {orders}"
    );
    // The page's server function is refused the same way.
    let forms: Vec<String> = (0..20)
        .map(|n| {
            format!(
                "input[client_order_id]={}&input[symbol]=100010&input[side]=buy\
                 &input[kind]=limit&input[price]=70000&input[qty]=1",
                1_000 + n
            )
        })
        .collect();
    let answers = join_all(
        forms
            .iter()
            .map(|form| trader.server_fn("place_order", form)),
    )
    .await;
    let refused: Vec<_> = answers
        .iter()
        .filter(|(status, ..)| !status.is_success())
        .collect();
    assert!(
        !refused.is_empty(),
        "20 at once from a user allowed 5 a second"
    );
    for (status, body, retry_after) in refused {
        assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["code"], "too_many_requests");
        assert_eq!(retry_after.as_deref(), Some("1"));
    }
    // Another user is not held up by this one's flood.
    let other = common::Guest::open(&server).await;
    other.open_main_account().await;
    let (status, body) = other
        .call(
            Method::POST,
            "/orders",
            Some(json!({
                "client_order_id": 1, "symbol": "100010", "side": "buy",
                "kind": "limit", "price": 70_000, "qty": 1
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Websockets: two a minute per address.
    let origin = server.origin();
    for _ in 0..2 {
        common::connect_ws(&server, Some(&origin), None)
            .await
            .expect("within the limit");
    }
    match common::connect_ws(&server, Some(&origin), None).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            assert!(response.headers().contains_key("retry-after"));
        }
        other => panic!("the third socket: {:?}", other.map(|_| "opened")),
    }
    server.stop().await;
}
