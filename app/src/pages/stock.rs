//! 종목 (a stock's page): the header with price, change, day range and
//! volume; the candle chart with volume; the 호가창 beside the order ticket
//! (a tap on a level puts its price in the ticket); the caller's open orders
//! in this stock; the tape; and the stock's news. On a phone the ticket is a
//! bottom sheet, opened by a 매수 / 매도 bar that stays at the bottom of the
//! screen or by tapping a level, with the book beside the price field.
//! Everything live arrives on websocket topics (the caller's cash, shares
//! and orders on their account's private one); nothing polls or refetches.

use crate::account_book::use_my_account;
use crate::api::AppError;
use crate::chart::{ChartWords, chart_data, merge_live, preview_svg};
use crate::components::{BookSide, OrderBook, OrderTicket, PageTitle, load_then};
use crate::format::{
    Direction, format_change_bp, format_kst_time, format_won_compact, group_thousands,
};
use crate::i18n::{Key, fill};
use crate::market::{ListingName, SectorView};
use crate::pages::orders::OpenOrders;
#[cfg(feature = "ssr")]
use crate::pages::respond_with_status;
use crate::prefs::{t, use_prefs};
use crate::realtime::{
    Candle, CandleInterval, NewsView, Ticker, Topic, TopicEvent, TradePrint, go_live, use_ticker,
    use_topic,
};
use crate::stock::{CHART_CANDLES, StockView, load_candles, load_stock};
use crate::trading::OrderSide;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Prints kept on the tape.
const TAPE: usize = 30;

/// The route `/market/:code`, on the server: the stock is loaded here and
/// handed to the page's island as a prop (the island holds no loading
/// machinery for it). An unknown code is a 404, decided from the listings
/// in memory before the first byte is streamed (deciding it once the load
/// is done let the status leave as 200 first).
#[component]
pub fn StockRoute() -> impl IntoView {
    let code = use_params_map()
        .read_untracked()
        .get("code")
        .unwrap_or_default();
    #[cfg(feature = "ssr")]
    if !crate::stock::is_listed(&code) {
        respond_with_status(404);
    }
    load_then(load_stock(code), |stock: Result<StockView, AppError>| {
        view! { <StockPage stock/> }
    })
}

/// The stock page, a lazy island: its code (chart, book, ticket, tape) is
/// a wasm chunk that only this page downloads.
#[island(lazy)]
fn StockPage(stock: Result<StockView, AppError>) -> impl IntoView {
    go_live();
    let prefs = use_prefs();
    match stock {
        Ok(stock) => view! { <StockBody stock/> }.into_any(),
        Err(err) => view! {
            <section class="area">
                <PageTitle text=t(|x| x.stock_not_found)/>
                <h1>{t(|x| x.stock_not_found)}</h1>
                <p class="notice notice--error" role="alert">{move || err.message(prefs.lang.get()).to_owned()}</p>
                <a href="/market">{t(|x| x.stock_back_to_market)}</a>
            </section>
        }
        .into_any(),
    }
}

#[component]
fn StockBody(stock: StockView) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let StockView {
        listing,
        sector,
        news,
        fees,
        chart_frame,
    } = stock;
    let code = listing.code.clone();
    let ticker = use_ticker(code.clone(), listing.ticker.clone());
    let picked_price = RwSignal::new(None::<i64>);
    let side = RwSignal::new(OrderSide::Buy);
    // The caller's cash, shares and open orders: their own, loaded in the
    // browser after hydration, then kept by their account's stream.
    let account = use_my_account();
    let sheet = OrderSheet::new();
    // A tapped level fills the ticket's price; on a phone it also opens the
    // sheet, on the side that trades with that level.
    let on_pick = Callback::new(move |(price, level_side): (i64, BookSide)| {
        picked_price.set(Some(price));
        if !sheet.open.get_untracked() && is_phone() {
            side.set(match level_side {
                BookSide::Ask => OrderSide::Buy,
                BookSide::Bid => OrderSide::Sell,
            });
            sheet.show();
        }
    });
    let behind = move || sheet.open.get();
    let open_with = move |value: OrderSide| {
        side.set(value);
        sheet.show();
    };

    let names = StoredValue::new(vec![ListingName {
        code: code.clone(),
        ko: listing.name_ko.clone(),
        en: listing.name_en.clone(),
    }]);
    let (name_ko, name_en) = (listing.name_ko.clone(), listing.name_en.clone());
    let title = Signal::derive(move || lang().pick(&name_ko, &name_en).to_owned());
    view! {
        <PageTitle text=title/>
        <article class="stock" data-testid="stock" data-code=code.clone()>
            // While the sheet is open, the page behind it takes no input.
            <div inert=behind>
                <StockHeader title code=code.clone() sector ticker/>
            </div>
            <div class="stock__grid">
                <section class="card stock__chart" aria-labelledby="chart-heading" inert=behind>
                    <h2 id="chart-heading">{t(|x| x.stock_chart_heading)}</h2>
                    <PriceChart code=code.clone() frame=chart_frame/>
                </section>
                // The book and the ticket: cells of the page's grid on wider
                // screens; on a phone the book in the page, and both in a
                // bottom sheet while an order is being made.
                <div class="stock__trade" class:stock__trade--open=move || sheet.open.get()
                    node_ref=sheet.node tabindex="-1" data-testid="order-sheet"
                    role=move || sheet.open.get().then_some("dialog")
                    aria-modal=move || sheet.open.get().then_some("true")
                    aria-labelledby=move || sheet.open.get().then_some("sheet-heading")
                    on:keydown=move |ev| sheet.keydown(&ev)>
                    <div class="sheet__head">
                        <h2 id="sheet-heading" class="sheet__title">{move || fill(lang().texts().stock_sheet_title, &[("name", &title.get())])}</h2>
                        <button type="button" class="chip sheet__close" data-testid="sheet-close" on:click=move |_| sheet.hide()>
                            {t(|x| x.stock_sheet_close)}
                        </button>
                    </div>
                    <section class="card stock__book" aria-labelledby="book-heading">
                        <h2 id="book-heading">{t(|x| x.stock_book_heading)}</h2>
                        <OrderBook code=code.clone() ticker on_pick/>
                    </section>
                    <section class="stock__ticket" aria-label=t(|x| x.stock_ticket_label)>
                        <OrderTicket code=code.clone() name=title ticker fees picked_price side account/>
                    </section>
                </div>
                <div class="sheet__backdrop" aria-hidden="true" on:click=move |_| sheet.hide()></div>
                <section class="card stock__tape" aria-labelledby="tape-heading" inert=behind>
                    <h2 id="tape-heading">{t(|x| x.stock_tape_heading)}</h2>
                    <Tape code=code.clone()/>
                </section>
                <section class="card stock__orders" aria-labelledby="my-orders-heading" inert=behind>
                    <h2 id="my-orders-heading">{t(|x| x.stock_my_orders_heading)}</h2>
                    <OpenOrders symbol=Some(code.clone()) account names/>
                </section>
                <section class="card stock__news" aria-labelledby="news-heading" inert=behind>
                    <h2 id="news-heading">{t(|x| x.stock_news_heading)}</h2>
                    <StockNews code=code.clone() sector=listing.sector.clone() news/>
                </section>
            </div>
            <div class="trade-bar" role="group" aria-label=t(|x| x.stock_trade_bar_label) inert=behind>
                <button type="button" class="trade-bar__button trade-bar__button--sell" data-testid="trade-bar-sell"
                    on:click=move |_| open_with(OrderSide::Sell)>{t(|x| x.side_sell)}</button>
                <button type="button" class="trade-bar__button trade-bar__button--buy" data-testid="trade-bar-buy"
                    on:click=move |_| open_with(OrderSide::Buy)>{t(|x| x.side_buy)}</button>
            </div>
        </article>
    }
    .into_any()
}

/// Whether the page is laid out for a phone (the stylesheet's breakpoint).
fn is_phone() -> bool {
    #[cfg(feature = "hydrate")]
    {
        (leptos::prelude::window().match_media("(max-width: 640px)"))
            .ok()
            .flatten()
            .is_some_and(|query| query.matches())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// The phone's order sheet: whether it is open, the element it is, and
/// what had the keyboard before it opened (it gets it back on close).
#[derive(Clone, Copy)]
struct OrderSheet {
    open: RwSignal<bool>,
    node: NodeRef<leptos::html::Div>,
    #[cfg(feature = "hydrate")]
    opener: StoredValue<Option<send_wrapper::SendWrapper<web_sys::HtmlElement>>>,
}

impl OrderSheet {
    fn new() -> OrderSheet {
        OrderSheet {
            open: RwSignal::new(false),
            node: NodeRef::new(),
            #[cfg(feature = "hydrate")]
            opener: StoredValue::new(None),
        }
    }

    /// Opens the sheet and moves the keyboard into it (the sheet itself,
    /// so a phone's keyboard does not cover the book at once).
    fn show(self) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let active = (leptos::prelude::document().active_element())
                .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
            self.opener
                .set_value(active.map(send_wrapper::SendWrapper::new));
            let node = self.node;
            request_animation_frame(move || {
                if let Some(sheet) = node.get_untracked() {
                    let _ = sheet.focus();
                }
            });
        }
        self.open.set(true);
    }

    fn hide(self) {
        if !self.open.get_untracked() {
            return;
        }
        self.open.set(false);
        // Once the page behind is no longer inert (the next frame).
        #[cfg(feature = "hydrate")]
        if let Some(opener) = self.opener.try_update_value(Option::take).flatten() {
            request_animation_frame(move || {
                let _ = opener.focus();
            });
        }
    }

    /// Escape closes the sheet; Tab and Shift+Tab go round inside it.
    fn keydown(self, ev: &leptos::ev::KeyboardEvent) {
        if !self.open.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                self.hide();
            }
            #[cfg(feature = "hydrate")]
            "Tab" => self.keep_focus_inside(ev),
            _ => {}
        }
    }

    #[cfg(feature = "hydrate")]
    fn keep_focus_inside(self, ev: &leptos::ev::KeyboardEvent) {
        use wasm_bindgen::JsCast;
        let Some(sheet) = self.node.get_untracked() else {
            return;
        };
        let Ok(found) = sheet.query_selector_all(
            "button:not([hidden]):not([disabled]), input:not([disabled]), [tabindex=\"0\"]",
        ) else {
            return;
        };
        // Only what is shown (the sheet hides the desktop's parts).
        let shown: Vec<web_sys::HtmlElement> = (0..found.length())
            .filter_map(|i| found.item(i))
            .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
            .filter(|element| element.offset_parent().is_some())
            .collect();
        let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
            return;
        };
        let active = leptos::prelude::document().active_element();
        let at = |element: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == element.unchecked_ref::<web_sys::Element>())
        };
        let sheet_itself = active
            .as_ref()
            .is_some_and(|a| a == sheet.unchecked_ref::<web_sys::Element>());
        if ev.shift_key() && (at(first) || sheet_itself) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && at(last) {
            ev.prevent_default();
            let _ = first.focus();
        }
    }
}

#[component]
fn StockHeader(
    title: Signal<String>,
    code: String,
    sector: SectorView,
    ticker: Signal<Ticker>,
) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let direction = move || Direction::of_change(ticker.with(|t| t.change));
    let sector_name = move || lang().pick(&sector.name_ko, &sector.name_en).to_owned();
    let range = move || {
        ticker.with(|t| match (t.low, t.high) {
            (Some(low), Some(high)) => {
                format!("{} ~ {}", group_thousands(low), group_thousands(high))
            }
            _ => "-".to_owned(),
        })
    };
    view! {
        <header class="stock__header">
            <div>
                <h1 class="stock__name">{title}</h1>
                <p class="stock__meta"><span class="num">{code}</span> " · " {sector_name}</p>
            </div>
            <div class=move || format!("stock__price {}", direction().class())>
                <span class="stock__last num" data-testid="stock-last">{move || group_thousands(ticker.with(|t| t.last))}</span>
                <span class="num">
                    {move || direction().arrow()} " " {move || group_thousands(ticker.with(|t| t.change.abs()))}
                    " (" {move || format_change_bp(ticker.with(|t| t.change_bp))} ")"
                </span>
            </div>
            <dl class="stock__stats">
                <div><dt>{t(|x| x.stock_day_range)}</dt><dd class="num">{range}</dd></div>
                <div><dt>{t(|x| x.stock_volume)}</dt><dd class="num" data-testid="stock-volume">{move || group_thousands(ticker.with(|t| t.volume))}</dd></div>
                <div><dt>{t(|x| x.stock_turnover)}</dt><dd class="num">{move || format_won_compact(ticker.with(|t| t.turnover), lang())}</dd></div>
                <div><dt>{t(|x| x.stock_price_limits)}</dt><dd class="num">{move || ticker.with(|t| format!("{} ~ {}", group_thousands(t.lower_limit), group_thousands(t.upper_limit)))}</dd></div>
            </dl>
            <Show when=move || ticker.with(|t| t.halted)>
                <p class="notice notice--error" role="status">{t(|x| x.stock_halted)}</p>
            </Show>
        </header>
    }
    .into_any()
}

#[component]
fn PriceChart(code: String, frame: String) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let interval = RwSignal::new(CandleInterval::Minute);
    // The candles shown and the interval they are of (the interval signal
    // moves first; the candles follow when they are there).
    let history = RwSignal::new(None::<(CandleInterval, Vec<Candle>)>);
    let failed = RwSignal::new(false);
    let live = RwSignal::new(None::<Candle>);
    // Histories loaded so far, so the chart knows a new one from a live update.
    let loads = RwSignal::new(0u64);
    // Each interval's candles as last shown: switching back shows them at
    // once (live candles included) while the stored history reloads.
    let shown = StoredValue::new(Vec::<(CandleInterval, Vec<Candle>)>::new());
    let code_for_load = code.clone();
    Effect::new(move |_| {
        let interval = interval.get();
        let code = code_for_load.clone();
        let kept = shown.with_value(|shown| {
            (shown.iter().find(|(i, _)| *i == interval)).map(|(_, candles)| candles.clone())
        });
        history.set(kept.map(|kept| (interval, kept)));
        live.set(None);
        leptos::task::spawn_local(async move {
            match load_candles(code, interval, None, CHART_CANDLES).await {
                Ok(loaded) => {
                    failed.try_set(false);
                    history.try_set(Some((interval, loaded.candles)));
                    loads.try_update(|n| *n += 1);
                }
                Err(_) => {
                    failed.try_set(true);
                }
            }
        });
    });
    let candles = Memo::new(move |_| {
        let (of, mut candles) = history.get()?;
        if let Some(live) = live.get()
            && live.interval == of
        {
            merge_live(&mut candles, &live);
        }
        Some((of, candles))
    });
    Effect::new(move |_| {
        let Some((interval, now)) = candles.get() else {
            return;
        };
        shown.update_value(|shown| {
            shown.retain(|(i, _)| *i != interval);
            shown.push((interval, now));
        });
    });
    // The chart's box in CSS pixels, measured in the browser: the static
    // first view is drawn to it.
    let size = RwSignal::new((0i64, 0i64));
    // Whether the reader has reached for the chart: then the chart library
    // loads and takes over from the static view once it has drawn.
    let wanted = RwSignal::new(false);
    let reach = move |_| {
        if !wanted.get_untracked() {
            wanted.set(true);
        }
    };
    let interactive = RwSignal::new(false);
    let node = NodeRef::<leptos::html::Div>::new();
    let canvas = NodeRef::<leptos::html::Div>::new();
    let preview = move || {
        let (width, height) = size.get();
        if interactive.get() || width == 0 {
            return String::new();
        }
        candles.with(|c| {
            c.as_ref()
                .map(|(of, c)| preview_svg(c, *of, width, height))
                .unwrap_or_default()
        })
    };
    // How many candles the chart shows (none until its box is measured),
    // for people and tests alike.
    let drawn = move || match size.with(|s| s.0 > 0) {
        true => candles.with(|c| c.as_ref().map_or(0, |(_, c)| c.len())),
        false => 0,
    };
    #[cfg(feature = "hydrate")]
    {
        let measure = move || {
            if let Some(element) = node.get_untracked() {
                size.set((
                    i64::from(element.client_width()),
                    i64::from(element.client_height()),
                ));
            }
        };
        Effect::new(move |_| {
            if node.get().is_some() {
                measure();
            }
        });
        let handle = window_event_listener(leptos::ev::resize, move |_| {
            measure();
            if let Some(element) = canvas.get_untracked() {
                crate::chart::browser::with_echarts(move || {
                    if let Some(chart) = crate::chart::browser::draw_existing(&element) {
                        chart.resize();
                    }
                });
            }
        });
        on_cleanup(move || handle.remove());
    }
    // The first drawing of each loaded history places the zoom on its
    // newest candles; live candles merge in and leave the reader's zoom.
    #[cfg(feature = "hydrate")]
    Effect::new(move |drawn_load: Option<Option<u64>>| {
        let drawn_load = drawn_load.flatten();
        if !wanted.get() {
            return drawn_load;
        }
        let Some((of, candles)) = candles.get() else {
            return drawn_load;
        };
        let load = loads.get_untracked();
        let words = ChartWords::of(prefs.lang.get());
        let data = chart_data(&candles, of, drawn_load != Some(load), words);
        let Some(element) = canvas.get() else {
            return drawn_load;
        };
        let frame = frame.clone();
        crate::chart::browser::with_echarts(move || {
            if crate::chart::browser::draw(&element, &frame, &data).is_some() {
                interactive.try_set(true);
            }
        });
        Some(load)
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (chart_data, frame, ChartWords::of, canvas);
    let last_close = move || {
        candles.with(|c| {
            c.as_ref()
                .and_then(|(_, c)| c.last())
                .map_or(0, |c| c.close)
        })
    };
    view! {
        <div class="chart__intervals" role="group" aria-label=t(|x| x.chart_intervals_label)>
            {CandleInterval::ALL.into_iter().map(|value| {
                let label: Key = match value {
                    CandleInterval::Minute => |x| x.chart_interval_minute,
                    CandleInterval::FiveMinutes => |x| x.chart_interval_five_minutes,
                    CandleInterval::Hour => |x| x.chart_interval_hour,
                    CandleInterval::Day => |x| x.chart_interval_day,
                };
                view! {
                    <button type="button" class="chip" data-testid=format!("chart-{}", value.key())
                        aria-pressed=move || if interval.get() == value { "true" } else { "false" }
                        on:click=move |_| interval.set(value)>
                        {t(label)}
                    </button>
                }
            }).collect_view()}
        </div>
        {move || {
            let interval = interval.get();
            view! { <LiveCandle code=code.clone() interval live/> }
        }}
        <div
            class="chart"
            node_ref=node
            data-testid="chart"
            data-candles=drawn
            data-last-close=last_close
            data-interactive=move || interactive.get().to_string()
            role="img"
            aria-label=move || {
                let close = group_thousands(last_close());
                fill(lang().texts().chart_aria, &[("close", &close)])
            }
            on:pointerenter=reach
            on:pointerdown=reach
        >
            <div class="chart__canvas" node_ref=canvas></div>
            <div class="chart__preview" class:chart__preview--hidden=move || interactive.get()
                inner_html=preview></div>
        </div>
        <Show when=move || failed.get()>
            <p class="notice notice--error" role="alert">{t(|x| x.chart_load_failed)}</p>
        </Show>
        <Show when=move || candles.with(|c| c.as_ref().is_some_and(|(_, c)| c.is_empty()))>
            <p class="card--empty">{t(|x| x.chart_empty)}</p>
        </Show>
    }
    .into_any()
}

/// Follows the current candle of one width; re-created when the width changes.
#[component]
fn LiveCandle(
    code: String,
    interval: CandleInterval,
    live: RwSignal<Option<Candle>>,
) -> impl IntoView {
    let latest = use_topic::<TopicEvent>(Topic::Candles {
        symbol: code,
        interval,
    });
    Effect::new(move |_| {
        if let Some(TopicEvent::Candle(candle)) = latest.get() {
            live.set(Some(candle));
        }
    });
}

#[component]
fn Tape(code: String) -> impl IntoView {
    let latest = use_topic::<TopicEvent>(Topic::Trades { symbol: code });
    let prints = RwSignal::new(Vec::<TradePrint>::new());
    Effect::new(move |_| {
        let Some(TopicEvent::Trades(batch)) = latest.get() else {
            return;
        };
        prints.update(|prints| {
            // Newest first; a print already shown (snapshot overlap) is skipped.
            let newest = prints.first().map_or(0, |p| p.seq);
            for print in batch.trades.into_iter().filter(|p| p.seq > newest) {
                prints.insert(0, print);
            }
            prints.truncate(TAPE);
        });
    });
    // The tape scrolls in its box: focusable and named, so the keyboard
    // can scroll it too.
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=t(|x| x.tape_caption)>
            <table class="tape" data-testid="tape">
                <caption class="visually-hidden">{t(|x| x.tape_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t(|x| x.tape_col_time)}</th>
                        <th scope="col" class="num">{t(|x| x.tape_col_price)}</th>
                        <th scope="col" class="num">{t(|x| x.tape_col_qty)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || prints.get().into_iter().map(|print| {
                        let class = if print.taker_buys { "num up" } else { "num down" };
                        view! {
                            <tr data-testid="tape-row">
                                <td class="num">{format_kst_time(print.ts_ms)}</td>
                                <td class=class>{group_thousands(print.price)}</td>
                                <td class=class>{group_thousands(print.qty)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Show when=move || prints.with(Vec::is_empty)>
            <p class="card--empty">{t(|x| x.tape_empty)}</p>
        </Show>
    }
    .into_any()
}

#[component]
fn StockNews(code: String, sector: String, news: Vec<NewsView>) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let items = RwSignal::new(news);
    let latest = use_topic::<TopicEvent>(Topic::News);
    Effect::new(move |_| {
        let Some(TopicEvent::News(item)) = latest.get() else {
            return;
        };
        let ours = item.symbol.as_deref() == Some(code.as_str())
            || (item.symbol.is_none() && item.sector.as_deref() == Some(sector.as_str()));
        if ours {
            items.update(|items| {
                if items.iter().all(|i| i.id != item.id) {
                    items.insert(0, item);
                    items.truncate(crate::stock::STOCK_NEWS as usize);
                }
            });
        }
    });
    view! {
        <ul class="news" data-testid="news">
            {move || items.get().into_iter().map(|item| {
                let headline = lang().pick(&item.headline_ko, &item.headline_en).to_owned();
                let class = if item.good { "news__mark up" } else { "news__mark down" };
                view! {
                    <li class="news__item">
                        <span class=class aria-hidden="true">{if item.good { "▲" } else { "▼" }}</span>
                        <span class="news__headline">{headline}</span>
                        <time class="news__time num">{crate::format::format_kst_datetime(item.at_ms)}</time>
                    </li>
                }
            }).collect_view()}
        </ul>
        <Show when=move || items.with(Vec::is_empty)>
            <p class="card--empty">{t(|x| x.news_empty)}</p>
        </Show>
    }
    .into_any()
}
