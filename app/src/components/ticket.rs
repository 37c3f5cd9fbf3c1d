//! The order ticket (주문): buy or sell, limit or market, a price stepper on
//! the tick grid, quantity with 10/25/50/100 % of what is available, and
//! the estimated total with commission and tax. Bad input is stopped here
//! with a message per field (`crate::ticket`); a market order or a price far
//! from the last one is shown once more to confirm; what passes goes to the
//! real engine, and its answer is said in words naming the stock, side,
//! quantity, price and amount. Focus never leaves the ticket: after an
//! answer the next order can be typed at once.

use crate::account_book::MyAccount;
use crate::format::{format_change_bp, format_won, group_thousands};
use crate::i18n::{Key, Lang, fill};
use crate::prefs::{t, use_prefs};
use crate::realtime::Ticker;
use crate::rules::{FeeSchedule, PriceBand, tick_down, tick_up};
use crate::ticket::{
    Caution, FieldError, TicketContext, caution, check, estimate, qty_for_percent,
};
use crate::trading::{
    OrderAck, OrderKind, OrderSide, OrderStatus, PlaceOrderInput, TimeInForce, place_order,
};
use leptos::prelude::*;

/// A fresh idempotency key: clients count upwards (milliseconds with a
/// random tail), which is what the engine's duplicate check expects.
fn next_client_order_id() -> u64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() as u64) * 1_000 + (js_sys::Math::random() * 1_000.0) as u64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

fn field_message(errors: &[FieldError], field: &str, lang: Lang) -> Option<String> {
    (errors.iter().find(|e| e.field == field)).map(|e| e.message(lang).to_owned())
}

fn side_word(side: OrderSide, lang: Lang) -> &'static str {
    match side {
        OrderSide::Buy => lang.texts().side_buy,
        OrderSide::Sell => lang.texts().side_sell,
    }
}

/// The engine's answer in words: "한빛전자 3주 72,100원 매수 체결 (총
/// 216,300원)". The price of a filled part is the average of its fills.
fn ack_message(ack: &OrderAck, name: &str, lang: Lang) -> String {
    let texts = lang.texts();
    let order = &ack.order;
    let side = side_word(order.side, lang);
    let average = (order.filled_qty > 0).then(|| order.filled_value / order.filled_qty);
    let price = match (average, order.price) {
        (Some(average), _) => format_won(average, lang),
        (None, Some(limit)) => format_won(limit, lang),
        (None, None) => texts.kind_market.to_owned(),
    };
    let template = match order.status {
        OrderStatus::Filled => texts.ticket_ack_filled,
        OrderStatus::Open if order.filled_qty > 0 => texts.ticket_ack_open_partly,
        OrderStatus::Open => texts.ticket_ack_open,
        OrderStatus::Cancelled if order.filled_qty > 0 => texts.ticket_ack_cancelled,
        OrderStatus::Cancelled => texts.ticket_ack_unfilled,
    };
    // An open order's price is its limit; what it will cost is that amount.
    let amount = match (order.status, order.price) {
        (OrderStatus::Open, Some(limit)) => limit.saturating_mul(order.qty),
        _ => order.filled_value,
    };
    fill(
        template,
        &[
            ("name", name),
            ("side", side),
            ("qty", &group_thousands(order.qty)),
            ("filled", &group_thousands(order.filled_qty)),
            ("rest", &group_thousands(order.qty - order.filled_qty)),
            ("price", &price),
            ("amount", &format_won(amount, lang)),
        ],
    )
}

/// An order that passed the checks and waits for its confirm step.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Unconfirmed {
    input: PlaceOrderInput,
    caution: Caution,
    /// What it is expected to cost or bring, when the book says.
    amount: Option<i64>,
    /// The last price it was compared with.
    last: i64,
}

/// The confirm step's two lines: what will be sent, and why it is asked.
fn confirm_lines(order: &Unconfirmed, name: &str, lang: Lang) -> (String, String) {
    let texts = lang.texts();
    let price = order
        .input
        .price
        .map_or_else(|| texts.kind_market.to_owned(), |p| format_won(p, lang));
    let amount = order
        .amount
        .map_or_else(|| "-".to_owned(), |a| format_won(a, lang));
    let summary = fill(
        texts.ticket_confirm_summary,
        &[
            ("name", name),
            ("side", side_word(order.input.side, lang)),
            ("qty", &group_thousands(order.input.qty)),
            ("price", &price),
            ("amount", &amount),
        ],
    );
    let last = format_won(order.last, lang);
    // The distance without a sign: the words say above or below.
    let distance = |bp: i64| {
        format_change_bp(bp.abs())
            .trim_start_matches('+')
            .to_owned()
    };
    let why = match order.caution {
        Caution::Market => texts.ticket_confirm_market.to_owned(),
        Caution::FarAbove(bp) => fill(
            texts.ticket_confirm_far_above,
            &[("last", &last), ("pct", &distance(bp))],
        ),
        Caution::FarBelow(bp) => fill(
            texts.ticket_confirm_far_below,
            &[("last", &last), ("pct", &distance(bp))],
        ),
    };
    (summary, why)
}

/// Moves the keyboard focus to `button` once the page has drawn it.
fn focus_soon(button: NodeRef<leptos::html::Button>) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        if let Some(element) = button.get_untracked() {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = button;
}

#[component]
pub fn OrderTicket(
    code: String,
    /// The stock's name in the page's language, for the messages.
    name: Signal<String>,
    ticker: Signal<Ticker>,
    fees: FeeSchedule,
    /// A price picked elsewhere (a click on the book) lands here.
    picked_price: RwSignal<Option<i64>>,
    /// Buy or sell: the page's order bar chooses it too.
    side: RwSignal<OrderSide>,
    /// The caller's account: what the ticket can spend and sell.
    account: MyAccount,
) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let kind = RwSignal::new(OrderKind::Limit);
    let price_text = RwSignal::new(group_thousands(ticker.get_untracked().last));
    let qty_text = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let outcome = RwSignal::new(None::<Result<OrderAck, crate::api::AppError>>);
    let pending = RwSignal::new(false);
    let unconfirmed = RwSignal::new(None::<Unconfirmed>);
    // Counts picked prices: the price field flashes on each (two names of
    // one animation, alternated, so a second pick restarts it).
    let picks = RwSignal::new(0u32);
    let submit_button = NodeRef::<leptos::html::Button>::new();
    let confirm_button = NodeRef::<leptos::html::Button>::new();

    Effect::new(move |_| {
        if let Some(price) = picked_price.get() {
            kind.set(OrderKind::Limit);
            price_text.set(group_thousands(price));
            errors.update(|e| e.retain(|e| e.field != "price"));
            unconfirmed.set(None);
            picks.update(|n| *n += 1);
        }
    });
    // Anything changed after the confirm step was shown asks again.
    Effect::new(move |_| {
        side.track();
        kind.track();
        price_text.track();
        qty_text.track();
        unconfirmed.set(None);
    });

    let code_for_context = code.clone();
    let context = move || {
        let ticker = ticker.get();
        let cash = account.cash_available().unwrap_or(0);
        let shares = account.shares_available(&code_for_context).unwrap_or(0);
        TicketContext {
            band: PriceBand {
                lower: ticker.lower_limit,
                upper: ticker.upper_limit,
            },
            fees,
            cash_available: cash,
            shares_available: shares,
        }
    };
    let parsed_price = move || {
        let digits: String = price_text.get().chars().filter(|&c| c != ',').collect();
        digits.trim().parse::<i64>().ok().filter(|&p| p > 0)
    };
    let context_for_max = context.clone();
    let max_qty = move || context_for_max().max_qty(side.get(), kind.get(), parsed_price());
    let step = move |up: bool| {
        let current = parsed_price().unwrap_or_else(|| ticker.get_untracked().last);
        let next = if up {
            Some(tick_up(current))
        } else {
            tick_down(current)
        };
        if let Some(next) = next {
            kind.set(OrderKind::Limit);
            price_text.set(group_thousands(next));
            errors.update(|e| e.retain(|e| e.field != "price"));
        }
    };
    let estimated = move || {
        let qty = qty_text.get().replace(',', "").trim().parse::<i64>().ok()?;
        let price = match kind.get() {
            OrderKind::Limit => parsed_price()?,
            // A market order trades at the other side's best price.
            OrderKind::Market => match side.get() {
                OrderSide::Buy => ticker.with(|t| t.best_ask)?,
                OrderSide::Sell => ticker.with(|t| t.best_bid)?,
            },
        };
        estimate(side.get(), price, qty.max(0), fees)
    };
    // What an order about to be confirmed is expected to cost or bring.
    let estimated_untracked = move |input: &PlaceOrderInput| {
        let price = input.price.or_else(|| {
            ticker.with_untracked(|t| match input.side {
                OrderSide::Buy => t.best_ask,
                OrderSide::Sell => t.best_bid,
            })
        })?;
        estimate(input.side, price, input.qty, fees).map(|e| e.total)
    };

    // Sends an order that passed the checks (and its confirm step).
    let send = move |input: PlaceOrderInput| {
        unconfirmed.set(None);
        pending.set(true);
        leptos::task::spawn_local(async move {
            // The account the page shows, once it knows it: if the session
            // changed meanwhile (a sign-in in another tab), the order is
            // refused rather than placed on an account the page does not show.
            let answer = place_order(input, account.id.get_untracked()).await;
            pending.try_set(false);
            if let Ok(ack) = &answer {
                qty_text.try_set(String::new());
                account.placed(ack);
            }
            outcome.try_set(Some(answer));
        });
        // The confirm button is gone: the keyboard goes back to the ticket's
        // own button, ready for the next order.
        focus_soon(submit_button);
    };

    let code_for_submit = code.clone();
    let context_for_submit = context.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        outcome.set(None);
        let checked = check(
            side.get_untracked(),
            kind.get_untracked(),
            &price_text.get_untracked(),
            &qty_text.get_untracked(),
            &context_for_submit(),
        );
        let (price, qty) = match checked {
            Ok(order) => order,
            Err(found) => return errors.set(found),
        };
        errors.set(Vec::new());
        let input = PlaceOrderInput {
            client_order_id: next_client_order_id(),
            symbol: code_for_submit.clone(),
            side: side.get_untracked(),
            kind: kind.get_untracked(),
            price,
            qty,
            tif: match kind.get_untracked() {
                OrderKind::Limit => TimeInForce::Gtc,
                OrderKind::Market => TimeInForce::Ioc,
            },
        };
        let last = ticker.with_untracked(|t| t.last);
        match caution(input.kind, input.price, last) {
            None => send(input),
            Some(caution) => {
                let amount = estimated_untracked(&input);
                unconfirmed.set(Some(Unconfirmed {
                    input,
                    caution,
                    amount,
                    last,
                }));
                focus_soon(confirm_button);
            }
        }
    };

    let tab = move |value: OrderSide, label: Key| {
        view! {
            <button
                type="button"
                role="tab"
                class=move || format!("ticket__tab ticket__tab--{}", if value == OrderSide::Buy { "buy" } else { "sell" })
                aria-selected=move || if side.get() == value { "true" } else { "false" }
                data-testid=if value == OrderSide::Buy { "ticket-buy" } else { "ticket-sell" }
                on:click=move |_| {
                    side.set(value);
                    errors.set(Vec::new());
                    outcome.set(None);
                }
            >
                {t(label)}
            </button>
        }
    };
    let price_error = move || field_message(&errors.get(), "price", lang());
    // Known once the account is: nothing of this stock to sell.
    let code_for_shares = code.clone();
    let no_shares = move || {
        side.get() == OrderSide::Sell && account.shares_available(&code_for_shares) == Some(0)
    };
    let qty_error = move || field_message(&errors.get(), "qty", lang());
    let context_for_available = context.clone();
    let available = move || {
        let c = context_for_available();
        match side.get() {
            OrderSide::Buy => format_won(c.cash_available, lang()),
            OrderSide::Sell => fill(
                lang().texts().unit_shares,
                &[("n", &group_thousands(c.shares_available))],
            ),
        }
    };

    view! {
        <form class="ticket card" data-testid="ticket" novalidate on:submit=submit>
            <h2 class="visually-hidden">{t(|x| x.ticket_heading)}</h2>
            <div class="ticket__tabs" role="tablist">
                {tab(OrderSide::Buy, |x| x.side_buy)}
                {tab(OrderSide::Sell, |x| x.side_sell)}
            </div>
            <fieldset class="ticket__kinds">
                <legend class="visually-hidden">{t(|x| x.ticket_kind_legend)}</legend>
                <label class="check">
                    <input type="radio" name="kind" data-testid="ticket-limit"
                        prop:checked=move || kind.get() == OrderKind::Limit
                        on:change=move |_| kind.set(OrderKind::Limit)/>
                    <span>{t(|x| x.kind_limit)}</span>
                </label>
                <label class="check">
                    <input type="radio" name="kind" data-testid="ticket-market"
                        prop:checked=move || kind.get() == OrderKind::Market
                        on:change=move |_| {
                            kind.set(OrderKind::Market);
                            errors.update(|e| e.retain(|e| e.field != "price"));
                        }/>
                    <span>{t(|x| x.kind_market)}</span>
                </label>
            </fieldset>
            <div class="field">
                <label for="ticket-price">{t(|x| x.ticket_price_label)}</label>
                <div class="stepper">
                    <button type="button" class="chip" data-testid="ticket-price-down"
                        aria-label=t(|x| x.ticket_tick_down)
                        disabled=move || kind.get() == OrderKind::Market
                        on:click=move |_| step(false)>"−"</button>
                    <input
                        id="ticket-price"
                        data-testid="ticket-price"
                        class=move || match picks.get() {
                            0 => "",
                            n if n % 2 == 1 => "ticket__price--picked-a",
                            _ => "ticket__price--picked-b",
                        }
                        inputmode="numeric"
                        autocomplete="off"
                        prop:value=move || if kind.get() == OrderKind::Market { lang().texts().kind_market.to_owned() } else { price_text.get() }
                        disabled=move || kind.get() == OrderKind::Market
                        aria-invalid=move || if price_error().is_some() { "true" } else { "false" }
                        aria-describedby="ticket-price-error"
                        on:input=move |ev| price_text.set(event_target_value(&ev))
                    />
                    <button type="button" class="chip" data-testid="ticket-price-up"
                        aria-label=t(|x| x.ticket_tick_up)
                        disabled=move || kind.get() == OrderKind::Market
                        on:click=move |_| step(true)>"+"</button>
                </div>
                <p id="ticket-price-error" class="field__error" data-testid="ticket-price-error" role="alert">{price_error}</p>
            </div>
            <div class="field">
                <label for="ticket-qty">{t(|x| x.ticket_qty_label)}</label>
                <input
                    id="ticket-qty"
                    data-testid="ticket-qty"
                    inputmode="numeric"
                    autocomplete="off"
                    prop:value=move || qty_text.get()
                    aria-invalid=move || if qty_error().is_some() { "true" } else { "false" }
                    aria-describedby="ticket-qty-error"
                    on:input=move |ev| qty_text.set(event_target_value(&ev))
                />
                <div class="ticket__percents">
                    {[10, 25, 50, 100].into_iter().map(|percent| {
                        let max_qty = max_qty.clone();
                        view! {
                            <button type="button" class="chip" data-testid=format!("ticket-pct-{percent}")
                                on:click=move |_| {
                                    qty_text.set(qty_for_percent(max_qty(), percent).to_string());
                                    errors.update(|e| e.retain(|e| e.field != "qty"));
                                }>
                                {format!("{percent}%")}
                            </button>
                        }
                    }).collect_view()}
                </div>
                <p id="ticket-qty-error" class="field__error" data-testid="ticket-qty-error" role="alert">{qty_error}</p>
            </div>
            <dl class="ticket__summary">
                <div>
                    <dt>{move || match side.get() { OrderSide::Buy => lang().texts().ticket_cash_available, OrderSide::Sell => lang().texts().ticket_shares_available }}</dt>
                    <dd class="num" data-testid="ticket-available">{available}</dd>
                </div>
                <div>
                    <dt>{t(|x| x.ticket_commission)}</dt>
                    <dd class="num">{move || estimated().map(|e| format_won(e.commission, lang())).unwrap_or_else(|| "-".into())}</dd>
                </div>
                <Show when=move || side.get() == OrderSide::Sell>
                    <div>
                        <dt>{t(|x| x.ticket_tax)}</dt>
                        <dd class="num">{move || estimated().map(|e| format_won(e.tax, lang())).unwrap_or_else(|| "-".into())}</dd>
                    </div>
                </Show>
                <div class="ticket__total">
                    <dt>{move || match side.get() { OrderSide::Buy => lang().texts().ticket_estimated_cost, OrderSide::Sell => lang().texts().ticket_estimated_proceeds }}</dt>
                    <dd class="num" data-testid="ticket-total">{move || estimated().map(|e| format_won(e.total, lang())).unwrap_or_else(|| "-".into())}</dd>
                </div>
            </dl>
            <Show when=no_shares>
                <p class="notice" data-testid="ticket-no-shares">{t(|x| x.ticket_no_shares)}</p>
            </Show>
            // Not `disabled` while the order is on its way: a disabled
            // button drops the keyboard focus out of the ticket.
            <button
                type="submit"
                node_ref=submit_button
                class=move || format!("ticket__submit ticket__submit--{}", if side.get() == OrderSide::Buy { "buy" } else { "sell" })
                class:ticket__submit--hidden=move || unconfirmed.with(Option::is_some)
                data-testid="ticket-submit"
                aria-disabled=move || if pending.get() { "true" } else { "false" }
            >
                {move || match side.get() { OrderSide::Buy => lang().texts().ticket_submit_buy, OrderSide::Sell => lang().texts().ticket_submit_sell }}
            </button>
            <div class="ticket__confirm" data-testid="ticket-confirm-panel" role="group" aria-labelledby="ticket-confirm-question"
                hidden=move || unconfirmed.with(Option::is_none)>
                <p id="ticket-confirm-question" class="ticket__confirm-question">{t(|x| x.ticket_confirm_question)}</p>
                {move || unconfirmed.get().map(|order| {
                    let (summary, why) = confirm_lines(&order, &name.get(), lang());
                    view! {
                        <p class="ticket__confirm-summary" data-testid="ticket-confirm-summary">{summary}</p>
                        <p class="ticket__confirm-why">{why}</p>
                    }
                })}
                <div class="ticket__confirm-actions">
                    <button type="button" class="chip ticket__confirm-back" data-testid="ticket-confirm-back"
                        on:click=move |_| {
                            unconfirmed.set(None);
                            focus_soon(submit_button);
                        }>
                        {t(|x| x.ticket_confirm_back)}
                    </button>
                    <button type="button" node_ref=confirm_button
                        class=move || format!("ticket__submit ticket__submit--{}", if side.get() == OrderSide::Buy { "buy" } else { "sell" })
                        data-testid="ticket-confirm"
                        on:click=move |_| {
                            if let Some(order) = unconfirmed.get_untracked() {
                                send(order.input);
                            }
                        }>
                        {t(|x| x.ticket_confirm_submit)}
                    </button>
                </div>
            </div>
            <p class="ticket__outcome" data-testid="ticket-outcome" role="status" aria-live="polite">
                {move || outcome.get().map(|answer| match answer {
                    Ok(ack) => view! { <span class="notice notice--ok">{ack_message(&ack, &name.get(), lang())}</span> }.into_any(),
                    Err(err) => view! { <span class="notice notice--error">{err.message(lang()).to_owned()}</span> }.into_any(),
                })}
            </p>
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trading::{OrderView, TimeInForce};

    fn ack(status: OrderStatus, price: Option<i64>, qty: i64, filled: i64, value: i64) -> OrderAck {
        OrderAck {
            order: OrderView {
                order_id: 1,
                account_id: 1,
                client_order_id: 1,
                symbol: "100010".into(),
                side: OrderSide::Buy,
                kind: if price.is_some() {
                    OrderKind::Limit
                } else {
                    OrderKind::Market
                },
                tif: TimeInForce::Gtc,
                price,
                qty,
                filled_qty: filled,
                remaining_qty: qty - filled,
                filled_value: value,
                status,
                cancel_reason: None,
                created_ms: 0,
                updated_ms: 0,
            },
            seq: 1,
        }
    }

    #[test]
    fn an_answer_names_the_stock_side_quantity_price_and_amount() {
        let filled = ack(OrderStatus::Filled, Some(72_200), 3, 3, 216_300);
        assert_eq!(
            ack_message(&filled, "한빛전자", Lang::Ko),
            "한빛전자 3주 72,100원 매수 체결 (총 216,300원)",
            "the price of a fill is its average"
        );
        assert_eq!(
            ack_message(&filled, "Hanbit Electronics", Lang::En),
            "Buy filled: 3 Hanbit Electronics at ₩72,100 (₩216,300 in all)"
        );
        let open = ack(OrderStatus::Open, Some(70_000), 5, 0, 0);
        assert_eq!(
            ack_message(&open, "한빛전자", Lang::Ko),
            "한빛전자 5주 70,000원 매수 주문 접수"
        );
        let rest = ack(OrderStatus::Cancelled, None, 5, 2, 144_200);
        assert_eq!(
            ack_message(&rest, "한빛전자", Lang::Ko),
            "한빛전자 2주 72,100원 매수 체결 (총 144,200원), 나머지 3주 취소"
        );
        let none = ack(OrderStatus::Cancelled, None, 5, 0, 0);
        assert_eq!(
            ack_message(&none, "한빛전자", Lang::Ko),
            "한빛전자 매수 주문이 체결되지 않고 취소되었습니다."
        );
    }

    #[test]
    fn the_confirm_step_says_how_far_the_price_is_without_a_sign() {
        let order = |price, caution| Unconfirmed {
            input: PlaceOrderInput {
                client_order_id: 1,
                symbol: "100010".into(),
                side: OrderSide::Buy,
                kind: OrderKind::Limit,
                price: Some(price),
                qty: 2,
                tif: TimeInForce::Gtc,
            },
            caution,
            amount: Some(price * 2),
            last: 50_000,
        };
        let (summary, why) =
            confirm_lines(&order(46_000, Caution::FarBelow(800)), "한빛전자", Lang::Ko);
        assert_eq!(summary, "한빛전자 2주 46,000원 매수 · 예상 92,000원");
        assert_eq!(why, "현재가 50,000원보다 8.00% 낮은 가격입니다.");
        let (_, why) = confirm_lines(&order(53_000, Caution::FarAbove(600)), "Hanbit", Lang::En);
        assert_eq!(why, "That is 6.00% above the last price, ₩50,000.");
    }
}
