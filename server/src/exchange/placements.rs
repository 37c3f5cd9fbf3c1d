//! Idempotency for placements: each account's most recent client order ids
//! with the answer each one got, so a retry answers like the first try.
//! Memory is bounded: past [`REMEMBERED`] placements the oldest are
//! forgotten, and an id at or below the highest forgotten one is refused as
//! a duplicate rather than placed twice. A small ring per account also
//! keeps the lookup in cache, where one table for every placement ever made
//! had become the engine's slowest step (docs/PERFORMANCE.md).

use super::command::ClientOrderId;
use super::event::{Reject, Reply};
use super::types::OrderId;

/// Placements remembered per account.
pub const REMEMBERED: usize = 64;

/// A placement's answer in one word, so that a ring entry is 16 bytes
/// instead of 24 and the thousand rings of a busy exchange take a third
/// less cache: an accepted order's id (order ids are sequence numbers, far
/// below 2⁶³), or a rejection's code with the top bit set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// A ring of the last [`REMEMBERED`] placements. A linear scan of 64 ids
/// beats hashing here: no hashing, no tombstones, one cache-friendly array.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentPlacements {
    ring: Vec<(ClientOrderId, PackedReply)>,
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
    /// Too old to tell apart from a reuse: refuse.
    Forgotten,
    New,
}

impl RecentPlacements {
    pub fn seen(&self, id: ClientOrderId) -> Seen {
        if self.newest.is_none_or(|newest| id > newest) {
            return Seen::New;
        }
        match self.ring.iter().find(|(known, _)| *known == id) {
            Some(&(_, reply)) => Seen::Before(reply.unpack()),
            None if self.floor.is_some_and(|floor| id <= floor) => Seen::Forgotten,
            None => Seen::New,
        }
    }

    pub fn remember(&mut self, id: ClientOrderId, reply: Reply) {
        let entry = (id, PackedReply::pack(reply));
        self.newest = Some(self.newest.map_or(id, |newest| newest.max(id)));
        if self.ring.len() < REMEMBERED {
            if self.ring.capacity() == 0 {
                self.ring.reserve_exact(REMEMBERED);
            }
            self.ring.push(entry);
            return;
        }
        let (oldest, _) = std::mem::replace(&mut self.ring[self.next], entry);
        self.next = (self.next + 1) % REMEMBERED;
        self.floor = Some(self.floor.map_or(oldest, |floor| floor.max(oldest)));
    }

    /// Everything remembered, in a stable order (for the state digest).
    pub fn entries(&self) -> (Option<ClientOrderId>, Vec<(ClientOrderId, Reply)>) {
        let mut entries: Vec<_> = (self.ring.iter())
            .map(|&(id, reply)| (id, reply.unpack()))
            .collect();
        entries.sort_unstable_by_key(|(id, _)| *id);
        (self.floor, entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_answer_alike_and_forgotten_ids_are_refused() {
        let mut recent = RecentPlacements::default();
        let reply = |n| Reply::Accepted { order: OrderId(n) };
        for n in 1..=(REMEMBERED as u64 + 10) {
            assert_eq!(recent.seen(ClientOrderId(n)), Seen::New);
            recent.remember(ClientOrderId(n), reply(n));
        }
        assert_eq!(recent.seen(ClientOrderId(11)), Seen::Before(reply(11)));
        assert_eq!(recent.seen(ClientOrderId(74)), Seen::Before(reply(74)));
        assert_eq!(recent.seen(ClientOrderId(10)), Seen::Forgotten);
        assert_eq!(recent.seen(ClientOrderId(1)), Seen::Forgotten);
        assert_eq!(recent.seen(ClientOrderId(5_000)), Seen::New);
        assert_eq!(recent.entries().1.len(), REMEMBERED);
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
