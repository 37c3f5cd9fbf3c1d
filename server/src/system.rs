//! The `SystemPort` the home page's server function calls: this process's
//! version and start time, and the start history kept in storage.

use crate::storage::Storage;
use app::api::{AppError, ServerStatus};
use app::ports::SystemPort;
use std::sync::Arc;

pub struct System {
    pub storage: Arc<dyn Storage>,
    pub started_at_ms: i64,
}

#[async_trait::async_trait]
impl SystemPort for System {
    async fn status(&self) -> Result<ServerStatus, AppError> {
        let start_count = self.storage.start_count().await.map_err(|err| {
            tracing::warn!(%err, "cannot read the start count");
            AppError::unavailable()
        })?;
        Ok(ServerStatus {
            version: crate::VERSION.to_owned(),
            storage: self.storage.backend().name().to_owned(),
            started_at_ms: self.started_at_ms,
            start_count,
        })
    }
}
