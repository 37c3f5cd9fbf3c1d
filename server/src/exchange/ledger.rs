//! Balances: every account's cash and shares, each split into an available
//! part and a part held by open orders. The engine is the only writer; these
//! types only guarantee that nothing goes negative and totals add up.

use super::command::SymbolId;
use super::placements::RecentPlacements;
use super::rules::{Qty, Won};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// One account's positions, sorted by symbol. An account holds a handful of
/// the listed symbols, and a short sorted array is one heap block where a
/// hash table of its own is two (control bytes and slots): the position
/// lookups were a tenth of the engine's time as a table (docs/PERFORMANCE.md).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Positions(Vec<(SymbolId, Position)>);

impl Positions {
    pub fn get(&self, symbol: SymbolId) -> Option<&Position> {
        (self.0.binary_search_by_key(&symbol, |(s, _)| *s).ok()).map(|at| &self.0[at].1)
    }

    /// The position in `symbol`, opened empty if the account had none.
    pub fn get_or_open(&mut self, symbol: SymbolId) -> &mut Position {
        let at = match self.0.binary_search_by_key(&symbol, |(s, _)| *s) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (symbol, Position::default()));
                at
            }
        };
        &mut self.0[at].1
    }

    /// Every position, by symbol.
    pub fn iter(&self) -> impl Iterator<Item = (SymbolId, &Position)> {
        self.0.iter().map(|(symbol, position)| (*symbol, position))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub cash_available: Won,
    /// Held by open buy orders: price × quantity plus worst-case commission.
    pub cash_held: Won,
    pub positions: Positions,
    /// The account's recent client order ids, for retries. Not money, but
    /// kept in this record because a placement reads and writes both: one
    /// lookup and one cache miss fewer than a table of its own.
    pub recent: RecentPlacements,
}

impl Account {
    pub fn position(&self, symbol: SymbolId) -> Position {
        self.positions.get(symbol).copied().unwrap_or_default()
    }

    pub fn position_mut(&mut self, symbol: SymbolId) -> &mut Position {
        self.positions.get_or_open(symbol)
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

    #[test]
    fn positions_open_on_first_use_and_stay_sorted_by_symbol() {
        let mut positions = Positions::default();
        for symbol in [3, 1, 2, 1] {
            positions.get_or_open(SymbolId(symbol)).available += 1;
        }
        let held: Vec<_> = positions.iter().map(|(s, p)| (s.0, p.available)).collect();
        assert_eq!(held, [(1, 2), (2, 1), (3, 1)]);
        assert_eq!(positions.get(SymbolId(2)).map(|p| p.available), Some(1));
        assert_eq!(positions.get(SymbolId(4)), None);
    }
}
