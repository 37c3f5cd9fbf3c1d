//! 시장 (Market): every listing with its last price, change, volume,
//! turnover (거래대금) and a trend line. The list arrives with the page;
//! each row then follows its ticker topic, so prices move without polling
//! and a price cell flashes red or blue as it ticks up or down. Filter by sector, sort by
//! any column, search by code, name or initial consonants, and star
//! listings for the watchlist (kept per account on the server).

use crate::api::AppError;
use crate::components::{PageTitle, load_then, price_flash};
use crate::format::{Direction, format_change_bp, format_won_compact, group_thousands};
use crate::i18n::{Key, Lang, fill};
use crate::market::{
    ListingView, MarketOverview, SectorView, load_market, load_watchlist, set_watched,
};
use crate::prefs::{t, use_prefs};
use crate::realtime::{Ticker, go_live, use_ticker};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The route, on the server: the listings are loaded here and handed to the
/// page's island as a prop, so the browser's wasm holds no loading
/// machinery (resource, suspense) for them and decodes them once.
#[component]
pub fn MarketPage() -> impl IntoView {
    load_then(load_market(), |overview| view! { <MarketBoard overview/> })
}

#[island(lazy)]
fn MarketBoard(overview: Result<MarketOverview, AppError>) -> impl IntoView {
    go_live();
    let prefs = use_prefs();
    view! {
        <PageTitle text=t(|x| x.nav_market)/>
        <section class="market">
            <h1>{t(|x| x.nav_market)}</h1>
            <p class="market__blurb">{t(|x| x.market_blurb)}</p>
            {match overview {
                Ok(overview) => view! { <MarketTable overview/> }.into_any(),
                Err(err) => view! {
                    <p class="notice notice--error" role="alert">
                        {t(|x| x.market_load_failed)} " " {move || err.message(prefs.lang.get()).to_owned()}
                    </p>
                }.into_any(),
            }}
        </section>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Name,
    Last,
    Change,
    Volume,
    Turnover,
}

/// One row: the listing as loaded and its live ticker.
#[derive(Clone)]
struct Row {
    listing: ListingView,
    ticker: Signal<Ticker>,
}

fn sector_name(sectors: &[SectorView], key: &str, lang: Lang) -> String {
    sectors
        .iter()
        .find(|s| s.key == key)
        .map(|s| lang.pick(&s.name_ko, &s.name_en).to_owned())
        .unwrap_or_default()
}

#[component]
fn MarketTable(overview: MarketOverview) -> impl IntoView {
    let prefs = use_prefs();
    let query = RwSignal::new(String::new());
    let sector = RwSignal::new(String::new());
    // None keeps the listing order (by code), the same on server and browser.
    let sort = RwSignal::new(None::<(Column, bool)>);
    let watched = RwSignal::new(BTreeSet::<String>::new());
    // Stars whose change is on its way to the server: shown as busy, and a
    // second click waits, so two answers for one star never race.
    let saving = RwSignal::new(BTreeSet::<String>::new());
    // Once the reader has starred something, a late first load must not undo it.
    let touched = StoredValue::new(false);
    let only_watched = RwSignal::new(false);
    // The watchlist is the caller's own; it loads in the browser after
    // hydration, so the server-rendered list is the same for everyone.
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) = load_watchlist().await
                && !touched.get_value()
            {
                watched.try_set(list.into_iter().collect());
            }
        });
    });
    let toggle_watch = Callback::new(move |code: String| {
        if saving.with(|s| s.contains(&code)) {
            return;
        }
        touched.set_value(true);
        let star = !watched.with(|w| w.contains(&code));
        let settle = move |w: &mut BTreeSet<String>, code: &String, on: bool| {
            if on {
                w.insert(code.clone());
            } else {
                w.remove(code);
            }
        };
        // Shown at once; the server's answer (or a failure) settles it.
        watched.update(|w| settle(w, &code, star));
        saving.update(|s| {
            s.insert(code.clone());
        });
        leptos::task::spawn_local(async move {
            let answer = set_watched(code.clone(), star).await;
            saving.try_update(|s| s.remove(&code));
            let others_pending = saving.try_with(|s| !s.is_empty()).unwrap_or(false);
            match answer {
                // The whole list also brings changes from other tabs, but
                // only when no other star's answer is still to come.
                Ok(list) if !others_pending => {
                    watched.try_set(list.into_iter().collect());
                }
                Ok(_) => {}
                Err(_) => {
                    watched.try_update(|w| settle(w, &code, !star));
                }
            }
        });
    });
    let rows: Vec<Row> = (overview.listings.into_iter())
        .map(|listing| {
            let ticker = use_ticker(listing.code.clone(), listing.ticker.clone());
            Row { listing, ticker }
        })
        .collect();
    let rows = StoredValue::new(rows);
    let sectors = StoredValue::new(overview.sectors);

    let visible = Memo::new(move |_| {
        let query = query.get();
        let sector = sector.get();
        let sort = sort.get();
        let only_watched = only_watched.get();
        rows.with_value(|rows| {
            let mut shown: Vec<usize> = (0..rows.len())
                .filter(|&i| {
                    let listing = &rows[i].listing;
                    (sector.is_empty() || listing.sector == sector)
                        && listing.matches(&query)
                        && (!only_watched || watched.with(|w| w.contains(&listing.code)))
                })
                .collect();
            if let Some((column, descending)) = sort {
                let lang = prefs.lang.get();
                // One key per row per sort, not per comparison: this runs
                // again on every live update while a column is sorted.
                let key = |row: &Row| match column {
                    Column::Name => (
                        0,
                        match lang {
                            Lang::Ko => row.listing.name_ko.clone(),
                            // ASCII case, as the search (see `ListingView::matches`).
                            _ => row.listing.name_en.to_ascii_lowercase(),
                        },
                    ),
                    Column::Last => (row.ticker.with(|t| t.last), String::new()),
                    Column::Change => (row.ticker.with(|t| t.change_bp), String::new()),
                    Column::Volume => (row.ticker.with(|t| t.volume), String::new()),
                    Column::Turnover => (row.ticker.with(|t| t.turnover), String::new()),
                };
                if descending {
                    shown.sort_by_cached_key(|&i| std::cmp::Reverse(key(&rows[i])));
                } else {
                    shown.sort_by_cached_key(|&i| key(&rows[i]));
                }
            }
            shown
        })
    });

    let header = move |column: Column, label: Key| {
        let aria_sort = move || match sort.get() {
            Some((c, true)) if c == column => "descending",
            Some((c, false)) if c == column => "ascending",
            _ => "none",
        };
        let toggle = move |_| {
            sort.update(|sort| {
                *sort = match *sort {
                    // Names read best A→Z first, numbers biggest first.
                    Some((c, descending)) if c == column => Some((c, !descending)),
                    _ => Some((column, column != Column::Name)),
                }
            })
        };
        let arrow = move || match sort.get() {
            Some((c, true)) if c == column => "↓",
            Some((c, false)) if c == column => "↑",
            _ => "",
        };
        view! {
            <th scope="col" aria-sort=aria_sort class:num=column != Column::Name>
                <button type="button" class="sort" on:click=toggle>
                    {t(label)}
                    <span aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
        .into_any()
    };

    let controls = view! {
        <div class="market__controls">
            <label class="field">
                <span>{t(|x| x.market_search_label)}</span>
                <input
                    type="search"
                    data-testid="market-search"
                    placeholder=t(|x| x.market_search_placeholder)
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </label>
            <label class="field">
                <span>{t(|x| x.market_sector_label)}</span>
                <select
                    data-testid="market-sector"
                    on:change=move |ev| sector.set(event_target_value(&ev))
                    prop:value=move || sector.get()
                >
                    <option value="">{t(|x| x.market_sector_all)}</option>
                    {sectors.with_value(|sectors| sectors.iter().map(|s| {
                        let (ko, en) = (s.name_ko.clone(), s.name_en.clone());
                        view! {
                            <option value=s.key.clone()>
                                {move || prefs.lang.get().pick(&ko, &en).to_owned()}
                            </option>
                        }
                    }).collect_view())}
                </select>
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="market-only-watched"
                    prop:checked=move || only_watched.get()
                    on:change=move |ev| only_watched.set(event_target_checked(&ev))
                />
                <span>{t(|x| x.market_only_watched)}</span>
            </label>
            <p class="market__count num" aria-live="polite">
                {move || {
                    let count = visible.with(Vec::len).to_string();
                    fill(prefs.texts().market_count, &[("n", &count)])
                }}
            </p>
        </div>
    }
    .into_any();
    view! {
        {controls}
        <div class="table-wrap">
            <table class="market-table" data-testid="market-table">
                <caption class="visually-hidden">{t(|x| x.nav_market)}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="market-table__watch">
                            <span class="visually-hidden">{t(|x| x.market_col_watch)}</span>
                        </th>
                        {header(Column::Name, |x| x.market_col_name)}
                        {header(Column::Last, |x| x.market_col_last)}
                        {header(Column::Change, |x| x.market_col_change)}
                        {header(Column::Volume, |x| x.market_col_volume)}
                        {header(Column::Turnover, |x| x.market_col_turnover)}
                        <th scope="col" class="market-table__trend">{t(|x| x.market_col_trend)}</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || visible.get()
                        key=|&index| index
                        children=move |index| {
                            let row = rows.with_value(|rows| rows[index].clone());
                            let sector_of = row.listing.sector.clone();
                            let sector = move || sectors.with_value(|s| sector_name(s, &sector_of, prefs.lang.get()));
                            let code = row.listing.code.clone();
                            let starred = {
                                let code = code.clone();
                                Signal::derive(move || watched.with(|w| w.contains(&code)))
                            };
                            let busy = Signal::derive(move || saving.with(|s| s.contains(&code)));
                            view! { <MarketRow row sector=Signal::derive(sector) starred busy toggle_watch/> }
                        }
                    />
                </tbody>
            </table>
        </div>
        <Show when=move || visible.with(Vec::is_empty)>
            <p class="card card--empty">{t(|x| x.market_no_match)}</p>
        </Show>
    }
}

#[component]
fn MarketRow(
    row: Row,
    sector: Signal<String>,
    starred: Signal<bool>,
    busy: Signal<bool>,
    toggle_watch: Callback<String>,
) -> impl IntoView {
    let prefs = use_prefs();
    let Row { listing, ticker } = row;
    let direction = move || Direction::of_change(ticker.with(|t| t.change));
    let flash = price_flash(ticker);
    let names = listing.clone();
    let name = move || names.name(prefs.lang.get()).to_owned();
    let star_label = {
        let name = name.clone();
        move || {
            let texts = prefs.texts();
            let action = if starred.get() {
                texts.market_watch_remove
            } else {
                texts.market_watch_add
            };
            format!("{}: {action}", name())
        }
    };
    let code = listing.code.clone();
    view! {
        <tr data-testid="market-row" data-code=listing.code.clone()>
            <td class="market-table__watch">
                <button
                    type="button"
                    // The star itself (☆, ★ when pressed) is drawn by the
                    // stylesheet from aria-pressed: less code per row.
                    class="star"
                    data-testid="market-star"
                    aria-pressed=move || if starred.get() { "true" } else { "false" }
                    aria-busy=move || busy.get().then_some("true")
                    aria-label=star_label
                    on:click=move |_| toggle_watch.run(code.clone())
                ></button>
            </td>
            <th scope="row" class="market-table__name">
                <a class="market-table__title" href=format!("/market/{}", listing.code) data-testid="market-link">{name}</a>
                <span class="market-table__meta">
                    <span class="num">{listing.code.clone()}</span>
                    <span class="market-table__sector">" · " {sector}</span>
                </span>
            </th>
            <td class=move || format!("num market-table__last {} {}", direction().class(), flash.get()) data-testid="market-last">
                {move || group_thousands(ticker.with(|t| t.last))}
            </td>
            <td class=move || format!("num market-table__chg {}", direction().class())>
                <span class="market-table__change">
                    {move || format!("{} {}", direction().arrow(), group_thousands(ticker.with(|t| t.change.abs())))}
                </span>
                <span>{move || format_change_bp(ticker.with(|t| t.change_bp))}</span>
            </td>
            // On phones the volume shows its column's name (data-label).
            <td class="num market-table__vol" data-label=t(|x| x.market_col_volume) data-testid="market-volume">{move || group_thousands(ticker.with(|t| t.volume))}</td>
            <td class="num market-table__turnover" data-testid="market-turnover">
                {move || format_won_compact(ticker.with(|t| t.turnover), prefs.lang.get())}
            </td>
            <td class="market-table__trend" inner_html=sparkline(&listing.spark)></td>
        </tr>
    }
    .into_any()
}

/// A small line of recent closes, red when the last is above the first and
/// blue when below. Decorative: the row's numbers carry the information.
/// Drawn in tenths of a pixel with integer arithmetic: whole numbers in the
/// points list, and no float formatting in the wasm for it. Markup rather
/// than a typed view: it never changes once drawn, and the string is the
/// smaller code on a page at the edge of its transfer budget.
fn sparkline(closes: &[i64]) -> String {
    const WIDTH: i64 = 96;
    const HEIGHT: i64 = 28;
    const SCALE: i64 = 10;
    if closes.len() < 2 {
        return r#"<span class="flat" aria-hidden="true">-</span>"#.to_owned();
    }
    let (low, high) = (
        closes.iter().copied().min().unwrap_or(0),
        closes.iter().copied().max().unwrap_or(0),
    );
    let span = (high - low).max(1);
    let last_index = closes.len() as i64 - 1;
    let points: Vec<String> = (closes.iter().enumerate())
        .map(|(i, &close)| {
            let x = i as i64 * WIDTH * SCALE / last_index;
            // Two pixels of margin above and below the line.
            let y = (HEIGHT - 2) * SCALE - (close - low) * (HEIGHT - 4) * SCALE / span;
            format!("{x},{y}")
        })
        .collect();
    let first = closes.first().copied().unwrap_or(0);
    let last = closes.last().copied().unwrap_or(0);
    format!(
        concat!(
            r#"<svg class="spark {direction}" viewBox="0 0 {w} {h}" width="{width}" height="{height}" "#,
            r#"aria-hidden="true" focusable="false"><polyline points="{points}" fill="none" "#,
            r#"stroke="currentColor" stroke-width="15"/></svg>"#
        ),
        direction = Direction::of_change(last - first).class(),
        w = WIDTH * SCALE,
        h = HEIGHT * SCALE,
        width = WIDTH,
        height = HEIGHT,
        points = points.join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn the_sparkline_rises_in_red_from_bottom_left_to_top_right() {
        assert_eq!(
            sparkline(&[100, 110, 120]),
            concat!(
                r#"<svg class="spark up" viewBox="0 0 960 280" width="96" height="28" "#,
                r#"aria-hidden="true" focusable="false"><polyline points="0,260 480,140 960,20" "#,
                r#"fill="none" stroke="currentColor" stroke-width="15"/></svg>"#
            )
        );
        assert!(sparkline(&[120, 100]).contains("spark down"));
        assert!(
            sparkline(&[100]).contains(r#"class="flat""#),
            "one close draws no line"
        );
    }
}
