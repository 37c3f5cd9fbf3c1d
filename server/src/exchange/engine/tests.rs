//! Engine rules, one test each, and random command streams with the ledger
//! invariants checked after every command.

use super::*;
use crate::exchange::ClientOrderId;
use crate::exchange::ledger::Position;
use proptest::prelude::*;

const SYM: SymbolId = SymbolId(1);
const ALICE: AccountId = AccountId(1);
const BOB: AccountId = AccountId(2);
const CASH: Won = 100_000_000;

struct Harness {
    engine: Engine,
    events: Vec<Event>,
    next_client_id: u64,
}

impl Harness {
    /// One listing at 10,000 won (band 7,000–13,000); Alice and Bob each with
    /// 100,000,000 won and 1,000 shares bought at 10,000.
    fn new() -> Harness {
        let mut h = Harness {
            engine: Engine::new(FeeSchedule::default()),
            events: Vec::new(),
            next_client_id: 0,
        };
        h.ok(Command::List {
            symbol: SYM,
            reference_price: 10_000,
        });
        for account in [ALICE, BOB] {
            h.ok(Command::Deposit {
                account,
                amount: CASH,
            });
            h.ok(Command::GrantShares {
                account,
                symbol: SYM,
                qty: 1_000,
                cost: 10_000_000,
            });
        }
        h
    }

    fn run(&mut self, command: Command) -> Reply {
        self.events.clear();
        let reply = self.engine.execute(command, &mut self.events).reply;
        if let Err(broken) = self.engine.check_invariants() {
            panic!("after {command:?}: {broken}");
        }
        reply
    }

    fn ok(&mut self, command: Command) {
        assert_eq!(self.run(command), Reply::Done, "{command:?}");
    }

    fn place(
        &mut self,
        account: AccountId,
        side: Side,
        order_type: OrderType,
        tif: TimeInForce,
        qty: Qty,
    ) -> Reply {
        self.next_client_id += 1;
        let client_id = ClientOrderId(self.next_client_id);
        self.run(Command::Place(PlaceOrder {
            account,
            client_id,
            symbol: SYM,
            side,
            order_type,
            tif,
            qty,
        }))
    }

    fn limit(&mut self, account: AccountId, side: Side, price: Price, qty: Qty) -> OrderId {
        match self.place(
            account,
            side,
            OrderType::Limit(price),
            TimeInForce::Gtc,
            qty,
        ) {
            Reply::Accepted { order } => order,
            other => panic!("expected acceptance, got {other:?}"),
        }
    }

    fn rejected(
        &mut self,
        account: AccountId,
        side: Side,
        order_type: OrderType,
        qty: Qty,
    ) -> Reject {
        match self.place(account, side, order_type, TimeInForce::Gtc, qty) {
            Reply::Rejected { reason } => reason,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    fn cash(&self, account: AccountId) -> (Won, Won) {
        let a = self.engine.account(account).unwrap();
        (a.cash_available, a.cash_held)
    }

    fn position(&self, account: AccountId) -> Position {
        self.engine.account(account).unwrap().position(SYM)
    }

    fn trades(&self) -> Vec<(Price, Qty)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Trade { price, qty, .. } => Some((*price, *qty)),
                _ => None,
            })
            .collect()
    }

    fn cancelled(&self) -> Option<CancelReason> {
        self.events.iter().find_map(|e| match e {
            Event::OrderCancelled { reason, .. } => Some(*reason),
            _ => None,
        })
    }
}

#[test]
fn a_buy_holds_price_times_quantity_plus_worst_case_commission() {
    let mut h = Harness::new();
    h.limit(ALICE, Side::Buy, 9_000, 100);
    // 900,000 + 135 commission.
    assert_eq!(h.cash(ALICE), (CASH - 900_135, 900_135));
}

#[test]
fn a_trade_moves_money_shares_fees_and_tax_exactly() {
    let mut h = Harness::new();
    h.limit(BOB, Side::Sell, 10_000, 10);
    h.limit(ALICE, Side::Buy, 10_000, 10);
    assert_eq!(h.trades(), vec![(10_000, 10)]);
    // Alice pays 100,000 + 15 commission; Bob gets 100,000 − 15 − 200 tax.
    assert_eq!(h.cash(ALICE), (CASH - 100_015, 0));
    assert_eq!(h.cash(BOB), (CASH + 99_785, 0));
    assert_eq!(
        h.position(ALICE),
        Position {
            available: 1_010,
            held: 0,
            cost: 10_100_000
        }
    );
    assert_eq!(
        h.position(BOB),
        Position {
            available: 990,
            held: 0,
            cost: 9_900_000
        }
    );
}

#[test]
fn a_buyer_crossing_a_cheaper_ask_pays_the_resting_price_and_gets_the_rest_back() {
    let mut h = Harness::new();
    h.limit(BOB, Side::Sell, 9_500, 10);
    h.limit(ALICE, Side::Buy, 10_000, 10);
    assert_eq!(h.trades(), vec![(9_500, 10)]);
    assert_eq!(
        h.cash(ALICE),
        (CASH - 95_000 - 14, 0),
        "nothing stays held after a full fill"
    );
}

#[test]
fn a_partly_filled_buy_keeps_exactly_what_its_rest_needs() {
    let mut h = Harness::new();
    h.limit(BOB, Side::Sell, 9_500, 4);
    h.limit(ALICE, Side::Buy, 10_000, 10);
    // Rest: 6 × 10,000 + 9 commission.
    assert_eq!(h.cash(ALICE).1, 60_009);
    assert_eq!(h.cash(ALICE).0, CASH - 38_000 - 5 - 60_009);
}

#[test]
fn a_market_order_walks_the_book_and_cancels_its_remainder() {
    let mut h = Harness::new();
    h.limit(BOB, Side::Sell, 10_000, 5);
    h.limit(BOB, Side::Sell, 10_100, 5);
    let reply = h.place(ALICE, Side::Buy, OrderType::Market, TimeInForce::Gtc, 12);
    assert!(matches!(reply, Reply::Accepted { .. }));
    assert_eq!(h.trades(), vec![(10_000, 5), (10_100, 5)]);
    assert_eq!(h.cancelled(), Some(CancelReason::Unfilled));
    assert_eq!(h.cash(ALICE).1, 0, "the band-price hold is fully released");
}

#[test]
fn ioc_cancels_and_fok_refuses_what_cannot_fill_at_once() {
    let mut h = Harness::new();
    h.limit(BOB, Side::Sell, 10_000, 5);
    h.place(
        ALICE,
        Side::Buy,
        OrderType::Limit(10_000),
        TimeInForce::Fok,
        6,
    );
    assert!(h.trades().is_empty());
    assert_eq!(h.cancelled(), Some(CancelReason::FillOrKill));
    h.place(
        ALICE,
        Side::Buy,
        OrderType::Limit(10_000),
        TimeInForce::Ioc,
        6,
    );
    assert_eq!(h.trades(), vec![(10_000, 5)]);
    assert_eq!(h.cancelled(), Some(CancelReason::Unfilled));
    assert!(h.engine.book(SYM).unwrap().is_empty());
}

#[test]
fn an_order_never_trades_with_its_own_account() {
    let mut h = Harness::new();
    h.limit(ALICE, Side::Sell, 10_000, 5);
    h.limit(BOB, Side::Sell, 10_100, 5);
    h.limit(ALICE, Side::Buy, 10_100, 3);
    assert!(h.trades().is_empty());
    assert_eq!(h.cancelled(), Some(CancelReason::SelfTrade));
    assert_eq!(
        h.engine.book(SYM).unwrap().len(),
        2,
        "the resting orders are untouched"
    );
}

#[test]
fn lowering_quantity_keeps_priority_and_changing_price_loses_it() {
    let mut h = Harness::new();
    let first = h.limit(ALICE, Side::Buy, 9_000, 10);
    let second = h.limit(BOB, Side::Buy, 9_000, 10);
    h.ok(Command::Amend {
        account: ALICE,
        order: first,
        price: 9_000,
        qty: 5,
    });
    let queue = |h: &Harness| {
        h.engine
            .book(SYM)
            .unwrap()
            .queue(Side::Buy, 9_000)
            .iter()
            .map(|o| o.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(queue(&h), vec![first, second]);
    h.ok(Command::Amend {
        account: ALICE,
        order: first,
        price: 9_000,
        qty: 8,
    });
    assert_eq!(
        queue(&h),
        vec![second, first],
        "raising quantity goes to the back"
    );
    h.ok(Command::Amend {
        account: BOB,
        order: second,
        price: 9_010,
        qty: 10,
    });
    h.ok(Command::Amend {
        account: BOB,
        order: second,
        price: 9_000,
        qty: 10,
    });
    assert_eq!(
        queue(&h),
        vec![first, second],
        "a price change goes to the back"
    );
}

#[test]
fn an_amend_that_crosses_trades_at_once() {
    let mut h = Harness::new();
    h.limit(BOB, Side::Sell, 10_000, 5);
    let bid = h.limit(ALICE, Side::Buy, 9_900, 5);
    h.ok(Command::Amend {
        account: ALICE,
        order: bid,
        price: 10_000,
        qty: 5,
    });
    assert_eq!(h.trades(), vec![(10_000, 5)]);
    assert!(h.engine.open_order(bid).is_none());
}

#[test]
fn orders_of_others_unknown_or_finished_cannot_be_changed() {
    let mut h = Harness::new();
    let order = h.limit(ALICE, Side::Buy, 9_000, 10);
    let reply = h.run(Command::Cancel {
        account: BOB,
        order,
    });
    assert_eq!(
        reply,
        Reply::Rejected {
            reason: Reject::NotYourOrder
        }
    );
    let reply = h.run(Command::Amend {
        account: BOB,
        order,
        price: 9_000,
        qty: 1,
    });
    assert_eq!(
        reply,
        Reply::Rejected {
            reason: Reject::NotYourOrder
        }
    );
    h.ok(Command::Cancel {
        account: ALICE,
        order,
    });
    let reply = h.run(Command::Cancel {
        account: ALICE,
        order,
    });
    assert_eq!(
        reply,
        Reply::Rejected {
            reason: Reject::UnknownOrder
        }
    );
    let reply = h.run(Command::Amend {
        account: ALICE,
        order: OrderId(999),
        price: 9_000,
        qty: 1,
    });
    assert_eq!(
        reply,
        Reply::Rejected {
            reason: Reject::UnknownOrder
        }
    );
}

#[test]
fn bad_orders_are_rejected_with_their_reason_and_change_nothing() {
    let mut h = Harness::new();
    let before = (h.cash(ALICE), h.position(ALICE));
    let limit = OrderType::Limit;
    assert_eq!(
        h.rejected(ALICE, Side::Buy, limit(10_000), 0),
        Reject::BadQuantity
    );
    assert_eq!(
        h.rejected(ALICE, Side::Buy, limit(10_000), -5),
        Reject::BadQuantity
    );
    assert_eq!(
        h.rejected(ALICE, Side::Buy, limit(10_000), MAX_ORDER_QTY + 1),
        Reject::BadQuantity
    );
    assert_eq!(
        h.rejected(ALICE, Side::Buy, limit(10_005), 1),
        Reject::OffTick
    );
    assert_eq!(
        h.rejected(ALICE, Side::Buy, limit(13_010), 1),
        Reject::OutsideBand
    );
    assert_eq!(
        h.rejected(ALICE, Side::Buy, limit(6_990), 1),
        Reject::OutsideBand
    );
    assert_eq!(h.rejected(ALICE, Side::Buy, limit(0), 1), Reject::BadPrice);
    assert_eq!(
        h.rejected(ALICE, Side::Buy, limit(10_000), 100_000),
        Reject::InsufficientCash
    );
    assert_eq!(
        h.rejected(ALICE, Side::Sell, limit(10_000), 1_001),
        Reject::InsufficientShares
    );
    assert_eq!(
        h.rejected(AccountId(77), Side::Buy, limit(10_000), 1),
        Reject::UnknownAccount
    );
    let reply = h.run(Command::Place(PlaceOrder {
        account: ALICE,
        client_id: ClientOrderId(10_000),
        symbol: SymbolId(42),
        side: Side::Buy,
        order_type: limit(10_000),
        tif: TimeInForce::Gtc,
        qty: 1,
    }));
    assert_eq!(
        reply,
        Reply::Rejected {
            reason: Reject::UnknownSymbol
        }
    );
    assert_eq!((h.cash(ALICE), h.position(ALICE)), before);
    assert!(h.engine.book(SYM).unwrap().is_empty());
}

#[test]
fn a_halted_symbol_takes_no_orders_until_resumed() {
    let mut h = Harness::new();
    h.ok(Command::Halt { symbol: SYM });
    assert_eq!(
        h.rejected(ALICE, Side::Buy, OrderType::Limit(10_000), 1),
        Reject::SymbolHalted
    );
    h.ok(Command::Resume { symbol: SYM });
    h.limit(ALICE, Side::Buy, 10_000, 1);
}

#[test]
fn a_new_day_takes_the_close_as_reference_and_cancels_what_rests_outside_the_band() {
    let mut h = Harness::new();
    // A quiet day keeps its reference.
    h.ok(Command::OpenDay { symbol: SYM });
    assert_eq!(h.engine.band(SYM), Some(PriceBand::around(10_000)));

    let far_ask = h.limit(BOB, Side::Sell, 12_900, 3);
    let low_bid = h.limit(ALICE, Side::Buy, 7_500, 2);
    h.limit(BOB, Side::Sell, 9_000, 5);
    h.limit(ALICE, Side::Buy, 9_000, 5);
    assert_eq!(h.trades(), vec![(9_000, 5)]);

    h.ok(Command::OpenDay { symbol: SYM });
    assert!(h.events.contains(&Event::Listed {
        symbol: SYM,
        reference_price: 9_000,
        band: PriceBand::around(9_000).into(),
    }));
    // 9,000 ± 30 %: 6,300 to 11,700. The 12,900 ask is gone with its shares
    // released; the 7,500 bid stays.
    assert_eq!(
        h.engine.band(SYM),
        Some(PriceBand {
            lower: 6_300,
            upper: 11_700
        })
    );
    assert!(h.events.contains(&Event::OrderCancelled {
        order: far_ask,
        account: BOB,
        remaining: 3,
        reason: CancelReason::OutsideBand,
    }));
    assert_eq!(h.position(BOB).held, 0);
    assert!(h.engine.open_order(low_bid).is_some());
    assert_eq!(
        h.rejected(BOB, Side::Sell, OrderType::Limit(12_000), 1),
        Reject::OutsideBand
    );
    assert_eq!(
        h.run(Command::OpenDay {
            symbol: SymbolId(99)
        }),
        Reply::Rejected {
            reason: Reject::UnknownSymbol
        }
    );
}

#[test]
fn a_retried_client_order_id_returns_the_first_result_without_placing_again() {
    let mut h = Harness::new();
    let place = PlaceOrder {
        account: ALICE,
        client_id: ClientOrderId(7),
        symbol: SYM,
        side: Side::Buy,
        order_type: OrderType::Limit(9_000),
        tif: TimeInForce::Gtc,
        qty: 10,
    };
    let first = h.run(Command::Place(place));
    let held = h.cash(ALICE);
    let again = h.run(Command::Place(place));
    assert_eq!(first, again);
    assert!(h.events.is_empty(), "a retry changes nothing");
    assert_eq!(h.cash(ALICE), held);
    // The same client id from another account is a different order.
    let other = h.run(Command::Place(PlaceOrder {
        account: BOB,
        ..place
    }));
    assert_ne!(other, first);
    // A rejection is remembered too.
    let bad = PlaceOrder {
        client_id: ClientOrderId(8),
        qty: 0,
        ..place
    };
    assert_eq!(
        h.run(Command::Place(bad)),
        h.run(Command::Place(PlaceOrder { qty: 1, ..bad }))
    );
}

#[test]
fn cancel_all_releases_every_hold() {
    let mut h = Harness::new();
    h.limit(ALICE, Side::Buy, 9_000, 10);
    h.limit(ALICE, Side::Buy, 9_100, 10);
    h.limit(ALICE, Side::Sell, 11_000, 10);
    h.ok(Command::CancelAll { account: ALICE });
    assert_eq!(h.cash(ALICE), (CASH, 0));
    assert_eq!(h.position(ALICE).held, 0);
    assert!(h.engine.book(SYM).unwrap().is_empty());
}

#[test]
fn withdrawals_cannot_touch_held_cash() {
    let mut h = Harness::new();
    h.limit(ALICE, Side::Buy, 10_000, 9_000);
    let (available, _) = h.cash(ALICE);
    let reply = h.run(Command::Deposit {
        account: ALICE,
        amount: -(available + 1),
    });
    assert_eq!(
        reply,
        Reply::Rejected {
            reason: Reject::InsufficientCash
        }
    );
    h.ok(Command::Deposit {
        account: ALICE,
        amount: -available,
    });
    assert_eq!(h.cash(ALICE).0, 0);
}

// Random streams: a few accounts and two symbols, prices on and off the grid,
// some out of the band, quantities including zero, negative and too large.

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}

fn command() -> impl Strategy<Value = Command> {
    let account = (1u64..5).prop_map(AccountId);
    let symbol = (1u32..3).prop_map(SymbolId);
    let price = prop_oneof![8 => (0i64..40).prop_map(|t| 9_800 + t * 10), 1 => 6_000i64..14_000];
    let qty = prop_oneof![10 => 1i64..300, 1 => -2i64..1, 1 => Just(MAX_ORDER_QTY + 1)];
    let order_type =
        prop_oneof![5 => price.clone().prop_map(OrderType::Limit), 1 => Just(OrderType::Market)];
    let tif = prop_oneof![6 => Just(TimeInForce::Gtc), 1 => Just(TimeInForce::Ioc), 1 => Just(TimeInForce::Fok)];
    let order_id = (1u64..2_000).prop_map(OrderId);
    prop_oneof![
        12 => (account.clone(), 0u64..500, symbol.clone(), side(), order_type, tif, qty.clone()).prop_map(
            |(account, client, symbol, side, order_type, tif, qty)| Command::Place(PlaceOrder {
                account,
                client_id: ClientOrderId(client),
                symbol,
                side,
                order_type,
                tif,
                qty,
            })
        ),
        3 => (account.clone(), order_id.clone(), price, qty).prop_map(|(account, order, price, qty)| Command::Amend {
            account,
            order,
            price,
            qty
        }),
        3 => (account.clone(), order_id).prop_map(|(account, order)| Command::Cancel { account, order }),
        1 => account.clone().prop_map(|account| Command::CancelAll { account }),
        1 => (account.clone(), -2_000_000i64..5_000_000).prop_map(|(account, amount)| Command::Deposit { account, amount }),
        1 => (account, symbol.clone(), 1i64..100, 0i64..1_000_000)
            .prop_map(|(account, symbol, qty, cost)| Command::GrantShares { account, symbol, qty, cost }),
        1 => symbol.clone().prop_map(|symbol| Command::Halt { symbol }),
        2 => symbol.clone().prop_map(|symbol| Command::Resume { symbol }),
        1 => symbol.prop_map(|symbol| Command::OpenDay { symbol }),
    ]
}

/// A market with two listings and four funded accounts holding shares.
fn seeded_engine() -> (Engine, Vec<Event>) {
    let mut engine = Engine::new(FeeSchedule::default());
    let mut events = Vec::new();
    for symbol in [SymbolId(1), SymbolId(2)] {
        engine.execute(
            Command::List {
                symbol,
                reference_price: 10_000,
            },
            &mut events,
        );
    }
    for account in (1..5).map(AccountId) {
        engine.execute(
            Command::Deposit {
                account,
                amount: 10_000_000,
            },
            &mut events,
        );
        for symbol in [SymbolId(1), SymbolId(2)] {
            engine.execute(
                Command::GrantShares {
                    account,
                    symbol,
                    qty: 500,
                    cost: 5_000_000,
                },
                &mut events,
            );
        }
    }
    (engine, events)
}

/// Commands per stream: `GAEMI_ENGINE_STREAM_LEN` (default 400; with
/// proptest's 256 cases that is 100k+ commands per run).
fn stream_len() -> usize {
    std::env::var("GAEMI_ENGINE_STREAM_LEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

proptest! {
    #[test]
    fn the_ledger_invariants_hold_after_every_command(commands in proptest::collection::vec(command(), stream_len())) {
        let (mut engine, mut events) = seeded_engine();
        for command in commands {
            events.clear();
            let executed = engine.execute(command, &mut events);
            if let Reply::Rejected { .. } = executed.reply {
                let changed = events.iter().any(|e| !matches!(e, Event::OrderRejected { .. }));
                prop_assert!(!changed, "a rejected {command:?} changed state: {events:?}");
            }
            if let Err(broken) = engine.check_invariants() {
                return Err(TestCaseError::fail(format!("after {command:?}: {broken}")));
            }
        }
    }

    #[test]
    fn the_same_commands_give_the_same_events(commands in proptest::collection::vec(command(), 200)) {
        let run = || {
            let (mut engine, mut all) = seeded_engine();
            for command in &commands {
                engine.execute(*command, &mut all);
            }
            all
        };
        prop_assert_eq!(run(), run());
    }
}
