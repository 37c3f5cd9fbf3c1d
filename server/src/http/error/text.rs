//! The table behind [`super::ApiError`]: each refusal's status, code, input
//! and message in both languages.

use super::ApiError;
use crate::accounts::AccountError;
use crate::exchange::Reject;
use crate::gateway::ExchangeError;
use crate::market::MarketError;
use crate::sessions::SessionError;
use crate::trading::TradingError;
use app::api::{AppError, FieldError};
use axum::http::StatusCode;

pub(super) fn status(err: &ApiError) -> StatusCode {
    match err {
        ApiError::Trading(err) => trading_status(err),
        ApiError::Account(err) => account_status(err),
        ApiError::Market(err) => market_status(err),
        ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ApiError::Malformed => StatusCode::BAD_REQUEST,
        ApiError::NoSession => StatusCode::UNAUTHORIZED,
        ApiError::ForbiddenOrigin => StatusCode::FORBIDDEN,
        ApiError::NotFound => StatusCode::NOT_FOUND,
        ApiError::Flood(_) => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Session(SessionError::Ended) => StatusCode::UNAUTHORIZED,
        ApiError::NotReady(_) | ApiError::Session(_) | ApiError::Storage(_) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

fn trading_status(err: &TradingError) -> StatusCode {
    match err {
        TradingError::Rejected(reject) => match reject {
            // Another account's order is answered like one that does not
            // exist, so nobody learns which order ids are someone's.
            Reject::UnknownOrder | Reject::NotYourOrder => StatusCode::NOT_FOUND,
            Reject::SymbolHalted
            | Reject::NothingToChange
            | Reject::UnknownAccount
            | Reject::DuplicateClientId => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        },
        TradingError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        TradingError::AccountNotFound | TradingError::OrderNotFound(_) => StatusCode::NOT_FOUND,
        TradingError::Market(err) => market_status(err),
        TradingError::Exchange(_) | TradingError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn market_status(err: &MarketError) -> StatusCode {
    match err {
        MarketError::UnknownSymbol(_) => StatusCode::NOT_FOUND,
        MarketError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        MarketError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn account_status(err: &AccountError) -> StatusCode {
    match err {
        AccountError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AccountError::NicknameTaken | AccountError::IdentityTaken => StatusCode::CONFLICT,
        AccountError::WrongCredentials | AccountError::SignedOut => StatusCode::UNAUTHORIZED,
        AccountError::WrongPassword(_)
        | AccountError::ConfirmMismatch
        | AccountError::Unverified => StatusCode::FORBIDDEN,
        AccountError::BadLink => StatusCode::GONE,
        AccountError::UnknownProvider => StatusCode::NOT_FOUND,
        AccountError::Provider(_) => StatusCode::BAD_GATEWAY,
        AccountError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
        AccountError::Hash(_) | AccountError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Code, input field, Korean and English message.
type Text = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);

pub(super) fn body(err: &ApiError) -> AppError {
    let text: Text = match err {
        ApiError::Invalid(field) => return field_error(field),
        ApiError::Trading(err) => match trading_text(err) {
            Ok(text) => text,
            Err(body) => return body,
        },
        ApiError::Account(err) => match account_text(err) {
            Ok(text) => text,
            Err(body) => return body,
        },
        ApiError::Market(err) => match market_text(err) {
            Ok(text) => text,
            Err(body) => return body,
        },
        ApiError::Malformed => MALFORMED,
        ApiError::NoSession => (
            "unauthenticated",
            None,
            "세션이 없습니다. 먼저 세션을 시작해 주세요.",
            "No session. Start a session first.",
        ),
        ApiError::ForbiddenOrigin => (
            "forbidden_origin",
            None,
            "다른 사이트에서 보낸 요청은 처리할 수 없습니다.",
            "Requests from other sites are not allowed.",
        ),
        ApiError::NotFound => (
            "not_found",
            None,
            "존재하지 않는 API 경로입니다.",
            "No such API route.",
        ),
        ApiError::Flood(_) => (
            "too_many_requests",
            None,
            "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.",
            "Too many requests. Please wait a moment and try again.",
        ),
        ApiError::NotReady(_) => (
            "not_ready",
            None,
            "서버가 아직 준비되지 않았습니다.",
            "The server is not ready.",
        ),
        ApiError::Session(SessionError::Ended) => SIGNED_OUT,
        ApiError::Session(_) | ApiError::Storage(_) => return AppError::unavailable(),
    };
    let (code, field, ko, en) = text;
    AppError {
        code: code.to_owned(),
        field: field.map(str::to_owned),
        message_ko: ko.to_owned(),
        message_en: en.to_owned(),
    }
}

const MALFORMED: Text = (
    "malformed_json",
    None,
    "요청 본문이 올바른 JSON 객체가 아닙니다.",
    "The request body is not a valid JSON object.",
);

const SIGNED_OUT: Text = (
    "signed_out",
    None,
    "로그인이 필요합니다.",
    "Please sign in.",
);

fn field_error(field: &FieldError) -> AppError {
    AppError::from(field.clone())
}

fn trading_text(err: &TradingError) -> Result<Text, AppError> {
    Ok(match err {
        TradingError::Rejected(reject) => reject_text(*reject),
        TradingError::Invalid(field) => return Err(field_error(field)),
        TradingError::AccountNotFound => (
            "unknown_account",
            Some("account"),
            "계좌를 찾을 수 없습니다.",
            "No such account.",
        ),
        TradingError::OrderNotFound(_) => (
            "unknown_order",
            Some("order_id"),
            "주문을 찾을 수 없습니다.",
            "No such order.",
        ),
        TradingError::Market(err) => return market_text(err),
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
        TradingError::Storage(_) => return Err(AppError::unavailable()),
    })
}

fn market_text(err: &MarketError) -> Result<Text, AppError> {
    Ok(match err {
        MarketError::UnknownSymbol(_) => (
            "unknown_symbol",
            Some("symbol"),
            "존재하지 않는 종목입니다.",
            "No such symbol.",
        ),
        MarketError::Invalid(field) => return Err(field_error(field)),
        MarketError::Storage(_) => return Err(AppError::unavailable()),
    })
}

fn account_text(err: &AccountError) -> Result<Text, AppError> {
    Ok(match err {
        AccountError::Invalid(field) => return Err(field_error(field)),
        AccountError::NicknameTaken => (
            "nickname_taken",
            Some("nickname"),
            "이미 쓰이고 있는 닉네임입니다.",
            "This nickname is taken.",
        ),
        AccountError::IdentityTaken => (
            "identity_taken",
            None,
            "이 소셜 계정은 이미 다른 회원에게 연결되어 있습니다.",
            "This social account is already linked to another user.",
        ),
        AccountError::UnknownProvider => (
            "unknown_provider",
            None,
            "지원하지 않는 로그인 방식입니다.",
            "No such sign-in provider.",
        ),
        AccountError::Provider(_) => (
            "provider_failed",
            None,
            "소셜 로그인 서비스가 응답하지 않습니다. 잠시 후 다시 시도해 주세요.",
            "The sign-in provider did not answer. Please try again later.",
        ),
        AccountError::WrongCredentials => (
            "wrong_credentials",
            Some("password"),
            "이메일 또는 비밀번호가 맞지 않습니다.",
            "Wrong e-mail address or password.",
        ),
        AccountError::WrongPassword(field) => (
            "wrong_password",
            Some(*field),
            "비밀번호가 맞지 않습니다.",
            "Wrong password.",
        ),
        AccountError::ConfirmMismatch => (
            "confirmation_mismatch",
            Some("password"),
            "확인을 위해 닉네임을 정확히 입력해 주세요.",
            "Type your nickname exactly to confirm.",
        ),
        AccountError::Unverified => (
            "email_unverified",
            Some("email"),
            "이메일 인증을 마쳐 주세요. 받은편지함의 인증 메일을 확인하세요.",
            "Please verify your e-mail address first: check your inbox.",
        ),
        AccountError::BadLink => (
            "bad_link",
            None,
            "링크가 잘못되었거나 이미 사용되었거나 만료되었습니다. 새 링크를 요청해 주세요.",
            "This link is invalid, used or expired. Please ask for a new one.",
        ),
        AccountError::SignedOut => SIGNED_OUT,
        AccountError::TooMany(_) => (
            "too_many_attempts",
            None,
            "시도가 너무 많습니다. 잠시 후 다시 시도해 주세요.",
            "Too many attempts. Please wait a moment and try again.",
        ),
        AccountError::Hash(_) | AccountError::Storage(_) => return Err(AppError::unavailable()),
    })
}

/// Each engine rejection's text.
fn reject_text(reject: Reject) -> Text {
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
            "account_not_open",
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
        Reject::UnknownOrder | Reject::NotYourOrder => (
            "unknown_order",
            Some("order_id"),
            "체결되었거나 취소되었거나 존재하지 않는 주문입니다.",
            "The order is filled, cancelled or does not exist.",
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
