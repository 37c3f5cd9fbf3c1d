//! `/healthz` says the process is up (for restarts); `/readyz` says it can
//! serve (for load balancers): storage answers and no shutdown has begun.

use super::{AppState, HttpError};
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, HttpError> {
    if state.shutdown.is_cancelled() {
        return Err(HttpError::NotReady("shutting down".into()));
    }
    state
        .storage
        .ping()
        .await
        .map_err(|err| HttpError::NotReady(err.to_string()))?;
    Ok(Json(
        json!({ "status": "ready", "storage": state.storage.backend().name() }),
    ))
}
