//! Load generator for Gaemi's order entry (`/api/v1`). Each client is one
//! keep-alive connection with its own guest session; it places limit orders,
//! amends and cancels them (each an engine command acknowledged only after
//! its durable commit) and keeps at most a few orders resting. When the
//! server gives guests shares (`GAEMI_MARKET_GUEST_SHARES`), clients buy and
//! sell around the reference price so that many orders trade; otherwise
//! they place buys that rest below it.
//!
//! Closed loop (default): every client sends its next request as soon as the
//! last one is answered; this measures the most the server sustains. Open
//! loop (`--rate N`): requests are scheduled at N per second regardless of
//! answers, and latency counts from the scheduled time, so a stalled server
//! shows up in the percentiles instead of hiding (no coordinated omission).
//!
//! ```text
//! loadgen [--url http://127.0.0.1:3000] [--clients 64] [--seconds 10]
//!         [--warmup 2] [--rate N] [--symbol 100010]
//! ```
//!
//! Written on tokio + hyper + HdrHistogram rather than goose: goose's
//! scenario model cannot express the open loop with per-request scheduled
//! times, and it would pull a second HTTP stack into the build.

use anyhow::{Context, bail};
use bytes::Bytes;
use hdrhistogram::Histogram;
use http::{HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

struct Options {
    url: String,
    clients: usize,
    seconds: u64,
    warmup: u64,
    rate: Option<u64>,
    symbol: String,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        url: "http://127.0.0.1:3000".into(),
        clients: 64,
        seconds: 10,
        warmup: 2,
        rate: None,
        symbol: "100010".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => options.url = value()?,
            "--clients" => options.clients = value()?.parse().context("--clients")?,
            "--seconds" => options.seconds = value()?.parse().context("--seconds")?,
            "--warmup" => options.warmup = value()?.parse().context("--warmup")?,
            "--rate" => options.rate = Some(value()?.parse().context("--rate")?),
            "--symbol" => options.symbol = value()?,
            "--help" | "-h" => {
                println!(
                    "loadgen [--url URL] [--clients N] [--seconds S] [--warmup S] [--rate N] [--symbol CODE]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown option {other}"),
        }
    }
    if options.clients == 0 || options.seconds == 0 {
        bail!("--clients and --seconds must be at least 1");
    }
    Ok(options)
}

/// What one client knows: its connection and session, and the orders it
/// has resting.
struct Client {
    http: Connection,
    symbol: String,
    resting: VecDeque<u64>,
    next_client_id: u64,
    rng: u64,
    can_sell: bool,
}

#[derive(Default)]
struct Tally {
    latency: Option<Histogram<u64>>,
    ok: u64,
    errors: BTreeMap<String, u64>,
}

/// Answers that are correct outcomes of this workload, not failures: a
/// cancel or amend of an order that traded away meanwhile, or an amend to
/// the price and quantity the order already had.
const EXPECTED_REFUSALS: [&str; 2] = ["404 unknown_order", "409 nothing_to_change"];

impl Tally {
    fn record(&mut self, outcome: Result<(), String>, micros: u64) {
        match outcome {
            Ok(()) => {
                self.ok += 1;
                // Microseconds from 1 µs to 10 minutes, 3 significant digits.
                let histogram = self.latency.get_or_insert_with(|| {
                    Histogram::new_with_bounds(1, 600_000_000, 3).expect("histogram")
                });
                histogram.saturating_record(micros.max(1));
            }
            Err(kind) if EXPECTED_REFUSALS.contains(&kind.as_str()) => {
                self.record(Ok(()), micros);
            }
            Err(kind) => *self.errors.entry(kind).or_default() += 1,
        }
    }

    fn merge(&mut self, other: Tally) {
        self.ok += other.ok;
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        if let Some(theirs) = other.latency {
            match &mut self.latency {
                Some(ours) => ours.add(theirs).expect("same precision"),
                None => self.latency = Some(theirs),
            }
        }
    }
}

/// One keep-alive HTTP/1.1 connection with the session cookie it was given.
/// Written on hyper's connection API rather than a full client: each
/// request is then one write and one read with headers built once, so the
/// generator takes a small share of the two cores it shares with the server
/// (reqwest's pool, cookie jar and URL parsing took a quarter of the
/// machine at 9,500 requests a second).
struct Connection {
    send: http1::SendRequest<Full<Bytes>>,
    address: String,
    host: HeaderValue,
    cookie: Option<HeaderValue>,
    base_path: String,
}

/// The parts of an order command's answer the workload reads.
#[derive(Deserialize)]
struct Ack {
    order: Option<AckOrder>,
}

#[derive(Deserialize)]
struct AckOrder {
    order_id: u64,
    status: String,
}

#[derive(Deserialize, Default)]
struct Refusal {
    #[serde(default)]
    code: String,
}

#[derive(Serialize)]
struct PlaceBody<'a> {
    client_order_id: u64,
    symbol: &'a str,
    side: &'static str,
    kind: &'static str,
    price: i64,
    qty: u64,
}

#[derive(Serialize)]
struct AmendBody {
    price: i64,
    qty: u64,
}

/// A new keep-alive connection to `address`, served by a task of its own.
async fn handshake(address: &str) -> anyhow::Result<http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(address)
        .await
        .with_context(|| format!("cannot connect to {address}"))?;
    stream.set_nodelay(true)?;
    let (send, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(send)
}

impl Connection {
    async fn open(url: &str) -> anyhow::Result<Connection> {
        let rest = url
            .strip_prefix("http://")
            .context("--url must start with http:// (the generator speaks plain HTTP/1.1)")?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let address = if authority.contains(':') {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        Ok(Connection {
            send: handshake(&address).await?,
            address,
            host: HeaderValue::from_str(authority)?,
            cookie: None,
            base_path: format!("{}/api/v1", path.trim_end_matches('/')),
        })
    }

    /// Sends one request and reads the whole answer; `Err` names a failure
    /// of the connection itself.
    async fn request(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, http::HeaderMap, Bytes), String> {
        let has_body = body.is_some();
        let mut request = Request::new(Full::new(body.map(Bytes::from).unwrap_or_default()));
        *request.method_mut() = method;
        *request.uri_mut() = format!("{}{path}", self.base_path)
            .parse()
            .map_err(|_| "bad path".to_owned())?;
        let headers = request.headers_mut();
        headers.insert(header::HOST, self.host.clone());
        if let Some(cookie) = &self.cookie {
            headers.insert(header::COOKIE, cookie.clone());
        }
        if has_body {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        let exchange = async {
            self.send
                .ready()
                .await
                .map_err(|_| "connection".to_owned())?;
            let response =
                (self.send.send_request(request).await).map_err(|_| "connection".to_owned())?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|_| "connection".to_owned())?
                .to_bytes();
            Ok((parts.status, parts.headers, body))
        };
        let outcome = tokio::time::timeout(Duration::from_secs(30), exchange)
            .await
            .unwrap_or_else(|_| Err("timeout".to_owned()));
        if outcome.is_err() {
            // The connection is closed or in an unknown state: the next
            // request goes out on a new one (still with this session).
            if let Ok(send) = handshake(&self.address).await {
                self.send = send;
            }
        }
        outcome
    }

    /// An order command: its answer's body when it succeeded, otherwise
    /// the status with the refusal's code.
    async fn command(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, String> {
        let (status, _, body) = self.request(method, path, body).await?;
        if status.is_success() {
            Ok(body)
        } else {
            let refusal: Refusal = serde_json::from_slice(&body).unwrap_or_default();
            Err(format!("{} {}", status.as_u16(), refusal.code))
        }
    }
}

impl Client {
    async fn open(url: &str, symbol: &str, seed: u64) -> anyhow::Result<Client> {
        let mut http = Connection::open(url).await?;
        let (status, headers, _) = (http.request(Method::POST, "/session", None).await)
            .map_err(|err| anyhow::anyhow!("opening a session: {err}"))?;
        if !status.is_success() {
            bail!("opening a session answered {status}");
        }
        let cookies: Vec<&str> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok()?.split(';').next())
            .collect();
        if cookies.is_empty() {
            bail!("opening a session set no cookie");
        }
        http.cookie = Some(HeaderValue::from_str(&cookies.join("; "))?);
        let (status, _, body) = (http.request(Method::GET, "/portfolio", None).await)
            .map_err(|err| anyhow::anyhow!("reading the portfolio: {err}"))?;
        if !status.is_success() {
            bail!("reading the portfolio answered {status}");
        }
        let portfolio: Value = serde_json::from_slice(&body)?;
        let can_sell = portfolio["holdings"]
            .as_array()
            .is_some_and(|holdings| holdings.iter().any(|h| h["symbol"] == symbol));
        Ok(Client {
            http,
            symbol: symbol.to_owned(),
            resting: VecDeque::new(),
            next_client_id: 1,
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            can_sell,
        })
    }
    fn random(&mut self, n: u64) -> u64 {
        // xorshift64*: fast and good enough to pick prices.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }

    /// With shares: 71,700 to 72,300 won around the default symbol's 72,000
    /// reference (tick 100), so buys and sells cross often. Without: buys
    /// between 50,400 and 64,700 that wait on the book.
    fn price(&mut self) -> i64 {
        if self.can_sell {
            71_700 + 100 * self.random(7) as i64
        } else {
            50_400 + 100 * self.random(144) as i64
        }
    }

    fn side(&mut self) -> &'static str {
        if self.can_sell && self.random(2) == 0 {
            "sell"
        } else {
            "buy"
        }
    }

    /// One order command: place while few rest, otherwise cancel the oldest
    /// or (one time in five) amend it.
    async fn step(&mut self) -> Result<(), String> {
        if self.resting.len() < 8 {
            let client_order_id = self.next_client_id;
            self.next_client_id += 1;
            let (side, price, qty) = (self.side(), self.price(), 1 + self.random(10));
            let body = PlaceBody {
                client_order_id,
                symbol: &self.symbol,
                side,
                kind: "limit",
                price,
                qty,
            };
            let body = serde_json::to_vec(&body).map_err(|_| "encode".to_owned())?;
            let ack = self
                .http
                .command(Method::POST, "/orders", Some(body))
                .await?;
            if let Ok(Ack { order: Some(order) }) = serde_json::from_slice::<Ack>(&ack)
                && order.status == "open"
            {
                self.resting.push_back(order.order_id);
            }
        } else if self.random(5) == 0 {
            let order = self.resting[0];
            let body = AmendBody {
                price: self.price(),
                qty: 1 + self.random(10),
            };
            let body = serde_json::to_vec(&body).map_err(|_| "encode".to_owned())?;
            let path = format!("/orders/{order}");
            if let Err(err) = self.http.command(Method::PATCH, &path, Some(body)).await {
                self.resting.pop_front();
                return Err(err);
            }
            self.resting.rotate_left(1);
        } else {
            let order = self.resting.pop_front().unwrap_or(0);
            let path = format!("/orders/{order}");
            self.http.command(Method::DELETE, &path, None).await?;
        }
        Ok(())
    }
}

async fn closed_loop(clients: Vec<Client>, options: &Options) -> (Tally, Duration) {
    let warm = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for mut client in clients {
        let (warm, stop) = (warm.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let outcome = client.step().await;
                if warm.load(Ordering::Relaxed) {
                    tally.record(outcome, started.elapsed().as_micros() as u64);
                }
            }
            tally
        }));
    }
    tokio::time::sleep(Duration::from_secs(options.warmup)).await;
    warm.store(true, Ordering::Relaxed);
    let measured = Instant::now();
    tokio::time::sleep(Duration::from_secs(options.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = measured.elapsed();
    let mut total = Tally::default();
    for task in tasks {
        total.merge(task.await.expect("client task"));
    }
    (total, elapsed)
}

async fn open_loop(clients: Vec<Client>, options: &Options, rate: u64) -> (Tally, Duration) {
    // Each job is the instant it was due; a late answer counts from then.
    let (jobs, queue) = mpsc::channel::<(Instant, bool)>(1 << 20);
    let queue = Arc::new(Mutex::new(queue));
    let mut tasks = Vec::new();
    for mut client in clients {
        let queue = queue.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let job = queue.lock().await.recv().await;
                let Some((due, measured)) = job else { break };
                let outcome = client.step().await;
                if measured {
                    tally.record(outcome, due.elapsed().as_micros() as u64);
                }
            }
            tally
        }));
    }
    let start = Instant::now();
    let warmup = Duration::from_secs(options.warmup);
    let end = warmup + Duration::from_secs(options.seconds);
    let mut sent = 0u64;
    let mut ticker = tokio::time::interval(Duration::from_millis(1));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    loop {
        ticker.tick().await;
        let now = start.elapsed();
        if now >= end {
            break;
        }
        // Everything due by now, each stamped with its own due time.
        let due_count = (now.as_secs_f64() * rate as f64) as u64;
        while sent < due_count {
            let due = start + Duration::from_secs_f64(sent as f64 / rate as f64);
            let measured = due - start >= warmup;
            if jobs.send((due, measured)).await.is_err() {
                break;
            }
            sent += 1;
        }
    }
    drop(jobs);
    let mut total = Tally::default();
    for task in tasks {
        total.merge(task.await.expect("client task"));
    }
    (total, Duration::from_secs(options.seconds))
}

fn report(options: &Options, tally: &Tally, elapsed: Duration) {
    let mode = match options.rate {
        Some(rate) => format!("open loop at {rate}/s"),
        None => "closed loop".to_owned(),
    };
    println!(
        "{mode}, {} clients, {:.1} s measured against {}",
        options.clients,
        elapsed.as_secs_f64(),
        options.url
    );
    println!(
        "  acknowledged order commands: {} ({:.0}/s)",
        tally.ok,
        tally.ok as f64 / elapsed.as_secs_f64()
    );
    if let Some(latency) = &tally.latency {
        let ms = |q: f64| latency.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "  latency ms: p50 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
            ms(0.5),
            ms(0.99),
            ms(0.999),
            latency.max() as f64 / 1000.0
        );
    }
    let errors: u64 = tally.errors.values().sum();
    println!("  errors: {errors}");
    for (kind, n) in &tally.errors {
        println!("    {kind}: {n}");
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    let mut clients = Vec::with_capacity(options.clients);
    for seed in 0..options.clients {
        clients.push(
            Client::open(&options.url, &options.symbol, seed as u64 + 1)
                .await
                .with_context(|| format!("cannot open a session at {}", options.url))?,
        );
    }
    let (tally, elapsed) = match options.rate {
        None => closed_loop(clients, &options).await,
        Some(rate) => open_loop(clients, &options, rate.max(1)).await,
    };
    report(&options, &tally, elapsed);
    Ok(())
}
