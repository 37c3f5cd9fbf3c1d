//! Balances: every account's cash and shares, each split into an available
//! part and a part held by open orders. The engine is the only writer; these
//! types only guarantee that nothing goes negative and totals add up.

use super::command::SymbolId;
use super::rules::{Qty, Won};
use rustc_hash::FxHashMap as HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub available: Qty,
    /// Held by open sell orders.
    pub held: Qty,
    /// What the shares cost in total, without fees (average price = cost / shares).
    pub cost: Won,
}

impl Position {
    pub fn shares(&self) -> Qty {
        self.available + self.held
    }

    /// Cost basis of `qty` shares leaving the position at the average price.
    /// The last share takes whatever basis is left, so none is lost to rounding.
    pub fn cost_of(&self, qty: Qty) -> Won {
        let shares = self.shares();
        if qty >= shares {
            self.cost
        } else {
            // i64 when the product fits (almost always); i128 otherwise.
            match self.cost.checked_mul(qty) {
                Some(product) => product / shares,
                None => (i128::from(self.cost) * i128::from(qty) / i128::from(shares)) as Won,
            }
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub cash_available: Won,
    /// Held by open buy orders: price × quantity plus worst-case commission.
    pub cash_held: Won,
    pub positions: HashMap<SymbolId, Position>,
}

impl Account {
    pub fn position(&self, symbol: SymbolId) -> Position {
        self.positions.get(&symbol).copied().unwrap_or_default()
    }

    pub fn position_mut(&mut self, symbol: SymbolId) -> &mut Position {
        self.positions.entry(symbol).or_default()
    }

    /// Moves cash between available and held; positive `amount` holds.
    pub fn hold_cash(&mut self, amount: Won) {
        self.cash_available -= amount;
        self.cash_held += amount;
        debug_assert!(self.cash_available >= 0 && self.cash_held >= 0);
    }

    /// Moves shares between available and held; positive `qty` holds.
    pub fn hold_shares(&mut self, symbol: SymbolId, qty: Qty) {
        let position = self.position_mut(symbol);
        position.available -= qty;
        position.held += qty;
        debug_assert!(position.available >= 0 && position.held >= 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selling_removes_cost_at_the_average_price_and_the_last_share_takes_the_rest() {
        let position = Position {
            available: 3,
            held: 0,
            cost: 100,
        };
        assert_eq!(position.cost_of(1), 33);
        assert_eq!(position.cost_of(3), 100);
        let after_one = Position {
            available: 2,
            held: 0,
            cost: 67,
        };
        assert_eq!(after_one.cost_of(2), 67, "no basis lost to rounding");
    }
}
