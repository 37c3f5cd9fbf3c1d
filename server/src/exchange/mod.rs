//! The exchange core: KRX rules ([`rules`]), per-symbol order books
//! ([`book`]), balances ([`ledger`]) and the single-writer [`Engine`] that
//! owns them all: [`Command`]s in, a [`Reply`] and [`Event`]s out; and the
//! read models the events project to ([`projection`], [`candles`]).
//! Everything here is pure and deterministic (no I/O, no clock), so it runs
//! on one thread at full speed and replays exactly; running it durably is
//! `crate::gateway`'s job.

pub mod book;
pub mod candles;
pub mod command;
pub mod engine;
pub mod event;
pub mod ledger;
pub mod placements;
pub mod projection;
pub mod rules;
pub mod types;

pub use book::{Fill, MatchOutcome, OrderBook, RestingOrder, Taker};
pub use candles::{CandleRow, Candles, Interval, TradingDay};
pub use command::{
    ClientOrderId, Command, OrderType, PlaceOrder, ShareGrant, SymbolId, TimeInForce,
};
pub use engine::{Engine, EngineImage, Executed, OpenOrder};
pub use event::{CancelReason, Event, Reject, Reply};
pub use rules::{FeeSchedule, Price, PriceBand, Qty, Won};
pub use types::{AccountId, OrderId, Side};
