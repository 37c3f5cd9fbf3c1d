//! Idempotency for placements: each account's most recent client order ids
//! with the answer each one got and what each one asked for, so a retry
//! answers like the first try, and the same id on a different order is
//! told apart from a retry (and refused) instead of being answered with
//! the earlier order. Memory is bounded: past [`REMEMBERED`] placements the
//! oldest are forgotten, and an id at or below the highest forgotten one is
//! refused as a duplicate rather than placed twice. A small ring per
//! account also keeps the lookup in cache, where one table for every
//! placement ever made had become the engine's slowest step
//! (docs/PERFORMANCE.md).

use super::command::{ClientOrderId, OrderType, PlaceOrder, SymbolId, TimeInForce};
use super::event::{Reject, Reply};
use super::rules::{Price, Qty};
use super::types::{OrderId, Side};
use serde::{Deserialize, Serialize};

/// Placements remembered per account.
pub const REMEMBERED: usize = 64;

/// A placement's answer in one word, so that a ring entry is 16 bytes
/// instead of 24 and the thousand rings of a busy exchange take a third
/// less cache: an accepted order's id (order ids are sequence numbers, far
/// below 2⁶³), or a rejection's code with the top bit set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct PackedReply(u64);

impl PackedReply {
    const REJECTED: u64 = 1 << 63;
    /// `Reply::Done` answers no placement, but packs all the same.
    const DONE: u64 = u64::MAX;

    fn pack(reply: Reply) -> PackedReply {
        PackedReply(match reply {
            Reply::Accepted { order } => {
                debug_assert!(order.0 < Self::REJECTED, "order ids stay below 2^63");
                order.0
            }
            Reply::Rejected { reason } => Self::REJECTED | reason as u64,
            Reply::Done => Self::DONE,
        })
    }

    fn unpack(self) -> Reply {
        match self.0 {
            Self::DONE => Reply::Done,
            word if word & Self::REJECTED != 0 => {
                let code = (word & !Self::REJECTED) as usize;
                // Every code comes from `pack`, and `Reject::ALL` holds every
                // reason (tested); should that ever break, a retry is still
                // refused rather than placed twice.
                let reason = Reject::ALL
                    .get(code)
                    .copied()
                    .unwrap_or(Reject::DuplicateClientId);
                Reply::Rejected { reason }
            }
            order => Reply::Accepted {
                order: OrderId(order),
            },
        }
    }
}

/// What a placement asked for, everything of it but the account and the
/// client id: a retry asks for exactly this again. 24 bytes (a market
/// order's price is 0 and its `market` flag tells it from a limit at 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Terms {
    qty: Qty,
    price: Price,
    symbol: SymbolId,
    side: Side,
    tif: TimeInForce,
    market: bool,
}

impl Terms {
    pub fn of(place: &PlaceOrder) -> Terms {
        let (price, market) = match place.order_type {
            OrderType::Limit(price) => (price, false),
            OrderType::Market => (0, true),
        };
        Terms {
            qty: place.qty,
            price,
            symbol: place.symbol,
            side: place.side,
            tif: place.tif,
            market,
        }
    }
}

/// A ring of the last [`REMEMBERED`] placements. A linear scan of 64 ids
/// beats hashing here: no hashing, no tombstones, one cache-friendly array.
/// Each placement's terms sit in an array of their own at the same index,
/// read only when an id is found again (rare), so the scan stays on the
/// 16-byte entries.
///
/// Serialised as is in engine snapshots (`engine/image.rs`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentPlacements {
    ring: Vec<(ClientOrderId, PackedReply)>,
    terms: Vec<Terms>,
    /// Where the next placement goes once the ring is full.
    next: usize,
    /// The highest id forgotten so far.
    floor: Option<ClientOrderId>,
    /// The highest id ever placed. Clients usually count upwards, so most
    /// placements are above it and skip the scan, which had become a tenth
    /// of the engine's time once a thousand rings no longer fit in cache.
    newest: Option<ClientOrderId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// A retry: answer with the first reply.
    Before(Reply),
    /// The id of a remembered placement on different terms: not a retry,
    /// and not a new order either.
    Reused,
    /// Too old to tell apart from a reuse: refuse.
    Forgotten,
    New,
}

impl RecentPlacements {
    /// Whether a placement with client id `id` asking for `terms` is new,
    /// a retry, or a reuse of the id.
    pub fn seen(&self, id: ClientOrderId, terms: &Terms) -> Seen {
        if self.newest.is_none_or(|newest| id > newest) {
            return Seen::New;
        }
        match self.ring.iter().position(|(known, _)| *known == id) {
            Some(at) if self.terms[at] == *terms => Seen::Before(self.ring[at].1.unpack()),
            Some(_) => Seen::Reused,
            None if self.floor.is_some_and(|floor| id <= floor) => Seen::Forgotten,
            None => Seen::New,
        }
    }

    pub fn remember(&mut self, id: ClientOrderId, terms: Terms, reply: Reply) {
        let entry = (id, PackedReply::pack(reply));
        self.newest = Some(self.newest.map_or(id, |newest| newest.max(id)));
        if self.ring.len() < REMEMBERED {
            if self.ring.capacity() == 0 {
                self.ring.reserve_exact(REMEMBERED);
                self.terms.reserve_exact(REMEMBERED);
            }
            self.ring.push(entry);
            self.terms.push(terms);
            return;
        }
        let (oldest, _) = std::mem::replace(&mut self.ring[self.next], entry);
        self.terms[self.next] = terms;
        self.next = (self.next + 1) % REMEMBERED;
        self.floor = Some(self.floor.map_or(oldest, |floor| floor.max(oldest)));
    }

    /// Everything remembered, in a stable order (for the state digest).
    /// Whether the ring is one `remember` could have left (a snapshot's
    /// may have been damaged).
    pub fn is_consistent(&self) -> bool {
        self.ring.len() == self.terms.len()
            && self.ring.len() <= REMEMBERED
            && self.next < REMEMBERED.max(1)
            && (self.ring.len() == REMEMBERED || self.next == 0)
    }

    pub fn entries(&self) -> (Option<ClientOrderId>, Vec<(ClientOrderId, Reply, Terms)>) {
        let mut entries: Vec<_> = (self.ring.iter().zip(&self.terms))
            .map(|(&(id, reply), &terms)| (id, reply.unpack(), terms))
            .collect();
        entries.sort_unstable_by_key(|(id, _, _)| *id);
        (self.floor, entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::exchange::types::AccountId;

    /// A limit buy of `qty` at 10,000 whose client id is `n`.
    fn buy(n: u64, qty: Qty) -> PlaceOrder {
        PlaceOrder {
            account: AccountId(1),
            client_id: ClientOrderId(n),
            symbol: SymbolId(0),
            side: Side::Buy,
            order_type: OrderType::Limit(10_000),
            tif: TimeInForce::Gtc,
            qty,
        }
    }

    #[test]
    fn retries_answer_alike_and_forgotten_ids_are_refused() {
        let mut recent = RecentPlacements::default();
        let reply = |n| Reply::Accepted { order: OrderId(n) };
        let terms = |n| Terms::of(&buy(n, 1));
        for n in 1..=(REMEMBERED as u64 + 10) {
            assert_eq!(recent.seen(ClientOrderId(n), &terms(n)), Seen::New);
            recent.remember(ClientOrderId(n), terms(n), reply(n));
        }
        let seen = |n| recent.seen(ClientOrderId(n), &terms(n));
        assert_eq!(seen(11), Seen::Before(reply(11)));
        assert_eq!(seen(74), Seen::Before(reply(74)));
        assert_eq!(seen(10), Seen::Forgotten);
        assert_eq!(seen(1), Seen::Forgotten);
        assert_eq!(seen(5_000), Seen::New);
        assert_eq!(recent.entries().1.len(), REMEMBERED);
    }

    #[test]
    fn a_remembered_id_on_other_terms_is_a_reuse_even_after_the_ring_wrapped() {
        let mut recent = RecentPlacements::default();
        for n in 1..=(REMEMBERED as u64 + 10) {
            let place = buy(n, n as Qty);
            recent.remember(place.client_id, Terms::of(&place), Reply::Done);
        }
        // Entry 11 sits in a slot the ring has written twice.
        for n in [11, 40, 74] {
            let same = buy(n, n as Qty);
            assert_eq!(
                recent.seen(same.client_id, &Terms::of(&same)),
                Seen::Before(Reply::Done)
            );
            let other = buy(n, n as Qty + 1);
            assert_eq!(
                recent.seen(other.client_id, &Terms::of(&other)),
                Seen::Reused
            );
        }
    }

    #[test]
    fn terms_differ_in_every_field_a_placement_carries() {
        let base = buy(1, 5);
        let market = PlaceOrder {
            order_type: OrderType::Market,
            ..base
        };
        let variants = [
            PlaceOrder { qty: 6, ..base },
            PlaceOrder {
                order_type: OrderType::Limit(10_100),
                ..base
            },
            market,
            PlaceOrder {
                order_type: OrderType::Limit(0),
                ..market
            },
            PlaceOrder {
                symbol: SymbolId(1),
                ..base
            },
            PlaceOrder {
                side: Side::Sell,
                ..base
            },
            PlaceOrder {
                tif: TimeInForce::Ioc,
                ..base
            },
        ];
        for variant in variants {
            assert_ne!(Terms::of(&variant), Terms::of(&base), "{variant:?}");
        }
        assert_ne!(
            Terms::of(&market),
            Terms::of(&PlaceOrder {
                order_type: OrderType::Limit(0),
                ..base
            })
        );
        // Neither the account nor the client id is part of them.
        let elsewhere = PlaceOrder {
            account: AccountId(9),
            client_id: ClientOrderId(9),
            ..base
        };
        assert_eq!(Terms::of(&elsewhere), Terms::of(&base));
        assert_eq!(std::mem::size_of::<Terms>(), 24);
    }

    #[test]
    fn every_reply_survives_packing() {
        for (code, reason) in Reject::ALL.into_iter().enumerate() {
            assert_eq!(reason as usize, code, "Reject::ALL is in code order");
            // Exhaustive on purpose: a new reason stops compiling here until
            // it is added to `Reject::ALL` as well.
            match reason {
                Reject::UnknownSymbol
                | Reject::SymbolHalted
                | Reject::BadQuantity
                | Reject::BadPrice
                | Reject::OffTick
                | Reject::OutsideBand
                | Reject::BadAmount
                | Reject::UnknownAccount
                | Reject::InsufficientCash
                | Reject::InsufficientShares
                | Reject::AmountTooLarge
                | Reject::UnknownOrder
                | Reject::NotYourOrder
                | Reject::NothingToChange
                | Reject::DuplicateClientId => {}
            }
            let reply = Reply::Rejected { reason };
            assert_eq!(PackedReply::pack(reply).unpack(), reply);
        }
        for reply in [
            Reply::Done,
            Reply::Accepted { order: OrderId(1) },
            Reply::Accepted {
                order: OrderId((1 << 63) - 1),
            },
        ] {
            assert_eq!(PackedReply::pack(reply).unpack(), reply);
        }
        assert_eq!(std::mem::size_of::<(ClientOrderId, PackedReply)>(), 16);
    }
}
