//! The listings themselves: listing a symbol or resetting its reference
//! price, the new trading day that takes the close as the reference, and
//! halting and resuming. A new band cancels the orders it leaves outside.

use super::{Engine, Listing};
use crate::exchange::book::OrderBook;
use crate::exchange::command::SymbolId;
use crate::exchange::event::{CancelReason, Event, Reject};
use crate::exchange::rules::{Price, PriceBand};
use crate::exchange::types::OrderId;

impl Engine {
    pub(super) fn list(
        &mut self,
        symbol: SymbolId,
        reference_price: Price,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if reference_price <= 0 {
            return Err(Reject::BadPrice);
        }
        let band = PriceBand::around(reference_price);
        let listing = self.listings.entry(symbol).or_insert_with(|| Listing {
            book: OrderBook::default(),
            reference: reference_price,
            band,
            halted: false,
            last_trade: None,
        });
        listing.reference = reference_price;
        listing.band = band;
        listing.last_trade = None;
        out.push(Event::Listed {
            symbol,
            reference_price,
            band: band.into(),
        });
        // Orders rest across days, but none may trade outside the new band.
        let mut outside: Vec<OrderId> = (self.orders.iter())
            .filter(|(_, order)| order.symbol == symbol && !band.contains(order.limit))
            .map(|(&id, _)| id)
            .collect();
        outside.sort_unstable();
        for id in outside {
            self.close(id, CancelReason::OutsideBand, out);
        }
        Ok(())
    }

    pub(super) fn open_day(
        &mut self,
        symbol: SymbolId,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let listing = self.listings.get(&symbol).ok_or(Reject::UnknownSymbol)?;
        let close = listing.last_trade.unwrap_or(listing.reference);
        self.list(symbol, close, out)
    }

    pub(super) fn set_halted(
        &mut self,
        symbol: SymbolId,
        halted: bool,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let listing = self
            .listings
            .get_mut(&symbol)
            .ok_or(Reject::UnknownSymbol)?;
        listing.halted = halted;
        out.push(if halted {
            Event::Halted { symbol }
        } else {
            Event::Resumed { symbol }
        });
        Ok(())
    }
}
