//! Sessions, accounts, order entry and the caller's private reads. Every
//! route but `POST /session` needs a session; each acts on the account
//! `?account=` names (the caller's main account when omitted), and one
//! that is not the caller's is answered like one that does not exist.

use crate::http::caller::{Acting, Caller};
use crate::http::input;
use crate::http::{ApiError, AppState};
use crate::sessions::Principal;
use crate::trading::AccountRef;
use crate::trading::views::account_view;
use app::trading::AccountView;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(open_session).get(current_session))
        .route("/accounts", get(accounts).post(open_main_account))
        .route("/orders", post(place).get(list_orders).delete(cancel_all))
        .route(
            "/orders/{order_id}",
            get(get_order).patch(amend).delete(cancel),
        )
        .route("/fills", get(list_fills))
        .route("/portfolio", get(portfolio))
        .route("/portfolio/equity", get(equity))
        .route("/watchlist", get(watchlist))
        .route(
            "/watchlist/{symbol}",
            axum::routing::put(watch).delete(unwatch),
        )
}

type ApiResult = Result<Response, ApiError>;

fn order_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::invalid(
            "order_id",
            "주문 번호는 0 이상의 정수여야 합니다.",
            "The order id must be a whole number.",
        )
    })
}

/// Who the session speaks for, and their main account once it is open.
async fn session_view(state: &AppState, principal: Principal) -> ApiResult {
    let (user_id, kind) = match principal {
        Principal::Member(id) => (id, "member"),
        Principal::Guest(id) => (id, "guest"),
    };
    let main = state.trading.account_of(user_id, AccountRef::Main).await?;
    Ok(Json(json!({
        "user_id": user_id,
        "kind": kind,
        "main_account_id": main.map(|account| account.0),
    }))
    .into_response())
}

/// Opens a session for a guest (or keeps the one the cookie names). No
/// account opens until the first order.
async fn open_session(State(state): State<AppState>, caller: Caller) -> ApiResult {
    let principal = caller.principal_or_guest().await?;
    session_view(&state, principal).await
}

async fn current_session(State(state): State<AppState>, caller: Caller) -> ApiResult {
    let principal = caller.require().await?;
    session_view(&state, principal).await
}

async fn accounts(State(state): State<AppState>, caller: Caller) -> ApiResult {
    let user = caller.require().await?.user_id();
    let rows = state.trading.accounts(user).await?;
    let accounts: Vec<AccountView> = rows.iter().map(account_view).collect();
    Ok(Json(json!({ "accounts": accounts })).into_response())
}

/// Opens the caller's main account now rather than with their first order
/// (a bot that sells shares it was given first); answers it either way.
async fn open_main_account(State(state): State<AppState>, caller: Caller) -> ApiResult {
    let user = caller.require().await?.user_id();
    let account = state
        .trading
        .account_or_open(user, AccountRef::Main)
        .await?;
    Ok(Json(json!({ "account_id": account.0, "kind": "main" })).into_response())
}

async fn place(State(state): State<AppState>, acting: Acting, body: Bytes) -> ApiResult {
    let order = input::place(&body)?;
    state.floods.order(acting.ip, acting.user).await?;
    let ack = state
        .trading
        .place(acting.user, acting.account, order)
        .await?;
    Ok(Json(ack).into_response())
}

async fn amend(
    State(state): State<AppState>,
    acting: Acting,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let change = input::amend(order_id(&raw)?, &body)?;
    state.floods.order(acting.ip, acting.user).await?;
    let ack = state
        .trading
        .amend(acting.user, acting.account, change)
        .await?;
    Ok(Json(ack).into_response())
}

async fn cancel(
    State(state): State<AppState>,
    acting: Acting,
    Path(raw): Path<String>,
) -> ApiResult {
    let order_id = order_id(&raw)?;
    state.floods.order(acting.ip, acting.user).await?;
    let ack = (state.trading)
        .cancel(acting.user, acting.account, order_id)
        .await?;
    Ok(Json(ack).into_response())
}

async fn cancel_all(State(state): State<AppState>, acting: Acting) -> ApiResult {
    state.floods.order(acting.ip, acting.user).await?;
    let seq = state
        .trading
        .cancel_all(acting.user, acting.account)
        .await?;
    Ok(Json(json!({ "seq": seq })).into_response())
}

async fn get_order(
    State(state): State<AppState>,
    acting: Acting,
    Path(raw): Path<String>,
) -> ApiResult {
    let order = (state.trading)
        .order(acting.user, acting.account, order_id(&raw)?)
        .await?;
    Ok(Json(order).into_response())
}

async fn list_orders(
    State(state): State<AppState>,
    acting: Acting,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let query = input::list_query(&params)?;
    let page = state
        .trading
        .orders(acting.user, acting.account, query)
        .await?;
    Ok(Json(page).into_response())
}

async fn list_fills(
    State(state): State<AppState>,
    acting: Acting,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let query = input::list_query(&params)?;
    let page = state
        .trading
        .fills(acting.user, acting.account, query)
        .await?;
    Ok(Json(page).into_response())
}

async fn portfolio(State(state): State<AppState>, acting: Acting) -> ApiResult {
    let view = state.trading.portfolio(acting.user, acting.account).await?;
    Ok(Json(view).into_response())
}

async fn equity(State(state): State<AppState>, acting: Acting) -> ApiResult {
    let view = state.trading.equity(acting.user, acting.account).await?;
    Ok(Json(view).into_response())
}

async fn watchlist(State(state): State<AppState>, caller: Caller) -> ApiResult {
    let user = caller.require().await?.user_id();
    let symbols = state.trading.watchlist(user).await?;
    Ok(Json(json!({ "symbols": symbols })).into_response())
}

async fn watch(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult {
    let user = caller.require().await?.user_id();
    let symbols = state.trading.set_watched(user, &code, true).await?;
    Ok(Json(json!({ "symbols": symbols })).into_response())
}

async fn unwatch(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult {
    let user = caller.require().await?.user_id();
    let symbols = state.trading.set_watched(user, &code, false).await?;
    Ok(Json(json!({ "symbols": symbols })).into_response())
}
