//! Order entry and the private reads through the JSON API, as a bot would use
//! them: sessions, placing and matching, fills and the portfolio with exact
//! fees, idempotent retries, filters and pages, every bad input refused with
//! a named reason, no peeking at other accounts, and everything still there
//! after a restart. Runs on SQLite, or PostgreSQL with `GAEMI_TEST_BACKEND`.

mod common;

use common::{HANG_GUARD, TestDb, TestServer, wait_for};
use gaemi::clock::{Clock, ManualClock};
use gaemi::exchange::{AccountId, Command, SymbolId, TradingDay};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// 한빛전자: reference price 72,000 won, tick 100, band 50,400..93,600.
const SYMBOL: &str = "100010";

struct Trader {
    http: reqwest::Client,
    base: String,
    account: u64,
}

impl Trader {
    async fn open(server: &TestServer) -> Trader {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(HANG_GUARD)
            .build()
            .unwrap();
        let base = server.url("/api/v1");
        let response = http.post(format!("{base}/session")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let session = response.json::<Value>().await.unwrap();
        assert_eq!(session["kind"], "guest");
        assert_eq!(session["main_account_id"], Value::Null, "no account yet");
        // Opened now rather than by a first order: tests grant it shares.
        let response = http.post(format!("{base}/accounts")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let account = response.json::<Value>().await.unwrap()["account_id"]
            .as_u64()
            .expect("an account id");
        Trader {
            http,
            base,
            account,
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn raw_post(&self, path: &str, body: &'static str) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn place(&self, order: Value) -> (StatusCode, Value) {
        self.call(Method::POST, "/orders", Some(order)).await
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }
}

fn limit(client_order_id: u64, side: &str, price: i64, qty: i64) -> Value {
    json!({
        "client_order_id": client_order_id,
        "symbol": SYMBOL,
        "side": side,
        "kind": "limit",
        "price": price,
        "qty": qty,
    })
}

/// Gives `trader` shares of [`SYMBOL`] (no bots or IPOs exist yet).
async fn grant_shares(server: &TestServer, trader: &Trader, qty: i64, cost: i64) {
    server
        .started
        .exchange
        .submit(
            Command::GrantShares {
                account: AccountId(trader.account),
                symbol: SymbolId(0),
                qty,
                cost,
            },
            0,
        )
        .await
        .expect("granted");
}

#[tokio::test]
async fn a_trade_shows_in_orders_fills_and_both_portfolios_with_exact_fees() {
    let server = TestServer::start().await;
    let seller = Trader::open(&server).await;
    let buyer = Trader::open(&server).await;
    assert_ne!(seller.account, buyer.account);
    grant_shares(&server, &seller, 100, 6_000_000).await;

    let (status, ask) = seller.place(limit(1, "sell", 72_000, 10)).await;
    assert_eq!(status, StatusCode::OK, "{ask}");
    assert_eq!(ask["order"]["status"], "open");
    let (status, bid) = buyer.place(limit(1, "buy", 72_100, 4)).await;
    assert_eq!(status, StatusCode::OK, "{bid}");
    assert_eq!(bid["order"]["status"], "filled");
    assert_eq!(
        bid["order"]["filled_value"], 288_000,
        "trades at the maker's price"
    );

    let ask_now = seller
        .get(&format!("/orders/{}", ask["order"]["order_id"]))
        .await;
    assert_eq!(
        (
            ask_now["filled_qty"].as_i64(),
            ask_now["remaining_qty"].as_i64()
        ),
        (Some(4), Some(6))
    );

    // 288,000 won: commission 0.015 % = 43 on each side, tax 0.20 % = 576.
    let fills = buyer.get("/fills").await;
    let fill = &fills["items"][0];
    assert_eq!(
        (fill["price"].as_i64(), fill["qty"].as_i64()),
        (Some(72_000), Some(4))
    );
    assert_eq!(
        (fill["commission"].as_i64(), fill["tax"].as_i64()),
        (Some(43), Some(0))
    );
    assert_eq!(fill["maker"], false);
    let seller_fill = &seller.get("/fills").await["items"][0];
    assert_eq!(
        (
            seller_fill["commission"].as_i64(),
            seller_fill["tax"].as_i64()
        ),
        (Some(43), Some(576))
    );
    assert_eq!(seller_fill["maker"], true);

    let portfolio = buyer.get("/portfolio").await;
    assert_eq!(portfolio["cash_available"], 100_000_000 - 288_000 - 43);
    assert_eq!(
        portfolio["cash_held"], 0,
        "the price improvement was refunded"
    );
    let holding = &portfolio["holdings"][0];
    assert_eq!(holding["symbol"], SYMBOL);
    assert_eq!(
        (
            holding["qty_available"].as_i64(),
            holding["avg_price"].as_i64()
        ),
        (Some(4), Some(72_000))
    );
    assert_eq!(holding["last_price"], 72_000);
    assert_eq!(portfolio["total_value"], 100_000_000 - 43);
    assert_eq!(portfolio["pnl"], -43);

    let portfolio = seller.get("/portfolio").await;
    assert_eq!(
        portfolio["cash_available"],
        100_000_000 + 288_000 - 43 - 576
    );
    let holding = &portfolio["holdings"][0];
    assert_eq!(
        (
            holding["qty_available"].as_i64(),
            holding["qty_held"].as_i64()
        ),
        (Some(90), Some(6))
    );
    assert_eq!(
        holding["cost"],
        6_000_000 - 240_000,
        "the basis leaves at the average price"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_retried_client_order_id_returns_the_first_order() {
    let server = TestServer::start().await;
    let trader = Trader::open(&server).await;
    let (_, first) = trader.place(limit(42, "buy", 70_000, 1)).await;
    let (status, again) = trader.place(limit(42, "buy", 70_000, 1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["order"]["order_id"], first["order"]["order_id"]);
    assert_eq!(
        trader.get("/orders").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    server.stop().await;
}

#[tokio::test]
async fn a_client_order_id_reused_with_another_quantity_is_a_409_and_places_nothing() {
    let server = TestServer::start().await;
    let trader = Trader::open(&server).await;
    let (status, first) = trader.place(limit(42, "buy", 70_000, 1)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let only_the_first = async |trader: &Trader| {
        let orders = trader.get("/orders").await;
        let items = orders["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{orders}");
        assert_eq!(items[0]["order_id"], first["order"]["order_id"]);
        assert_eq!(items[0]["qty"], 1);
    };
    let reused = async |trader: &Trader| {
        let (status, body) = trader.place(limit(42, "buy", 70_000, 2)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "duplicate_client_order_id");
        assert_eq!(body["field"], "client_order_id");
    };
    reused(&trader).await;
    only_the_first(&trader).await;
    // A retry on the first terms still gets the first order.
    let (status, again) = trader.place(limit(42, "buy", 70_000, 1)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["order"]["order_id"], first["order"]["order_id"]);

    // Replayed from the journal, the engine refuses the same way.
    let db = server.stop().await;
    let server = TestServer::start_with(db, |_| None).await;
    let trader = Trader {
        base: server.url("/api/v1"),
        ..trader
    };
    reused(&trader).await;
    only_the_first(&trader).await;
    let (status, again) = trader.place(limit(42, "buy", 70_000, 1)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["order"]["order_id"], first["order"]["order_id"]);
    server.stop().await;
}

#[tokio::test]
async fn every_bad_input_is_refused_with_its_reason_and_changes_nothing() {
    let server = TestServer::start().await;
    let trader = Trader::open(&server).await;
    let before = trader.get("/portfolio").await;
    // Each case its own client order id: a retried id answers as the first.
    let mut next_id = 0;
    let mut order = |changes: Value| {
        next_id += 1;
        let mut order = limit(next_id, "buy", 72_000, 1);
        for (key, value) in changes.as_object().unwrap() {
            order[key] = value.clone();
        }
        order
    };
    let cases = [
        (
            order(json!({"qty": 0})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_quantity",
            "qty",
        ),
        (
            order(json!({"qty": -5})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_quantity",
            "qty",
        ),
        (
            order(json!({"qty": 1.5})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "qty",
        ),
        (
            order(json!({"qty": 1e30})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "qty",
        ),
        (
            order(json!({"qty": 2_000_000_000i64})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_quantity",
            "qty",
        ),
        (
            order(json!({"qty": 5_000})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_cash",
            "qty",
        ),
        (
            order(json!({"price": 72_050})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "off_tick",
            "price",
        ),
        (
            order(json!({"price": 99_000})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_band",
            "price",
        ),
        (
            order(json!({"price": null})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "price",
        ),
        (
            order(json!({"symbol": "999999"})),
            StatusCode::NOT_FOUND,
            "unknown_symbol",
            "symbol",
        ),
        (
            order(json!({"side": "short"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "side",
        ),
        (
            order(json!({"side": "sell"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_shares",
            "qty",
        ),
        (
            order(json!({"client_order_id": -1})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "client_order_id",
        ),
    ];
    for (body, status, code, field) in cases {
        let (got, error) = trader.place(body.clone()).await;
        assert_eq!(got, status, "{body}: {error}");
        assert_eq!(error["code"], code, "{body}: {error}");
        assert_eq!(error["field"], field, "{body}: {error}");
        assert!(error["message_ko"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(error["message_en"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, error) = trader.raw_post("/orders", "{\"qty\": ").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );

    assert_eq!(
        trader.get("/portfolio").await,
        before,
        "no rejected input changed anything"
    );
    assert_eq!(trader.get("/orders").await["items"], json!([]));
    server.stop().await;
}

#[tokio::test]
async fn nobody_can_see_or_touch_another_accounts_orders() {
    let server = TestServer::start().await;
    let owner = Trader::open(&server).await;
    let other = Trader::open(&server).await;
    let (_, placed) = owner.place(limit(1, "buy", 70_000, 3)).await;
    let id = placed["order"]["order_id"].as_u64().unwrap();

    let (status, error) = other
        .call(Method::GET, &format!("/orders/{id}"), None)
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_order"))
    );
    let (status, error) = other
        .call(Method::DELETE, &format!("/orders/{id}"), None)
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_order")),
        "answered like an order that does not exist"
    );
    let (status, error) = other
        .call(
            Method::PATCH,
            &format!("/orders/{id}"),
            Some(json!({"price": 70_100, "qty": 3})),
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_order")),
        "answered like an order that does not exist"
    );
    assert_eq!(other.get("/orders").await["items"], json!([]));
    assert_eq!(other.get("/fills").await["items"], json!([]));

    let order = owner.get(&format!("/orders/{id}")).await;
    assert_eq!(
        (order["status"].as_str(), order["price"].as_i64()),
        (Some("open"), Some(70_000))
    );

    let anonymous = common::client();
    let response = anonymous
        .get(server.url("/api/v1/portfolio"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test]
async fn amend_and_cancel_follow_the_order_through_its_life() {
    let server = TestServer::start().await;
    let trader = Trader::open(&server).await;
    let (_, placed) = trader.place(limit(1, "buy", 70_000, 10)).await;
    let id = placed["order"]["order_id"].as_u64().unwrap();
    let (status, amended) = trader
        .call(
            Method::PATCH,
            &format!("/orders/{id}"),
            Some(json!({"price": 70_500, "qty": 6})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{amended}");
    assert_eq!(
        (
            amended["order"]["price"].as_i64(),
            amended["order"]["qty"].as_i64()
        ),
        (Some(70_500), Some(6))
    );
    let held = trader.get("/portfolio").await["cash_held"]
        .as_i64()
        .unwrap();
    assert_eq!(held, 423_000 + 63, "the hold follows the amended order");

    let (status, cancelled) = trader
        .call(Method::DELETE, &format!("/orders/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["order"]["status"], "cancelled");
    assert_eq!(cancelled["order"]["cancel_reason"], "requested");
    assert_eq!(trader.get("/portfolio").await["cash_held"], 0);
    let (status, error) = trader
        .call(Method::DELETE, &format!("/orders/{id}"), None)
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_order"))
    );
    let (status, error) = trader.call(Method::DELETE, "/orders/abc", None).await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("order_id"))
    );
    server.stop().await;
}

#[tokio::test]
async fn order_lists_filter_sort_and_page() {
    let server = TestServer::start().await;
    let trader = Trader::open(&server).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let (_, placed) = trader
            .place(limit(n, "buy", 70_000 - 100 * n as i64, 1))
            .await;
        ids.push(placed["order"]["order_id"].as_u64().unwrap());
    }
    trader
        .call(Method::DELETE, &format!("/orders/{}", ids[1]), None)
        .await;

    let first = trader.get("/orders?limit=2").await;
    let page: Vec<u64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_id"].as_u64().unwrap())
        .collect();
    assert_eq!(page, [ids[4], ids[3]], "newest first by default");
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = trader
        .get(&format!("/orders?limit=2&cursor={cursor}"))
        .await;
    let page: Vec<u64> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_id"].as_u64().unwrap())
        .collect();
    assert_eq!(page, [ids[2], ids[1]]);
    let last = trader
        .get(&format!(
            "/orders?limit=2&cursor={}",
            second["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    assert_eq!(last["next_cursor"], Value::Null);

    let oldest = trader.get("/orders?sort=oldest&limit=1").await;
    assert_eq!(oldest["items"][0]["order_id"].as_u64(), Some(ids[0]));
    let cancelled = trader.get("/orders?status=cancelled").await;
    assert_eq!(cancelled["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        trader.get("/orders?status=open&side=buy").await["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(trader.get("/orders?side=sell").await["items"], json!([]));
    assert_eq!(
        trader.get(&format!("/orders?symbol={SYMBOL}")).await["items"]
            .as_array()
            .unwrap()
            .len(),
        5
    );

    let (status, error) = trader.call(Method::GET, "/orders?status=maybe", None).await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("status"))
    );
    let (status, error) = trader.call(Method::GET, "/orders?cursor=x", None).await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"))
    );
    server.stop().await;
}

#[tokio::test]
async fn acknowledged_orders_and_fills_are_all_there_after_a_restart() {
    let server = TestServer::start().await;
    let seller = Trader::open(&server).await;
    let buyer = Trader::open(&server).await;
    grant_shares(&server, &seller, 50, 3_500_000).await;
    seller.place(limit(1, "sell", 72_000, 20)).await;
    buyer.place(limit(1, "buy", 72_000, 5)).await;
    buyer.place(limit(2, "buy", 71_000, 5)).await;
    let orders_before = seller.get("/orders").await;
    let fills_before = buyer.get("/fills").await;
    let portfolio_before = buyer.get("/portfolio").await;

    let db = server.stop().await;
    let server = TestServer::start_with(db, |_| None).await;
    // The session survives the restart too: it lives in the database.
    let seller = Trader {
        base: server.url("/api/v1"),
        ..seller
    };
    let buyer = Trader {
        base: server.url("/api/v1"),
        ..buyer
    };
    assert_eq!(seller.get("/orders").await, orders_before);
    assert_eq!(buyer.get("/fills").await, fills_before);
    assert_eq!(buyer.get("/portfolio").await, portfolio_before);

    // And the book is back: the resting sell still trades.
    let (_, bid) = buyer.place(limit(3, "buy", 72_000, 15)).await;
    assert_eq!(bid["order"]["status"], "filled", "{bid}");
    server.stop().await;
}

#[tokio::test]
async fn the_ui_server_functions_open_a_guest_account_on_the_first_order_and_share_the_session() {
    let server = TestServer::start().await;
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(HANG_GUARD)
        .build()
        .unwrap();
    let call = |name: &str, form: &'static str| {
        browser
            .post(server.url(&format!("/api/fn/{name}")))
            .header("origin", server.origin())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
    };
    // Reading opens nothing: the portfolio is what the account opens with.
    let response = call("portfolio", "").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let portfolio: Value = response.json().await.unwrap();
    assert_eq!(portfolio["cash_available"], 100_000_000);
    assert_eq!(portfolio["account_id"], Value::Null);

    let placed: Value = call(
        "place_order",
        "input[client_order_id]=1&input[symbol]=100010&input[side]=buy&input[kind]=limit\
         &input[price]=70000&input[qty]=2&input[tif]=gtc",
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(placed["order"]["status"], "open", "{placed}");
    let account = placed["order"]["account_id"].as_u64().unwrap();

    // The JSON API sees the same account through the same cookie.
    let session = common::get_json(&browser, &server.url("/api/v1/session")).await;
    assert_eq!(session["main_account_id"].as_u64(), Some(account));
    let orders = common::get_json(&browser, &server.url("/api/v1/orders")).await;
    assert_eq!(orders["items"][0]["order_id"], placed["order"]["order_id"]);
    server.stop().await;
}

#[tokio::test]
async fn each_user_has_their_own_watchlist_that_survives_a_restart() {
    let server = TestServer::start().await;
    let alice = Trader::open(&server).await;
    let bob = Trader::open(&server).await;
    for code in ["100090", "100010", "100090"] {
        let (status, body) = alice
            .call(Method::PUT, &format!("/watchlist/{code}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        alice.get("/watchlist").await["symbols"],
        json!(["100010", "100090"]),
        "in listing order, each once"
    );
    assert_eq!(bob.get("/watchlist").await["symbols"], json!([]));
    let (status, body) = bob.call(Method::DELETE, "/watchlist/100010", None).await;
    assert_eq!((status, &body["symbols"]), (StatusCode::OK, &json!([])));
    let (status, body) = alice.call(Method::PUT, "/watchlist/999999", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "unknown_symbol");

    let (status, _) = alice.call(Method::DELETE, "/watchlist/100090", None).await;
    assert_eq!(status, StatusCode::OK);
    let db = server.stop().await;
    let server = TestServer::start_with(db, |_| None).await;
    let alice = Trader {
        base: server.url("/api/v1"),
        ..alice
    };
    assert_eq!(alice.get("/watchlist").await["symbols"], json!(["100010"]));
    server.stop().await;
}

/// Replay must never rewrite history: the fees a fill paid are in the
/// journal, so a restart with other fee settings (with no snapshot to start
/// from, so the whole journal is replayed) leaves every past fill and
/// balance as it was; the new rates apply from the restart on, and resting
/// buys hold the commission they may now pay.
#[tokio::test]
async fn fills_keep_their_fees_when_the_fee_settings_change() {
    let server = TestServer::start().await;
    let seller = Trader::open(&server).await;
    let buyer = Trader::open(&server).await;
    grant_shares(&server, &seller, 100, 7_200_000).await;
    seller.place(limit(1, "sell", 72_000, 50)).await;
    let (_, bid) = buyer.place(limit(1, "buy", 72_000, 10)).await;
    assert_eq!(bid["order"]["status"], "filled", "{bid}");
    buyer.place(limit(2, "buy", 60_000, 10)).await;
    let fills_before = buyer.get("/fills").await;
    assert_eq!(
        fills_before["items"][0]["commission"], 108,
        "720,000 × 0.015 %"
    );
    let before = buyer.get("/portfolio").await;
    assert_eq!(before["cash_held"], 600_090);

    let db = server.stop().await;
    db.execute("DELETE FROM exchange_snapshots").await;
    let raised = |var: &str| match var {
        "GAEMI_MARKET_COMMISSION_PPM" => Some("5000".to_owned()),
        "GAEMI_MARKET_SELL_TAX_PPM" => Some("3000".to_owned()),
        _ => None,
    };
    let server = TestServer::start_with(db, raised).await;
    let seller = Trader {
        base: server.url("/api/v1"),
        ..seller
    };
    let buyer = Trader {
        base: server.url("/api/v1"),
        ..buyer
    };
    assert_eq!(buyer.get("/fills").await, fills_before);
    let after = buyer.get("/portfolio").await;
    let more_held = 603_000 - 600_090;
    assert_eq!(after["cash_held"], 603_000, "the resting buy holds 0.5 %");
    assert_eq!(
        after["cash_available"].as_i64().unwrap(),
        before["cash_available"].as_i64().unwrap() - more_held
    );

    let (_, bid) = buyer.place(limit(3, "buy", 72_000, 10)).await;
    assert_eq!(bid["order"]["status"], "filled", "{bid}");
    let fill = &buyer.get("/fills").await["items"][0];
    assert_eq!(fill["commission"], 3_600, "720,000 × 0.5 %");
    let sold = &seller.get("/fills").await["items"][0];
    assert_eq!(
        (sold["commission"].as_i64(), sold["tax"].as_i64()),
        (Some(3_600), Some(2_160))
    );
    assert_eq!(
        buyer.get("/portfolio").await["cash_available"]
            .as_i64()
            .unwrap(),
        after["cash_available"].as_i64().unwrap() - 720_000 - 3_600,
        "the engine's cash matches the stored history"
    );
    let last = buyer.get("/portfolio").await;
    let db = server.stop().await;
    let journaled = "SELECT COUNT(*) FROM exchange_journal WHERE command LIKE '%set_fees%'";
    assert_eq!(
        db.count(journaled).await,
        2,
        "the first start's rates, then the new ones"
    );

    // The same settings again: nothing more to journal, nothing changes.
    let server = TestServer::start_with(db, raised).await;
    let buyer = Trader {
        base: server.url("/api/v1"),
        ..buyer
    };
    assert_eq!(buyer.get("/portfolio").await, last);
    let db = server.stop().await;
    assert_eq!(db.count(journaled).await, 2);
}

/// The day's reference price of [`SYMBOL`].
async fn reference_of(server: &TestServer) -> i64 {
    let symbols = common::get_json(&common::client(), &server.url("/api/v1/market/symbols")).await;
    (symbols["symbols"].as_array().unwrap().iter())
        .find(|listing| listing["symbol"] == SYMBOL)
        .and_then(|listing| listing["ticker"]["reference"].as_i64())
        .expect("the listing's reference price")
}

/// The sum of one field over an account's fills.
async fn fills_total(trader: &Trader, field: &str) -> i64 {
    let fills = trader.get("/fills?limit=100").await;
    (fills["items"].as_array().unwrap().iter())
        .map(|fill| fill[field].as_i64().unwrap())
        .sum()
}

#[tokio::test]
async fn the_equity_curve_values_each_days_holdings_at_its_close_and_counts_fees() {
    // Ten-second days on a clock the test moves.
    let day = TradingDay::new(10_000);
    let clock = ManualClock::starting_at(day.start_of(1_795_186_800_000) + 1_000);
    let shared: std::sync::Arc<dyn Clock> = std::sync::Arc::new(clock.clone());
    let ten_second_days = |var: &str| (var == "GAEMI_MARKET_DAY_SECONDS").then(|| "10".to_owned());
    let server =
        TestServer::start_on_clock(TestDb::from_env().await, ten_second_days, shared).await;
    let now = || clock.now_ms();
    let seller = Trader::open(&server).await;
    let buyer = Trader::open(&server).await;
    grant_shares(&server, &seller, 100, 7_200_000).await;

    // Opened, nothing traded: one point, what was put in.
    let equity = buyer.get("/portfolio/equity").await;
    assert_eq!(equity["points"].as_array().unwrap().len(), 1, "{equity}");
    assert_eq!(equity["points"][0]["equity"], 100_000_000);
    assert_eq!(equity["deposited"], 100_000_000);
    assert_eq!(
        (
            equity["commission_paid"].as_i64(),
            equity["tax_paid"].as_i64()
        ),
        (Some(0), Some(0))
    );

    // Day 0: 10 shares at 73,000. Day 1: 5 more at 75,000. Day 2: today.
    let day_0 = day.start_of(now());
    for (n, price, qty) in [(1, 73_000, 10), (2, 75_000, 5)] {
        let (status, ask) = seller.place(limit(n, "sell", price, qty)).await;
        assert_eq!(status, StatusCode::OK, "{ask}");
        let (status, bid) = buyer.place(limit(n, "buy", price, qty)).await;
        assert_eq!(
            (status, bid["order"]["status"].as_str()),
            (StatusCode::OK, Some("filled")),
            "{bid}"
        );
        clock.set(day.next_start(now()));
        wait_for("the day turns", async || {
            reference_of(&server).await == price
        })
        .await;
    }
    let fills = buyer.get("/fills?limit=100").await;
    let commission_of = |price: i64| {
        (fills["items"].as_array().unwrap().iter())
            .find(|fill| fill["price"] == price)
            .and_then(|fill| fill["commission"].as_i64())
            .unwrap()
    };
    let (day_0_fee, day_1_fee) = (commission_of(73_000), commission_of(75_000));
    let cash_after_day_0 = 100_000_000 - 730_000 - day_0_fee;
    let cash_after_day_1 = cash_after_day_0 - 375_000 - day_1_fee;

    let equity = buyer.get("/portfolio/equity").await;
    let points: Vec<(i64, i64)> = (equity["points"].as_array().unwrap().iter())
        .map(|point| {
            let at = point["day_start_ms"].as_i64().unwrap();
            ((at - day_0) / 10_000, point["equity"].as_i64().unwrap())
        })
        .collect();
    let total_now = buyer.get("/portfolio").await["total_value"]
        .as_i64()
        .unwrap();
    assert_eq!(
        points,
        [
            (0, cash_after_day_0 + 10 * 73_000),
            (1, cash_after_day_1 + 15 * 75_000),
            (2, total_now),
        ],
        "each day's close, then now: {equity}"
    );
    assert_eq!(total_now, cash_after_day_1 + 15 * 75_000);
    assert_eq!(equity["commission_paid"], day_0_fee + day_1_fee);
    assert_eq!(equity["tax_paid"], 0);
    // The seller paid the tax: what its fills say, to the won.
    let sold = seller.get("/portfolio/equity").await;
    assert_eq!(sold["tax_paid"], fills_total(&seller, "tax").await);
    assert!(sold["tax_paid"].as_i64().unwrap() > 0);
    assert_eq!(
        sold["commission_paid"],
        fills_total(&seller, "commission").await
    );
    server.stop().await;
}
