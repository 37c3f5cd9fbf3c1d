//! The simple pages: home, the operator's status page, the areas not built
//! yet (rounds, community, ranking), the 404 page and the error page. They are one island with the
//! page as its prop rather than six: wasm-split puts each function in the
//! chunk of the set of islands that reach it, so every island more cuts the
//! framework's shared code into more and smaller chunks, which compress
//! worse and cost every page that loads them. The text-only pages are
//! islands at all only so that their text follows the language switch.
//! Home's body is in `super::home` and the status page's in
//! `super::status`; their routes are here, beside the island.

use super::home::Home;
use super::status::Status;
use crate::api::{AppError, ServerStatus, get_server_status};
use crate::components::{PageTitle, load_then};
use crate::i18n::Key;
use crate::market::{ListingView, load_latest_news, load_market};
use crate::prefs::t;
use crate::realtime::NewsView;
use crate::realtime::go_live;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Which simple page the island shows, with its props.
#[derive(Serialize, Deserialize)]
enum SimplePageKind {
    Home {
        listings: Result<Vec<ListingView>, AppError>,
        news: Vec<NewsView>,
    },
    Status {
        status: Result<ServerStatus, AppError>,
    },
    Rounds,
    Community,
    Ranking,
    NotFound,
    Error,
}

/// The home route, on the server: the listings' tickers and the latest
/// news are loaded here and handed to the island as props. Nothing of the
/// caller's own is read here (their account and watchlist load in the
/// browser), so the page is the same for every visitor.
#[component]
pub fn HomePage() -> impl IntoView {
    let load = async {
        let (market, news) = (load_market().await, load_latest_news().await);
        // The boards need no trend lines nor sector names: fewer props.
        let listings = market.map(|market| {
            (market.listings.into_iter())
                .map(|listing| ListingView {
                    spark: Vec::new(),
                    ..listing
                })
                .collect()
        });
        (listings, news.unwrap_or_default())
    };
    load_then(load, |(listings, news)| {
        view! { <SimplePage kind=SimplePageKind::Home { listings, news }/> }
    })
}

/// The operator's status route (`/status`), on the server: the status is
/// loaded here and handed to the island as a prop.
#[component]
pub fn StatusPage() -> impl IntoView {
    load_then(get_server_status(), |status| {
        view! { <SimplePage kind=SimplePageKind::Status { status }/> }
    })
}

#[component]
pub fn RoundsPage() -> impl IntoView {
    view! { <SimplePage kind=SimplePageKind::Rounds/> }
}

#[component]
pub fn CommunityPage() -> impl IntoView {
    view! { <SimplePage kind=SimplePageKind::Community/> }
}

#[component]
pub fn RankingPage() -> impl IntoView {
    view! { <SimplePage kind=SimplePageKind::Ranking/> }
}

/// The 404 page. It also sets the response status, so crawlers and tests
/// see a real 404 rather than a friendly 200.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    super::respond_with_status(404);
    view! { <SimplePage kind=SimplePageKind::NotFound/> }
}

/// The page shown when rendering a page fails. It never shows the error's
/// detail (that is for the log), only what the user can do next.
#[component]
pub fn ErrorPage() -> impl IntoView {
    super::respond_with_status(500);
    view! { <SimplePage kind=SimplePageKind::Error/> }
}

#[island(lazy)]
fn SimplePage(kind: SimplePageKind) -> impl IntoView {
    go_live();
    let area = |title: Key, blurb: Key| {
        view! {
            <PageTitle text=t(title)/>
            <section class="area">
                <h1>{t(title)}</h1>
                <p>{t(blurb)}</p>
                <div class="card card--empty">
                    <h2>{t(|x| x.soon_title)}</h2>
                    <p>{t(|x| x.soon_body)}</p>
                </div>
            </section>
        }
        .into_any()
    };
    match kind {
        SimplePageKind::Home { listings, news } => view! { <Home listings news/> }.into_any(),
        SimplePageKind::Status { status } => view! { <Status status/> }.into_any(),
        SimplePageKind::Rounds => area(|x| x.nav_rounds, |x| x.rounds_blurb),
        SimplePageKind::Community => area(|x| x.nav_community, |x| x.community_blurb),
        SimplePageKind::Ranking => area(|x| x.nav_ranking, |x| x.ranking_blurb),
        SimplePageKind::NotFound => view! {
            <PageTitle text=t(|x| x.not_found_title)/>
            <section class="problem" data-testid="not-found">
                <p class="problem__code" aria-hidden="true">"404"</p>
                <h1>{t(|x| x.not_found_title)}</h1>
                <p>{t(|x| x.not_found_body)}</p>
                <a href="/" class="button">{t(|x| x.back_home)}</a>
            </section>
        }
        .into_any(),
        SimplePageKind::Error => view! {
            <PageTitle text=t(|x| x.error_title)/>
            <section class="problem" role="alert" data-testid="error-page">
                <h1>{t(|x| x.error_title)}</h1>
                <p>{t(|x| x.error_body)}</p>
                <a class="button" href="/">{t(|x| x.back_home)}</a>
            </section>
        }
        .into_any(),
    }
}
