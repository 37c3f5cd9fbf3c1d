//! 홈: my assets at a glance (or, for a newcomer, how to start), the day's
//! boards (top gainers, losers, turnover and volume), my watchlist and the
//! latest news. What is public (the listings' tickers, the news) arrives
//! with the page, the same for every visitor; what is the caller's own
//! (their account, their watchlist) loads in the browser after hydration,
//! so the page's body reads no session on the server (the header does, for
//! the nickname). Every stock row is a link to its page, its numbers live
//! on its ticker topic. The route and island are the simple pages'
//! (`super::simple`), which show it: an island of its own was measured to
//! cost every other page 10 to 19 KB (docs/PERFORMANCE.md, session 27).

use crate::api::AppError;
use crate::components::{PageTitle, Skeleton, price_flash};
use crate::format::{
    Direction, format_change_bp, format_kst_datetime, format_won, format_won_compact,
    group_thousands,
};
use crate::i18n::{Key, fill};
use crate::market::{LATEST_NEWS, ListingView, load_watchlist};
use crate::movers::{BOARD_ROWS, Board, rank};
use crate::prefs::{t, use_prefs};
use crate::realtime::{NewsView, Topic, use_ticker, use_topic};
use crate::trading::{PortfolioView, basis_points, get_portfolio};
use leptos::prelude::*;
use serde::Deserialize;

/// The listings as the page was rendered with them.
type Listings = StoredValue<Vec<ListingView>>;

/// The home page's body, inside the simple pages' island.
#[component]
pub(super) fn Home(
    listings: Result<Vec<ListingView>, AppError>,
    news: Vec<NewsView>,
) -> impl IntoView {
    let prefs = use_prefs();
    let (listings, failed) = match listings {
        Ok(listings) => (listings, None),
        Err(err) => (Vec::new(), Some(err)),
    };
    let listings: Listings = StoredValue::new(listings);
    view! {
        <PageTitle text=t(|x| x.home_title)/>
        <div class="home__top">
            <section class="hero home__hero">
                <h1>{t(|x| x.home_title)}</h1>
                <p class="hero__tagline">{t(|x| x.tagline)}</p>
                <p>{t(|x| x.home_intro)}</p>
            </section>
            <MyAssets listings/>
        </div>
        {failed.map(|err| view! {
            <p class="notice notice--error" role="alert">
                {t(|x| x.market_load_failed)} " " {move || err.message(prefs.lang.get()).to_owned()}
            </p>
        })}
        <div class="home__boards">
            {Board::ALL.into_iter().map(|board| view! { <BoardList board listings/> }).collect_view()}
        </div>
        <p class="home__more"><a href="/market">{t(|x| x.home_see_market)} " →"</a></p>
        <div class="home__bottom">
            <Watchlist listings/>
            <LatestNews news listings/>
        </div>
    }
}

/// What the small line under a row's name shows.
#[derive(Clone, Copy)]
enum Meta {
    Code,
    Turnover,
    Volume,
}

/// One stock: a link to its page with its name, price and change, live.
#[component]
fn QuoteRow(listing: ListingView, rank: Option<usize>, meta: Meta) -> impl IntoView {
    let prefs = use_prefs();
    let code = listing.code.clone();
    let ticker = use_ticker(code.clone(), listing.ticker.clone());
    let shown_code = code.clone();
    let direction = move || Direction::of_change(ticker.with(|t| t.change));
    let flash = price_flash(ticker);
    let meta = move || {
        let lang = prefs.lang.get();
        let texts = lang.texts();
        match meta {
            Meta::Code => shown_code.clone(),
            Meta::Turnover => format!(
                "{} {}",
                texts.market_col_turnover,
                format_won_compact(ticker.with(|t| t.turnover), lang)
            ),
            Meta::Volume => format!(
                "{} {}",
                texts.market_col_volume,
                group_thousands(ticker.with(|t| t.volume))
            ),
        }
    };
    let name = move || listing.name(prefs.lang.get()).to_owned();
    view! {
        <li>
            <a class="quote" href=format!("/market/{code}") data-testid="home-stock" data-code=code>
                {rank.map(|rank| view! { <span class="quote__rank num" aria-hidden="true">{rank}</span> })}
                <span class="quote__name">
                    <span class="quote__title">{name}</span>
                    <span class="quote__meta"><span class="num">{meta}</span></span>
                </span>
                <span class=move || format!("quote__price num {} {}", direction().class(), flash.get())>
                    {move || group_thousands(ticker.with(|t| t.last))}
                </span>
                <span class=move || format!("quote__chg num {}", direction().class())>
                    {move || format_change_bp(ticker.with(|t| t.change_bp))}
                </span>
            </a>
        </li>
    }
}

/// One board, ranked once from the tickers the page came with.
#[component]
fn BoardList(board: Board, listings: Listings) -> impl IntoView {
    let (title, meta): (Key, Meta) = match board {
        Board::Gainers => (|x| x.home_board_gainers, Meta::Code),
        Board::Losers => (|x| x.home_board_losers, Meta::Code),
        Board::Turnover => (|x| x.home_board_turnover, Meta::Turnover),
        Board::Volume => (|x| x.home_board_volume, Meta::Volume),
    };
    let rows: Vec<ListingView> = listings.with_value(|listings| {
        let ranked = rank(listings.iter().map(|l| &l.ticker), board, BOARD_ROWS);
        ranked.into_iter().map(|i| listings[i].clone()).collect()
    });
    let id = format!("board-{}", board.key());
    view! {
        <section class="card board" aria-labelledby=id.clone() data-testid=format!("home-{id}")>
            <h2 id=id.clone()>{t(title)}</h2>
            {if rows.is_empty() {
                view! { <p class="board__empty">{t(|x| x.home_board_empty)}</p> }.into_any()
            } else {
                view! {
                    <ol class="quotes">
                        {rows.into_iter().enumerate().map(|(i, listing)| {
                            view! { <QuoteRow listing rank=Some(i + 1) meta/> }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// What `load` answers, loaded once the page has hydrated (effects run
/// only in the browser): the caller's own data never reaches the server's
/// rendering of this page.
fn load_in_browser<T, F>(load: impl Fn() -> F + 'static) -> RwSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = T> + 'static,
{
    let loaded = RwSignal::new(None);
    Effect::new(move |_| {
        let answer = load();
        leptos::task::spawn_local(async move {
            loaded.try_set(Some(answer.await));
        });
    });
    loaded
}

/// The caller's main account at a glance, or the way in for a newcomer:
/// a guest's account opens with their first order.
#[component]
fn MyAssets(listings: Listings) -> impl IntoView {
    let prefs = use_prefs();
    let portfolio = load_in_browser(|| get_portfolio(None));
    view! {
        <section class="card assets" aria-labelledby="assets-heading" data-testid="home-assets">
            {move || match portfolio.get() {
                None => view! {
                    <h2 id="assets-heading">{t(|x| x.home_assets_heading)}</h2>
                    <Skeleton lines=3/>
                }.into_any(),
                Some(Ok(portfolio)) if portfolio.account_id.is_some() => {
                    view! { <Assets portfolio listings/> }.into_any()
                }
                Some(Ok(portfolio)) => view! { <Start cash=portfolio.cash_available/> }.into_any(),
                Some(Err(err)) => view! {
                    <h2 id="assets-heading">{t(|x| x.home_assets_heading)}</h2>
                    <p class="notice notice--error" role="alert">{err.message(prefs.lang.get()).to_owned()}</p>
                }.into_any(),
            }}
        </section>
    }
}

/// Total equity, profit and return, and cash: as loaded, with each holding
/// valued at its live price.
#[component]
fn Assets(portfolio: PortfolioView, listings: Listings) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let mut fixed = portfolio.cash_available + portfolio.cash_held;
    let mut live = Vec::new();
    for holding in &portfolio.holdings {
        let qty = holding.qty_available + holding.qty_held;
        let first = listings.with_value(|listings| {
            (listings.iter().find(|l| l.code == holding.symbol)).map(|l| l.ticker.clone())
        });
        match first {
            Some(first) => live.push((qty, use_ticker(holding.symbol.clone(), first))),
            None => fixed += holding.value,
        }
    }
    let deposited = portfolio.deposited;
    let total = Memo::new(move |_| {
        fixed
            + live
                .iter()
                .map(|(qty, t)| qty.saturating_mul(t.with(|t| t.last)))
                .sum::<i64>()
    });
    let pnl = move || total.get() - deposited;
    let direction = move || Direction::of_change(pnl()).class();
    let cash = portfolio.cash_available;
    view! {
        <h2 id="assets-heading">{t(|x| x.home_assets_heading)}</h2>
        <dl class="assets__facts">
            <div class="assets__total">
                <dt>{t(|x| x.home_assets_total)}</dt>
                <dd class="num" data-testid="home-equity">{move || format_won(total.get(), lang())}</dd>
            </div>
            <div>
                <dt>{t(|x| x.home_assets_pnl)}</dt>
                // Two numbers that may go on two lines, each whole.
                <dd class=direction data-testid="home-pnl">
                    <span class="num">{move || format_won(pnl(), lang())}</span>
                    " "
                    <span class="num">"(" {move || format_change_bp(basis_points(pnl(), deposited))} ")"</span>
                </dd>
            </div>
            <div>
                <dt>{t(|x| x.home_assets_cash)}</dt>
                <dd class="num">{move || format_won(cash, lang())}</dd>
            </div>
        </dl>
        <a class="assets__more" href="/portfolio">{t(|x| x.home_assets_more)} " →"</a>
    }
}

/// The newcomer's way in: what Gaemi gives them and a button to the market.
#[component]
fn Start(cash: i64) -> impl IntoView {
    let prefs = use_prefs();
    let amount = move || format_won_compact(cash, prefs.lang.get());
    view! {
        <h2 id="assets-heading">{t(|x| x.home_start_heading)}</h2>
        <p class="assets__note">{t(|x| x.home_start_note)}</p>
        <a class="button" href="/market" data-testid="home-start">
            {move || fill(prefs.texts().home_start_cta, &[("amount", &amount())])}
        </a>
    }
}

/// The caller's watchlist, loaded after hydration.
#[component]
fn Watchlist(listings: Listings) -> impl IntoView {
    let prefs = use_prefs();
    let codes = load_in_browser(load_watchlist);
    let rows = move || {
        codes.get().map(|codes| {
            codes.map(|codes| {
                listings.with_value(|listings| {
                    (codes.iter())
                        .filter_map(|code| listings.iter().find(|l| &l.code == code).cloned())
                        .collect::<Vec<_>>()
                })
            })
        })
    };
    view! {
        <section class="card home__watchlist" aria-labelledby="watchlist-heading" data-testid="home-watchlist">
            <h2 id="watchlist-heading">{t(|x| x.home_watchlist_heading)}</h2>
            {move || match rows() {
                None => view! { <Skeleton lines=3/> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="board__empty">
                        {t(|x| x.home_watchlist_empty)} " "
                        <a class="inline-link" href="/market">{t(|x| x.home_see_market)}</a>
                    </p>
                }.into_any(),
                Some(Ok(rows)) => view! {
                    <ul class="quotes">
                        {rows.into_iter().map(|listing| view! { <QuoteRow listing rank=None meta=Meta::Code/> }).collect_view()}
                    </ul>
                }.into_any(),
                Some(Err(err)) => view! {
                    <p class="notice notice--error" role="alert">{err.message(prefs.lang.get()).to_owned()}</p>
                }.into_any(),
            }}
        </section>
    }
}

/// The one kind of event the news topic carries, decoded here so that the
/// home page's code holds no decoder of the other topics' events.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
enum NewsEvent {
    News(NewsView),
}

/// The newest news about any company or sector, as loaded with the page,
/// then as it breaks.
#[component]
fn LatestNews(news: Vec<NewsView>, listings: Listings) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let items = RwSignal::new(news);
    let latest = use_topic::<NewsEvent>(Topic::News);
    Effect::new(move |_| {
        if let Some(NewsEvent::News(item)) = latest.get() {
            items.update(|items| {
                if items.iter().all(|i| i.id != item.id) {
                    items.insert(0, item);
                    items.truncate(LATEST_NEWS as usize);
                }
            });
        }
    });
    let company = move |code: &str| {
        listings.with_value(|listings| {
            (listings.iter().find(|l| l.code == code)).map(|l| l.name(lang()).to_owned())
        })
    };
    view! {
        <section class="card home__news" aria-labelledby="news-heading">
            <h2 id="news-heading">{t(|x| x.home_news_heading)}</h2>
            <ul class="news" data-testid="home-news">
                {move || items.get().into_iter().map(|item| {
                    let headline = lang().pick(&item.headline_ko, &item.headline_en).to_owned();
                    let (mark, class) = if item.good { ("▲", "news__mark up") } else { ("▼", "news__mark down") };
                    let about = (item.symbol.clone()).and_then(|code| Some((company(&code)?, code)));
                    view! {
                        <li class="news__item">
                            <span class=class aria-hidden="true">{mark}</span>
                            <span class="news__headline">{headline}</span>
                            <span class="news__time">
                                {about.map(|(name, code)| view! {
                                    <a class="news__stock" href=format!("/market/{code}")>{name}</a>
                                    " · "
                                })}
                                <time class="num">{format_kst_datetime(item.at_ms)}</time>
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || items.with(Vec::is_empty)>
                <p class="board__empty">{t(|x| x.news_empty)}</p>
            </Show>
        </section>
    }
}
