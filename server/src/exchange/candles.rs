//! OHLCV candles (1 minute, 5 minutes, 1 hour, one trading day) built from
//! trades, and the trading day they are cut by. The same [`Candles`] runs
//! in the persister, which writes each changed candle (also one that ended
//! since the last write) with the read-model rows, and in market data,
//! which streams the current candles live; both are fed the committed
//! events in order, so they agree.
//!
//! Buckets come from the trade's timestamp. Timestamps are stamped at
//! submission, so two commands may commit a few milliseconds out of order;
//! a trade never reopens an older bucket but joins the current one, which
//! keeps each series strictly ascending and every stored candle final once
//! the next one starts.

use super::command::SymbolId;
use super::event::Event;
use super::rules::{Price, Qty};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Korea Standard Time is UTC+9 all year (no daylight saving).
pub const KST_OFFSET_MS: i64 = 9 * 3_600_000;

const MINUTE_MS: i64 = 60_000;

/// The candle widths served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Interval {
    #[serde(rename = "1m")]
    Minute,
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    Hour,
    /// One trading day ([`TradingDay`]).
    #[serde(rename = "1d")]
    Day,
}

impl Interval {
    pub const ALL: [Interval; 4] = [
        Interval::Minute,
        Interval::FiveMinutes,
        Interval::Hour,
        Interval::Day,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Interval::Minute => "1m",
            Interval::FiveMinutes => "5m",
            Interval::Hour => "1h",
            Interval::Day => "1d",
        }
    }

    pub fn parse(key: &str) -> Option<Interval> {
        Interval::ALL.into_iter().find(|i| i.key() == key)
    }

    /// The start of the bucket holding `ts_ms`. Hours and minutes are
    /// whole in KST as in UTC, so only the day needs the offset.
    pub fn bucket(self, day: TradingDay, ts_ms: i64) -> i64 {
        let width = match self {
            Interval::Minute => MINUTE_MS,
            Interval::FiveMinutes => 5 * MINUTE_MS,
            Interval::Hour => 60 * MINUTE_MS,
            Interval::Day => return day.start_of(ts_ms),
        };
        ts_ms.div_euclid(width) * width
    }
}

/// How trading is cut into days: each day starts at KST midnight (or at
/// a multiple of its length after it), and its close is the next day's
/// reference price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradingDay {
    length_ms: i64,
}

impl Default for TradingDay {
    /// The KST calendar day.
    fn default() -> Self {
        TradingDay {
            length_ms: 24 * 60 * MINUTE_MS,
        }
    }
}

impl TradingDay {
    /// A day of `length_ms` (at least one second).
    pub fn new(length_ms: i64) -> TradingDay {
        TradingDay {
            length_ms: length_ms.max(1_000),
        }
    }

    /// When the trading day holding `ts_ms` started (Unix ms).
    pub fn start_of(self, ts_ms: i64) -> i64 {
        (ts_ms + KST_OFFSET_MS).div_euclid(self.length_ms) * self.length_ms - KST_OFFSET_MS
    }

    /// How long a trading day is.
    pub fn length_ms(self) -> i64 {
        self.length_ms
    }

    /// When the next trading day after the one holding `ts_ms` starts.
    pub fn next_start(self, ts_ms: i64) -> i64 {
        self.start_of(ts_ms) + self.length_ms
    }
}

/// One candle as stored and served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandleRow {
    pub symbol_id: i64,
    pub interval: Interval,
    pub start_ms: i64,
    pub open: Price,
    pub high: Price,
    pub low: Price,
    pub close: Price,
    pub volume: Qty,
    /// Sum of price × quantity: the won traded.
    pub turnover: i64,
}

/// The latest candle of every symbol and width, and which changed.
#[derive(Debug, Default)]
pub struct Candles {
    day: TradingDay,
    current: BTreeMap<(SymbolId, Interval), CandleRow>,
    changed: BTreeSet<(SymbolId, Interval)>,
    /// Changed candles a newer bucket replaced before they were taken, in
    /// their final state (rows are written for many commits at once, so a
    /// minute can end between two writes).
    finished: Vec<CandleRow>,
}

impl Candles {
    pub fn new(day: TradingDay) -> Candles {
        Candles {
            day,
            ..Candles::default()
        }
    }

    /// Folds a committed event in; only trades matter.
    pub fn apply(&mut self, ts_ms: i64, event: &Event) {
        if let Event::Trade {
            symbol, price, qty, ..
        } = *event
        {
            self.trade(symbol, price, qty, ts_ms);
        }
    }

    pub fn trade(&mut self, symbol: SymbolId, price: Price, qty: Qty, ts_ms: i64) {
        for interval in Interval::ALL {
            let start = interval.bucket(self.day, ts_ms);
            let fresh = CandleRow {
                symbol_id: i64::from(symbol.0),
                interval,
                start_ms: start,
                open: price,
                high: price,
                low: price,
                close: price,
                volume: qty,
                turnover: price * qty,
            };
            let key = (symbol, interval);
            match self.current.get_mut(&key) {
                Some(candle) if start > candle.start_ms => {
                    if self.changed.contains(&key) {
                        self.finished.push(*candle);
                    }
                    *candle = fresh;
                }
                Some(candle) => {
                    candle.high = candle.high.max(price);
                    candle.low = candle.low.min(price);
                    candle.close = price;
                    candle.volume += qty;
                    candle.turnover += price * qty;
                }
                None => {
                    self.current.insert(key, fresh);
                }
            }
            self.changed.insert(key);
        }
    }

    pub fn current(&self, symbol: SymbolId, interval: Interval) -> Option<CandleRow> {
        self.current.get(&(symbol, interval)).copied()
    }

    /// The candles changed since the last call, in their latest state:
    /// those that ended meanwhile first, then the current ones.
    pub fn take_changed(&mut self) -> Vec<CandleRow> {
        let mut rows = std::mem::take(&mut self.finished);
        rows.extend(
            std::mem::take(&mut self.changed)
                .into_iter()
                .filter_map(|key| self.current.get(&key).copied()),
        );
        rows
    }

    /// Forgets what changed (after a replay, whose candles are stored).
    pub fn discard_changes(&mut self) {
        self.changed.clear();
        self.finished.clear();
    }

    /// Every current candle, by symbol and width (for snapshots).
    pub fn current_rows(&self) -> Vec<CandleRow> {
        self.current.values().copied().collect()
    }

    /// Candles cut by `day` whose current ones are `rows`, nothing changed.
    pub fn restore(day: TradingDay, rows: &[CandleRow]) -> Result<Candles, String> {
        let mut current = BTreeMap::new();
        for row in rows {
            let symbol = u32::try_from(row.symbol_id)
                .map_err(|_| format!("candle of symbol {} out of range", row.symbol_id))?;
            current.insert((SymbolId(symbol), row.interval), *row);
        }
        Ok(Candles {
            day,
            current,
            ..Candles::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYM: SymbolId = SymbolId(3);
    /// 2026-11-21 00:00 KST = 2026-11-20 15:00 UTC.
    const KST_MIDNIGHT: i64 = 1_795_186_800_000;

    #[test]
    fn a_day_starts_at_kst_midnight_and_shorter_days_divide_it() {
        let day = TradingDay::default();
        assert_eq!(day.start_of(KST_MIDNIGHT), KST_MIDNIGHT);
        assert_eq!(day.start_of(KST_MIDNIGHT - 1), KST_MIDNIGHT - 86_400_000);
        assert_eq!(day.start_of(KST_MIDNIGHT + 86_399_999), KST_MIDNIGHT);
        assert_eq!(day.next_start(KST_MIDNIGHT + 5), KST_MIDNIGHT + 86_400_000);
        let hourly = TradingDay::new(3_600_000);
        assert_eq!(
            hourly.start_of(KST_MIDNIGHT + 3 * 3_600_000 + 17),
            KST_MIDNIGHT + 3 * 3_600_000
        );
        let shortest = TradingDay::new(0);
        assert_eq!(
            shortest.next_start(KST_MIDNIGHT) - shortest.start_of(KST_MIDNIGHT),
            1_000,
            "never zero"
        );
    }

    #[test]
    fn buckets_align_to_their_width() {
        let day = TradingDay::default();
        let ts = KST_MIDNIGHT + 7 * 3_600_000 + 23 * 60_000 + 41_500;
        assert_eq!(
            Interval::Minute.bucket(day, ts),
            KST_MIDNIGHT + 7 * 3_600_000 + 23 * 60_000
        );
        assert_eq!(
            Interval::FiveMinutes.bucket(day, ts),
            KST_MIDNIGHT + 7 * 3_600_000 + 20 * 60_000
        );
        assert_eq!(Interval::Hour.bucket(day, ts), KST_MIDNIGHT + 7 * 3_600_000);
        assert_eq!(Interval::Day.bucket(day, ts), KST_MIDNIGHT);
        for interval in Interval::ALL {
            assert_eq!(Interval::parse(interval.key()), Some(interval));
        }
        assert_eq!(Interval::parse("2m"), None);
    }

    #[test]
    fn trades_build_ohlcv_and_a_new_bucket_starts_a_new_candle() {
        let mut candles = Candles::new(TradingDay::default());
        let t = KST_MIDNIGHT + 10_000;
        candles.trade(SYM, 10_000, 5, t);
        candles.trade(SYM, 10_200, 1, t + 1_000);
        candles.trade(SYM, 9_900, 2, t + 2_000);
        candles.trade(SYM, 10_050, 3, t + 3_000);
        let minute = candles.current(SYM, Interval::Minute).unwrap();
        assert_eq!(
            (minute.open, minute.high, minute.low, minute.close),
            (10_000, 10_200, 9_900, 10_050)
        );
        assert_eq!(minute.volume, 11);
        assert_eq!(minute.turnover, 50_000 + 10_200 + 19_800 + 30_150);
        assert_eq!(candles.take_changed().len(), 4, "one per width");
        assert!(candles.take_changed().is_empty());

        candles.trade(SYM, 10_100, 1, t + 60_000);
        let next = candles.current(SYM, Interval::Minute).unwrap();
        assert_eq!(
            (next.start_ms, next.open, next.volume),
            (KST_MIDNIGHT + 60_000, 10_100, 1)
        );
        let day = candles.current(SYM, Interval::Day).unwrap();
        assert_eq!((day.open, day.close, day.volume), (10_000, 10_100, 12));
    }

    #[test]
    fn a_candle_that_ends_before_it_is_taken_is_still_taken_in_its_final_state() {
        let mut candles = Candles::new(TradingDay::default());
        let t = KST_MIDNIGHT + 10_000;
        candles.trade(SYM, 10_000, 5, t);
        candles.trade(SYM, 10_200, 1, t + 1_000);
        candles.trade(SYM, 10_100, 2, t + 60_000);
        let minutes: Vec<_> = candles
            .take_changed()
            .into_iter()
            .filter(|row| row.interval == Interval::Minute)
            .map(|row| (row.start_ms, row.open, row.close, row.volume))
            .collect();
        assert_eq!(
            minutes,
            [
                (KST_MIDNIGHT, 10_000, 10_200, 6),
                (KST_MIDNIGHT + 60_000, 10_100, 10_100, 2)
            ]
        );
        candles.trade(SYM, 10_300, 1, t + 120_000);
        assert_eq!(
            candles.take_changed().len(),
            4,
            "a candle already taken is not taken again when it ends"
        );
        candles.trade(SYM, 10_300, 1, t + 180_000);
        candles.discard_changes();
        assert!(candles.take_changed().is_empty());
    }

    #[test]
    fn a_late_timestamp_joins_the_current_candle_instead_of_reopening_one() {
        let mut candles = Candles::new(TradingDay::default());
        candles.trade(SYM, 10_000, 1, KST_MIDNIGHT + 60_000);
        candles.trade(SYM, 10_500, 1, KST_MIDNIGHT + 59_998);
        let minute = candles.current(SYM, Interval::Minute).unwrap();
        assert_eq!(minute.start_ms, KST_MIDNIGHT + 60_000);
        assert_eq!((minute.close, minute.volume), (10_500, 2));
    }
}
