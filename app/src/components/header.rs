//! The site header: brand, main navigation, and the language and theme
//! switches. Navigation links mark the current page with `aria-current`.

use crate::components::LiveBadge;
use crate::prefs::{Theme, use_prefs};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    let prefs = use_prefs();
    let t = move || prefs.texts();
    let links = move || {
        let t = t();
        [
            ("/market", t.nav_market),
            ("/portfolio", t.nav_portfolio),
            ("/orders", t.nav_orders),
            ("/rounds", t.nav_rounds),
            ("/community", t.nav_community),
            ("/ranking", t.nav_ranking),
            ("/me", t.nav_me),
        ]
    };
    let theme_label = move || match prefs.theme.get() {
        Theme::Auto => t().theme_auto,
        Theme::Light => t().theme_light,
        Theme::Dark => t().theme_dark,
    };

    view! {
        <header class="site-header">
            <a class="skip-link" href="#main">{move || t().skip_to_content}</a>
            <div class="site-header__bar">
                <A href="/" attr:class="brand">
                    <span class="brand__mark" aria-hidden="true">"🐜"</span>
                    <span class="brand__name">{move || t().site_name}</span>
                </A>
                <div class="site-header__tools">
                    <LiveBadge/>
                    <button
                        type="button"
                        class="chip"
                        data-testid="lang-switch"
                        aria-label=move || t().switch_lang_aria
                        on:click=move |_| prefs.set_lang(prefs.lang.get_untracked().other())
                    >
                        {move || t().switch_lang}
                    </button>
                    <button
                        type="button"
                        class="chip"
                        data-testid="theme-switch"
                        title=move || t().theme_button
                        on:click=move |_| prefs.set_theme(prefs.theme.get_untracked().next())
                    >
                        {theme_label}
                    </button>
                </div>
            </div>
            <nav class="site-nav" aria-label=move || t().nav_label>
                <ul>
                    {move || {
                        links()
                            .into_iter()
                            .map(|(href, label)| view! { <li><A href=href>{label}</A></li> })
                            .collect_view()
                    }}
                </ul>
            </nav>
        </header>
    }
}
