//! Everything order entry and the trading reads can refuse, as a typed
//! domain error. The HTTP edge (`crate::http::error`) maps it, once, to a
//! status, a code, the input it concerns and a message in both languages.

use crate::exchange::Reject;
use crate::gateway::ExchangeError;
use crate::market::MarketError;
use crate::storage::StorageError;
use app::api::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum TradingError {
    #[error("rejected by the exchange: {0:?}")]
    Rejected(Reject),
    #[error("invalid {}: {}", .0.field, .0.message_en)]
    Invalid(FieldError),
    /// No such account, or not the caller's: the same answer for both, so
    /// nobody learns which account ids exist.
    #[error("no such account")]
    AccountNotFound,
    #[error("order {0} not found")]
    OrderNotFound(u64),
    #[error(transparent)]
    Market(#[from] MarketError),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl TradingError {
    pub fn invalid(field: &'static str, message_ko: &str, message_en: &str) -> Self {
        TradingError::Invalid(FieldError::new(field, message_ko, message_en))
    }

    pub fn unknown_symbol(code: &str) -> Self {
        TradingError::Market(MarketError::UnknownSymbol(code.to_owned()))
    }
}
