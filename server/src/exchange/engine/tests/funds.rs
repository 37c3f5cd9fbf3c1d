//! Money from outside the market: deposits and withdrawals.

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
