//! The fee schedule as part of the journaled state: the rates a fill pays
//! are set by a command, so a replay charges every past fill what it was
//! charged then, whatever the settings say at the next start. A journal
//! written before fees were journaled starts from the rates the engine was
//! built with (the settings of the day), until its first `SetFees`.

use super::Engine;
use crate::exchange::event::{CancelReason, Event, Reject};
use crate::exchange::rules::FeeSchedule;
use crate::exchange::types::{OrderId, Side};

/// The highest rate a schedule may set: the whole traded amount.
const MAX_PPM: i64 = 1_000_000;

impl Engine {
    /// The rates fills pay now.
    pub fn fees(&self) -> FeeSchedule {
        self.fees
    }

    /// Whether the journal has set the rates (a journal from before fees
    /// were journaled has not, until its first `SetFees`).
    pub fn fees_journaled(&self) -> bool {
        self.fees_journaled
    }

    /// Sets the rates, then holds each resting buy's cash again at the new
    /// commission, in order id order; a buy whose account cannot cover a
    /// higher hold is cancelled, so no fill ever settles from cash it did
    /// not hold.
    pub(super) fn set_fees(
        &mut self,
        fees: FeeSchedule,
        out: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let valid = |ppm: i64| (0..=MAX_PPM).contains(&ppm);
        if !valid(fees.commission_ppm) || !valid(fees.sell_tax_ppm) {
            return Err(Reject::BadAmount);
        }
        self.fees = fees;
        self.fees_journaled = true;
        out.push(Event::FeesSet { fees });
        let mut buys: Vec<OrderId> = (self.orders.iter())
            .filter(|(_, order)| order.side == Side::Buy)
            .map(|(&id, _)| id)
            .collect();
        buys.sort_unstable();
        for id in buys {
            let Some(order) = self.orders.get(&id).copied() else {
                continue;
            };
            let needed = fees.buy_hold(order.limit, order.remaining);
            let more = needed.map(|needed| needed - order.hold_cash);
            let affordable = more.is_some_and(|more| {
                (self.accounts.get(&order.account)).is_some_and(|a| a.cash_available >= more)
            });
            match (needed, more) {
                (Some(needed), Some(more)) if affordable => {
                    if more != 0 {
                        self.hold(order.account, order.symbol, Side::Buy, more, 0, out);
                        if let Some(order) = self.orders.get_mut(&id) {
                            order.hold_cash = needed;
                        }
                    }
                }
                _ => self.close(id, CancelReason::FeesChanged, out),
            }
        }
        Ok(())
    }
}
