//! Time as a dependency. Whatever time decides (a command's timestamp, and
//! with it the trading day a trade falls in; when the day turns; when a
//! mailed link expires; later, when a round ends) asks a [`Clock`] handed
//! in at start, so tests move a [`ManualClock`] instead of sleeping.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Unix milliseconds now, and a way to wait for a later moment.
#[async_trait::async_trait]
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> i64;

    /// Resolves once [`Clock::now_ms`] has reached `at_ms`.
    async fn sleep_until(&self, at_ms: i64);
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

#[async_trait::async_trait]
impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        crate::now_ms()
    }

    async fn sleep_until(&self, at_ms: i64) {
        // Woken a little early the caller simply looks again; a wall clock
        // set back meanwhile only makes the wait longer.
        loop {
            let left = at_ms - self.now_ms();
            if left <= 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(left as u64)).await;
        }
    }
}

/// A clock that stands still until a test moves it; sleepers wake when it
/// passes their moment.
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<watch::Sender<i64>>,
}

impl ManualClock {
    pub fn starting_at(now_ms: i64) -> ManualClock {
        ManualClock {
            now: Arc::new(watch::Sender::new(now_ms)),
        }
    }

    /// Moves the clock forward by `ms` (never backwards).
    pub fn advance(&self, ms: i64) {
        self.now.send_modify(|now| *now += ms.max(0));
    }

    /// Sets the clock to `now_ms` if that is later than it shows.
    pub fn set(&self, now_ms: i64) {
        self.now.send_if_modified(|now| {
            let later = now_ms > *now;
            *now = (*now).max(now_ms);
            later
        });
    }
}

#[async_trait::async_trait]
impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        *self.now.borrow()
    }

    async fn sleep_until(&self, at_ms: i64) {
        let mut now = self.now.subscribe();
        // The sender lives as long as `self`, so the channel stays open.
        let _ = now.wait_for(|&now| now >= at_ms).await;
    }
}

/// The clock a server runs on unless told otherwise.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_wakes_sleepers_only_when_moved_past_their_moment() {
        let clock = ManualClock::starting_at(1_000);
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep_until(5_000).await })
        };
        clock.advance(3_000);
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "4,000 is before 5,000");
        clock.set(2_000);
        assert_eq!(clock.now_ms(), 4_000, "a manual clock never goes back");
        clock.advance(1_000);
        sleeper.await.unwrap();
        assert_eq!(clock.now_ms(), 5_000);
    }
}
