//! Ports: the traits through which server functions reach the back end. `app`
//! defines them (it cannot name `server`'s types); `server` implements them and
//! provides each as `Arc<dyn Port>` in the Leptos context of every request.

use crate::api::{AppError, ServerStatus};

#[async_trait::async_trait]
pub trait SystemPort: Send + Sync + 'static {
    /// Version, storage backend and start history of this server.
    async fn status(&self) -> Result<ServerStatus, AppError>;
}

/// Order entry and the caller's own orders, fills and portfolio. Every
/// method finds the caller's account from the request's session, so a caller
/// can never name someone else's account.
#[async_trait::async_trait]
pub trait TradingPort: Send + Sync + 'static {
    async fn place(
        &self,
        request: &http::request::Parts,
        input: crate::trading::PlaceOrderInput,
    ) -> Result<crate::trading::OrderAck, AppError>;

    async fn amend(
        &self,
        request: &http::request::Parts,
        input: crate::trading::AmendOrderInput,
    ) -> Result<crate::trading::OrderAck, AppError>;

    async fn cancel(
        &self,
        request: &http::request::Parts,
        order_id: u64,
    ) -> Result<crate::trading::OrderAck, AppError>;

    async fn orders(
        &self,
        request: &http::request::Parts,
        query: crate::trading::ListQuery,
    ) -> Result<crate::trading::Page<crate::trading::OrderView>, AppError>;

    async fn fills(
        &self,
        request: &http::request::Parts,
        query: crate::trading::ListQuery,
    ) -> Result<crate::trading::Page<crate::trading::FillView>, AppError>;

    async fn portfolio(
        &self,
        request: &http::request::Parts,
    ) -> Result<crate::trading::PortfolioView, AppError>;

    /// The caller's watchlist (symbol codes); empty before they trade.
    async fn watchlist(&self, request: &http::request::Parts) -> Result<Vec<String>, AppError>;

    /// Stars or unstars a symbol for the caller; answers the new watchlist.
    async fn set_watched(
        &self,
        request: &http::request::Parts,
        symbol: String,
        watched: bool,
    ) -> Result<Vec<String>, AppError>;

    /// Every listing with its ticker and trend (public: no session needed).
    async fn market(&self) -> Result<crate::market::MarketOverview, AppError>;

    /// One listing with its sector, news and fee rates (public).
    async fn stock(&self, code: String) -> Result<crate::stock::StockView, AppError>;

    /// Candle history of one listing, oldest first (public).
    async fn candles(
        &self,
        code: String,
        interval: crate::realtime::CandleInterval,
        before: Option<i64>,
        limit: i64,
    ) -> Result<crate::stock::CandleHistory, AppError>;
}

/// Sign-up, sign-in and the signed-in user's own profile. Methods taking
/// the request find the session (and the client address for the guessing
/// limits) in it; none can name another user.
#[async_trait::async_trait]
pub trait AccountPort: Send + Sync + 'static {
    async fn current(
        &self,
        request: &http::request::Parts,
    ) -> Result<Option<crate::auth::Profile>, AppError>;

    async fn sign_up(
        &self,
        request: &http::request::Parts,
        form: crate::auth::SignUpForm,
    ) -> Result<(), AppError>;

    async fn verify_email(&self, token: String) -> Result<(), AppError>;

    async fn resend_verification(
        &self,
        request: &http::request::Parts,
        email: String,
    ) -> Result<(), AppError>;

    async fn sign_in(
        &self,
        request: &http::request::Parts,
        email: String,
        password: String,
    ) -> Result<crate::auth::Profile, AppError>;

    async fn sign_out(&self, request: &http::request::Parts) -> Result<(), AppError>;

    async fn request_reset(
        &self,
        request: &http::request::Parts,
        email: String,
    ) -> Result<(), AppError>;

    async fn reset_password(&self, token: String, new_password: String) -> Result<(), AppError>;

    async fn change_password(
        &self,
        request: &http::request::Parts,
        current_password: String,
        new_password: String,
    ) -> Result<(), AppError>;

    async fn change_nickname(
        &self,
        request: &http::request::Parts,
        nickname: String,
    ) -> Result<String, AppError>;

    async fn delete(
        &self,
        request: &http::request::Parts,
        password: String,
    ) -> Result<(), AppError>;

    /// Finishes a provider sign-up with the chosen nickname.
    async fn complete_social(
        &self,
        request: &http::request::Parts,
        nickname: String,
        claim_guest: bool,
    ) -> Result<crate::auth::Profile, AppError>;
}
