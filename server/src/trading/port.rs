//! The [`TradingPort`] the UI's server functions call: finds the session in
//! the request and hands over to [`Trading`]. A first-time visitor gets a
//! funded guest account on their first trading call.

use super::{Trading, TradingError, session};
use crate::exchange::AccountId;
use app::api::AppError;
use app::ports::TradingPort;
use app::trading::{
    AmendOrderInput, FillView, ListQuery, OrderAck, OrderView, Page, PlaceOrderInput, PortfolioView,
};
use axum::http::request::Parts;
use tower_sessions::Session;

pub struct TradingForUi(pub Trading);

impl TradingForUi {
    async fn caller(&self, request: &Parts) -> Result<AccountId, AppError> {
        let session = request
            .extensions
            .get::<Session>()
            .ok_or(TradingError::Unauthenticated)?;
        Ok(session::account_or_open(session, &self.0).await?)
    }
}

#[async_trait::async_trait]
impl TradingPort for TradingForUi {
    async fn place(&self, request: &Parts, input: PlaceOrderInput) -> Result<OrderAck, AppError> {
        let account = self.caller(request).await?;
        Ok(self.0.place(account, input).await?)
    }

    async fn amend(&self, request: &Parts, input: AmendOrderInput) -> Result<OrderAck, AppError> {
        let account = self.caller(request).await?;
        Ok(self.0.amend(account, input).await?)
    }

    async fn cancel(&self, request: &Parts, order_id: u64) -> Result<OrderAck, AppError> {
        let account = self.caller(request).await?;
        Ok(self.0.cancel(account, order_id).await?)
    }

    async fn orders(&self, request: &Parts, query: ListQuery) -> Result<Page<OrderView>, AppError> {
        let account = self.caller(request).await?;
        Ok(self.0.orders(account, query).await?)
    }

    async fn fills(&self, request: &Parts, query: ListQuery) -> Result<Page<FillView>, AppError> {
        let account = self.caller(request).await?;
        Ok(self.0.fills(account, query).await?)
    }

    async fn portfolio(&self, request: &Parts) -> Result<PortfolioView, AppError> {
        let account = self.caller(request).await?;
        Ok(self.0.portfolio(account).await?)
    }

    async fn watchlist(&self, request: &Parts) -> Result<Vec<String>, AppError> {
        let session = request
            .extensions
            .get::<Session>()
            .ok_or(TradingError::Unauthenticated)?;
        match session::account(session).await? {
            Some(account) => Ok(self.0.watchlist(account).await?),
            None => Ok(Vec::new()),
        }
    }

    async fn set_watched(
        &self,
        request: &Parts,
        symbol: String,
        watched: bool,
    ) -> Result<Vec<String>, AppError> {
        let account = self.caller(request).await?;
        Ok(self.0.set_watched(account, &symbol, watched).await?)
    }

    async fn market(&self) -> Result<app::market::MarketOverview, AppError> {
        crate::market::overview(&self.0.market, self.0.storage.as_ref())
            .await
            .map_err(|err| TradingError::from(err).into())
    }

    async fn stock(&self, code: String) -> Result<app::stock::StockView, AppError> {
        let trading = &self.0;
        Ok(crate::market::stock(
            &trading.market,
            trading.storage.as_ref(),
            &code,
            trading.fees,
        )
        .await?)
    }

    async fn candles(
        &self,
        code: String,
        interval: app::realtime::CandleInterval,
        before: Option<i64>,
        limit: i64,
    ) -> Result<app::stock::CandleHistory, AppError> {
        let trading = &self.0;
        Ok(crate::market::candle_history(
            &trading.market,
            trading.storage.as_ref(),
            &code,
            interval,
            before,
            limit,
        )
        .await?)
    }
}
