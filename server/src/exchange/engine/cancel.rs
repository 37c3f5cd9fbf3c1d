//! Taking orders off the book: at their owner's request (one or all), and
//! `close`, which every other path that ends an order without a fill uses
//! too (an unfilled rest, a fill-or-kill, a self-trade, a new day's band).

use super::Engine;
use crate::exchange::event::{CancelReason, Event, Reject};
use crate::exchange::types::{AccountId, OrderId};

impl Engine {
    pub(super) fn cancel(
        &mut self,
        account: AccountId,
        id: OrderId,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        self.owned_order(account, id)?;
        self.close(id, CancelReason::Requested, out);
        Ok(())
    }

    pub(super) fn cancel_all(
        &mut self,
        account: AccountId,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if !self.accounts.contains_key(&account) {
            return Err(Reject::UnknownAccount);
        }
        let mut ids: Vec<OrderId> = self
            .orders
            .iter()
            .filter(|(_, o)| o.account == account)
            .map(|(&id, _)| id)
            .collect();
        ids.sort_unstable();
        for id in ids {
            self.close(id, CancelReason::Requested, out);
        }
        Ok(())
    }

    /// Removes an open order (from the book too, if it rests) and releases
    /// its hold.
    pub(super) fn close(&mut self, id: OrderId, reason: CancelReason, out: &mut Vec<Event>) {
        let Some(order) = self.orders.remove(&id) else {
            return;
        };
        let rested = self
            .listings
            .get_mut(&order.symbol)
            .and_then(|l| l.book.remove(order.slot, id))
            .is_some();
        if rested {
            out.push(self.level_event(order.symbol, order.side, order.limit));
        }
        self.hold(
            order.account,
            order.symbol,
            order.side,
            -order.hold_cash,
            -order.remaining,
            out,
        );
        out.push(Event::OrderCancelled {
            order: id,
            account: order.account,
            remaining: order.remaining,
            reason,
        });
    }
}
