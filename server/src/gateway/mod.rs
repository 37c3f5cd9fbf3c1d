//! The order gateway: the one way into the exchange for the JSON routes,
//! the UI's server functions, the bots and the trading day. A caller submits
//! a [`Command`] and awaits its committed reply, waits until reads show a
//! sequence number, or follows committed events. [`LocalGateway`] runs the
//! engine in this process ([`service`]); a later web node without an engine
//! implements the same trait by forwarding to the engine's leader, and
//! nothing that calls it changes.

pub mod service;
pub mod snapshot;

pub use service::{
    CommitObserver, Committed, Exchange, ExchangeError, ExchangeSettings, ExchangeTasks, Submitted,
    recover, replay,
};

use crate::clock::Clock;
use crate::exchange::Command;
use crate::storage::Storage;
use std::sync::Arc;
use tokio::sync::broadcast;

#[async_trait::async_trait]
pub trait OrderGateway: Send + Sync + 'static {
    /// Executes `command`, stamped with the gateway's clock, and answers once
    /// it is committed. `Busy`: nothing was done, retry later.
    async fn submit(&self, command: Command) -> Result<Submitted, ExchangeError>;

    /// Waits until reads of the read models (orders, fills, balances,
    /// positions) show every command through `seq`.
    async fn read_after(&self, seq: u64) -> Result<(), ExchangeError>;

    /// Committed events from now on, batch by batch.
    fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>>;

    /// Whether order entry has stopped for good (after a failed commit).
    fn is_stopped(&self) -> bool;
}

/// The exchange of this process behind the gateway.
#[derive(Clone)]
pub struct LocalGateway {
    pub exchange: Exchange,
    pub storage: Arc<dyn Storage>,
    pub clock: Arc<dyn Clock>,
}

#[async_trait::async_trait]
impl OrderGateway for LocalGateway {
    async fn submit(&self, command: Command) -> Result<Submitted, ExchangeError> {
        self.exchange.submit(command, self.clock.now_ms()).await
    }

    async fn read_after(&self, seq: u64) -> Result<(), ExchangeError> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        Ok(self.storage.read_models().caught_up_to(seq).await?)
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.exchange.subscribe()
    }

    fn is_stopped(&self) -> bool {
        self.exchange.is_stopped()
    }
}
