//! 내 자산 (Portfolio): cash available and held, each holding with its
//! average price, value, profit and return, the total equity, and its
//! curve over the days with the commission and tax paid. The account is
//! the caller's own, so it loads in the browser, then follows the
//! account's private stream (a fill changes cash and holdings at once,
//! from this tab or any other); each holding follows its ticker topic, so
//! values move with the market.

use crate::account_book::{MyAccount, use_my_account};
use crate::components::{PageTitle, Skeleton, load_then};
use crate::equity::plot_markup;
use crate::format::{
    Direction, format_change_bp, format_kst_date, format_won, format_won_compact, group_thousands,
};
use crate::i18n::fill;
use crate::market::{ListingName, listing_names};
use crate::prefs::{t, use_prefs};
use crate::realtime::{TickerEvent, Topic, go_live, use_topic};
use crate::trading::{
    AccountUpdate, CashView, EquityView, PortfolioView, basis_points, get_equity,
};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// A holding valued at a live last price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Valued {
    value: i64,
    pnl: i64,
    return_bp: i64,
}

/// One holding as the page shows it: the account's position in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Holding {
    symbol: String,
    qty: i64,
    cost: i64,
}

impl Holding {
    fn value_at(&self, last: i64) -> Valued {
        let value = self.qty.saturating_mul(last);
        let pnl = value - self.cost;
        Valued {
            value,
            pnl,
            return_bp: basis_points(pnl, self.cost),
        }
    }

    fn avg_price(&self) -> i64 {
        if self.qty > 0 {
            self.cost / self.qty
        } else {
            0
        }
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
    let account = use_my_account();
    view! {
        <PageTitle text=t(|x| x.portfolio_title)/>
        <section class="portfolio">
            <h1>{t(|x| x.portfolio_title)}</h1>
            {move || match account.loaded.get() {
                None => view! { <Skeleton lines=6/> }.into_any(),
                Some(Err(err)) => view! { <p class="notice notice--error" role="alert">{err.message(lang()).to_owned()}</p> }.into_any(),
                Some(Ok(first)) => view! { <PortfolioBody first account names/> }.into_any(),
            }}
        </section>
    }
}

/// The portfolio: as first loaded, then as the account's stream keeps it,
/// each holding valued at its ticker's last price.
#[component]
fn PortfolioBody(
    first: PortfolioView,
    account: MyAccount,
    names: StoredValue<Vec<ListingName>>,
) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let book = account.stream.book;
    let first_cash = CashView {
        available: first.cash_available,
        held: first.cash_held,
        deposited: first.deposited,
    };
    let cash = Memo::new(move |_| {
        book.with(|b| b.as_ref().map(|b| b.cash))
            .unwrap_or(first_cash)
    });
    let first_holdings: Vec<Holding> = (first.holdings.iter())
        .map(|h| Holding {
            symbol: h.symbol.clone(),
            qty: h.qty_available + h.qty_held,
            cost: h.cost,
        })
        .collect();
    let holdings = Memo::new(move |_| {
        let holdings = book.with(|b| {
            b.as_ref().map(|b| {
                (b.positions.values())
                    .map(|p| Holding {
                        symbol: p.symbol.clone(),
                        qty: p.available + p.held,
                        cost: p.cost,
                    })
                    .collect::<Vec<_>>()
            })
        });
        let mut holdings = holdings.unwrap_or_else(|| first_holdings.clone());
        holdings.retain(|h| h.qty > 0);
        holdings
    });
    // Each holding's last price, kept by its row from its ticker topic.
    let prices = RwSignal::new(
        (first.holdings.iter())
            .map(|h| (h.symbol.clone(), h.last_price))
            .collect::<BTreeMap<String, i64>>(),
    );
    let total = Memo::new(move |_| {
        let cash = cash.get();
        let held: i64 = holdings.with(|holdings| {
            prices.with(|prices| {
                (holdings.iter())
                    .map(|h| {
                        h.value_at(prices.get(&h.symbol).copied().unwrap_or(0))
                            .value
                    })
                    .sum()
            })
        });
        cash.available + cash.held + held
    });
    let pnl = Signal::derive(move || total.get() - cash.get().deposited);
    let return_bp = Signal::derive(move || basis_points(pnl.get(), cash.get().deposited));
    view! {
        <dl class="summary" data-testid="portfolio-summary">
            <div class="card">
                <dt>{t(|x| x.portfolio_total)}</dt>
                <dd class="num summary__big" data-testid="portfolio-total">{move || format_won(total.get(), lang())}</dd>
            </div>
            <div class="card">
                <dt>{t(|x| x.portfolio_pnl)}</dt>
                // The amount and the return may stand on two lines, each whole.
                <dd class=move || Direction::of_change(pnl.get()).class() data-testid="portfolio-pnl">
                    <span class="num">{move || format_won(pnl.get(), lang())}</span>
                    " "
                    <span class="num">"(" {move || format_change_bp(return_bp.get())} ")"</span>
                </dd>
            </div>
            <div class="card">
                <dt>{t(|x| x.portfolio_cash_available)}</dt>
                <dd class="num" data-testid="portfolio-cash">{move || format_won(cash.get().available, lang())}</dd>
            </div>
            <div class="card">
                <dt>{t(|x| x.portfolio_cash_held)}</dt>
                <dd class="num" data-testid="portfolio-held">{move || format_won(cash.get().held, lang())}</dd>
            </div>
        </dl>
        <EquityCurve total=total.into() update=account.stream.update/>
        <h2>{t(|x| x.portfolio_holdings)}</h2>
        <Show
            when=move || holdings.with(|h| !h.is_empty())
            fallback=|| view! { <p class="card card--empty" data-testid="holdings-empty">{t(|x| x.portfolio_empty)}</p> }
        >
            <div class="table-wrap card">
                <table class="holdings stack-table" data-testid="holdings">
                    <caption class="visually-hidden">{t(|x| x.portfolio_holdings)}</caption>
                    <thead><tr>
                        <th scope="col">{t(|x| x.portfolio_col_stock)}</th>
                        <th scope="col" class="num">{t(|x| x.portfolio_col_shares)}</th>
                        <th scope="col" class="num">{t(|x| x.portfolio_col_avg_price)}</th>
                        <th scope="col" class="num">{t(|x| x.portfolio_col_last)}</th>
                        <th scope="col" class="num">{t(|x| x.portfolio_col_value)}</th>
                        <th scope="col" class="num">{t(|x| x.portfolio_col_pnl)}</th>
                        <th scope="col" class="num">{t(|x| x.portfolio_col_return)}</th>
                    </tr></thead>
                    // Redrawn whole when the holdings change (a fill): a
                    // keyed list (`For`) cost this page about 7 KB of
                    // transfer for a table of a few rows.
                    <tbody>
                        {move || holdings.get().into_iter().map(|holding| view! { <HoldingRow holding prices names/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="portfolio__note">{t(|x| x.portfolio_fees_note)}</p>
        </Show>
    }
    .into_any()
}

/// 자산 추이: the account's worth at each day's close, today's point live
/// (`total`), against the line of what was put in; and the commission and
/// tax its fills paid. Loaded after the page, and again after each fill
/// the account's stream brings (a fill pays fees and changes holdings).
#[component]
fn EquityCurve(total: Signal<i64>, update: RwSignal<Option<AccountUpdate>>) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let equity = RwSignal::new(None::<EquityView>);
    let fills_seen = RwSignal::new(0_u64);
    Effect::new(move |_| {
        if update.with(|update| update.as_ref().is_some_and(|u| !u.fills.is_empty())) {
            fills_seen.update(|seen| *seen += 1);
        }
    });
    Effect::new(move |_| {
        let asked = fills_seen.get();
        leptos::task::spawn_local(async move {
            // An answer to an older question than the latest is dropped.
            if let Ok(view) = get_equity(None).await
                && fills_seen.try_get_untracked() == Some(asked)
            {
                equity.try_set(Some(view));
            }
        });
    });
    // The values drawn: each day's close, today's replaced by the live total.
    let values = Memo::new(move |_| {
        equity.with(|equity| {
            equity.as_ref().map(|equity| {
                let mut values: Vec<i64> = equity.points.iter().map(|p| p.equity).collect();
                if let Some(today) = values.last_mut() {
                    *today = total.get();
                }
                values
            })
        })
    });
    move || {
        let Some(view) = equity.get() else {
            return view! { <div class="card equity" data-testid="equity"><Skeleton lines=3/></div> }.into_any();
        };
        let first_day = view.points.first().map_or(0, |p| p.day_start_ms);
        let (deposited, commission, tax) = (view.deposited, view.commission_paid, view.tax_paid);
        // Only the plot follows the live total; the rest is drawn once per load.
        let plot = move || {
            let values = values.get().unwrap_or_default();
            let days = values.len().to_string();
            let first = values.first().copied().unwrap_or(0);
            let last = values.last().copied().unwrap_or(0);
            let label = fill(
                prefs.texts().portfolio_equity_summary,
                &[
                    ("days", &days),
                    ("first", &format_won(first, lang())),
                    ("last", &format_won(last, lang())),
                ],
            );
            plot_markup(&values, deposited, &label, |amount| {
                format_won_compact(amount, lang())
            })
        };
        view! {
            <section class="card equity" data-testid="equity" data-points=view.points.len()>
                <h2 class="equity__title">{t(|x| x.portfolio_equity_heading)}</h2>
                <div class="equity__plot" inner_html=plot></div>
                <p class="equity__axis" aria-hidden="true">
                    <span class="num">{format_kst_date(first_day)}</span>
                    <span>{t(|x| x.portfolio_equity_today)}</span>
                </p>
                <p class="equity__legend">
                    <span class="equity__deposit-key">
                        {move || fill(prefs.texts().portfolio_equity_deposit, &[("amount", &format_won(deposited, lang()))])}
                    </span>
                    <span data-testid="fees-paid">
                        {move || fill(prefs.texts().portfolio_fees_paid, &[
                            ("commission", &format_won(commission, lang())),
                            ("tax", &format_won(tax, lang())),
                        ])}
                    </span>
                </p>
            </section>
        }
        .into_any()
    }
}

/// One holding's row; it follows the stock's ticker and says its last
/// price to the totals.
#[component]
fn HoldingRow(
    holding: Holding,
    prices: RwSignal<BTreeMap<String, i64>>,
    names: StoredValue<Vec<ListingName>>,
) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let code = holding.symbol.clone();
    let latest = use_topic::<TickerEvent>(Topic::Ticker {
        symbol: code.clone(),
    });
    {
        let code = code.clone();
        Effect::new(move |_| {
            if let Some(TickerEvent::Ticker(ticker)) = latest.get() {
                prices.update(|prices| {
                    prices.insert(code.clone(), ticker.last);
                });
            }
        });
    }
    let last = {
        let code = code.clone();
        Memo::new(move |_| prices.with(|prices| prices.get(&code).copied().unwrap_or(0)))
    };
    let valued = {
        let holding = holding.clone();
        Memo::new(move |_| holding.value_at(last.get()))
    };
    let direction = move || Direction::of_change(valued.get().pnl).class();
    let name = {
        let code = code.clone();
        move || names.with_value(|names| ListingName::find(names, &code, lang()))
    };
    view! {
        <tr data-testid="holding" data-code=code.clone()>
            <th scope="row"><a href=format!("/market/{code}")>{name}</a></th>
            // On phones each cell stands on its own line under its column's
            // name (data-label: see `.stack-table`).
            <td class="num" data-label=t(|x| x.portfolio_col_shares) data-testid="holding-qty">{group_thousands(holding.qty)}</td>
            <td class="num" data-label=t(|x| x.portfolio_col_avg_price)>{group_thousands(holding.avg_price())}</td>
            <td class="num" data-label=t(|x| x.portfolio_col_last) data-testid="holding-last">{move || group_thousands(last.get())}</td>
            <td class="num" data-label=t(|x| x.portfolio_col_value) data-testid="holding-value">{move || format_won(valued.get().value, lang())}</td>
            <td class=move || format!("num {}", direction()) data-label=t(|x| x.portfolio_col_pnl) data-testid="holding-pnl">
                {move || format_won(valued.get().pnl, lang())}
            </td>
            <td class=move || format!("num {}", direction()) data-label=t(|x| x.portfolio_col_return) data-testid="holding-return">
                {move || format_change_bp(valued.get().return_bp)}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holding_is_valued_at_the_live_price_including_held_shares() {
        // 7 shares available and 3 held by an open sell.
        let holding = Holding {
            symbol: "100010".into(),
            qty: 7 + 3,
            cost: 500_000,
        };
        assert_eq!(holding.avg_price(), 50_000);
        assert_eq!(
            holding.value_at(55_000),
            Valued {
                value: 550_000,
                pnl: 50_000,
                return_bp: 1_000
            }
        );
        assert_eq!(holding.value_at(45_000).return_bp, -1_000);
    }
}
