//! What an order does once its hold is in place, whether just placed or
//! amended to a new price: match against the book, settle each fill between
//! the two accounts with its fees, then rest or cancel what is left. This is
//! the engine's hot path (docs/PERFORMANCE.md).

use super::{Engine, balance_event, position_event};
use crate::exchange::book::{Fill, Taker};
use crate::exchange::command::SymbolId;
use crate::exchange::event::{CancelReason, Event};
use crate::exchange::types::{OrderId, Side};
use rustc_hash::FxHashMap as HashMap;

impl Engine {
    /// Matches an accepted order whose hold is in place, settles each fill,
    /// then rests what is left (`rests`) or cancels it.
    pub(super) fn take(
        &mut self,
        id: OrderId,
        symbol: SymbolId,
        taker: Taker,
        rests: bool,
        out: &mut Vec<Event>,
    ) {
        let Some(listing) = self.listings.get_mut(&symbol) else {
            return;
        };
        let mut fills = std::mem::take(&mut self.fills);
        fills.clear();
        let outcome = listing.book.match_taker(&taker, |fill| fills.push(fill));
        if let Some(fill) = fills.last() {
            listing.last_trade = Some(fill.price);
        }
        for fill in &fills {
            self.settle(symbol, id, taker.side, fill, out);
        }
        let maker_side = taker.side.opposite();
        let mut last_price = None;
        for fill in &fills {
            if last_price != Some(fill.price) {
                last_price = Some(fill.price);
                out.push(self.level_event(symbol, maker_side, fill.price));
            }
        }
        self.fills = fills;

        let remaining = taker.qty - outcome.filled;
        if remaining == 0 {
            self.orders.remove(&id);
            out.push(Event::OrderFilled {
                order: id,
                account: taker.account,
            });
        } else if outcome.self_trade {
            self.close(id, CancelReason::SelfTrade, out);
        } else if !rests {
            self.close(id, CancelReason::Unfilled, out);
        } else if let Some(listing) = self.listings.get_mut(&symbol) {
            let slot = listing.book.insert(taker.resting(id, remaining));
            if let Some(order) = self.orders.get_mut(&id) {
                order.slot = slot;
            }
            out.push(self.level_event(symbol, taker.side, taker.limit));
        }
    }

    /// Moves money and shares for one fill between buyer and seller, and
    /// charges commission on both sides and tax on the seller.
    fn settle(
        &mut self,
        symbol: SymbolId,
        taker: OrderId,
        taker_side: Side,
        fill: &Fill,
        out: &mut Vec<Event>,
    ) {
        let (buy_id, sell_id) = match taker_side {
            Side::Buy => (taker, fill.maker),
            Side::Sell => (fill.maker, taker),
        };
        // Each order and each account is looked up once (this is the
        // engine's hottest path, docs/PERFORMANCE.md), and all four before
        // anything changes. The taker is never on the book while it
        // matches, and self-trade prevention stops before an account meets
        // itself, so both pairs always hold two different keys.
        let Some((buy, sell)) = distinct_pair_mut(&mut self.orders, buy_id, sell_id) else {
            debug_assert!(false, "both sides of a fill are two open orders");
            return;
        };
        let (buyer_id, seller_id) = (buy.account, sell.account);
        let Some((buyer, seller)) = distinct_pair_mut(&mut self.accounts, buyer_id, seller_id)
        else {
            debug_assert!(false, "a fill is between two known accounts");
            return;
        };
        let amount = fill.price * fill.qty;
        let buyer_commission = self.fees.commission(amount);
        let seller_commission = self.fees.commission(amount);
        let seller_tax = self.fees.sell_tax(amount);

        // The buyer pays from the hold; whatever the rest of the order can no
        // longer need (a better price than the limit) goes back at once.
        let remaining = buy.remaining - fill.qty;
        let still_needed = self.fees.buy_hold(buy.limit, remaining).unwrap_or(0);
        let refund = buy.hold_cash - amount - buyer_commission - still_needed;
        buy.remaining = remaining;
        buy.hold_cash = still_needed;
        sell.remaining -= fill.qty;
        buyer.cash_held -= amount + buyer_commission + refund;
        buyer.cash_available += refund;
        let bought = buyer.position_mut(symbol);
        bought.available += fill.qty;
        bought.cost += amount;
        let bought = *bought;
        let sold = seller.position_mut(symbol);
        let basis = sold.cost_of(fill.qty);
        sold.held -= fill.qty;
        sold.cost -= basis;
        let sold = *sold;
        seller.cash_available += amount - seller_commission - seller_tax;
        self.commissions += buyer_commission + seller_commission;
        self.taxes += seller_tax;

        out.push(Event::Trade {
            symbol,
            price: fill.price,
            qty: fill.qty,
            taker_side,
            maker: fill.maker,
            taker,
            maker_account: fill.maker_account,
            taker_account: if taker_side == Side::Buy {
                buyer_id
            } else {
                seller_id
            },
            buyer_commission,
            seller_commission,
            seller_tax,
        });
        out.push(balance_event(buyer_id, buyer));
        out.push(position_event(buyer_id, symbol, bought));
        out.push(balance_event(seller_id, seller));
        out.push(position_event(seller_id, symbol, sold));
        if fill.maker_done {
            self.orders.remove(&fill.maker);
            out.push(Event::OrderFilled {
                order: fill.maker,
                account: fill.maker_account,
            });
        }
    }
}

/// Two entries of `map` at once; `None` when either is missing or the keys
/// are equal (`get_disjoint_mut` would panic on equal keys).
fn distinct_pair_mut<K: Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, V>,
    a: K,
    b: K,
) -> Option<(&mut V, &mut V)> {
    if a == b {
        return None;
    }
    match map.get_disjoint_mut([&a, &b]) {
        [Some(first), Some(second)] => Some((first, second)),
        _ => None,
    }
}
