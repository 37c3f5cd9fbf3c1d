//! What bots can know, rebuilt from committed exchange events: each
//! symbol's public book, last price and band, and the bots' own open orders,
//! cash and shares. Bots see exactly what a person's screens show (public
//! market data plus their own account) and nothing of the engine's insides,
//! and the same events drive them in the headless simulation and live.

use crate::exchange::{
    AccountId, ClientOrderId, Event, OrderId, OrderType, Price, Qty, Side, SymbolId, Won,
};
use crate::market::data::set_level;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct SymbolView {
    pub bids: BTreeMap<Price, Qty>,
    pub asks: BTreeMap<Price, Qty>,
    pub last: Option<Price>,
    pub reference: Price,
    pub lower: Price,
    pub upper: Price,
    pub halted: bool,
}

impl SymbolView {
    pub fn best_bid(&self) -> Option<Price> {
        self.bids.last_key_value().map(|(&p, _)| p)
    }

    pub fn best_ask(&self) -> Option<Price> {
        self.asks.first_key_value().map(|(&p, _)| p)
    }

    /// Mid of the best quotes, else the last price, else the reference.
    pub fn mid(&self) -> f64 {
        match (self.best_bid(), self.best_ask()) {
            (Some(bid), Some(ask)) => (bid + ask) as f64 / 2.0,
            _ => self.last.unwrap_or(self.reference) as f64,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BotOrder {
    pub account: AccountId,
    pub symbol: SymbolId,
    pub side: Side,
    pub price: Price,
    pub remaining: Qty,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holding {
    pub available: Qty,
    pub held: Qty,
}

#[derive(Clone, Debug, Default)]
pub struct Mirror {
    pub symbols: BTreeMap<SymbolId, SymbolView>,
    /// Only the bots' accounts are followed.
    bots: HashMap<AccountId, usize>,
    pub orders: BTreeMap<OrderId, BotOrder>,
    /// A bot's placement by client id, once accepted.
    by_client: HashMap<(AccountId, ClientOrderId), OrderId>,
    pub cash: HashMap<AccountId, (Won, Won)>,
    pub holdings: HashMap<(AccountId, SymbolId), Holding>,
}

impl Mirror {
    pub fn follow(&mut self, account: AccountId, bot: usize) {
        self.bots.insert(account, bot);
    }

    pub fn is_bot(&self, account: AccountId) -> bool {
        self.bots.contains_key(&account)
    }

    pub fn symbol(&self, symbol: SymbolId) -> Option<&SymbolView> {
        self.symbols.get(&symbol)
    }

    /// The open order a bot placed with `client_id`, if it is still open.
    pub fn open(
        &self,
        account: AccountId,
        client_id: ClientOrderId,
    ) -> Option<(OrderId, BotOrder)> {
        let id = *self.by_client.get(&(account, client_id))?;
        self.orders.get(&id).map(|order| (id, *order))
    }

    pub fn cash_available(&self, account: AccountId) -> Won {
        self.cash
            .get(&account)
            .map_or(0, |&(available, _)| available)
    }

    pub fn holding(&self, account: AccountId, symbol: SymbolId) -> Holding {
        self.holdings
            .get(&(account, symbol))
            .copied()
            .unwrap_or_default()
    }

    pub fn apply(&mut self, event: &Event) {
        match *event {
            Event::Listed {
                symbol,
                reference_price,
                band,
            } => {
                let view = self.symbols.entry(symbol).or_default();
                view.reference = reference_price;
                view.lower = band.lower;
                view.upper = band.upper;
            }
            Event::Halted { symbol } => self.symbols.entry(symbol).or_default().halted = true,
            Event::Resumed { symbol } => self.symbols.entry(symbol).or_default().halted = false,
            Event::Level {
                symbol,
                side,
                price,
                qty,
            } => {
                let view = self.symbols.entry(symbol).or_default();
                set_level(&mut view.bids, &mut view.asks, side, price, qty);
            }
            Event::Trade {
                symbol,
                price,
                qty,
                maker,
                taker,
                ..
            } => {
                self.symbols.entry(symbol).or_default().last = Some(price);
                for id in [maker, taker] {
                    if let Some(order) = self.orders.get_mut(&id) {
                        order.remaining -= qty;
                    }
                }
            }
            Event::OrderAccepted {
                order,
                account,
                client_id,
                symbol,
                side,
                order_type,
                qty,
                ..
            } if self.is_bot(account) => {
                let price = match order_type {
                    OrderType::Limit(price) => price,
                    OrderType::Market => 0,
                };
                self.by_client.insert((account, client_id), order);
                self.orders.insert(
                    order,
                    BotOrder {
                        account,
                        symbol,
                        side,
                        price,
                        remaining: qty,
                    },
                );
            }
            Event::OrderAmended {
                order,
                price,
                remaining,
                ..
            } => {
                if let Some(open) = self.orders.get_mut(&order) {
                    open.price = price;
                    open.remaining = remaining;
                }
            }
            Event::OrderFilled { order, .. } | Event::OrderCancelled { order, .. } => {
                self.orders.remove(&order);
            }
            Event::Balance {
                account,
                available,
                held,
            } if self.is_bot(account) => {
                self.cash.insert(account, (available, held));
            }
            Event::Position {
                account,
                symbol,
                available,
                held,
                ..
            } if self.is_bot(account) => {
                self.holdings
                    .insert((account, symbol), Holding { available, held });
            }
            _ => {}
        }
    }

    /// Forgets every bot order (after cancelling them all).
    pub fn clear_orders(&mut self) {
        self.orders.clear();
        self.by_client.clear();
    }

    /// Forgets the client ids of closed orders so the map stays small.
    pub fn forget_closed(&mut self) {
        let orders = &self.orders;
        self.by_client.retain(|_, id| orders.contains_key(id));
    }
}
