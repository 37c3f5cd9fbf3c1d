//! Public market data: the listings with their tickers, news, a book
//! snapshot and candle history. No session is needed.

use crate::http::input;
use crate::http::{ApiError, AppState};
use crate::market::data::SNAPSHOT_DEPTH;
use app::realtime::CandleInterval;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/market/symbols", get(symbols))
        .route("/market/news", get(news))
        .route("/market/{symbol}/book", get(book))
        .route("/market/{symbol}/candles", get(candles))
}

type ApiResult = Result<Response, ApiError>;

/// Every listing with its names and ticker.
async fn symbols(State(state): State<AppState>) -> Response {
    let market = &state.trading.market;
    let symbols: Vec<_> = (market.listings().all().iter())
        .filter_map(|listing| {
            let ticker = market.ticker(listing.symbol)?;
            Some(json!({
                "symbol": listing.code,
                "name_ko": listing.name_ko,
                "name_en": listing.name_en,
                "sector": listing.sector,
                "shares_outstanding": listing.shares_outstanding,
                "ticker": ticker,
            }))
        })
        .collect();
    Json(json!({ "symbols": symbols, "sectors": market.listings().sectors() })).into_response()
}

/// News, newest first: `?symbol=` for one company (its own news and its
/// sector's), `?before=` an id for the next page, `?limit=` 1 to 100.
async fn news(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let before = input::whole_in(
        params.get("before").map(String::as_str),
        1..=i64::MAX,
        "before",
        "뉴스 번호(양의 정수)여야 합니다.",
        "Must be a news id (a positive whole number).",
    )?;
    let limit = input::whole_in(
        params.get("limit").map(String::as_str),
        1..=100,
        "limit",
        "1에서 100 사이의 정수여야 합니다.",
        "Must be a whole number from 1 to 100.",
    )?
    .unwrap_or(20);
    let (items, next_before) = crate::market::news(
        &state.trading.market,
        state.storage.as_ref(),
        params.get("symbol").map(String::as_str),
        before,
        limit,
    )
    .await?;
    Ok(Json(json!({ "items": items, "next_before": next_before })).into_response())
}

/// A book snapshot; `?depth=` levels per side (1 to 50, default 50).
async fn book(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let depth = input::whole_in(
        params.get("depth").map(String::as_str),
        1..=SNAPSHOT_DEPTH as i64,
        "depth",
        "1에서 50 사이의 정수여야 합니다.",
        "Must be a whole number from 1 to 50.",
    )?
    .map_or(SNAPSHOT_DEPTH, |n| n as usize);
    let book = crate::market::book(&state.trading.market, &code, depth)?;
    Ok(Json(book).into_response())
}

/// Candle history, oldest first, ending with the current candle:
/// `?interval=1m|5m|1h|1d` (required), `?before=` a candle start (ms) to
/// page further back, `?limit=` 1 to 1000 (default 200).
async fn candles(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let interval = match params.get("interval").map(String::as_str) {
        None => {
            return Err(ApiError::invalid(
                "interval",
                "필수 항목입니다. 1m, 5m, 1h, 1d 중 하나를 고르세요.",
                "This field is required: one of 1m, 5m, 1h, 1d.",
            ));
        }
        Some(key) => CandleInterval::parse(key).ok_or_else(|| {
            ApiError::invalid(
                "interval",
                "1m, 5m, 1h, 1d 중 하나여야 합니다.",
                "Must be one of 1m, 5m, 1h, 1d.",
            )
        })?,
    };
    // Whole numbers here; their ranges are checked with the server
    // functions' in `candle_history`.
    let whole = |field: &'static str| {
        input::whole_in(
            params.get(field).map(String::as_str),
            i64::MIN..=i64::MAX,
            field,
            "정수여야 합니다.",
            "Must be a whole number.",
        )
    };
    let before = whole("before")?;
    let limit = whole("limit")?.unwrap_or(app::stock::CHART_CANDLES);
    let history = crate::market::candle_history(
        &state.trading.market,
        state.storage.as_ref(),
        &code,
        interval,
        before,
        limit,
    )
    .await?;
    Ok(Json(history).into_response())
}
