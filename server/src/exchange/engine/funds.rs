//! Money and shares from outside the market: opening a funded account,
//! deposits and withdrawals of cash, grants of shares. The engine counts what
//! came in this way, so the audit can check that trading only moved it around.

use super::{Engine, balance_event, check_qty, position_event};
use crate::exchange::command::{ShareGrant, SymbolId};
use crate::exchange::event::{Event, Reject};
use crate::exchange::rules::{Qty, Won};
use crate::exchange::types::AccountId;

impl Engine {
    /// Funds a new account as its first deposit would, then grants it
    /// `shares_each` of every listed symbol at its reference price and each
    /// of `grants`; leaves an existing account alone, so sending it again is
    /// safe. Everything is checked first: a bad amount or grant is refused
    /// whether or not the account exists, and nothing is half done.
    pub(super) fn open_account(
        &mut self,
        account: AccountId,
        cash: Won,
        shares_each: Qty,
        grants: &[ShareGrant],
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if cash <= 0 {
            return Err(Reject::BadAmount);
        }
        if shares_each != 0 {
            check_qty(shares_each)?;
        }
        let mut all: Vec<ShareGrant> = if shares_each == 0 {
            Vec::new()
        } else {
            (self.listings.iter())
                .map(|(&symbol, listing)| {
                    (listing.reference.checked_mul(shares_each))
                        .map(|cost| ShareGrant {
                            symbol,
                            qty: shares_each,
                            cost,
                        })
                        .ok_or(Reject::AmountTooLarge)
                })
                .collect::<Result<_, _>>()?
        };
        for grant in grants {
            self.check_grant(grant)?;
        }
        all.extend_from_slice(grants);
        if self.accounts.contains_key(&account) {
            return Ok(());
        }
        self.deposit(account, cash, out)?;
        for ShareGrant { symbol, qty, cost } in all {
            self.grant(account, symbol, qty, cost, out)?;
        }
        Ok(())
    }

    /// What `grant` refuses before it looks at the account.
    fn check_grant(&self, grant: &ShareGrant) -> Result<(), Reject> {
        if !self.listings.contains_key(&grant.symbol) {
            return Err(Reject::UnknownSymbol);
        }
        check_qty(grant.qty)?;
        if grant.cost < 0 {
            return Err(Reject::BadAmount);
        }
        Ok(())
    }

    pub(super) fn deposit(
        &mut self,
        account: AccountId,
        amount: Won,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if amount == 0 {
            return Err(Reject::BadAmount);
        }
        if amount < 0 {
            let balance = self.accounts.get(&account).ok_or(Reject::UnknownAccount)?;
            if balance.cash_available < -amount {
                return Err(Reject::InsufficientCash);
            }
        }
        let balance = self.accounts.entry(account).or_default();
        balance.cash_available = balance
            .cash_available
            .checked_add(amount)
            .ok_or(Reject::AmountTooLarge)?;
        self.deposited += amount;
        out.push(Event::Deposited { account, amount });
        out.push(balance_event(account, balance));
        Ok(())
    }

    pub(super) fn grant(
        &mut self,
        account: AccountId,
        symbol: SymbolId,
        qty: Qty,
        cost: Won,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        self.check_grant(&ShareGrant { symbol, qty, cost })?;
        let balance = self
            .accounts
            .get_mut(&account)
            .ok_or(Reject::UnknownAccount)?;
        let position = balance.position_mut(symbol);
        position.available += qty;
        position.cost += cost;
        *self.granted.entry(symbol).or_default() += qty;
        out.push(Event::SharesGranted {
            account,
            symbol,
            qty,
            cost,
        });
        out.push(position_event(account, symbol, balance.position(symbol)));
        Ok(())
    }
}
