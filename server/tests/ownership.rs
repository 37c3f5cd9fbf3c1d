//! Who owns which trading account, tried as a crowd and an attacker would:
//! one user trading on two accounts keeps each account's orders, fills and
//! portfolio apart; another user naming that user's account gets exactly
//! the answer an unknown account gets, on every trading route and server
//! function; and a thousand visitors who only read pages and market data
//! (or only open an API session) open no account at all. Runs on SQLite,
//! or PostgreSQL with `GAEMI_TEST_BACKEND=postgres`.

mod common;

use common::{Guest, TestServer};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// 한빛전자: reference price 72,000 won, tick 100.
const SYMBOL: &str = "100010";

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

#[tokio::test]
async fn one_user_trades_on_two_accounts_and_each_keeps_its_own_orders_fills_and_portfolio() {
    let server = TestServer::start().await;
    let (seller, _) = Guest::seller(&server).await;
    let (status, ask) = seller
        .call(Method::POST, "/orders", Some(limit(1, "sell", 72_000, 10)))
        .await;
    assert_eq!(status, StatusCode::OK, "{ask}");

    let trader = Guest::open(&server).await;
    let main = trader.open_main_account().await;
    let round = server
        .started
        .trading
        .open_round_account(trader.user_id, 1, 10_000_000)
        .await
        .expect("a round account")
        .0;
    assert_ne!(main, round);
    let (_, accounts) = trader.call(Method::GET, "/accounts", None).await;
    let listed: Vec<(u64, String)> = (accounts["accounts"].as_array().unwrap().iter())
        .map(|a| {
            (
                a["account_id"].as_u64().unwrap(),
                a["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(listed, [(main, "main".into()), (round, "round".into())]);

    // Two shares on the main account, three on the round's.
    let (status, bought) = trader
        .call(Method::POST, "/orders", Some(limit(1, "buy", 72_000, 2)))
        .await;
    assert_eq!(
        (status, bought["order"]["account_id"].as_u64()),
        (StatusCode::OK, Some(main))
    );
    let round_path = |path: &str| format!("{path}?account={round}");
    let (status, bought) = trader
        .call(
            Method::POST,
            &round_path("/orders"),
            Some(limit(1, "buy", 72_000, 3)),
        )
        .await;
    assert_eq!(
        (status, bought["order"]["account_id"].as_u64()),
        (StatusCode::OK, Some(round)),
        "the same client order id is a new order on another account: {bought}"
    );

    let qty_of = |portfolio: &Value| portfolio["holdings"][0]["qty_available"].as_i64();
    let (_, on_main) = trader.call(Method::GET, "/portfolio", None).await;
    let (_, on_round) = trader
        .call(Method::GET, &round_path("/portfolio"), None)
        .await;
    assert_eq!(
        (on_main["account_id"].as_u64(), qty_of(&on_main)),
        (Some(main), Some(2))
    );
    assert_eq!(
        (on_round["account_id"].as_u64(), qty_of(&on_round)),
        (Some(round), Some(3))
    );
    // 72,000 × n plus 0.015 % commission, from each account's own cash.
    assert_eq!(on_main["cash_available"], 100_000_000 - 144_000 - 21);
    assert_eq!(on_round["cash_available"], 10_000_000 - 216_000 - 32);

    for (path, expected) in [
        ("/orders".to_owned(), 2),
        (round_path("/orders"), 3),
        ("/fills".to_owned(), 2),
        (round_path("/fills"), 3),
    ] {
        let (status, page) = trader.call(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{path}: {page}");
        assert_eq!(items[0]["qty"], expected, "{path}");
    }
    // An order is found through its own account only.
    let order = bought["order"]["order_id"].as_u64().unwrap();
    let (status, _) = trader
        .call(Method::GET, &format!("/orders/{order}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, found) = trader
        .call(Method::GET, &round_path(&format!("/orders/{order}")), None)
        .await;
    assert_eq!((status, found["qty"].as_i64()), (StatusCode::OK, Some(3)));
    server.stop().await;
}

#[tokio::test]
async fn another_users_account_is_answered_exactly_like_an_unknown_one() {
    let server = TestServer::start().await;
    let (owner, account) = Guest::seller(&server).await;
    let (_, resting) = owner
        .call(Method::POST, "/orders", Some(limit(1, "sell", 73_000, 5)))
        .await;
    let order = resting["order"]["order_id"].as_u64().unwrap();
    let intruder = Guest::open(&server).await;
    intruder.open_main_account().await;
    let unknown = account + 1_000_000;

    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/portfolio".into(), None),
        (Method::GET, "/portfolio/equity".into(), None),
        (Method::GET, "/orders".into(), None),
        (Method::GET, "/fills".into(), None),
        (Method::GET, format!("/orders/{order}"), None),
        (
            Method::POST,
            "/orders".into(),
            Some(limit(9, "buy", 72_000, 1)),
        ),
        (
            Method::PATCH,
            format!("/orders/{order}"),
            Some(json!({ "price": 72_000, "qty": 1 })),
        ),
        (Method::DELETE, format!("/orders/{order}"), None),
        (Method::DELETE, "/orders".into(), None),
    ];
    for (method, path, body) in routes {
        let theirs = intruder
            .call(
                method.clone(),
                &format!("{path}?account={account}"),
                body.clone(),
            )
            .await;
        let nobodys = intruder
            .call(method.clone(), &format!("{path}?account={unknown}"), body)
            .await;
        assert_eq!(
            theirs.0,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            theirs.1
        );
        assert_eq!(theirs, nobodys, "{method} {path}");
        assert_eq!(theirs.1["code"], "unknown_account");
    }
    for (name, form) in [
        ("portfolio", format!("account={account}")),
        ("equity", format!("account={account}")),
        (
            "list_orders",
            format!("query[sort]=newest&account={account}"),
        ),
        (
            "cancel_order",
            format!("order_id={order}&account={account}"),
        ),
        (
            "place_order",
            format!(
                "input[client_order_id]=9&input[symbol]={SYMBOL}&input[side]=buy\
                 &input[kind]=limit&input[price]=72000&input[qty]=1&account={account}"
            ),
        ),
    ] {
        let (status, body, _) = intruder.server_fn(name, &form).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("unknown_account")),
            "{name}: {body}"
        );
    }
    // Nothing of the owner's changed.
    let (_, still) = owner
        .call(Method::GET, &format!("/orders/{order}"), None)
        .await;
    assert_eq!(
        (still["status"].as_str(), still["remaining_qty"].as_i64()),
        (Some("open"), Some(5))
    );
    server.stop().await;
}

/// Engine accounts: every account the engine funded has a balance row.
async fn engine_accounts(server: &TestServer) -> i64 {
    // Every acknowledged command's rows first, so the count is complete.
    server
        .started
        .storage
        .read_models()
        .caught_up()
        .await
        .unwrap();
    let funded = server.db.count("SELECT COUNT(*) FROM balances").await;
    let stored = server.db.count("SELECT COUNT(*) FROM accounts").await;
    assert_eq!(funded, stored, "every stored account is funded");
    funded
}

#[tokio::test]
async fn a_thousand_visitors_who_only_read_open_no_account() {
    let server = TestServer::start().await;
    let (seller, _) = Guest::seller(&server).await;
    seller
        .call(Method::POST, "/orders", Some(limit(1, "sell", 72_500, 3)))
        .await;
    let before = engine_accounts(&server).await;

    let reads = futures_util::stream::iter(0..1_000).map(|n| {
        let server = &server;
        async move {
            let http = common::browser_client();
            let page = ["/", "/market", "/market/100010", "/portfolio", "/orders"][n % 5];
            let get = |path: String| http.get(server.url(&path)).send();
            assert_eq!(
                get(page.to_owned()).await.unwrap().status(),
                StatusCode::OK,
                "{page}"
            );
            let symbols = get("/api/v1/market/symbols".into()).await.unwrap();
            assert_eq!(symbols.status(), StatusCode::OK);
            // The reads the pages' islands make, and an API session.
            for name in ["portfolio", "list_orders", "watchlist", "accounts"] {
                let form = if name == "list_orders" {
                    "query[sort]=newest"
                } else {
                    ""
                };
                let response = http
                    .post(server.url(&format!("/api/fn/{name}")))
                    .header("origin", server.origin())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK, "{name}");
            }
            if n % 2 == 0 {
                let opened = http
                    .post(server.url("/api/v1/session"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(opened.status(), StatusCode::OK);
                let portfolio = http
                    .get(server.url("/api/v1/portfolio"))
                    .send()
                    .await
                    .unwrap();
                let portfolio: Value = portfolio.json().await.unwrap();
                assert_eq!(portfolio["account_id"], Value::Null);
            }
        }
    });
    reads.buffer_unordered(64).collect::<Vec<()>>().await;
    assert_eq!(engine_accounts(&server).await, before);
    server.stop().await;
}

#[tokio::test]
async fn sixty_four_first_orders_at_once_open_and_fund_one_main_account() {
    let server = TestServer::start().await;
    let guest = std::sync::Arc::new(Guest::open(&server).await);
    let answers = futures_util::future::join_all((0..64u64).map(|n| {
        let guest = guest.clone();
        async move {
            guest
                .call(
                    Method::POST,
                    "/orders",
                    Some(limit(n + 1, "buy", 70_000, 1)),
                )
                .await
        }
    }))
    .await;
    let mut accounts = std::collections::BTreeSet::new();
    for (status, answer) in &answers {
        assert_eq!(*status, StatusCode::OK, "{answer}");
        accounts.insert(answer["order"]["account_id"].as_u64().unwrap());
    }
    assert_eq!(accounts.len(), 1, "one main account: {accounts:?}");
    let (_, listed) = guest.call(Method::GET, "/accounts", None).await;
    assert_eq!(listed["accounts"].as_array().unwrap().len(), 1);
    // Funded once: 100,000,000 won in, 64 bids of 70,000 (+ 0.015 % each)
    // held.
    let (_, portfolio) = guest.call(Method::GET, "/portfolio", None).await;
    assert_eq!(portfolio["deposited"], 100_000_000);
    assert_eq!(portfolio["cash_held"], 64 * (70_000 + 10));
    assert_eq!(
        portfolio["cash_available"].as_i64().unwrap() + portfolio["cash_held"].as_i64().unwrap(),
        100_000_000
    );
    let (_, open) = guest.call(Method::GET, "/orders?status=open", None).await;
    assert_eq!(
        open["items"].as_array().unwrap().len(),
        50,
        "a page of them"
    );
    server.stop().await;
}
