//! Money from outside the market: opening funded accounts (with shares
//! of every listing, or of chosen listings at chosen costs), deposits and
//! withdrawals.

use super::*;
use crate::exchange::ShareGrant;

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
        grants: Vec::new(),
    });
    assert_eq!(h.cash(CAROL), (5_000, 0));
    h.ok(Command::OpenAccount {
        account: CAROL,
        cash: 9_000,
        shares_each: 0,
        grants: Vec::new(),
    });
    assert_eq!(h.events, []);
    assert_eq!(h.cash(CAROL), (5_000, 0));
    // An account opened by a deposit is open too.
    h.ok(Command::OpenAccount {
        account: ALICE,
        cash: 5_000,
        shares_each: 0,
        grants: Vec::new(),
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
            grants: Vec::new(),
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
        grants: Vec::new(),
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
        grants: Vec::new(),
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
        grants: Vec::new(),
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
            grants: Vec::new(),
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

const OTHER: SymbolId = SymbolId(2);

/// Carol's opening: 5,000 won, 7 shares of [`SYM`] and 3 of [`OTHER`],
/// each at a cost of the opener's choosing.
fn carols_opening() -> Command {
    Command::OpenAccount {
        account: CAROL,
        cash: 5_000,
        shares_each: 0,
        grants: vec![
            ShareGrant {
                symbol: SYM,
                qty: 7,
                cost: 70_000,
            },
            ShareGrant {
                symbol: OTHER,
                qty: 3,
                cost: 12_345,
            },
        ],
    }
}

#[test]
fn opening_with_grants_gives_each_listing_its_own_amount_once_in_the_same_step() {
    let mut h = Harness::new();
    h.ok(Command::List {
        symbol: OTHER,
        reference_price: 5_000,
    });
    h.ok(carols_opening());
    let mut deposited = Harness::new();
    deposited.ok(Command::Deposit {
        account: CAROL,
        amount: 5_000,
    });
    let mut expected = deposited.events.clone();
    for (symbol, qty, cost) in [(SYM, 7, 70_000), (OTHER, 3, 12_345)] {
        expected.push(Event::SharesGranted {
            account: CAROL,
            symbol,
            qty,
            cost,
        });
        expected.push(Event::Position {
            account: CAROL,
            symbol,
            available: qty,
            held: 0,
            cost,
        });
    }
    assert_eq!(h.events, expected);
    assert_eq!(h.cash(CAROL), (5_000, 0));
    // Opened already: neither cash nor shares a second time.
    h.ok(carols_opening());
    assert_eq!(h.events, []);
    let carol = h.engine.account(CAROL).unwrap();
    assert_eq!(
        (
            carol.position(SYM).available,
            carol.position(OTHER).available
        ),
        (7, 3)
    );
}

#[test]
fn an_opening_with_a_bad_grant_opens_nothing_whether_or_not_the_account_exists() {
    let mut h = Harness::new();
    let with_grant = |account, symbol, qty, cost| Command::OpenAccount {
        account,
        cash: 5_000,
        shares_each: 0,
        grants: vec![
            ShareGrant {
                symbol: SYM,
                qty: 1,
                cost: 10_000,
            },
            ShareGrant { symbol, qty, cost },
        ],
    };
    for account in [CAROL, ALICE] {
        for (grant, reason) in [
            (with_grant(account, OTHER, 1, 0), Reject::UnknownSymbol),
            (with_grant(account, SYM, 0, 0), Reject::BadQuantity),
            (with_grant(account, SYM, 1, -1), Reject::BadAmount),
        ] {
            assert_eq!(h.run(grant), Reply::Rejected { reason });
            assert_eq!(h.events, []);
        }
    }
    assert!(h.engine.account(CAROL).is_none());
    assert_eq!(h.position(ALICE).available, 1_000);
}

#[test]
fn an_opening_without_grants_is_journaled_as_before_grants_existed() {
    let open = Command::OpenAccount {
        account: CAROL,
        cash: 5_000,
        shares_each: 0,
        grants: Vec::new(),
    };
    let json = serde_json::to_string(&open).unwrap();
    assert_eq!(
        json,
        r#"{"type":"open_account","account":3,"cash":5000,"shares_each":0}"#
    );
    let before_shares = r#"{"type":"open_account","account":3,"cash":5000}"#;
    assert_eq!(
        serde_json::from_str::<Command>(before_shares).unwrap(),
        open
    );
    let opening = carols_opening();
    let json = serde_json::to_string(&opening).unwrap();
    assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), opening);
}
