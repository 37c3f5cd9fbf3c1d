//! One error map for both surfaces: every refusal a trading server function
//! (what the pages call) can give is answered with the same HTTP status,
//! code and field as the JSON route that does the same thing, including
//! `busy` (503 with `Retry-After`). Table-driven over every trading server
//! function. Runs on SQLite, or PostgreSQL with `GAEMI_TEST_BACKEND`.

mod common;

use common::{Guest, TestDb, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// What a refusal is, whichever surface gave it.
#[derive(Debug, PartialEq, Eq)]
struct Refused {
    status: StatusCode,
    code: String,
    field: Option<String>,
}

fn refused(status: StatusCode, body: &Value) -> Refused {
    Refused {
        status,
        code: body["code"].as_str().unwrap_or_default().to_owned(),
        field: body["field"].as_str().map(str::to_owned),
    }
}

/// One refusal, asked of the route and of the server function.
struct Case {
    what: &'static str,
    route: (Method, String, Option<Value>),
    server_fn: (&'static str, String),
    status: StatusCode,
    code: &'static str,
}

fn order_form(
    id: u64,
    symbol: &str,
    side: &str,
    kind: &str,
    price: Option<i64>,
    qty: i64,
) -> String {
    let mut form = format!(
        "input[client_order_id]={id}&input[symbol]={symbol}&input[side]={side}\
         &input[kind]={kind}&input[qty]={qty}"
    );
    if let Some(price) = price {
        form.push_str(&format!("&input[price]={price}"));
    }
    form
}

fn order_json(
    id: u64,
    symbol: &str,
    side: &str,
    kind: &str,
    price: Option<i64>,
    qty: i64,
) -> Value {
    let mut order =
        json!({ "client_order_id": id, "symbol": symbol, "side": side, "kind": kind, "qty": qty });
    if let Some(price) = price {
        order["price"] = json!(price);
    }
    order
}

/// A new client order id each time: an id the account used before would
/// answer that order's result again (an idempotent retry).
fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A place order refused the same way on both surfaces.
fn place(
    what: &'static str,
    order: (&str, &str, &str, Option<i64>, i64),
    status: StatusCode,
    code: &'static str,
) -> Case {
    let (symbol, side, kind, price, qty) = order;
    Case {
        what,
        route: (
            Method::POST,
            "/orders".into(),
            Some(order_json(next_id(), symbol, side, kind, price, qty)),
        ),
        server_fn: (
            "place_order",
            order_form(next_id(), symbol, side, kind, price, qty),
        ),
        status,
        code,
    }
}

#[tokio::test]
async fn every_trading_server_function_refuses_with_the_routes_status_and_code() {
    let server = TestServer::start().await;
    let other = Guest::open(&server).await;
    let others = other.open_main_account().await;
    let guest = Guest::open(&server).await;
    let account = guest.open_main_account().await;
    let (_, open) = guest
        .call(
            Method::POST,
            "/orders",
            Some(order_json(100, "100010", "buy", "limit", Some(70_000), 1)),
        )
        .await;
    let open = open["order"]["order_id"].as_u64().unwrap();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let not_found = StatusCode::NOT_FOUND;
    let mut cases = vec![
        place(
            "unknown stock",
            ("999999", "buy", "limit", Some(72_000), 1),
            not_found,
            "unknown_symbol",
        ),
        place(
            "no quantity",
            ("100010", "buy", "limit", Some(72_000), 0),
            unprocessable,
            "bad_quantity",
        ),
        place(
            "off the tick grid",
            ("100010", "buy", "limit", Some(72_050), 1),
            unprocessable,
            "off_tick",
        ),
        place(
            "outside the band",
            ("100010", "buy", "limit", Some(200_000), 1),
            unprocessable,
            "outside_band",
        ),
        place(
            "more than the cash",
            ("100010", "buy", "limit", Some(72_000), 10_000),
            unprocessable,
            "insufficient_cash",
        ),
        place(
            "shares it does not have",
            ("100010", "sell", "limit", Some(72_000), 1),
            unprocessable,
            "insufficient_shares",
        ),
        place(
            "a limit order without a price",
            ("100010", "buy", "limit", None, 1),
            unprocessable,
            "invalid",
        ),
        place(
            "a market order with a price",
            ("100010", "buy", "market", Some(72_000), 1),
            unprocessable,
            "invalid",
        ),
    ];
    cases.extend([
        Case {
            what: "an order on another user's account",
            route: (
                Method::POST,
                format!("/orders?account={others}"),
                Some(order_json(
                    next_id(),
                    "100010",
                    "buy",
                    "limit",
                    Some(72_000),
                    1,
                )),
            ),
            server_fn: (
                "place_order",
                format!(
                    "{}&account={others}",
                    order_form(next_id(), "100010", "buy", "limit", Some(72_000), 1)
                ),
            ),
            status: not_found,
            code: "unknown_account",
        },
        Case {
            what: "the open order's client id on another quantity",
            route: (
                Method::POST,
                "/orders".into(),
                Some(order_json(100, "100010", "buy", "limit", Some(70_000), 2)),
            ),
            server_fn: (
                "place_order",
                order_form(100, "100010", "buy", "limit", Some(70_000), 2),
            ),
            status: StatusCode::CONFLICT,
            code: "duplicate_client_order_id",
        },
        Case {
            what: "amending an order that does not exist",
            route: (
                Method::PATCH,
                "/orders/999999".into(),
                Some(json!({ "price": 71_000, "qty": 1 })),
            ),
            server_fn: (
                "amend_order",
                "input[order_id]=999999&input[price]=71000&input[qty]=1".into(),
            ),
            status: not_found,
            code: "unknown_order",
        },
        Case {
            what: "an amendment that changes nothing",
            route: (
                Method::PATCH,
                format!("/orders/{open}"),
                Some(json!({ "price": 70_000, "qty": 1 })),
            ),
            server_fn: (
                "amend_order",
                format!("input[order_id]={open}&input[price]=70000&input[qty]=1"),
            ),
            status: StatusCode::CONFLICT,
            code: "nothing_to_change",
        },
        Case {
            what: "cancelling an order that does not exist",
            route: (Method::DELETE, "/orders/999999".into(), None),
            server_fn: ("cancel_order", "order_id=999999".into()),
            status: not_found,
            code: "unknown_order",
        },
        Case {
            what: "cancelling on another user's account",
            route: (
                Method::DELETE,
                format!("/orders/{open}?account={others}"),
                None,
            ),
            server_fn: ("cancel_order", format!("order_id={open}&account={others}")),
            status: not_found,
            code: "unknown_account",
        },
        Case {
            what: "orders after a bad cursor",
            route: (Method::GET, "/orders?cursor=x".into(), None),
            server_fn: ("list_orders", "query[cursor]=x".into()),
            status: unprocessable,
            code: "invalid",
        },
        Case {
            what: "orders of an unknown stock",
            route: (Method::GET, "/orders?symbol=999999".into(), None),
            server_fn: ("list_orders", "query[symbol]=999999".into()),
            status: not_found,
            code: "unknown_symbol",
        },
        Case {
            what: "fills after a bad cursor",
            route: (Method::GET, "/fills?cursor=x".into(), None),
            server_fn: ("list_fills", "query[cursor]=x".into()),
            status: unprocessable,
            code: "invalid",
        },
        Case {
            what: "fills of another user's account",
            route: (Method::GET, format!("/fills?account={others}"), None),
            server_fn: ("list_fills", format!("query[sort]=newest&account={others}")),
            status: not_found,
            code: "unknown_account",
        },
        Case {
            what: "orders of another user's account",
            route: (Method::GET, format!("/orders?account={others}"), None),
            server_fn: (
                "list_orders",
                format!("query[sort]=newest&account={others}"),
            ),
            status: not_found,
            code: "unknown_account",
        },
        Case {
            what: "another user's portfolio",
            route: (Method::GET, format!("/portfolio?account={others}"), None),
            server_fn: ("portfolio", format!("account={others}")),
            status: not_found,
            code: "unknown_account",
        },
        Case {
            what: "another user's equity curve",
            route: (
                Method::GET,
                format!("/portfolio/equity?account={others}"),
                None,
            ),
            server_fn: ("equity", format!("account={others}")),
            status: not_found,
            code: "unknown_account",
        },
        Case {
            what: "starring an unknown stock",
            route: (Method::PUT, "/watchlist/999999".into(), None),
            server_fn: ("set_watched", "symbol=999999&watched=true".into()),
            status: not_found,
            code: "unknown_symbol",
        },
    ]);
    for case in cases {
        let (method, path, body) = case.route;
        let (status, answer) = guest.call(method, &path, body).await;
        let by_route = refused(status, &answer);
        assert_eq!(
            (by_route.status, by_route.code.as_str()),
            (case.status, case.code),
            "{}: the route answered {answer}",
            case.what
        );
        let (name, form) = case.server_fn;
        let (status, answer, _) = guest.server_fn(name, &form).await;
        let by_function = refused(status, &answer);
        assert_eq!(by_function, by_route, "{} ({name})", case.what);
    }
    // Arguments the function cannot read: 400, as a route's bad body.
    let (status, _) = guest.call(Method::POST, "/orders", None).await;
    let (status_fn, answer, _) = guest.server_fn("list_fills", "account=x").await;
    assert_eq!(
        (status, status_fn),
        (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST)
    );
    assert_eq!(answer["code"], "bad_request");
    // Nothing refused changed anything.
    let (_, portfolio) = guest.call(Method::GET, "/portfolio", None).await;
    assert_eq!(portfolio["account_id"].as_u64(), Some(account));
    assert!(portfolio["holdings"].as_array().unwrap().is_empty());
    let (_, orders) = guest.call(Method::GET, "/orders", None).await;
    let orders = orders["items"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "only the open order: {orders:?}");
    assert_eq!(
        (orders[0]["order_id"].as_u64(), orders[0]["qty"].as_i64()),
        (Some(open), Some(1))
    );
    let (_, watched) = guest.call(Method::GET, "/watchlist", None).await;
    assert_eq!(watched["symbols"], json!([]));
    server.stop().await;
}

#[tokio::test]
async fn busy_is_a_503_with_retry_after_on_both_surfaces() {
    // One command queued at most: a burst of orders finds it full.
    let server = TestServer::start_with(TestDb::from_env().await, |var| {
        (var == "GAEMI_MARKET_ORDER_QUEUE").then(|| "1".to_owned())
    })
    .await;
    let guest = Guest::open(&server).await;
    let account = guest.open_main_account().await;
    common::grant_shares(&server, account, 1_000_000).await;
    let (mut by_route, mut by_function) = (None, None);
    let mut id = 1;
    for _ in 0..200 {
        if by_route.is_some() && by_function.is_some() {
            break;
        }
        let burst: Vec<_> = (0..32)
            .map(|n| {
                id += 1;
                let (id, guest, server) = (id, &guest, &server);
                async move {
                    let price = Some(90_000);
                    if n % 2 == 0 {
                        let body = order_json(id, "100010", "sell", "limit", price, 1);
                        let response = guest
                            .http
                            .post(server.url("/api/v1/orders"))
                            .header("cookie", &guest.cookie)
                            .json(&body)
                            .send()
                            .await
                            .unwrap();
                        let retry = response
                            .headers()
                            .get("retry-after")
                            .map(|v| v.to_str().unwrap().to_owned());
                        let status = response.status();
                        (
                            true,
                            refused(status, &response.json().await.unwrap()),
                            retry,
                        )
                    } else {
                        let form = order_form(id, "100010", "sell", "limit", price, 1);
                        let (status, body, retry) = guest.server_fn("place_order", &form).await;
                        (false, refused(status, &body), retry)
                    }
                }
            })
            .collect();
        for (route, answer, retry) in futures_util::future::join_all(burst).await {
            if answer.status == StatusCode::SERVICE_UNAVAILABLE {
                assert_eq!(answer.code, "busy");
                assert_eq!(retry.as_deref(), Some("1"), "busy says when to retry");
                *(if route {
                    &mut by_route
                } else {
                    &mut by_function
                }) = Some(answer);
            } else {
                assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
            }
        }
    }
    assert_eq!(
        by_route.expect("the route was busy once"),
        by_function.expect("the function was busy once")
    );
    server.stop().await;
}
