//! One websocket connection, once upgraded (`crate::http` checks the Origin
//! and finds the session first): a single loop that reads client frames,
//! writes queued topic events, and closes the connection when the client
//! is idle, too slow, or the server shuts down. A bad frame is answered
//! with an error frame; the connection stays open. A private topic is
//! authorized per subscription by the connection's [`PrivateTopics`]. When
//! the browser's session ends because its user signed in elsewhere, the
//! client is told (`signed_out`) and the connection closes.

use super::{CLOSE_RESTART, CLOSE_RESYNC, CLOSE_SIGNED_OUT, Hub, SessionEnded, encode};
use app::realtime::{
    ClientFrame, MAX_CLIENT_FRAME_BYTES, PROTOCOL_VERSION, ServerFrame, Topic, TopicEvent,
    WsErrorCode,
};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
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
pub const MAX_WS_MESSAGE_BYTES: usize = 64 * 1024;

/// Private topics one connection follows (or asks for) at most: a person
/// follows their few accounts, and later their notifications and messages.
const MAX_PRIVATE_TOPICS: usize = 16;

/// The private topics one connection's caller may follow (their own
/// accounts; later notifications and direct messages).
#[async_trait::async_trait]
pub trait PrivateTopics: Send + Sync + 'static {
    /// Whether this connection's caller may follow `topic`.
    async fn authorize(&self, topic: &Topic) -> bool;

    /// What a new subscriber sees first; asked after subscribing, so no
    /// event falls between it and the first one forwarded. `None` when it
    /// cannot be read now (the subscription is refused).
    async fn snapshot(&self, topic: &Topic) -> Option<TopicEvent>;
}

#[derive(Clone, Copy)]
pub struct ConnectionSettings {
    /// Frames queued for the client before it is dropped to resync.
    pub queue: usize,
    /// How long a silent client keeps its connection.
    pub idle: Duration,
}

/// Serves one upgraded connection until it closes. `ended` names the
/// session whose revocation closes it; `private` authorizes private topics
/// (`None`: the connection has no caller, and every private topic is
/// refused).
pub async fn serve(
    socket: WebSocket,
    hub: Arc<Hub>,
    settings: ConnectionSettings,
    shutdown: CancellationToken,
    ended: Option<(String, broadcast::Receiver<SessionEnded>)>,
    private: Option<Arc<dyn PrivateTopics>>,
) {
    Connection::new(hub, settings, private)
        .run(socket, shutdown, ended)
        .await
}

struct Connection {
    hub: Arc<Hub>,
    settings: ConnectionSettings,
    private: Option<Arc<dyn PrivateTopics>>,
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
    fn new(
        hub: Arc<Hub>,
        settings: ConnectionSettings,
        private: Option<Arc<dyn PrivateTopics>>,
    ) -> Connection {
        let (outbound, queued) = mpsc::channel(settings.queue);
        Connection {
            hub,
            settings,
            private,
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
        ended: Option<(String, broadcast::Receiver<SessionEnded>)>,
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
                ended = &mut session_ended => match ended {
                    Ended::Elsewhere => match send_frame(&mut sink, &ServerFrame::SignedOut).await {
                        true => Step::Close(CLOSE_SIGNED_OUT, "signed in elsewhere"),
                        false => Step::Gone,
                    },
                    Ended::Closed => Step::Close(CLOSE_RESYNC, "session ended: reconnect"),
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
        for (topic, forwarder) in self.subscriptions.drain() {
            forwarder.abort();
            let _ = forwarder.await;
            self.hub.unsubscribed(&topic);
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
            Ok(ClientFrame::Subscribe { topic }) if topic.is_private() => {
                // Answered by the subscription's own task, once authorized.
                self.subscribe_private(topic);
                return Reply::Nothing;
            }
            Ok(ClientFrame::Subscribe { topic }) => match self.subscribe(topic.clone()) {
                Ok(()) => ServerFrame::Subscribed { topic },
                Err(()) => ServerFrame::error(WsErrorCode::UnknownTopic),
            },
            Ok(ClientFrame::Unsubscribe { topic }) => {
                if let Some(forwarder) = self.subscriptions.remove(&topic) {
                    forwarder.abort();
                    let hub = self.hub.clone();
                    let topic = topic.clone();
                    // Forgotten once the aborted task has dropped its receiver.
                    tokio::spawn(async move {
                        let _ = forwarder.await;
                        hub.unsubscribed(&topic);
                    });
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

impl Connection {
    /// Authorizes, subscribes, sends the snapshot and then forwards, all in
    /// the subscription's task: the authorization and the snapshot may read
    /// the database, and the connection loop must not wait for them. A
    /// refused topic gets the same error as one that does not exist.
    fn subscribe_private(&mut self, topic: Topic) {
        if self
            .subscriptions
            .get(&topic)
            .is_some_and(|f| !f.is_finished())
        {
            let _ = self
                .outbound
                .try_send(frame(&ServerFrame::Subscribed { topic }));
            return;
        }
        // Refused (finished) subscriptions are forgotten, and a connection
        // follows a bounded number of private topics: probing account ids
        // grows nothing.
        let hub = &self.hub;
        self.subscriptions.retain(|topic, task| {
            let done = task.is_finished();
            if done {
                hub.unsubscribed(topic);
            }
            !done
        });
        let private = (self.subscriptions.keys())
            .filter(|topic| topic.is_private())
            .count();
        if private >= MAX_PRIVATE_TOPICS {
            let refused = frame(&ServerFrame::error(WsErrorCode::UnknownTopic));
            let _ = self.outbound.try_send(refused);
            return;
        }
        let (hub, outbound, too_slow) = (
            self.hub.clone(),
            self.outbound.clone(),
            self.too_slow.clone(),
        );
        let private = self.private.clone();
        let task_topic = topic.clone();
        let task = tokio::spawn(async move {
            let topic = task_topic;
            let refuse = || frame(&ServerFrame::error(WsErrorCode::UnknownTopic));
            let Some(private) = private else {
                let _ = outbound.try_send(refuse());
                return;
            };
            if !private.authorize(&topic).await {
                let _ = outbound.try_send(refuse());
                return;
            }
            let receiver = hub.subscribe(&topic);
            let Some(first) = private.snapshot(&topic).await else {
                drop(receiver);
                hub.unsubscribed(&topic);
                let _ = outbound.try_send(refuse());
                return;
            };
            let subscribed = frame(&ServerFrame::Subscribed {
                topic: topic.clone(),
            });
            let snapshot = frame(&ServerFrame::Event {
                topic,
                event: first,
            });
            if outbound.try_send(subscribed).is_err() || outbound.try_send(snapshot).is_err() {
                return too_slow.cancel();
            }
            forward(receiver, outbound, too_slow).await;
        });
        self.subscriptions.insert(topic, task);
    }
}

fn frame(frame: &ServerFrame) -> Utf8Bytes {
    encode(frame.clone()).unwrap_or_else(|| Utf8Bytes::from_static("\"unknown_frame\""))
}

/// Resolves when the session `ended` names ends; never without one.
async fn session_ended(ended: Option<(String, broadcast::Receiver<SessionEnded>)>) -> Ended {
    let Some((id, mut revoked)) = ended else {
        return std::future::pending().await;
    };
    loop {
        match revoked.recv().await {
            Ok(ended) if ended.session == id && ended.elsewhere => return Ended::Elsewhere,
            Ok(ended) if ended.session == id => return Ended::Closed,
            Ok(_) => {}
            // Ends were missed, ours among them perhaps: the client
            // reconnects, and its session is looked at again.
            Err(broadcast::error::RecvError::Lagged(_)) => return Ended::Closed,
            Err(broadcast::error::RecvError::Closed) => return std::future::pending().await,
        }
    }
}

/// How [`session_ended`] ended.
enum Ended {
    /// The user signed in elsewhere: tell the page.
    Elsewhere,
    /// Close; the page reconnects as whoever it is now.
    Closed,
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
