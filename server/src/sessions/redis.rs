//! Sessions in Redis, used when `REDIS_URL` is set so that several Gaemi
//! servers share them (and a session ended on one is gone on all). Each
//! record is one key with Redis' own expiry at the session's expiry date.
//! Written here because no published Redis store implements the session
//! trait of tower-sessions 0.15 (the latest `tower-sessions-redis-store`,
//! 0.16, is built on 0.14's).

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, ExistenceCheck, SetExpiry, SetOptions};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Clone)]
pub struct RedisSessions {
    connection: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSessions")
            .field("prefix", &self.prefix)
            .finish()
    }
}

fn backend(err: redis::RedisError) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

impl RedisSessions {
    /// Keys are `{prefix}session:{id}`; the connection reconnects by
    /// itself.
    pub fn new(connection: ConnectionManager, prefix: &str) -> RedisSessions {
        RedisSessions {
            connection,
            prefix: format!("{prefix}session:"),
        }
    }

    fn key(&self, id: &Id) -> String {
        format!("{}{id}", self.prefix)
    }

    /// SET with NX (create) or XX (save) and the record's expiry; `false`
    /// when the condition did not hold.
    async fn set(&self, record: &Record, check: ExistenceCheck) -> session_store::Result<bool> {
        let json = serde_json::to_string(record)
            .map_err(|err| session_store::Error::Encode(err.to_string()))?;
        let expiry = record.expiry_date.unix_timestamp().max(1) as u64;
        let options = SetOptions::default()
            .conditional_set(check)
            .with_expiration(SetExpiry::EXAT(expiry));
        let mut connection = self.connection.clone();
        let done: Option<String> = connection
            .set_options(self.key(&record.id), json, options)
            .await
            .map_err(backend)?;
        Ok(done.is_some())
    }
}

#[async_trait]
impl SessionStore for RedisSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while !self.set(record, ExistenceCheck::NX).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Upsert: a session whose key expired or was deleted comes back
        // only through `create`, which draws a fresh id.
        self.set(record, ExistenceCheck::XX).await.map(drop)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut connection = self.connection.clone();
        let json: Option<String> = connection.get(self.key(id)).await.map_err(backend)?;
        json.map(|json| {
            serde_json::from_str(&json).map_err(|err| session_store::Error::Decode(err.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut connection = self.connection.clone();
        let _: () = connection.del(self.key(id)).await.map_err(backend)?;
        Ok(())
    }
}
