//! The site header: brand, main navigation, the language and theme
//! switches and who is signed in (a guest gets 로그인 and 회원가입, a member
//! their nickname, which opens a menu with their pages and 로그아웃), and on
//! phones the bottom tab bar that stands in for the navigation (CSS shows
//! one or the other, at 640 px). An island, so its labels follow the
//! language switch; the link to the page being shown (`path`, as the server
//! rendered it) is marked with `aria-current`. Links are plain: each page
//! is a page load.

use crate::components::LiveBadge;
use crate::i18n::Key;
use crate::prefs::{Theme, t, use_prefs};
use crate::viewer::{Viewer, reload_to, use_viewer};
use leptos::prelude::*;

/// Whether the navigation link `href` leads to the page at `path` or to one
/// under it (a stock's page is under 시장); home is only itself.
fn is_current(path: &str, href: &str) -> bool {
    if href == "/" {
        return path == "/";
    }
    path.strip_prefix(href)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The destinations of the main navigation, in its order.
const LINKS: [(&str, Key); 7] = [
    ("/market", |x| x.nav_market),
    ("/portfolio", |x| x.nav_portfolio),
    ("/orders", |x| x.nav_orders),
    ("/rounds", |x| x.nav_rounds),
    ("/community", |x| x.nav_community),
    ("/ranking", |x| x.nav_ranking),
    ("/me", |x| x.nav_me),
];

/// The phone's tab bar: these tabs, then 더보기 with the rest of [`LINKS`].
const TABS: [(&str, Key); 5] = [
    ("/", |x| x.nav_home),
    ("/market", |x| x.nav_market),
    ("/portfolio", |x| x.nav_portfolio),
    ("/orders", |x| x.nav_orders),
    ("/me", |x| x.nav_me),
];

/// A `<details>` menu (더보기, the member's menu) closes as a menu does: on
/// a tap anywhere outside it, and on Escape (which hands the keyboard back
/// to its button). Without the wasm it is still a plain `<details>` that
/// its own button opens and closes.
fn close_on_outside_tap_or_escape(menu: NodeRef<leptos::html::Details>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let tap = window_event_listener(leptos::ev::pointerdown, move |ev| {
            let Some(menu) = menu.get_untracked() else {
                return;
            };
            let inside = (ev.target())
                .and_then(|target| target.dyn_into::<web_sys::Node>().ok())
                .is_some_and(|target| menu.contains(Some(&target)));
            if menu.open() && !inside {
                menu.set_open(false);
            }
        });
        let escape = window_event_listener(leptos::ev::keydown, move |ev| {
            let Some(menu) = menu.get_untracked() else {
                return;
            };
            if ev.key() == "Escape" && menu.open() {
                menu.set_open(false);
                if let Ok(Some(summary)) = menu.query_selector("summary")
                    && let Ok(summary) = summary.dyn_into::<web_sys::HtmlElement>()
                {
                    let _ = summary.focus();
                }
            }
        });
        on_cleanup(move || {
            tap.remove();
            escape.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = menu;
}

/// The member's pages, in the member menu's order.
const MEMBER_LINKS: [(&str, Key); 3] = [
    ("/me", |x| x.nav_me),
    ("/portfolio", |x| x.nav_portfolio),
    ("/orders", |x| x.nav_orders),
];

/// Signs out and loads the home page; `false` if the server refused. Lazy:
/// the server function's code loads on the click, not with the header of
/// every page.
#[lazy]
async fn sign_out_then_home() -> bool {
    let signed_out = crate::auth::sign_out().await.is_ok();
    if signed_out {
        reload_to("/");
    }
    signed_out
}

/// The first letter of a nickname, for the phone's round menu button.
fn initial(nickname: &str) -> String {
    nickname
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default()
}

/// Who is signed in: 로그인 and 회원가입 for a guest; for a member their
/// nickname, opening a menu with who they are, their pages and 로그아웃.
#[component]
fn WhoIsSignedIn() -> impl IntoView {
    let viewer = use_viewer();
    let menu = NodeRef::<leptos::html::Details>::new();
    close_on_outside_tap_or_escape(menu);
    let failed = RwSignal::new(false);
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            if !sign_out_then_home().await {
                failed.try_set(true);
            }
        });
    };
    move || {
        match viewer.get() {
        None => view! {
            <a class="chip" href="/sign-in" data-testid="header-sign-in">{t(|x| x.account_sign_in)}</a>
            <a class="button button--small site-header__sign-up" href="/sign-up" data-testid="header-sign-up">
                {t(|x| x.account_sign_up)}
            </a>
        }
        .into_any(),
        Some(Viewer { nickname, email }) => view! {
            <details class="member-menu" node_ref=menu data-testid="member-menu">
                <summary class="chip member-menu__button" data-testid="member-menu-button">
                    // Phones show the nickname's first letter in a circle;
                    // the whole nickname stays the button's name.
                    <span class="member-menu__initial" aria-hidden="true">{initial(&nickname)}</span>
                    <span class="member-menu__name" data-testid="header-nickname">{nickname.clone()}</span>
                    <span class="visually-hidden">{t(|x| x.header_member_menu)}</span>
                </summary>
                <div class="member-menu__panel">
                    <p class="member-menu__who">
                        <strong>{nickname}</strong>
                        {email.map(|email| view! { <span class="member-menu__email">{email}</span> })}
                    </p>
                    <ul class="member-menu__links">
                        {MEMBER_LINKS.into_iter().map(|(href, label)| view! {
                            <li><a class="member-menu__link" href=href>{t(label)}</a></li>
                        }).collect_view()}
                    </ul>
                    <button type="button" class="chip member-menu__sign-out" data-testid="header-sign-out" on:click=sign_out>
                        {t(|x| x.me_sign_out)}
                    </button>
                    <Show when=move || failed.get()>
                        <p class="notice notice--error" role="alert">{t(|x| x.header_sign_out_failed)}</p>
                    </Show>
                </div>
            </details>
        }
        .into_any(),
    }
    }
}

/// The header. `viewer` is who the server found signed in for this page;
/// it seeds the page's shared viewer, which the header shows from then on.
#[island]
pub fn Header(path: String, viewer: Option<Viewer>) -> impl IntoView {
    use_viewer().set(viewer);
    let prefs = use_prefs();
    let path = StoredValue::new(path);
    let current = move |href: &str| path.with_value(|path| is_current(path, href));
    let link = move |(href, label): (&'static str, Key), class: &'static str| {
        let current = current(href).then_some("page");
        view! { <li><a class=class href=href aria-current=current>{t(label)}</a></li> }
    };
    // 더보기 is marked when the page shown is one of the links it holds.
    let more: Vec<(&'static str, Key)> = (LINKS.into_iter())
        .filter(|(href, _)| TABS.iter().all(|(tab, _)| tab != href))
        .collect();
    let more_class = if more.iter().any(|(href, _)| current(href)) {
        "tab-bar__tab tab-bar__tab--current"
    } else {
        "tab-bar__tab"
    };
    let more_menu = NodeRef::<leptos::html::Details>::new();
    close_on_outside_tap_or_escape(more_menu);
    // The switch shows the language it switches to, in that language, and
    // says so in that language (its visible text is its name).
    let next_lang = move || prefs.lang.get().next();
    let theme_label = move || {
        let texts = prefs.texts();
        match prefs.theme.get() {
            Theme::Auto => texts.theme_auto,
            Theme::Light => texts.theme_light,
            Theme::Dark => texts.theme_dark,
        }
    };
    let theme_glyph = move || match prefs.theme.get() {
        Theme::Auto => "◐",
        Theme::Light => "☀",
        Theme::Dark => "☾",
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
                        lang=move || next_lang().code()
                        title=move || next_lang().texts().lang_switch_to
                        on:click=move |_| prefs.set_lang(prefs.lang.get_untracked().next())
                    >
                        {move || next_lang().texts().lang_name}
                    </button>
                    <button
                        type="button"
                        class="chip theme-switch"
                        data-testid="theme-switch"
                        title=t(|x| x.theme_button)
                        on:click=move |_| prefs.set_theme(prefs.theme.get_untracked().next())
                    >
                        // On phones the mode's glyph stands in for its name,
                        // which stays the button's accessible name.
                        <span class="theme-switch__glyph" aria-hidden="true">{theme_glyph}</span>
                        <span class="theme-switch__text">{theme_label}</span>
                    </button>
                    <WhoIsSignedIn/>
                </div>
            </div>
            <nav class="site-nav" aria-label=t(|x| x.nav_label)>
                <ul>{LINKS.into_iter().map(|l| link(l, "site-nav__link")).collect_view()}</ul>
            </nav>
        </header>
        <nav class="tab-bar" data-testid="tab-bar" aria-label=t(|x| x.nav_label)>
            <ul class="tab-bar__tabs">
                {TABS.into_iter().map(|l| link(l, "tab-bar__tab")).collect_view()}
                <li>
                    <details class="tab-bar__more" node_ref=more_menu>
                        <summary class=more_class data-testid="tab-bar-more">
                            {t(|x| x.nav_more)}
                        </summary>
                        <ul class="tab-bar__menu">
                            {more.into_iter().map(|l| link(l, "tab-bar__menu-link")).collect_view()}
                        </ul>
                    </details>
                </li>
            </ul>
        </nav>
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
        assert!(is_current("/", "/"));
        assert!(!is_current("/market", "/"));
    }
}
