//! The order book against a deliberately naive reference: a flat list of
//! orders searched from scratch for every fill. Random command streams go
//! through both; fills and the whole book must agree after every step, and
//! the book's structural invariants must hold.

use super::*;
use proptest::prelude::*;
use std::collections::HashMap;

const A: AccountId = AccountId(1);
const B: AccountId = AccountId(2);
const C: AccountId = AccountId(3);

fn order(id: u64, account: AccountId, side: Side, price: Price, qty: Qty) -> RestingOrder {
    RestingOrder {
        id: OrderId(id),
        account,
        side,
        price,
        remaining: qty,
    }
}

fn fills_of(book: &mut OrderBook, taker: Taker) -> (Vec<Fill>, MatchOutcome) {
    let mut fills = Vec::new();
    let outcome = book.match_taker(&taker, |fill| fills.push(fill));
    (fills, outcome)
}

#[test]
fn better_prices_fill_first_then_earlier_orders() {
    let mut book = OrderBook::default();
    book.insert(order(1, A, Side::Sell, 10_100, 5));
    book.insert(order(2, B, Side::Sell, 10_000, 5));
    book.insert(order(3, C, Side::Sell, 10_000, 5));
    let (fills, outcome) = fills_of(
        &mut book,
        Taker {
            account: AccountId(9),
            side: Side::Buy,
            limit: 10_100,
            qty: 12,
        },
    );
    let makers: Vec<_> = fills.iter().map(|f| (f.maker.0, f.price, f.qty)).collect();
    assert_eq!(makers, vec![(2, 10_000, 5), (3, 10_000, 5), (1, 10_100, 2)]);
    assert_eq!(
        outcome,
        MatchOutcome {
            filled: 12,
            self_trade: false
        }
    );
    book.assert_consistent();
}

#[test]
fn trades_print_at_the_resting_price_and_stop_at_the_limit() {
    let mut book = OrderBook::default();
    book.insert(order(1, A, Side::Buy, 10_050, 3));
    book.insert(order(2, A, Side::Buy, 9_990, 3));
    let (fills, outcome) = fills_of(
        &mut book,
        Taker {
            account: B,
            side: Side::Sell,
            limit: 10_000,
            qty: 10,
        },
    );
    assert_eq!(fills.len(), 1);
    assert_eq!(
        (fills[0].price, fills[0].qty),
        (10_050, 3),
        "the seller gets the better, resting price"
    );
    assert_eq!(outcome.filled, 3);
    assert_eq!(book.best(Side::Buy), Some((9_990, 3)));
}

#[test]
fn a_partly_filled_maker_keeps_its_place() {
    let mut book = OrderBook::default();
    book.insert(order(1, A, Side::Sell, 10_000, 10));
    book.insert(order(2, B, Side::Sell, 10_000, 10));
    let (fills, _) = fills_of(
        &mut book,
        Taker {
            account: C,
            side: Side::Buy,
            limit: 10_000,
            qty: 4,
        },
    );
    assert!(!fills[0].maker_done);
    let queue: Vec<_> = book
        .queue(Side::Sell, 10_000)
        .iter()
        .map(|o| (o.id.0, o.remaining))
        .collect();
    assert_eq!(queue, vec![(1, 6), (2, 10)]);
    assert_eq!(book.level_qty(Side::Sell, 10_000), 16);
}

#[test]
fn matching_stops_at_the_takers_own_order() {
    let mut book = OrderBook::default();
    book.insert(order(1, B, Side::Sell, 10_000, 2));
    let own = book.insert(order(2, A, Side::Sell, 10_000, 5));
    book.insert(order(3, B, Side::Sell, 10_000, 5));
    let taker = Taker {
        account: A,
        side: Side::Buy,
        limit: 10_000,
        qty: 10,
    };
    assert_eq!(book.fillable(&taker), 2);
    let (fills, outcome) = fills_of(&mut book, taker);
    assert_eq!(fills.len(), 1);
    assert_eq!(
        outcome,
        MatchOutcome {
            filled: 2,
            self_trade: true
        }
    );
    assert!(
        book.get(own, OrderId(2)).is_some(),
        "the resting own order is untouched"
    );
}

#[test]
fn reducing_keeps_priority_and_bad_reductions_change_nothing() {
    let mut book = OrderBook::default();
    let first = book.insert(order(1, A, Side::Buy, 9_000, 10));
    let second = book.insert(order(2, B, Side::Buy, 9_000, 10));
    assert!(book.reduce(first, OrderId(1), 4));
    assert!(!book.reduce(first, OrderId(1), 4), "not lower");
    assert!(
        !book.reduce(first, OrderId(1), 0),
        "zero is a cancel, not a reduction"
    );
    assert!(!book.reduce(first, OrderId(99), 1), "another order's slot");
    assert!(!book.reduce(second, OrderId(1), 1), "another slot");
    assert!(!book.reduce(Slot::NONE, OrderId(1), 1), "no slot");
    let queue: Vec<_> = book
        .queue(Side::Buy, 9_000)
        .iter()
        .map(|o| (o.id.0, o.remaining))
        .collect();
    assert_eq!(queue, vec![(1, 4), (2, 10)]);
    assert_eq!(book.level_qty(Side::Buy, 9_000), 14);
    book.assert_consistent();
}

#[test]
fn removing_from_the_middle_of_a_queue_relinks_it() {
    let mut book = OrderBook::default();
    let slots: Vec<Slot> = (1..=3)
        .map(|id| book.insert(order(id, A, Side::Sell, 10_000, id as Qty)))
        .collect();
    assert_eq!(
        book.remove(slots[1], OrderId(2)).map(|o| o.remaining),
        Some(2)
    );
    assert_eq!(book.remove(slots[1], OrderId(2)), None, "already gone");
    assert_eq!(
        book.get(slots[1], OrderId(2)),
        None,
        "a freed slot is empty"
    );
    let ids: Vec<_> = book
        .queue(Side::Sell, 10_000)
        .iter()
        .map(|o| o.id.0)
        .collect();
    assert_eq!(ids, vec![1, 3]);
    book.remove(slots[0], OrderId(1));
    book.remove(slots[2], OrderId(3));
    assert!(book.is_empty() && book.best(Side::Sell).is_none());
    let reused = book.insert(order(4, A, Side::Sell, 10_000, 1));
    assert_eq!(book.nodes.len(), 3, "freed nodes are reused");
    assert!(slots.contains(&reused));
    assert_eq!(
        book.remove(reused, OrderId(1))
            .or(book.remove(reused, OrderId(3))),
        None,
        "a reused slot answers only to its new order"
    );
    book.assert_consistent();
}

/// The naive model: every order in one list, ordered by arrival.
#[derive(Default)]
struct Reference {
    orders: Vec<(u64, RestingOrder)>,
    clock: u64,
}

impl Reference {
    fn insert(&mut self, order: RestingOrder) {
        self.clock += 1;
        self.orders.push((self.clock, order));
    }

    fn remove(&mut self, id: OrderId) -> Option<RestingOrder> {
        let at = self.orders.iter().position(|(_, o)| o.id == id)?;
        Some(self.orders.remove(at).1)
    }

    fn reduce(&mut self, id: OrderId, qty: Qty) -> bool {
        match self.orders.iter_mut().find(|(_, o)| o.id == id) {
            Some((_, o)) if qty > 0 && qty < o.remaining => {
                o.remaining = qty;
                true
            }
            _ => false,
        }
    }

    fn match_taker(&mut self, taker: &Taker) -> (Vec<Fill>, MatchOutcome) {
        let mut fills = Vec::new();
        let mut outcome = MatchOutcome::default();
        while outcome.filled < taker.qty {
            let best = self
                .orders
                .iter()
                .enumerate()
                .filter(|(_, (_, o))| o.side != taker.side)
                .filter(|(_, (_, o))| match taker.side {
                    Side::Buy => o.price <= taker.limit,
                    Side::Sell => o.price >= taker.limit,
                })
                .min_by_key(|(_, (time, o))| {
                    let price_rank = if taker.side == Side::Buy {
                        o.price
                    } else {
                        -o.price
                    };
                    (price_rank, *time)
                })
                .map(|(at, _)| at);
            let Some(at) = best else { break };
            let maker = self.orders[at].1;
            if maker.account == taker.account {
                outcome.self_trade = true;
                break;
            }
            let qty = maker.remaining.min(taker.qty - outcome.filled);
            let maker_done = qty == maker.remaining;
            if maker_done {
                self.orders.remove(at);
            } else {
                self.orders[at].1.remaining -= qty;
            }
            outcome.filled += qty;
            fills.push(Fill {
                maker: maker.id,
                maker_account: maker.account,
                price: maker.price,
                qty,
                maker_done,
            });
        }
        (fills, outcome)
    }

    /// Every order per side, best price first, then by arrival.
    fn snapshot(&self, side: Side) -> Vec<RestingOrder> {
        let mut orders: Vec<_> = self.orders.iter().filter(|(_, o)| o.side == side).collect();
        orders.sort_by_key(|(time, o)| (if side == Side::Buy { -o.price } else { o.price }, *time));
        orders.into_iter().map(|(_, o)| *o).collect()
    }
}

fn snapshot(book: &OrderBook, side: Side) -> Vec<RestingOrder> {
    let prices: Vec<_> = book.levels(side).map(|(price, _, _)| price).collect();
    prices
        .into_iter()
        .flat_map(|price| book.queue(side, price))
        .collect()
}

#[derive(Clone, Debug)]
enum Op {
    /// A limit order: match, then rest the remainder unless IOC or stopped
    /// by self-trade prevention.
    Limit {
        account: u64,
        side: Side,
        tick: i64,
        qty: Qty,
        ioc: bool,
    },
    /// Matches across the whole test price range; the remainder is cancelled.
    Market {
        account: u64,
        side: Side,
        qty: Qty,
    },
    /// Fill-or-kill: fills completely now or does nothing.
    FillOrKill {
        account: u64,
        side: Side,
        tick: i64,
        qty: Qty,
    },
    Cancel {
        pick: usize,
    },
    /// Same price and a lower quantity keeps priority; anything else is a
    /// cancel and a fresh submission under the same id.
    Amend {
        pick: usize,
        tick: i64,
        qty: Qty,
    },
}

const BASE: Price = 10_000;
const TICK: Price = 10;

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..4u64, side(), 0..12i64, 1..30i64, proptest::bool::weighted(0.2))
            .prop_map(|(account, side, tick, qty, ioc)| Op::Limit { account, side, tick, qty, ioc }),
        1 => (0..4u64, side(), 1..40i64).prop_map(|(account, side, qty)| Op::Market { account, side, qty }),
        1 => (0..4u64, side(), 0..12i64, 1..40i64)
            .prop_map(|(account, side, tick, qty)| Op::FillOrKill { account, side, tick, qty }),
        2 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        2 => (any::<usize>(), 0..12i64, 1..30i64).prop_map(|(pick, tick, qty)| Op::Amend { pick, tick, qty }),
    ]
}

/// Applies `op` to the real book and the reference alike, returning both
/// sets of fills.
struct Pair {
    book: OrderBook,
    /// Where each order that ever rested went (stale once it left).
    slots: HashMap<OrderId, Slot>,
    reference: Reference,
    next_id: u64,
}

impl Pair {
    fn submit(&mut self, id: OrderId, taker: Taker, rest: bool) -> (Vec<Fill>, Vec<Fill>) {
        let (fills, outcome) = fills_of(&mut self.book, taker);
        let (ref_fills, ref_outcome) = self.reference.match_taker(&taker);
        assert_eq!(outcome, ref_outcome);
        let remaining = taker.qty - outcome.filled;
        if rest && remaining > 0 && !outcome.self_trade {
            let resting = taker.resting(id, remaining);
            self.slots.insert(id, self.book.insert(resting));
            self.reference.insert(resting);
        }
        (fills, ref_fills)
    }

    fn pick(&self, pick: usize) -> Option<RestingOrder> {
        let all: Vec<_> = self.reference.orders.iter().map(|(_, o)| *o).collect();
        (!all.is_empty()).then(|| all[pick % all.len()])
    }

    fn apply(&mut self, op: Op) -> (Vec<Fill>, Vec<Fill>) {
        self.next_id += 1;
        let id = OrderId(self.next_id);
        match op {
            Op::Limit {
                account,
                side,
                tick,
                qty,
                ioc,
            } => {
                let taker = Taker {
                    account: AccountId(account),
                    side,
                    limit: BASE + tick * TICK,
                    qty,
                };
                self.submit(id, taker, !ioc)
            }
            Op::Market { account, side, qty } => {
                let limit = if side == Side::Buy { Price::MAX } else { 1 };
                self.submit(
                    id,
                    Taker {
                        account: AccountId(account),
                        side,
                        limit,
                        qty,
                    },
                    false,
                )
            }
            Op::FillOrKill {
                account,
                side,
                tick,
                qty,
            } => {
                let taker = Taker {
                    account: AccountId(account),
                    side,
                    limit: BASE + tick * TICK,
                    qty,
                };
                if self.book.fillable(&taker) < qty {
                    return (Vec::new(), Vec::new());
                }
                let (fills, ref_fills) = self.submit(id, taker, false);
                assert_eq!(
                    fills.iter().map(|f| f.qty).sum::<Qty>(),
                    qty,
                    "fill-or-kill fills completely"
                );
                (fills, ref_fills)
            }
            Op::Cancel { pick } => {
                if let Some(target) = self.pick(pick) {
                    assert_eq!(
                        self.book.remove(self.slots[&target.id], target.id),
                        self.reference.remove(target.id)
                    );
                }
                (Vec::new(), Vec::new())
            }
            Op::Amend { pick, tick, qty } => {
                let Some(target) = self.pick(pick) else {
                    return (Vec::new(), Vec::new());
                };
                let price = BASE + tick * TICK;
                if price == target.price && qty <= target.remaining {
                    if qty < target.remaining {
                        assert!(self.book.reduce(self.slots[&target.id], target.id, qty));
                        assert!(self.reference.reduce(target.id, qty));
                    }
                    return (Vec::new(), Vec::new());
                }
                self.book.remove(self.slots[&target.id], target.id);
                self.reference.remove(target.id);
                let taker = Taker {
                    account: target.account,
                    side: target.side,
                    limit: price,
                    qty,
                };
                self.submit(target.id, taker, true)
            }
        }
    }
}

fn run_stream(ops: Vec<Op>) {
    let mut pair = Pair {
        book: OrderBook::default(),
        slots: HashMap::new(),
        reference: Reference::default(),
        next_id: 0,
    };
    for op in ops {
        let (fills, ref_fills) = pair.apply(op.clone());
        assert_eq!(fills, ref_fills, "fills differ after {op:?}");
        pair.book.assert_consistent();
        for side in [Side::Buy, Side::Sell] {
            assert_eq!(
                snapshot(&pair.book, side),
                pair.reference.snapshot(side),
                "{side:?} book differs after {op:?}"
            );
        }
    }
}

/// Commands per run: `GAEMI_BOOK_STREAM_LEN` (default 400); cases per test:
/// proptest's `PROPTEST_CASES` (default 256). The defaults put 100k+ commands
/// through in CI; raise both for a long soak.
fn stream_len() -> usize {
    std::env::var("GAEMI_BOOK_STREAM_LEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

proptest! {
    #[test]
    fn random_command_streams_match_the_reference_book(ops in proptest::collection::vec(op(), stream_len())) {
        run_stream(ops);
    }
}
