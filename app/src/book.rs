//! The order book as the browser keeps it: a snapshot, then sequenced
//! deltas applied in order. A delta that does not follow the last applied
//! sequence means something was missed; the caller then asks for a fresh
//! snapshot (see [`BookState::apply`]). Pure, so the gap rules are tested
//! natively.

use crate::realtime::{BookDelta, BookSnapshot, Level, TopicEvent};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BookState {
    /// The last sequence applied; `None` until the first snapshot.
    pub seq: Option<u64>,
    bids: BTreeMap<i64, i64>,
    asks: BTreeMap<i64, i64>,
}

/// What applying an event asks of the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The book changed (or the event was already contained).
    Ok,
    /// A delta skipped sequences: take a new snapshot.
    Gap,
    /// Not a book event.
    Ignored,
}

fn set(levels: &mut BTreeMap<i64, i64>, level: &Level) {
    if level.qty > 0 {
        levels.insert(level.price, level.qty);
    } else {
        levels.remove(&level.price);
    }
}

impl BookState {
    pub fn apply(&mut self, event: &TopicEvent) -> Applied {
        match event {
            TopicEvent::BookSnapshot(snapshot) => {
                self.reset(snapshot);
                Applied::Ok
            }
            TopicEvent::BookDelta(delta) => self.apply_delta(delta),
            _ => Applied::Ignored,
        }
    }

    fn reset(&mut self, snapshot: &BookSnapshot) {
        self.seq = Some(snapshot.seq);
        self.bids = snapshot.bids.iter().map(|l| (l.price, l.qty)).collect();
        self.asks = snapshot.asks.iter().map(|l| (l.price, l.qty)).collect();
    }

    fn apply_delta(&mut self, delta: &BookDelta) -> Applied {
        let Some(seq) = self.seq else {
            // Deltas before the first snapshot: wait for it.
            return Applied::Ok;
        };
        if delta.seq <= seq {
            // Already in the snapshot (levels are absolute, so no harm).
            return Applied::Ok;
        }
        if delta.prev_seq != seq {
            return Applied::Gap;
        }
        delta
            .bids
            .iter()
            .for_each(|level| set(&mut self.bids, level));
        delta
            .asks
            .iter()
            .for_each(|level| set(&mut self.asks, level));
        self.seq = Some(delta.seq);
        Applied::Ok
    }

    /// The best `depth` bids, highest first.
    pub fn bids(&self, depth: usize) -> Vec<Level> {
        (self.bids.iter().rev().take(depth))
            .map(|(&price, &qty)| Level { price, qty })
            .collect()
    }

    /// The best `depth` asks, lowest first.
    pub fn asks(&self, depth: usize) -> Vec<Level> {
        (self.asks.iter().take(depth))
            .map(|(&price, &qty)| Level { price, qty })
            .collect()
    }
}

/// One level as the 호가창 shows it: its change from the day's reference
/// and whether it just changed (its quantity flashes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShownLevel {
    pub price: i64,
    pub qty: i64,
    /// Change of this price from the reference, in basis points.
    pub change_bp: i64,
    /// New, or its quantity differs from the previous view of the book.
    pub changed: bool,
}

/// The levels to show, each marked changed when `previous` (the last view
/// of the same side) held it with another quantity or not at all. With no
/// previous view (the first snapshot) nothing is marked: a page that opens
/// does not flash every level.
pub fn shown_levels(
    levels: &[Level],
    reference: i64,
    previous: Option<&[ShownLevel]>,
) -> Vec<ShownLevel> {
    levels
        .iter()
        .map(|level| ShownLevel {
            price: level.price,
            qty: level.qty,
            change_bp: crate::trading::basis_points(level.price - reference, reference),
            changed: previous.is_some_and(|previous| {
                !previous
                    .iter()
                    .any(|p| p.price == level.price && p.qty == level.qty)
            }),
        })
        .collect()
}

/// The shares resting on the levels shown (총잔량 of one side).
pub fn total_qty(levels: &[ShownLevel]) -> i64 {
    levels.iter().map(|l| l.qty).fold(0, i64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(price: i64, qty: i64) -> Level {
        Level { price, qty }
    }

    fn snapshot(seq: u64) -> TopicEvent {
        TopicEvent::BookSnapshot(BookSnapshot {
            symbol: "100010".into(),
            seq,
            bids: vec![level(990, 5), level(980, 7)],
            asks: vec![level(1_000, 3)],
        })
    }

    fn delta(prev_seq: u64, seq: u64, bids: Vec<Level>, asks: Vec<Level>) -> TopicEvent {
        TopicEvent::BookDelta(BookDelta {
            symbol: "100010".into(),
            seq,
            prev_seq,
            bids,
            asks,
        })
    }

    #[test]
    fn deltas_in_sequence_change_levels_and_zero_removes_one() {
        let mut book = BookState::default();
        assert_eq!(book.apply(&snapshot(4)), Applied::Ok);
        let change = delta(
            4,
            5,
            vec![level(990, 0), level(985, 2)],
            vec![level(1_010, 9)],
        );
        assert_eq!(book.apply(&change), Applied::Ok);
        assert_eq!(book.seq, Some(5));
        assert_eq!(book.bids(10), vec![level(985, 2), level(980, 7)]);
        assert_eq!(book.asks(10), vec![level(1_000, 3), level(1_010, 9)]);
        assert_eq!(book.bids(1), vec![level(985, 2)]);
    }

    #[test]
    fn a_gap_asks_for_a_snapshot_and_changes_nothing() {
        let mut book = BookState::default();
        book.apply(&snapshot(4));
        let before = book.clone();
        assert_eq!(
            book.apply(&delta(6, 7, vec![level(1, 1)], vec![])),
            Applied::Gap
        );
        assert_eq!(book, before);
        // The fresh snapshot is taken whatever its sequence.
        assert_eq!(book.apply(&snapshot(7)), Applied::Ok);
        assert_eq!(book.seq, Some(7));
    }

    #[test]
    fn deltas_the_snapshot_already_holds_and_early_deltas_are_skipped() {
        let mut book = BookState::default();
        assert_eq!(
            book.apply(&delta(1, 2, vec![level(1, 1)], vec![])),
            Applied::Ok
        );
        assert_eq!(book.seq, None);
        book.apply(&snapshot(4));
        assert_eq!(
            book.apply(&delta(3, 4, vec![level(1, 1)], vec![])),
            Applied::Ok
        );
        assert_eq!(book.bids(10).len(), 2);
        assert_eq!(
            book.apply(&snapshot(0)),
            Applied::Ok,
            "a restarted server counts again"
        );
        assert_eq!(book.seq, Some(0));
    }

    #[test]
    fn a_level_flashes_when_it_is_new_or_its_quantity_changed_but_not_on_first_sight() {
        let first = shown_levels(&[level(1_000, 3), level(1_010, 9)], 1_000, None);
        assert!(
            first.iter().all(|l| !l.changed),
            "the first view flashes nothing"
        );
        assert_eq!(
            first[1].change_bp, 100,
            "1,010 is 1 % above the 1,000 reference"
        );
        let next = shown_levels(
            &[level(1_000, 3), level(1_010, 4), level(1_020, 1)],
            1_000,
            Some(&first),
        );
        let changed: Vec<bool> = next.iter().map(|l| l.changed).collect();
        assert_eq!(changed, vec![false, true, true]);
        assert_eq!(total_qty(&next), 8);
        let below = shown_levels(&[level(990, 1)], 1_000, None);
        assert_eq!(below[0].change_bp, -100);
    }
}
