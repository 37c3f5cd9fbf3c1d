//! Who a request speaks for. A session (tower-sessions: an HttpOnly,
//! SameSite=Lax cookie, Secure behind HTTPS) holds a *principal*: the member
//! signed in on it, or the guest made for it when it first needs one (its
//! first order or star, or `POST /api/v1/session`). It never
//! holds an account: a trading call names the account it acts on and
//! `crate::trading` checks that the principal owns it. A member counts only
//! while this session is their one current session, so a session ended by
//! a sign-in elsewhere, a sign-out or a password change speaks for nobody.

pub mod redis;
mod stale_cookie;
mod store;

pub use stale_cookie::{keep_unknown_session_cookie, note_unknown_session};
pub use store::{CachedSessions, SESSION_CACHE_CAPACITY, Store, StoredSessions};

use crate::realtime::SessionEnded;
use crate::storage::{Storage, StorageError};
use sha2::Digest;
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::Id;
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};

pub const COOKIE_NAME: &str = "gaemi_session";
const MEMBER_KEY: &str = "user_id";
const GUEST_KEY: &str = "guest_id";
/// Before accounts had owners a session held the account it traded with;
/// such a session's guest is found through that account's owner.
const LEGACY_ACCOUNT_KEY: &str = "account_id";

/// The user a session speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A signed-in member, on their current session.
    Member(i64),
    /// The guest made for this browser session.
    Guest(i64),
}

impl Principal {
    pub const fn user_id(self) -> i64 {
        match self {
            Principal::Member(id) | Principal::Guest(id) => id,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The session was a member's and is not their current one any more:
    /// it must not quietly become someone else (a new guest).
    #[error("the session ended")]
    Ended,
    #[error("the session store failed: {0}")]
    Store(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<tower_sessions::session::Error> for SessionError {
    fn from(err: tower_sessions::session::Error) -> Self {
        SessionError::Store(err.to_string())
    }
}

impl From<tower_sessions::session_store::Error> for SessionError {
    fn from(err: tower_sessions::session_store::Error) -> Self {
        SessionError::Store(err.to_string())
    }
}

pub fn layer(store: Store, https: bool) -> SessionManagerLayer<Store> {
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(https)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(30)))
}

/// Ended sessions, announced so their open websockets close (and, for a
/// sign-in elsewhere, tell the page "signed in on another device").
#[derive(Clone)]
pub struct Revocations(tokio::sync::broadcast::Sender<SessionEnded>);

impl Default for Revocations {
    fn default() -> Self {
        Revocations(tokio::sync::broadcast::channel(256).0)
    }
}

impl Revocations {
    pub fn notify(&self, session_id: &str, elsewhere: bool) {
        // No receiver (no open websocket) is fine.
        let _ = self.0.send(SessionEnded {
            session: session_id.to_owned(),
            elsewhere,
        });
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<SessionEnded> {
        self.0.subscribe()
    }
}

/// The session store with what deciding a session's principal needs.
#[derive(Clone)]
pub struct Sessions {
    pub store: Store,
    storage: Arc<dyn Storage>,
    pub revoked: Revocations,
}

impl Sessions {
    pub fn new(store: Store, storage: Arc<dyn Storage>) -> Sessions {
        Sessions {
            store,
            storage,
            revoked: Revocations::default(),
        }
    }

    /// Who `session` speaks for, if anyone.
    pub async fn principal(&self, session: &Session) -> Result<Option<Principal>, SessionError> {
        if let Some(user_id) = session.get::<i64>(MEMBER_KEY).await? {
            let current = session.id().map(|id| id.to_string());
            let member = self.storage.user(user_id).await?;
            return Ok(member
                .filter(|user| user.deleted_ms.is_none() && user.current_session == current)
                .map(|_| Principal::Member(user_id)));
        }
        if let Some(guest) = session.get::<i64>(GUEST_KEY).await? {
            return Ok(Some(Principal::Guest(guest)));
        }
        self.legacy_guest(session).await
    }

    /// A session from before accounts had owners: its account's guest.
    async fn legacy_guest(&self, session: &Session) -> Result<Option<Principal>, SessionError> {
        let Some(account) = session.get::<i64>(LEGACY_ACCOUNT_KEY).await? else {
            return Ok(None);
        };
        let owner = self.storage.account(account).await?.and_then(|a| a.user_id);
        let Some(guest) = owner else { return Ok(None) };
        if !self.storage.is_guest(guest).await? {
            return Ok(None);
        }
        session.remove_value(LEGACY_ACCOUNT_KEY).await?;
        session.insert(GUEST_KEY, guest).await?;
        Ok(Some(Principal::Guest(guest)))
    }

    /// Who `session` speaks for; a guest made now if nobody. Requests that
    /// race on one session get one guest: it is keyed by the session.
    pub async fn principal_or_guest(
        &self,
        session: &Session,
        now_ms: i64,
    ) -> Result<Principal, SessionError> {
        if let Some(principal) = self.principal(session).await? {
            return Ok(principal);
        }
        if session.get::<i64>(MEMBER_KEY).await?.is_some() {
            return Err(SessionError::Ended);
        }
        let key = match session.id() {
            // Only a hash: the id is the cookie's secret.
            Some(id) => format!(
                "session:{}",
                hex::encode(sha2::Sha256::digest(id.to_string()))
            ),
            // A session not stored yet has no other request to race with.
            None => format!("new:{}", Id::default()),
        };
        let guest = self.storage.guest_for_key(&key, now_ms).await?;
        session.insert(GUEST_KEY, guest).await?;
        Ok(Principal::Guest(guest))
    }

    /// Signs member `user_id` in on this session under a new id (no
    /// fixation) and ends the member's previous session wherever it is.
    pub async fn sign_in(&self, session: &Session, user_id: i64) -> Result<(), SessionError> {
        let before = session.id().map(|id| id.to_string());
        session.cycle_id().await?;
        session.remove_value(GUEST_KEY).await?;
        session.remove_value(LEGACY_ACCOUNT_KEY).await?;
        session.insert(MEMBER_KEY, user_id).await?;
        // Saved now, not at the end of the response, so the id exists to
        // be recorded as the member's one session.
        session.save().await?;
        let id = session.id().map(|id| id.to_string());
        self.end_member_session(user_id, id.as_deref(), before.as_deref())
            .await
    }

    /// Ends this session: its record leaves the store, and a member signed
    /// in on it has no current session until they sign in again.
    /// Its open websockets close (they may carry the user's private
    /// streams) and reconnect as whoever the browser is now.
    pub async fn end(&self, session: &Session) -> Result<(), SessionError> {
        if let Some(Principal::Member(user_id)) = self.principal(session).await? {
            self.storage.replace_session(user_id, None).await?;
        }
        let id = session.id();
        session.flush().await?;
        if let Some(id) = id {
            self.revoked.notify(&id.to_string(), false);
        }
        Ok(())
    }

    /// Makes `keep` the member's only session, deleting the one it replaces
    /// and telling that session's open websockets, unless it is `own`: the
    /// caller's own session before a new id (a password change keeps the
    /// member's tabs, which follow the new cookie).
    pub async fn end_member_session(
        &self,
        user_id: i64,
        keep: Option<&str>,
        own: Option<&str>,
    ) -> Result<(), SessionError> {
        let old = self.storage.replace_session(user_id, keep).await?;
        self.forget(old.as_deref(), own).await
    }

    /// Removes a member's ended session from the store (the users row no
    /// longer names it, so it already speaks for nobody) and tells its
    /// open websockets, unless it is `own` (see `end_member_session`).
    pub async fn forget(&self, ended: Option<&str>, own: Option<&str>) -> Result<(), SessionError> {
        if let Some(old) = ended.and_then(|old| old.parse::<Id>().ok()) {
            self.store.delete(&old).await?;
            if own != Some(old.to_string().as_str()) {
                self.revoked.notify(&old.to_string(), true);
            }
        }
        Ok(())
    }
}
