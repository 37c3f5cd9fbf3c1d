//! Each account's private stream, the websocket topic `account:<id>`: a
//! snapshot when its owner subscribes, then, after every commit that changed
//! the account, one update with what changed in its latest state (orders,
//! fills, cash, positions). Updates are built from the committed events and
//! the persister's projection, only for accounts someone follows; they go
//! out after the commit and before the commit's replies, and they chain
//! (`prev_seq`) so a client can tell a missed one and take a new snapshot,
//! as with the book.

use super::views::{cash_view, fill_view, order_view, position_view};
use super::{Trading, TradingError};
use crate::exchange::projection::{
    BalanceRow, OrderStatusRow, PositionRow, Projection, TradeCounter, position_row, trade_fills,
};
use crate::exchange::{AccountId, Event, OrderId};
use crate::gateway::CommitObserver;
use crate::market::MarketData;
use crate::realtime::Hub;
use crate::storage::OrderFilter;
use app::realtime::{Topic, TopicEvent};
use app::trading::{AccountSnapshot, AccountUpdate};
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

/// Open orders a snapshot carries at most (a person has a handful).
const SNAPSHOT_OPEN_ORDERS: i64 = 1_000;

/// The observer that publishes the accounts' updates.
pub struct AccountFeed {
    pub market: Arc<MarketData>,
    pub hub: Arc<Hub>,
    /// Each followed account's last update since this process started
    /// following it: the next update's `prev_seq` (0 for its first, which
    /// a client applies over any snapshot).
    last: Mutex<HashMap<AccountId, u64>>,
}

impl AccountFeed {
    pub fn new(market: Arc<MarketData>, hub: Arc<Hub>) -> AccountFeed {
        AccountFeed {
            market,
            hub,
            last: Mutex::new(HashMap::default()),
        }
    }
}

/// The accounts one event changes.
fn accounts_of(event: &Event, state: &Projection) -> [Option<AccountId>; 2] {
    match *event {
        Event::OrderAccepted { account, .. }
        | Event::OrderFilled { account, .. }
        | Event::OrderCancelled { account, .. }
        | Event::Balance { account, .. }
        | Event::Position { account, .. }
        | Event::Deposited { account, .. } => [Some(account), None],
        Event::Trade {
            maker_account,
            taker_account,
            ..
        } => [Some(taker_account), Some(maker_account)],
        Event::OrderAmended { order, .. } => [
            state
                .order(order)
                .map(|row| AccountId(row.account_id as u64)),
            None,
        ],
        Event::OrderRejected { .. }
        | Event::SharesGranted { .. }
        | Event::Level { .. }
        | Event::Listed { .. }
        | Event::Halted { .. }
        | Event::Resumed { .. }
        | Event::FeesSet { .. } => [None, None],
    }
}

/// What one commit changed in one followed account.
#[derive(Default)]
struct Changes {
    orders: BTreeSet<OrderId>,
    fills: Vec<crate::exchange::projection::FillRow>,
    cash: bool,
    positions: BTreeMap<i64, PositionRow>,
}

impl CommitObserver for AccountFeed {
    fn committed(&self, events: &[(u64, i64, Event)], state: &Projection) {
        // Each touched account's last sequence number in this commit.
        let mut touched: BTreeMap<AccountId, u64> = BTreeMap::new();
        for (seq, _, event) in events {
            for account in accounts_of(event, state).into_iter().flatten() {
                touched.insert(account, *seq);
            }
        }
        // Only accounts someone follows get an update: one look at the hub.
        let ids: Vec<u64> = touched.keys().map(|account| account.0).collect();
        let mut followed_ids = self.hub.followed_accounts(&ids).into_iter().peekable();
        if followed_ids.peek().is_none() {
            return;
        }
        let followed: Vec<(AccountId, u64, u64)> = {
            let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
            followed_ids
                .map(|id| {
                    let (account, seq) = (AccountId(id), touched[&AccountId(id)]);
                    (account, seq, last.insert(account, seq).unwrap_or(0))
                })
                .collect()
        };
        let mut changes: BTreeMap<AccountId, Changes> = (followed.iter())
            .map(|(account, ..)| (*account, Changes::default()))
            .collect();
        let mut trades = TradeCounter::default();
        for (seq, ts_ms, event) in events {
            if let Event::Trade { .. } = event {
                for fill in trade_fills(*seq, trades.next(*seq), *ts_ms, event)
                    .into_iter()
                    .flatten()
                {
                    if let Some(changed) = changes.get_mut(&AccountId(fill.account_id as u64)) {
                        changed.fills.push(fill);
                    }
                }
            }
            for account in accounts_of(event, state).into_iter().flatten() {
                let Some(changed) = changes.get_mut(&account) else {
                    continue;
                };
                match *event {
                    Event::OrderAccepted { order, .. }
                    | Event::OrderFilled { order, .. }
                    | Event::OrderCancelled { order, .. }
                    | Event::OrderAmended { order, .. } => {
                        changed.orders.insert(order);
                    }
                    Event::Trade { maker, taker, .. } => {
                        changed.orders.extend([maker, taker]);
                    }
                    Event::Balance { .. } | Event::Deposited { .. } => changed.cash = true,
                    Event::Position { .. } => {
                        if let Some(row) = position_row(event) {
                            changed.positions.insert(row.symbol_id, row);
                        }
                    }
                    _ => {}
                }
            }
        }
        let listings = self.market.listings();
        for (account, seq, prev_seq) in followed {
            let Some(changed) = changes.remove(&account) else {
                continue;
            };
            let update = AccountUpdate {
                account_id: account.0,
                seq,
                prev_seq,
                orders: (changed.orders.iter())
                    .filter_map(|&order| state.order(order))
                    // A trade's other side is another account's order.
                    .filter(|row| row.account_id as u64 == account.0)
                    .map(|row| order_view(listings, &row))
                    .collect(),
                fills: (changed.fills.iter())
                    .map(|row| fill_view(listings, row))
                    .collect(),
                cash: changed
                    .cash
                    .then(|| state.balance(account))
                    .flatten()
                    .map(|row| cash_view(&row)),
                positions: (changed.positions.values())
                    .map(|row| position_view(listings, row))
                    .collect(),
            };
            self.hub
                .publish(topic(account), TopicEvent::AccountUpdate(update));
        }
    }
}

fn topic(account: AccountId) -> Topic {
    Topic::Account {
        account_id: account.0,
    }
}

impl Trading {
    /// An account's private stream's first event: its state with every
    /// command through `seq` in it (maybe some after: updates carry whole
    /// states, so applying one again changes nothing). The caller has
    /// subscribed to the topic before asking, so no update falls between.
    pub async fn account_snapshot(
        &self,
        account: AccountId,
    ) -> Result<AccountSnapshot, TradingError> {
        let sync = self.storage.read_models();
        sync.caught_up().await?;
        let seq = sync.written_through().max(0) as u64;
        let id = account.0 as i64;
        let listings = self.market.listings();
        let balance = (self.storage.balance(id).await?).unwrap_or(BalanceRow {
            account_id: id,
            ..BalanceRow::default()
        });
        let positions = self.storage.positions(id).await?;
        let open_orders = self
            .storage
            .orders(&OrderFilter {
                account_id: id,
                symbol_id: None,
                side: None,
                status: Some(OrderStatusRow::Open),
                newest_first: true,
                after: None,
                limit: SNAPSHOT_OPEN_ORDERS,
            })
            .await?;
        Ok(AccountSnapshot {
            account_id: account.0,
            seq,
            cash: cash_view(&balance),
            positions: (positions.iter())
                .map(|row| position_view(listings, row))
                .collect(),
            open_orders: (open_orders.iter())
                .map(|row| order_view(listings, row))
                .collect(),
        })
    }
}
