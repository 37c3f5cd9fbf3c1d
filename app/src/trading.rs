//! The trading contract: what the browser and the load generator send to
//! place, amend and cancel orders, and what they read back (orders, fills,
//! the portfolio). The same types travel through the server functions (for
//! the UI) and the JSON routes under `/api/v1/` (for bots and tools), so
//! both surfaces always agree. Money and quantities are `i64` won and shares.

use crate::api::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderSide {
    Buy,
    Sell,
}
crate::deserialize_from_word!(OrderSide { "buy" => Buy, "sell" => Sell, });

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderKind {
    Limit,
    Market,
}
crate::deserialize_from_word!(OrderKind { "limit" => Limit, "market" => Market, });

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
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
crate::deserialize_from_word!(TimeInForce { "gtc" => Gtc, "ioc" => Ioc, "fok" => Fok, });

/// Where an order stands. `Open` includes partly filled orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Open,
    Filled,
    Cancelled,
}
crate::deserialize_from_word!(OrderStatus { "open" => Open, "filled" => Filled, "cancelled" => Cancelled, });

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
    /// The account it was placed on.
    pub account_id: u64,
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
    /// `outside_band` (a new trading day's band left its price outside),
    /// `fees_changed` (the commission rose and the account could not hold more).
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
    /// `None` for a main account not opened yet: the view shows what it
    /// will open with, and the first order opens it.
    pub account_id: Option<u64>,
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

/// An account's worth over time: one point per trading day (its close),
/// oldest first, the last being today valued at the last prices; built by
/// the server from the account's fills and the daily closing prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquityView {
    /// `None` for a main account not opened yet (one point: what it opens
    /// with).
    pub account_id: Option<u64>,
    pub points: Vec<EquityPoint>,
    /// Net deposits: the line the curve is measured against.
    pub deposited: i64,
    /// What every fill of the account paid in commission, and in tax.
    pub commission_paid: i64,
    pub tax_paid: i64,
}

/// The account's worth at the close of the trading day starting at
/// `day_start_ms` (Unix ms; today: now).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquityPoint {
    pub day_start_ms: i64,
    pub equity: i64,
}

/// One of the caller's accounts: the main one, or one per round joined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub account_id: u64,
    /// `main` or `round`.
    pub kind: String,
    pub round_id: Option<u64>,
    pub created_ms: i64,
}

/// An account's cash, as its private stream carries it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashView {
    pub available: i64,
    /// Reserved by open buy orders, worst-case commission included.
    pub held: i64,
    /// Net deposits.
    pub deposited: i64,
}

/// An account's shares of one listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionView {
    pub symbol: String,
    pub available: i64,
    /// Reserved by open sell orders.
    pub held: i64,
    /// What the shares cost (trade value).
    pub cost: i64,
}

/// The first event of an account's private stream (`account:<id>`): its
/// cash, positions and open orders as of `seq`. Updates with `seq` at or
/// below it are already in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSnapshot {
    pub account_id: u64,
    pub seq: u64,
    pub cash: CashView,
    pub positions: Vec<PositionView>,
    pub open_orders: Vec<OrderView>,
}

/// What one commit changed in an account, each part in its latest state:
/// orders that were accepted, filled (partly or fully), amended or
/// cancelled; the fills; the cash if it changed; positions that changed
/// (a position of no shares is gone). `prev_seq` is the `seq` of the
/// account's previous update: a client that has applied up to `s` applies
/// this one if `prev_seq <= s` and re-subscribes (a new snapshot) if not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUpdate {
    pub account_id: u64,
    pub seq: u64,
    pub prev_seq: u64,
    pub orders: Vec<OrderView>,
    pub fills: Vec<FillView>,
    pub cash: Option<CashView>,
    pub positions: Vec<PositionView>,
}

/// What placing, amending or cancelling answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAck {
    pub order: OrderView,
    /// The global sequence number of the command that made this state.
    pub seq: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Newest,
    Oldest,
}
crate::deserialize_from_word!(SortOrder { "newest" => Newest, "oldest" => Oldest, });

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

impl<T> Page<T> {
    /// No items and nothing after them.
    pub fn empty() -> Page<T> {
        Page {
            items: Vec::new(),
            next_cursor: None,
        }
    }
}

/// `part` in basis points of `whole` (0 when there is no whole): returns
/// are shown, never booked, so the rounding down here is fine.
pub fn basis_points(part: i64, whole: i64) -> i64 {
    if whole > 0 {
        (i128::from(part) * 10_000 / i128::from(whole)) as i64
    } else {
        0
    }
}

/// Order entry and the caller's own accounts, orders, fills, portfolio
/// and watchlist: the trading feature's port, implemented by the server.
/// Every method finds the caller in the request's session; `account` names
/// one of the caller's accounts (`None`: their main account), and the
/// server refuses an account that is not theirs exactly as one that does
/// not exist.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait TradingPort: Send + Sync + 'static {
    async fn place(
        &self,
        request: &http::request::Parts,
        account: Option<u64>,
        input: PlaceOrderInput,
    ) -> Result<OrderAck, AppError>;

    async fn amend(
        &self,
        request: &http::request::Parts,
        account: Option<u64>,
        input: AmendOrderInput,
    ) -> Result<OrderAck, AppError>;

    async fn cancel(
        &self,
        request: &http::request::Parts,
        account: Option<u64>,
        order_id: u64,
    ) -> Result<OrderAck, AppError>;

    async fn orders(
        &self,
        request: &http::request::Parts,
        account: Option<u64>,
        query: ListQuery,
    ) -> Result<Page<OrderView>, AppError>;

    async fn fills(
        &self,
        request: &http::request::Parts,
        account: Option<u64>,
        query: ListQuery,
    ) -> Result<Page<FillView>, AppError>;

    async fn portfolio(
        &self,
        request: &http::request::Parts,
        account: Option<u64>,
    ) -> Result<PortfolioView, AppError>;

    /// The account's equity curve and the fees and tax it paid.
    async fn equity(
        &self,
        request: &http::request::Parts,
        account: Option<u64>,
    ) -> Result<EquityView, AppError>;

    /// The caller's accounts (none before their first order).
    async fn accounts(&self, request: &http::request::Parts) -> Result<Vec<AccountView>, AppError>;

    /// The caller's watchlist (symbol codes); empty before they star one.
    async fn watchlist(&self, request: &http::request::Parts) -> Result<Vec<String>, AppError>;

    /// Stars or unstars a symbol for the caller; answers the new watchlist.
    async fn set_watched(
        &self,
        request: &http::request::Parts,
        symbol: String,
        watched: bool,
    ) -> Result<Vec<String>, AppError>;
}

#[cfg(feature = "ssr")]
pub(crate) fn trading() -> Result<std::sync::Arc<dyn TradingPort>, AppError> {
    crate::api::port::<dyn TradingPort>()
}

#[cfg(feature = "ssr")]
use crate::api::request_parts;

#[server(prefix = "/api/fn", endpoint = "place_order", output = crate::codec::JsonText)]
pub async fn place_order(
    input: PlaceOrderInput,
    account: Option<u64>,
) -> Result<OrderAck, AppError> {
    trading()?.place(&request_parts()?, account, input).await
}

#[server(prefix = "/api/fn", endpoint = "amend_order", output = crate::codec::JsonText)]
pub async fn amend_order(
    input: AmendOrderInput,
    account: Option<u64>,
) -> Result<OrderAck, AppError> {
    trading()?.amend(&request_parts()?, account, input).await
}

#[server(prefix = "/api/fn", endpoint = "cancel_order", output = crate::codec::JsonText)]
pub async fn cancel_order(order_id: u64, account: Option<u64>) -> Result<OrderAck, AppError> {
    trading()?
        .cancel(&request_parts()?, account, order_id)
        .await
}

#[server(prefix = "/api/fn", endpoint = "list_orders", output = crate::codec::JsonText)]
pub async fn list_orders(
    query: ListQuery,
    account: Option<u64>,
) -> Result<Page<OrderView>, AppError> {
    trading()?.orders(&request_parts()?, account, query).await
}

#[server(prefix = "/api/fn", endpoint = "list_fills", output = crate::codec::JsonText)]
pub async fn list_fills(
    query: ListQuery,
    account: Option<u64>,
) -> Result<Page<FillView>, AppError> {
    trading()?.fills(&request_parts()?, account, query).await
}

#[server(prefix = "/api/fn", endpoint = "portfolio", output = crate::codec::JsonText)]
pub async fn get_portfolio(account: Option<u64>) -> Result<PortfolioView, AppError> {
    trading()?.portfolio(&request_parts()?, account).await
}

#[server(prefix = "/api/fn", endpoint = "equity", output = crate::codec::JsonText)]
pub async fn get_equity(account: Option<u64>) -> Result<EquityView, AppError> {
    trading()?.equity(&request_parts()?, account).await
}

#[server(prefix = "/api/fn", endpoint = "accounts", output = crate::codec::JsonText)]
pub async fn list_accounts() -> Result<Vec<AccountView>, AppError> {
    trading()?.accounts(&request_parts()?).await
}
