//! Placing orders: holds, matching and fees, order types and time in force,
//! self-trade prevention, every rejection, and retried client order ids.

use super::*;

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

/// Alice's bid the client-id tests send again: 10 at 9,000, client id 7.
fn alices_bid() -> PlaceOrder {
    PlaceOrder {
        account: ALICE,
        client_id: ClientOrderId(7),
        symbol: SYM,
        side: Side::Buy,
        order_type: OrderType::Limit(9_000),
        tif: TimeInForce::Gtc,
        qty: 10,
    }
}

#[test]
fn a_retried_client_order_id_returns_the_first_result_without_placing_again() {
    let mut h = Harness::new();
    let place = alices_bid();
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
    let refused = h.run(Command::Place(bad));
    assert_eq!(
        refused,
        Reply::Rejected {
            reason: Reject::BadQuantity
        }
    );
    assert_eq!(h.run(Command::Place(bad)), refused);
    assert!(h.events.is_empty(), "a retried rejection changes nothing");
}

/// Every way a placement can differ from `place` but in its account and id.
fn other_terms(place: PlaceOrder, other_symbol: SymbolId) -> Vec<PlaceOrder> {
    let limit = |price| OrderType::Limit(price);
    vec![
        PlaceOrder {
            side: Side::Sell,
            ..place
        },
        PlaceOrder {
            order_type: limit(9_100),
            ..place
        },
        PlaceOrder {
            qty: place.qty + 1,
            ..place
        },
        PlaceOrder {
            symbol: other_symbol,
            ..place
        },
        PlaceOrder {
            order_type: OrderType::Market,
            ..place
        },
        PlaceOrder {
            tif: TimeInForce::Ioc,
            ..place
        },
    ]
}

#[test]
fn a_client_order_id_reused_on_other_terms_is_refused_and_changes_nothing() {
    let mut h = Harness::new();
    let other_symbol = SymbolId(2);
    h.ok(Command::List {
        symbol: other_symbol,
        reference_price: 10_000,
    });
    let place = alices_bid();
    let first = h.run(Command::Place(place));
    let Reply::Accepted { order } = first else {
        panic!("placed: {first:?}")
    };
    let account = h.engine.account(ALICE).unwrap().clone();
    let open = *h.engine.open_order(order).unwrap();
    for reused in other_terms(place, other_symbol) {
        let reply = h.run(Command::Place(reused));
        assert_eq!(
            reply,
            Reply::Rejected {
                reason: Reject::DuplicateClientId
            },
            "{reused:?}"
        );
        assert_eq!(
            h.events,
            [Event::OrderRejected {
                account: ALICE,
                client_id: Some(ClientOrderId(7)),
                reason: Reject::DuplicateClientId,
            }],
            "{reused:?}"
        );
        assert_eq!(h.engine.account(ALICE), Some(&account), "{reused:?}");
        assert_eq!(h.engine.open_order(order), Some(&open));
        assert_eq!(h.engine.book(SYM).unwrap().len(), 1);
        assert!(h.engine.book(other_symbol).unwrap().is_empty());
    }
    // The id is still the first order's: its retry gets the first answer.
    assert_eq!(h.run(Command::Place(place)), first);
    assert!(h.events.is_empty());
}

#[test]
fn a_rejected_placement_reused_on_other_terms_is_refused_as_a_duplicate() {
    let mut h = Harness::new();
    let too_big = PlaceOrder {
        qty: 100_000,
        ..alices_bid()
    };
    let refused = Reply::Rejected {
        reason: Reject::InsufficientCash,
    };
    assert_eq!(h.run(Command::Place(too_big)), refused);
    // Fixing the quantity under the same id does not place it.
    let fixed = PlaceOrder { qty: 10, ..too_big };
    assert_eq!(
        h.run(Command::Place(fixed)),
        Reply::Rejected {
            reason: Reject::DuplicateClientId
        }
    );
    assert!(h.engine.book(SYM).unwrap().is_empty());
    assert_eq!(h.cash(ALICE), (CASH, 0));
    assert_eq!(h.run(Command::Place(too_big)), refused);
}

#[test]
fn a_reused_client_order_id_is_refused_again_when_the_journal_is_replayed() {
    let other_symbol = SymbolId(2);
    let place = alices_bid();
    let mut journal = vec![
        Command::List {
            symbol: SYM,
            reference_price: 10_000,
        },
        Command::List {
            symbol: other_symbol,
            reference_price: 10_000,
        },
        Command::Deposit {
            account: ALICE,
            amount: CASH,
        },
        Command::GrantShares {
            account: ALICE,
            symbol: SYM,
            qty: 100,
            cost: 1_000_000,
        },
        Command::Place(place),
    ];
    journal.extend(
        other_terms(place, other_symbol)
            .into_iter()
            .map(Command::Place),
    );
    journal.push(Command::Place(place));
    let run = || {
        let mut engine = Engine::new(FeeSchedule::default());
        let mut events = Vec::new();
        let replies: Vec<Reply> = (journal.iter())
            .map(|command| engine.execute(command.clone(), &mut events).reply)
            .collect();
        (replies, events, engine.digest())
    };
    let (replies, events, digest) = run();
    let duplicates = (replies.iter())
        .filter(|reply| {
            **reply
                == Reply::Rejected {
                    reason: Reject::DuplicateClientId,
                }
        })
        .count();
    assert_eq!(duplicates, 6);
    assert_eq!(
        replies.last(),
        replies.get(4),
        "the retry answers the first"
    );
    assert_eq!(run(), (replies, events, digest));
}
