//! `/ws`: the websocket upgrade. The Origin is checked, the session found,
//! and the connection (`crate::realtime`) is told which private topics its
//! caller may follow: their own accounts' streams, each checked when
//! subscribed (the session still theirs, the account theirs), with its
//! snapshot read then. A connection opened without a session follows no
//! private topic: the page reconnects once its first order made one.

use super::caller::Caller;
use super::{ApiError, AppState};
use crate::exchange::AccountId;
use crate::realtime::{ConnectionSettings, MAX_WS_MESSAGE_BYTES, PrivateTopics};
use crate::sessions::Sessions;
use crate::trading::{AccountRef, Trading};
use app::realtime::{Topic, TopicEvent};
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::Session;
use tower_sessions::session::Id;

pub async fn ws_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !state.origin_allowed(&headers) {
        return ApiError::ForbiddenOrigin.into_response();
    }
    if let Err(err) = state.floods.socket(caller.ip).await {
        return err.into_response();
    }
    let settings = ConnectionSettings {
        queue: state.settings.realtime.client_queue,
        idle: Duration::from_millis(state.settings.realtime.idle_timeout_ms),
    };
    let principal = match caller.principal().await {
        Ok(principal) => principal,
        Err(err) => return err.into_response(),
    };
    let private: Option<Arc<dyn PrivateTopics>> = match (principal, caller.session.id()) {
        (Some(principal), Some(session)) => Some(Arc::new(OwnTopics {
            user: principal.user_id(),
            session,
            sessions: state.sessions.clone(),
            trading: state.trading.clone(),
        })),
        _ => None,
    };
    let (hub, shutdown) = (state.hub.clone(), state.shutdown.clone());
    let ended =
        (caller.session.id()).map(|id| (id.to_string(), state.sessions.revoked.subscribe()));
    upgrade
        .max_message_size(MAX_WS_MESSAGE_BYTES)
        .on_upgrade(move |socket| {
            crate::realtime::serve(socket, hub, settings, shutdown, ended, private)
        })
}

/// The private topics of the user a connection was opened for: their
/// accounts' streams, while the session still speaks for them.
struct OwnTopics {
    user: i64,
    session: Id,
    sessions: Sessions,
    trading: Trading,
}

impl OwnTopics {
    async fn own_account(&self, topic: &Topic) -> Option<AccountId> {
        let Topic::Account { account_id } = topic else {
            return None;
        };
        // The session as stored now: one that ended since the upgrade (a
        // sign-out, a sign-in elsewhere, a kept guest) speaks for nobody.
        let store = Arc::new(self.sessions.store.clone());
        let session = Session::new(Some(self.session), store, None);
        let now = self.sessions.principal(&session).await.ok().flatten()?;
        if now.user_id() != self.user {
            return None;
        }
        let which = AccountRef::Id(*account_id);
        self.trading
            .account_of(self.user, which)
            .await
            .ok()
            .flatten()
    }
}

#[async_trait::async_trait]
impl PrivateTopics for OwnTopics {
    async fn authorize(&self, topic: &Topic) -> bool {
        self.own_account(topic).await.is_some()
    }

    async fn snapshot(&self, topic: &Topic) -> Option<TopicEvent> {
        let account = self.own_account(topic).await?;
        match self.trading.account_snapshot(account).await {
            Ok(snapshot) => Some(TopicEvent::AccountSnapshot(snapshot)),
            Err(err) => {
                tracing::warn!(%err, "cannot read an account's snapshot");
                None
            }
        }
    }
}
