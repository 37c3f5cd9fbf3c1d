//! The public market: what is listed ([`listings`]), the market data
//! derived from committed trading ([`data`]) and the turn of the trading
//! day ([`day`]).

pub mod data;
pub mod day;
pub mod listings;

pub use data::{MarketData, MarketFeed, run_publisher};
pub use listings::{Listing, Listings, ListingsFile};

/// A stored news item as clients see it: codes instead of symbol ids.
pub fn news_view(listings: &Listings, row: &crate::storage::NewsRow) -> app::realtime::NewsView {
    app::realtime::NewsView {
        id: row.news_id,
        at_ms: row.at_ms,
        symbol: row.symbol_id.map(|id| listings.code_of(id)),
        sector: row.sector.clone(),
        good: row.good,
        size_bp: row.size_bp,
        headline_ko: row.headline_ko.clone(),
        headline_en: row.headline_en.clone(),
    }
}
