//! KRX trading rules as pure integer functions: the price tick grid (since
//! 2023-01-25), the ±30 % daily price band rounded inward to the grid, and
//! fees (commission per side, securities transaction tax on sells). Money is
//! whole won in `i64`; rates are parts per million so no float is involved.
//!
//! They are part of the contract because two sides must agree on them
//! exactly: the engine (in `server`) enforces them and the order ticket
//! steps prices and estimates totals with the very same functions.

/// Whole won.
pub type Won = i64;
/// A price in won per share.
pub type Price = i64;
/// A number of shares.
pub type Qty = i64;

/// The tick size that applies to prices from `price` upward in its band.
#[inline]
pub const fn tick_size(price: Price) -> Price {
    match price {
        ..2_000 => 1,
        2_000..5_000 => 5,
        5_000..20_000 => 10,
        20_000..50_000 => 50,
        50_000..200_000 => 100,
        200_000..500_000 => 500,
        _ => 1_000,
    }
}

/// Whether `price` is a valid quote: positive and a multiple of its tick.
#[inline]
pub const fn is_on_tick(price: Price) -> bool {
    price > 0 && price % tick_size(price) == 0
}

/// The highest valid price at or below `price` (None below the first tick).
#[inline]
pub const fn tick_floor(price: Price) -> Option<Price> {
    if price < 1 {
        return None;
    }
    Some(price - price % tick_size(price))
}

/// The lowest valid price at or above `price`.
#[inline]
pub const fn tick_ceil(price: Price) -> Price {
    if price < 1 {
        return 1;
    }
    let floor = price - price % tick_size(price);
    if floor == price {
        price
    } else {
        // The next tick up may sit in a coarser band (e.g. 1,999 → 2,000).
        let next = floor + tick_size(floor);
        next - next % tick_size(next)
    }
}

/// The next valid price above `price` (the ticket's "+" button).
#[inline]
pub const fn tick_up(price: Price) -> Price {
    tick_ceil(price + 1)
}

/// The next valid price below `price`, if any.
#[inline]
pub const fn tick_down(price: Price) -> Option<Price> {
    tick_floor(price - 1)
}

/// The daily price band: ±30 % of the reference price, rounded inward to the
/// tick grid so both limits are themselves valid prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceBand {
    pub lower: Price,
    pub upper: Price,
}

/// The daily limit: 30 %.
pub const BAND_PERCENT: i64 = 30;

impl PriceBand {
    #[inline]
    pub fn around(reference: Price) -> PriceBand {
        let reference = i128::from(reference.max(1));
        let raw_upper = (reference * i128::from(100 + BAND_PERCENT) / 100) as i64;
        // Rounding inward: the lower limit rounds up, and never below 1 won.
        let raw_lower = ((reference * i128::from(100 - BAND_PERCENT) + 99) / 100) as i64;
        let upper = tick_floor(raw_upper).unwrap_or(1);
        let lower = tick_ceil(raw_lower.max(1)).min(upper);
        PriceBand { lower, upper }
    }

    #[inline]
    pub const fn contains(&self, price: Price) -> bool {
        self.lower <= price && price <= self.upper
    }
}

/// Fee rates in parts per million of the traded amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeeSchedule {
    /// Commission on each side of a trade: 0.015 % = 150 ppm.
    pub commission_ppm: i64,
    /// Securities transaction tax on the sell side: 0.20 % = 2,000 ppm.
    pub sell_tax_ppm: i64,
}

impl Default for FeeSchedule {
    fn default() -> Self {
        FeeSchedule {
            commission_ppm: 150,
            sell_tax_ppm: 2_000,
        }
    }
}

fn ppm_of(amount: Won, ppm: i64) -> Won {
    // Truncated to whole won, as brokers do. The product fits an i64 for any
    // realistic amount; i128 only for the rest, because 128-bit division
    // was a measurable share of the engine's time (docs/PERFORMANCE.md).
    match amount.checked_mul(ppm) {
        Some(product) => product / 1_000_000,
        None => (i128::from(amount) * i128::from(ppm) / 1_000_000) as Won,
    }
}

impl FeeSchedule {
    #[inline]
    pub fn commission(&self, amount: Won) -> Won {
        ppm_of(amount, self.commission_ppm)
    }

    #[inline]
    pub fn sell_tax(&self, amount: Won) -> Won {
        ppm_of(amount, self.sell_tax_ppm)
    }

    /// Cash a buy of `qty` at up to `price` must hold: the amount plus the
    /// largest commission it can incur. Fills at or below `price`, each with
    /// its commission truncated, never cost more than this in total.
    /// `None` when the amount does not fit in `i64`.
    #[inline]
    pub fn buy_hold(&self, price: Price, qty: Qty) -> Option<Won> {
        let amount = price.checked_mul(qty)?;
        amount.checked_add(self.commission(amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tick_sizes_follow_the_2023_krx_grid() {
        let cases = [
            (1, 1),
            (1_999, 1),
            (2_000, 5),
            (4_995, 5),
            (5_000, 10),
            (19_990, 10),
            (20_000, 50),
            (49_950, 50),
            (50_000, 100),
            (199_900, 100),
            (200_000, 500),
            (499_500, 500),
            (500_000, 1_000),
            (3_000_000, 1_000),
        ];
        for (price, tick) in cases {
            assert_eq!(tick_size(price), tick, "tick at {price}");
        }
    }

    #[test]
    fn off_tick_and_non_positive_prices_are_invalid() {
        assert!(is_on_tick(1_999) && is_on_tick(2_005) && is_on_tick(500_000));
        assert!(!is_on_tick(2_001) && !is_on_tick(50_050) && !is_on_tick(500_500));
        assert!(!is_on_tick(0) && !is_on_tick(-5));
    }

    #[test]
    fn stepping_crosses_band_boundaries_onto_the_coarser_grid() {
        assert_eq!(tick_up(1_999), 2_000);
        assert_eq!(tick_up(2_000), 2_005);
        assert_eq!(tick_down(2_000), Some(1_999));
        assert_eq!(tick_down(2_005), Some(2_000));
        assert_eq!(tick_ceil(1_999), 1_999);
        assert_eq!(tick_ceil(49_951), 50_000);
        assert_eq!(tick_floor(50_099), Some(50_000));
        assert_eq!(tick_down(1), None);
    }

    #[test]
    fn the_band_is_thirty_percent_rounded_inward() {
        // 100,000 ± 30 % = 70,000 … 130,000, both on the 100-won grid.
        assert_eq!(
            PriceBand::around(100_000),
            PriceBand {
                lower: 70_000,
                upper: 130_000
            }
        );
        // 55,500: raw 38,850 … 72,150 → lower rounds up on the 50 grid, upper down on the 100 grid.
        assert_eq!(
            PriceBand::around(55_500),
            PriceBand {
                lower: 38_850,
                upper: 72_100
            }
        );
        // 1,234: raw 863.8 … 1,604.2 → 864 … 1,604.
        assert_eq!(
            PriceBand::around(1_234),
            PriceBand {
                lower: 864,
                upper: 1_604
            }
        );
        // 1 won still has a non-empty band.
        assert_eq!(PriceBand::around(1), PriceBand { lower: 1, upper: 1 });
    }

    #[test]
    fn fees_are_truncated_to_whole_won() {
        let fees = FeeSchedule::default();
        assert_eq!(fees.commission(1_000_000), 150);
        assert_eq!(fees.commission(6_666), 0); // 0.9999 won
        assert_eq!(fees.sell_tax(1_000_000), 2_000);
        assert_eq!(fees.buy_hold(50_000, 10), Some(500_075));
        assert_eq!(fees.buy_hold(i64::MAX, 2), None);
    }

    proptest! {
        #[test]
        fn band_limits_are_valid_prices_inside_thirty_percent(reference in 1i64..5_000_000) {
            let band = PriceBand::around(reference);
            prop_assert!(is_on_tick(band.lower) && is_on_tick(band.upper));
            prop_assert!(band.lower <= band.upper);
            prop_assert!(i128::from(band.upper) * 100 <= i128::from(reference) * 130);
            prop_assert!(reference == 1 || i128::from(band.lower) * 100 >= i128::from(reference) * 70);
        }

        #[test]
        fn tick_steps_land_on_the_grid_and_move_by_one_tick(price in 1i64..5_000_000) {
            let up = tick_up(price);
            prop_assert!(is_on_tick(up) && up > price);
            prop_assert!(tick_floor(up - 1).unwrap_or(0) <= price);
            if let Some(down) = tick_down(price) {
                prop_assert!(is_on_tick(down) && down < price);
            }
        }

        #[test]
        fn the_buy_hold_covers_any_split_of_fills_at_or_below_the_limit(
            limit in 1i64..1_000_000,
            fills in proptest::collection::vec((0i64..1_000_000, 1i64..1_000), 1..20),
        ) {
            let fees = FeeSchedule::default();
            let qty: i64 = fills.iter().map(|(_, q)| q).sum();
            let hold = fees.buy_hold(limit, qty).unwrap();
            let spent: i64 = fills
                .iter()
                .map(|(price, q)| {
                    let amount = (price % limit + 1) * q;
                    amount + fees.commission(amount)
                })
                .sum();
            prop_assert!(spent <= hold);
        }
    }
}
