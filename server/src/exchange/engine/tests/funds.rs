//! Money from outside the market: opening funded accounts, deposits and
//! withdrawals.

use super::*;

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

const CAROL: AccountId = AccountId(3);

#[test]
fn opening_an_account_twice_funds_it_once() {
    let mut h = Harness::new();
    h.ok(Command::OpenAccount {
        account: CAROL,
        cash: 5_000,
        shares_each: 0,
    });
    assert_eq!(h.cash(CAROL), (5_000, 0));
    h.ok(Command::OpenAccount {
        account: CAROL,
        cash: 9_000,
        shares_each: 0,
    });
    assert_eq!(h.events, []);
    assert_eq!(h.cash(CAROL), (5_000, 0));
    // An account opened by a deposit is open too.
    h.ok(Command::OpenAccount {
        account: ALICE,
        cash: 5_000,
        shares_each: 0,
    });
    assert_eq!(h.events, []);
    assert_eq!(h.cash(ALICE), (CASH, 0));
}

#[test]
fn opening_with_a_non_positive_amount_is_refused_and_opens_nothing() {
    let mut h = Harness::new();
    for (account, cash) in [(CAROL, 0), (CAROL, -5_000), (ALICE, 0)] {
        let reply = h.run(Command::OpenAccount {
            account,
            cash,
            shares_each: 0,
        });
        assert_eq!(
            reply,
            Reply::Rejected {
                reason: Reject::BadAmount
            }
        );
        assert_eq!(h.events, []);
    }
    assert!(h.engine.account(CAROL).is_none());
    assert_eq!(h.cash(ALICE), (CASH, 0));
}

#[test]
fn a_first_open_emits_and_does_exactly_what_a_first_deposit_does() {
    let mut opened = Harness::new();
    opened.ok(Command::OpenAccount {
        account: CAROL,
        cash: 7_000,
        shares_each: 0,
    });
    let mut deposited = Harness::new();
    deposited.ok(Command::Deposit {
        account: CAROL,
        amount: 7_000,
    });
    assert_eq!(opened.events, deposited.events);
    assert_eq!(opened.engine.digest(), deposited.engine.digest());
}

#[test]
fn opening_with_shares_grants_every_listing_at_its_reference_price_in_the_same_step() {
    let mut h = Harness::new();
    h.ok(Command::OpenAccount {
        account: CAROL,
        cash: 5_000,
        shares_each: 7,
    });
    let granted: Vec<_> = (h.events.iter())
        .filter_map(|event| match *event {
            Event::SharesGranted {
                symbol, qty, cost, ..
            } => Some((symbol, qty, cost)),
            _ => None,
        })
        .collect();
    let listed: Vec<_> = (h.engine.listings.iter())
        .map(|(&symbol, listing)| (symbol, 7, listing.reference * 7))
        .collect();
    assert!(!listed.is_empty());
    assert_eq!(granted, listed);
    h.engine.check_invariants().unwrap();
    // Opened already: no shares a second time either.
    h.ok(Command::OpenAccount {
        account: CAROL,
        cash: 5_000,
        shares_each: 7,
    });
    assert_eq!(h.events, []);
}

#[test]
fn opening_with_a_bad_share_count_opens_nothing() {
    let mut h = Harness::new();
    for shares_each in [-1, crate::exchange::engine::MAX_ORDER_QTY + 1] {
        let reply = h.run(Command::OpenAccount {
            account: CAROL,
            cash: 5_000,
            shares_each,
        });
        assert_eq!(
            reply,
            Reply::Rejected {
                reason: Reject::BadQuantity
            }
        );
        assert_eq!(h.events, []);
        assert!(h.engine.account(CAROL).is_none());
    }
}
