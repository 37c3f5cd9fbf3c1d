//! The clock topic: server time and online count, once per interval. It is the
//! live heartbeat the shell shows, and proves the realtime path end to end.

use super::Hub;
use app::realtime::{ClockTick, Topic, TopicEvent};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub async fn run_clock(hub: Arc<Hub>, interval: Duration, shutdown: CancellationToken) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticker.tick() => {
                let tick = ClockTick { server_time_ms: crate::now_ms(), online: hub.online() };
                hub.publish(Topic::Clock, TopicEvent::Clock(tick));
            }
        }
    }
}
