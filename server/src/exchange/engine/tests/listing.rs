//! Listings: halting and resuming, and a new trading day's reference and
//! band.

use super::*;

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
