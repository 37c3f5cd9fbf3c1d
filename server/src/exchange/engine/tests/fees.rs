//! The fee schedule as a command: later fills pay the new rates, resting
//! buys are held again at the new commission (or cancelled when their
//! account cannot cover a rise), and bad rates change nothing.

use super::*;

const DOUBLE: FeeSchedule = FeeSchedule {
    commission_ppm: 300,
    sell_tax_ppm: 1_800,
};

fn commissions(events: &[Event]) -> Vec<(Won, Won, Won)> {
    events
        .iter()
        .filter_map(|event| match *event {
            Event::Trade {
                buyer_commission,
                seller_commission,
                seller_tax,
                ..
            } => Some((buyer_commission, seller_commission, seller_tax)),
            _ => None,
        })
        .collect()
}

#[test]
fn fills_after_set_fees_pay_the_new_rates() {
    let mut h = Harness::new();
    assert!(!h.engine.fees_journaled());
    h.limit(BOB, Side::Sell, 10_000, 1);
    h.limit(ALICE, Side::Buy, 10_000, 1);
    assert_eq!(commissions(&h.events), [(1, 1, 20)]);
    h.ok(Command::SetFees { fees: DOUBLE });
    assert_eq!(h.events, [Event::FeesSet { fees: DOUBLE }]);
    assert!(h.engine.fees_journaled());
    h.limit(BOB, Side::Sell, 10_000, 1);
    h.limit(ALICE, Side::Buy, 10_000, 1);
    assert_eq!(commissions(&h.events), [(3, 3, 18)]);
}

#[test]
fn a_rise_holds_more_for_resting_buys_and_cancels_those_it_cannot_cover() {
    let mut h = Harness::new();
    // Alice's buy holds 100,000,000 won less what it leaves: all her cash
    // but 10,000 won, which covers the rise for the small order and not
    // for the large one.
    let small = h.limit(ALICE, Side::Buy, 10_000, 10);
    let (available, _) = h.cash(ALICE);
    let qty = (available - 10_000) / 10_002;
    let large = h.limit(ALICE, Side::Buy, 10_000, qty);
    let before = h.cash(ALICE);
    h.ok(Command::SetFees {
        fees: FeeSchedule {
            commission_ppm: 10_000,
            ..FeeSchedule::default()
        },
    });
    let small_hold = FeeSchedule {
        commission_ppm: 10_000,
        ..FeeSchedule::default()
    }
    .buy_hold(10_000, 10)
    .unwrap();
    assert_eq!(h.engine.open_order(small).unwrap().hold_cash, small_hold);
    assert!(h.engine.open_order(large).is_none());
    assert_eq!(h.cancelled(), Some(CancelReason::FeesChanged));
    let (available, held) = h.cash(ALICE);
    assert_eq!(held, small_hold);
    assert_eq!(
        available + held,
        before.0 + before.1,
        "no cash made or lost"
    );
}

#[test]
fn a_cut_releases_cash_held_for_commission() {
    let mut h = Harness::new();
    let order = h.limit(ALICE, Side::Buy, 10_000, 1_000);
    assert_eq!(h.cash(ALICE).1, 10_001_500);
    h.ok(Command::SetFees {
        fees: FeeSchedule {
            commission_ppm: 0,
            sell_tax_ppm: 0,
        },
    });
    assert_eq!(h.cash(ALICE), (CASH - 10_000_000, 10_000_000));
    assert_eq!(h.engine.open_order(order).unwrap().hold_cash, 10_000_000);
}

#[test]
fn rates_outside_zero_to_a_million_ppm_are_refused_and_change_nothing() {
    let mut h = Harness::new();
    for fees in [
        FeeSchedule {
            commission_ppm: -1,
            sell_tax_ppm: 0,
        },
        FeeSchedule {
            commission_ppm: 0,
            sell_tax_ppm: 1_000_001,
        },
    ] {
        let reply = h.run(Command::SetFees { fees });
        assert_eq!(
            reply,
            Reply::Rejected {
                reason: Reject::BadAmount
            }
        );
        assert_eq!(h.events, []);
        assert_eq!(h.engine.fees(), FeeSchedule::default());
    }
}
