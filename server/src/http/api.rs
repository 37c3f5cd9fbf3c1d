//! The JSON API under `/api/v1/` for bots, the load generator and tools.
//! Order entry and the private reads need a session (`POST /api/v1/session`
//! opens one with a funded guest account); market data is public. Bodies
//! and query strings are read field by field so every bad input is named.

use super::AppState;
use crate::exchange::SymbolId;
use crate::market::{LISTINGS, data::SNAPSHOT_DEPTH, listings};
use crate::trading::{TradingError, input, session};
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
        .route("/market/symbols", get(symbols))
        .route("/market/{symbol}/book", get(book))
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

/// Every listing with its names and ticker.
async fn symbols(State(state): State<AppState>) -> Response {
    let symbols: Vec<_> = LISTINGS
        .iter()
        .enumerate()
        .filter_map(|(index, listing)| {
            let ticker = state.trading.market.ticker(SymbolId(index as u32))?;
            Some(json!({
                "symbol": listing.code,
                "name_ko": listing.name_ko,
                "name_en": listing.name_en,
                "ticker": ticker,
            }))
        })
        .collect();
    Json(json!({ "symbols": symbols })).into_response()
}

/// A book snapshot; `?depth=` levels per side (1 to 50, default 50).
async fn book(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let depth = match params.get("depth") {
        None => SNAPSHOT_DEPTH,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|d| (1..=SNAPSHOT_DEPTH).contains(d))
            .ok_or_else(|| {
                TradingError::invalid(
                    "depth",
                    "1에서 50 사이의 정수여야 합니다.",
                    "Must be a whole number from 1 to 50.",
                )
            })?,
    };
    let book = listings::by_code(&code)
        .and_then(|(symbol, _)| state.trading.market.book(symbol, depth))
        .ok_or(TradingError::UnknownSymbol(code))?;
    Ok((StatusCode::OK, Json(book)).into_response())
}
