//! The JSON API under `/api/v1/` for bots, the load generator and tools.
//! Order entry and the private reads need a session (`POST /api/v1/session`
//! opens one with a funded guest account); market data is public. Bodies
//! and query strings are read field by field so every bad input is named.

use super::AppState;
use crate::market::data::SNAPSHOT_DEPTH;
use crate::trading::{TradingError, input, session};
use app::realtime::CandleInterval;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(open_session).get(current_session))
        .route("/orders", post(place).get(list_orders).delete(cancel_all))
        .route(
            "/orders/{order_id}",
            get(get_order).patch(amend).delete(cancel),
        )
        .route("/fills", get(list_fills))
        .route("/portfolio", get(portfolio))
        .route("/watchlist", get(watchlist))
        .route(
            "/watchlist/{symbol}",
            axum::routing::put(watch).delete(unwatch),
        )
        .route("/market/symbols", get(symbols))
        .route("/market/news", get(news))
        .route("/market/{symbol}/book", get(book))
        .route("/market/{symbol}/candles", get(candles))
        .nest("/auth", crate::accounts::routes::routes())
        .fallback(|| async { super::HttpError::NotFound })
}

type ApiResult = Result<Response, TradingError>;

fn order_id(raw: &str) -> Result<u64, TradingError> {
    raw.parse().map_err(|_| {
        TradingError::invalid(
            "order_id",
            "주문 번호는 0 이상의 정수여야 합니다.",
            "The order id must be a whole number.",
        )
    })
}

async fn open_session(State(state): State<AppState>, session: Session) -> ApiResult {
    let account = session::account_or_open(&session, &state.trading).await?;
    Ok(Json(json!({ "account_id": account.0 })).into_response())
}

async fn current_session(session: Session) -> ApiResult {
    let account = session::require_account(&session).await?;
    Ok(Json(json!({ "account_id": account.0 })).into_response())
}

async fn place(State(state): State<AppState>, session: Session, body: Bytes) -> ApiResult {
    let account = session::require_account(&session).await?;
    let order = input::place(&body)?;
    Ok(Json(state.trading.place(account, order).await?).into_response())
}

async fn amend(
    State(state): State<AppState>,
    session: Session,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let account = session::require_account(&session).await?;
    let change = input::amend(order_id(&raw)?, &body)?;
    Ok(Json(state.trading.amend(account, change).await?).into_response())
}

async fn cancel(
    State(state): State<AppState>,
    session: Session,
    Path(raw): Path<String>,
) -> ApiResult {
    let account = session::require_account(&session).await?;
    Ok(Json(state.trading.cancel(account, order_id(&raw)?).await?).into_response())
}

async fn cancel_all(State(state): State<AppState>, session: Session) -> ApiResult {
    let account = session::require_account(&session).await?;
    let seq = state.trading.cancel_all(account).await?;
    Ok(Json(json!({ "seq": seq })).into_response())
}

async fn get_order(
    State(state): State<AppState>,
    session: Session,
    Path(raw): Path<String>,
) -> ApiResult {
    let account = session::require_account(&session).await?;
    Ok(Json(state.trading.order(account, order_id(&raw)?).await?).into_response())
}

async fn list_orders(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let account = session::require_account(&session).await?;
    let query = input::list_query(&params)?;
    Ok(Json(state.trading.orders(account, query).await?).into_response())
}

async fn list_fills(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let account = session::require_account(&session).await?;
    let query = input::list_query(&params)?;
    Ok(Json(state.trading.fills(account, query).await?).into_response())
}

async fn portfolio(State(state): State<AppState>, session: Session) -> ApiResult {
    let account = session::require_account(&session).await?;
    Ok(Json(state.trading.portfolio(account).await?).into_response())
}

async fn watchlist(State(state): State<AppState>, session: Session) -> ApiResult {
    let account = session::require_account(&session).await?;
    let symbols = state.trading.watchlist(account).await?;
    Ok(Json(json!({ "symbols": symbols })).into_response())
}

async fn watch(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> ApiResult {
    let account = session::require_account(&session).await?;
    let symbols = state.trading.set_watched(account, &code, true).await?;
    Ok(Json(json!({ "symbols": symbols })).into_response())
}

async fn unwatch(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> ApiResult {
    let account = session::require_account(&session).await?;
    let symbols = state.trading.set_watched(account, &code, false).await?;
    Ok(Json(json!({ "symbols": symbols })).into_response())
}

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
    let listings = state.trading.market.listings();
    let symbol = match params.get("symbol") {
        None => None,
        Some(code) => {
            let listing = listings
                .by_code(code)
                .ok_or_else(|| TradingError::UnknownSymbol(code.clone()))?;
            Some((i64::from(listing.symbol.0), listing.sector.clone()))
        }
    };
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
    let rows = state
        .storage
        .news(&crate::storage::NewsFilter {
            symbol,
            before,
            limit,
        })
        .await
        .map_err(TradingError::from)?;
    let items: Vec<_> = (rows.iter())
        .map(|row| crate::market::news_view(listings, row))
        .collect();
    let next_before = (items.len() as i64 == limit)
        .then(|| items.last().map(|item| item.id))
        .flatten();
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
    let market = &state.trading.market;
    let book = (market.listings().by_code(&code))
        .and_then(|listing| market.book(listing.symbol, depth))
        .ok_or(TradingError::UnknownSymbol(code))?;
    Ok((StatusCode::OK, Json(book)).into_response())
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
            return Err(TradingError::invalid(
                "interval",
                "필수 항목입니다. 1m, 5m, 1h, 1d 중 하나를 고르세요.",
                "This field is required: one of 1m, 5m, 1h, 1d.",
            ));
        }
        Some(key) => CandleInterval::parse(key).ok_or_else(|| {
            TradingError::invalid(
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
