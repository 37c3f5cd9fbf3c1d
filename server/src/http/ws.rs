//! `/ws`: the websocket upgrade. The Origin is checked, the session found,
//! and the connection (`crate::realtime`) is told which private topics its
//! caller may follow: their own accounts' streams, each checked against
//! ownership when subscribed, with its snapshot read then.

use super::caller::Caller;
use super::{ApiError, AppState};
use crate::exchange::AccountId;
use crate::realtime::{ConnectionSettings, MAX_WS_MESSAGE_BYTES, PrivateTopics};
use crate::trading::{AccountRef, Trading};
use app::realtime::{Topic, TopicEvent};
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

pub async fn ws_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !state.origin_allowed(&headers) {
        return ApiError::ForbiddenOrigin.into_response();
    }
    let settings = ConnectionSettings {
        queue: state.settings.realtime.client_queue,
        idle: Duration::from_millis(state.settings.realtime.idle_timeout_ms),
    };
    let private: Option<Arc<dyn PrivateTopics>> = match caller.principal().await {
        Ok(Some(principal)) => Some(Arc::new(OwnTopics {
            user: principal.user_id(),
            trading: state.trading.clone(),
        })),
        Ok(None) => None,
        Err(err) => return err.into_response(),
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

/// The private topics of one user: their accounts' streams.
struct OwnTopics {
    user: i64,
    trading: Trading,
}

impl OwnTopics {
    async fn own_account(&self, topic: &Topic) -> Option<AccountId> {
        let Topic::Account { account_id } = topic else {
            return None;
        };
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
