//! Each account's private stream (`account:<id>`): its owner gets a
//! snapshot on subscribing, then each commit's changes (orders, fills, cash,
//! positions) as soon as the commit is durable, not on the next tick of the
//! market data; nobody else gets them, and a subscription to someone
//! else's account is refused exactly like one to a topic that does not
//! exist. Runs on SQLite, or PostgreSQL with `GAEMI_TEST_BACKEND=postgres`.

mod common;

use app::realtime::{ClientFrame, ServerFrame, Topic, TopicEvent, WsErrorCode};
use app::trading::{AccountSnapshot, AccountUpdate};
use common::{Guest, Socket, TestDb, TestServer, next_frame, send_frame};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Book deltas go out once a minute here, so anything that arrives during
/// a test did not wait for the market data's tick.
fn slow_depth(var: &str) -> Option<String> {
    (var == "GAEMI_MARKET_DEPTH_INTERVAL_MS").then(|| "60000".to_owned())
}

async fn start() -> TestServer {
    TestServer::start_with(TestDb::from_env().await, slow_depth).await
}

fn account_topic(account: u64) -> Topic {
    Topic::Account {
        account_id: account,
    }
}

/// Subscribes and reads until the subscription's answer: the snapshot, or
/// the error that refused it.
async fn subscribe(socket: &mut Socket, topic: Topic) -> Result<AccountSnapshot, WsErrorCode> {
    send_frame(
        socket,
        &ClientFrame::Subscribe {
            topic: topic.clone(),
        },
    )
    .await;
    loop {
        match next_frame(socket).await {
            ServerFrame::Event {
                topic: t,
                event: TopicEvent::AccountSnapshot(snapshot),
            } if t == topic => return Ok(snapshot),
            ServerFrame::Error { code, .. } => return Err(code),
            _ => {}
        }
    }
}

/// The next update of `account`'s stream; fails if a book delta comes
/// first (it would mean the update waited for the market data's tick).
async fn next_update(socket: &mut Socket, account: u64) -> AccountUpdate {
    loop {
        match next_frame(socket).await {
            ServerFrame::Event {
                topic,
                event: TopicEvent::AccountUpdate(update),
            } => {
                assert_eq!(topic, account_topic(account));
                assert_eq!(update.account_id, account);
                return update;
            }
            ServerFrame::Event {
                event: TopicEvent::BookDelta(delta),
                ..
            } => panic!("a book delta arrived before the account's update: {delta:?}"),
            _ => {}
        }
    }
}

fn limit(id: u64, side: &str, price: i64, qty: i64) -> serde_json::Value {
    json!({ "client_order_id": id, "symbol": "100010", "side": side, "kind": "limit", "price": price, "qty": qty })
}

#[tokio::test]
async fn a_fill_reaches_the_resting_orders_owner_at_commit_and_never_the_other_side() {
    let server = start().await;
    let (alice, alice_account) = Guest::seller(&server).await;
    let (status, ask) = alice
        .call(Method::POST, "/orders", Some(limit(1, "sell", 72_000, 10)))
        .await;
    assert_eq!(status, StatusCode::OK, "{ask}");
    let ask_id = ask["order"]["order_id"].as_u64().unwrap();

    let mut alice_ws = alice.websocket(&server).await;
    let snapshot = subscribe(&mut alice_ws, account_topic(alice_account))
        .await
        .expect("her own account");
    assert_eq!(snapshot.account_id, alice_account);
    assert_eq!(
        (snapshot.open_orders.len(), snapshot.open_orders[0].order_id),
        (1, ask_id)
    );
    assert_eq!(
        snapshot.positions[0].available + snapshot.positions[0].held,
        100
    );
    let cash_before = snapshot.cash.available;
    // The book's snapshot now; its next delta would come with the tick.
    send_frame(
        &mut alice_ws,
        &ClientFrame::Subscribe {
            topic: Topic::Book {
                symbol: "100010".into(),
            },
        },
    )
    .await;

    let bob = Guest::open(&server).await;
    let bob_account = bob.open_main_account().await;
    let mut bob_ws = bob.websocket(&server).await;
    subscribe(&mut bob_ws, account_topic(bob_account))
        .await
        .expect("his own account");
    assert_eq!(
        subscribe(&mut bob_ws, account_topic(alice_account)).await,
        Err(WsErrorCode::UnknownTopic),
        "not his account"
    );

    let (status, bid) = bob
        .call(Method::POST, "/orders", Some(limit(1, "buy", 72_100, 4)))
        .await;
    assert_eq!(
        (status, bid["order"]["status"].as_str()),
        (StatusCode::OK, Some("filled"))
    );

    let update = next_update(&mut alice_ws, alice_account).await;
    assert!(update.prev_seq <= snapshot.seq, "it follows the snapshot");
    assert!(update.seq > snapshot.seq);
    assert_eq!(update.fills.len(), 1, "{update:?}");
    let fill = &update.fills[0];
    assert_eq!(
        (fill.order_id, fill.price, fill.qty, fill.maker),
        (ask_id, 72_000, 4, true)
    );
    // 288,000 won: commission 43, tax 576.
    assert_eq!((fill.commission, fill.tax), (43, 576));
    assert_eq!(update.orders.len(), 1, "only her own order: {update:?}");
    assert_eq!(
        (
            update.orders[0].order_id,
            update.orders[0].filled_qty,
            update.orders[0].remaining_qty
        ),
        (ask_id, 4, 6)
    );
    let cash = update.cash.expect("her cash changed");
    assert_eq!(cash.available, cash_before + 288_000 - 43 - 576);
    assert_eq!(update.positions.len(), 1);
    assert_eq!(
        (update.positions[0].available, update.positions[0].held),
        (90, 6)
    );

    // Bob hears of his own side only.
    let his = next_update(&mut bob_ws, bob_account).await;
    assert!(
        his.orders
            .iter()
            .all(|order| order.account_id == bob_account),
        "{his:?}"
    );
    assert!(
        his.fills.iter().all(|fill| fill.order_id != ask_id),
        "{his:?}"
    );

    // The next change chains to this one.
    let (status, _) = alice
        .call(Method::DELETE, &format!("/orders/{ask_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let next = next_update(&mut alice_ws, alice_account).await;
    assert_eq!(next.prev_seq, update.seq);
    assert_eq!(next.orders[0].cancel_reason.as_deref(), Some("requested"));
    server.stop().await;
}

#[tokio::test]
async fn another_accounts_stream_is_refused_like_a_topic_that_does_not_exist() {
    let server = start().await;
    let (alice, alice_account) = Guest::seller(&server).await;
    let mallory = Guest::open(&server).await;
    mallory.open_main_account().await;
    let mut socket = mallory.websocket(&server).await;
    let theirs = subscribe(&mut socket, account_topic(alice_account)).await;
    let nobodys = subscribe(&mut socket, account_topic(alice_account + 1_000)).await;
    assert_eq!(theirs, Err(WsErrorCode::UnknownTopic));
    assert_eq!(theirs, nobodys);
    // Without a session, no account at all.
    let mut anonymous = common::connect_ws(&server, Some(&server.origin()), None)
        .await
        .unwrap();
    assert_eq!(
        subscribe(&mut anonymous, account_topic(alice_account)).await,
        Err(WsErrorCode::UnknownTopic)
    );
    // The connection stays open and the owner's own still works.
    let mut own = alice.websocket(&server).await;
    assert!(
        subscribe(&mut own, account_topic(alice_account))
            .await
            .is_ok()
    );
    assert_eq!(
        server.started.hub.topic_count(),
        1,
        "only the owner's is followed"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_session_that_ends_closes_its_sockets_and_its_streams_with_them() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = start().await;
    let guest = Guest::open(&server).await;
    let account = guest.open_main_account().await;
    let mut socket = guest.websocket(&server).await;
    subscribe(&mut socket, account_topic(account))
        .await
        .expect("the guest's own account");

    // The guest signs up keeping its account: the guest's session ends.
    let (status, body) = guest
        .call(
            Method::POST,
            "/auth/sign-up",
            Some(json!({
                "email": "guest@example.kr",
                "nickname": "손님개미",
                "password": "a long enough passphrase",
                "claim_guest": true
            })),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let close = loop {
        let message = tokio::time::timeout(common::HANG_GUARD, socket.next())
            .await
            .expect("the socket closes in time");
        match message {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(Message::Text(text))) => assert!(
                !text.contains("signed_out"),
                "not 'signed in elsewhere': {text}"
            ),
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(
        u16::from(close.expect("a close code").code),
        gaemi::realtime::CLOSE_RESYNC
    );
    // The guest's cookie (or a stolen copy of it) acts for nobody now: the
    // account is the new member's, who signs in to trade on it.
    for (method, path, body) in [
        (Method::POST, "/orders", Some(limit(7, "buy", 72_000, 1))),
        (Method::GET, "/portfolio", None),
    ] {
        let (status, answer) = guest.call(method, path, body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {answer}");
    }
    // It opens a socket, but follows no account any more.
    let mut again = guest.websocket(&server).await;
    assert_eq!(
        subscribe(&mut again, account_topic(account)).await,
        Err(WsErrorCode::UnknownTopic)
    );
    server.stop().await;
}
