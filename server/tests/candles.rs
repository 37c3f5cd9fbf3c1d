//! Candles and the trading day on a real server: trades become 1m/5m/1h/1d
//! candles that are stored with the trades, served with paging, streamed
//! live and kept across a restart; a day's close becomes the next day's
//! reference, live and when the server was down over the day's end. SQLite,
//! or PostgreSQL with `GAEMI_TEST_BACKEND=postgres`.

mod common;

use app::realtime::{CandleInterval, ClientFrame, ServerFrame, Topic, TopicEvent};
use common::{HANG_GUARD, TestDb, TestServer, client, get_json, wait_for};
use futures_util::{SinkExt, StreamExt};
use gaemi::exchange::{AccountId, Command, Side, SymbolId, TradingDay};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

const CODE: &str = "100010";
const SYMBOL: SymbolId = SymbolId(0);
const BUYER: u64 = 9_001;
const SELLER: u64 = 9_002;
/// 2026-11-21 10:00:30 KST.
const T: i64 = 1_795_186_800_000 + 10 * 3_600_000 + 30_000;

fn limit(account: u64, client: u64, side: Side, price: i64, qty: i64) -> Command {
    common::limit_order(account, client, SYMBOL, side, price, qty)
}

async fn fund(server: &TestServer) {
    for account in [BUYER, SELLER] {
        let deposit = Command::Deposit {
            account: AccountId(account),
            amount: 1_000_000_000,
        };
        common::submit_ok(server, deposit, T).await;
    }
    let shares = Command::GrantShares {
        account: AccountId(SELLER),
        symbol: SYMBOL,
        qty: 1_000,
        cost: 72_000_000,
    };
    common::submit_ok(server, shares, T).await;
}

/// One trade of `qty` at `price`, stamped `ts_ms`; `n` keeps client ids apart.
async fn trade(server: &TestServer, n: u64, price: i64, qty: i64, ts_ms: i64) {
    common::submit_ok(server, limit(SELLER, n, Side::Sell, price, qty), ts_ms).await;
    common::submit_ok(server, limit(BUYER, n, Side::Buy, price, qty), ts_ms).await;
}

async fn candles(server: &TestServer, query: &str) -> Value {
    get_json(
        &client(),
        &server.url(&format!("/api/v1/market/{CODE}/candles?{query}")),
    )
    .await
}

/// Every candle of an answer as `[start_ms, open, high, low, close, volume]`.
fn series(body: &Value) -> Vec<[i64; 6]> {
    body["candles"]
        .as_array()
        .unwrap()
        .iter()
        .map(ohlcv)
        .collect()
}

fn ohlcv(candle: &Value) -> [i64; 6] {
    ["start_ms", "open", "high", "low", "close", "volume"].map(|k| candle[k].as_i64().unwrap())
}

#[tokio::test]
async fn trades_become_candles_that_are_served_streamed_and_kept_across_a_restart() {
    let server = TestServer::start().await;
    fund(&server).await;
    trade(&server, 1, 72_000, 5, T).await;
    trade(&server, 2, 72_500, 2, T + 10_000).await;
    trade(&server, 3, 71_800, 1, T + 20_000).await;
    trade(&server, 4, 72_100, 3, T + 70_000).await;

    let minute = T - 30_000;
    let expected_minutes = [
        [minute, 72_000, 72_500, 71_800, 71_800, 8],
        [minute + 60_000, 72_100, 72_100, 72_100, 72_100, 3],
    ];
    let body = candles(&server, "interval=1m").await;
    assert_eq!(body["interval"], "1m");
    let got = series(&body);
    assert_eq!(got, expected_minutes, "oldest first, OHLCV exact");
    assert_eq!(
        body["candles"][0]["turnover"],
        72_000 * 5 + 72_500 * 2 + 71_800
    );
    assert_eq!(body["next_before"], Value::Null);
    let whole = [minute, 72_000, 72_500, 71_800, 72_100, 11];
    for (interval, start) in [
        ("5m", minute),
        ("1h", T - 30_000),
        ("1d", TradingDay::default().start_of(T)),
    ] {
        let body = candles(&server, &format!("interval={interval}")).await;
        let got = series(&body);
        let mut want = whole;
        want[0] = start;
        assert_eq!(got, vec![want], "{interval}");
    }

    // Paging backwards from the newest.
    let page = candles(&server, "interval=1m&limit=1").await;
    assert_eq!(ohlcv(&page["candles"][0]), expected_minutes[1]);
    let before = page["next_before"].as_i64().expect("a cursor");
    let page = candles(&server, &format!("interval=1m&limit=1&before={before}")).await;
    assert_eq!(ohlcv(&page["candles"][0]), expected_minutes[0]);

    // Live: the current candle on subscribe, then as trades change it.
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", server.addr))
        .await
        .expect("websocket");
    let topic = Topic::Candles {
        symbol: CODE.into(),
        interval: CandleInterval::Minute,
    };
    let subscribe = ClientFrame::Subscribe {
        topic: topic.clone(),
    };
    socket
        .send(Message::text(serde_json::to_string(&subscribe).unwrap()))
        .await
        .unwrap();
    let first = next_candle(&mut socket, &topic).await;
    assert_eq!((first.close, first.volume), (72_100, 3));
    trade(&server, 5, 72_300, 4, T + 80_000).await;
    // The earlier trades' candles may still be on their way out (they are
    // published on the next depth tick, the first minute's in its final
    // state, which the chart ignores as older than its last); the new one
    // follows them.
    let live = loop {
        let candle = next_candle(&mut socket, &topic).await;
        if candle != first && candle.start_ms >= first.start_ms {
            break candle;
        }
    };
    assert_eq!(
        (live.start_ms, live.open, live.high, live.close, live.volume),
        (minute + 60_000, 72_100, 72_300, 72_300, 7)
    );

    let db = server.stop().await;
    let server = TestServer::start_with(db, |_| None).await;
    let body = candles(&server, "interval=1m").await;
    let got = series(&body);
    assert_eq!(
        got,
        vec![
            expected_minutes[0],
            [minute + 60_000, 72_100, 72_300, 72_100, 72_300, 7]
        ],
        "stored with the trades"
    );
    // The restarted server carries the current candle on.
    trade(&server, 6, 72_000, 1, T + 85_000).await;
    let body = candles(&server, "interval=1m").await;
    assert_eq!(body["candles"][1]["volume"], 8, "{body}");
    assert_eq!(body["candles"][1]["low"], 72_000);
    server.stop().await;
}

async fn next_candle(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    topic: &Topic,
) -> app::realtime::Candle {
    loop {
        let message = tokio::time::timeout(HANG_GUARD, socket.next())
            .await
            .expect("a frame in time")
            .expect("socket open")
            .expect("frame");
        let Message::Text(text) = message else {
            continue;
        };
        if let ServerFrame::Event {
            topic: got,
            event: TopicEvent::Candle(candle),
        } = serde_json::from_str(text.as_str()).unwrap()
            && &got == topic
        {
            return candle;
        }
    }
}

#[tokio::test]
async fn bad_candle_queries_are_refused_by_field() {
    let server = TestServer::start().await;
    let client = client();
    for (query, field) in [
        ("", "interval"),
        ("interval=2m", "interval"),
        ("interval=1m&limit=0", "limit"),
        ("interval=1m&limit=1001", "limit"),
        ("interval=1m&limit=ten", "limit"),
        ("interval=1m&before=-5", "before"),
    ] {
        let response = client
            .get(server.url(&format!("/api/v1/market/{CODE}/candles?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["field"], field, "{query}");
        assert!(
            body["message_ko"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c >= '가')
        );
        assert!(!body["message_en"].as_str().unwrap().is_empty());
    }
    let response = client
        .get(server.url("/api/v1/market/999999/candles?interval=1m"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unknown_symbol");
    server.stop().await;
}

fn ten_second_days(var: &str) -> Option<String> {
    (var == "GAEMI_MARKET_DAY_SECONDS").then(|| "10".to_owned())
}

async fn reference(server: &TestServer) -> (i64, i64, i64) {
    let ticker = get_json(&client(), &server.url("/api/v1/market/symbols")).await["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["symbol"] == CODE)
        .unwrap()["ticker"]
        .clone();
    let field = |k: &str| ticker[k].as_i64().unwrap();
    (field("reference"), field("upper_limit"), field("volume"))
}

#[tokio::test]
async fn a_days_close_becomes_the_next_reference_live_and_across_a_restart() {
    // Ten-second days on a clock the test moves: the day turns when the
    // clock passes midnight, not when the test has waited for it.
    let day = TradingDay::new(10_000);
    let clock = gaemi::clock::ManualClock::starting_at(day.start_of(T) + 1_000);
    let shared: std::sync::Arc<dyn gaemi::clock::Clock> = std::sync::Arc::new(clock.clone());
    let start = |db| TestServer::start_on_clock(db, ten_second_days, shared.clone());
    let server = start(TestDb::from_env().await).await;
    fund(&server).await;
    let now = || gaemi::clock::Clock::now_ms(&clock);
    // A bid at today's lower limit (72,000 × 0.7), which the next day's
    // band (80,000 ± 30 %: 56,000 to 104,000) leaves outside.
    common::submit_ok(&server, limit(BUYER, 1, Side::Buy, 50_400, 1), now()).await;
    trade(&server, 2, 80_000, 2, now()).await;
    let (first_reference, ..) = reference(&server).await;
    assert_ne!(first_reference, 80_000);

    clock.set(day.next_start(now()));
    wait_for("the day turns", async || {
        reference(&server).await.0 == 80_000
    })
    .await;
    // 80,000 ± 30 %: the upper limit is 104,000 now; volume starts again.
    assert_eq!(reference(&server).await, (80_000, 104_000, 0));
    let low_bid = (orders_of(&server, BUYER).await.into_iter())
        .find(|row| row.price == Some(50_400))
        .unwrap();
    assert_eq!(
        (low_bid.status, low_bid.cancel_reason),
        (
            gaemi::exchange::projection::OrderStatusRow::Cancelled,
            Some(gaemi::exchange::CancelReason::OutsideBand)
        )
    );

    // Down over the day's end: the next start opens the new day at once.
    trade(&server, 3, 81_000, 1, now()).await;
    let db = server.stop().await;
    clock.set(day.next_start(now()) + 1);
    let server = start(db).await;
    assert_eq!(reference(&server).await.0, 81_000);
    server.stop().await;
}

/// An account's orders, as the server stores them.
async fn orders_of(
    server: &TestServer,
    account: u64,
) -> Vec<gaemi::exchange::projection::OrderRow> {
    server
        .started
        .storage
        .orders(&gaemi::storage::OrderFilter {
            account_id: account as i64,
            symbol_id: None,
            side: None,
            status: None,
            newest_first: true,
            after: None,
            limit: 100,
        })
        .await
        .unwrap()
}
