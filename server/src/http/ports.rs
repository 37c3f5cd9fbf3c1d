//! The ports the UI's server functions call (`app`'s `SystemPort`,
//! `TradingPort`, `MarketPort`, `StockPort`, `AccountPort`), implemented
//! over the same domain services and the same [`Caller`] as the JSON
//! routes, and refusing with the same [`ApiError`] map: a refusal gets the
//! status and body the matching route gives. A visitor with no session
//! reads like a guest whose account is not open yet; their first order or
//! star makes them a guest.

use super::AppState;
use super::account_flows::reset_password;
use super::caller::Caller;
use super::error::refuse;
use crate::trading::views::account_view;
use app::api::{AppError, ServerStatus, SystemPort};
use app::auth::{AccountPort, Profile, SignUpForm};
use app::market::{MarketOverview, MarketPort};
use app::realtime::CandleInterval;
use app::stock::{CandleHistory, StockPort, StockView};
use app::trading::{
    AccountView, AmendOrderInput, EquityView, FillView, ListQuery, OrderAck, OrderView, Page,
    PlaceOrderInput, PortfolioView, TradingPort,
};
use axum::http::request::Parts;

/// Every port, over the server's state.
pub struct Ports(pub AppState);

impl Ports {
    fn caller(&self, request: &Parts) -> Result<Caller, AppError> {
        Caller::of(request, &self.0).map_err(refuse)
    }

    /// The user a read is for; `None` for a visitor nobody speaks for yet.
    async fn reader(&self, request: &Parts) -> Result<Option<i64>, AppError> {
        let principal = self.caller(request)?.principal().await.map_err(refuse)?;
        Ok(principal.map(|p| p.user_id()))
    }

    /// The user an order or a star is for: a guest made now if nobody.
    async fn writer(&self, request: &Parts) -> Result<i64, AppError> {
        let caller = self.caller(request)?;
        let principal = caller.principal_or_guest().await.map_err(refuse)?;
        Ok(principal.user_id())
    }

    /// Counts an order, amendment or cancellation against the flood limits.
    async fn count_order(&self, request: &Parts, user: i64) -> Result<(), AppError> {
        let ip = super::caller::client_ip(request, &self.0.trusted_proxies);
        self.0
            .floods
            .order(ip, user)
            .await
            .map_err(|err| err.refuse())
    }

    /// The user an order change is for: with nobody, no order exists.
    async fn changer(&self, request: &Parts, order_id: u64) -> Result<i64, AppError> {
        match self.reader(request).await? {
            Some(user) => Ok(user),
            None => Err(refuse(crate::trading::TradingError::OrderNotFound(
                order_id,
            ))),
        }
    }
}

#[async_trait::async_trait]
impl SystemPort for Ports {
    async fn status(&self) -> Result<ServerStatus, AppError> {
        let state = &self.0;
        let start_count = state.storage.start_count().await.map_err(refuse)?;
        Ok(ServerStatus {
            version: crate::VERSION.to_owned(),
            storage: state.storage.backend().name().to_owned(),
            started_at_ms: state.started_at_ms,
            start_count,
        })
    }
}

#[async_trait::async_trait]
impl TradingPort for Ports {
    async fn place(
        &self,
        request: &Parts,
        account: Option<u64>,
        input: PlaceOrderInput,
    ) -> Result<OrderAck, AppError> {
        let user = self.writer(request).await?;
        self.count_order(request, user).await?;
        let trading = &self.0.trading;
        trading
            .place(user, account.into(), input)
            .await
            .map_err(refuse)
    }

    async fn amend(
        &self,
        request: &Parts,
        account: Option<u64>,
        input: AmendOrderInput,
    ) -> Result<OrderAck, AppError> {
        let user = self.changer(request, input.order_id).await?;
        self.count_order(request, user).await?;
        let trading = &self.0.trading;
        trading
            .amend(user, account.into(), input)
            .await
            .map_err(refuse)
    }

    async fn cancel(
        &self,
        request: &Parts,
        account: Option<u64>,
        order_id: u64,
    ) -> Result<OrderAck, AppError> {
        let user = self.changer(request, order_id).await?;
        self.count_order(request, user).await?;
        let trading = &self.0.trading;
        trading
            .cancel(user, account.into(), order_id)
            .await
            .map_err(refuse)
    }

    async fn orders(
        &self,
        request: &Parts,
        account: Option<u64>,
        query: ListQuery,
    ) -> Result<Page<OrderView>, AppError> {
        let Some(user) = self.reader(request).await? else {
            return Ok(Page::empty());
        };
        let trading = &self.0.trading;
        trading
            .orders(user, account.into(), query)
            .await
            .map_err(refuse)
    }

    async fn fills(
        &self,
        request: &Parts,
        account: Option<u64>,
        query: ListQuery,
    ) -> Result<Page<FillView>, AppError> {
        let Some(user) = self.reader(request).await? else {
            return Ok(Page::empty());
        };
        let trading = &self.0.trading;
        trading
            .fills(user, account.into(), query)
            .await
            .map_err(refuse)
    }

    async fn portfolio(
        &self,
        request: &Parts,
        account: Option<u64>,
    ) -> Result<PortfolioView, AppError> {
        let trading = &self.0.trading;
        match self.reader(request).await? {
            Some(user) => trading
                .portfolio(user, account.into())
                .await
                .map_err(refuse),
            None if account.is_none() => Ok(trading.unopened_portfolio()),
            None => Err(refuse(crate::trading::TradingError::AccountNotFound)),
        }
    }

    async fn equity(&self, request: &Parts, account: Option<u64>) -> Result<EquityView, AppError> {
        let trading = &self.0.trading;
        match self.reader(request).await? {
            Some(user) => trading.equity(user, account.into()).await.map_err(refuse),
            None if account.is_none() => Ok(trading.unopened_equity()),
            None => Err(refuse(crate::trading::TradingError::AccountNotFound)),
        }
    }

    async fn accounts(&self, request: &Parts) -> Result<Vec<AccountView>, AppError> {
        let Some(user) = self.reader(request).await? else {
            return Ok(Vec::new());
        };
        let rows = self.0.trading.accounts(user).await.map_err(refuse)?;
        Ok(rows.iter().map(account_view).collect())
    }

    async fn watchlist(&self, request: &Parts) -> Result<Vec<String>, AppError> {
        let Some(user) = self.reader(request).await? else {
            return Ok(Vec::new());
        };
        self.0.trading.watchlist(user).await.map_err(refuse)
    }

    async fn set_watched(
        &self,
        request: &Parts,
        symbol: String,
        watched: bool,
    ) -> Result<Vec<String>, AppError> {
        let user = self.writer(request).await?;
        let trading = &self.0.trading;
        trading
            .set_watched(user, &symbol, watched)
            .await
            .map_err(refuse)
    }
}

#[async_trait::async_trait]
impl MarketPort for Ports {
    async fn market(&self) -> Result<MarketOverview, AppError> {
        let state = &self.0;
        crate::market::overview(&state.trading.market, state.storage.as_ref())
            .await
            .map_err(refuse)
    }

    async fn latest_news(&self) -> Result<Vec<app::realtime::NewsView>, AppError> {
        let state = &self.0;
        let limit = app::market::LATEST_NEWS;
        let news = crate::market::news(
            &state.trading.market,
            state.storage.as_ref(),
            None,
            None,
            limit,
        );
        Ok(news.await.map_err(refuse)?.0)
    }
}

#[async_trait::async_trait]
impl StockPort for Ports {
    fn is_listed(&self, code: &str) -> bool {
        crate::market::listed(&self.0.trading.market, code).is_ok()
    }

    async fn stock(&self, code: String) -> Result<StockView, AppError> {
        let state = &self.0;
        let trading = &state.trading;
        crate::market::stock(
            &trading.market,
            state.storage.as_ref(),
            &code,
            trading.settings.fees,
        )
        .await
        .map_err(refuse)
    }

    async fn candles(
        &self,
        code: String,
        interval: CandleInterval,
        before: Option<i64>,
        limit: i64,
    ) -> Result<CandleHistory, AppError> {
        let state = &self.0;
        crate::market::candle_history(
            &state.trading.market,
            state.storage.as_ref(),
            &code,
            interval,
            before,
            limit,
        )
        .await
        .map_err(refuse)
    }
}

#[async_trait::async_trait]
impl AccountPort for Ports {
    async fn current(&self, request: &Parts) -> Result<Option<Profile>, AppError> {
        self.caller(request)?.current().await.map_err(refuse)
    }

    async fn sign_up(&self, request: &Parts, form: SignUpForm) -> Result<(), AppError> {
        self.caller(request)?.sign_up(&form).await.map_err(refuse)
    }

    async fn verify_email(&self, request: &Parts, token: String) -> Result<Profile, AppError> {
        let caller = self.caller(request)?;
        caller.verify_email(&token).await.map_err(refuse)
    }

    async fn resend_verification(&self, request: &Parts, email: String) -> Result<(), AppError> {
        let ip = self.caller(request)?.ip;
        (self.0.accounts)
            .resend_verification(&email, ip)
            .await
            .map_err(refuse)
    }

    async fn sign_in(
        &self,
        request: &Parts,
        email: String,
        password: String,
    ) -> Result<Profile, AppError> {
        let caller = self.caller(request)?;
        caller.sign_in(&email, &password).await.map_err(refuse)
    }

    async fn sign_out(&self, request: &Parts) -> Result<(), AppError> {
        self.caller(request)?.sign_out().await.map_err(refuse)
    }

    async fn request_reset(&self, request: &Parts, email: String) -> Result<(), AppError> {
        let ip = self.caller(request)?.ip;
        self.0
            .accounts
            .request_reset(&email, ip)
            .await
            .map_err(refuse)
    }

    async fn reset_password(&self, token: String, new_password: String) -> Result<(), AppError> {
        reset_password(&self.0, &token, &new_password)
            .await
            .map_err(refuse)
    }

    async fn change_password(
        &self,
        request: &Parts,
        current_password: String,
        new_password: String,
    ) -> Result<(), AppError> {
        let caller = self.caller(request)?;
        (caller
            .change_password(&current_password, &new_password)
            .await)
            .map_err(refuse)
    }

    async fn change_nickname(&self, request: &Parts, nickname: String) -> Result<String, AppError> {
        let caller = self.caller(request)?;
        caller.change_nickname(&nickname).await.map_err(refuse)
    }

    async fn delete(&self, request: &Parts, password: String) -> Result<(), AppError> {
        self.caller(request)?
            .delete(&password)
            .await
            .map_err(refuse)
    }

    async fn complete_social(
        &self,
        request: &Parts,
        nickname: String,
        claim_guest: bool,
    ) -> Result<Profile, AppError> {
        let caller = self.caller(request)?;
        (caller.social_sign_up(&nickname, claim_guest).await).map_err(refuse)
    }

    fn social_providers(&self) -> Vec<String> {
        (crate::accounts::oauth::Provider::ALL.into_iter())
            .filter(|provider| self.0.accounts.oauth.configured(*provider))
            .map(|provider| provider.name().to_owned())
            .collect()
    }
}
