//! Cancelling: only the owner's open orders can be changed or cancelled,
//! and cancelling everything releases every hold.

use super::*;

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
