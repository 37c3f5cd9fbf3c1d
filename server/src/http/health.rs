//! `/healthz` says the process is up (for restarts); `/readyz` says it can
//! serve (for load balancers): storage answers and no shutdown has begun.

use super::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if state.shutdown.is_cancelled() {
        return Err(ApiError::NotReady("shutting down".into()));
    }
    state
        .storage
        .ping()
        .await
        .map_err(|err| ApiError::NotReady(err.to_string()))?;
    Ok(Json(
        json!({ "status": "ready", "storage": state.storage.backend().name() }),
    ))
}
