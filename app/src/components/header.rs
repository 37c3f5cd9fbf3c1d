//! The site header: brand, main navigation, and the language and theme
//! switches. An island, so its labels follow the language switch; the link to
//! the page being shown (`path`, as the server rendered it) is marked with
//! `aria-current`. Links are plain: each page is a page load.

use crate::components::LiveBadge;
use crate::prefs::{Theme, t, use_prefs};
use leptos::prelude::*;

/// Whether the navigation link `href` leads to the page at `path` or to one
/// under it (a stock's page is under 시장).
fn is_current(path: &str, href: &str) -> bool {
    path.strip_prefix(href)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[island]
pub fn Header(path: String) -> impl IntoView {
    let prefs = use_prefs();
    let links = move || {
        let texts = prefs.texts();
        [
            ("/market", texts.nav_market),
            ("/portfolio", texts.nav_portfolio),
            ("/orders", texts.nav_orders),
            ("/rounds", texts.nav_rounds),
            ("/community", texts.nav_community),
            ("/ranking", texts.nav_ranking),
            ("/me", texts.nav_me),
        ]
    };
    // The switch speaks the language it switches to, in that language.
    let next_lang = move || prefs.lang.get().next().texts();
    let theme_label = move || {
        let texts = prefs.texts();
        match prefs.theme.get() {
            Theme::Auto => texts.theme_auto,
            Theme::Light => texts.theme_light,
            Theme::Dark => texts.theme_dark,
        }
    };

    view! {
        <header class="site-header">
            <a class="skip-link" href="#main">{t(|x| x.skip_to_content)}</a>
            <div class="site-header__bar">
                <a href="/" class="brand">
                    <span class="brand__mark" aria-hidden="true">"🐜"</span>
                    <span class="brand__name">{t(|x| x.site_name)}</span>
                </a>
                <div class="site-header__tools">
                    <LiveBadge/>
                    <button
                        type="button"
                        class="chip"
                        data-testid="lang-switch"
                        aria-label=move || next_lang().lang_switch_to
                        on:click=move |_| prefs.set_lang(prefs.lang.get_untracked().next())
                    >
                        {move || next_lang().lang_name}
                    </button>
                    <button
                        type="button"
                        class="chip"
                        data-testid="theme-switch"
                        title=t(|x| x.theme_button)
                        on:click=move |_| prefs.set_theme(prefs.theme.get_untracked().next())
                    >
                        {theme_label}
                    </button>
                </div>
            </div>
            <nav class="site-nav" aria-label=t(|x| x.nav_label)>
                <ul>
                    {move || {
                        links()
                            .into_iter()
                            .map(|(href, label)| {
                                let current = is_current(&path, href).then_some("page");
                                view! { <li><a href=href aria-current=current>{label}</a></li> }
                            })
                            .collect_view()
                    }}
                </ul>
            </nav>
        </header>
    }
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn a_link_is_current_on_its_page_and_the_pages_under_it() {
        assert!(is_current("/market", "/market"));
        assert!(is_current("/market/100010", "/market"));
        assert!(!is_current("/marketing", "/market"));
        assert!(!is_current("/", "/market"));
        assert!(!is_current("/orders", "/market"));
    }
}
