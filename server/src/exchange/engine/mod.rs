//! The single writer: owns every book and balance, executes one command at a
//! time and reports what happened as events. Deterministic (no I/O, no clock,
//! no hash-order iteration), and every check comes before any change, so a
//! rejection leaves no trace. `execute` only dispatches: one file per family.

mod amend;
mod audit;
mod cancel;
mod fees;
mod funds;
mod image;
mod listing;
mod matching;
mod place;

pub use image::EngineImage;

use super::book::{Fill, OrderBook, Slot};
use super::command::{Command, SymbolId};
use super::event::{Event, Reject, Reply};
use super::ledger::{Account, Position};
use super::rules::{FeeSchedule, Price, PriceBand, Qty, Won, is_on_tick};
use super::types::{AccountId, OrderId, Side};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// Largest quantity one order may carry.
pub const MAX_ORDER_QTY: Qty = 1_000_000_000;

struct Listing {
    book: OrderBook,
    reference: Price,
    band: PriceBand,
    halted: bool,
    /// The last trade since the reference was set: the day's close so far.
    last_trade: Option<Price>,
}

/// An order that is on the book (between commands every open order is).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OpenOrder {
    pub account: AccountId,
    pub symbol: SymbolId,
    pub side: Side,
    /// The limit price; for a market order, the edge of the band.
    pub limit: Price,
    pub remaining: Qty,
    /// Cash held for a buy: exactly what the remaining quantity may cost.
    pub hold_cash: Won,
    /// Where it rests in its book ([`Slot::NONE`] while it matches).
    pub slot: Slot,
}

/// The command's sequence number and the answer to its sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Executed {
    pub seq: u64,
    pub reply: Reply,
}

#[derive(Default)]
pub struct Engine {
    fees: FeeSchedule,
    /// A `SetFees` has been executed (see `fees.rs`).
    fees_journaled: bool,
    seq: u64,
    listings: BTreeMap<SymbolId, Listing>,
    accounts: HashMap<AccountId, Account>,
    orders: HashMap<OrderId, OpenOrder>,
    /// Reused between commands so matching does not allocate.
    fills: Vec<Fill>,
    deposited: Won,
    commissions: Won,
    taxes: Won,
    granted: HashMap<SymbolId, Qty>,
}

impl Engine {
    /// An empty engine charging `fees` until the journal sets its own.
    pub fn new(fees: FeeSchedule) -> Engine {
        Engine {
            fees,
            ..Engine::default()
        }
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn account(&self, id: AccountId) -> Option<&Account> {
        self.accounts.get(&id)
    }

    pub fn open_order(&self, id: OrderId) -> Option<&OpenOrder> {
        self.orders.get(&id)
    }

    pub fn book(&self, symbol: SymbolId) -> Option<&OrderBook> {
        self.listings.get(&symbol).map(|l| &l.book)
    }

    pub fn band(&self, symbol: SymbolId) -> Option<PriceBand> {
        self.listings.get(&symbol).map(|l| l.band)
    }

    /// Executes one command, appending what happened to `out`.
    pub fn execute(&mut self, command: Command, out: &mut Vec<Event>) -> Executed {
        self.seq += 1;
        let seq = self.seq;
        let result = match command {
            Command::Place(place) => {
                return Executed {
                    seq,
                    reply: self.place(place, OrderId(seq), out),
                };
            }
            Command::Amend {
                account,
                order,
                price,
                qty,
            } => self.amend(account, order, price, qty, out),
            Command::Cancel { account, order } => self.cancel(account, order, out),
            Command::CancelAll { account } => self.cancel_all(account, out),
            Command::OpenAccount {
                account,
                cash,
                shares_each,
                grants,
            } => self.open_account(account, cash, shares_each, &grants, out),
            Command::Deposit { account, amount } => self.deposit(account, amount, out),
            Command::GrantShares {
                account,
                symbol,
                qty,
                cost,
            } => self.grant(account, symbol, qty, cost, out),
            Command::List {
                symbol,
                reference_price,
            } => self.list(symbol, reference_price, out),
            Command::OpenDay { symbol } => self.open_day(symbol, out),
            Command::Halt { symbol } => self.set_halted(symbol, true, out),
            Command::Resume { symbol } => self.set_halted(symbol, false, out),
            Command::SetFees { fees } => self.set_fees(fees, out),
        };
        let reply = match result {
            Ok(()) => Reply::Done,
            Err(reason) => Reply::Rejected { reason },
        };
        Executed { seq, reply }
    }

    /// Holds cash (buy) or shares (sell) for an order; negative releases.
    fn hold(
        &mut self,
        account: AccountId,
        symbol: SymbolId,
        side: Side,
        cash: Won,
        qty: Qty,
        out: &mut Vec<Event>,
    ) {
        let Some(balance) = self.accounts.get_mut(&account) else {
            return;
        };
        match side {
            Side::Buy => {
                balance.hold_cash(cash);
                out.push(balance_event(account, balance));
            }
            Side::Sell => {
                balance.hold_shares(symbol, qty);
                out.push(position_event(account, symbol, balance.position(symbol)));
            }
        }
    }

    fn owned_order(&self, account: AccountId, id: OrderId) -> Result<OpenOrder, Reject> {
        let order = *self.orders.get(&id).ok_or(Reject::UnknownOrder)?;
        if order.account != account {
            return Err(Reject::NotYourOrder);
        }
        Ok(order)
    }

    fn level_event(&self, symbol: SymbolId, side: Side, price: Price) -> Event {
        let qty = self
            .listings
            .get(&symbol)
            .map_or(0, |l| l.book.level_qty(side, price));
        Event::Level {
            symbol,
            side,
            price,
            qty,
        }
    }
}

fn check_qty(qty: Qty) -> Result<(), Reject> {
    if (1..=MAX_ORDER_QTY).contains(&qty) {
        Ok(())
    } else {
        Err(Reject::BadQuantity)
    }
}

fn check_price(price: Price, band: PriceBand) -> Result<(), Reject> {
    if price <= 0 {
        Err(Reject::BadPrice)
    } else if !is_on_tick(price) {
        Err(Reject::OffTick)
    } else if !band.contains(price) {
        Err(Reject::OutsideBand)
    } else {
        Ok(())
    }
}

fn balance_event(account: AccountId, balance: &Account) -> Event {
    Event::Balance {
        account,
        available: balance.cash_available,
        held: balance.cash_held,
    }
}

fn position_event(account: AccountId, symbol: SymbolId, position: Position) -> Event {
    Event::Position {
        account,
        symbol,
        available: position.available,
        held: position.held,
        cost: position.cost,
    }
}

#[cfg(test)]
mod tests;
