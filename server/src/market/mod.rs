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

/// The market list: every listed company with its ticker and its last
/// [`app::market::SPARK_POINTS`] 5-minute closes.
pub async fn overview(
    market: &MarketData,
    storage: &dyn crate::storage::Storage,
) -> Result<app::market::MarketOverview, crate::storage::StorageError> {
    let listings = market.listings();
    let mut views = Vec::with_capacity(listings.all().len());
    for listing in listings.all() {
        let Some(ticker) = market.ticker(listing.symbol) else {
            continue;
        };
        let candles = storage
            .candles(&crate::storage::CandleFilter {
                symbol_id: i64::from(listing.symbol.0),
                interval: crate::exchange::Interval::FiveMinutes,
                before: None,
                limit: app::market::SPARK_POINTS,
            })
            .await?;
        views.push(app::market::ListingView {
            code: listing.code.clone(),
            name_ko: listing.name_ko.clone(),
            name_en: listing.name_en.clone(),
            sector: listing.sector.clone(),
            ticker,
            spark: candles.iter().rev().map(|c| c.close).collect(),
        });
    }
    Ok(app::market::MarketOverview {
        sectors: (listings.sectors().iter())
            .map(|s| app::market::SectorView {
                key: s.key.clone(),
                name_ko: s.name_ko.clone(),
                name_en: s.name_en.clone(),
            })
            .collect(),
        listings: views,
    })
}
