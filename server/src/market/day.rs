//! The turn of the trading day. When a day ends (KST midnight by default,
//! `market.day_seconds`), every listing gets an `OpenDay` command: its
//! close becomes the new reference for the ±30 % band, and the ticker's
//! daily figures start again. The engine takes the close itself, in order
//! with the trades, so nothing trades between the close and the new band.
//!
//! A server that was down over a day's end catches up at start: any listing
//! whose reference was set before the current day opens its day at once.
//! The day's end is read from the injected [`Clock`], so tests move the
//! clock past midnight instead of waiting for it.

use super::MarketData;
use crate::clock::Clock;
use crate::exchange::{Command, TradingDay};
use crate::gateway::{ExchangeError, OrderGateway};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Wait before retrying a command the full queue refused.
const BUSY_RETRY: Duration = Duration::from_millis(50);

/// Opens the current day (by `now_ms`) for every listing still on an
/// earlier one; returns how many were opened.
pub async fn open_due_days(
    gateway: &dyn OrderGateway,
    market: &MarketData,
    day: TradingDay,
    now_ms: i64,
) -> Result<usize, ExchangeError> {
    let today = day.start_of(now_ms);
    let mut opened = 0;
    for listing in market.listings().all() {
        let due = market
            .reference_set_ms(listing.symbol)
            .is_some_and(|set| set < today);
        if !due {
            continue;
        }
        let command = Command::OpenDay {
            symbol: listing.symbol,
        };
        loop {
            match gateway.submit(command.clone()).await {
                Ok(_) => break,
                // The day must turn even when order entry is saturated.
                Err(ExchangeError::Busy) => tokio::time::sleep(BUSY_RETRY).await,
                Err(err) => return Err(err),
            }
        }
        opened += 1;
    }
    Ok(opened)
}

/// Turns the day at every day's end until `shutdown`.
pub async fn run_day_turns(
    gateway: Arc<dyn OrderGateway>,
    market: Arc<MarketData>,
    day: TradingDay,
    clock: Arc<dyn Clock>,
    shutdown: CancellationToken,
) {
    loop {
        let next = day.next_start(clock.now_ms());
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = clock.sleep_until(next) => {}
        }
        match open_due_days(gateway.as_ref(), &market, day, clock.now_ms()).await {
            // Woken a moment early, nothing is due yet; the loop waits again.
            Ok(0) => {}
            Ok(opened) => tracing::info!(opened, "a new trading day opened"),
            Err(err) => {
                tracing::error!(%err, "the trading day could not turn");
                return;
            }
        }
    }
}
