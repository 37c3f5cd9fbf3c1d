//! Shared test harness: start the real server on port 0 against a fresh
//! database (a temporary SQLite file, or a PostgreSQL database created for the
//! test and dropped after it), and talk to it over real HTTP and websockets.
#![allow(dead_code)]

use gaemi::config::Settings;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The maintenance database tests connect to for creating their own.
pub fn postgres_admin_url() -> String {
    std::env::var("GAEMI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database that exists for one test.
pub enum TestDb {
    Sqlite { dir: tempfile::TempDir, url: String },
    Postgres { name: String, url: String },
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("gaemi.db").display());
        TestDb::Sqlite { dir, url }
    }

    pub async fn postgres() -> TestDb {
        use sqlx::Connection;
        let admin = postgres_admin_url();
        let name = unique_name("gaemi_test");
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|err| {
                panic!("PostgreSQL must be reachable at {admin} for the storage tests: {err}")
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let base = admin
            .rsplit_once('/')
            .map(|(base, _)| base)
            .unwrap_or(&admin);
        TestDb::Postgres {
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// The backend `GAEMI_TEST_BACKEND` names (`sqlite`, the default, or
    /// `postgres`), so the whole suite can run on either.
    pub async fn from_env() -> TestDb {
        match std::env::var("GAEMI_TEST_BACKEND").as_deref() {
            Ok("postgres") => TestDb::postgres().await,
            Ok("sqlite") | Err(_) => TestDb::sqlite(),
            Ok(other) => panic!("GAEMI_TEST_BACKEND must be sqlite or postgres, not {other:?}"),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            TestDb::Sqlite { .. } => "sqlite",
            TestDb::Postgres { .. } => "postgres",
        }
    }

    /// Runs one statement on this database over a connection of its own
    /// (fault injection behind the server's back).
    pub async fn execute(&self, sql: &str) {
        use sqlx::Connection;
        match self {
            TestDb::Sqlite { url, .. } => {
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
        }
    }

    /// The one whole number a query answers (a count), read over a
    /// connection of its own.
    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Connection;
        match self {
            TestDb::Sqlite { url, .. } => {
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
        }
    }

    /// Keeps `table` from being written until the answer is dropped: on
    /// SQLite a transaction holding the file's write lock, on PostgreSQL
    /// one holding the table's EXCLUSIVE lock (reads go on).
    pub async fn hold_writes(&self, table: &str) -> HeldWrites {
        use sqlx::Connection;
        match self {
            TestDb::Sqlite { url, .. } => {
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::raw_sql("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                HeldWrites::Sqlite(conn)
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                let lock = format!("BEGIN; LOCK TABLE {table} IN EXCLUSIVE MODE");
                sqlx::raw_sql(&lock).execute(&mut conn).await.unwrap();
                HeldWrites::Postgres(conn)
            }
        }
    }

    /// [`TestDb::count`] while a server may still be creating the
    /// database: `None` until the file, the table or the connection is
    /// there.
    pub async fn try_count(&self, sql: &str) -> Option<i64> {
        use sqlx::Connection;
        match self {
            TestDb::Sqlite { url, .. } => {
                let mut conn = sqlx::SqliteConnection::connect(url).await.ok()?;
                let count = sqlx::query_scalar(sql).fetch_one(&mut conn).await.ok();
                let _ = conn.close().await;
                count
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await.ok()?;
                let count = sqlx::query_scalar(sql).fetch_one(&mut conn).await.ok();
                let _ = conn.close().await;
                count
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }
}

/// A lock taken by [`TestDb::hold_writes`]; ends with its connection.
pub enum HeldWrites {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let TestDb::Postgres { name, .. } = self else {
            return;
        };
        let name = name.clone();
        // Runs even when the test panicked; a runtime of its own because Drop
        // cannot await and the test's runtime may be shutting down.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub db: TestDb,
    /// The running server's parts, to act behind the HTTP API.
    pub started: gaemi::Started,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), gaemi::ServerError>>>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(TestDb::from_env().await, |_| None).await
    }

    /// Starts on a free port; `env` overrides settings as variables would.
    /// Bots stay off unless `env` turns them on, so tests own their books;
    /// the flood limits too (`GAEMI_LIMIT_*`), so crowds of test requests
    /// from one address are not refused: the tests of the limits set them.
    pub async fn start_with(db: TestDb, env: impl Fn(&str) -> Option<String>) -> TestServer {
        TestServer::start_on_clock(db, env, gaemi::clock::system()).await
    }

    /// [`TestServer::start_with`] on `clock` (a test moves a manual one).
    pub async fn start_on_clock(
        db: TestDb,
        env: impl Fn(&str) -> Option<String>,
        clock: std::sync::Arc<dyn gaemi::clock::Clock>,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let url = db.url().to_owned();
        let mut settings = Settings::from_parts(None, None, |var| match var {
            "DATABASE_URL" => Some(url.clone()),
            "GAEMI_BOTS_ENABLED" => env(var).or_else(|| Some("false".to_owned())),
            limit if limit.starts_with("GAEMI_LIMIT_") => {
                env(limit).or_else(|| Some("0".to_owned()))
            }
            other => env(other),
        })
        .expect("test settings");
        settings.leptos.site_addr = addr;
        let (stop, stopped) = oneshot::channel::<()>();
        let (tell, told) = oneshot::channel();
        let task = tokio::spawn(gaemi::run_with(
            settings,
            listener,
            async move {
                let _ = stopped.await;
            },
            clock,
            move |started| {
                let _ = tell.send(started);
            },
        ));
        let started = tokio::time::timeout(HANG_GUARD, told)
            .await
            .expect("the server started in time")
            .expect("the server started");
        TestServer {
            addr,
            db,
            started,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server, waits until it has shut down cleanly, and hands
    /// back its database so a test can start again on the same data.
    pub async fn stop(mut self) -> TestDb {
        // Our handles keep the exchange alive; shutdown waits for it.
        drop(self.started);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // A hang guard, not a timing assertion: shutdown normally takes
            // milliseconds, and a stuck one must fail the test, not CI.
            tokio::time::timeout(HANG_GUARD, task)
                .await
                .expect("the server shut down")
                .expect("server task")
                .expect("server ran cleanly");
        }
        self.db
    }
}

/// Longest a request or a shutdown may take before the test fails as hung.
pub const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(60);

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HANG_GUARD)
        .build()
        .unwrap()
}

/// A client that acts like one browser: it keeps its cookies (its
/// session) and follows no redirects (tests look at them).
pub fn browser_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HANG_GUARD)
        .build()
        .unwrap()
}

/// GETs `url` and reads the JSON answer (any status).
pub async fn get_json(client: &reqwest::Client, url: &str) -> serde_json::Value {
    client
        .get(url)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("a JSON answer")
}

/// GETs a page as a browser navigation does: its status, where it
/// redirects to (if it does) and its HTML.
pub async fn get_page(
    client: &reqwest::Client,
    url: &str,
) -> (reqwest::StatusCode, Option<String>, String) {
    let response = (client.get(url))
        .header("accept", "text/html")
        .send()
        .await
        .expect("request");
    let status = response.status();
    let location = (response.headers().get("location"))
        .map(|location| location.to_str().expect("an ASCII location").to_owned());
    (status, location, response.text().await.expect("a body"))
}

/// Polls `check` until it holds; fails the test as hung after [`HANG_GUARD`].
pub async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = std::time::Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < HANG_GUARD,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Grants `account` `qty` shares of listing 0 (한빛전자) behind the API, at
/// 70,000 won each: tests sell before bots or rounds exist.
pub async fn grant_shares(server: &TestServer, account: u64, qty: i64) {
    let grant = gaemi::exchange::Command::GrantShares {
        account: gaemi::exchange::AccountId(account),
        symbol: gaemi::exchange::SymbolId(0),
        qty,
        cost: qty * 70_000,
    };
    submit_ok(server, grant, 0).await;
}

/// Submits `command` behind the API, stamped `ts_ms`; fails the test unless
/// the engine took it.
pub async fn submit_ok(server: &TestServer, command: gaemi::exchange::Command, ts_ms: i64) {
    let submitted =
        (server.started.exchange.submit(command.clone(), ts_ms).await).expect("committed");
    assert!(
        !matches!(
            submitted.executed.reply,
            gaemi::exchange::Reply::Rejected { .. }
        ),
        "{command:?}: {:?}",
        submitted.executed.reply
    );
}

/// A good-till-cancelled limit order, as the engine takes it.
pub fn limit_order(
    account: u64,
    client: u64,
    symbol: gaemi::exchange::SymbolId,
    side: gaemi::exchange::Side,
    price: i64,
    qty: i64,
) -> gaemi::exchange::Command {
    use gaemi::exchange::{AccountId, ClientOrderId, Command, OrderType, PlaceOrder, TimeInForce};
    Command::Place(PlaceOrder {
        account: AccountId(account),
        client_id: ClientOrderId(client),
        symbol,
        side,
        order_type: OrderType::Limit(price),
        tif: TimeInForce::Gtc,
        qty,
    })
}

/// A websocket to a test server.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/ws` with an `Origin` and a `Cookie` header, if given.
pub async fn connect_ws(
    server: &TestServer,
    origin: Option<&str>,
    cookie: Option<&str>,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    connect_ws_answered(server, origin, cookie)
        .await
        .map(|(socket, _)| socket)
}

/// `connect_ws`, with the server's answer to the upgrade (its headers).
pub async fn connect_ws_answered(
    server: &TestServer,
    origin: Option<&str>,
    cookie: Option<&str>,
) -> Result<
    (
        Socket,
        tokio_tungstenite::tungstenite::handshake::client::Response,
    ),
    tokio_tungstenite::tungstenite::Error,
> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{}/ws", server.addr).into_client_request()?;
    for (name, value) in [("origin", origin), ("cookie", cookie)] {
        if let Some(value) = value {
            request.headers_mut().insert(name, value.parse().unwrap());
        }
    }
    tokio_tungstenite::connect_async(request).await
}

pub async fn send_frame(socket: &mut Socket, frame: &app::realtime::ClientFrame) {
    use futures_util::SinkExt;
    socket
        .send(tokio_tungstenite::tungstenite::Message::text(
            serde_json::to_string(frame).unwrap(),
        ))
        .await
        .unwrap();
}

/// The next server frame, skipping protocol-level pings; fails the test as
/// hung after [`HANG_GUARD`].
pub async fn next_frame(socket: &mut Socket) -> app::realtime::ServerFrame {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let message = tokio::time::timeout(HANG_GUARD, socket.next())
            .await
            .expect("a frame in time")
            .expect("socket open")
            .expect("frame");
        match message {
            Message::Text(text) => {
                return serde_json::from_str(text.as_str()).expect("a typed server frame");
            }
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected message {other:?}"),
        }
    }
}

/// One guest's browser: its session cookie is kept by hand, so that the
/// same session can also open a websocket.
pub struct Guest {
    pub http: reqwest::Client,
    pub cookie: String,
    pub user_id: i64,
    base: String,
    origin: String,
}

impl Guest {
    /// A new guest (`POST /api/v1/session`), with no account yet.
    pub async fn open(server: &TestServer) -> Guest {
        let http = client();
        let response = http
            .post(server.url("/api/v1/session"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let session: serde_json::Value = response.json().await.unwrap();
        Guest {
            http,
            cookie,
            user_id: session["user_id"].as_i64().expect("a user id"),
            base: server.url(""),
            origin: server.origin(),
        }
    }

    async fn answer(response: reqwest::Response) -> (reqwest::StatusCode, serde_json::Value) {
        let status = response.status();
        (status, response.json().await.unwrap_or_default())
    }

    /// A JSON route under `/api/v1`.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut request = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.origin);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Guest::answer(request.send().await.unwrap()).await
    }

    /// A server function, its arguments form-encoded as the page sends them.
    pub async fn server_fn(
        &self,
        name: &str,
        form: &str,
    ) -> (reqwest::StatusCode, serde_json::Value, Option<String>) {
        let response = self
            .http
            .post(format!("{}/api/fn/{name}", self.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned())
            .send()
            .await
            .unwrap();
        let retry_after = (response.headers().get("retry-after"))
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let (status, body) = Guest::answer(response).await;
        (status, body, retry_after)
    }

    /// A new guest whose main account is open with 100 shares of listing 0
    /// (한빛전자) to sell; answers the account's id too.
    pub async fn seller(server: &TestServer) -> (Guest, u64) {
        let guest = Guest::open(server).await;
        let account = guest.open_main_account().await;
        grant_shares(server, account, 100).await;
        (guest, account)
    }

    /// Opens this guest's main account now; answers its id.
    pub async fn open_main_account(&self) -> u64 {
        let (status, body) = self.call(reqwest::Method::POST, "/accounts", None).await;
        assert_eq!(status, 200, "{body}");
        body["account_id"].as_u64().expect("an account id")
    }

    pub async fn websocket(&self, server: &TestServer) -> Socket {
        connect_ws(server, Some(&self.origin), Some(&self.cookie))
            .await
            .expect("a websocket")
    }
}

/// What the journal gave accounts from outside the market, found by
/// replaying it command by command: each account's deposits of cash and
/// grants of shares (quantity and cost, per listing), in order, and how
/// many funding commands (openings, deposits, grants) the engine refused.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Funding {
    pub deposits: std::collections::BTreeMap<u64, Vec<i64>>,
    pub grants: std::collections::BTreeMap<(u64, u32), Vec<(i64, i64)>>,
    pub refused: usize,
}

/// Replays the journal of `db` (its server stopped or killed) into a
/// fresh engine and reads the funding out of it.
pub async fn funding(db: &TestDb) -> Funding {
    use gaemi::exchange::{Command, Engine, Event, FeeSchedule, Reply};
    let storage = gaemi::storage::open(db.url()).await.unwrap();
    let mut engine = Engine::new(FeeSchedule::default());
    let mut funding = Funding::default();
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = storage.read_journal(after, 10_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        for entry in &page {
            let command: Command = serde_json::from_str(&entry.command).unwrap();
            let funds = matches!(
                command,
                Command::OpenAccount { .. } | Command::Deposit { .. } | Command::GrantShares { .. }
            );
            events.clear();
            let reply = engine.execute(command, &mut events).reply;
            if funds && matches!(reply, Reply::Rejected { .. }) {
                funding.refused += 1;
            }
            for event in &events {
                match *event {
                    Event::Deposited { account, amount } => {
                        funding.deposits.entry(account.0).or_default().push(amount);
                    }
                    Event::SharesGranted {
                        account,
                        symbol,
                        qty,
                        cost,
                    } => {
                        (funding.grants.entry((account.0, symbol.0)).or_default())
                            .push((qty, cost));
                    }
                    _ => {}
                }
            }
        }
    }
    storage.close().await;
    funding
}

/// Checks that each of the roster's bot accounts in `db` got exactly what a
/// new bot gets, once: its strategy's cash, and of every listing the shares
/// its strategy's slice buys at the first price; and that the engine never
/// refused a funding command. Answers the funding, to compare with a later
/// start's.
pub async fn assert_every_bot_funded_once(db: &TestDb) -> Funding {
    use gaemi::sim::bots::Strategy;
    let storage = gaemi::storage::open(db.url()).await.unwrap();
    let bots = (storage.accounts_of_kind(gaemi::storage::AccountKind::Bot))
        .await
        .unwrap();
    let listings = storage.listings().await.unwrap();
    storage.close().await;
    assert_eq!(bots.len(), gaemi::sim::roster_size(), "one row per bot");
    assert!(!listings.is_empty());
    let funding = funding(db).await;
    assert_eq!(funding.refused, 0, "a funding command was refused");
    let strategies =
        (gaemi::sim::ROSTER.iter()).flat_map(|&(strategy, n)| std::iter::repeat_n(strategy, n));
    for (&bot, strategy) in bots.iter().zip(strategies) {
        let bot = bot as u64;
        let (cash, share_value) = strategy.endowment();
        assert_eq!(
            funding.deposits.get(&bot),
            Some(&vec![cash]),
            "bot {bot}'s cash"
        );
        for listing in &listings {
            let qty = Strategy::shares_worth(
                share_value,
                listing.first_price,
                listing.shares_outstanding,
            );
            assert_eq!(
                funding.grants.get(&(bot, listing.symbol_id as u32)),
                Some(&vec![(qty, qty * listing.first_price)]),
                "bot {bot}'s shares of {}",
                listing.code
            );
        }
    }
    funding
}
