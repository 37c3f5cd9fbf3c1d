//! Korean-first UI text: one catalogue ([`Texts`]) per language, in `ko.rs`
//! and `en.rs`, so a missing translation is a compile error rather than a key
//! shown to a user. Pages show a text with `prefs::t(|x| x.key)`, which
//! follows the language switch, or read `lang.texts().key` where nothing
//! needs to follow it.
//!
//! Adding a language is writing its catalogue file (every key of [`Texts`])
//! and adding its line to the `languages!` list below: the language switch,
//! the cookie and `Accept-Language` then know it. What arrives only in Korean
//! and English (below) shows it the English.
//!
//! Not in the catalogues: text that reaches the page in Korean and English
//! from elsewhere, chosen with [`Lang::pick`]: the server's error messages
//! (`AppError`, the websocket's errors), the field errors of the validation
//! the browser shares with the server (`crate::auth`, `crate::ticket`: the
//! server sends the same texts in its JSON API, so they are part of that
//! contract), listing and sector names, and news headlines.
//!
//! We write this instead of using `leptos_i18n` because that crate needs a
//! build script, ICU locale data and `leptos-use` in both the server and the
//! WASM build for what here are a few static tables; the chosen language
//! travels in a cookie so the server renders it on the first byte.

mod en;
mod ko;

use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "gaemi_lang";

/// A catalogue text, named by the field that holds it: `|x| x.nav_market`.
/// A plain function pointer, so every label has the same type.
pub type Key = fn(&Texts) -> &'static str;

/// Declares [`Lang`] from the list of languages: each one's code, the other
/// codes that mean it, and its catalogue. The first is the default.
macro_rules! languages {
    ($($(#[$doc:meta])* $lang:ident = $code:literal $(| $alias:literal)* => $texts:path;)+) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Lang {
            $($(#[$doc])* #[serde(rename = $code)] $lang,)+
        }

        impl Lang {
            /// Every language, in the order the language switch goes through them.
            pub const ALL: &[Lang] = &[$(Lang::$lang),+];

            pub const fn code(self) -> &'static str {
                match self {
                    $(Lang::$lang => $code,)+
                }
            }

            pub fn from_code(code: &str) -> Option<Lang> {
                match code.trim().to_ascii_lowercase().as_str() {
                    $($code $(| $alias)* => Some(Lang::$lang),)+
                    _ => None,
                }
            }

            /// This language's catalogue.
            pub const fn texts(self) -> &'static Texts {
                match self {
                    $(Lang::$lang => &$texts,)+
                }
            }
        }
    };
}

languages! {
    /// 한국어, the default: visitors whose browser asks for no language we
    /// have are served Korean.
    Ko = "ko" | "ko-kr" => ko::KO;
    En = "en" | "en-us" | "en-gb" => en::EN;
}

impl Default for Lang {
    fn default() -> Lang {
        Lang::ALL[0]
    }
}

impl Lang {
    /// Picks the first supported language of an `Accept-Language` header,
    /// in the order the browser listed them; Korean when none matches.
    pub fn from_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .find_map(|tag| {
                let primary = tag.trim().split('-').next().unwrap_or_default();
                Lang::from_code(primary)
            })
            .unwrap_or_default()
    }

    /// The one of a Korean and an English text that arrived together from
    /// elsewhere (an error message, a listing's name, a headline); any
    /// language but Korean reads the English. UI text is in the catalogues.
    pub const fn pick<'a>(self, ko: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ko => ko,
            _ => en,
        }
    }

    /// The language the switch offers next: the following one in the list,
    /// after the last the first.
    pub const fn next(self) -> Lang {
        Lang::ALL[(self as usize + 1) % Lang::ALL.len()]
    }
}

/// Declares [`Texts`] from the list of keys, so that a catalogue lacking one
/// (or holding one more) does not compile, and tests can walk every
/// (key, text) pair of a language.
macro_rules! catalogue {
    ($($(#[$doc:meta])* $key:ident),+ $(,)?) => {
        /// One language's strings. Keys are grouped by the screen that shows
        /// them; a `{name}` in a text is filled in with [`fill`].
        pub struct Texts {
            $($(#[$doc])* pub $key: &'static str,)+
        }

        #[cfg(test)]
        impl Texts {
            /// Every key with its text, in the order of the list.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($key), self.$key)),+]
            }
        }
    };
}

catalogue! {
    // The site's frame: header, navigation, live badge, page title.
    site_name, tagline, skip_to_content, nav_label, nav_market, nav_portfolio, nav_orders,
    nav_rounds, nav_community, nav_ranking, nav_me,
    /// The phone's tab bar: 홈, and 더보기 holding the links it has no tab for.
    nav_home, nav_more,
    /// The language's name in itself, and "switch to" it in itself: the
    /// language switch shows the next language's.
    lang_name,
    lang_switch_to,
    /// Accessible name of the theme button; the visible label is the mode.
    theme_button,
    theme_auto, theme_light, theme_dark,
    live_connecting, live_connected, live_reconnecting, live_online, live_server_time, loading,
    /// Shown on phones above a table that scrolls sideways.
    table_scroll_hint,
    /// The member menu's name for screen readers (its text is the
    /// nickname), and what it says when signing out failed.
    header_member_menu, header_sign_out_failed,

    // Home.
    home_title, home_intro, home_live_heading, home_status_heading, home_status_version,
    home_status_storage, home_status_started, home_status_starts, home_status_unavailable,

    // The areas not built yet, 404 and the error page.
    soon_title, soon_body, rounds_blurb, community_blurb, ranking_blurb, not_found_title,
    not_found_body, error_title, error_body, back_home,

    // Amounts (`crate::format`): `{n}` is the grouped number.
    money_won, money_jo, money_eok, money_man,

    // Market.
    market_blurb, market_search_label, market_search_placeholder, market_sector_label,
    market_sector_all, market_count, market_no_match, market_load_failed, market_col_name,
    market_col_last, market_col_change, market_col_volume, market_col_trend,
    market_only_watched, market_col_watch, market_watch_add, market_watch_remove,

    // Words of an order, on the stock, ticket and orders screens.
    side_buy, side_sell, kind_limit, kind_market,
    /// A number of shares; the book reads out only the unit after `{n}`.
    unit_shares,

    // A stock's page: header, chart, book, tape, news.
    stock_not_found, stock_back_to_market, stock_chart_heading, stock_book_heading,
    stock_ticket_label, stock_tape_heading, stock_my_orders_heading, stock_news_heading,
    stock_day_range, stock_volume, stock_turnover, stock_price_limits, stock_halted,
    chart_intervals_label, chart_interval_minute, chart_interval_five_minutes,
    chart_interval_hour, chart_interval_day, chart_aria, chart_load_failed, chart_empty,
    chart_open, chart_high, chart_low, chart_close, chart_volume,
    book_ask, book_bid, book_asks, book_bids, book_pick_price, book_loading,
    /// The 호가창's columns and 총잔량 row.
    book_ask_qty, book_price, book_bid_qty, book_total, book_total_asks, book_total_bids,
    /// The phone's order bar and the order sheet it opens.
    stock_trade_bar_label, stock_sheet_title, stock_sheet_close,
    tape_caption, tape_col_time, tape_col_price, tape_col_qty, tape_empty, news_empty,

    // The order ticket.
    ticket_heading, ticket_kind_legend, ticket_price_label, ticket_tick_down, ticket_tick_up,
    ticket_qty_label, ticket_cash_available, ticket_shares_available, ticket_commission,
    ticket_tax, ticket_estimated_cost, ticket_estimated_proceeds, ticket_submit_buy,
    ticket_submit_sell,
    /// What the engine answered: `{name}` the stock, `{side}` 매수/매도, `{price}`
    /// and `{amount}` in won (the average price of the fills), `{qty}`,
    /// `{filled}` and `{rest}` in shares.
    ticket_ack_filled, ticket_ack_open, ticket_ack_open_partly, ticket_ack_cancelled,
    ticket_ack_unfilled,
    /// The confirm step for a market order or a price far from the last one.
    ticket_confirm_summary, ticket_confirm_market, ticket_confirm_far_above,
    ticket_confirm_far_below, ticket_confirm_question, ticket_confirm_submit,
    ticket_confirm_back, ticket_no_shares,

    // Portfolio.
    portfolio_title, portfolio_total, portfolio_pnl, portfolio_cash_available,
    portfolio_cash_held, portfolio_holdings, portfolio_empty, portfolio_col_stock,
    portfolio_col_shares, portfolio_col_avg_price, portfolio_col_value, portfolio_col_pnl,
    portfolio_col_last, portfolio_col_return, portfolio_fees_note,
    /// The equity curve: `{days}`, `{first}`, `{last}`, `{amount}`,
    /// `{commission}` and `{tax}` are filled in.
    portfolio_equity_heading, portfolio_equity_summary, portfolio_equity_deposit,
    portfolio_equity_today, portfolio_fees_paid,

    // Orders: the tabs, open orders, amending, the history.
    orders_title, orders_tab_open, orders_tab_history, orders_tab_fills, orders_open_empty,
    orders_open_price, orders_open_remaining, orders_amend, orders_cancel, orders_amend_price,
    orders_amend_qty, orders_amend_submit, orders_status_partly_filled, orders_status_open,
    orders_status_filled, orders_status_cancelled, orders_status_cancelled_band, orders_status_cancelled_fees,
    orders_status_cancelled_unfilled, orders_filter_stock, orders_filter_all,
    orders_filter_side, orders_filter_status, orders_filter_sort, orders_sort_newest,
    orders_sort_oldest, orders_fills_caption, orders_history_caption, orders_col_time,
    orders_col_stock, orders_col_side, orders_col_price, orders_col_qty, orders_col_fees,
    orders_col_filled, orders_col_status, orders_history_empty, orders_history_more,

    // The account pages' shared words: fields, providers, sign-in errors.
    account_sign_in, account_sign_up, account_change_password, account_email,
    account_password, account_nickname, account_new_password, account_current_password,
    account_nickname_hint, account_password_hint, account_claim_guest, account_social_google,
    account_social_kakao, account_social_naver, account_oauth_denied, account_oauth_provider,
    account_oauth_unavailable, account_oauth_taken, account_oauth_invalid,

    // 로그인, 회원가입, the e-mail link, the provider's first sign-in.
    sign_in_elsewhere, sign_in_resend, sign_in_resent, sign_in_or, sign_in_sign_up_link,
    sign_in_forgot_link, sign_up_submit, sign_up_sign_in_link,
    /// The sign-up form's success state: `{email}` is the address.
    sign_up_done_title, sign_up_done_body, sign_up_done_hint, sign_up_other_address,
    verify_title,
    /// `{nickname}`: the member the link signed in.
    verify_done, verify_start, verify_failed_hint, social_sign_up_title, social_sign_up_welcome,
    social_sign_up_submit,

    // 비밀번호 찾기 and the reset link.
    forgot_title, forgot_submit, forgot_sent, reset_page_title, reset_heading, reset_done,

    // 내 정보.
    me_title, me_guest, me_sign_out, me_linked_heading, me_linked_body, me_nickname_heading,
    me_nickname_save, me_nickname_done, me_password_done, me_delete_heading, me_delete_body,
    me_delete_confirm_nickname, me_delete_nickname_missing, me_delete_submit,

    // The home page (issue 26): my assets or the way in, the boards, the
    // watchlist and the news; the market list's turnover column; the
    // operator's status page (linked from the footer by home_status_heading).
    market_col_turnover, home_assets_heading, home_assets_total, home_assets_pnl,
    home_assets_cash, home_assets_more, home_start_heading, home_start_note, home_start_cta,
    home_board_gainers, home_board_losers, home_board_turnover, home_board_volume,
    home_board_empty, home_see_market, home_watchlist_heading, home_watchlist_empty,
    home_news_heading, status_intro, status_server_heading,
}

/// A catalogue text with its `{name}` placeholders replaced by `args`'
/// values; a placeholder without a value is left as written.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let (_, value) = args.iter().find(|(arg, _)| *arg == name)?;
            Some((close, *value))
        });
        match value {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `{name}` placeholders of a text, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = (text.split('{').skip(1))
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_key_has_a_text_in_every_language() {
        let reference = Lang::default().texts().entries();
        for &lang in Lang::ALL {
            let entries = lang.texts().entries();
            assert_eq!(entries.len(), reference.len(), "{lang:?}");
            for (&(key, text), &(_, reference)) in entries.iter().zip(&reference) {
                assert!(!text.trim().is_empty(), "{lang:?}.{key} is empty");
                let edges = |s: &str| {
                    (
                        s.starts_with(char::is_whitespace),
                        s.ends_with(char::is_whitespace),
                    )
                };
                assert_eq!(
                    edges(text),
                    edges(reference),
                    "{lang:?}.{key}: {text:?} and {reference:?} differ in leading or trailing space"
                );
                assert_eq!(
                    placeholders(text),
                    placeholders(reference),
                    "{lang:?}.{key}: {text:?} and {reference:?} have different placeholders"
                );
            }
        }
    }

    #[test]
    fn placeholders_are_filled_by_name_in_any_order() {
        let args = [("qty", "10"), ("side", "매수")];
        assert_eq!(fill("{side} {qty}주", &args), "매수 10주");
        assert_eq!(fill("{qty} ({side})", &args), "10 (매수)");
        assert_eq!(fill("{other} {qty", &args), "{other} {qty");
        assert_eq!(fill("no placeholder", &args), "no placeholder");
        assert_eq!(placeholders("{side} order for {qty}"), ["qty", "side"]);
    }

    #[test]
    fn accept_language_prefers_the_first_supported_tag() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,ko;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("ko-KR,ko;q=0.9,en;q=0.8"),
            Lang::Ko
        );
        assert_eq!(Lang::from_accept_language("fr-FR, en;q=0.5"), Lang::En);
    }

    #[test]
    fn unknown_or_empty_language_falls_back_to_korean() {
        assert_eq!(Lang::from_accept_language(""), Lang::Ko);
        assert_eq!(Lang::from_accept_language("fr,de"), Lang::Ko);
        assert_eq!(Lang::from_code("xx"), None);
        assert_eq!(Lang::default(), Lang::Ko);
    }

    #[test]
    fn codes_round_trip_and_the_switch_visits_every_language() {
        let mut lang = Lang::default();
        for _ in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            lang = lang.next();
        }
        assert_eq!(lang, Lang::default());
        assert_eq!(Lang::Ko.next(), Lang::En);
    }

    #[test]
    fn picking_data_falls_back_to_english() {
        assert_eq!(Lang::Ko.pick("가", "a"), "가");
        assert_eq!(Lang::En.pick("가", "a"), "a");
    }
}
