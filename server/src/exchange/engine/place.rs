//! Placing an order: the retry check on its client order id, then every
//! validation and risk check before anything changes, then the hold and the
//! match (`matching`). A rejection is remembered like an acceptance, so a
//! retry gets the same answer. A retry is the same order again: the same id
//! on other terms (side, price, quantity, symbol, kind, time in force) is
//! refused as a duplicate and leaves the first answer remembered, because
//! answering it with the earlier order would tell the client an order it
//! never placed went in.

use super::{Engine, OpenOrder, check_price, check_qty};
use crate::exchange::book::{Slot, Taker};
use crate::exchange::command::{OrderType, PlaceOrder, TimeInForce};
use crate::exchange::event::{CancelReason, Event, Reject, Reply};
use crate::exchange::placements::{Seen, Terms};
use crate::exchange::types::{OrderId, Side};

impl Engine {
    pub(super) fn place(&mut self, place: PlaceOrder, id: OrderId, out: &mut Vec<Event>) -> Reply {
        let terms = Terms::of(&place);
        // An unknown account has nothing to remember: `try_place` refuses it.
        let seen = (self.accounts.get(&place.account)).map_or(Seen::New, |account| {
            account.recent.seen(place.client_id, &terms)
        });
        let outcome = match seen {
            Seen::Before(first) => return first,
            Seen::Reused | Seen::Forgotten => Err(Reject::DuplicateClientId),
            Seen::New => self.try_place(place, id, out),
        };
        let reply = match outcome {
            Ok(()) => Reply::Accepted { order: id },
            Err(reason) => {
                out.push(Event::OrderRejected {
                    account: place.account,
                    client_id: Some(place.client_id),
                    reason,
                });
                Reply::Rejected { reason }
            }
        };
        if seen == Seen::Reused {
            // The id stays the first order's: its retry still gets its answer.
            return reply;
        }
        // The record is in cache again: the placement just used it.
        if let Some(account) = self.accounts.get_mut(&place.account) {
            account.recent.remember(place.client_id, terms, reply);
        }
        reply
    }

    fn try_place(
        &mut self,
        place: PlaceOrder,
        id: OrderId,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let PlaceOrder {
            account,
            client_id,
            symbol,
            side,
            order_type,
            tif,
            qty,
        } = place;
        let listing = self.listings.get(&symbol).ok_or(Reject::UnknownSymbol)?;
        if listing.halted {
            return Err(Reject::SymbolHalted);
        }
        check_qty(qty)?;
        let limit = match (order_type, side) {
            (OrderType::Limit(price), _) => check_price(price, listing.band).map(|()| price)?,
            (OrderType::Market, Side::Buy) => listing.band.upper,
            (OrderType::Market, Side::Sell) => listing.band.lower,
        };
        let balance = self.accounts.get(&account).ok_or(Reject::UnknownAccount)?;
        let hold_cash = match side {
            Side::Buy => {
                let hold = self
                    .fees
                    .buy_hold(limit, qty)
                    .ok_or(Reject::AmountTooLarge)?;
                if hold > balance.cash_available {
                    return Err(Reject::InsufficientCash);
                }
                hold
            }
            Side::Sell if balance.position(symbol).available < qty => {
                return Err(Reject::InsufficientShares);
            }
            Side::Sell => 0,
        };
        let taker = Taker {
            account,
            side,
            limit,
            qty,
        };
        let fillable_now = tif != TimeInForce::Fok || listing.book.fillable(&taker) >= qty;

        // Accepted: from here on, state changes.
        out.push(Event::OrderAccepted {
            order: id,
            account,
            client_id,
            symbol,
            side,
            order_type,
            tif,
            qty,
        });
        self.orders.insert(
            id,
            OpenOrder {
                account,
                symbol,
                side,
                limit,
                remaining: qty,
                hold_cash,
                slot: Slot::NONE,
            },
        );
        self.hold(account, symbol, side, hold_cash, qty, out);
        if !fillable_now {
            self.close(id, CancelReason::FillOrKill, out);
            return Ok(());
        }
        let rests = tif == TimeInForce::Gtc && matches!(order_type, OrderType::Limit(_));
        self.take(id, symbol, taker, rests, out);
        Ok(())
    }
}
