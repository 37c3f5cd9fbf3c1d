//! Sessions (tower-sessions) kept in our own database through the
//! [`Storage`] trait, so they work on SQLite and PostgreSQL alike and survive
//! restarts. Until accounts arrive (issue 6) a session holds one guest
//! account; the cookie is HttpOnly and SameSite=Lax, and Secure behind HTTPS.

use super::{Trading, TradingError};
use crate::exchange::AccountId;
use crate::storage::Storage;
use async_trait::async_trait;
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{CachingSessionStore, Expiry, MemoryStore, Session, SessionManagerLayer};

pub const COOKIE_NAME: &str = "gaemi_session";
const ACCOUNT_KEY: &str = "account_id";

#[derive(Clone)]
pub struct StoredSessions {
    storage: Arc<dyn Storage>,
}

impl std::fmt::Debug for StoredSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSessions")
            .field("backend", &self.storage.backend())
            .finish()
    }
}

fn backend_error(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn encode(record: &Record) -> session_store::Result<(String, i64)> {
    let json = serde_json::to_string(record)
        .map_err(|err| session_store::Error::Encode(err.to_string()))?;
    let expiry_ms = (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64;
    Ok((json, expiry_ms))
}

#[async_trait]
impl SessionStore for StoredSessions {
    /// Inserts only under an unused id, drawing a new one on a collision,
    /// so two sessions can never share an id.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let (json, expiry_ms) = encode(record)?;
            let created = self
                .storage
                .create_session(&record.id.to_string(), &json, expiry_ms)
                .await
                .map_err(backend_error)?;
            if created {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (json, expiry_ms) = encode(record)?;
        self.storage
            .save_session(&record.id.to_string(), &json, expiry_ms)
            .await
            .map_err(backend_error)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let json = self
            .storage
            .load_session(&id.to_string(), crate::now_ms())
            .await
            .map_err(backend_error)?;
        json.map(|json| {
            serde_json::from_str(&json).map_err(|err| session_store::Error::Decode(err.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.storage
            .delete_session(&id.to_string())
            .await
            .map_err(backend_error)
    }
}

/// Sessions read through a process-local cache: an order request then costs
/// no database read to find its account (the load test showed that read,
/// through SQLite's worker thread, dominating). Writes go to both.
pub type CachedSessions = CachingSessionStore<MemoryStore, StoredSessions>;

pub fn layer(storage: Arc<dyn Storage>, https: bool) -> SessionManagerLayer<CachedSessions> {
    let store = CachingSessionStore::new(MemoryStore::default(), StoredSessions { storage });
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(https)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(30)))
}

/// The account this session trades with, if it has one.
pub async fn account(session: &Session) -> Result<Option<AccountId>, TradingError> {
    let id: Option<u64> = session.get(ACCOUNT_KEY).await.map_err(session_error)?;
    Ok(id.map(AccountId))
}

pub async fn require_account(session: &Session) -> Result<AccountId, TradingError> {
    account(session).await?.ok_or(TradingError::Unauthenticated)
}

/// The session's account, opening a funded guest account on first use.
pub async fn account_or_open(
    session: &Session,
    trading: &Trading,
) -> Result<AccountId, TradingError> {
    if let Some(account) = account(session).await? {
        return Ok(account);
    }
    let account = trading.open_account("guest").await?;
    session
        .insert(ACCOUNT_KEY, account.0)
        .await
        .map_err(session_error)?;
    Ok(account)
}

fn session_error(err: tower_sessions::session::Error) -> TradingError {
    TradingError::Session(err.to_string())
}
