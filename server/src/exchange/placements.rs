//! Idempotency for placements: each account's most recent client order ids
//! with the answer each one got, so a retry answers like the first try.
//! Memory is bounded: past [`REMEMBERED`] placements the oldest are
//! forgotten, and an id at or below the highest forgotten one is refused as
//! a duplicate rather than placed twice. A small ring per account also
//! keeps the lookup in cache, where one table for every placement ever made
//! had become the engine's slowest step (docs/PERFORMANCE.md).

use super::command::ClientOrderId;
use super::event::Reply;

/// Placements remembered per account.
pub const REMEMBERED: usize = 64;

/// A ring of the last [`REMEMBERED`] placements. A linear scan of 64 ids
/// beats hashing here: no hashing, no tombstones, one cache-friendly array.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentPlacements {
    ring: Vec<(ClientOrderId, Reply)>,
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
            Some(&(_, reply)) => Seen::Before(reply),
            None if self.floor.is_some_and(|floor| id <= floor) => Seen::Forgotten,
            None => Seen::New,
        }
    }

    pub fn remember(&mut self, id: ClientOrderId, reply: Reply) {
        self.newest = Some(self.newest.map_or(id, |newest| newest.max(id)));
        if self.ring.len() < REMEMBERED {
            if self.ring.capacity() == 0 {
                self.ring.reserve_exact(REMEMBERED);
            }
            self.ring.push((id, reply));
            return;
        }
        let (oldest, _) = std::mem::replace(&mut self.ring[self.next], (id, reply));
        self.next = (self.next + 1) % REMEMBERED;
        self.floor = Some(self.floor.map_or(oldest, |floor| floor.max(oldest)));
    }

    /// Everything remembered, in a stable order (for the state digest).
    pub fn entries(&self) -> (Option<ClientOrderId>, Vec<(ClientOrderId, Reply)>) {
        let mut entries = self.ring.clone();
        entries.sort_unstable_by_key(|(id, _)| *id);
        (self.floor, entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::OrderId;

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
}
