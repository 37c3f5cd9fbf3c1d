//! Fixed-window counters shared by every limit: the guessing and mail
//! limits of `crate::accounts::limits` and the flood limits of
//! `crate::http::floods`. A key counts tries per window: in Redis when
//! `REDIS_URL` is set, so every server counts together (INCR, and PEXPIRE
//! NX when a window opens), else in a bounded `moka` cache whose entries
//! leave when their window ends. Written here rather than taken from
//! `governor` because clearing one key on success and the Redis form of the
//! same counter need exactly this shape. If Redis fails, counting falls
//! back to this server's own cache: a limit counted per server is better
//! than refusing everyone.

use std::time::{Duration, Instant};

/// One key's window: when it began and the tries in it.
#[derive(Clone, Copy, Debug)]
struct Window {
    started: Instant,
    tries: u32,
}

pub struct Counters {
    windows: moka::sync::Cache<String, Window>,
    /// The shared counters: a connection and the deployment's key prefix.
    redis: Option<(redis::aio::ConnectionManager, String)>,
}

impl Counters {
    pub fn new(redis: Option<(redis::aio::ConnectionManager, String)>) -> Counters {
        Counters {
            windows: moka::sync::Cache::builder()
                .max_capacity(200_000)
                .time_to_live(Duration::from_secs(60 * 60))
                .build(),
            redis,
        }
    }

    /// Adds a try to `key`'s window; the tries so far and the time left.
    pub async fn count(&self, key: String, window: Duration) -> (u32, Duration) {
        if let Some((connection, prefix)) = &self.redis {
            let mut connection = connection.clone();
            let key = format!("{prefix}limit:{key}");
            let counted: redis::RedisResult<(u32, i64, i64)> = redis::pipe()
                .atomic()
                .incr(&key, 1)
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(window.as_millis() as u64)
                .arg("NX")
                .cmd("PTTL")
                .arg(&key)
                .query_async(&mut connection)
                .await;
            match counted {
                Ok((tries, _, left_ms)) => {
                    return (tries, Duration::from_millis(left_ms.max(0) as u64));
                }
                Err(err) => tracing::warn!(error = %err, "Redis failed; counting on this server"),
            }
        }
        self.count_here(key, window)
    }

    fn count_here(&self, key: String, window: Duration) -> (u32, Duration) {
        let now = Instant::now();
        let entry = self
            .windows
            .entry(key)
            .and_upsert_with(|current| match current {
                Some(entry) if now.duration_since(entry.value().started) < window => Window {
                    started: entry.value().started,
                    tries: entry.value().tries.saturating_add(1),
                },
                _ => Window {
                    started: now,
                    tries: 1,
                },
            });
        let value = entry.into_value();
        let left = window.saturating_sub(now.duration_since(value.started));
        (value.tries, left)
    }

    /// Forgets `key`'s tries.
    pub async fn clear(&self, key: &str) {
        if let Some((connection, prefix)) = &self.redis {
            let mut connection = connection.clone();
            let deleted: redis::RedisResult<()> =
                redis::AsyncCommands::del(&mut connection, format!("{prefix}limit:{key}")).await;
            if let Err(err) = deleted {
                tracing::warn!(error = %err, "Redis failed; a limit was not cleared");
            }
        }
        self.windows.invalidate(key);
    }
}
