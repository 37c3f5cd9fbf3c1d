//! Everything order entry and the trading reads can refuse, mapped once to an
//! HTTP status and to the shared [`AppError`] (a machine-readable code, the
//! input it concerns, and a message in Korean and English).

use crate::exchange::{ExchangeError, Reject};
use crate::storage::StorageError;
use app::api::AppError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum TradingError {
    #[error("rejected by the exchange: {0:?}")]
    Rejected(Reject),
    #[error("invalid {field}: {message_en}")]
    Invalid {
        field: &'static str,
        message_ko: &'static str,
        message_en: &'static str,
    },
    #[error("the request body is not a JSON object")]
    Malformed,
    #[error("no session")]
    Unauthenticated,
    #[error("order {0} not found")]
    OrderNotFound(u64),
    #[error("unknown symbol {0:?}")]
    UnknownSymbol(String),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the session store failed: {0}")]
    Session(String),
}

impl TradingError {
    pub fn invalid(
        field: &'static str,
        message_ko: &'static str,
        message_en: &'static str,
    ) -> Self {
        TradingError::Invalid {
            field,
            message_ko,
            message_en,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            TradingError::Rejected(reject) => match reject {
                Reject::UnknownOrder => StatusCode::NOT_FOUND,
                Reject::NotYourOrder => StatusCode::FORBIDDEN,
                Reject::SymbolHalted
                | Reject::NothingToChange
                | Reject::UnknownAccount
                | Reject::DuplicateClientId => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            TradingError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            TradingError::Malformed => StatusCode::BAD_REQUEST,
            TradingError::Unauthenticated => StatusCode::UNAUTHORIZED,
            TradingError::OrderNotFound(_) | TradingError::UnknownSymbol(_) => {
                StatusCode::NOT_FOUND
            }
            TradingError::Exchange(_) | TradingError::Storage(_) | TradingError::Session(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    pub fn to_app_error(&self) -> AppError {
        let (code, field, ko, en): (&str, Option<&str>, &str, &str) = match self {
            TradingError::Rejected(reject) => reject_text(*reject),
            TradingError::Invalid {
                field,
                message_ko,
                message_en,
            } => ("invalid", Some(*field), *message_ko, *message_en),
            TradingError::Malformed => (
                "malformed_json",
                None,
                "요청 본문이 올바른 JSON 객체가 아닙니다.",
                "The request body is not a valid JSON object.",
            ),
            TradingError::Unauthenticated => (
                "unauthenticated",
                None,
                "세션이 없습니다. 먼저 세션을 시작해 주세요.",
                "No session. Start a session first.",
            ),
            TradingError::OrderNotFound(_) => (
                "unknown_order",
                Some("order_id"),
                "주문을 찾을 수 없습니다.",
                "No such order.",
            ),
            TradingError::UnknownSymbol(_) => (
                "unknown_symbol",
                Some("symbol"),
                "존재하지 않는 종목입니다.",
                "No such symbol.",
            ),
            TradingError::Exchange(ExchangeError::Busy) => (
                "busy",
                None,
                "주문이 몰리고 있습니다. 잠시 후 다시 시도해 주세요.",
                "The exchange is busy. Please retry shortly.",
            ),
            TradingError::Exchange(_) => (
                "exchange_stopped",
                None,
                "거래소가 주문을 받지 않고 있습니다. 잠시 후 다시 시도해 주세요.",
                "The exchange is not taking orders. Please try again later.",
            ),
            TradingError::Storage(_) | TradingError::Session(_) => return AppError::unavailable(),
        };
        AppError {
            code: code.to_owned(),
            field: field.map(str::to_owned),
            message_ko: ko.to_owned(),
            message_en: en.to_owned(),
        }
    }
}

impl From<TradingError> for AppError {
    fn from(err: TradingError) -> Self {
        if err.status().is_server_error() {
            tracing::warn!(%err, "trading request failed");
        }
        err.to_app_error()
    }
}

impl IntoResponse for TradingError {
    fn into_response(self) -> Response {
        let status = self.status();
        let busy = matches!(self, TradingError::Exchange(ExchangeError::Busy));
        let mut response = (status, Json(AppError::from(self))).into_response();
        if busy {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// Code, input field, Korean and English message for each engine rejection.
fn reject_text(
    reject: Reject,
) -> (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
) {
    match reject {
        Reject::UnknownSymbol => (
            "unknown_symbol",
            Some("symbol"),
            "존재하지 않는 종목입니다.",
            "No such symbol.",
        ),
        Reject::SymbolHalted => (
            "symbol_halted",
            Some("symbol"),
            "거래가 정지된 종목입니다.",
            "Trading in this symbol is halted.",
        ),
        Reject::BadQuantity => (
            "bad_quantity",
            Some("qty"),
            "수량은 1주 이상 10억 주 이하의 정수여야 합니다.",
            "Quantity must be a whole number from 1 to 1,000,000,000.",
        ),
        Reject::BadPrice => (
            "bad_price",
            Some("price"),
            "가격은 0보다 커야 합니다.",
            "Price must be greater than zero.",
        ),
        Reject::OffTick => (
            "off_tick",
            Some("price"),
            "호가 단위에 맞지 않는 가격입니다.",
            "The price is not on the tick grid.",
        ),
        Reject::OutsideBand => (
            "outside_band",
            Some("price"),
            "가격제한폭(상한가·하한가)을 벗어난 가격입니다.",
            "The price is outside today's price limits.",
        ),
        Reject::BadAmount => (
            "bad_amount",
            Some("amount"),
            "금액이 올바르지 않습니다.",
            "The amount is not valid.",
        ),
        Reject::UnknownAccount => (
            "unknown_account",
            None,
            "계좌가 아직 개설되지 않았습니다.",
            "The account is not open yet.",
        ),
        Reject::InsufficientCash => (
            "insufficient_cash",
            Some("qty"),
            "주문 가능 금액이 부족합니다.",
            "Not enough cash available for this order.",
        ),
        Reject::InsufficientShares => (
            "insufficient_shares",
            Some("qty"),
            "매도 가능 수량이 부족합니다.",
            "Not enough shares available to sell.",
        ),
        Reject::AmountTooLarge => (
            "amount_too_large",
            Some("qty"),
            "주문 금액이 너무 큽니다.",
            "The order value is too large.",
        ),
        Reject::UnknownOrder => (
            "unknown_order",
            Some("order_id"),
            "체결되었거나 취소되었거나 존재하지 않는 주문입니다.",
            "The order is filled, cancelled or does not exist.",
        ),
        Reject::NotYourOrder => (
            "not_your_order",
            Some("order_id"),
            "본인의 주문만 정정하거나 취소할 수 있습니다.",
            "You can only change or cancel your own orders.",
        ),
        Reject::NothingToChange => (
            "nothing_to_change",
            None,
            "바뀌는 내용이 없습니다.",
            "The amendment changes nothing.",
        ),
        Reject::DuplicateClientId => (
            "duplicate_client_order_id",
            Some("client_order_id"),
            "이미 사용한 주문 식별번호입니다. 새 번호로 주문해 주세요.",
            "This client order id was already used. Use a new one.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rejection_has_a_distinct_code_and_both_languages() {
        let all = Reject::ALL;
        let mut codes: Vec<_> = all.iter().map(|r| reject_text(*r).0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for reject in all {
            let err = TradingError::Rejected(reject);
            assert!(err.status().is_client_error(), "{reject:?}");
            let app = err.to_app_error();
            assert!(!app.message_ko.is_empty() && !app.message_en.is_empty());
        }
    }

    #[test]
    fn busy_is_a_retryable_503() {
        let response = TradingError::Exchange(ExchangeError::Busy).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
