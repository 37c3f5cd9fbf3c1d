//! Changing a resting order's price or quantity. A smaller quantity at the
//! same price keeps its place in the queue; anything else takes it off the
//! book and matches it again as a new taker, with its hold adjusted first.

use super::{Engine, check_price, check_qty};
use crate::exchange::book::{Slot, Taker};
use crate::exchange::event::{Event, Reject};
use crate::exchange::rules::{Price, Qty};
use crate::exchange::types::{AccountId, OrderId, Side};

impl Engine {
    pub(super) fn amend(
        &mut self,
        account: AccountId,
        id: OrderId,
        price: Price,
        qty: Qty,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let order = self.owned_order(account, id)?;
        let listing = self
            .listings
            .get(&order.symbol)
            .ok_or(Reject::UnknownSymbol)?;
        if listing.halted {
            return Err(Reject::SymbolHalted);
        }
        check_qty(qty)?;
        check_price(price, listing.band)?;
        if price == order.limit && qty == order.remaining {
            return Err(Reject::NothingToChange);
        }
        let balance = self.accounts.get(&account).ok_or(Reject::UnknownAccount)?;
        let hold_cash = match order.side {
            Side::Buy => self
                .fees
                .buy_hold(price, qty)
                .ok_or(Reject::AmountTooLarge)?,
            Side::Sell => 0,
        };
        let extra_cash = hold_cash - order.hold_cash;
        let extra_shares = qty - order.remaining;
        match order.side {
            Side::Buy if extra_cash > balance.cash_available => {
                return Err(Reject::InsufficientCash);
            }
            Side::Sell if extra_shares > balance.position(order.symbol).available => {
                return Err(Reject::InsufficientShares);
            }
            _ => {}
        }

        let keeps_priority = price == order.limit && qty < order.remaining;
        if let Some(open) = self.orders.get_mut(&id) {
            open.limit = price;
            open.remaining = qty;
            open.hold_cash = hold_cash;
            if !keeps_priority {
                // It leaves the book below and matches again as a taker.
                open.slot = Slot::NONE;
            }
        }
        self.hold(
            account,
            order.symbol,
            order.side,
            extra_cash,
            extra_shares,
            out,
        );
        out.push(Event::OrderAmended {
            order: id,
            price,
            remaining: qty,
            kept_priority: keeps_priority,
        });
        let Some(listing) = self.listings.get_mut(&order.symbol) else {
            return Ok(());
        };
        if keeps_priority {
            listing.book.reduce(order.slot, id, qty);
            out.push(self.level_event(order.symbol, order.side, price));
        } else {
            listing.book.remove(order.slot, id);
            out.push(self.level_event(order.symbol, order.side, order.limit));
            let taker = Taker {
                account,
                side: order.side,
                limit: price,
                qty,
            };
            self.take(id, order.symbol, taker, true, out);
        }
        Ok(())
    }
}
