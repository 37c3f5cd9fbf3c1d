//! Audits of the engine's whole state, never run on the order path: `digest`
//! fingerprints it (recovery tests compare it across a restart), and
//! `check_invariants` checks that money and shares add up. Public, not
//! `cfg(test)`: integration tests and `sim::headless` (when asked) call them.

use super::{Engine, OpenOrder};
use crate::exchange::command::SymbolId;
use crate::exchange::rules::{Qty, Won};
use crate::exchange::types::{AccountId, Side};
use rustc_hash::FxHashMap as HashMap;

impl Engine {
    /// A fingerprint of the whole state: equal digests mean the same books
    /// (queue order included), balances, open orders and remembered client
    /// order ids. Recovery tests compare it before and after a restart.
    pub fn digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        fn sorted<K: Ord + Copy, V>(map: &HashMap<K, V>) -> Vec<(K, &V)> {
            let mut entries: Vec<_> = map.iter().map(|(k, v)| (*k, v)).collect();
            entries.sort_by_key(|(k, _)| *k);
            entries
        }
        let mut hasher = std::hash::DefaultHasher::new();
        (self.seq, self.deposited, self.commissions, self.taxes).hash(&mut hasher);
        for (id, account) in sorted(&self.accounts) {
            (id, account.cash_available, account.cash_held).hash(&mut hasher);
            for (symbol, position) in account.positions.iter() {
                (symbol, position.available, position.held, position.cost).hash(&mut hasher);
            }
            account.recent.entries().hash(&mut hasher);
        }
        // Not the slots: where a node sits in its book's arena is not
        // state (a restored book hands them out afresh).
        for (id, order) in sorted(&self.orders) {
            let OpenOrder {
                account,
                symbol,
                side,
                limit,
                remaining,
                hold_cash,
                slot: _,
            } = *order;
            (id, account, symbol, side, limit, remaining, hold_cash).hash(&mut hasher);
        }
        sorted(&self.granted).hash(&mut hasher);
        for (symbol, listing) in &self.listings {
            (
                symbol,
                listing.reference,
                listing.band.lower,
                listing.band.upper,
                listing.halted,
                listing.last_trade,
            )
                .hash(&mut hasher);
            for side in [Side::Buy, Side::Sell] {
                for (price, _, _) in listing.book.levels(side) {
                    for order in listing.book.queue(side, price) {
                        (order.id, order.remaining).hash(&mut hasher);
                    }
                }
            }
        }
        hasher.finish()
    }

    /// Checks that money and shares add up and every hold matches its orders.
    /// Cheap enough for tests to call after every command.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut cash = self.commissions + self.taxes;
        let mut shares: HashMap<SymbolId, Qty> = HashMap::default();
        let mut held_cash: HashMap<AccountId, Won> = HashMap::default();
        let mut held_shares: HashMap<(AccountId, SymbolId), Qty> = HashMap::default();
        for (id, order) in &self.orders {
            let resting = self
                .listings
                .get(&order.symbol)
                .and_then(|l| l.book.get(order.slot, *id));
            match resting {
                Some(r)
                    if r.remaining == order.remaining
                        && r.price == order.limit
                        && r.account == order.account => {}
                other => {
                    return Err(format!(
                        "open order {id:?} {order:?} is not on the book as such: {other:?}"
                    ));
                }
            }
            let band = self.listings.get(&order.symbol).map(|l| l.band);
            if !band.is_some_and(|band| band.contains(order.limit)) {
                return Err(format!("open order {id:?} rests outside {band:?}"));
            }
            match order.side {
                Side::Buy => {
                    if Some(order.hold_cash) != self.fees.buy_hold(order.limit, order.remaining) {
                        return Err(format!(
                            "order {id:?} holds {} for {:?}",
                            order.hold_cash, order
                        ));
                    }
                    *held_cash.entry(order.account).or_default() += order.hold_cash;
                }
                Side::Sell => {
                    *held_shares
                        .entry((order.account, order.symbol))
                        .or_default() += order.remaining
                }
            }
        }
        for (id, account) in &self.accounts {
            if account.cash_available < 0 || account.cash_held < 0 {
                return Err(format!("{id:?} has negative cash: {account:?}"));
            }
            if account.cash_held != held_cash.get(id).copied().unwrap_or(0) {
                return Err(format!(
                    "{id:?} holds {} cash but its buys need {:?}",
                    account.cash_held,
                    held_cash.get(id)
                ));
            }
            cash += account.cash_available + account.cash_held;
            for (symbol, position) in account.positions.iter() {
                if position.available < 0 || position.held < 0 || position.cost < 0 {
                    return Err(format!(
                        "{id:?} has a negative position in {symbol:?}: {position:?}"
                    ));
                }
                if position.held != held_shares.get(&(*id, symbol)).copied().unwrap_or(0) {
                    return Err(format!(
                        "{id:?} holds {} shares of {symbol:?} against its sells",
                        position.held
                    ));
                }
                *shares.entry(symbol).or_default() += position.shares();
            }
        }
        if cash != self.deposited {
            return Err(format!(
                "cash plus fees is {cash}, deposits are {}",
                self.deposited
            ));
        }
        for (symbol, granted) in &self.granted {
            if shares.get(symbol).copied().unwrap_or(0) != *granted {
                return Err(format!(
                    "{symbol:?}: {:?} shares held, {granted} granted",
                    shares.get(symbol)
                ));
            }
        }
        let booked: usize = self.listings.values().map(|l| l.book.len()).sum();
        if booked != self.orders.len() {
            return Err(format!(
                "{booked} orders on the books, {} open",
                self.orders.len()
            ));
        }
        Ok(())
    }
}
