//! What the public market reads refuse: an unknown stock, a bad query
//! value, or storage that did not answer. Mapped to HTTP once, at the edge
//! (`crate::http::error`).

use crate::storage::StorageError;
use app::api::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    #[error("unknown symbol {0:?}")]
    UnknownSymbol(String),
    #[error("invalid {}: {}", .0.field, .0.message_en)]
    Invalid(FieldError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl MarketError {
    pub fn invalid(field: &'static str, message_ko: &str, message_en: &str) -> MarketError {
        MarketError::Invalid(FieldError::new(field, message_ko, message_en))
    }
}
