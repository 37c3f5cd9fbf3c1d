//! The order ticket's arithmetic and checks, kept apart from its view so
//! they are tested natively: what can be bought or sold, the estimated
//! total with commission and tax, and the field errors that stop a bad
//! order in the page before it is sent. The engine checks everything again.

use crate::rules::{FeeSchedule, PriceBand, is_on_tick, tick_size};
use crate::trading::{OrderKind, OrderSide};

pub use crate::api::FieldError;

/// What the ticket knows when it checks an order.
#[derive(Clone, Copy, Debug)]
pub struct TicketContext {
    pub band: PriceBand,
    pub fees: FeeSchedule,
    pub cash_available: i64,
    pub shares_available: i64,
}

impl TicketContext {
    /// The price a buy holds cash at: its limit, or the band's upper limit
    /// for a market order (as the engine does).
    fn hold_price(&self, kind: OrderKind, price: Option<i64>) -> Option<i64> {
        match kind {
            OrderKind::Limit => price,
            OrderKind::Market => Some(self.band.upper),
        }
    }

    /// The most shares this order can be for.
    pub fn max_qty(&self, side: OrderSide, kind: OrderKind, price: Option<i64>) -> i64 {
        match side {
            OrderSide::Sell => self.shares_available.max(0),
            OrderSide::Buy => {
                let Some(price) = self.hold_price(kind, price).filter(|&p| p > 0) else {
                    return 0;
                };
                // Division gets within one share; the hold (with its
                // truncated commission) settles the last step exactly.
                let mut qty = self.cash_available.max(0) / price;
                while qty > 0
                    && (self.fees.buy_hold(price, qty)).is_none_or(|h| h > self.cash_available)
                {
                    qty -= 1;
                }
                qty
            }
        }
    }
}

/// `percent` of the most that can be traded, rounded down; at least one
/// share when any can be.
pub fn qty_for_percent(max_qty: i64, percent: i64) -> i64 {
    if max_qty <= 0 {
        return 0;
    }
    (max_qty.saturating_mul(percent) / 100).max(1)
}

/// The estimate under the ticket: amount, fees and what changes hands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    pub amount: i64,
    pub commission: i64,
    pub tax: i64,
    /// Cash paid (buy) or received (sell).
    pub total: i64,
}

pub fn estimate(side: OrderSide, price: i64, qty: i64, fees: FeeSchedule) -> Option<Estimate> {
    let amount = price.checked_mul(qty)?;
    let commission = fees.commission(amount);
    let tax = match side {
        OrderSide::Buy => 0,
        OrderSide::Sell => fees.sell_tax(amount),
    };
    let total = match side {
        OrderSide::Buy => amount.checked_add(commission)?,
        OrderSide::Sell => amount - commission - tax,
    };
    Some(Estimate {
        amount,
        commission,
        tax,
        total,
    })
}

/// A whole number typed into the ticket, with thousands separators allowed.
pub fn whole(text: &str) -> Option<i64> {
    let digits: String = text.trim().chars().filter(|&c| c != ',').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A limit price: present, whole, on the tick grid and, when the day's
/// `band` is known, inside it.
pub fn check_price(text: &str, band: Option<PriceBand>) -> Result<i64, FieldError> {
    if text.trim().is_empty() {
        return Err(FieldError::new(
            "price",
            "가격을 입력하세요.",
            "Enter a price.",
        ));
    }
    match whole(text).filter(|&p| p > 0) {
        None => Err(FieldError::new(
            "price",
            "가격은 1원 이상의 정수로 입력하세요.",
            "The price must be a whole number of won, 1 or more.",
        )),
        Some(price) if !is_on_tick(price) => {
            let tick = tick_size(price);
            Err(FieldError::new(
                "price",
                format!("이 가격대의 호가 단위는 {tick}원입니다."),
                format!("Prices here move in steps of {tick} won."),
            ))
        }
        Some(price) => match band {
            Some(band) if !band.contains(price) => {
                let lower = crate::format::group_thousands(band.lower);
                let upper = crate::format::group_thousands(band.upper);
                Err(FieldError::new(
                    "price",
                    format!("가격제한폭({lower}~{upper}원) 밖입니다."),
                    format!("Outside today's limits ({lower}–{upper} won)."),
                ))
            }
            _ => Ok(price),
        },
    }
}

/// A quantity: present and a whole number of shares, 1 or more.
pub fn check_qty(text: &str) -> Result<i64, FieldError> {
    if text.trim().is_empty() {
        return Err(FieldError::new(
            "qty",
            "수량을 입력하세요.",
            "Enter a quantity.",
        ));
    }
    whole(text).filter(|&q| q > 0).ok_or_else(|| {
        FieldError::new(
            "qty",
            "수량은 1주 이상의 정수로 입력하세요.",
            "The quantity must be a whole number of shares, 1 or more.",
        )
    })
}

/// Checks the ticket's fields; the price is `None` for market orders.
pub fn check(
    side: OrderSide,
    kind: OrderKind,
    price_text: &str,
    qty_text: &str,
    context: &TicketContext,
) -> Result<(Option<i64>, i64), Vec<FieldError>> {
    let mut errors = Vec::new();
    let price = match kind {
        OrderKind::Market => None,
        OrderKind::Limit => check_price(price_text, Some(context.band))
            .map_err(|e| errors.push(e))
            .ok(),
    };
    let qty = check_qty(qty_text).map_err(|e| errors.push(e)).ok();
    if let Some(qty) = qty
        && (kind == OrderKind::Market || price.is_some())
    {
        let max = context.max_qty(side, kind, price);
        if qty > max {
            let max_text = crate::format::group_thousands(max);
            errors.push(match side {
                OrderSide::Buy => FieldError::new(
                    "qty",
                    format!("주문 가능 금액을 넘습니다. 최대 {max_text}주까지 살 수 있습니다."),
                    format!("More than your cash covers: at most {max_text} shares."),
                ),
                OrderSide::Sell if max == 0 => FieldError::new(
                    "qty",
                    "매도할 수 있는 주식이 없습니다. 보유 주식이 없거나 모두 매도 주문 중입니다.",
                    "You have no shares of this stock to sell: none held, or all in sell orders.",
                ),
                OrderSide::Sell => FieldError::new(
                    "qty",
                    format!("매도 가능 수량({max_text}주)을 넘습니다."),
                    format!("More than the {max_text} shares you can sell."),
                ),
            });
        }
    }
    match (errors.is_empty(), qty) {
        (true, Some(qty)) => Ok((price, qty)),
        _ => Err(errors),
    }
}

/// How far from the last price (in basis points) a limit price may be
/// before the ticket asks once more: 5 %, a sixth of the day's ±30 % band,
/// far enough that a slipped digit or a tapped wrong level stands out.
pub const FAR_FROM_LAST_BP: i64 = 500;

/// Why an order that passed the checks is shown once more before it is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caution {
    /// A market order trades at whatever the book holds.
    Market,
    /// A limit price this many basis points above the last price.
    FarAbove(i64),
    /// A limit price this many basis points below the last price.
    FarBelow(i64),
}

/// Whether an order asks for a confirm step: every market order, and a
/// limit price at least [`FAR_FROM_LAST_BP`] away from `last`.
pub fn caution(kind: OrderKind, price: Option<i64>, last: i64) -> Option<Caution> {
    match (kind, price) {
        (OrderKind::Market, _) => Some(Caution::Market),
        (OrderKind::Limit, Some(price)) if last > 0 => {
            let bp = crate::trading::basis_points(price - last, last);
            if bp >= FAR_FROM_LAST_BP {
                Some(Caution::FarAbove(bp))
            } else if bp <= -FAR_FROM_LAST_BP {
                Some(Caution::FarBelow(-bp))
            } else {
                None
            }
        }
        (OrderKind::Limit, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> TicketContext {
        TicketContext {
            band: PriceBand::around(50_000),
            fees: FeeSchedule::default(),
            cash_available: 1_000_000,
            shares_available: 12,
        }
    }

    fn fields(result: Result<(Option<i64>, i64), Vec<FieldError>>) -> Vec<&'static str> {
        result
            .err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_good_limit_order_passes_with_separators() {
        let ok = check(OrderSide::Buy, OrderKind::Limit, "49,900", "10", &context());
        assert_eq!(ok, Ok((Some(49_900), 10)));
        let market = check(OrderSide::Sell, OrderKind::Market, "", "12", &context());
        assert_eq!(market, Ok((None, 12)));
    }

    #[test]
    fn empty_zero_fractional_off_tick_and_out_of_band_are_refused_by_field() {
        let c = context();
        let limit = |price, qty| fields(check(OrderSide::Buy, OrderKind::Limit, price, qty, &c));
        assert_eq!(limit("", ""), vec!["price", "qty"]);
        assert_eq!(limit("50000", "0"), vec!["qty"]);
        assert_eq!(limit("50000", "1.5"), vec!["qty"]);
        assert_eq!(limit("50000", "-3"), vec!["qty"]);
        assert_eq!(limit("50000.5", "1"), vec!["price"]);
        assert_eq!(limit("50050", "1"), vec!["price"], "off the 100-won tick");
        assert_eq!(limit("65100", "1"), vec!["price"], "above the +30 % limit");
        assert_eq!(limit("0", "1"), vec!["price"]);
        let message = check(OrderSide::Buy, OrderKind::Limit, "50050", "1", &c).unwrap_err();
        assert!(message[0].message_ko.contains("100원"));
    }

    #[test]
    fn an_amendment_checks_the_grid_without_knowing_the_band() {
        assert_eq!(check_price("65,100", None), Ok(65_100));
        assert_eq!(check_price("65,150", None).unwrap_err().field, "price");
        assert_eq!(
            check_price("", None).unwrap_err().message_en,
            "Enter a price."
        );
        assert_eq!(check_qty("3"), Ok(3));
        assert_eq!(check_qty("+3").unwrap_err().field, "qty");
    }

    #[test]
    fn more_than_available_is_refused_on_both_sides() {
        let c = context();
        // 1,000,000 won buys 19 shares at 50,000 (plus 0.015 % commission).
        assert_eq!(
            c.max_qty(OrderSide::Buy, OrderKind::Limit, Some(50_000)),
            19
        );
        let too_many = check(OrderSide::Buy, OrderKind::Limit, "50000", "20", &c);
        assert_eq!(fields(too_many), vec!["qty"]);
        let too_many = check(OrderSide::Sell, OrderKind::Limit, "50000", "13", &c);
        assert_eq!(fields(too_many), vec!["qty"]);
        // A market buy holds at the upper limit, 65,000: 15 shares.
        assert_eq!(c.max_qty(OrderSide::Buy, OrderKind::Market, None), 15);
    }

    #[test]
    fn the_max_buy_is_exactly_what_the_cash_holds() {
        let fees = FeeSchedule::default();
        for cash in [0, 49_999, 50_007, 50_008, 1_000_000, 987_654_321] {
            let c = TicketContext {
                cash_available: cash,
                ..context()
            };
            let max = c.max_qty(OrderSide::Buy, OrderKind::Limit, Some(50_000));
            assert!(fees.buy_hold(50_000, max).unwrap() <= cash);
            assert!(fees.buy_hold(50_000, max + 1).unwrap() > cash);
        }
    }

    #[test]
    fn percent_buttons_round_down_but_keep_one_share() {
        assert_eq!(qty_for_percent(19, 10), 1);
        assert_eq!(qty_for_percent(19, 25), 4);
        assert_eq!(qty_for_percent(19, 50), 9);
        assert_eq!(qty_for_percent(19, 100), 19);
        assert_eq!(qty_for_percent(3, 10), 1);
        assert_eq!(qty_for_percent(0, 100), 0);
    }

    #[test]
    fn estimates_add_commission_to_buys_and_take_fees_from_sells() {
        let fees = FeeSchedule::default();
        let buy = estimate(OrderSide::Buy, 50_000, 10, fees).unwrap();
        assert_eq!(
            (buy.amount, buy.commission, buy.tax, buy.total),
            (500_000, 75, 0, 500_075)
        );
        let sell = estimate(OrderSide::Sell, 50_000, 10, fees).unwrap();
        assert_eq!(
            (sell.commission, sell.tax, sell.total),
            (75, 1_000, 498_925)
        );
        assert_eq!(estimate(OrderSide::Buy, i64::MAX, 2, fees), None);
    }

    #[test]
    fn market_orders_and_prices_far_from_the_last_ask_again() {
        assert_eq!(
            caution(OrderKind::Market, None, 50_000),
            Some(Caution::Market)
        );
        assert_eq!(
            caution(OrderKind::Limit, Some(52_400), 50_000),
            None,
            "4.8 % above"
        );
        assert_eq!(
            caution(OrderKind::Limit, Some(52_500), 50_000),
            Some(Caution::FarAbove(500))
        );
        assert_eq!(
            caution(OrderKind::Limit, Some(47_400), 50_000),
            Some(Caution::FarBelow(520))
        );
        assert_eq!(caution(OrderKind::Limit, Some(47_600), 50_000), None);
        assert_eq!(
            caution(OrderKind::Limit, Some(47_600), 0),
            None,
            "no last price known"
        );
    }

    #[test]
    fn selling_with_no_shares_says_so_before_anything_is_sent() {
        let none = TicketContext {
            shares_available: 0,
            ..context()
        };
        let refused = check(OrderSide::Sell, OrderKind::Limit, "50,000", "1", &none).unwrap_err();
        assert_eq!(refused[0].field, "qty");
        assert!(
            refused[0]
                .message_ko
                .contains("매도할 수 있는 주식이 없습니다")
        );
        let more = check(
            OrderSide::Sell,
            OrderKind::Limit,
            "50,000",
            "13",
            &context(),
        )
        .unwrap_err();
        assert!(more[0].message_ko.contains("매도 가능 수량(12주)"));
    }
}
