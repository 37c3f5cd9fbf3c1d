//! Everything the account operations refuse, as a typed domain error; the
//! HTTP edge (`crate::http::error`) maps it once to a status and a message.
//! A wrong e-mail or password, an unknown address and a bad link are each
//! one variant whatever the cause, so no answer tells whether an address
//! is registered.

use super::password::HashError;
use crate::storage::StorageError;
use app::api::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid {}: {}", .0.field, .0.message_en)]
    Invalid(FieldError),
    #[error("the nickname is taken")]
    NicknameTaken,
    #[error("the provider identity belongs to another user")]
    IdentityTaken,
    #[error("no such sign-in provider")]
    UnknownProvider,
    #[error("the sign-in provider failed: {0}")]
    Provider(String),
    #[error("wrong e-mail or password")]
    WrongCredentials,
    /// The signed-in member's own password, re-entered in `field`, is wrong.
    #[error("wrong {0}")]
    WrongPassword(&'static str),
    #[error("the confirmation does not match the nickname")]
    ConfirmMismatch,
    #[error("the e-mail address is not verified")]
    Unverified,
    #[error("the link is unknown, used or expired")]
    BadLink,
    #[error("not signed in")]
    SignedOut,
    #[error("too many attempts; retry in {0} s")]
    TooMany(u64),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
