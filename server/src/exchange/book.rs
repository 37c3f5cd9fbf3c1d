//! One symbol's order book: price levels of resting orders in time priority,
//! and matching of an incoming order against the other side. It knows nothing
//! of money or accounts beyond an owner id (for self-trade prevention): the
//! engine checks funds before and settles fills after. No I/O, no clock, no
//! allocation per order in steady state (nodes are recycled through a free
//! list; each price level is an intrusive doubly linked queue, so cancelling
//! from the middle of a queue is O(1)).
//!
//! The book keeps no index of its own: [`OrderBook::insert`] answers the
//! order's [`Slot`], which the engine keeps with the open order and hands
//! back to change or remove it. One hash table for every open order instead
//! of two (the engine's and the book's) saves a hash insert and a cache miss
//! on every resting order (docs/PERFORMANCE.md).

use super::rules::{Price, Qty};
use super::types::{AccountId, OrderId, Side};
use std::collections::BTreeMap;

const NIL: u32 = u32::MAX;

/// Where a resting order sits in its book. A slot is reused once its order
/// leaves, so every call that takes one also takes the order's id and does
/// nothing unless that order is still the one there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slot(u32);

impl Slot {
    /// An order that is not resting (yet): matching as a taker.
    pub const NONE: Slot = Slot(NIL);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestingOrder {
    pub id: OrderId,
    pub account: AccountId,
    pub side: Side,
    pub price: Price,
    pub remaining: Qty,
}

/// An incoming order to match: it takes liquidity at prices no worse than
/// `limit` (a market order passes its price-band limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taker {
    pub account: AccountId,
    pub side: Side,
    pub limit: Price,
    pub qty: Qty,
}

impl Taker {
    /// Whether the taker may trade at `price` (no worse than its limit).
    pub fn accepts(&self, price: Price) -> bool {
        match self.side {
            Side::Buy => price <= self.limit,
            Side::Sell => price >= self.limit,
        }
    }

    /// What rests on the book of this taker once `remaining` is left unfilled.
    pub fn resting(&self, id: OrderId, remaining: Qty) -> RestingOrder {
        RestingOrder {
            id,
            account: self.account,
            side: self.side,
            price: self.limit,
            remaining,
        }
    }
}

/// One trade, at the resting (maker) order's price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    pub maker: OrderId,
    pub maker_account: AccountId,
    pub price: Price,
    pub qty: Qty,
    /// The maker order is completely filled and left the book.
    pub maker_done: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchOutcome {
    pub filled: Qty,
    /// Matching stopped at the taker's own resting order: the rest of the
    /// taker must be cancelled, never rested (it would cross its own order).
    pub self_trade: bool,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    order: RestingOrder,
    prev: u32,
    next: u32,
}

#[derive(Clone, Copy, Debug)]
struct Level {
    head: u32,
    tail: u32,
    total: Qty,
    orders: u32,
}

#[derive(Default)]
pub struct OrderBook {
    /// Best bid is the last key; best ask the first.
    bids: BTreeMap<Price, Level>,
    asks: BTreeMap<Price, Level>,
    nodes: Vec<Node>,
    free: Vec<u32>,
    /// Orders resting (nodes not on the free list).
    resting: usize,
}

impl OrderBook {
    fn side(&self, side: Side) -> &BTreeMap<Price, Level> {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn side_mut(&mut self, side: Side) -> &mut BTreeMap<Price, Level> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }

    /// The order `id` if it rests at `slot`. A node on the free list has
    /// nothing remaining, so a stale slot never finds a live order.
    pub fn get(&self, slot: Slot, id: OrderId) -> Option<&RestingOrder> {
        let order = &self.nodes.get(slot.0 as usize)?.order;
        (order.id == id && order.remaining > 0).then_some(order)
    }

    pub fn len(&self) -> usize {
        self.resting
    }

    pub fn is_empty(&self) -> bool {
        self.resting == 0
    }

    /// Best price and the quantity resting there.
    pub fn best(&self, side: Side) -> Option<(Price, Qty)> {
        let level = match side {
            Side::Buy => self.bids.last_key_value(),
            Side::Sell => self.asks.first_key_value(),
        };
        level.map(|(&price, level)| (price, level.total))
    }

    /// Total quantity resting at one price (0 when the level is empty).
    pub fn level_qty(&self, side: Side, price: Price) -> Qty {
        self.side(side).get(&price).map_or(0, |level| level.total)
    }

    /// Price levels from the best outward: `(price, total quantity, orders)`.
    pub fn levels(&self, side: Side) -> Box<dyn Iterator<Item = (Price, Qty, u32)> + '_> {
        let map = |(&price, level): (&Price, &Level)| (price, level.total, level.orders);
        match side {
            Side::Buy => Box::new(self.bids.iter().rev().map(map)),
            Side::Sell => Box::new(self.asks.iter().map(map)),
        }
    }

    /// Orders at one price in time priority.
    pub fn queue(&self, side: Side, price: Price) -> Vec<RestingOrder> {
        let mut out = Vec::new();
        let mut slot = self.side(side).get(&price).map_or(NIL, |level| level.head);
        while slot != NIL {
            let node = &self.nodes[slot as usize];
            out.push(node.order);
            slot = node.next;
        }
        out
    }

    /// Adds an order at the back of its price level and answers where it
    /// sits. The caller has matched it first, so it does not cross the other
    /// side.
    pub fn insert(&mut self, order: RestingOrder) -> Slot {
        debug_assert!(order.remaining > 0, "an empty order never rests");
        debug_assert!(
            !self.crosses(order.side, order.price),
            "a resting order never crosses"
        );
        let node = Node {
            order,
            prev: NIL,
            next: NIL,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.nodes[slot as usize] = node;
                slot
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        self.resting += 1;
        let level = self
            .side_mut(order.side)
            .entry(order.price)
            .or_insert(Level {
                head: NIL,
                tail: NIL,
                total: 0,
                orders: 0,
            });
        let old_tail = level.tail;
        level.tail = slot;
        if old_tail == NIL {
            level.head = slot;
        }
        level.total += order.remaining;
        level.orders += 1;
        if old_tail != NIL {
            self.nodes[old_tail as usize].next = slot;
            self.nodes[slot as usize].prev = old_tail;
        }
        Slot(slot)
    }

    /// Takes the order `id` at `slot` out of the book (cancel, or the first
    /// half of an amend that loses priority).
    pub fn remove(&mut self, slot: Slot, id: OrderId) -> Option<RestingOrder> {
        self.get(slot, id)?;
        Some(self.unlink(slot.0))
    }

    /// Lowers the remaining quantity of the order `id` at `slot` in place,
    /// keeping its time priority. Returns false (and changes nothing) unless
    /// `0 < new_remaining < remaining`.
    pub fn reduce(&mut self, slot: Slot, id: OrderId, new_remaining: Qty) -> bool {
        let Some(&order) = self.get(slot, id) else {
            return false;
        };
        if new_remaining <= 0 || new_remaining >= order.remaining {
            return false;
        }
        self.nodes[slot.0 as usize].order.remaining = new_remaining;
        if let Some(level) = self.side_mut(order.side).get_mut(&order.price) {
            level.total -= order.remaining - new_remaining;
        }
        true
    }

    fn unlink(&mut self, slot: u32) -> RestingOrder {
        let Node { order, prev, next } = self.nodes[slot as usize];
        if prev != NIL {
            self.nodes[prev as usize].next = next;
        }
        if next != NIL {
            self.nodes[next as usize].prev = prev;
        }
        let levels = self.side_mut(order.side);
        if let Some(level) = levels.get_mut(&order.price) {
            if level.head == slot {
                level.head = next;
            }
            if level.tail == slot {
                level.tail = prev;
            }
            level.total -= order.remaining;
            level.orders -= 1;
            if level.orders == 0 {
                levels.remove(&order.price);
            }
        }
        Self::release(&mut self.nodes, &mut self.free, &mut self.resting, slot);
        order
    }

    /// Returns an unlinked node to the free list. Its order is left with
    /// nothing remaining, which is how `get` tells a freed slot from a live
    /// one. Takes the fields, not `self`, so matching can call it while it
    /// holds a level's entry.
    fn release(nodes: &mut [Node], free: &mut Vec<u32>, resting: &mut usize, slot: u32) {
        nodes[slot as usize].order.remaining = 0;
        free.push(slot);
        *resting -= 1;
    }

    /// Whether an order on `side` at `price` would trade with the other side.
    pub fn crosses(&self, side: Side, price: Price) -> bool {
        match (side, self.best(side.opposite())) {
            (Side::Buy, Some((ask, _))) => price >= ask,
            (Side::Sell, Some((bid, _))) => price <= bid,
            (_, None) => false,
        }
    }

    /// How much of `taker` would fill right now, stopping where self-trade
    /// prevention would stop it (for fill-or-kill).
    pub fn fillable(&self, taker: &Taker) -> Qty {
        // Walks the levels and their linked queues in place: no allocation.
        let levels: &mut dyn Iterator<Item = (&Price, &Level)> = match taker.side {
            Side::Buy => &mut self.asks.iter(),
            Side::Sell => &mut self.bids.iter().rev(),
        };
        let mut available = 0;
        for (&price, level) in levels {
            if !taker.accepts(price) {
                break;
            }
            let mut slot = level.head;
            while slot != NIL {
                let node = &self.nodes[slot as usize];
                if node.order.account == taker.account {
                    return available;
                }
                available += node.order.remaining;
                if available >= taker.qty {
                    return taker.qty;
                }
                slot = node.next;
            }
        }
        available
    }

    /// Matches `taker` against the other side in price-time priority, calling
    /// `on_fill` for each trade. Trades print at the maker's price; a partly
    /// filled maker keeps its place. Stops when the taker is filled, the next
    /// price is beyond its limit, or its own order is next (self-trade).
    pub fn match_taker(&mut self, taker: &Taker, mut on_fill: impl FnMut(Fill)) -> MatchOutcome {
        let mut outcome = MatchOutcome::default();
        // One B-tree descent per fill: the best level is changed through its
        // entry, and a filled maker is always its queue's head.
        let OrderBook {
            bids,
            asks,
            nodes,
            free,
            resting,
        } = self;
        let levels = match taker.side {
            Side::Buy => asks,
            Side::Sell => bids,
        };
        while outcome.filled < taker.qty {
            let best = match taker.side {
                Side::Buy => levels.first_entry(),
                Side::Sell => levels.last_entry(),
            };
            let Some(mut best) = best.filter(|level| taker.accepts(*level.key())) else {
                break;
            };
            let price = *best.key();
            let level = best.get_mut();
            let head = level.head;
            let maker = nodes[head as usize].order;
            if maker.account == taker.account {
                outcome.self_trade = true;
                break;
            }
            let qty = maker.remaining.min(taker.qty - outcome.filled);
            let maker_done = qty == maker.remaining;
            level.total -= qty;
            if maker_done {
                let next = nodes[head as usize].next;
                level.head = next;
                if next == NIL {
                    level.tail = NIL;
                } else {
                    nodes[next as usize].prev = NIL;
                }
                level.orders -= 1;
                if level.orders == 0 {
                    best.remove();
                }
                Self::release(nodes, free, resting, head);
            } else {
                nodes[head as usize].order.remaining -= qty;
            }
            outcome.filled += qty;
            on_fill(Fill {
                maker: maker.id,
                maker_account: maker.account,
                price,
                qty,
                maker_done,
            });
        }
        outcome
    }

    /// Checks every structural invariant; used after each step in tests.
    #[cfg(test)]
    pub fn assert_consistent(&self) {
        let mut seen = 0;
        for side in [Side::Buy, Side::Sell] {
            for (price, total, orders) in self.levels(side) {
                let queue = self.queue(side, price);
                assert!(!queue.is_empty(), "no empty level at {price}");
                assert_eq!(queue.len() as u32, orders, "order count at {price}");
                assert_eq!(
                    queue.iter().map(|o| o.remaining).sum::<Qty>(),
                    total,
                    "level total at {price}"
                );
                for order in &queue {
                    assert!(order.remaining > 0 && order.price == price && order.side == side);
                }
                seen += queue.len();
            }
        }
        assert_eq!(seen, self.resting, "every resting order sits in a level");
        assert_eq!(
            self.nodes.len(),
            self.resting + self.free.len(),
            "every node is resting or free"
        );
        if let (Some((bid, _)), Some((ask, _))) = (self.best(Side::Buy), self.best(Side::Sell)) {
            assert!(bid < ask, "the book is never crossed: bid {bid} ask {ask}");
        }
    }
}

#[cfg(test)]
mod tests;
