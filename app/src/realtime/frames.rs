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

use serde::{Deserialize, Serialize};

/// Bumped when a frame changes incompatibly; the server announces it in `Welcome`.
/// Version 2: externally tagged frames instead of `type`/`name`/`kind` fields.
pub const PROTOCOL_VERSION: u32 = 2;

/// Largest client frame the server reads; anything larger is refused.
pub const MAX_CLIENT_FRAME_BYTES: usize = 4 * 1024;

/// A stream of events a client can subscribe to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
}

/// Candle widths; `1d` is one trading day (KST calendar day by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
            r#"{"unsubscribe":{"topic":{"book":{"symbol":"100010"}}}}"#
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
    fn candle_topics_name_their_width_as_in_urls() {
        let topic = Topic::Candles {
            symbol: "100010".into(),
            interval: CandleInterval::FiveMinutes,
        };
        let json = serde_json::to_string(&topic).unwrap();
        assert_eq!(json, r#"{"candles":{"symbol":"100010","interval":"5m"}}"#);
        assert_eq!(serde_json::from_str::<Topic>(&json).unwrap(), topic);
        for interval in CandleInterval::ALL {
            assert_eq!(CandleInterval::parse(interval.key()), Some(interval));
        }
    }

    #[test]
    fn unknown_frames_do_not_parse() {
        assert!(serde_json::from_str::<ClientFrame>(r#"{"launch_rockets":{}}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"subscribe"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"subscribe":{"topic":"nope"}}"#).is_err());
    }
}
