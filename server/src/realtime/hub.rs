//! Topic channels and the count of open connections. A topic's channel is
//! made by its first subscriber and dropped with its last, so topics of
//! which there are many (one per account) cost nothing while nobody
//! follows them; events are encoded to JSON once per publish.

use app::realtime::{ServerFrame, Topic, TopicEvent};
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// Events buffered per topic for a subscriber that is momentarily behind.
const TOPIC_BUFFER: usize = 64;

/// Knows which public topics exist and what a new subscriber should see
/// first.
pub trait TopicSource: Send + Sync + 'static {
    fn exists(&self, topic: &Topic) -> bool;

    /// What a new subscriber sees first; `None` when the topic's events
    /// stand alone.
    fn snapshot(&self, topic: &Topic) -> Option<TopicEvent>;
}

#[derive(Default)]
pub struct Hub {
    topics: Mutex<HashMap<Topic, broadcast::Sender<Utf8Bytes>>>,
    online: Arc<AtomicU32>,
    sources: std::sync::OnceLock<Arc<dyn TopicSource>>,
}

impl Hub {
    /// Installs the market's topic source (once, at start).
    pub fn set_source(&self, source: Arc<dyn TopicSource>) {
        let _ = self.sources.set(source);
    }

    /// Whether a client may subscribe to `topic`; unknown topics are
    /// refused so that clients cannot make the hub grow without bound.
    pub fn exists(&self, topic: &Topic) -> bool {
        match topic {
            Topic::Clock => true,
            other => self.sources.get().is_some_and(|s| s.exists(other)),
        }
    }

    /// The encoded first frame for a new subscriber of a public `topic`,
    /// if any.
    pub fn snapshot(&self, topic: &Topic) -> Option<Utf8Bytes> {
        let event = self.sources.get()?.snapshot(topic)?;
        encode(ServerFrame::Event {
            topic: topic.clone(),
            event,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Topic, broadcast::Sender<Utf8Bytes>>> {
        self.topics.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Follows `topic`; call [`Hub::unsubscribed`] once the receiver is
    /// dropped, so a topic nobody follows any more is forgotten.
    pub fn subscribe(&self, topic: &Topic) -> broadcast::Receiver<Utf8Bytes> {
        let mut topics = self.lock();
        topics
            .entry(topic.clone())
            .or_insert_with(|| broadcast::channel(TOPIC_BUFFER).0)
            .subscribe()
    }

    /// Forgets `topic` if nobody follows it any more.
    pub fn unsubscribed(&self, topic: &Topic) {
        let mut topics = self.lock();
        if topics
            .get(topic)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            topics.remove(topic);
        }
    }

    /// Whether anyone follows `topic`: publishers skip building events
    /// nobody would receive.
    pub fn has_subscribers(&self, topic: &Topic) -> bool {
        self.lock()
            .get(topic)
            .is_some_and(|sender| sender.receiver_count() > 0)
    }

    /// Which of `accounts` someone follows (their private topic), with one
    /// look at the topics.
    pub fn followed_accounts(&self, accounts: &[u64]) -> Vec<u64> {
        let topics = self.lock();
        (accounts.iter().copied())
            .filter(|&account_id| {
                (topics.get(&Topic::Account { account_id }))
                    .is_some_and(|sender| sender.receiver_count() > 0)
            })
            .collect()
    }

    /// Encodes the event once and hands it to every subscriber of its topic.
    /// Returns how many subscribers received it; nothing is encoded for none.
    pub fn publish(&self, topic: Topic, event: TopicEvent) -> usize {
        let Some(sender) = self.lock().get(&topic).cloned() else {
            return 0;
        };
        if sender.receiver_count() == 0 {
            return 0;
        }
        match encode(ServerFrame::Event { topic, event }) {
            Some(bytes) => sender.send(bytes).unwrap_or(0),
            None => 0,
        }
    }

    /// How many topics have a channel now (subscribed, or not yet
    /// forgotten).
    pub fn topic_count(&self) -> usize {
        self.lock().len()
    }

    pub fn online(&self) -> u32 {
        self.online.load(Ordering::Relaxed)
    }

    /// Counts a connection as online until the guard is dropped.
    pub fn connect(&self) -> OnlineGuard {
        self.online.fetch_add(1, Ordering::Relaxed);
        OnlineGuard(self.online.clone())
    }
}

pub fn encode(frame: ServerFrame) -> Option<Utf8Bytes> {
    match serde_json::to_string(&frame) {
        Ok(json) => Some(Utf8Bytes::from(json)),
        Err(err) => {
            tracing::error!(%err, "cannot encode a realtime frame");
            None
        }
    }
}

pub struct OnlineGuard(Arc<AtomicU32>);

impl Drop for OnlineGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::realtime::ClockTick;

    fn tick(ms: i64) -> TopicEvent {
        TopicEvent::Clock(ClockTick {
            server_time_ms: ms,
            online: 0,
        })
    }

    #[tokio::test]
    async fn every_subscriber_gets_the_same_encoded_bytes() {
        let hub = Hub::default();
        let mut a = hub.subscribe(&Topic::Clock);
        let mut b = hub.subscribe(&Topic::Clock);
        assert_eq!(hub.publish(Topic::Clock, tick(7)), 2);
        let (a, b) = (a.recv().await.unwrap(), b.recv().await.unwrap());
        assert_eq!(a, b);
        let frame: ServerFrame = serde_json::from_str(a.as_str()).unwrap();
        assert_eq!(
            frame,
            ServerFrame::Event {
                topic: Topic::Clock,
                event: tick(7)
            }
        );
    }

    #[test]
    fn publishing_without_subscribers_costs_nothing() {
        let hub = Hub::default();
        assert_eq!(hub.publish(Topic::Clock, tick(1)), 0);
        assert_eq!(hub.topic_count(), 0, "publishing makes no topic");
    }

    #[test]
    fn a_topic_is_forgotten_with_its_last_subscriber() {
        let hub = Hub::default();
        let topic = Topic::Account { account_id: 7 };
        let first = hub.subscribe(&topic);
        let second = hub.subscribe(&topic);
        assert!(hub.has_subscribers(&topic));
        drop(first);
        hub.unsubscribed(&topic);
        assert!(hub.has_subscribers(&topic), "one subscriber is left");
        drop(second);
        hub.unsubscribed(&topic);
        assert!(!hub.has_subscribers(&topic));
        assert_eq!(hub.topic_count(), 0);
    }

    #[test]
    fn online_count_follows_guards() {
        let hub = Hub::default();
        let first = hub.connect();
        let second = hub.connect();
        assert_eq!(hub.online(), 2);
        drop(first);
        assert_eq!(hub.online(), 1);
        drop(second);
        assert_eq!(hub.online(), 0);
    }
}
