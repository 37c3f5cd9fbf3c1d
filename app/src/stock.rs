//! The stock page's contract: one listing with its sector, recent news and
//! the fee rates the order ticket estimates with, and pages of candle
//! history for the chart (live candles then arrive on the `candles` topic).

use crate::api::AppError;
use crate::market::{ListingView, SectorView};
use crate::realtime::{Candle, CandleInterval, NewsView};
use crate::rules::FeeSchedule;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// News items the stock page loads with it.
pub const STOCK_NEWS: i64 = 20;
/// Candles the chart loads first; older ones page in by `before`.
pub const CHART_CANDLES: i64 = 200;
/// The most candles one request may ask for.
pub const MAX_CANDLES: i64 = 1_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockView {
    pub listing: ListingView,
    pub sector: SectorView,
    /// The company's own news and its sector's, newest first.
    pub news: Vec<NewsView>,
    pub fees: FeeSchedule,
    /// The chart's ECharts option without its data, as JSON text
    /// ([`crate::chart::chart_frame`]), so the browser needs no option model.
    pub chart_frame: String,
}

/// Candles oldest first; `next_before` pages further back when there may be
/// more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandleHistory {
    pub symbol: String,
    pub interval: CandleInterval,
    pub candles: Vec<Candle>,
    pub next_before: Option<i64>,
}

/// One stock's reads: the stock page's port, implemented by the server.
/// No session is needed.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait StockPort: Send + Sync + 'static {
    /// Whether `code` is a listed stock; in memory, so a page can set its
    /// status before anything else is rendered.
    fn is_listed(&self, code: &str) -> bool;

    /// One listing with its sector, news and fee rates.
    async fn stock(&self, code: String) -> Result<StockView, AppError>;

    /// Candle history of one listing, oldest first.
    async fn candles(
        &self,
        code: String,
        interval: CandleInterval,
        before: Option<i64>,
        limit: i64,
    ) -> Result<CandleHistory, AppError>;
}

#[cfg(feature = "ssr")]
fn stock_port() -> Result<std::sync::Arc<dyn StockPort>, AppError> {
    crate::api::port::<dyn StockPort>()
}

/// Whether `code` is a listed stock (true when the port is missing: the
/// page's own load then says what went wrong).
#[cfg(feature = "ssr")]
pub fn is_listed(code: &str) -> bool {
    stock_port().map_or(true, |port| port.is_listed(code))
}

#[server(prefix = "/api/fn", endpoint = "load_stock", output = crate::codec::JsonText)]
pub async fn load_stock(code: String) -> Result<StockView, AppError> {
    stock_port()?.stock(code).await
}

#[server(prefix = "/api/fn", endpoint = "load_candles", output = crate::codec::JsonText)]
pub async fn load_candles(
    code: String,
    interval: CandleInterval,
    before: Option<i64>,
    limit: i64,
) -> Result<CandleHistory, AppError> {
    stock_port()?.candles(code, interval, before, limit).await
}
