//! One account as the browser keeps it from its private stream
//! (`account:<id>`): the snapshot, then each update applied in order. An
//! update that does not follow what was applied means one was missed; the
//! caller then asks for a new snapshot. Updates carry whole states (an
//! order, the cash, a position as they are now), so one that arrives again
//! changes nothing. Pure, so the rules are tested natively; the pages use
//! it through [`use_my_account`] (the caller's main account) and
//! [`use_account`].

use crate::api::AppError;
use crate::realtime::{AccountEvent, Realtime, Topic};
use crate::trading::{
    AccountSnapshot, AccountUpdate, CashView, FillView, ListQuery, OrderAck, OrderStatus,
    OrderView, PortfolioView, PositionView, SortOrder, get_portfolio,
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

/// The caller's main account as a page shows it: loaded once after
/// hydration (it is the caller's own, so never rendered by the server),
/// then live from its stream. A guest's account is not open before their
/// first order: the loaded view then says what it opens with, and the
/// first order's acknowledgement names the account to follow.
#[derive(Clone, Copy)]
pub struct MyAccount {
    /// The account's id, once it is open.
    pub id: RwSignal<Option<u64>>,
    /// What was loaded first; `None` while loading.
    pub loaded: RwSignal<Option<Result<PortfolioView, AppError>>>,
    pub stream: AccountStream,
    realtime: Realtime,
}

/// Loads the caller's main account and follows its stream.
pub fn use_my_account() -> MyAccount {
    let id = RwSignal::new(None);
    let loaded = RwSignal::new(None);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            let answer = get_portfolio(None).await;
            if let Ok(view) = &answer
                && view.account_id.is_some()
            {
                id.try_set(view.account_id);
            }
            loaded.try_set(Some(answer));
        });
    });
    MyAccount {
        id,
        loaded,
        stream: use_account(id.into()),
        realtime: expect_context::<Realtime>(),
    }
}

impl MyAccount {
    /// After an order the caller placed: a first order opened the account,
    /// and perhaps made the session (a first visit has none), so the page's
    /// connection opens again to speak for the account's owner.
    pub fn placed(self, ack: &OrderAck) {
        if self.id.get_untracked().is_none() {
            self.realtime.reconnect();
            self.id.set(Some(ack.order.account_id));
        }
    }

    /// Cash available to spend: the stream's once it has spoken, else
    /// what was loaded.
    pub fn cash_available(self) -> Option<i64> {
        if let Some(cash) = self
            .stream
            .book
            .with(|book| book.as_ref().map(|b| b.cash.available))
        {
            return Some(cash);
        }
        self.loaded.with(|loaded| match loaded {
            Some(Ok(view)) => Some(view.cash_available),
            _ => None,
        })
    }

    /// Shares of `symbol` available to sell, likewise.
    pub fn shares_available(self, symbol: &str) -> Option<i64> {
        if let Some(shares) =
            (self.stream.book).with(|book| book.as_ref().map(|b| b.shares_available(symbol)))
        {
            return Some(shares);
        }
        self.loaded.with(|loaded| match loaded {
            Some(Ok(view)) => Some(
                (view.holdings.iter())
                    .find(|h| h.symbol == symbol)
                    .map_or(0, |h| h.qty_available),
            ),
            _ => None,
        })
    }

    /// The open orders (of `symbol`, or all), newest first; `None` while
    /// they are not known yet, empty for an account not open.
    pub fn open_orders(self, symbol: Option<&str>) -> Option<Vec<OrderView>> {
        if let Some(orders) = self.stream.book.with(|book| {
            book.as_ref().map(|book| {
                (book.open_orders.values().rev())
                    .filter(|o| symbol.is_none_or(|s| o.symbol == s))
                    .cloned()
                    .collect()
            })
        }) {
            return Some(orders);
        }
        let unopened = self
            .loaded
            .with(|loaded| matches!(loaded, Some(Ok(view)) if view.account_id.is_none()));
        (unopened && self.id.get().is_none()).then(Vec::new)
    }
}

/// An account's live state in the page: `book` follows the account's
/// stream while `account` names one, `update` is the last update applied
/// (the history lists fold it in).
#[derive(Clone, Copy)]
pub struct AccountStream {
    pub book: RwSignal<Option<AccountBook>>,
    pub update: RwSignal<Option<AccountUpdate>>,
    /// Counts the snapshots taken: after each (the first, or a resync), a
    /// list loaded elsewhere may have missed updates and loads again.
    pub snapshots: RwSignal<u64>,
}

/// Follows the private stream of the account `account` names, for as long
/// as the calling component lives; a page learns its account from its
/// first data or from a first order's acknowledgement, so `account` may
/// name one later.
pub fn use_account(account: Signal<Option<u64>>) -> AccountStream {
    let realtime = expect_context::<Realtime>();
    let stream = AccountStream {
        book: RwSignal::new(None),
        update: RwSignal::new(None),
        snapshots: RwSignal::new(0),
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
                stream.snapshots.update(|n| *n += 1);
            }
            Some(AccountEvent::AccountUpdate(update)) => {
                let applied = stream
                    .book
                    .try_update(|book| book.as_mut().map(|book| book.apply(&update)))
                    .flatten();
                match applied {
                    Some(Applied::Changed) => stream.update.set(Some(update)),
                    Some(Applied::Gap) => {
                        // Forgotten until the new snapshot, so the updates
                        // in flight meanwhile ask for no more of them.
                        stream.book.set(None);
                        realtime.resync(&topic)
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

/// Whether an order belongs in a list filtered by `filter`.
fn order_matches(order: &OrderView, filter: &ListQuery) -> bool {
    filter.symbol.as_ref().is_none_or(|s| *s == order.symbol)
        && filter.side.is_none_or(|side| side == order.side)
        && filter.status.is_none_or(|status| status == order.status)
}

/// Folds changed orders into a loaded history page: an order in it takes
/// its new state (or leaves, if it no longer matches the filter); a new
/// one that matches comes in at its place. Oldest first, a new order
/// belongs after every page, so it comes in only when all are loaded
/// (`complete`).
pub fn fold_orders(
    rows: &mut Vec<OrderView>,
    changed: &[OrderView],
    filter: &ListQuery,
    complete: bool,
) {
    let newest_first = filter.sort == SortOrder::Newest;
    for order in changed {
        let matches = order_matches(order, filter);
        match rows.iter().position(|row| row.order_id == order.order_id) {
            Some(at) if matches => rows[at] = order.clone(),
            Some(at) => {
                rows.remove(at);
            }
            None if matches && (newest_first || complete) => {
                let at =
                    rows.partition_point(|row| (row.order_id > order.order_id) == newest_first);
                rows.insert(at, order.clone());
            }
            None => {}
        }
    }
}

/// A fill's place in time: its command's sequence number and its number
/// within the command (its id is `{seq}-{n}`).
fn fill_key(fill: &FillView) -> (u64, u64) {
    let (seq, n) = fill.fill_id.split_once('-').unwrap_or_default();
    (seq.parse().unwrap_or(0), n.parse().unwrap_or(0))
}

/// Folds new fills into a loaded page of fills, as [`fold_orders`] does
/// orders (fills never change, they only arrive).
pub fn fold_fills(rows: &mut Vec<FillView>, new: &[FillView], filter: &ListQuery, complete: bool) {
    let newest_first = filter.sort == SortOrder::Newest;
    if !(newest_first || complete) {
        return;
    }
    for fill in new {
        let matches = filter.symbol.as_ref().is_none_or(|s| *s == fill.symbol)
            && filter.side.is_none_or(|side| side == fill.side);
        if !matches || rows.iter().any(|row| row.fill_id == fill.fill_id) {
            continue;
        }
        let key = fill_key(fill);
        let at = rows.partition_point(|row| (fill_key(row) > key) == newest_first);
        rows.insert(at, fill.clone());
    }
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

    #[test]
    fn a_changed_order_takes_its_place_and_a_new_one_comes_in_where_it_belongs() {
        let newest = ListQuery::default();
        let mut rows = vec![
            order(9, OrderStatus::Open, 0),
            order(5, OrderStatus::Open, 0),
        ];
        fold_orders(
            &mut rows,
            &[
                order(5, OrderStatus::Filled, 10),
                order(12, OrderStatus::Open, 0),
            ],
            &newest,
            false,
        );
        let ids: Vec<u64> = rows.iter().map(|o| o.order_id).collect();
        assert_eq!(ids, [12, 9, 5]);
        assert_eq!(rows[2].status, OrderStatus::Filled);
        // Filtered to open orders, a filled one leaves.
        let open_only = ListQuery {
            status: Some(OrderStatus::Open),
            ..ListQuery::default()
        };
        fold_orders(
            &mut rows,
            &[order(9, OrderStatus::Cancelled, 0)],
            &open_only,
            false,
        );
        assert!(rows.iter().all(|o| o.order_id != 9));
        // Oldest first, a new order waits for the last page to be loaded.
        let oldest = ListQuery {
            sort: SortOrder::Oldest,
            ..ListQuery::default()
        };
        let mut rows = vec![order(5, OrderStatus::Open, 0)];
        fold_orders(
            &mut rows,
            &[order(12, OrderStatus::Open, 0)],
            &oldest,
            false,
        );
        assert_eq!(rows.len(), 1);
        fold_orders(&mut rows, &[order(12, OrderStatus::Open, 0)], &oldest, true);
        assert_eq!(rows.iter().map(|o| o.order_id).collect::<Vec<_>>(), [5, 12]);
    }

    #[test]
    fn new_fills_come_in_once_in_time_order() {
        let fill = |id: &str| FillView {
            fill_id: id.into(),
            order_id: 5,
            symbol: "100010".into(),
            side: OrderSide::Sell,
            price: 72_000,
            qty: 1,
            commission: 0,
            tax: 0,
            maker: true,
            ts_ms: 1,
        };
        let mut rows = vec![fill("20-0"), fill("9-1")];
        let new = [fill("31-1"), fill("31-0"), fill("20-0")];
        fold_fills(&mut rows, &new, &ListQuery::default(), false);
        let ids: Vec<&str> = rows.iter().map(|f| f.fill_id.as_str()).collect();
        assert_eq!(ids, ["31-1", "31-0", "20-0", "9-1"]);
        let other_stock = ListQuery {
            symbol: Some("100020".into()),
            ..ListQuery::default()
        };
        fold_fills(&mut rows, &[fill("40-0")], &other_stock, false);
        assert_eq!(rows.len(), 4);
    }
}
