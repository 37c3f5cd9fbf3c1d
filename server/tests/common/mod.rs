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

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }
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
    /// Bots stay off unless `env` turns them on, so tests own their books.
    pub async fn start_with(db: TestDb, env: impl Fn(&str) -> Option<String>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let url = db.url().to_owned();
        let mut settings = Settings::from_parts(None, None, |var| match var {
            "DATABASE_URL" => Some(url.clone()),
            "GAEMI_BOTS_ENABLED" => env(var).or_else(|| Some("false".to_owned())),
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
