//! 내 자산 (Portfolio): cash available and held, each holding with its
//! average price, value, profit and return, and the total equity. The
//! account is the caller's own, so it loads in the browser; each holding
//! then follows its ticker topic, so values move with the market.

use crate::components::{PageTitle, Skeleton, load_then};
use crate::format::{Direction, format_change_bp, format_won, group_thousands};
use crate::market::{ListingName, listing_names};
use crate::prefs::{t, use_prefs};
use crate::realtime::{TickerEvent, Topic, go_live, use_topic};
use crate::trading::{HoldingView, PortfolioView, get_portfolio};
use leptos::prelude::*;

/// A holding valued at a live last price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Valued {
    value: i64,
    pnl: i64,
    return_bp: i64,
}

fn value_at(holding: &HoldingView, last: i64) -> Valued {
    let qty = holding.qty_available + holding.qty_held;
    let value = qty.saturating_mul(last);
    let pnl = value - holding.cost;
    Valued {
        value,
        pnl,
        return_bp: if holding.cost > 0 {
            (i128::from(pnl) * 10_000 / i128::from(holding.cost)) as i64
        } else {
            0
        },
    }
}

/// The route, on the server: the listings' names are read here and handed
/// to the page's island.
#[component]
pub fn PortfolioRoute() -> impl IntoView {
    load_then(listing_names(), |names| view! { <PortfolioPage names/> })
}

/// The portfolio page, a lazy island: its code is a wasm chunk that only this
/// page downloads. The account is the caller's, so it loads in the browser.
#[island(lazy)]
fn PortfolioPage(names: Vec<ListingName>) -> impl IntoView {
    go_live();
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let names = StoredValue::new(names);
    let portfolio = RwSignal::new(None::<Result<PortfolioView, crate::api::AppError>>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            portfolio.try_set(Some(get_portfolio(None).await));
        });
    });
    view! {
        <PageTitle text=t(|x| x.portfolio_title)/>
        <section class="portfolio">
            <h1>{t(|x| x.portfolio_title)}</h1>
            {move || match portfolio.get() {
                None => view! { <Skeleton lines=6/> }.into_any(),
                Some(Err(err)) => view! { <p class="notice notice--error" role="alert">{err.message(lang()).to_owned()}</p> }.into_any(),
                Some(Ok(view)) => view! { <PortfolioBody portfolio=view names/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PortfolioBody(portfolio: PortfolioView, names: StoredValue<Vec<ListingName>>) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let rows: Vec<(HoldingView, Signal<Valued>)> = (portfolio.holdings.into_iter())
        .filter(|h| h.qty_available + h.qty_held > 0)
        .map(|holding| {
            let latest = use_topic::<TickerEvent>(Topic::Ticker {
                symbol: holding.symbol.clone(),
            });
            let fallback = holding.last_price;
            let for_value = holding.clone();
            // A memo: the row reads it several times per change.
            let valued = Signal::from(Memo::new(move |_| {
                let last = match latest.get() {
                    Some(TickerEvent::Ticker(ticker)) => ticker.last,
                    None => fallback,
                };
                value_at(&for_value, last)
            }));
            (holding, valued)
        })
        .collect();
    let (cash_available, cash_held) = (portfolio.cash_available, portfolio.cash_held);
    let cash = cash_available + cash_held;
    let deposited = portfolio.deposited;
    let valuations: Vec<Signal<Valued>> = rows.iter().map(|(_, v)| *v).collect();
    let total =
        Signal::derive(move || cash + valuations.iter().map(|v| v.get().value).sum::<i64>());
    let pnl = Signal::derive(move || total.get() - deposited);
    let return_bp = Signal::derive(move || {
        if deposited > 0 {
            (i128::from(pnl.get()) * 10_000 / i128::from(deposited)) as i64
        } else {
            0
        }
    });
    let name_of =
        move |code: &str| names.with_value(|names| ListingName::find(names, code, lang()));
    let empty = rows.is_empty();
    view! {
        <dl class="summary" data-testid="portfolio-summary">
            <div class="card">
                <dt>{t(|x| x.portfolio_total)}</dt>
                <dd class="num summary__big" data-testid="portfolio-total">{move || format_won(total.get(), lang())}</dd>
            </div>
            <div class="card">
                <dt>{t(|x| x.portfolio_pnl)}</dt>
                <dd class=move || format!("num {}", Direction::of_change(pnl.get()).class()) data-testid="portfolio-pnl">
                    {move || format_won(pnl.get(), lang())} " (" {move || format_change_bp(return_bp.get())} ")"
                </dd>
            </div>
            <div class="card">
                <dt>{t(|x| x.portfolio_cash_available)}</dt>
                <dd class="num" data-testid="portfolio-cash">{move || format_won(cash_available, lang())}</dd>
            </div>
            <div class="card">
                <dt>{t(|x| x.portfolio_cash_held)}</dt>
                <dd class="num" data-testid="portfolio-held">{move || format_won(cash_held, lang())}</dd>
            </div>
        </dl>
        <h2>{t(|x| x.portfolio_holdings)}</h2>
        {if empty {
            view! { <p class="card card--empty" data-testid="holdings-empty">{t(|x| x.portfolio_empty)}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap card">
                    <table class="holdings" data-testid="holdings">
                        <caption class="visually-hidden">{t(|x| x.portfolio_holdings)}</caption>
                        <thead><tr>
                            <th scope="col">{t(|x| x.portfolio_col_stock)}</th>
                            <th scope="col" class="num">{t(|x| x.portfolio_col_shares)}</th>
                            <th scope="col" class="num">{t(|x| x.portfolio_col_avg_price)}</th>
                            <th scope="col" class="num">{t(|x| x.portfolio_col_value)}</th>
                            <th scope="col" class="num">{t(|x| x.portfolio_col_pnl)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(holding, valued)| {
                                let code = holding.symbol.clone();
                                let direction = move || Direction::of_change(valued.get().pnl).class();
                                view! {
                                    <tr data-testid="holding" data-code=code.clone()>
                                        <th scope="row"><a href=format!("/market/{code}")>{ let code = code.clone(); move || name_of(&code) }</a></th>
                                        <td class="num" data-testid="holding-qty">{group_thousands(holding.qty_available + holding.qty_held)}</td>
                                        <td class="num">{group_thousands(holding.avg_price)}</td>
                                        <td class="num">{move || format_won(valued.get().value, lang())}</td>
                                        <td class=move || format!("num {}", direction())>
                                            {move || format_won(valued.get().pnl, lang())} " (" {move || format_change_bp(valued.get().return_bp)} ")"
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holding_is_valued_at_the_live_price_including_held_shares() {
        let holding = HoldingView {
            symbol: "100010".into(),
            qty_available: 7,
            qty_held: 3,
            cost: 500_000,
            avg_price: 50_000,
            last_price: 50_000,
            value: 500_000,
            pnl: 0,
            return_bp: 0,
        };
        assert_eq!(
            value_at(&holding, 55_000),
            Valued {
                value: 550_000,
                pnl: 50_000,
                return_bp: 1_000
            }
        );
        assert_eq!(value_at(&holding, 45_000).return_bp, -1_000);
    }
}
