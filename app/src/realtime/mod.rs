//! Realtime on the page: the typed websocket protocol ([`frames`]) and the
//! [`Realtime`] handle that turns topics into reactive signals. Components call
//! [`use_topic`]; the first subscriber of a topic subscribes on the wire, the
//! last one to go unsubscribes. In the browser a single connection carries every
//! topic and reconnects with backoff (see `client`); on the server the handle is
//! inert and topics render their loading state.

pub mod frames;

#[cfg(feature = "hydrate")]
mod client;

pub use frames::*;

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnStatus {
    Connecting,
    Open,
    Reconnecting,
}

struct TopicSlot {
    subscribers: u32,
    /// The latest event as the server sent it (JSON); see [`use_topic`].
    latest: RwSignal<Option<Arc<str>>>,
}

/// The page's realtime connection state, provided once at the page's root.
#[derive(Clone, Copy)]
pub struct Realtime {
    pub status: RwSignal<ConnStatus>,
    /// Set by [`go_live`] once the page's island has hydrated; only the
    /// browser reads it (the server never connects).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    live: RwSignal<bool>,
    topics: StoredValue<BTreeMap<Topic, TopicSlot>>,
    /// The app root's owner: topic signals belong to it, not to the first
    /// component that subscribed, so they outlive that component while
    /// others (or the next page) still follow the topic.
    owner: StoredValue<Owner>,
}

impl Realtime {
    /// Creates the handle; in the browser, [`Realtime::connect_when_live`]
    /// opens the connection.
    pub fn provide() -> Realtime {
        let realtime = Realtime {
            status: RwSignal::new(ConnStatus::Connecting),
            live: RwSignal::new(false),
            topics: StoredValue::new(BTreeMap::new()),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
        };
        provide_context(realtime);
        realtime
    }

    fn acquire(self, topic: &Topic) -> RwSignal<Option<Arc<str>>> {
        let owner = self.owner.get_value();
        let acquired = self.topics.try_update_value(|topics| {
            let slot = topics.entry(topic.clone()).or_insert_with(|| TopicSlot {
                subscribers: 0,
                latest: owner.with(|| RwSignal::new(None)),
            });
            slot.subscribers += 1;
            (slot.latest, slot.subscribers == 1)
        });
        // The store only disappears with the app root; a signal that never
        // updates is the right degradation if that ever races a late caller.
        let (latest, first) = acquired.unwrap_or_else(|| (RwSignal::new(None), false));
        if first {
            // What it held is from an earlier subscription; the snapshot
            // of this one follows.
            latest.set(None);
            self.send(&ClientFrame::Subscribe {
                topic: topic.clone(),
            });
        }
        latest
    }

    fn release(self, topic: &Topic) {
        let last = self.topics.try_update_value(|topics| {
            topics.get_mut(topic).is_some_and(|slot| {
                slot.subscribers = slot.subscribers.saturating_sub(1);
                slot.subscribers == 0
            })
        });
        if last == Some(true) {
            self.send(&ClientFrame::Unsubscribe {
                topic: topic.clone(),
            });
        }
    }

    /// Opens the page's one connection when [`go_live`] is first called.
    /// Called by the page's root, so the connection's code is in the main
    /// wasm module (every page needs it) and not in the pages' chunks.
    #[cfg(feature = "hydrate")]
    pub fn connect_when_live(self) {
        Effect::new(move |_| {
            if self.live.get() {
                client::start(self);
            }
        });
    }

    /// Opens the page's connection again, at once: after the page's first
    /// order made its session, so the new connection speaks for its user.
    pub fn reconnect(self) {
        #[cfg(feature = "hydrate")]
        client::reconnect();
    }

    /// Asks the server for a fresh snapshot of `topic`, after a gap in its
    /// sequence: subscribing again while subscribed would be a no-op.
    pub fn resync(self, topic: &Topic) {
        self.send(&ClientFrame::Unsubscribe {
            topic: topic.clone(),
        });
        self.send(&ClientFrame::Subscribe {
            topic: topic.clone(),
        });
    }

    /// Topics that currently have subscribers; resubscribed after a reconnect.
    #[cfg(feature = "hydrate")]
    fn active_topics(self) -> Vec<Topic> {
        self.topics.with_value(|topics| {
            topics
                .iter()
                .filter(|(_, slot)| slot.subscribers > 0)
                .map(|(topic, _)| topic.clone())
                .collect()
        })
    }

    #[cfg(feature = "hydrate")]
    fn deliver(self, topic: &Topic, event: &str) {
        if let Some(latest) = self
            .topics
            .with_value(|topics| topics.get(topic).map(|s| s.latest))
        {
            latest.set(Some(Arc::from(event)));
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    fn send(self, frame: &ClientFrame) {
        #[cfg(feature = "hydrate")]
        client::send(frame);
    }
}

/// Says that the calling island, the page's body (each page island calls
/// this first), is live: the connection opens once it has hydrated. The
/// header's island hydrates before the page's, whose wasm may still be
/// loading; opening only now means that the header's "connected" also says
/// the page below it answers clicks. The browser suite waits for that on
/// every page, so a page island that forgot this call fails there.
pub fn go_live() {
    #[cfg(feature = "hydrate")]
    {
        let live = expect_context::<Realtime>().live;
        Effect::new(move |_| live.set(true));
    }
}

/// The latest event of `topic` decoded as `T`, subscribing for as long as
/// the calling component lives. `None` until the first event arrives, and
/// for an event that is not a `T`. Events are decoded here, by the page
/// that wants them, not by the connection: each page's decoders are
/// compiled into that page's code ([`IncomingFrame`]). The signal decodes
/// on every read, so read it once per change (an effect), or use
/// [`use_ticker`].
pub fn use_topic<T: DeserializeOwned + Send + Sync + 'static>(topic: Topic) -> Signal<Option<T>> {
    let realtime = expect_context::<Realtime>();
    let latest = realtime.acquire(&topic);
    on_cleanup(move || realtime.release(&topic));
    Signal::derive(move || {
        latest.with(|json| {
            json.as_deref()
                .and_then(|json| serde_json::from_str(json).ok())
        })
    })
}

/// A symbol's live ticker: `first` (as loaded with the page) until the
/// ticker topic's first event. Decoded once per event, however often read.
pub fn use_ticker(symbol: String, first: Ticker) -> Signal<Ticker> {
    let latest = use_topic::<TickerEvent>(Topic::Ticker { symbol });
    Memo::new(move |_| match latest.get() {
        Some(TickerEvent::Ticker(ticker)) => ticker,
        None => first.clone(),
    })
    .into()
}

/// The server clock topic, unwrapped. Decoded on each read (a few a second):
/// a memo here would cost more wasm than it saves time.
pub fn use_clock() -> Signal<Option<ClockTick>> {
    let latest = use_topic::<ClockEvent>(Topic::Clock);
    Signal::derive(move || latest.get().map(|ClockEvent::Clock(tick)| tick))
}
