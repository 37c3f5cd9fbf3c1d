//! The JSON API under `/api/v1/`, for bots, the load generator and tools:
//! one router per feature, merged here. Trading needs a session
//! (`POST /api/v1/session` opens one); market data is public. Bodies and
//! query strings are read field by field (`super::input`) so every bad
//! input is named.

pub(super) mod auth;
mod market;
mod trading;

use super::{ApiError, AppState};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(trading::routes())
        .merge(market::routes())
        .nest("/auth", auth::routes())
        .fallback(|| async { ApiError::NotFound })
}
