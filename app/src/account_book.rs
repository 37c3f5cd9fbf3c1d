//! One account as the browser keeps it from its private stream
//! (`account:<id>`): the snapshot, then each update applied in order. An
//! update that does not follow what was applied means one was missed; the
//! caller then asks for a new snapshot. Updates carry whole states (an
//! order, the cash, a position as they are now), so one that arrives again
//! changes nothing. Pure, so the rules are tested natively; the pages use
//! it through [`use_account`].

use crate::realtime::{AccountEvent, Topic};
use crate::trading::{
    AccountSnapshot, AccountUpdate, CashView, OrderStatus, OrderView, PositionView,
};
use leptos::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountBook {
    pub account_id: u64,
    /// Everything through this sequence number is in the book.
    pub seq: u64,
    pub cash: CashView,
    /// Positions with shares, by symbol code.
    pub positions: BTreeMap<String, PositionView>,
    /// Open orders (partly filled ones too), by order id.
    pub open_orders: BTreeMap<u64, OrderView>,
}

/// What applying an update asks of the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The book changed.
    Changed,
    /// Already in the book: nothing to do.
    Stale,
    /// An update was missed: take a new snapshot.
    Gap,
}

impl AccountBook {
    pub fn from_snapshot(snapshot: &AccountSnapshot) -> AccountBook {
        let mut book = AccountBook {
            account_id: snapshot.account_id,
            seq: snapshot.seq,
            cash: snapshot.cash,
            ..AccountBook::default()
        };
        for position in &snapshot.positions {
            book.set_position(position);
        }
        for order in &snapshot.open_orders {
            book.set_order(order);
        }
        book
    }

    pub fn apply(&mut self, update: &AccountUpdate) -> Applied {
        if update.seq <= self.seq {
            return Applied::Stale;
        }
        // The update's predecessor must be in the book already: the
        // snapshot may be later than it, never earlier.
        if update.prev_seq > self.seq {
            return Applied::Gap;
        }
        if let Some(cash) = update.cash {
            self.cash = cash;
        }
        for position in &update.positions {
            self.set_position(position);
        }
        for order in &update.orders {
            self.set_order(order);
        }
        self.seq = update.seq;
        Applied::Changed
    }

    fn set_position(&mut self, position: &PositionView) {
        if position.available + position.held > 0 {
            self.positions
                .insert(position.symbol.clone(), position.clone());
        } else {
            self.positions.remove(&position.symbol);
        }
    }

    fn set_order(&mut self, order: &OrderView) {
        if order.status == OrderStatus::Open {
            self.open_orders.insert(order.order_id, order.clone());
        } else {
            self.open_orders.remove(&order.order_id);
        }
    }

    /// Shares of `symbol` available to sell.
    pub fn shares_available(&self, symbol: &str) -> i64 {
        self.positions.get(symbol).map_or(0, |p| p.available)
    }
}

/// An account's live state in the page: `book` follows the account's
/// stream while `account` names one, `update` is the last update applied
/// (the history lists fold it in).
#[derive(Clone, Copy)]
pub struct AccountStream {
    pub book: RwSignal<Option<AccountBook>>,
    pub update: RwSignal<Option<AccountUpdate>>,
}

/// Follows the private stream of the account `account` names, for as long
/// as the calling component lives; a page learns its account from its
/// first data or from a first order's acknowledgement, so `account` may
/// name one later.
pub fn use_account(account: Signal<Option<u64>>) -> AccountStream {
    let stream = AccountStream {
        book: RwSignal::new(None),
        update: RwSignal::new(None),
    };
    Effect::new(move |_| {
        let Some(account_id) = account.get() else {
            return;
        };
        let topic = Topic::Account { account_id };
        let latest = crate::realtime::use_topic::<AccountEvent>(topic.clone());
        Effect::new(move |_| match latest.get() {
            Some(AccountEvent::AccountSnapshot(snapshot)) => {
                stream.book.set(Some(AccountBook::from_snapshot(&snapshot)));
            }
            Some(AccountEvent::AccountUpdate(update)) => {
                let applied = stream
                    .book
                    .try_update(|book| book.as_mut().map(|book| book.apply(&update)))
                    .flatten();
                match applied {
                    Some(Applied::Changed) => stream.update.set(Some(update)),
                    Some(Applied::Gap) => {
                        expect_context::<crate::realtime::Realtime>().resync(&topic)
                    }
                    // Before the snapshot (it will contain this), or stale.
                    Some(Applied::Stale) | None => {}
                }
            }
            None => {}
        });
    });
    stream
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trading::{OrderKind, OrderSide, TimeInForce};

    fn order(id: u64, status: OrderStatus, filled: i64) -> OrderView {
        OrderView {
            order_id: id,
            account_id: 7,
            client_order_id: id,
            symbol: "100010".into(),
            side: OrderSide::Sell,
            kind: OrderKind::Limit,
            tif: TimeInForce::Gtc,
            price: Some(72_000),
            qty: 10,
            filled_qty: filled,
            remaining_qty: 10 - filled,
            filled_value: filled * 72_000,
            status,
            cancel_reason: None,
            created_ms: 1,
            updated_ms: 1,
        }
    }

    fn position(available: i64, held: i64) -> PositionView {
        PositionView {
            symbol: "100010".into(),
            available,
            held,
            cost: (available + held) * 70_000,
        }
    }

    fn snapshot() -> AccountSnapshot {
        AccountSnapshot {
            account_id: 7,
            seq: 10,
            cash: CashView {
                available: 1_000,
                held: 0,
                deposited: 1_000,
            },
            positions: vec![position(90, 10)],
            open_orders: vec![order(5, OrderStatus::Open, 0)],
        }
    }

    fn update(seq: u64, prev_seq: u64) -> AccountUpdate {
        AccountUpdate {
            account_id: 7,
            seq,
            prev_seq,
            orders: vec![order(5, OrderStatus::Open, 4)],
            fills: Vec::new(),
            cash: Some(CashView {
                available: 288_000,
                held: 0,
                deposited: 1_000,
            }),
            positions: vec![position(90, 6)],
        }
    }

    #[test]
    fn an_update_after_the_snapshot_changes_orders_cash_and_positions() {
        let mut book = AccountBook::from_snapshot(&snapshot());
        // Its predecessor (seq 8) is older than the snapshot.
        assert_eq!(book.apply(&update(12, 8)), Applied::Changed);
        assert_eq!(book.seq, 12);
        assert_eq!(book.cash.available, 288_000);
        assert_eq!(book.open_orders[&5].filled_qty, 4);
        assert_eq!(book.positions["100010"].held, 6);
        // Again: already in.
        assert_eq!(book.apply(&update(12, 8)), Applied::Stale);
        // Older than the snapshot: already in.
        assert_eq!(book.apply(&update(9, 3)), Applied::Stale);
    }

    #[test]
    fn a_missed_update_asks_for_a_new_snapshot_and_changes_nothing() {
        let mut book = AccountBook::from_snapshot(&snapshot());
        let before = book.clone();
        assert_eq!(book.apply(&update(15, 13)), Applied::Gap);
        assert_eq!(book, before);
    }

    #[test]
    fn a_closed_order_and_an_empty_position_leave_the_book() {
        let mut book = AccountBook::from_snapshot(&snapshot());
        let mut closing = update(11, 10);
        closing.orders = vec![order(5, OrderStatus::Filled, 10)];
        closing.positions = vec![position(0, 0)];
        assert_eq!(book.apply(&closing), Applied::Changed);
        assert!(book.open_orders.is_empty());
        assert!(book.positions.is_empty());
        assert_eq!(book.shares_available("100010"), 0);
    }
}
