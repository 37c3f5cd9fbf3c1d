//! Public market data over the websocket and the JSON API: a book snapshot
//! on subscribe then deltas in sequence, every trade on the tape, tickers,
//! and unknown symbols refused.

mod common;

use app::realtime::{ClientFrame, ServerFrame, Topic, TopicEvent, WsErrorCode};
use common::{HANG_GUARD, TestServer};
use futures_util::{SinkExt, StreamExt};
use gaemi::exchange::{AccountId, Command, Side, SymbolId};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const CODE: &str = "100020";
const SYMBOL: SymbolId = SymbolId(1);

async fn connect(server: &TestServer) -> Socket {
    let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", server.addr))
        .await
        .expect("websocket");
    socket
}

async fn send(socket: &mut Socket, frame: &ClientFrame) {
    socket
        .send(Message::text(serde_json::to_string(frame).unwrap()))
        .await
        .unwrap();
}

/// The next frame that is not the clock or a protocol ping.
async fn next(socket: &mut Socket) -> ServerFrame {
    loop {
        let message = tokio::time::timeout(HANG_GUARD, socket.next())
            .await
            .expect("a frame in time")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = message {
            let frame: ServerFrame = serde_json::from_str(text.as_str()).unwrap();
            match frame {
                ServerFrame::Welcome { .. }
                | ServerFrame::Event {
                    topic: Topic::Clock,
                    ..
                } => continue,
                frame => return frame,
            }
        }
    }
}

async fn command(server: &TestServer, command: Command) {
    server
        .started
        .exchange
        .submit(command, 1_700_000_000_000)
        .await
        .expect("committed");
}

fn place(account: u64, client: u64, side: Side, price: i64, qty: i64) -> Command {
    common::limit_order(account, client, SYMBOL, side, price, qty)
}

#[tokio::test]
async fn the_book_arrives_as_a_snapshot_then_deltas_in_sequence_and_trades_as_they_happen() {
    let server = TestServer::start().await;
    for account in [9_001, 9_002] {
        command(
            &server,
            Command::Deposit {
                account: AccountId(account),
                amount: 100_000_000,
            },
        )
        .await;
    }
    command(
        &server,
        Command::GrantShares {
            account: AccountId(9_002),
            symbol: SYMBOL,
            qty: 100,
            cost: 3_850_000,
        },
    )
    .await;
    command(&server, place(9_001, 1, Side::Buy, 38_000, 5)).await;

    let mut socket = connect(&server).await;
    let book = Topic::Book {
        symbol: CODE.to_owned(),
    };
    send(
        &mut socket,
        &ClientFrame::Subscribe {
            topic: book.clone(),
        },
    )
    .await;
    let mut snapshot = None;
    for _ in 0..2 {
        match next(&mut socket).await {
            ServerFrame::Subscribed { topic } => assert_eq!(topic, book),
            ServerFrame::Event {
                event: TopicEvent::BookSnapshot(s),
                ..
            } => snapshot = Some(s),
            other => panic!("unexpected {other:?}"),
        }
    }
    let snapshot = snapshot.expect("a snapshot on subscribe");
    assert_eq!(snapshot.bids.len(), 1);
    assert_eq!((snapshot.bids[0].price, snapshot.bids[0].qty), (38_000, 5));
    assert!(snapshot.asks.is_empty());

    let trades = Topic::Trades {
        symbol: CODE.to_owned(),
    };
    send(
        &mut socket,
        &ClientFrame::Subscribe {
            topic: trades.clone(),
        },
    )
    .await;
    assert_eq!(
        next(&mut socket).await,
        ServerFrame::Subscribed { topic: trades }
    );

    // A sell that takes 2 of the 5 shares bid and rests 3 more above.
    command(&server, place(9_002, 1, Side::Sell, 38_000, 2)).await;
    command(&server, place(9_002, 2, Side::Sell, 38_500, 3)).await;
    let mut last_seq = snapshot.seq;
    let mut bid = 5;
    let mut ask = 0;
    let mut printed = 0;
    while printed == 0 || bid != 3 || ask != 3 {
        match next(&mut socket).await {
            ServerFrame::Event {
                event: TopicEvent::Trades(tape),
                ..
            } => {
                assert_eq!(tape.symbol, CODE);
                for trade in tape.trades {
                    assert_eq!(
                        (trade.price, trade.qty, trade.taker_buys),
                        (38_000, 2, false)
                    );
                    printed += 1;
                }
            }
            ServerFrame::Event {
                event: TopicEvent::BookDelta(delta),
                ..
            } => {
                assert_eq!(delta.prev_seq, last_seq, "deltas follow on without a gap");
                last_seq = delta.seq;
                for level in delta.bids.iter().filter(|l| l.price == 38_000) {
                    bid = level.qty;
                }
                for level in delta.asks.iter().filter(|l| l.price == 38_500) {
                    ask = level.qty;
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(printed, 1);

    let ticker = common::get_json(&common::client(), &server.url("/api/v1/market/symbols")).await;
    let seohae = ticker["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["symbol"] == CODE)
        .expect("listed")
        .clone();
    assert_eq!(seohae["name_ko"], "서해바이오");
    assert_eq!(seohae["ticker"]["last"], 38_000);
    assert_eq!(seohae["ticker"]["change"], -500);
    assert_eq!(seohae["ticker"]["volume"], 2);
    assert_eq!(seohae["ticker"]["best_bid"], 38_000);
    assert_eq!(seohae["ticker"]["best_ask"], 38_500);

    let book = common::get_json(
        &common::client(),
        &server.url(&format!("/api/v1/market/{CODE}/book?depth=1")),
    )
    .await;
    assert_eq!(book["bids"][0]["qty"], 3);
    assert_eq!(book["asks"][0]["price"], 38_500);

    // A tape opened later starts with the recent trades.
    let mut late = connect(&server).await;
    let trades = Topic::Trades {
        symbol: CODE.to_owned(),
    };
    send(&mut late, &ClientFrame::Subscribe { topic: trades }).await;
    let recent = loop {
        match next(&mut late).await {
            ServerFrame::Subscribed { .. } => continue,
            ServerFrame::Event {
                event: TopicEvent::Trades(tape),
                ..
            } => break tape.trades,
            other => panic!("unexpected {other:?}"),
        }
    };
    let recent: Vec<_> = recent.iter().map(|t| (t.price, t.qty)).collect();
    assert_eq!(recent, vec![(38_000, 2)]);

    // The stock page's server function: the listing, its sector and fees.
    let client = common::client();
    let stock: Value = client
        .post(server.url("/api/fn/load_stock"))
        .header("origin", server.origin())
        .form(&[("code", CODE)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stock["listing"]["name_ko"], "서해바이오");
    assert_eq!(stock["listing"]["ticker"]["last"], 38_000);
    assert_eq!(stock["sector"]["key"], stock["listing"]["sector"]);
    assert_eq!(stock["fees"]["commission_ppm"], 150);
    let unknown = client
        .post(server.url("/api/fn/load_stock"))
        .header("origin", server.origin())
        .form(&[("code", "999999")])
        .send()
        .await
        .unwrap();
    assert!(!unknown.status().is_success());
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(unknown["code"], "unknown_symbol");
    server.stop().await;
}

#[tokio::test]
async fn unknown_symbols_are_refused_on_the_socket_and_the_api() {
    let server = TestServer::start().await;
    let mut socket = connect(&server).await;
    send(
        &mut socket,
        &ClientFrame::Subscribe {
            topic: Topic::Book {
                symbol: "000000".to_owned(),
            },
        },
    )
    .await;
    match next(&mut socket).await {
        ServerFrame::Error { code, .. } => assert_eq!(code, WsErrorCode::UnknownTopic),
        other => panic!("unexpected {other:?}"),
    }
    let response = common::client()
        .get(server.url("/api/v1/market/000000/book"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unknown_symbol");
    let response = common::client()
        .get(server.url("/api/v1/no/such/route"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    server.stop().await;
}
