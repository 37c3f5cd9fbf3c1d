//! One websocket connection: checks the Origin at upgrade, then runs a single
//! loop that reads client frames, writes queued topic events, and closes the
//! connection when the client is idle, too slow, or the server shuts down.
//! A bad frame is answered with an error frame; the connection stays open.
//! When the browser's session ends because its user signed in elsewhere,
//! the client is told (`signed_out`) and the connection closes.

use super::{CLOSE_RESTART, CLOSE_RESYNC, CLOSE_SIGNED_OUT, Hub};
use crate::http::{AppState, HttpError};
use app::realtime::{
    ClientFrame, MAX_CLIENT_FRAME_BYTES, PROTOCOL_VERSION, ServerFrame, Topic, WsErrorCode,
};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

/// Frames beyond this are refused by the websocket layer itself; frames between
/// [`MAX_CLIENT_FRAME_BYTES`] and this get an error frame.
const MAX_WS_MESSAGE_BYTES: usize = 64 * 1024;

pub async fn ws_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: tower_sessions::Session,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !state.origin_allowed(&headers) {
        return HttpError::ForbiddenOrigin.into_response();
    }
    let settings = ConnectionSettings {
        queue: state.settings.realtime.client_queue,
        idle: Duration::from_millis(state.settings.realtime.idle_timeout_ms),
    };
    let (hub, shutdown) = (state.hub.clone(), state.shutdown.clone());
    let ended = session
        .id()
        .map(|id| (id.to_string(), state.accounts.revoked.subscribe()));
    upgrade
        .max_message_size(MAX_WS_MESSAGE_BYTES)
        .on_upgrade(move |socket| Connection::new(hub, settings).run(socket, shutdown, ended))
}

#[derive(Clone, Copy)]
struct ConnectionSettings {
    queue: usize,
    idle: Duration,
}

struct Connection {
    hub: Arc<Hub>,
    settings: ConnectionSettings,
    outbound: mpsc::Sender<Utf8Bytes>,
    queued: mpsc::Receiver<Utf8Bytes>,
    /// Cancelled by a forwarder when this client cannot keep up.
    too_slow: CancellationToken,
    subscriptions: HashMap<Topic, JoinHandle<()>>,
}

/// What a client frame calls for.
enum Reply {
    Frame(ServerFrame),
    Nothing,
    ClientClosed,
}

/// What the connection loop does next.
enum Step {
    Continue,
    Close(u16, &'static str),
    Gone,
}

impl Connection {
    fn new(hub: Arc<Hub>, settings: ConnectionSettings) -> Connection {
        let (outbound, queued) = mpsc::channel(settings.queue);
        Connection {
            hub,
            settings,
            outbound,
            queued,
            too_slow: CancellationToken::new(),
            subscriptions: HashMap::new(),
        }
    }

    async fn run(
        mut self,
        socket: WebSocket,
        shutdown: CancellationToken,
        ended: Option<(String, broadcast::Receiver<String>)>,
    ) {
        let session_ended = session_ended(ended);
        tokio::pin!(session_ended);
        let _online = self.hub.connect();
        let (mut sink, mut stream) = socket.split();
        let welcome = ServerFrame::Welcome {
            protocol: PROTOCOL_VERSION,
            server_time_ms: crate::now_ms(),
        };
        let mut step = match send_frame(&mut sink, &welcome).await {
            true => Step::Continue,
            false => Step::Gone,
        };
        let mut last_heard = Instant::now();
        while let Step::Continue = step {
            step = tokio::select! {
                _ = shutdown.cancelled() => Step::Close(CLOSE_RESTART, "server restarting"),
                _ = self.too_slow.cancelled() => Step::Close(CLOSE_RESYNC, "too slow: resync"),
                () = &mut session_ended => match send_frame(&mut sink, &ServerFrame::SignedOut).await {
                    true => Step::Close(CLOSE_SIGNED_OUT, "signed in elsewhere"),
                    false => Step::Gone,
                },
                _ = sleep_until(last_heard + self.settings.idle) => Step::Close(1001, "idle"),
                queued = self.queued.recv() => match queued {
                    Some(bytes) => match sink.send(Message::Text(bytes)).await {
                        Ok(()) => Step::Continue,
                        Err(_) => Step::Gone,
                    },
                    None => Step::Gone,
                },
                incoming = stream.next() => {
                    last_heard = Instant::now();
                    match incoming {
                        Some(Ok(message)) => match self.reply_to(message) {
                            Reply::Frame(frame) if !send_frame(&mut sink, &frame).await => Step::Gone,
                            Reply::Frame(_) | Reply::Nothing => Step::Continue,
                            Reply::ClientClosed => Step::Gone,
                        },
                        _ => Step::Gone,
                    }
                }
            };
        }
        if let Step::Close(code, reason) = step {
            let close = CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            };
            let _ = sink.send(Message::Close(Some(close))).await;
        }
        for (_, forwarder) in self.subscriptions.drain() {
            forwarder.abort();
        }
    }

    fn reply_to(&mut self, message: Message) -> Reply {
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(_) => {
                return Reply::Frame(ServerFrame::error(WsErrorCode::BinaryNotSupported));
            }
            // The websocket layer answers protocol pings itself.
            Message::Ping(_) | Message::Pong(_) => return Reply::Nothing,
            Message::Close(_) => return Reply::ClientClosed,
        };
        if text.len() > MAX_CLIENT_FRAME_BYTES {
            return Reply::Frame(ServerFrame::error(WsErrorCode::FrameTooLarge));
        }
        let reply = match serde_json::from_str::<ClientFrame>(text.as_str()) {
            Ok(ClientFrame::Subscribe { topic }) => match self.subscribe(topic.clone()) {
                Ok(()) => ServerFrame::Subscribed { topic },
                Err(()) => ServerFrame::error(WsErrorCode::UnknownTopic),
            },
            Ok(ClientFrame::Unsubscribe { topic }) => {
                if let Some(forwarder) = self.subscriptions.remove(&topic) {
                    forwarder.abort();
                }
                ServerFrame::Unsubscribed { topic }
            }
            Ok(ClientFrame::Ping { nonce }) => ServerFrame::Pong { nonce },
            Err(_) => ServerFrame::error(WsErrorCode::UnknownFrame),
        };
        Reply::Frame(reply)
    }

    fn subscribe(&mut self, topic: Topic) -> Result<(), ()> {
        if self
            .subscriptions
            .get(&topic)
            .is_some_and(|f| !f.is_finished())
        {
            return Ok(());
        }
        if !self.hub.exists(&topic) {
            return Err(());
        }
        // Subscribe before taking the snapshot, so nothing falls between
        // them; the client skips deltas the snapshot already contains.
        let receiver = self.hub.subscribe(&topic);
        if let Some(snapshot) = self.hub.snapshot(&topic)
            && self.outbound.try_send(snapshot).is_err()
        {
            self.too_slow.cancel();
        }
        let forwarder = tokio::spawn(forward(
            receiver,
            self.outbound.clone(),
            self.too_slow.clone(),
        ));
        self.subscriptions.insert(topic, forwarder);
        Ok(())
    }
}

/// Resolves when the session `ended` names is revoked; never without one.
async fn session_ended(ended: Option<(String, broadcast::Receiver<String>)>) {
    let Some((id, mut revoked)) = ended else {
        return std::future::pending().await;
    };
    loop {
        match revoked.recv().await {
            Ok(ended) if ended == id => return,
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return std::future::pending().await,
        }
    }
}

/// Moves one topic's events into the connection's queue. A full queue or a
/// lagging receiver means the client is too slow: it is told to resync.
async fn forward(
    mut events: broadcast::Receiver<Utf8Bytes>,
    queue: mpsc::Sender<Utf8Bytes>,
    too_slow: CancellationToken,
) {
    loop {
        match events.recv().await {
            Ok(bytes) => match queue.try_send(bytes) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => return too_slow.cancel(),
                Err(mpsc::error::TrySendError::Closed(_)) => return,
            },
            Err(broadcast::error::RecvError::Lagged(_)) => return too_slow.cancel(),
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

async fn send_frame<S>(sink: &mut S, frame: &ServerFrame) -> bool
where
    S: futures_util::Sink<Message> + Unpin,
{
    match serde_json::to_string(frame) {
        Ok(json) => sink.send(Message::Text(json.into())).await.is_ok(),
        Err(_) => false,
    }
}
