//! Public market data built from committed exchange events: each symbol's
//! L2 book, tape and ticker. The persister feeds it after every commit
//! ([`CommitObserver`]), so nothing uncommitted is ever shown. Trades go out
//! at once (never conflated); book changes collect per symbol and go out as
//! one delta per tick with a sequence number, so a client can detect a gap
//! and take a fresh snapshot. Candles are kept the same way and go out as
//! the current candle of each width when it changes.

use super::listings::Listings;
use crate::exchange::projection::Projection;
use crate::exchange::{CandleRow, Candles, Event, Interval, Side, SymbolId, TradingDay};
use crate::gateway::CommitObserver;
use crate::realtime::{Hub, TopicSource};
use app::realtime::{
    BookDelta, BookSnapshot, Candle, CandleInterval, Level, Ticker, Topic, TopicEvent, TradePrint,
    TradePrints,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Levels per side in a snapshot; deeper levels still arrive as deltas.
pub const SNAPSHOT_DEPTH: usize = 50;

/// Trades a new `trades` subscriber gets first, so a tape opened mid-session
/// is not empty until the next trade.
pub const RECENT_TRADES: usize = 50;

/// One symbol's market data. Everything but what waits to be published
/// goes into snapshots (`image`).
#[derive(Default, Serialize, Deserialize)]
struct SymbolState {
    listed: bool,
    halted: bool,
    reference: i64,
    /// When the reference was last set: the current trading day's open.
    reference_set_ms: i64,
    lower: i64,
    upper: i64,
    last: Option<i64>,
    high: Option<i64>,
    low: Option<i64>,
    volume: i64,
    turnover: i64,
    bids: BTreeMap<i64, i64>,
    asks: BTreeMap<i64, i64>,
    /// Sequence of the last delta published; snapshots carry it too.
    book_seq: u64,
    #[serde(skip)]
    dirty: BTreeSet<(Side, i64)>,
    #[serde(skip)]
    tape: Vec<TradePrint>,
    /// The last [`RECENT_TRADES`] prints, oldest first (kept across publishes).
    recent: VecDeque<TradePrint>,
    #[serde(skip)]
    ticker_changed: bool,
}

/// What a snapshot keeps of the market data: every symbol's state and the
/// current candles.
#[derive(Serialize, Deserialize)]
struct MarketImage {
    symbols: Vec<(SymbolId, SymbolState)>,
    candles: Vec<CandleRow>,
}

impl SymbolState {
    fn levels(&self, side: Side) -> &BTreeMap<i64, i64> {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn best(&self, side: Side) -> Option<i64> {
        match side {
            Side::Buy => self.bids.keys().next_back().copied(),
            Side::Sell => self.asks.keys().next().copied(),
        }
    }

    /// Takes what changed as one delta, advancing the sequence.
    fn take_delta(&mut self, code: &str) -> Option<BookDelta> {
        if self.dirty.is_empty() {
            return None;
        }
        let mut delta = BookDelta {
            symbol: code.to_owned(),
            seq: self.book_seq + 1,
            prev_seq: self.book_seq,
            bids: Vec::new(),
            asks: Vec::new(),
        };
        for (side, price) in std::mem::take(&mut self.dirty) {
            let qty = self.levels(side).get(&price).copied().unwrap_or(0);
            match side {
                Side::Buy => delta.bids.push(Level { price, qty }),
                Side::Sell => delta.asks.push(Level { price, qty }),
            }
        }
        delta.bids.reverse();
        self.book_seq += 1;
        Some(delta)
    }

    fn ticker(&self, code: &str) -> Ticker {
        let last = self.last.unwrap_or(self.reference);
        let change = last - self.reference;
        Ticker {
            symbol: code.to_owned(),
            last,
            reference: self.reference,
            change,
            change_bp: if self.reference > 0 {
                change * 10_000 / self.reference
            } else {
                0
            },
            high: self.high,
            low: self.low,
            volume: self.volume,
            turnover: self.turnover,
            best_bid: self.best(Side::Buy),
            best_ask: self.best(Side::Sell),
            lower_limit: self.lower,
            upper_limit: self.upper,
            halted: self.halted,
        }
    }
}

/// Applies a `Level` event to an L2 book: `qty` is the new total at
/// `price`, 0 removing the level.
pub fn set_level(
    bids: &mut BTreeMap<i64, i64>,
    asks: &mut BTreeMap<i64, i64>,
    side: Side,
    price: i64,
    qty: i64,
) {
    let levels = match side {
        Side::Buy => bids,
        Side::Sell => asks,
    };
    if qty == 0 {
        levels.remove(&price);
    } else {
        levels.insert(price, qty);
    }
}

/// The exchange's candle width for the protocol's.
pub fn interval_of(interval: CandleInterval) -> Interval {
    match interval {
        CandleInterval::Minute => Interval::Minute,
        CandleInterval::FiveMinutes => Interval::FiveMinutes,
        CandleInterval::Hour => Interval::Hour,
        CandleInterval::Day => Interval::Day,
    }
}

/// A stored or current candle as clients see it.
pub fn candle_view(code: &str, row: &CandleRow) -> Candle {
    Candle {
        symbol: code.to_owned(),
        interval: match row.interval {
            Interval::Minute => CandleInterval::Minute,
            Interval::FiveMinutes => CandleInterval::FiveMinutes,
            Interval::Hour => CandleInterval::Hour,
            Interval::Day => CandleInterval::Day,
        },
        start_ms: row.start_ms,
        open: row.open,
        high: row.high,
        low: row.low,
        close: row.close,
        volume: row.volume,
        turnover: row.turnover,
    }
}

/// Shared by the persister (writer), the publisher task and readers.
pub struct MarketData {
    listings: Arc<Listings>,
    symbols: Mutex<HashMap<SymbolId, SymbolState>>,
    /// Locked after `symbols` when both are needed.
    candles: Mutex<Candles>,
    day: TradingDay,
}

impl MarketData {
    /// Market data for `listings`, with daily candles cut by `day`.
    pub fn new(listings: Arc<Listings>, day: TradingDay) -> MarketData {
        MarketData {
            listings,
            symbols: Mutex::new(HashMap::new()),
            candles: Mutex::new(Candles::new(day)),
            day,
        }
    }

    pub fn listings(&self) -> &Listings {
        &self.listings
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SymbolId, SymbolState>> {
        self.symbols.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How daily candles and the reference price's days are cut.
    pub fn day(&self) -> TradingDay {
        self.day
    }

    fn lock_candles(&self) -> std::sync::MutexGuard<'_, Candles> {
        self.candles.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state as of the last commit, as JSON (for snapshots).
    pub fn image(&self) -> Result<serde_json::Value, serde_json::Error> {
        let symbols = self.lock();
        let candles = self.lock_candles();
        let mut ids: Vec<SymbolId> = symbols.keys().copied().collect();
        ids.sort_unstable();
        // Serialised field by field under the locks, without copying books.
        let entries: Vec<_> = ids.iter().map(|id| (id, &symbols[id])).collect();
        Ok(serde_json::json!({
            "symbols": serde_json::to_value(entries)?,
            "candles": serde_json::to_value(candles.current_rows())?,
        }))
    }

    /// Takes the state an [`MarketData::image`] holds; nothing changes
    /// unless the whole image reads.
    pub fn restore(&self, image: serde_json::Value) -> Result<(), String> {
        let image: MarketImage = serde_json::from_value(image).map_err(|err| err.to_string())?;
        let candles = Candles::restore(self.day, &image.candles)?;
        let mut symbols = self.lock();
        *symbols = image.symbols.into_iter().collect();
        *self.lock_candles() = candles;
        Ok(())
    }

    /// The symbol's latest candle of one width, if it ever traded.
    pub fn candle(&self, symbol: SymbolId, interval: CandleInterval) -> Option<Candle> {
        let code = &self.listings.by_id(symbol)?.code;
        let row = self.lock_candles().current(symbol, interval_of(interval))?;
        Some(candle_view(code, &row))
    }

    /// When the symbol's reference price was last set (its trading day
    /// opened), if it is listed.
    pub fn reference_set_ms(&self, symbol: SymbolId) -> Option<i64> {
        self.lock()
            .get(&symbol)
            .filter(|s| s.listed)
            .map(|s| s.reference_set_ms)
    }

    pub fn is_listed(&self, symbol: SymbolId) -> bool {
        self.lock().get(&symbol).is_some_and(|s| s.listed)
    }

    /// The last trade price, or the reference price before the first trade.
    pub fn last_price(&self, symbol: SymbolId) -> Option<i64> {
        self.lock()
            .get(&symbol)
            .filter(|s| s.listed)
            .map(|s| s.last.unwrap_or(s.reference))
    }

    pub fn ticker(&self, symbol: SymbolId) -> Option<Ticker> {
        let code = &self.listings.by_id(symbol)?.code;
        self.lock()
            .get(&symbol)
            .filter(|s| s.listed)
            .map(|s| s.ticker(code))
    }

    /// The current book, stamped with the last published delta's sequence.
    /// It may already contain changes of the next delta; since deltas carry
    /// absolute level quantities, applying that delta again is harmless.
    pub fn book(&self, symbol: SymbolId, depth: usize) -> Option<BookSnapshot> {
        let code = &self.listings.by_id(symbol)?.code;
        let symbols = self.lock();
        let state = symbols.get(&symbol).filter(|s| s.listed)?;
        Some(BookSnapshot {
            symbol: code.to_owned(),
            seq: state.book_seq,
            bids: state
                .bids
                .iter()
                .rev()
                .take(depth)
                .map(|(&price, &qty)| Level { price, qty })
                .collect(),
            asks: state
                .asks
                .iter()
                .take(depth)
                .map(|(&price, &qty)| Level { price, qty })
                .collect(),
        })
    }

    /// Forgets pending deltas and tape (after replaying history at start).
    pub fn mark_published(&self) {
        for state in self.lock().values_mut() {
            state.dirty.clear();
            state.tape.clear();
            state.ticker_changed = false;
        }
        self.lock_candles().discard_changes();
    }

    /// Publishes the pending deltas and tickers of every symbol. Trades are
    /// published at commit, by [`MarketFeed`].
    pub fn publish_pending(&self, hub: &Hub) {
        let mut out = Vec::new();
        {
            let mut symbols = self.lock();
            for (symbol, state) in symbols.iter_mut() {
                let Some(listing) = self.listings.by_id(*symbol) else {
                    continue;
                };
                if let Some(delta) = state.take_delta(&listing.code) {
                    out.push((
                        Topic::Book {
                            symbol: listing.code.clone(),
                        },
                        TopicEvent::BookDelta(delta),
                    ));
                }
                if std::mem::take(&mut state.ticker_changed) {
                    out.push((
                        Topic::Ticker {
                            symbol: listing.code.clone(),
                        },
                        TopicEvent::Ticker(state.ticker(&listing.code)),
                    ));
                }
            }
        }
        for row in self.lock_candles().take_changed() {
            let Some(listing) = self.listings.by_id(SymbolId(row.symbol_id as u32)) else {
                continue;
            };
            let candle = candle_view(&listing.code, &row);
            out.push((
                Topic::Candles {
                    symbol: candle.symbol.clone(),
                    interval: candle.interval,
                },
                TopicEvent::Candle(candle),
            ));
        }
        for (topic, event) in out {
            hub.publish(topic, event);
        }
    }

    fn apply(&self, events: &[(u64, i64, Event)]) -> Vec<(SymbolId, Vec<TradePrint>)> {
        let mut symbols = self.lock();
        let mut candles = self.lock_candles();
        for (seq, ts_ms, event) in events {
            candles.apply(*ts_ms, event);
            match *event {
                Event::Listed {
                    symbol,
                    reference_price,
                    band,
                } => {
                    let state = symbols.entry(symbol).or_default();
                    state.listed = true;
                    state.reference = reference_price;
                    state.reference_set_ms = *ts_ms;
                    state.lower = band.lower;
                    state.upper = band.upper;
                    // A new reference price starts a new trading day.
                    state.last = None;
                    state.high = None;
                    state.low = None;
                    state.volume = 0;
                    state.turnover = 0;
                    state.ticker_changed = true;
                }
                Event::Halted { symbol } | Event::Resumed { symbol } => {
                    let state = symbols.entry(symbol).or_default();
                    state.halted = matches!(event, Event::Halted { .. });
                    state.ticker_changed = true;
                }
                Event::Level {
                    symbol,
                    side,
                    price,
                    qty,
                } => {
                    let state = symbols.entry(symbol).or_default();
                    set_level(&mut state.bids, &mut state.asks, side, price, qty);
                    state.dirty.insert((side, price));
                    state.ticker_changed = true;
                }
                Event::Trade {
                    symbol,
                    price,
                    qty,
                    taker_side,
                    ..
                } => {
                    let state = symbols.entry(symbol).or_default();
                    state.last = Some(price);
                    state.high = Some(state.high.map_or(price, |h| h.max(price)));
                    state.low = Some(state.low.map_or(price, |l| l.min(price)));
                    state.volume += qty;
                    state.turnover += price * qty;
                    state.ticker_changed = true;
                    let print = TradePrint {
                        seq: *seq,
                        price,
                        qty,
                        taker_buys: taker_side == Side::Buy,
                        ts_ms: *ts_ms,
                    };
                    state.tape.push(print);
                    if state.recent.len() == RECENT_TRADES {
                        state.recent.pop_front();
                    }
                    state.recent.push_back(print);
                }
                _ => {}
            }
        }
        symbols
            .iter_mut()
            .filter(|(_, state)| !state.tape.is_empty())
            .map(|(symbol, state)| (*symbol, std::mem::take(&mut state.tape)))
            .collect()
    }
}

/// The observer the exchange calls after each commit: updates the state
/// and sends the tape at once.
pub struct MarketFeed {
    pub data: Arc<MarketData>,
    pub hub: Arc<Hub>,
}

impl CommitObserver for MarketFeed {
    fn committed(&self, events: &[(u64, i64, Event)], _: &Projection) {
        for (symbol, trades) in self.data.apply(events) {
            if let Some(listing) = self.data.listings.by_id(symbol) {
                self.hub.publish(
                    Topic::Trades {
                        symbol: listing.code.clone(),
                    },
                    TopicEvent::Trades(TradePrints {
                        symbol: listing.code.clone(),
                        trades,
                    }),
                );
            }
        }
    }

    fn image(&self) -> Result<serde_json::Value, String> {
        self.data.image().map_err(|err| err.to_string())
    }

    fn restore(&self, image: serde_json::Value) -> Result<(), String> {
        self.data.restore(image)
    }
}

impl TopicSource for MarketData {
    fn exists(&self, topic: &Topic) -> bool {
        match topic {
            Topic::Clock | Topic::News => true,
            Topic::Book { symbol }
            | Topic::Trades { symbol }
            | Topic::Ticker { symbol }
            | Topic::Candles { symbol, .. } => {
                (self.listings.by_code(symbol)).is_some_and(|l| self.is_listed(l.symbol))
            }
            // Private: authorized per connection, never public.
            Topic::Account { .. } => false,
        }
    }

    fn snapshot(&self, topic: &Topic) -> Option<TopicEvent> {
        match topic {
            Topic::Book { symbol } => {
                let id = self.listings.by_code(symbol)?.symbol;
                self.book(id, SNAPSHOT_DEPTH).map(TopicEvent::BookSnapshot)
            }
            Topic::Ticker { symbol } => {
                let id = self.listings.by_code(symbol)?.symbol;
                self.ticker(id).map(TopicEvent::Ticker)
            }
            Topic::Candles { symbol, interval } => {
                let id = self.listings.by_code(symbol)?.symbol;
                self.candle(id, *interval).map(TopicEvent::Candle)
            }
            Topic::Trades { symbol } => {
                let listing = self.listings.by_code(symbol)?;
                let symbols = self.lock();
                let state = symbols.get(&listing.symbol).filter(|s| s.listed)?;
                Some(TopicEvent::Trades(TradePrints {
                    symbol: listing.code.clone(),
                    trades: state.recent.iter().copied().collect(),
                }))
            }
            Topic::Clock | Topic::News | Topic::Account { .. } => None,
        }
    }
}

/// Publishes book deltas and tickers every `interval` until shutdown.
pub async fn run_publisher(
    data: Arc<MarketData>,
    hub: Arc<Hub>,
    interval: Duration,
    shutdown: CancellationToken,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticker.tick() => data.publish_pending(&hub),
        }
    }
}
