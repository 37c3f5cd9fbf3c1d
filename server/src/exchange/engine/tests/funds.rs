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
    });
    assert_eq!(h.cash(CAROL), (5_000, 0));
    h.ok(Command::OpenAccount {
        account: CAROL,
        cash: 9_000,
    });
    assert_eq!(h.events, []);
    assert_eq!(h.cash(CAROL), (5_000, 0));
    // An account opened by a deposit is open too.
    h.ok(Command::OpenAccount {
        account: ALICE,
        cash: 5_000,
    });
    assert_eq!(h.events, []);
    assert_eq!(h.cash(ALICE), (CASH, 0));
}

#[test]
fn opening_with_a_non_positive_amount_is_refused_and_opens_nothing() {
    let mut h = Harness::new();
    for (account, cash) in [(CAROL, 0), (CAROL, -5_000), (ALICE, 0)] {
        let reply = h.run(Command::OpenAccount { account, cash });
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
    });
    let mut deposited = Harness::new();
    deposited.ok(Command::Deposit {
        account: CAROL,
        amount: 7_000,
    });
    assert_eq!(opened.events, deposited.events);
    assert_eq!(opened.engine.digest(), deposited.engine.digest());
}
