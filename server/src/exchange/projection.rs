//! Read models derived from the engine's events: each order's current state,
//! each account's fills, balances and positions, and each symbol's candles,
//! as rows the storage layer writes after the journal, for many commits at
//! once (each row in its latest state). Queries (open orders, fills, the
//! portfolio) then read plain tables scoped by account; they wait for the
//! rows of every acknowledged command first (`storage::ReadModelSync`), so
//! a reply is always visible to the next read.
//!
//! Only open orders and per-account totals stay in memory; they are rebuilt
//! by replaying the journal at start, like the engine itself.

use super::candles::{CandleRow, Candles, TradingDay};
use super::command::{OrderType, TimeInForce};
use super::event::{CancelReason, Event};
use super::types::{AccountId, OrderId, Side};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One order as stored: its static terms and where it stands now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub order_id: i64,
    pub account_id: i64,
    pub client_order_id: i64,
    pub symbol_id: i64,
    pub side: Side,
    pub kind: OrderKindRow,
    pub tif: TimeInForce,
    pub price: Option<i64>,
    pub qty: i64,
    pub filled_qty: i64,
    pub remaining_qty: i64,
    pub filled_value: i64,
    pub status: OrderStatusRow,
    pub cancel_reason: Option<CancelReason>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderKindRow {
    Limit,
    Market,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatusRow {
    Open,
    Filled,
    Cancelled,
}

/// One side of one trade, as its account sees it. `(account_id, seq, n)`
/// is unique: `n` counts the trades of the command `seq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FillRow {
    pub account_id: i64,
    pub seq: i64,
    pub n: i64,
    pub order_id: i64,
    pub symbol_id: i64,
    pub side: Side,
    pub price: i64,
    pub qty: i64,
    pub commission: i64,
    pub tax: i64,
    pub maker: bool,
    pub ts_ms: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceRow {
    pub account_id: i64,
    pub available: i64,
    pub held: i64,
    /// Net deposits: everything put in minus everything taken out.
    pub deposited: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PositionRow {
    pub account_id: i64,
    pub symbol_id: i64,
    pub available: i64,
    pub held: i64,
    pub cost: i64,
}

/// The rows one commit changes; each order, balance and position at most
/// once, in its latest state.
#[derive(Debug, Default)]
pub struct RowChanges {
    pub orders: Vec<OrderRow>,
    pub fills: Vec<FillRow>,
    pub balances: Vec<BalanceRow>,
    pub positions: Vec<PositionRow>,
    pub candles: Vec<CandleRow>,
}

/// The projection's lasting state as plain data (see [`Projection::image`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectionImage {
    open: Vec<OrderRow>,
    balances: Vec<BalanceRow>,
    candles: Vec<CandleRow>,
}

#[derive(Default)]
pub struct Projection {
    candles: Candles,
    open: HashMap<OrderId, OrderRow>,
    balances: HashMap<AccountId, BalanceRow>,
    /// Changed since the last [`Projection::take_changes`], latest state.
    orders_changed: HashMap<OrderId, OrderRow>,
    balances_changed: HashMap<AccountId, BalanceRow>,
    positions_changed: HashMap<(AccountId, i64), PositionRow>,
    fills: Vec<FillRow>,
    trades: TradeCounter,
}

impl Projection {
    /// Candles cut by `day`.
    pub fn new(day: TradingDay) -> Projection {
        Projection {
            candles: Candles::new(day),
            ..Projection::default()
        }
    }

    /// The current state of an order touched since the last take, or of
    /// an open one.
    pub fn order(&self, id: OrderId) -> Option<OrderRow> {
        self.orders_changed
            .get(&id)
            .or_else(|| self.open.get(&id))
            .copied()
    }

    pub fn open_orders(&self) -> usize {
        self.open.len()
    }

    /// How many order and fill rows wait for the next take.
    pub fn pending_rows(&self) -> usize {
        self.orders_changed.len() + self.fills.len()
    }

    pub fn apply(&mut self, seq: u64, ts_ms: i64, event: &Event) {
        match *event {
            Event::OrderAccepted {
                order,
                account,
                client_id,
                symbol,
                side,
                order_type,
                tif,
                qty,
            } => {
                let (kind, price) = match order_type {
                    OrderType::Limit(price) => (OrderKindRow::Limit, Some(price)),
                    OrderType::Market => (OrderKindRow::Market, None),
                };
                let row = OrderRow {
                    order_id: order.0 as i64,
                    account_id: account.0 as i64,
                    client_order_id: client_id.0 as i64,
                    symbol_id: i64::from(symbol.0),
                    side,
                    kind,
                    tif,
                    price,
                    qty,
                    filled_qty: 0,
                    remaining_qty: qty,
                    filled_value: 0,
                    status: OrderStatusRow::Open,
                    cancel_reason: None,
                    created_ms: ts_ms,
                    updated_ms: ts_ms,
                };
                self.open.insert(order, row);
                self.orders_changed.insert(order, row);
            }
            Event::Trade {
                symbol,
                price,
                qty,
                maker,
                taker,
                ..
            } => {
                let n = self.trades.next(seq);
                self.candles.trade(symbol, price, qty, ts_ms);
                for order in [taker, maker] {
                    self.update_open(order, ts_ms, |row| {
                        row.filled_qty += qty;
                        row.remaining_qty -= qty;
                        row.filled_value += price * qty;
                    });
                }
                self.fills
                    .extend(trade_fills(seq, n, ts_ms, event).into_iter().flatten());
            }
            Event::OrderFilled { order, .. } => self.close(order, ts_ms, |row| {
                row.status = OrderStatusRow::Filled;
                row.remaining_qty = 0;
            }),
            Event::OrderCancelled { order, reason, .. } => self.close(order, ts_ms, |row| {
                row.status = OrderStatusRow::Cancelled;
                row.cancel_reason = Some(reason);
                row.remaining_qty = 0;
            }),
            Event::OrderAmended {
                order,
                price,
                remaining,
                ..
            } => self.update_open(order, ts_ms, |row| {
                row.price = Some(price);
                row.remaining_qty = remaining;
                row.qty = row.filled_qty + remaining;
            }),
            Event::Balance {
                account,
                available,
                held,
            } => self.update_balance(account, |row| {
                row.available = available;
                row.held = held;
            }),
            Event::Deposited { account, amount } => {
                self.update_balance(account, |row| row.deposited += amount);
            }
            Event::Position { account, .. } => {
                if let Some(row) = position_row(event) {
                    self.positions_changed.insert((account, row.symbol_id), row);
                }
            }
            Event::OrderRejected { .. }
            | Event::Level { .. }
            | Event::Listed { .. }
            | Event::Halted { .. }
            | Event::Resumed { .. }
            | Event::SharesGranted { .. }
            | Event::FeesSet { .. } => {}
        }
    }

    /// An account's cash as of the last applied event, if it has any.
    pub fn balance(&self, account: AccountId) -> Option<BalanceRow> {
        self.balances.get(&account).copied()
    }

    fn update_open(&mut self, order: OrderId, ts_ms: i64, change: impl FnOnce(&mut OrderRow)) {
        if let Some(row) = self.open.get_mut(&order) {
            change(row);
            row.updated_ms = ts_ms;
            self.orders_changed.insert(order, *row);
        }
    }

    fn close(&mut self, order: OrderId, ts_ms: i64, change: impl FnOnce(&mut OrderRow)) {
        if let Some(mut row) = self.open.remove(&order) {
            change(&mut row);
            row.updated_ms = ts_ms;
            self.orders_changed.insert(order, row);
        }
    }

    fn update_balance(&mut self, account: AccountId, change: impl FnOnce(&mut BalanceRow)) {
        let row = self.balances.entry(account).or_insert(BalanceRow {
            account_id: account.0 as i64,
            ..BalanceRow::default()
        });
        change(row);
        self.balances_changed.insert(account, *row);
    }

    /// Everything changed since the last call, ready to write.
    pub fn take_changes(&mut self) -> RowChanges {
        RowChanges {
            orders: self.orders_changed.drain().map(|(_, row)| row).collect(),
            fills: std::mem::take(&mut self.fills),
            balances: self.balances_changed.drain().map(|(_, row)| row).collect(),
            positions: self.positions_changed.drain().map(|(_, row)| row).collect(),
            candles: self.candles.take_changed(),
        }
    }

    /// What replaying the journal so far has built up, without pending
    /// changes (for snapshots, taken when every row is written).
    pub fn image(&self) -> ProjectionImage {
        let mut open: Vec<OrderRow> = self.open.values().copied().collect();
        open.sort_unstable_by_key(|row| row.order_id);
        let mut balances: Vec<BalanceRow> = self.balances.values().copied().collect();
        balances.sort_unstable_by_key(|row| row.account_id);
        ProjectionImage {
            open,
            balances,
            candles: self.candles.current_rows(),
        }
    }

    /// The projection an image was taken of, its candles cut by `day`.
    pub fn from_image(image: &ProjectionImage, day: TradingDay) -> Result<Projection, String> {
        Ok(Projection {
            candles: Candles::restore(day, &image.candles)?,
            open: (image.open.iter())
                .map(|row| (OrderId(row.order_id as u64), *row))
                .collect(),
            balances: (image.balances.iter())
                .map(|row| (AccountId(row.account_id as u64), *row))
                .collect(),
            ..Projection::default()
        })
    }

    /// Forgets pending changes (after a replay, whose rows are already stored).
    pub fn discard_changes(&mut self) {
        self.orders_changed.clear();
        self.balances_changed.clear();
        self.positions_changed.clear();
        self.fills.clear();
        self.candles.discard_changes();
    }
}

/// A position as its `Position` event says it is now; `None` for any other
/// event.
pub fn position_row(event: &Event) -> Option<PositionRow> {
    let Event::Position {
        account,
        symbol,
        available,
        held,
        cost,
    } = *event
    else {
        return None;
    };
    Some(PositionRow {
        account_id: account.0 as i64,
        symbol_id: i64::from(symbol.0),
        available,
        held,
        cost,
    })
}

/// Numbers each command's trades 0, 1, 2, ... in the order they are seen:
/// with the command's sequence number, a fill's stable id (`{seq}-{n}`).
#[derive(Debug, Default)]
pub struct TradeCounter {
    seq: u64,
    n: i64,
}

impl TradeCounter {
    /// The number of the next trade of command `seq`.
    pub fn next(&mut self, seq: u64) -> i64 {
        self.n = if self.seq == seq { self.n + 1 } else { 0 };
        self.seq = seq;
        self.n
    }
}

/// The two sides of a trade as their accounts' fills (taker first); `n`
/// counts the trades of command `seq` before this one. `None` for any
/// other event.
pub fn trade_fills(seq: u64, n: i64, ts_ms: i64, event: &Event) -> Option<[FillRow; 2]> {
    let Event::Trade {
        symbol,
        price,
        qty,
        taker_side,
        maker,
        taker,
        maker_account,
        taker_account,
        buyer_commission,
        seller_commission,
        seller_tax,
    } = *event
    else {
        return None;
    };
    let fill = |order: OrderId, account: AccountId, side: Side, is_maker: bool| {
        let (commission, tax) = match side {
            Side::Buy => (buyer_commission, 0),
            Side::Sell => (seller_commission, seller_tax),
        };
        FillRow {
            account_id: account.0 as i64,
            seq: seq as i64,
            n,
            order_id: order.0 as i64,
            symbol_id: i64::from(symbol.0),
            side,
            price,
            qty,
            commission,
            tax,
            maker: is_maker,
            ts_ms,
        }
    };
    Some([
        fill(taker, taker_account, taker_side, false),
        fill(maker, maker_account, taker_side.opposite(), true),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::command::{ClientOrderId, Command, PlaceOrder, SymbolId};
    use crate::exchange::engine::Engine;
    use crate::exchange::rules::FeeSchedule;

    fn run(commands: &[Command]) -> (Projection, RowChanges) {
        let mut engine = Engine::new(FeeSchedule::default());
        let mut projection = Projection::default();
        let mut events = Vec::new();
        for (i, command) in commands.iter().enumerate() {
            events.clear();
            let executed = engine.execute(command.clone(), &mut events);
            for event in &events {
                projection.apply(executed.seq, 1_000 + i as i64, event);
            }
        }
        let changes = projection.take_changes();
        (projection, changes)
    }

    fn limit(account: u64, client: u64, side: Side, price: i64, qty: i64) -> Command {
        Command::Place(PlaceOrder {
            account: AccountId(account),
            client_id: ClientOrderId(client),
            symbol: SymbolId(0),
            side,
            order_type: OrderType::Limit(price),
            tif: TimeInForce::Gtc,
            qty,
        })
    }

    fn setup() -> Vec<Command> {
        vec![
            Command::List {
                symbol: SymbolId(0),
                reference_price: 10_000,
            },
            Command::Deposit {
                account: AccountId(1),
                amount: 1_000_000,
            },
            Command::Deposit {
                account: AccountId(2),
                amount: 1_000_000,
            },
            Command::GrantShares {
                account: AccountId(2),
                symbol: SymbolId(0),
                qty: 100,
                cost: 900_000,
            },
        ]
    }

    #[test]
    fn a_partial_fill_shows_on_both_orders_and_as_two_fills() {
        let mut commands = setup();
        commands.push(limit(2, 1, Side::Sell, 10_000, 10));
        commands.push(limit(1, 1, Side::Buy, 10_000, 4));
        let (projection, changes) = run(&commands);
        let sell = changes.orders.iter().find(|o| o.account_id == 2).unwrap();
        assert_eq!(
            (sell.filled_qty, sell.remaining_qty, sell.status),
            (4, 6, OrderStatusRow::Open)
        );
        assert_eq!(sell.filled_value, 40_000);
        let buy = changes.orders.iter().find(|o| o.account_id == 1).unwrap();
        assert_eq!((buy.filled_qty, buy.status), (4, OrderStatusRow::Filled));
        assert_eq!(changes.fills.len(), 2);
        let buyer_fill = changes.fills.iter().find(|f| f.account_id == 1).unwrap();
        assert!(!buyer_fill.maker);
        assert_eq!(
            (buyer_fill.side, buyer_fill.commission, buyer_fill.tax),
            (Side::Buy, 6, 0)
        );
        let seller_fill = changes.fills.iter().find(|f| f.account_id == 2).unwrap();
        assert!(seller_fill.maker);
        assert_eq!((seller_fill.commission, seller_fill.tax), (6, 80));
        assert_eq!(
            projection.open_orders(),
            1,
            "only the resting sell stays in memory"
        );
    }

    #[test]
    fn balances_carry_net_deposits_and_the_latest_holds() {
        let mut commands = setup();
        commands.push(limit(1, 1, Side::Buy, 9_000, 10));
        let (_, changes) = run(&commands);
        let buyer = changes.balances.iter().find(|b| b.account_id == 1).unwrap();
        assert_eq!(buyer.deposited, 1_000_000);
        assert_eq!(buyer.held, 90_000 + 13);
        assert_eq!(buyer.available + buyer.held, 1_000_000);
    }

    #[test]
    fn a_cancelled_order_leaves_memory_and_says_why() {
        let mut commands = setup();
        commands.push(limit(1, 1, Side::Buy, 9_000, 10));
        commands.push(Command::Cancel {
            account: AccountId(1),
            order: OrderId(5),
        });
        let (projection, changes) = run(&commands);
        let order = changes.orders.iter().find(|o| o.order_id == 5).unwrap();
        assert_eq!(order.status, OrderStatusRow::Cancelled);
        assert_eq!(order.cancel_reason, Some(CancelReason::Requested));
        assert_eq!(projection.open_orders(), 0);
    }

    #[test]
    fn a_price_change_is_reflected_with_the_quantity_left() {
        let mut commands = setup();
        commands.push(limit(1, 1, Side::Buy, 9_000, 10));
        commands.push(Command::Amend {
            account: AccountId(1),
            order: OrderId(5),
            price: 9_100,
            qty: 7,
        });
        let (_, changes) = run(&commands);
        let order = changes.orders.iter().find(|o| o.order_id == 5).unwrap();
        assert_eq!(
            (order.price, order.qty, order.remaining_qty),
            (Some(9_100), 7, 7)
        );
    }
}
