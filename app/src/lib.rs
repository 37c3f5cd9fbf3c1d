//! Gaemi's user interface and API contract, compiled twice: with `ssr` into the
//! server (rendering, server functions, ports) and with `hydrate` into the WASM
//! app that takes over the server-rendered page. Nothing here knows the
//! server's types; the server reaches in only through [`ports`].

pub mod api;
pub mod auth;
pub mod book;
pub mod chart;
pub mod codec;
mod components;
pub mod format;
pub mod i18n;
pub mod market;
mod pages;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod prefs;
pub mod realtime;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod security;
pub mod stock;
pub mod ticket;
pub mod trading;

use leptos::prelude::*;
use leptos_meta::{Html, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy,
    components::{Route, Router, Routes},
    path,
};

use components::Header;
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
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let prefs = Prefs::provide();
    Realtime::provide();
    #[cfg(feature = "ssr")]
    security::send_content_security_policy();

    view! {
        <Html {..} lang=move || prefs.lang.get().code() data-theme=move || prefs.theme.get().code()/>
        <Title formatter=move |page: String| {
            let site = prefs.texts().site_name;
            if page.is_empty() { site.to_owned() } else { format!("{page} · {site}") }
        }/>
        <Router>
            <Header/>
            <main id="main" class="page">
                <ErrorBoundary fallback=|_| view! { <ErrorPage/> }>
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=HomePage/>
                        <Route path=path!("/market") view=MarketPage/>
                        <Route path=path!("/market/:code") view={Lazy::<StockRoute>::new()}/>
                        <Route path=path!("/portfolio") view={Lazy::<PortfolioRoute>::new()}/>
                        <Route path=path!("/orders") view={Lazy::<OrdersRoute>::new()}/>
                        <Route path=path!("/rounds") view=RoundsPage/>
                        <Route path=path!("/community") view=CommunityPage/>
                        <Route path=path!("/ranking") view=RankingPage/>
                        <Route path=path!("/me") view={Lazy::<MeRoute>::new()}/>
                        <Route path=path!("/sign-in") view={Lazy::<SignInRoute>::new()}/>
                        <Route path=path!("/sign-up") view={Lazy::<SignUpRoute>::new()}/>
                        <Route path=path!("/sign-up/social") view={Lazy::<SocialSignUpRoute>::new()}/>
                        <Route path=path!("/verify") view={Lazy::<VerifyRoute>::new()}/>
                        <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordRoute>::new()}/>
                        <Route path=path!("/reset-password") view={Lazy::<ResetPasswordRoute>::new()}/>
                    </Routes>
                </ErrorBoundary>
            </main>
        </Router>
    }
}
