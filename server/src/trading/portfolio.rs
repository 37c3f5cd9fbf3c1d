//! An account's portfolio: cash available and held, each holding valued at
//! the last price, and the return on what was put in. A main account not
//! opened yet answers as it will open: the starting cash (and the starting
//! shares, where the server gives new accounts some), so the pages show
//! what a first order can spend without opening anything.

use super::views::position_view;
use super::{AccountRef, Trading, TradingError};
use crate::exchange;
use crate::exchange::projection::PositionRow;
use app::trading::{HoldingView, PortfolioView, basis_points};

impl Trading {
    pub async fn portfolio(
        &self,
        user: i64,
        which: AccountRef,
    ) -> Result<PortfolioView, TradingError> {
        let Some(account) = self.account_of(user, which).await? else {
            return Ok(self.unopened_portfolio());
        };
        let id = account.0 as i64;
        let balance = self.storage.balance(id).await?.unwrap_or_default();
        let positions = self.storage.positions(id).await?;
        Ok(self.portfolio_view(
            Some(account.0),
            (balance.available, balance.held, balance.deposited),
            &positions,
        ))
    }

    /// What a main account opens with: the starting cash, and the starting
    /// shares at their listing's reference price (as the engine grants them).
    pub fn unopened_portfolio(&self) -> PortfolioView {
        let shares = self.settings.starting_shares;
        let positions: Vec<PositionRow> = (self.market.listings().all().iter())
            .filter(|_| shares > 0)
            .filter_map(|listing| {
                let reference = self.market.ticker(listing.symbol)?.reference;
                Some(PositionRow {
                    account_id: 0,
                    symbol_id: i64::from(listing.symbol.0),
                    available: shares,
                    held: 0,
                    cost: reference.saturating_mul(shares),
                })
            })
            .collect();
        let cash = self.settings.starting_cash;
        self.portfolio_view(None, (cash, 0, cash), &positions)
    }

    pub(super) fn portfolio_view(
        &self,
        account_id: Option<u64>,
        (available, held, deposited): (i64, i64, i64),
        positions: &[PositionRow],
    ) -> PortfolioView {
        let listings = self.market.listings();
        let holdings: Vec<HoldingView> = (positions.iter())
            .map(|row| {
                let position = position_view(listings, row);
                let qty = position.available + position.held;
                let symbol = exchange::SymbolId(row.symbol_id as u32);
                let last_price = self.market.last_price(symbol).unwrap_or(0);
                let value = last_price * qty;
                let pnl = value - position.cost;
                HoldingView {
                    symbol: position.symbol,
                    qty_available: position.available,
                    qty_held: position.held,
                    cost: position.cost,
                    avg_price: if qty > 0 { position.cost / qty } else { 0 },
                    last_price,
                    value,
                    pnl,
                    return_bp: basis_points(pnl, position.cost),
                }
            })
            .collect();
        let total_value = available + held + holdings.iter().map(|h| h.value).sum::<i64>();
        let pnl = total_value - deposited;
        PortfolioView {
            account_id,
            cash_available: available,
            cash_held: held,
            holdings,
            total_value,
            deposited,
            pnl,
            return_bp: basis_points(pnl, deposited),
        }
    }
}
