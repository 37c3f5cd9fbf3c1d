//! The websocket protocol, typed once and compiled into both the server and the
//! browser. One connection carries many topics: the client subscribes, the
//! server sends events tagged with their topic. Frames are JSON text.
//!
//! Every enum here is in serde's default, externally tagged form
//! (`{"variant":{...}}`, or `"variant"` when it carries nothing). The
//! internally tagged form (`{"type":"variant",...}`) makes serde buffer each
//! frame into its generic `Content` tree before decoding it, and that
//! buffering code, instantiated for every frame type, was about 50 KB of the
//! browser's wasm (docs/PERFORMANCE.md).

use crate::trading::{AccountSnapshot, AccountUpdate};
use serde::{Deserialize, Serialize};

/// Bumped when a frame changes incompatibly; the server announces it in `Welcome`.
/// Version 2: externally tagged frames instead of `type`/`name`/`kind` fields.
/// Version 3: a topic is one string (`"ticker:100010"`), see [`Topic::key`].
/// Version 4: private account topics (`"account:42"`).
pub const PROTOCOL_VERSION: u32 = 4;

/// Largest client frame the server reads; anything larger is refused.
pub const MAX_CLIENT_FRAME_BYTES: usize = 4 * 1024;

/// A stream of events a client can subscribe to. On the wire a topic is
/// its [`key`](Topic::key), one string such as `"ticker:100010"` or
/// `"candles:100010:5m"`: the browser decodes it with a few lines of
/// parsing, where serde's derived decoder for an enum of structs was about
/// 6 KB of the page's wasm (docs/PERFORMANCE.md).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// Server time and online-user count, once a second.
    Clock,
    /// A snapshot of one symbol's book on subscribe, then depth deltas
    /// (conflated about every 100 ms) with sequence numbers.
    Book { symbol: String },
    /// Every trade of one symbol, never conflated. On subscribe, the most
    /// recent trades (oldest first); a print may then arrive again in the
    /// next event, so clients skip sequence numbers they already have.
    Trades { symbol: String },
    /// Last price, change and volume of one symbol, on subscribe and on change.
    Ticker { symbol: String },
    /// Every news item as it breaks (all companies and sectors).
    News,
    /// One symbol's current candle of one width: on subscribe, then at most
    /// every depth interval while trades change it. History comes from
    /// `GET /api/v1/market/candles`.
    Candles {
        symbol: String,
        interval: CandleInterval,
    },
    /// One account's private stream: a snapshot (cash, positions, open
    /// orders) on subscribe, then an update per commit that changed it.
    /// Only the account's owner may subscribe; anyone else is answered as
    /// for a topic that does not exist.
    Account { account_id: u64 },
}

impl Topic {
    /// The topic's name on the wire: `clock`, `news`, `book:<symbol>`,
    /// `trades:<symbol>`, `ticker:<symbol>`, `candles:<symbol>:<width>` or
    /// `account:<id>`.
    pub fn key(&self) -> String {
        match self {
            Topic::Account { account_id } => format!("account:{account_id}"),
            Topic::Clock => "clock".to_owned(),
            Topic::News => "news".to_owned(),
            Topic::Book { symbol } => format!("book:{symbol}"),
            Topic::Trades { symbol } => format!("trades:{symbol}"),
            Topic::Ticker { symbol } => format!("ticker:{symbol}"),
            Topic::Candles { symbol, interval } => format!("candles:{symbol}:{}", interval.key()),
        }
    }

    /// The topic a [`key`](Topic::key) names; `None` for anything else,
    /// including an empty symbol.
    pub fn parse(key: &str) -> Option<Topic> {
        match key {
            "clock" => return Some(Topic::Clock),
            "news" => return Some(Topic::News),
            _ => {}
        }
        let symbol = |s: &str| (!s.is_empty() && !s.contains(':')).then(|| s.to_owned());
        let (kind, rest) = key.split_once(':')?;
        match kind {
            "book" => symbol(rest).map(|symbol| Topic::Book { symbol }),
            "trades" => symbol(rest).map(|symbol| Topic::Trades { symbol }),
            "ticker" => symbol(rest).map(|symbol| Topic::Ticker { symbol }),
            "account" => rest
                .parse()
                .ok()
                .filter(|_| rest.bytes().all(|b| b.is_ascii_digit()))
                .map(|account_id| Topic::Account { account_id }),
            "candles" => {
                let (symbol_part, width) = rest.split_once(':')?;
                let interval = CandleInterval::parse(width)?;
                symbol(symbol_part).map(|symbol| Topic::Candles { symbol, interval })
            }
            _ => None,
        }
    }
}

impl Topic {
    /// Whether only some callers may follow the topic (their own account),
    /// so each subscription is authorized.
    pub const fn is_private(&self) -> bool {
        matches!(self, Topic::Account { .. })
    }
}

impl Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for Topic {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Topic, D::Error> {
        let key = String::deserialize(deserializer)?;
        Topic::parse(&key).ok_or_else(|| serde::de::Error::custom("unknown topic"))
    }
}

/// Candle widths; `1d` is one trading day (KST calendar day by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum CandleInterval {
    #[serde(rename = "1m")]
    Minute,
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "1d")]
    Day,
}
crate::deserialize_from_word!(CandleInterval { "1m" => Minute, "5m" => FiveMinutes, "1h" => Hour, "1d" => Day });

impl CandleInterval {
    pub const ALL: [CandleInterval; 4] = [
        CandleInterval::Minute,
        CandleInterval::FiveMinutes,
        CandleInterval::Hour,
        CandleInterval::Day,
    ];

    /// The name used in URLs and frames: `1m`, `5m`, `1h`, `1d`.
    pub fn key(self) -> &'static str {
        match self {
            CandleInterval::Minute => "1m",
            CandleInterval::FiveMinutes => "5m",
            CandleInterval::Hour => "1h",
            CandleInterval::Day => "1d",
        }
    }

    pub fn parse(key: &str) -> Option<CandleInterval> {
        CandleInterval::ALL.into_iter().find(|i| i.key() == key)
    }
}

/// One OHLCV candle: trades from `start_ms` until the next candle of the
/// same width. Widths without trades have no candle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candle {
    pub symbol: String,
    pub interval: CandleInterval,
    pub start_ms: i64,
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
    pub volume: i64,
    /// Won traded.
    pub turnover: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientFrame {
    Subscribe {
        topic: Topic,
    },
    Unsubscribe {
        topic: Topic,
    },
    /// Application heartbeat; the server answers `Pong` with the same nonce.
    Ping {
        nonce: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerFrame {
    Welcome {
        protocol: u32,
        server_time_ms: i64,
    },
    Subscribed {
        topic: Topic,
    },
    Unsubscribed {
        topic: Topic,
    },
    Event {
        topic: Topic,
        event: TopicEvent,
    },
    Pong {
        nonce: u64,
    },
    /// The client fell behind on a topic and missed events: re-fetch its snapshot.
    Resync {
        topic: Topic,
    },
    /// This browser's session ended because the user signed in elsewhere
    /// (one session per user); the page goes to the sign-in page. The
    /// connection closes after this frame.
    SignedOut,
    /// The last client frame was refused; the connection stays open.
    Error {
        code: WsErrorCode,
        message_ko: String,
        message_en: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicEvent {
    Clock(ClockTick),
    BookSnapshot(BookSnapshot),
    BookDelta(BookDelta),
    Trades(TradePrints),
    Ticker(Ticker),
    News(NewsView),
    Candle(Candle),
    AccountSnapshot(AccountSnapshot),
    AccountUpdate(AccountUpdate),
}

/// The events an account topic carries, as its page decodes them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountEvent {
    AccountSnapshot(AccountSnapshot),
    AccountUpdate(AccountUpdate),
}

/// A server frame as the browser reads it: the same JSON as [`ServerFrame`],
/// with each event left undecoded. Each subscriber decodes the events of its
/// own topics into the type it needs ([`TopicEvent`], [`TickerEvent`],
/// [`ClockEvent`]), so the decoders of the stock page's events (book,
/// trades, candles, news) are compiled into that page's chunk rather than
/// into every page's main module (docs/PERFORMANCE.md).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomingFrame<'a> {
    Welcome {
        protocol: u32,
    },
    Subscribed(serde::de::IgnoredAny),
    Unsubscribed(serde::de::IgnoredAny),
    Event {
        topic: Topic,
        #[serde(borrow)]
        event: &'a serde_json::value::RawValue,
    },
    Pong(serde::de::IgnoredAny),
    Resync {
        topic: Topic,
    },
    SignedOut,
    Error {
        message_en: String,
    },
}

/// The one kind of event a ticker topic carries.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TickerEvent {
    Ticker(Ticker),
}

/// The one kind of event the clock topic carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockEvent {
    Clock(ClockTick),
}

/// One news item: about a company (`symbol`) or a whole sector (`sector`
/// key), good or bad, with how much it moved the company's value in basis
/// points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsView {
    pub id: i64,
    pub at_ms: i64,
    pub symbol: Option<String>,
    pub sector: Option<String>,
    pub good: bool,
    pub size_bp: i64,
    pub headline_ko: String,
    pub headline_en: String,
}

/// One price level: the total quantity resting at `price`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub price: i64,
    pub qty: i64,
}

/// The book as of `seq`: bids best (highest) first, asks best (lowest) first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookSnapshot {
    pub symbol: String,
    pub seq: u64,
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

/// Levels that changed since `prev_seq`, with their new total (`qty == 0`:
/// the level is gone). Apply only when `prev_seq` is the last applied
/// sequence; on a gap, take a new snapshot (resubscribe).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookDelta {
    pub symbol: String,
    pub seq: u64,
    pub prev_seq: u64,
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradePrint {
    /// The exchange sequence number of the command that traded.
    pub seq: u64,
    pub price: i64,
    pub qty: i64,
    /// True when the incoming order bought (shown red on the tape).
    pub taker_buys: bool,
    pub ts_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradePrints {
    pub symbol: String,
    pub trades: Vec<TradePrint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticker {
    pub symbol: String,
    /// The last trade price, or the reference price before any trade.
    pub last: i64,
    /// The day's reference price (previous close); change is against it.
    pub reference: i64,
    pub change: i64,
    /// Change in basis points of the reference (display only).
    pub change_bp: i64,
    pub high: Option<i64>,
    pub low: Option<i64>,
    /// Shares traded since the reference price was set.
    pub volume: i64,
    /// Won traded since the reference price was set.
    pub turnover: i64,
    pub best_bid: Option<i64>,
    pub best_ask: Option<i64>,
    pub lower_limit: i64,
    pub upper_limit: i64,
    pub halted: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockTick {
    pub server_time_ms: i64,
    /// Open websocket connections on this server.
    pub online: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WsErrorCode {
    /// Not JSON, or not one of the known frame types.
    UnknownFrame,
    /// Larger than [`MAX_CLIENT_FRAME_BYTES`].
    FrameTooLarge,
    /// Binary frames are not part of the protocol.
    BinaryNotSupported,
    /// The topic names something that does not exist (e.g. an unknown symbol).
    UnknownTopic,
}

impl WsErrorCode {
    pub fn messages(self) -> (&'static str, &'static str) {
        match self {
            WsErrorCode::UnknownFrame => {
                ("알 수 없는 메시지 형식입니다.", "Unknown message format.")
            }
            WsErrorCode::FrameTooLarge => ("메시지가 너무 큽니다.", "The message is too large."),
            WsErrorCode::BinaryNotSupported => (
                "바이너리 메시지는 지원하지 않습니다.",
                "Binary messages are not supported.",
            ),
            WsErrorCode::UnknownTopic => (
                "존재하지 않는 종목이나 주제입니다.",
                "No such symbol or topic.",
            ),
        }
    }
}

impl ServerFrame {
    pub fn error(code: WsErrorCode) -> ServerFrame {
        let (ko, en) = code.messages();
        ServerFrame::Error {
            code,
            message_ko: ko.to_owned(),
            message_en: en.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_have_a_stable_json_shape() {
        let frame = ClientFrame::Subscribe {
            topic: Topic::Clock,
        };
        let json = serde_json::to_string(&frame).unwrap();
        assert_eq!(json, r#"{"subscribe":{"topic":"clock"}}"#);
        assert_eq!(serde_json::from_str::<ClientFrame>(&json).unwrap(), frame);
        let book = ClientFrame::Unsubscribe {
            topic: Topic::Book {
                symbol: "100010".into(),
            },
        };
        assert_eq!(
            serde_json::to_string(&book).unwrap(),
            r#"{"unsubscribe":{"topic":"book:100010"}}"#
        );
    }

    #[test]
    fn events_round_trip() {
        let frame = ServerFrame::Event {
            topic: Topic::Clock,
            event: TopicEvent::Clock(ClockTick {
                server_time_ms: 42,
                online: 3,
            }),
        };
        let json = serde_json::to_string(&frame).unwrap();
        assert_eq!(
            json,
            r#"{"event":{"topic":"clock","event":{"clock":{"server_time_ms":42,"online":3}}}}"#
        );
        assert_eq!(serde_json::from_str::<ServerFrame>(&json).unwrap(), frame);
        let signed_out = serde_json::to_string(&ServerFrame::SignedOut).unwrap();
        assert_eq!(signed_out, r#""signed_out""#);
        assert_eq!(
            serde_json::from_str::<ServerFrame>(&signed_out).unwrap(),
            ServerFrame::SignedOut
        );
    }

    #[test]
    fn the_browser_reads_every_server_frame_and_decodes_events_per_topic() {
        let ticker = Ticker {
            symbol: "100010".into(),
            last: 71_900,
            reference: 72_000,
            change: -100,
            change_bp: -13,
            high: Some(72_500),
            low: None,
            volume: 79,
            turnover: 5_680_100,
            best_bid: Some(71_800),
            best_ask: Some(71_900),
            lower_limit: 50_400,
            upper_limit: 93_600,
            halted: false,
        };
        let topic = Topic::Ticker {
            symbol: "100010".into(),
        };
        let event = ServerFrame::Event {
            topic: topic.clone(),
            event: TopicEvent::Ticker(ticker.clone()),
        };
        let json = serde_json::to_string(&event).unwrap();
        let Ok(IncomingFrame::Event { topic: read, event }) = serde_json::from_str(&json) else {
            panic!("{json}");
        };
        assert_eq!(read, topic);
        assert_eq!(
            serde_json::from_str::<TickerEvent>(event.get()).unwrap(),
            TickerEvent::Ticker(ticker.clone())
        );
        assert_eq!(
            serde_json::from_str::<TopicEvent>(event.get()).unwrap(),
            TopicEvent::Ticker(ticker)
        );
        // A ticker decoder refuses another topic's event rather than misreading it.
        let clock = TopicEvent::Clock(ClockTick {
            server_time_ms: 1,
            online: 2,
        });
        let clock = serde_json::to_string(&clock).unwrap();
        assert!(serde_json::from_str::<TickerEvent>(&clock).is_err());
        assert!(matches!(
            serde_json::from_str::<ClockEvent>(&clock),
            Ok(ClockEvent::Clock(ClockTick { online: 2, .. }))
        ));

        let others = [
            ServerFrame::Welcome {
                protocol: PROTOCOL_VERSION,
                server_time_ms: 5,
            },
            ServerFrame::Subscribed { topic: Topic::News },
            ServerFrame::Unsubscribed { topic: Topic::News },
            ServerFrame::Pong { nonce: 9 },
            ServerFrame::Resync {
                topic: Topic::Clock,
            },
            ServerFrame::SignedOut,
            ServerFrame::error(WsErrorCode::UnknownTopic),
        ];
        for frame in others {
            let json = serde_json::to_string(&frame).unwrap();
            let read: IncomingFrame = serde_json::from_str(&json).unwrap();
            let same = match (&frame, read) {
                (ServerFrame::Welcome { protocol, .. }, IncomingFrame::Welcome { protocol: p }) => {
                    *protocol == p
                }
                (ServerFrame::Subscribed { .. }, IncomingFrame::Subscribed(_))
                | (ServerFrame::Unsubscribed { .. }, IncomingFrame::Unsubscribed(_))
                | (ServerFrame::Pong { .. }, IncomingFrame::Pong(_))
                | (ServerFrame::SignedOut, IncomingFrame::SignedOut) => true,
                (ServerFrame::Resync { topic }, IncomingFrame::Resync { topic: t }) => *topic == t,
                (ServerFrame::Error { message_en, .. }, IncomingFrame::Error { message_en: m }) => {
                    *message_en == m
                }
                _ => false,
            };
            assert!(same, "{json}");
        }
        assert!(serde_json::from_str::<IncomingFrame>(r#"{"launch":{}}"#).is_err());
    }

    #[test]
    fn candle_topics_name_their_width_as_in_urls() {
        let topic = Topic::Candles {
            symbol: "100010".into(),
            interval: CandleInterval::FiveMinutes,
        };
        let json = serde_json::to_string(&topic).unwrap();
        assert_eq!(json, r#""candles:100010:5m""#);
        assert_eq!(serde_json::from_str::<Topic>(&json).unwrap(), topic);
        for interval in CandleInterval::ALL {
            assert_eq!(CandleInterval::parse(interval.key()), Some(interval));
        }
    }

    #[test]
    fn every_topic_survives_its_key_and_malformed_keys_name_nothing() {
        let symbol = || "100010".to_owned();
        let mut topics = vec![
            Topic::Clock,
            Topic::News,
            Topic::Book { symbol: symbol() },
            Topic::Trades { symbol: symbol() },
            Topic::Ticker { symbol: symbol() },
            Topic::Account { account_id: 42 },
        ];
        topics.extend(CandleInterval::ALL.map(|interval| Topic::Candles {
            symbol: symbol(),
            interval,
        }));
        for topic in topics {
            assert_eq!(Topic::parse(&topic.key()), Some(topic.clone()), "{topic:?}");
            let json = serde_json::to_string(&topic).unwrap();
            assert_eq!(serde_json::from_str::<Topic>(&json).unwrap(), topic);
        }
        for key in [
            "",
            "clock:",
            "clock:1",
            "news:x",
            "book",
            "book:",
            "ticker:1:2",
            "candles:100010",
            "candles:100010:2m",
            "candles::5m",
            "candles:1:5m:x",
            "Ticker:100010",
            "account:",
            "account:-1",
            "account:+1",
            "account:1:2",
            "account:x",
            "weather",
        ] {
            assert_eq!(Topic::parse(key), None, "{key:?}");
        }
        assert!(serde_json::from_str::<Topic>(r#"{"book":{"symbol":"100010"}}"#).is_err());
        assert!(serde_json::from_str::<Topic>("7").is_err());
    }

    #[test]
    fn unknown_frames_do_not_parse() {
        assert!(serde_json::from_str::<ClientFrame>(r#"{"launch_rockets":{}}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"subscribe"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"subscribe":{"topic":"nope"}}"#).is_err());
    }
}
