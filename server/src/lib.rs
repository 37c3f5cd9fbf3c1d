//! Gaemi's back end as a library: [`run`] serves the app on a listener until a
//! shutdown signal, so `main.rs`, the integration tests and (later) the load
//! generator all start the very same server.

pub mod config;
pub mod exchange;
pub mod http;
pub mod realtime;
pub mod storage;
pub mod system;
pub mod telemetry;

use config::Settings;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Wall-clock time in Unix milliseconds; read at the edges, never inside rules.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error("the HTTP server failed: {0}")]
    Serve(#[from] std::io::Error),
}

/// Opens storage, starts background tasks and serves until `shutdown`
/// resolves; then stops accepting, closes websockets and waits for tasks.
pub async fn run(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let storage = storage::open(&settings.gaemi.database_url).await?;
    let started_at_ms = now_ms();
    let starts = storage.record_start(VERSION, started_at_ms).await?;
    let token = CancellationToken::new();
    let hub = Arc::new(realtime::Hub::default());
    let state = http::AppState {
        allowed_origins: settings.allowed_origins().into(),
        leptos: settings.leptos.clone(),
        settings: Arc::new(settings.gaemi.clone()),
        storage: storage.clone(),
        hub: hub.clone(),
        system: Arc::new(system::System {
            storage: storage.clone(),
            started_at_ms,
        }),
        shutdown: token.clone(),
    };
    let clock = tokio::spawn(realtime::run_clock(
        hub,
        Duration::from_millis(settings.gaemi.realtime.clock_interval_ms),
        token.clone(),
    ));

    let addr = listener.local_addr()?;
    tracing::info!(%addr, storage = storage.backend().name(), starts, "Gaemi is serving on http://{addr}");
    let signal = {
        let token = token.clone();
        async move {
            shutdown.await;
            tracing::info!("shutting down");
            token.cancel();
        }
    };
    let served = axum::serve(listener, http::router(state))
        .with_graceful_shutdown(signal)
        .await;
    token.cancel();
    let _ = clock.await;
    storage.close().await;
    served?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
