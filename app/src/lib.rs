//! Gaemi's user interface and API contract, compiled twice: with `ssr` into the
//! server (rendering, server functions, ports) and with `hydrate` into the WASM
//! that brings the server-rendered page's islands to life. Nothing here knows
//! the server's types; the server reaches in only through the ports (one per
//! feature, each defined beside its server functions: `api::SystemPort`,
//! `trading::TradingPort`, `market::MarketPort`, `stock::StockPort`, `auth::AccountPort`).
//!
//! Leptos runs in islands mode: the router, the routes and the page frames
//! render on the server only, and each page's interactive part (the header,
//! and every page body) is an `#[island]` hydrated on its own, so a page ships
//! the wasm of its islands and not of the whole app. Pages share a lazy
//! island where their code is alike (the account pages; home and the simple
//! pages), told which page they are, since every split point more cuts the
//! wasm all pages share into smaller chunks (docs/PERFORMANCE.md); the
//! parts shown only after a click are `#[lazy]`. The contexts islands share
//! in the browser ([`Prefs`], [`Realtime`], the viewer) are provided once for the page by
//! [`provide_browser_context`]; on the server [`App`] provides them.

pub mod account_book;
pub mod api;
pub mod auth;
pub mod book;
pub mod chart;
pub mod codec;
mod components;
pub mod equity;
pub mod format;
pub mod i18n;
pub mod market;
pub mod movers;
mod pages;
pub mod prefs;
pub mod realtime;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod security;
pub mod stock;
pub mod ticket;
pub mod trading;
pub mod viewer;

use leptos::prelude::*;
use leptos_meta::{Html, MetaTags, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    hooks::use_location,
    path,
};

use components::{Footer, Header};
use pages::*;
use prefs::Prefs;
use realtime::Realtime;

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <meta name="theme-color" content="#e03131"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <leptos_meta::HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The whole page, rendered on the server only: the router picks the page,
/// whose islands the browser then hydrates. Pages whose island needs data
/// loaded first render in order, so the HTML holds the page itself (also
/// without JavaScript) rather than a placeholder replaced by a script.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let prefs = Prefs::provide();
    Realtime::provide();
    viewer::provide_viewer();
    #[cfg(feature = "ssr")]
    security::send_content_security_policy();

    view! {
        <Html {..} lang=prefs.lang.get_untracked().code() data-theme=prefs.theme.get_untracked().code()/>
        <Router>
            <Header path=use_location().pathname.get_untracked() viewer=viewer::of_request()/>
            <main id="main" class="page">
                <ErrorBoundary fallback=|_| view! { <ErrorPage/> }>
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=HomePage ssr=SsrMode::InOrder/>
                        <Route path=path!("/market") view=MarketPage ssr=SsrMode::InOrder/>
                        <Route path=path!("/market/:code") view=StockRoute ssr=SsrMode::InOrder/>
                        <Route path=path!("/portfolio") view=PortfolioRoute ssr=SsrMode::InOrder/>
                        <Route path=path!("/orders") view=OrdersRoute ssr=SsrMode::InOrder/>
                        <Route path=path!("/rounds") view=RoundsPage/>
                        <Route path=path!("/community") view=CommunityPage/>
                        <Route path=path!("/ranking") view=RankingPage/>
                        <Route path=path!("/me") view=MeRoute ssr=SsrMode::InOrder/>
                        <Route path=path!("/sign-in") view=SignInRoute ssr=SsrMode::InOrder/>
                        <Route path=path!("/sign-up") view=SignUpRoute/>
                        <Route path=path!("/sign-up/social") view=SocialSignUpRoute/>
                        <Route path=path!("/verify") view=VerifyRoute/>
                        <Route path=path!("/forgot-password") view=ForgotPasswordRoute/>
                        <Route path=path!("/reset-password") view=ResetPasswordRoute/>
                        <Route path=path!("/status") view=StatusPage ssr=SsrMode::InOrder/>
                    </Routes>
                </ErrorBoundary>
            </main>
            <Footer/>
        </Router>
    }
}

/// What [`App`] provides on the server, provided in the browser for every
/// island of the page: islands are hydrated one by one, each a child of the
/// page's root, so they find these contexts there and share one websocket
/// and one set of preferences.
#[cfg(feature = "hydrate")]
pub fn provide_browser_context() {
    provide_meta_context();
    viewer::provide_viewer();
    Prefs::provide().reflect_on_document();
    Realtime::provide().connect_when_live();
}
