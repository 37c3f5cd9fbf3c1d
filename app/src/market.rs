//! The market list's contract: every listing with its names, sector,
//! ticker and a short price trend, loaded once with the page (then kept
//! live by the ticker topics), and the search Korean traders expect: by
//! code, by name in either language, or by the initial consonants of the
//! Korean name ("ㅎㅂ" finds 한빛전자).

use crate::api::AppError;
use crate::realtime::{NewsView, Ticker};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Trend points in a listing's sparkline: 5-minute closes.
pub const SPARK_POINTS: i64 = 48;

/// News items the home page shows (every company's and sector's).
pub const LATEST_NEWS: i64 = 6;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorView {
    pub key: String,
    pub name_ko: String,
    pub name_en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingView {
    pub code: String,
    pub name_ko: String,
    pub name_en: String,
    /// The sector's key.
    pub sector: String,
    pub ticker: Ticker,
    /// Closes of the last [`SPARK_POINTS`] 5-minute candles, oldest first.
    pub spark: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketOverview {
    pub sectors: Vec<SectorView>,
    pub listings: Vec<ListingView>,
}

/// A listing's names, for the pages that show a stock by name beside the
/// caller's own orders and holdings. The server hands them to those pages'
/// islands, which then neither fetch nor decode the whole market list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingName {
    pub code: String,
    pub ko: String,
    pub en: String,
}

impl ListingName {
    pub fn name(&self, lang: crate::i18n::Lang) -> &str {
        lang.pick(&self.ko, &self.en)
    }

    /// The name of the listing with `code` in `names`, or the code itself
    /// for a listing the list does not have.
    pub fn find(names: &[ListingName], code: &str, lang: crate::i18n::Lang) -> String {
        (names.iter().find(|n| n.code == code))
            .map_or_else(|| code.to_owned(), |n| n.name(lang).to_owned())
    }
}

/// Every listing's names, read while the server renders a page; none if
/// the market cannot be read (the pages then show codes).
pub async fn listing_names() -> Vec<ListingName> {
    let listings = load_market().await.map(|market| market.listings);
    (listings.unwrap_or_default().into_iter())
        .map(|l| ListingName {
            code: l.code,
            ko: l.name_ko,
            en: l.name_en,
        })
        .collect()
}

/// The market list's read: the market feature's port, implemented by the
/// server. No session is needed.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait MarketPort: Send + Sync + 'static {
    /// Every listing with its ticker and trend.
    async fn market(&self) -> Result<MarketOverview, AppError>;

    /// The newest [`LATEST_NEWS`] news items, about any company or sector,
    /// newest first.
    async fn latest_news(&self) -> Result<Vec<NewsView>, AppError>;
}

#[server(prefix = "/api/fn", endpoint = "load_market", output = crate::codec::JsonText)]
pub async fn load_market() -> Result<MarketOverview, AppError> {
    crate::api::port::<dyn MarketPort>()?.market().await
}

#[server(prefix = "/api/fn", endpoint = "latest_news", output = crate::codec::JsonText)]
pub async fn load_latest_news() -> Result<Vec<NewsView>, AppError> {
    crate::api::port::<dyn MarketPort>()?.latest_news().await
}

/// The caller's watchlist (관심종목), as symbol codes.
#[server(prefix = "/api/fn", endpoint = "watchlist", output = crate::codec::JsonText)]
pub async fn load_watchlist() -> Result<Vec<String>, AppError> {
    crate::trading::trading()?
        .watchlist(&crate::api::request_parts()?)
        .await
}

/// Stars or unstars `symbol`; answers the new watchlist.
#[server(prefix = "/api/fn", endpoint = "set_watched", output = crate::codec::JsonText)]
pub async fn set_watched(symbol: String, watched: bool) -> Result<Vec<String>, AppError> {
    crate::trading::trading()?
        .set_watched(&crate::api::request_parts()?, symbol, watched)
        .await
}

/// The initial consonants of Hangul syllables, in Unicode order.
const CHOSEONG: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];

/// The initial consonant of a precomposed Hangul syllable.
fn initial_consonant(c: char) -> Option<char> {
    let index = (c as u32).checked_sub(0xAC00)?;
    (index < 11_172).then(|| CHOSEONG[(index / 588) as usize])
}

/// Whether `query` char matches `name` char: equal (ignoring ASCII case),
/// or a lone consonant matching the syllable's initial. ASCII case only:
/// names are Hangul (no case) and English, and Unicode's case tables would
/// cost the market page about 6 KB of its first load (docs/PERFORMANCE.md).
fn char_matches(query: char, name: char) -> bool {
    query.eq_ignore_ascii_case(&name)
        || (CHOSEONG.contains(&query) && initial_consonant(name) == Some(query))
}

/// `query` appears in `name`, character by character, where any lone
/// consonant in the query stands for a syllable starting with it.
fn contains_loosely(name: &str, query: &[char]) -> bool {
    let name: Vec<char> = name.chars().collect();
    query.is_empty()
        || name
            .windows(query.len())
            .any(|window| window.iter().zip(query).all(|(&n, &q)| char_matches(q, n)))
}

impl ListingView {
    pub fn name(&self, lang: crate::i18n::Lang) -> &str {
        lang.pick(&self.name_ko, &self.name_en)
    }

    /// The market list's search: code prefix, Korean or English name, or
    /// the Korean name's initial consonants. Spaces in the query are ignored.
    pub fn matches(&self, query: &str) -> bool {
        let query: Vec<char> = query.chars().filter(|c| !c.is_whitespace()).collect();
        if query.is_empty() {
            return true;
        }
        let text: String = query.iter().collect();
        self.code.starts_with(&text)
            || contains_loosely(&self.name_ko, &query)
            || contains_loosely(&self.name_en.replace(' ', ""), &query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(code: &str, name_ko: &str, name_en: &str) -> ListingView {
        ListingView {
            code: code.into(),
            name_ko: name_ko.into(),
            name_en: name_en.into(),
            sector: "semis".into(),
            ticker: Ticker {
                symbol: code.into(),
                last: 0,
                reference: 0,
                change: 0,
                change_bp: 0,
                high: None,
                low: None,
                volume: 0,
                turnover: 0,
                best_bid: None,
                best_ask: None,
                lower_limit: 0,
                upper_limit: 0,
                halted: false,
            },
            spark: Vec::new(),
        }
    }

    #[test]
    fn search_finds_codes_names_and_initial_consonants() {
        let hanbit = listing("100010", "한빛전자", "Hanbit Electronics");
        for query in [
            "",
            "1000",
            "100010",
            "한빛",
            "빛전",
            "ㅎㅂ",
            "ㅎ빛ㅈ",
            "ㅈㅈ",
            "hanbit",
            "ELEC",
            "bit e",
        ] {
            assert!(hanbit.matches(query), "{query:?} should match");
        }
        for query in ["0010", "한전", "ㅂㅎ", "ㄱ", "seohae", "ㅎㅂㅈㅈㅈ"] {
            assert!(!hanbit.matches(query), "{query:?} should not match");
        }
    }

    #[test]
    fn a_doubled_initial_consonant_is_its_own_letter() {
        let ssiat = listing("100220", "씨앗소프트", "Ssiat Soft");
        assert!(ssiat.matches("ㅆㅇ"));
        assert!(!ssiat.matches("ㅅㅇ"));
        assert!(ssiat.matches("ㅅㅍㅌ"));
    }
}
