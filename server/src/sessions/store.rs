//! Where session records live: our own database through the [`Storage`]
//! trait by default (behind a bounded in-process cache), so they work on
//! SQLite and PostgreSQL alike and survive restarts, or Redis when
//! `REDIS_URL` is set, so several servers share them.

use crate::storage::Storage;
use async_trait::async_trait;
use std::sync::Arc;
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

impl StoredSessions {
    /// Writes `record` over its row; `false` when there is no row (the
    /// session was deleted).
    async fn update(&self, record: &Record) -> session_store::Result<bool> {
        let (json, expiry_ms) = encode(record)?;
        self.storage
            .save_session(&record.id.to_string(), &json, expiry_ms)
            .await
            .map_err(backend_error)
    }
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

    /// Updates the row only if it still exists: an ended session is not
    /// written back by a request that began before it ended.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.update(record).await.map(drop)
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

/// Sessions read through a process-local cache: an order request then costs
/// no database read to find its account (the load test showed that read,
/// through SQLite's worker thread, dominating). The cache is bounded (least
/// recently used sessions leave first, and expired ones at their expiry), so
/// a flood of new visitors cannot grow memory without end; a session that
/// left the cache is read from the database again.
///
/// Written here rather than taken from tower-sessions' `CachingSessionStore`
/// because that one let an ended session come back: its `delete` empties
/// the cache at once but the database a moment later, and a request that
/// missed the cache in between read the old row and cached it again, for
/// the session's whole life. Here a deleted id leaves a tombstone first,
/// and anything put into the cache is checked against the tombstones after
/// it went in, so whichever of a delete and a load finishes last, the
/// session stays gone. Saving never creates a row either (the database's
/// `save_session` only updates), so a request that began before a sign-out
/// cannot write its session back when it ends.
#[derive(Clone)]
pub struct CachedSessions {
    records: moka::future::Cache<Id, Record>,
    /// Ids deleted lately. A tombstone only has to outlive the requests
    /// that were in flight when its session was deleted; ids are random
    /// and never drawn again.
    tombstones: moka::future::Cache<Id, ()>,
    stored: StoredSessions,
}

impl std::fmt::Debug for CachedSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedSessions")
            .field("stored", &self.stored)
            .finish()
    }
}

/// How long a deleted id is remembered: far longer than any request.
const TOMBSTONE_TTL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

impl CachedSessions {
    pub fn new(capacity: u64, stored: StoredSessions) -> CachedSessions {
        CachedSessions {
            records: moka::future::Cache::builder()
                .max_capacity(capacity)
                .expire_after(UntilExpiry)
                .build(),
            tombstones: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(TOMBSTONE_TTL)
                .build(),
            stored,
        }
    }

    /// Caches `record` unless its id was deleted meanwhile. The tombstone
    /// is looked at after the insert: a delete that came first is seen
    /// here, and one that comes later invalidates the entry itself.
    async fn remember(&self, record: &Record) -> bool {
        self.records.insert(record.id, record.clone()).await;
        if self.tombstones.contains_key(&record.id) {
            self.records.invalidate(&record.id).await;
            return false;
        }
        true
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
impl SessionStore for CachedSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.stored.create(record).await?;
        self.remember(record).await;
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if self.stored.update(record).await? {
            self.remember(record).await;
        } else {
            // Deleted meanwhile: it stays deleted, here too.
            self.records.invalidate(&record.id).await;
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if self.tombstones.contains_key(id) {
            return Ok(None);
        }
        if let Some(record) = self.records.get(id).await {
            return Ok(Some(record));
        }
        let Some(record) = self.stored.load(id).await? else {
            return Ok(None);
        };
        Ok(self.remember(&record).await.then_some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.tombstones.insert(*id, ()).await;
        self.stored.delete(id).await?;
        self.records.invalidate(id).await;
        Ok(())
    }
}

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
        Store::Database(CachedSessions::new(
            SESSION_CACHE_CAPACITY,
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

    async fn sessions(capacity: u64) -> CachedSessions {
        let storage = crate::storage::SqliteStorage::open("sqlite::memory:")
            .await
            .unwrap();
        CachedSessions::new(
            capacity,
            StoredSessions {
                storage: Arc::new(storage),
            },
        )
    }

    #[tokio::test]
    async fn the_session_cache_never_holds_more_than_its_capacity() {
        let sessions = sessions(8).await;
        for _ in 0..100 {
            sessions.create(&mut record(30)).await.unwrap();
        }
        sessions.records.run_pending_tasks().await;
        let cached = sessions.records.entry_count();
        assert!(cached <= 8, "{cached}");
    }

    #[tokio::test]
    async fn a_cached_session_is_served_until_it_expires_or_is_deleted() {
        let sessions = sessions(8).await;
        let mut live = record(30);
        let mut expired = record(-1);
        sessions.create(&mut live).await.unwrap();
        sessions.create(&mut expired).await.unwrap();
        assert_eq!(sessions.load(&live.id).await.unwrap(), Some(live.clone()));
        assert_eq!(sessions.load(&expired.id).await.unwrap(), None);
        sessions.delete(&live.id).await.unwrap();
        assert_eq!(sessions.load(&live.id).await.unwrap(), None);
    }

    /// The race that let a stolen cookie outlive a sign-out: a request
    /// missed the cache, read the row, and cached it after the delete.
    #[tokio::test]
    async fn a_row_read_before_a_delete_is_not_cached_after_it() {
        let sessions = sessions(8).await;
        let mut session = record(30);
        sessions.create(&mut session).await.unwrap();
        sessions.records.invalidate(&session.id).await;
        let read_before = sessions.stored.load(&session.id).await.unwrap().unwrap();
        sessions.delete(&session.id).await.unwrap();
        assert!(!sessions.remember(&read_before).await);
        assert_eq!(sessions.load(&session.id).await.unwrap(), None);
        assert_eq!(sessions.stored.load(&session.id).await.unwrap(), None);
    }

    /// A request that loaded its session before a sign-out and changed it
    /// saves at its end: that must not bring the session back.
    #[tokio::test]
    async fn saving_a_deleted_session_does_not_bring_it_back() {
        let sessions = sessions(8).await;
        let mut session = record(30);
        sessions.create(&mut session).await.unwrap();
        sessions.delete(&session.id).await.unwrap();
        sessions.save(&session).await.unwrap();
        assert_eq!(sessions.load(&session.id).await.unwrap(), None);
        assert_eq!(sessions.stored.load(&session.id).await.unwrap(), None);
        sessions.stored.save(&session).await.unwrap();
        assert_eq!(sessions.stored.load(&session.id).await.unwrap(), None);
    }
}
