//! An account's equity curve: what it was worth at the close of each
//! trading day it has existed (the last [`EQUITY_DAYS`]), and today so far,
//! with the commission and tax its fills paid. Built from the ledger the
//! read models keep, nothing stored for it: today's cash and shares are
//! walked back through the account's fills (each undone at its price, fees
//! and tax included) to each day's close, and valued at that day's closing
//! prices (the stored daily candles; a day a stock did not trade keeps its
//! last close). So the curve always agrees with the fills list and the
//! portfolio, on either database. Only the fills after the oldest day shown
//! are read; the fee and tax totals are summed by the database. Cash or
//! shares moved without a fill after opening (a deposit or grant, which a
//! main account never gets) are not in the walk; an account that had them
//! reads their amount into its earlier points.

use super::{AccountRef, Trading, TradingError};
use crate::exchange::projection::{BalanceRow, FillRow, PositionRow};
use crate::exchange::{Interval, Side, SymbolId, TradingDay};
use crate::storage::{CandleFilter, FillFilter};
use app::trading::{EquityPoint, EquityView};
use std::collections::{BTreeMap, BTreeSet};

/// How many trading days the curve shows at most, today included.
pub const EQUITY_DAYS: i64 = 90;
/// Fills read per query while walking back.
const FILL_PAGE: i64 = 1_000;
/// Reads of the ledger before settling for one a fill changed while it was
/// read (an account trading all the time still gets an answer).
const LEDGER_READS: usize = 4;

/// An account's cash (available and held) and shares (by symbol) at one
/// moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Holdings {
    cash: i64,
    shares: BTreeMap<i64, i64>,
}

impl Holdings {
    fn now(balance: &BalanceRow, positions: &[PositionRow]) -> Holdings {
        Holdings {
            cash: balance.available + balance.held,
            shares: (positions.iter())
                .map(|row| (row.symbol_id, row.available + row.held))
                .collect(),
        }
    }

    /// Goes back to just before `fill`: a buy gives back its cash (price,
    /// commission and tax) and takes back its shares; a sell the opposite.
    fn undo(&mut self, fill: &FillRow) {
        let amount = fill.price * fill.qty;
        let fees = fill.commission + fill.tax;
        let shares = self.shares.entry(fill.symbol_id).or_default();
        match fill.side {
            Side::Buy => {
                self.cash += amount + fees;
                *shares -= fill.qty;
            }
            Side::Sell => {
                self.cash -= amount - fees;
                *shares += fill.qty;
            }
        }
    }

    fn value(&self, day_start: i64, closes: &Closes) -> i64 {
        let shares: i64 = (self.shares.iter())
            .map(|(symbol, qty)| qty * closes.at(*symbol, day_start))
            .sum();
        self.cash + shares
    }
}

/// Each symbol's daily candles as `(day start, open, close)`, oldest first,
/// and the price to use for a symbol with none (its last price now).
#[derive(Default)]
struct Closes {
    days: BTreeMap<i64, Vec<(i64, i64, i64)>>,
    fallback: BTreeMap<i64, i64>,
}

impl Closes {
    /// The price of `symbol` at the close of the day starting at
    /// `day_start`: that day's close, else the last close before it; before
    /// its first candle, that candle's open (the price it sat at until it
    /// first traded); with no candle at all, the fallback.
    fn at(&self, symbol: i64, day_start: i64) -> i64 {
        let days = self.days.get(&symbol).map(Vec::as_slice).unwrap_or(&[]);
        let upto = days.partition_point(|(start, _, _)| *start <= day_start);
        match (upto.checked_sub(1).map(|i| days[i]), days.first()) {
            (Some((_, _, close)), _) => close,
            (None, Some((_, open, _))) => *open,
            (None, None) => self.fallback.get(&symbol).copied().unwrap_or(0),
        }
    }
}

/// The equity at the close of each trading day from `first_day` to the day
/// before `today`, then `now_value` for today; oldest first.
fn walk_back(
    now: Holdings,
    now_value: i64,
    fills_newest_first: &[FillRow],
    day: TradingDay,
    (first_day, today): (i64, i64),
    closes: &Closes,
) -> Vec<EquityPoint> {
    let mut points = vec![EquityPoint {
        day_start_ms: today,
        equity: now_value,
    }];
    let mut holdings = now;
    let mut fills = fills_newest_first.iter().peekable();
    let mut day_start = today;
    while day_start > first_day {
        day_start = day.start_of(day_start - 1);
        let close = day.next_start(day_start);
        while let Some(fill) = fills.next_if(|fill| fill.ts_ms >= close) {
            holdings.undo(fill);
        }
        points.push(EquityPoint {
            day_start_ms: day_start,
            equity: holdings.value(day_start, closes),
        });
    }
    points.reverse();
    points
}

/// What the walk starts from, read as of one moment.
struct Ledger {
    balance: BalanceRow,
    positions: Vec<PositionRow>,
    /// The fills the walk undoes (at or after its oldest close), newest
    /// first.
    fills: Vec<FillRow>,
    /// What all the account's fills paid: commission, tax.
    paid: (i64, i64),
}

impl Trading {
    pub async fn equity(&self, user: i64, which: AccountRef) -> Result<EquityView, TradingError> {
        let Some(account) = self.account_of(user, which).await? else {
            return Ok(self.unopened_equity());
        };
        let id = account.0 as i64;
        let day = self.market.day();
        let now = self.clock.now_ms();
        let today = day.start_of(now);
        let opened = (self.storage.account(id).await?).map_or(now, |row| row.created_ms);
        let oldest_shown = day.start_of(today - (EQUITY_DAYS - 1) * day.length_ms());
        let first_day = day.start_of(opened).max(oldest_shown);
        // Only fills after the oldest day's close are undone: an account
        // that trades all day is read back 90 days, not to its opening.
        let ledger = self
            .consistent_ledger(id, day.next_start(first_day))
            .await?;
        let Ledger {
            balance,
            positions,
            fills,
            paid: (commission_paid, tax_paid),
        } = ledger;
        let now_value = (self.portfolio_view(
            Some(account.0),
            (balance.available, balance.held, balance.deposited),
            &positions,
        ))
        .total_value;
        let held: BTreeSet<i64> = (positions.iter().map(|row| row.symbol_id))
            .chain(fills.iter().map(|fill| fill.symbol_id))
            .collect();
        let closes = self.daily_closes(held).await?;
        Ok(EquityView {
            account_id: Some(account.0),
            points: walk_back(
                Holdings::now(&balance, &positions),
                now_value,
                &fills,
                day,
                (first_day, today),
                &closes,
            ),
            deposited: balance.deposited,
            commission_paid,
            tax_paid,
        })
    }

    /// A main account not opened yet: one point, today, at what it will
    /// open with.
    pub fn unopened_equity(&self) -> EquityView {
        let portfolio = self.unopened_portfolio();
        EquityView {
            account_id: None,
            points: vec![EquityPoint {
                day_start_ms: self.market.day().start_of(self.clock.now_ms()),
                equity: portfolio.total_value,
            }],
            deposited: portfolio.deposited,
            commission_paid: 0,
            tax_paid: 0,
        }
    }

    /// The account's balance, positions, fills since `since` and fee
    /// totals as of one moment: read again if a fill landed while they
    /// were read (the newest fill before and after differ), so the walk
    /// starts from holdings that include exactly the fills it undoes.
    async fn consistent_ledger(&self, id: i64, since: i64) -> Result<Ledger, TradingError> {
        let mut read = None;
        for _ in 0..LEDGER_READS {
            let newest = self.newest_fill(id).await?;
            let ledger = Ledger {
                fills: self.fills_since(id, since).await?,
                balance: self.storage.balance(id).await?.unwrap_or_default(),
                positions: self.storage.positions(id).await?,
                paid: self.storage.fees_paid(id).await?,
            };
            let unchanged = newest == self.newest_fill(id).await?;
            read = Some(ledger);
            if unchanged {
                break;
            }
        }
        Ok(read.expect("LEDGER_READS is not zero"))
    }

    async fn newest_fill(&self, id: i64) -> Result<Option<(i64, i64)>, TradingError> {
        let newest = self.storage.fills(&newest_first(id, None, 1)).await?;
        Ok(newest.first().map(|fill| (fill.seq, fill.n)))
    }

    /// The account's fills at or after `since`, newest first.
    async fn fills_since(&self, id: i64, since: i64) -> Result<Vec<FillRow>, TradingError> {
        let mut fills: Vec<FillRow> = Vec::new();
        let mut after = None;
        loop {
            let page = (self.storage)
                .fills(&newest_first(id, after, FILL_PAGE))
                .await?;
            let done = (page.len() as i64) < FILL_PAGE
                || page.last().is_some_and(|fill| fill.ts_ms < since);
            after = page.last().map(|fill| (fill.seq, fill.n));
            fills.extend(page.into_iter().filter(|fill| fill.ts_ms >= since));
            if done {
                return Ok(fills);
            }
        }
    }

    /// The daily candles of `symbols` back as far as the curve reaches.
    async fn daily_closes(&self, symbols: BTreeSet<i64>) -> Result<Closes, TradingError> {
        let mut closes = Closes::default();
        for symbol in symbols {
            let filter = CandleFilter {
                symbol_id: symbol,
                interval: Interval::Day,
                before: None,
                limit: EQUITY_DAYS + 1,
            };
            let mut candles: Vec<(i64, i64, i64)> = (self.storage.candles(&filter).await?)
                .into_iter()
                .map(|candle| (candle.start_ms, candle.open, candle.close))
                .collect();
            candles.sort_unstable();
            closes.days.insert(symbol, candles);
            let last = self.market.last_price(SymbolId(symbol as u32));
            closes.fallback.insert(symbol, last.unwrap_or(0));
        }
        Ok(closes)
    }
}

fn newest_first(account_id: i64, after: Option<(i64, i64)>, limit: i64) -> FillFilter {
    FillFilter {
        account_id,
        symbol_id: None,
        side: None,
        newest_first: true,
        after,
        limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    /// 2026-11-02 00:00 KST, a day start.
    const D0: i64 = 1_793_545_200_000;

    fn fill(
        side: Side,
        symbol: i64,
        price: i64,
        qty: i64,
        fees: (i64, i64),
        ts_ms: i64,
    ) -> FillRow {
        FillRow {
            account_id: 1,
            seq: ts_ms,
            n: 0,
            order_id: 1,
            symbol_id: symbol,
            side,
            price,
            qty,
            commission: fees.0,
            tax: fees.1,
            maker: false,
            ts_ms,
        }
    }

    #[test]
    fn a_day_start_is_a_day_start() {
        assert_eq!(TradingDay::default().start_of(D0), D0);
        assert_eq!(TradingDay::default().length_ms(), DAY);
    }

    #[test]
    fn undoing_a_fill_gives_back_exactly_what_it_cost_or_brought() {
        let mut holdings = Holdings {
            cash: 1_000_000 - 700_000 - 105,
            shares: BTreeMap::from([(7, 10)]),
        };
        holdings.undo(&fill(Side::Buy, 7, 70_000, 10, (105, 0), D0));
        assert_eq!(holdings.cash, 1_000_000);
        assert_eq!(holdings.shares[&7], 0);

        let mut holdings = Holdings {
            cash: 80_000 * 4 - 48 - 576,
            shares: BTreeMap::from([(7, 6)]),
        };
        holdings.undo(&fill(Side::Sell, 7, 80_000, 4, (48, 576), D0));
        assert_eq!((holdings.cash, holdings.shares[&7]), (0, 10));
    }

    #[test]
    fn closes_carry_over_days_without_trades_and_start_at_the_first_open() {
        let closes = Closes {
            days: BTreeMap::from([(7, vec![(D0 + DAY, 100, 110), (D0 + 3 * DAY, 120, 130)])]),
            fallback: BTreeMap::from([(7, 999), (8, 500)]),
        };
        assert_eq!(closes.at(7, D0), 100, "before its first candle: that open");
        assert_eq!(closes.at(7, D0 + DAY), 110);
        assert_eq!(closes.at(7, D0 + 2 * DAY), 110, "no trade that day");
        assert_eq!(closes.at(7, D0 + 5 * DAY), 130);
        assert_eq!(closes.at(8, D0), 500, "never traded: its price now");
    }

    /// Opened on day 0 with 1,000,000 won; bought 10 at 100 (fee 1) on day
    /// 1, sold 4 at 130 (fee 1, tax 2) on day 3; today is day 4.
    #[test]
    fn the_walk_values_each_days_holdings_at_that_days_close() {
        let day = TradingDay::default();
        let fills = [
            fill(Side::Sell, 7, 130, 4, (1, 2), D0 + 3 * DAY + 5_000),
            fill(Side::Buy, 7, 100, 10, (1, 0), D0 + DAY + 5_000),
        ];
        let cash_now = 1_000_000 - 1_000 - 1 + 520 - 3;
        let now = Holdings {
            cash: cash_now,
            shares: BTreeMap::from([(7, 6)]),
        };
        let closes = Closes {
            days: BTreeMap::from([(
                7,
                vec![
                    (D0 + DAY, 100, 105),
                    (D0 + 2 * DAY, 105, 120),
                    (D0 + 3 * DAY, 120, 130),
                ],
            )]),
            fallback: BTreeMap::new(),
        };
        let today = D0 + 4 * DAY;
        let now_value = cash_now + 6 * 140;
        let points = walk_back(now, now_value, &fills, day, (D0, today), &closes);
        let equity: Vec<(i64, i64)> = (points.iter())
            .map(|point| ((point.day_start_ms - D0) / DAY, point.equity))
            .collect();
        assert_eq!(
            equity,
            [
                (0, 1_000_000),
                (1, 1_000_000 - 1_001 + 10 * 105),
                (2, 1_000_000 - 1_001 + 10 * 120),
                (3, cash_now + 6 * 130),
                (4, now_value),
            ]
        );
    }

    #[test]
    fn an_account_opened_today_has_one_point() {
        let points = walk_back(
            Holdings::default(),
            5,
            &[],
            TradingDay::default(),
            (D0, D0),
            &Closes::default(),
        );
        assert_eq!(
            points,
            [EquityPoint {
                day_start_ms: D0,
                equity: 5
            }]
        );
    }
}
