//! Starts Gaemi: read settings, set up logs, bind the listen address, serve
//! until Ctrl-C or SIGTERM. Every rule lives in the library.

use anyhow::Context;
use gaemi::config::Settings;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load().context("invalid settings")?;
    gaemi::telemetry::init(settings.gaemi.log_format);
    let addr = settings.leptos.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    gaemi::run(settings, listener, gaemi::shutdown_signal())
        .await
        .context("Gaemi stopped with an error")?;
    Ok(())
}
