//! The websocket endpoint: topics, heartbeats, bad frames and the Origin check.

mod common;

use app::realtime::{ClientFrame, PROTOCOL_VERSION, ServerFrame, Topic, TopicEvent, WsErrorCode};
use common::{Socket, TestServer, next_frame, send_frame as send};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

async fn connect(server: &TestServer, origin: Option<&str>) -> Result<Socket, WsError> {
    common::connect_ws(server, origin, None).await
}

fn fast_clock(var: &str) -> Option<String> {
    (var == "GAEMI_REALTIME_CLOCK_INTERVAL_MS").then(|| "100".to_owned())
}

#[tokio::test]
async fn a_clock_subscriber_receives_ticks_with_the_online_count() {
    let server = TestServer::start_with(common::TestDb::from_env().await, fast_clock).await;
    let mut socket = connect(&server, Some(&server.origin())).await.unwrap();
    assert!(matches!(
        next_frame(&mut socket).await,
        ServerFrame::Welcome {
            protocol: PROTOCOL_VERSION,
            ..
        }
    ));
    send(
        &mut socket,
        &ClientFrame::Subscribe {
            topic: Topic::Clock,
        },
    )
    .await;
    assert_eq!(
        next_frame(&mut socket).await,
        ServerFrame::Subscribed {
            topic: Topic::Clock
        }
    );
    let mut times = Vec::new();
    while times.len() < 2 {
        if let ServerFrame::Event {
            topic: Topic::Clock,
            event: TopicEvent::Clock(tick),
        } = next_frame(&mut socket).await
        {
            assert_eq!(tick.online, 1);
            times.push(tick.server_time_ms);
        }
    }
    assert!(times[1] > times[0], "the clock moves: {times:?}");
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_frame_gets_an_error_frame_and_the_connection_stays_open() {
    let server = TestServer::start().await;
    let mut socket = connect(&server, None).await.unwrap();
    next_frame(&mut socket).await; // welcome
    socket
        .send(Message::text(r#"{"type":"launch_rockets"}"#))
        .await
        .unwrap();
    match next_frame(&mut socket).await {
        ServerFrame::Error {
            code,
            message_ko,
            message_en,
        } => {
            assert_eq!(code, WsErrorCode::UnknownFrame);
            assert!(!message_ko.is_empty() && !message_en.is_empty());
        }
        other => panic!("expected an error frame, got {other:?}"),
    }
    socket.send(Message::text("not json at all")).await.unwrap();
    assert!(matches!(
        next_frame(&mut socket).await,
        ServerFrame::Error {
            code: WsErrorCode::UnknownFrame,
            ..
        }
    ));
    socket.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert!(matches!(
        next_frame(&mut socket).await,
        ServerFrame::Error {
            code: WsErrorCode::BinaryNotSupported,
            ..
        }
    ));
    socket.send(Message::text("x".repeat(5_000))).await.unwrap();
    assert!(matches!(
        next_frame(&mut socket).await,
        ServerFrame::Error {
            code: WsErrorCode::FrameTooLarge,
            ..
        }
    ));
    // Still open and still answering.
    send(&mut socket, &ClientFrame::Ping { nonce: 9 }).await;
    assert_eq!(
        next_frame(&mut socket).await,
        ServerFrame::Pong { nonce: 9 }
    );
    server.stop().await;
}

#[tokio::test]
async fn unsubscribing_stops_the_events() {
    let server = TestServer::start_with(common::TestDb::from_env().await, fast_clock).await;
    let mut socket = connect(&server, None).await.unwrap();
    next_frame(&mut socket).await;
    send(
        &mut socket,
        &ClientFrame::Subscribe {
            topic: Topic::Clock,
        },
    )
    .await;
    send(
        &mut socket,
        &ClientFrame::Unsubscribe {
            topic: Topic::Clock,
        },
    )
    .await;
    // Events may arrive between the two replies; after `Unsubscribed`, none.
    loop {
        if next_frame(&mut socket).await
            == (ServerFrame::Unsubscribed {
                topic: Topic::Clock,
            })
        {
            break;
        }
    }
    send(&mut socket, &ClientFrame::Ping { nonce: 1 }).await;
    // With a 100 ms clock, a live subscription would interleave ticks here.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    send(&mut socket, &ClientFrame::Ping { nonce: 2 }).await;
    assert_eq!(
        next_frame(&mut socket).await,
        ServerFrame::Pong { nonce: 1 }
    );
    assert_eq!(
        next_frame(&mut socket).await,
        ServerFrame::Pong { nonce: 2 }
    );
    server.stop().await;
}

#[tokio::test]
async fn a_websocket_from_another_origin_is_refused() {
    let server = TestServer::start().await;
    match connect(&server, Some("https://evil.example")).await {
        Err(WsError::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("expected a 403, got {:?}", other.map(|_| "an open socket")),
    }
    server.stop().await;
}

#[tokio::test]
async fn shutdown_closes_open_sockets_with_a_restart_code() {
    let server = TestServer::start().await;
    let mut socket = connect(&server, None).await.unwrap();
    next_frame(&mut socket).await;
    let stopping = tokio::spawn(server.stop());
    let close = loop {
        match socket.next().await {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(
        u16::from(close.expect("a close frame with a code").code),
        gaemi::realtime::CLOSE_RESTART
    );
    drop(socket);
    stopping.await.unwrap();
}
