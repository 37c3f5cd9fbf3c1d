//! The trading contract: what the browser and the load generator send to
//! place, amend and cancel orders, and what they read back (orders, fills,
//! the portfolio). The same types travel through the server functions (for
//! the UI) and the JSON routes under `/api/v1/` (for bots and tools), so
//! both surfaces always agree. Money and quantities are `i64` won and shares.

use crate::api::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderSide {
    Buy,
    Sell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderKind {
    Limit,
    Market,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeInForce {
    /// Good till cancelled.
    #[default]
    Gtc,
    /// Immediate or cancel.
    Ioc,
    /// Fill or kill.
    Fok,
}

/// Where an order stands. `Open` includes partly filled orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Open,
    Filled,
    Cancelled,
}

impl OrderStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Filled => "filled",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

/// A new order. `client_order_id` is the caller's idempotency key: sending
/// the same one again returns the first result instead of a second order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceOrderInput {
    pub client_order_id: u64,
    pub symbol: String,
    pub side: OrderSide,
    pub kind: OrderKind,
    /// Required for limit orders, absent for market orders.
    pub price: Option<i64>,
    pub qty: i64,
    #[serde(default)]
    pub tif: TimeInForce,
}

/// A new price and remaining quantity for an open order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendOrderInput {
    pub order_id: u64,
    pub price: i64,
    pub qty: i64,
}

/// One order as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub order_id: u64,
    pub client_order_id: u64,
    pub symbol: String,
    pub side: OrderSide,
    pub kind: OrderKind,
    pub tif: TimeInForce,
    /// The limit price; `None` for market orders.
    pub price: Option<i64>,
    pub qty: i64,
    pub filled_qty: i64,
    pub remaining_qty: i64,
    /// Won paid or received for the filled part, before fees.
    pub filled_value: i64,
    pub status: OrderStatus,
    /// Why it was cancelled: `requested`, `unfilled`, `fill_or_kill`, `self_trade`,
    /// `outside_band` (a new trading day's band left its price outside).
    pub cancel_reason: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// One execution of one of the caller's orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillView {
    /// Stable and unique; also the pagination key.
    pub fill_id: String,
    pub order_id: u64,
    pub symbol: String,
    pub side: OrderSide,
    pub price: i64,
    pub qty: i64,
    pub commission: i64,
    pub tax: i64,
    /// True when the caller's order was resting on the book.
    pub maker: bool,
    pub ts_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldingView {
    pub symbol: String,
    pub qty_available: i64,
    /// Shares reserved by open sell orders.
    pub qty_held: i64,
    /// What the shares cost (trade value; fees are charged as cash).
    pub cost: i64,
    /// `cost / qty`, rounded down; `0` without shares.
    pub avg_price: i64,
    /// The last trade price (the reference price before the first trade).
    pub last_price: i64,
    pub value: i64,
    pub pnl: i64,
    /// Return in basis points of cost (display only).
    pub return_bp: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioView {
    pub account_id: u64,
    pub cash_available: i64,
    /// Cash reserved by open buy orders, worst-case commission included.
    pub cash_held: i64,
    pub holdings: Vec<HoldingView>,
    /// Cash plus holdings at their last price.
    pub total_value: i64,
    /// Net deposits: what the account was given.
    pub deposited: i64,
    pub pnl: i64,
    pub return_bp: i64,
}

/// What placing, amending or cancelling answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAck {
    pub order: OrderView,
    /// The global sequence number of the command that made this state.
    pub seq: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Newest,
    Oldest,
}

/// Filters and paging for order and fill lists. `cursor` is the
/// `next_cursor` of the previous page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    pub symbol: Option<String>,
    pub side: Option<OrderSide>,
    /// Orders only.
    pub status: Option<OrderStatus>,
    #[serde(default)]
    pub sort: SortOrder,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl ListQuery {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 500;
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The caller of a trading server function, as the server knows it from
/// the request (its session).
#[cfg(feature = "ssr")]
pub(crate) fn request_parts() -> Result<http::request::Parts, AppError> {
    use_context::<http::request::Parts>().ok_or_else(AppError::unavailable)
}

#[cfg(feature = "ssr")]
pub(crate) fn trading() -> Result<std::sync::Arc<dyn crate::ports::TradingPort>, AppError> {
    use_context::<std::sync::Arc<dyn crate::ports::TradingPort>>().ok_or_else(AppError::unavailable)
}

#[server(prefix = "/api/fn", endpoint = "place_order", output = crate::codec::JsonText)]
pub async fn place_order(input: PlaceOrderInput) -> Result<OrderAck, AppError> {
    trading()?.place(&request_parts()?, input).await
}

#[server(prefix = "/api/fn", endpoint = "amend_order", output = crate::codec::JsonText)]
pub async fn amend_order(input: AmendOrderInput) -> Result<OrderAck, AppError> {
    trading()?.amend(&request_parts()?, input).await
}

#[server(prefix = "/api/fn", endpoint = "cancel_order", output = crate::codec::JsonText)]
pub async fn cancel_order(order_id: u64) -> Result<OrderAck, AppError> {
    trading()?.cancel(&request_parts()?, order_id).await
}

#[server(prefix = "/api/fn", endpoint = "list_orders", output = crate::codec::JsonText)]
pub async fn list_orders(query: ListQuery) -> Result<Page<OrderView>, AppError> {
    trading()?.orders(&request_parts()?, query).await
}

#[server(prefix = "/api/fn", endpoint = "list_fills", output = crate::codec::JsonText)]
pub async fn list_fills(query: ListQuery) -> Result<Page<FillView>, AppError> {
    trading()?.fills(&request_parts()?, query).await
}

#[server(prefix = "/api/fn", endpoint = "portfolio", output = crate::codec::JsonText)]
pub async fn get_portfolio() -> Result<PortfolioView, AppError> {
    trading()?.portfolio(&request_parts()?).await
}
