//! Flood limits at the edge: how many orders (with amendments and
//! cancellations) one user and one address may send per second, how many
//! guests one address may make per hour, and how many websockets it may
//! open per minute. Over a limit the request is answered 429 with
//! `Retry-After` and changes nothing. Counted by [`Counters`] (in Redis
//! when `REDIS_URL` is set, so several servers count together); each limit
//! is a setting (`crate::config::LimitSettings`), 0 turning it off.
//! Without these, 2,000 cookie-less requests made 2,000 guests in 16 s.

use super::ApiError;
use crate::config::LimitSettings;
use crate::counters::Counters;
use std::net::IpAddr;
use std::time::Duration;

pub struct Floods {
    counters: Counters,
    limits: LimitSettings,
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(60 * 60);

impl Floods {
    pub fn new(
        limits: LimitSettings,
        redis: Option<(redis::aio::ConnectionManager, String)>,
    ) -> Floods {
        Floods {
            counters: Counters::new(redis),
            limits,
        }
    }

    /// One order, amendment or cancellation by `user` from `ip`.
    pub async fn order(&self, ip: IpAddr, user: i64) -> Result<(), ApiError> {
        self.within(
            format!("orders|ip|{ip}"),
            self.limits.orders_per_address,
            SECOND,
        )
        .await?;
        self.within(
            format!("orders|user|{user}"),
            self.limits.orders_per_user,
            SECOND,
        )
        .await
    }

    /// A new guest made for a request from `ip`.
    pub async fn guest(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.within(
            format!("guests|ip|{ip}"),
            self.limits.guests_per_address,
            HOUR,
        )
        .await
    }

    /// A websocket opened from `ip`.
    pub async fn socket(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.within(
            format!("sockets|ip|{ip}"),
            self.limits.sockets_per_address,
            MINUTE,
        )
        .await
    }

    async fn within(&self, key: String, limit: u32, window: Duration) -> Result<(), ApiError> {
        if limit == 0 {
            return Ok(());
        }
        let (tries, left) = self.counters.count(key, window).await;
        if tries > limit {
            return Err(ApiError::Flood(left.as_secs().max(1)));
        }
        Ok(())
    }
}
