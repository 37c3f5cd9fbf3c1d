//! Ports: the traits through which server functions reach the back end. `app`
//! defines them (it cannot name `server`'s types); `server` implements them and
//! provides each as `Arc<dyn Port>` in the Leptos context of every request.

use crate::api::{AppError, ServerStatus};

#[async_trait::async_trait]
pub trait SystemPort: Send + Sync + 'static {
    /// Version, storage backend and start history of this server.
    async fn status(&self) -> Result<ServerStatus, AppError>;
}
