//! The public market: what is listed ([`listings`]), the market data
//! derived from committed trading ([`data`]) and the turn of the trading
//! day ([`day`]).

pub mod data;
pub mod day;
mod error;
pub mod listings;

pub use data::{MarketData, MarketFeed, run_publisher};
pub use error::MarketError;
pub use listings::{Listing, Listings, ListingsFile};

use crate::storage::{CandleFilter, Storage, StorageError};
use app::realtime::CandleInterval;

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

/// One listing as the market list and the stock page show it: names,
/// sector, ticker and its last [`app::market::SPARK_POINTS`] 5-minute closes.
/// `None` when it is not listed (yet).
async fn listing_view(
    market: &MarketData,
    storage: &dyn Storage,
    listing: &Listing,
) -> Result<Option<app::market::ListingView>, StorageError> {
    let Some(ticker) = market.ticker(listing.symbol) else {
        return Ok(None);
    };
    let candles = storage
        .candles(&CandleFilter {
            symbol_id: i64::from(listing.symbol.0),
            interval: crate::exchange::Interval::FiveMinutes,
            before: None,
            limit: app::market::SPARK_POINTS,
        })
        .await?;
    Ok(Some(app::market::ListingView {
        code: listing.code.clone(),
        name_ko: listing.name_ko.clone(),
        name_en: listing.name_en.clone(),
        sector: listing.sector.clone(),
        ticker,
        spark: candles.iter().rev().map(|c| c.close).collect(),
    }))
}

fn sector_view(sector: &listings::Sector) -> app::market::SectorView {
    app::market::SectorView {
        key: sector.key.clone(),
        name_ko: sector.name_ko.clone(),
        name_en: sector.name_en.clone(),
    }
}

/// The listed company with this code, or `UnknownSymbol`.
pub fn listed<'a>(market: &'a MarketData, code: &str) -> Result<&'a Listing, MarketError> {
    (market.listings().by_code(code))
        .filter(|listing| market.is_listed(listing.symbol))
        .ok_or_else(|| MarketError::UnknownSymbol(code.to_owned()))
}

/// The market list: every listed company with its ticker and trend.
pub async fn overview(
    market: &MarketData,
    storage: &dyn Storage,
) -> Result<app::market::MarketOverview, StorageError> {
    let listings = market.listings();
    let mut views = Vec::with_capacity(listings.all().len());
    for listing in listings.all() {
        views.extend(listing_view(market, storage, listing).await?);
    }
    Ok(app::market::MarketOverview {
        sectors: listings.sectors().iter().map(sector_view).collect(),
        listings: views,
    })
}

/// The stock page: one listing, its sector, its recent news and the fees.
pub async fn stock(
    market: &MarketData,
    storage: &dyn Storage,
    code: &str,
    fees: crate::exchange::FeeSchedule,
) -> Result<app::stock::StockView, MarketError> {
    let listing = listed(market, code)?;
    let view = listing_view(market, storage, listing)
        .await?
        .ok_or_else(|| MarketError::UnknownSymbol(code.to_owned()))?;
    let sector = (market.listings().sectors().iter())
        .find(|s| s.key == listing.sector)
        .map(sector_view)
        .unwrap_or_else(|| app::market::SectorView {
            key: listing.sector.clone(),
            name_ko: listing.sector.clone(),
            name_en: listing.sector.clone(),
        });
    let news = storage
        .news(&crate::storage::NewsFilter {
            symbol: Some((i64::from(listing.symbol.0), listing.sector.clone())),
            before: None,
            limit: app::stock::STOCK_NEWS,
        })
        .await?;
    Ok(app::stock::StockView {
        listing: view,
        sector,
        news: news
            .iter()
            .map(|row| news_view(market.listings(), row))
            .collect(),
        fees,
        chart_frame: app::chart::chart_frame().to_owned(),
    })
}

/// A page of news, newest first: one company's own and its sector's
/// (`code`), or everything; older than news id `before`; up to `limit`.
/// `next_before` pages further back when there may be more.
pub async fn news(
    market: &MarketData,
    storage: &dyn Storage,
    code: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<app::realtime::NewsView>, Option<i64>), MarketError> {
    let listings = market.listings();
    let symbol = match code {
        None => None,
        Some(code) => {
            let listing = listings
                .by_code(code)
                .ok_or_else(|| MarketError::UnknownSymbol(code.to_owned()))?;
            Some((i64::from(listing.symbol.0), listing.sector.clone()))
        }
    };
    let rows = storage
        .news(&crate::storage::NewsFilter {
            symbol,
            before,
            limit,
        })
        .await?;
    let items: Vec<_> = rows.iter().map(|row| news_view(listings, row)).collect();
    let next_before = (items.len() as i64 == limit)
        .then(|| items.last().map(|item| item.id))
        .flatten();
    Ok((items, next_before))
}

/// A listed company's book, `depth` levels a side.
pub fn book(
    market: &MarketData,
    code: &str,
    depth: usize,
) -> Result<app::realtime::BookSnapshot, MarketError> {
    (market.listings().by_code(code))
        .and_then(|listing| market.book(listing.symbol, depth))
        .ok_or_else(|| MarketError::UnknownSymbol(code.to_owned()))
}

/// Candles of one listed company, oldest first, up to `limit` (1 to
/// [`app::stock::MAX_CANDLES`]) starting before `before` (0 or more).
pub async fn candle_history(
    market: &MarketData,
    storage: &dyn Storage,
    code: &str,
    interval: CandleInterval,
    before: Option<i64>,
    limit: i64,
) -> Result<app::stock::CandleHistory, MarketError> {
    let listing = listed(market, code)?;
    if !(1..=app::stock::MAX_CANDLES).contains(&limit) {
        return Err(MarketError::invalid(
            "limit",
            "1에서 1000 사이의 정수여야 합니다.",
            "Must be a whole number from 1 to 1000.",
        ));
    }
    if before.is_some_and(|before| before < 0) {
        return Err(MarketError::invalid(
            "before",
            "캔들 시작 시각(밀리초, 0 이상의 정수)이어야 합니다.",
            "Must be a candle start time (milliseconds, a whole number of 0 or more).",
        ));
    }
    let mut rows = storage
        .candles(&CandleFilter {
            symbol_id: i64::from(listing.symbol.0),
            interval: data::interval_of(interval),
            before,
            limit,
        })
        .await?;
    let next_before = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|row| row.start_ms))
        .flatten();
    rows.reverse();
    Ok(app::stock::CandleHistory {
        symbol: listing.code.clone(),
        interval,
        candles: rows
            .iter()
            .map(|row| data::candle_view(&listing.code, row))
            .collect(),
        next_before,
    })
}
