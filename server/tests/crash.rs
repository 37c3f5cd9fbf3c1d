//! The crash test: the real server binary runs under order load and is
//! killed with SIGKILL mid-stream; restarted on the same database, it still
//! has every order it acknowledged, each with at least the fills it had
//! when acknowledged, and its read models agree with each other. Runs on
//! SQLite, or PostgreSQL with `GAEMI_TEST_BACKEND=postgres`.

mod common;

use common::{HANG_GUARD, TestDb};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;

const CLIENTS: usize = 8;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server process; killed when dropped, so a failing test leaves no
/// server behind.
struct ServerProcess(Child);

impl ServerProcess {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_server(db: &TestDb, port: u16) -> ServerProcess {
    spawn_server_with(db, port, false)
}

fn spawn_server_with(db: &TestDb, port: u16, bots: bool) -> ServerProcess {
    let child = Command::new(env!("CARGO_BIN_EXE_gaemi"))
        .env("DATABASE_URL", db.url())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("GAEMI_MARKET_GUEST_SHARES", "100000")
        .env("GAEMI_BOTS_ENABLED", bots.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the server binary");
    ServerProcess(child)
}

async fn wait_ready(base: &str) {
    let client = common::client();
    for _ in 0..600 {
        if let Ok(response) = client.get(format!("{base}/readyz")).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server at {base} did not become ready");
}

async fn is_ready(base: &str) -> bool {
    let client = common::client();
    (client.get(format!("{base}/readyz")).send().await)
        .is_ok_and(|response| response.status().is_success())
}

impl ServerProcess {
    /// Fails the test if the server has exited on its own: start-up
    /// refused to go on.
    fn assert_running(&mut self, when: &str) {
        if let Some(status) = self.0.try_wait().unwrap() {
            panic!("the server exited ({status}) {when}");
        }
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(HANG_GUARD)
        .build()
        .unwrap()
}

/// What a client was told: order id to (status, filled quantity).
type Acks = HashMap<u64, (String, i64)>;

async fn trade_until_stopped(
    http: reqwest::Client,
    base: String,
    seed: u64,
    stop: Arc<AtomicBool>,
    acks: Arc<Mutex<Acks>>,
) {
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let side = if (n + seed).is_multiple_of(2) {
            "buy"
        } else {
            "sell"
        };
        let price = 71_800 + 100 * ((n * 7 + seed) % 5) as i64;
        let body = json!({
            "client_order_id": n, "symbol": "100010", "side": side,
            "kind": "limit", "price": price, "qty": 1 + (n % 7) as i64,
        });
        let Ok(response) = http.post(format!("{base}/orders")).json(&body).send().await else {
            return; // the server is gone: this order was never acknowledged
        };
        if !response.status().is_success() {
            continue;
        }
        let Ok(ack) = response.json::<Value>().await else {
            return;
        };
        let order = &ack["order"];
        acks.lock().await.insert(
            order["order_id"].as_u64().unwrap(),
            (
                order["status"].as_str().unwrap().to_owned(),
                order["filled_qty"].as_i64().unwrap(),
            ),
        );
    }
}

async fn all_pages(http: &reqwest::Client, url: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page_url = match &cursor {
            Some(cursor) => format!("{url}?limit=500&cursor={cursor}"),
            None => format!("{url}?limit=500"),
        };
        let page: Value = http
            .get(page_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

#[tokio::test]
async fn a_killed_server_keeps_every_acknowledged_order_and_fill() {
    let db = TestDb::from_env().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let api = format!("{base}/api/v1");
    let mut server = spawn_server(&db, port);
    wait_ready(&base).await;

    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for seed in 0..CLIENTS {
        let http = browser();
        let opened = http.post(format!("{api}/session")).send().await.unwrap();
        assert!(opened.status().is_success());
        let acks = Arc::new(Mutex::new(Acks::new()));
        let task = tokio::spawn(trade_until_stopped(
            http.clone(),
            api.clone(),
            seed as u64,
            stop.clone(),
            acks.clone(),
        ));
        clients.push((http, acks, task));
    }
    // Let the load build up, then pull the plug without warning.
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut total = 0;
        for (_, acks, _) in &clients {
            total += acks.lock().await.len();
        }
        if total >= 400 {
            break;
        }
    }
    server.kill();
    stop.store(true, Ordering::Relaxed);
    for (_, _, task) in &mut clients {
        task.await.unwrap();
    }

    let mut server = spawn_server(&db, port);
    wait_ready(&base).await;
    let mut acknowledged = 0;
    let mut traded = 0;
    for (http, acks, _) in &clients {
        let orders = all_pages(http, &format!("{api}/orders")).await;
        let fills = all_pages(http, &format!("{api}/fills")).await;
        let orders: HashMap<u64, &Value> = orders
            .iter()
            .map(|o| (o["order_id"].as_u64().unwrap(), o))
            .collect();
        let mut filled_by_fills: HashMap<u64, i64> = HashMap::new();
        for fill in &fills {
            *filled_by_fills
                .entry(fill["order_id"].as_u64().unwrap())
                .or_default() += fill["qty"].as_i64().unwrap();
        }
        for (id, (status, filled)) in acks.lock().await.iter() {
            acknowledged += 1;
            let order = orders
                .get(id)
                .unwrap_or_else(|| panic!("acknowledged order {id} is missing after the crash"));
            let now_filled = order["filled_qty"].as_i64().unwrap();
            assert!(now_filled >= *filled, "order {id} lost fills: {order}");
            if status == "filled" {
                assert_eq!(order["status"], "filled", "order {id}");
            }
            if now_filled > 0 {
                traded += 1;
            }
        }
        for (id, order) in &orders {
            assert_eq!(
                filled_by_fills.get(id).copied().unwrap_or(0),
                order["filled_qty"].as_i64().unwrap(),
                "order {id}'s fills add up to its filled quantity"
            );
        }
    }
    assert!(
        acknowledged >= 400,
        "{acknowledged} orders were acknowledged"
    );
    assert!(traded > 0, "the load traded");

    // The recovered exchange takes orders again.
    let (http, _, _) = &clients[0];
    let response = http
        .post(format!("{api}/orders"))
        .json(
            &json!({"client_order_id": 1_000_000, "symbol": "100010", "side": "buy",
                      "kind": "limit", "price": 60_000, "qty": 1}),
        )
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{}",
        response.text().await.unwrap()
    );
    server.kill();
}

/// A connection of the test's own to a database the server is still
/// creating, which can stop the server's writes while it looks: a kill
/// made while they are stopped leaves exactly what it saw, however fast
/// the server is.
enum Watcher {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

/// How far a start has come, as the database shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Progress {
    /// Bot rows stored.
    rows: i64,
    /// Bots opened: `open_account` commands journaled for a bot's account.
    opened: i64,
}

impl Progress {
    fn reached(self, target: Progress) -> bool {
        self.rows >= target.rows && self.opened >= target.opened
    }
}

const BOT_ROWS: &str = "SELECT COUNT(*) FROM accounts WHERE kind = 'bot'";
const BOTS_OPENED: &str = "SELECT COUNT(*) FROM exchange_journal j JOIN accounts a \
     ON j.command LIKE '%\"type\":\"open_account\",\"account\":' || a.account_id || ',%' \
     WHERE a.kind = 'bot'";
/// Commands journaled: the first start's listings come right after the
/// migrations, so from then on the tables are there to lock.
const JOURNALED: &str = "SELECT COUNT(*) FROM exchange_journal";

impl Watcher {
    async fn open(db: &TestDb) -> Option<Watcher> {
        use sqlx::Connection;
        let mut watcher = match db {
            TestDb::Sqlite { url, .. } => {
                Watcher::Sqlite(sqlx::SqliteConnection::connect(url).await.ok()?)
            }
            TestDb::Postgres { url, .. } => {
                Watcher::Postgres(sqlx::PgConnection::connect(url).await.ok()?)
            }
        };
        if watcher.count(JOURNALED).await.unwrap_or(0) == 0 {
            return None;
        }
        Some(watcher)
    }

    async fn run(&mut self, sql: &str) -> Option<()> {
        match self {
            Watcher::Sqlite(conn) => sqlx::query(sql).execute(conn).await.ok().map(drop),
            Watcher::Postgres(conn) => sqlx::query(sql).execute(conn).await.ok().map(drop),
        }
    }

    async fn count(&mut self, sql: &str) -> Option<i64> {
        match self {
            Watcher::Sqlite(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.ok(),
            Watcher::Postgres(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.ok(),
        }
    }

    /// Stops the server's writes (they wait for the lock) and reads how
    /// far it came; the writes stay stopped until [`Watcher::release`].
    async fn hold(&mut self) -> Option<Progress> {
        let lock = match self {
            Watcher::Sqlite(_) => "BEGIN IMMEDIATE",
            Watcher::Postgres(_) => "BEGIN",
        };
        self.run(lock).await?;
        if let Watcher::Postgres(_) = self {
            // Reads go on; inserts wait.
            let locked = "LOCK TABLE accounts, exchange_journal IN EXCLUSIVE MODE";
            if self.run(locked).await.is_none() {
                self.release().await;
                return None;
            }
        }
        let rows = self.count(BOT_ROWS).await;
        let opened = self.count(BOTS_OPENED).await;
        match (rows, opened) {
            (Some(rows), Some(opened)) => Some(Progress { rows, opened }),
            _ => {
                self.release().await;
                None
            }
        }
    }

    async fn release(&mut self) {
        let _ = self.run("ROLLBACK").await;
    }
}

/// Kills during a database's first starts with the bots on, each at another
/// point of opening the bots (a third of the roster's rows stored; all
/// rows and the first bot opened; a third opened; nearly all opened;
/// start-up over), each start on what the last kill left; then one more
/// start. Every start must go on (none exits refusing to), and in the end
/// every bot is funded exactly once. The test stops the server's writes
/// while it looks (`Watcher::hold`), so each kill lands where it means to
/// on any machine (on PostgreSQL a write the server sent just before may
/// still commit after the kill: a crash can do that too). Five kills keep
/// it to seconds.
#[tokio::test]
async fn kills_while_bots_open_never_stop_a_later_start_or_fund_a_bot_twice() {
    let db = TestDb::from_env().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let roster = gaemi::sim::roster_size() as i64;
    let progress = |rows, opened| Progress { rows, opened };
    let targets = [
        progress(10, 0),
        progress(roster, 1),
        progress(roster, 10),
        progress(roster, 25),
        // Never reached: killed once it serves.
        progress(i64::MAX, 0),
    ];
    for (kill, target) in targets.into_iter().enumerate() {
        let mut server = spawn_server_with(&db, port, true);
        let when = format!("after {kill} kills");
        let started = std::time::Instant::now();
        let mut watcher = None;
        let mut polls = 0u64;
        let landed = loop {
            server.assert_running(&when);
            assert!(started.elapsed() < HANG_GUARD, "stuck {when}");
            if watcher.is_none() {
                watcher = Watcher::open(&db).await;
            }
            if let Some(watcher) = watcher.as_mut()
                && let Some(now) = watcher.hold().await
            {
                if now.reached(target) {
                    server.kill();
                    watcher.release().await;
                    break Some(now);
                }
                watcher.release().await;
            }
            polls += 1;
            if polls.is_multiple_of(100) && is_ready(&base).await {
                server.assert_running(&when);
                server.kill();
                break None;
            }
            // Lets the server take a step.
            tokio::time::sleep(Duration::from_micros(300)).await;
        };
        // Where it landed, for a failure's output.
        eprintln!("kill {kill}, aimed at {target:?}: {landed:?} (None: once it served)");
    }
    let mut server = spawn_server_with(&db, port, true);
    let started = std::time::Instant::now();
    while !is_ready(&base).await {
        server.assert_running("after the kills");
        assert!(started.elapsed() < HANG_GUARD, "not ready after the kills");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill();
    common::assert_every_bot_funded_once(&db).await;
}
