//! The visitor's display preferences, language and colour theme, as signals
//! provided at the page's root (by `App` on the server, by
//! `provide_browser_context` in the browser). Both persist in cookies so the
//! server renders the right language and theme in the first response; the
//! browser starts from the attributes the server put on `<html>`, so
//! hydration always agrees with it. [`t`] shows a catalogue text in the
//! chosen language.

use crate::i18n::{Key, LANG_COOKIE, Lang, Texts};
use leptos::prelude::*;

pub const THEME_COOKIE: &str = "gaemi_theme";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Follow the operating system (`prefers-color-scheme`).
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub const fn code(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn from_code(code: &str) -> Option<Theme> {
        match code {
            "auto" => Some(Theme::Auto),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The theme button cycles auto → light → dark → auto.
    pub const fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Auto,
        }
    }
}

#[derive(Clone, Copy)]
pub struct Prefs {
    pub lang: RwSignal<Lang>,
    pub theme: RwSignal<Theme>,
}

impl Prefs {
    pub fn provide() -> Prefs {
        let (lang, theme) = initial();
        let prefs = Prefs {
            lang: RwSignal::new(lang),
            theme: RwSignal::new(theme),
        };
        provide_context(prefs);
        prefs
    }

    /// The current language's strings; reactive.
    pub fn texts(self) -> &'static Texts {
        self.lang.get().texts()
    }

    pub fn set_lang(self, lang: Lang) {
        self.lang.set(lang);
        remember(LANG_COOKIE, lang.code());
    }

    pub fn set_theme(self, theme: Theme) {
        self.theme.set(theme);
        remember(THEME_COOKIE, theme.code());
    }

    /// Keeps `<html lang>` and `data-theme` in step with the signals: the
    /// server wrote them, and no island owns the document element.
    #[cfg(feature = "hydrate")]
    pub fn reflect_on_document(self) {
        Effect::new(move |_| {
            let (lang, theme) = (self.lang.get(), self.theme.get());
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("lang", lang.code());
                let _ = root.set_attribute("data-theme", theme.code());
            }
        });
    }
}

pub fn use_prefs() -> Prefs {
    expect_context::<Prefs>()
}

/// A catalogue text that follows the language switch: `t(|x| x.nav_market)`.
/// Every call returns the same closure type, so the hundreds of labels on
/// the trading pages share one compiled text node instead of one each
/// (each distinct closure is its own copy of the rendering code in the WASM).
/// It lives here, beside the signal it reads, so that `i18n` stays plain
/// data that needs nothing from this module.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let prefs = use_prefs();
    move || key(prefs.texts())
}

/// Reads one cookie's value out of a `Cookie` header (or `document.cookie`).
pub fn cookie_value<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key.trim() == name).then(|| value.trim())
    })
}

#[cfg(feature = "ssr")]
fn initial() -> (Lang, Theme) {
    let parts = use_context::<http::request::Parts>();
    let header = |name: http::header::HeaderName| {
        parts
            .as_ref()
            .and_then(|p| p.headers.get(&name))
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let cookies = header(http::header::COOKIE);
    let lang = cookie_value(&cookies, LANG_COOKIE)
        .and_then(Lang::from_code)
        .unwrap_or_else(|| Lang::from_accept_language(&header(http::header::ACCEPT_LANGUAGE)));
    let theme = cookie_value(&cookies, THEME_COOKIE)
        .and_then(Theme::from_code)
        .unwrap_or_default();
    (lang, theme)
}

#[cfg(not(feature = "ssr"))]
fn initial() -> (Lang, Theme) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = document().document_element() {
        let lang = root
            .get_attribute("lang")
            .and_then(|c| Lang::from_code(&c))
            .unwrap_or_default();
        let theme = root
            .get_attribute("data-theme")
            .and_then(|c| Theme::from_code(&c))
            .unwrap_or_default();
        return (lang, theme);
    }
    (Lang::default(), Theme::default())
}

#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn remember(name: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let cookie = format!("{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax");
        let _ = document()
            .unchecked_into::<web_sys::HtmlDocument>()
            .set_cookie(&cookie);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_value_finds_the_named_cookie() {
        let header = "a=1; gaemi_lang=en ;gaemi_theme=dark";
        assert_eq!(cookie_value(header, "gaemi_lang"), Some("en"));
        assert_eq!(cookie_value(header, "gaemi_theme"), Some("dark"));
        assert_eq!(cookie_value(header, "missing"), None);
        assert_eq!(cookie_value("", "gaemi_lang"), None);
    }

    #[test]
    fn theme_cycles_through_all_three() {
        assert_eq!(Theme::Auto.next().next().next(), Theme::Auto);
        for theme in [Theme::Auto, Theme::Light, Theme::Dark] {
            assert_eq!(Theme::from_code(theme.code()), Some(theme));
        }
    }
}
