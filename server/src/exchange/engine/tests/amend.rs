//! Amending resting orders: queue priority kept or lost, and an amend that
//! crosses the book trades at once.

use super::*;

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
