//! Korean-first UI text. Every user-visible string lives in one [`Texts`] table
//! per language, so a missing translation is a compile error rather than a key
//! shown to a user. We write this instead of using `leptos_i18n` because that
//! crate needs a build script, ICU locale data and `leptos-use` in both the
//! server and the WASM build for what here is two fixed tables; the chosen
//! language travels in a cookie so the server renders it on the first byte.

use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "gaemi_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ko,
    En,
}

impl Lang {
    pub const fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ko" | "ko-kr" => Some(Lang::Ko),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

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

    /// The one of two texts in this language: inline labels (see [`tr`])
    /// and any pair of Korean and English fields.
    pub const fn pick<'a>(self, ko: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ko => ko,
            Lang::En => en,
        }
    }

    pub const fn other(self) -> Lang {
        match self {
            Lang::Ko => Lang::En,
            Lang::En => Lang::Ko,
        }
    }

    pub const fn texts(self) -> &'static Texts {
        match self {
            Lang::Ko => &KO,
            Lang::En => &EN,
        }
    }
}

/// A label given inline in both languages that follows the language switch.
/// Every call returns the same closure type, so the hundreds of labels on
/// the trading pages share one compiled text node instead of one each
/// (each distinct closure is its own copy of the rendering code in the WASM).
pub fn tr(
    ko: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    use leptos::prelude::Get;
    let prefs = crate::prefs::use_prefs();
    move || prefs.lang.get().pick(ko, en)
}

/// One language's strings. Fields are grouped by the screen that shows them.
pub struct Texts {
    pub site_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_market: &'static str,
    pub nav_portfolio: &'static str,
    pub nav_orders: &'static str,
    pub nav_rounds: &'static str,
    pub nav_community: &'static str,
    pub nav_ranking: &'static str,
    pub nav_me: &'static str,
    /// Label of the button that switches to the *other* language.
    pub switch_lang: &'static str,
    pub switch_lang_aria: &'static str,
    /// Accessible name of the theme button; the visible label is the mode.
    pub theme_button: &'static str,
    pub theme_auto: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,
    pub live_connecting: &'static str,
    pub live_connected: &'static str,
    pub live_reconnecting: &'static str,
    pub live_online: &'static str,
    pub live_server_time: &'static str,
    pub home_title: &'static str,
    pub home_intro: &'static str,
    pub home_live_heading: &'static str,
    pub home_status_heading: &'static str,
    pub status_version: &'static str,
    pub status_storage: &'static str,
    pub status_started: &'static str,
    pub status_starts: &'static str,
    pub status_unavailable: &'static str,
    pub soon_title: &'static str,
    pub soon_body: &'static str,
    pub market_blurb: &'static str,
    pub rounds_blurb: &'static str,
    pub community_blurb: &'static str,
    pub ranking_blurb: &'static str,
    pub me_blurb: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub error_title: &'static str,
    pub error_body: &'static str,
    pub back_home: &'static str,
    pub loading: &'static str,
    pub market_search_label: &'static str,
    pub market_search_placeholder: &'static str,
    pub market_sector_label: &'static str,
    pub market_sector_all: &'static str,
    pub market_count_suffix: &'static str,
    pub market_no_match: &'static str,
    pub market_load_failed: &'static str,
    pub col_name: &'static str,
    pub col_last: &'static str,
    pub col_change: &'static str,
    pub col_volume: &'static str,
    pub col_trend: &'static str,
    pub market_only_watched: &'static str,
    pub col_watch: &'static str,
    pub watch_add: &'static str,
    pub watch_remove: &'static str,
}

pub static KO: Texts = Texts {
    site_name: "개미",
    tagline: "실시간 모의 주식 거래소",
    skip_to_content: "본문으로 건너뛰기",
    nav_label: "주 메뉴",
    nav_home: "홈",
    nav_market: "시장",
    nav_portfolio: "내 자산",
    nav_orders: "주문",
    nav_rounds: "라운드",
    nav_community: "커뮤니티",
    nav_ranking: "랭킹",
    nav_me: "내 정보",
    switch_lang: "English",
    switch_lang_aria: "Switch to English",
    theme_button: "화면 테마 바꾸기",
    theme_auto: "테마: 자동",
    theme_light: "테마: 밝게",
    theme_dark: "테마: 어둡게",
    live_connecting: "연결 중",
    live_connected: "실시간",
    live_reconnecting: "재연결 중",
    live_online: "접속",
    live_server_time: "서버 시각",
    home_title: "개미에 오신 것을 환영합니다",
    home_intro: "가상의 1억 원으로 실제 호가창에서 거래하고, 12분 라운드에서 겨루고, 커뮤니티에서 이야기하세요.",
    home_live_heading: "실시간 연결",
    home_status_heading: "서버 상태",
    status_version: "버전",
    status_storage: "저장소",
    status_started: "가동 시작",
    status_starts: "누적 시작 횟수",
    status_unavailable: "서버 상태를 불러오지 못했습니다.",
    soon_title: "곧 열립니다",
    soon_body: "이 화면은 다음 업데이트에서 열립니다.",
    market_blurb: "모든 종목의 현재가, 등락률, 거래량을 한눈에 봅니다.",
    rounds_blurb: "12분마다 새 라운드가 열립니다. 1천만 원으로 시작해 수익률로 순위를 겨룹니다.",
    community_blurb: "자유게시판, 채팅, 쪽지로 다른 개미들과 이야기합니다.",
    ranking_blurb: "전체 수익률 순위와 라운드 티어를 확인합니다.",
    me_blurb: "내 계좌, 보유 종목, 주문 내역과 설정을 관리합니다.",
    not_found_title: "페이지를 찾을 수 없습니다",
    not_found_body: "주소가 바뀌었거나 없는 페이지입니다.",
    error_title: "문제가 발생했습니다",
    error_body: "잠시 후 다시 시도해 주세요.",
    back_home: "홈으로",
    loading: "불러오는 중",
    market_search_label: "종목 검색",
    market_search_placeholder: "종목명, 코드, 초성(ㅎㅂ)",
    market_sector_label: "업종",
    market_sector_all: "전체",
    market_count_suffix: "개 종목",
    market_no_match: "조건에 맞는 종목이 없습니다.",
    market_load_failed: "시세를 불러오지 못했습니다.",
    col_name: "종목",
    col_last: "현재가",
    col_change: "전일 대비",
    col_volume: "거래량",
    col_trend: "추이",
    market_only_watched: "관심종목만",
    col_watch: "관심종목",
    watch_add: "관심종목에 추가",
    watch_remove: "관심종목에서 빼기",
};

pub static EN: Texts = Texts {
    site_name: "Gaemi",
    tagline: "A real-time mock stock exchange",
    skip_to_content: "Skip to content",
    nav_label: "Main menu",
    nav_home: "Home",
    nav_market: "Market",
    nav_portfolio: "Portfolio",
    nav_orders: "Orders",
    nav_rounds: "Rounds",
    nav_community: "Community",
    nav_ranking: "Ranking",
    nav_me: "Me",
    switch_lang: "한국어",
    switch_lang_aria: "한국어로 전환",
    theme_button: "Change colour theme",
    theme_auto: "Theme: auto",
    theme_light: "Theme: light",
    theme_dark: "Theme: dark",
    live_connecting: "Connecting",
    live_connected: "Live",
    live_reconnecting: "Reconnecting",
    live_online: "Online",
    live_server_time: "Server time",
    home_title: "Welcome to Gaemi",
    home_intro: "Trade on a real order book with 100 million virtual won, compete in 12-minute rounds, and talk with the community.",
    home_live_heading: "Live connection",
    home_status_heading: "Server status",
    status_version: "Version",
    status_storage: "Storage",
    status_started: "Up since",
    status_starts: "Starts so far",
    status_unavailable: "Could not load the server status.",
    soon_title: "Opening soon",
    soon_body: "This screen opens in an upcoming update.",
    market_blurb: "Every listing's last price, change and volume at a glance.",
    rounds_blurb: "A new round opens every 12 minutes: start with 10 million won and compete on return.",
    community_blurb: "Talk with other traders on the board, in chat and by direct message.",
    ranking_blurb: "All-time return ranking and round tiers.",
    me_blurb: "Your accounts, holdings, order history and settings.",
    not_found_title: "Page not found",
    not_found_body: "The address has changed or the page does not exist.",
    error_title: "Something went wrong",
    error_body: "Please try again in a moment.",
    back_home: "Back to home",
    loading: "Loading",
    market_search_label: "Search stocks",
    market_search_placeholder: "Name or code",
    market_sector_label: "Sector",
    market_sector_all: "All",
    market_count_suffix: " stocks",
    market_no_match: "No stocks match.",
    market_load_failed: "Could not load quotes.",
    col_name: "Stock",
    col_last: "Last",
    col_change: "Change",
    col_volume: "Volume",
    col_trend: "Trend",
    market_only_watched: "Watchlist only",
    col_watch: "Watchlist",
    watch_add: "add to watchlist",
    watch_remove: "remove from watchlist",
};

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn codes_round_trip() {
        for lang in [Lang::Ko, Lang::En] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            assert_eq!(lang.other().other(), lang);
        }
    }
}
