//! Where session records live: our own database through the [`Storage`]
//! trait by default (behind a bounded in-process cache), so they work on
//! SQLite and PostgreSQL alike and survive restarts, or Redis when
//! `REDIS_URL` is set, so several servers share them.

use crate::storage::Storage;
use async_trait::async_trait;
use std::sync::Arc;
use tower_sessions::CachingSessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Clone)]
pub struct StoredSessions {
    storage: Arc<dyn Storage>,
}

impl std::fmt::Debug for StoredSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSessions")
            .field("backend", &self.storage.backend())
            .finish()
    }
}

fn backend_error(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn encode(record: &Record) -> session_store::Result<(String, i64)> {
    let json = serde_json::to_string(record)
        .map_err(|err| session_store::Error::Encode(err.to_string()))?;
    let expiry_ms = (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64;
    Ok((json, expiry_ms))
}

#[async_trait]
impl SessionStore for StoredSessions {
    /// Inserts only under an unused id, drawing a new one on a collision,
    /// so two sessions can never share an id.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let (json, expiry_ms) = encode(record)?;
            let created = self
                .storage
                .create_session(&record.id.to_string(), &json, expiry_ms)
                .await
                .map_err(backend_error)?;
            if created {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (json, expiry_ms) = encode(record)?;
        self.storage
            .save_session(&record.id.to_string(), &json, expiry_ms)
            .await
            .map_err(backend_error)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let json = self
            .storage
            .load_session(&id.to_string(), crate::now_ms())
            .await
            .map_err(backend_error)?;
        json.map(|json| {
            serde_json::from_str(&json).map_err(|err| session_store::Error::Decode(err.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.storage
            .delete_session(&id.to_string())
            .await
            .map_err(backend_error)
    }
}

/// The in-memory side of [`CachedSessions`]: a bounded `moka` cache whose
/// entries leave at their session's expiry. Written here because the
/// published `tower-sessions-moka-store` (0.15.0) still implements the
/// session-store trait of tower-sessions 0.14, not the 0.15 we use.
#[derive(Clone, Debug)]
pub struct SessionCache {
    cache: moka::future::Cache<Id, Record>,
}

impl SessionCache {
    pub fn new(capacity: u64) -> SessionCache {
        SessionCache {
            cache: moka::future::Cache::builder()
                .max_capacity(capacity)
                .expire_after(UntilExpiry)
                .build(),
        }
    }
}

/// Keeps a cached session exactly until its own expiry date.
struct UntilExpiry;

impl UntilExpiry {
    fn remaining(record: &Record) -> std::time::Duration {
        let left = record.expiry_date - time::OffsetDateTime::now_utc();
        left.try_into().unwrap_or_default()
    }
}

impl moka::Expiry<Id, Record> for UntilExpiry {
    fn expire_after_create(
        &self,
        _: &Id,
        record: &Record,
        _: std::time::Instant,
    ) -> Option<std::time::Duration> {
        Some(Self::remaining(record))
    }

    fn expire_after_update(
        &self,
        _: &Id,
        record: &Record,
        _: std::time::Instant,
        _: Option<std::time::Duration>,
    ) -> Option<std::time::Duration> {
        Some(Self::remaining(record))
    }
}

#[async_trait]
impl SessionStore for SessionCache {
    /// The database has already made the id unique (the caching store
    /// creates there first), so the cache only remembers the record; the
    /// trait's default would log a warning for every new session.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.cache.insert(record.id, record.clone()).await;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        Ok(self.cache.get(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.cache.invalidate(id).await;
        Ok(())
    }
}

/// Sessions read through a process-local cache: an order request then costs
/// no database read to find its account (the load test showed that read,
/// through SQLite's worker thread, dominating). Writes go to both. The cache
/// is bounded (least recently used sessions leave first, and expired ones
/// at their expiry), so a flood of new visitors cannot grow memory without
/// end; a session that left the cache is read from the database again.
pub type CachedSessions = CachingSessionStore<SessionCache, StoredSessions>;

/// Sessions kept in memory at most: about 100 MB at 1 KB per session.
pub const SESSION_CACHE_CAPACITY: u64 = 100_000;

/// Where sessions live: the database behind a bounded in-process cache,
/// or Redis. Redis has no local cache in front: with several servers, a
/// session ended on one must be gone on all at once.
#[derive(Clone, Debug)]
pub enum Store {
    Database(CachedSessions),
    Redis(super::redis::RedisSessions),
}

impl Store {
    pub fn database(storage: Arc<dyn Storage>) -> Store {
        Store::Database(CachingSessionStore::new(
            SessionCache::new(SESSION_CACHE_CAPACITY),
            StoredSessions { storage },
        ))
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Store::Database(store) => store.create(record).await,
            Store::Redis(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Store::Database(store) => store.save(record).await,
            Store::Redis(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Store::Database(store) => store.load(id).await,
            Store::Redis(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Store::Database(store) => store.delete(id).await,
            Store::Redis(store) => store.delete(id).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(minutes: i64) -> Record {
        Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
        }
    }

    #[tokio::test]
    async fn the_session_cache_never_holds_more_than_its_capacity() {
        let cache = SessionCache::new(8);
        for _ in 0..100 {
            cache.save(&record(30)).await.unwrap();
        }
        cache.cache.run_pending_tasks().await;
        assert!(
            cache.cache.entry_count() <= 8,
            "{}",
            cache.cache.entry_count()
        );
    }

    #[tokio::test]
    async fn a_cached_session_is_served_until_it_expires() {
        let cache = SessionCache::new(8);
        let live = record(30);
        let expired = record(-1);
        cache.save(&live).await.unwrap();
        cache.save(&expired).await.unwrap();
        assert_eq!(cache.load(&live.id).await.unwrap(), Some(live.clone()));
        assert_eq!(cache.load(&expired.id).await.unwrap(), None);
        cache.delete(&live.id).await.unwrap();
        assert_eq!(cache.load(&live.id).await.unwrap(), None);
    }
}
