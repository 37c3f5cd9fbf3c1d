//! The PostgreSQL backend, chosen when `DATABASE_URL` starts with
//! `postgres://`. Several web nodes can share it.

use super::{Backend, JournalEntry, Storage, StorageError, redact_password};
use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

pub struct PostgresStorage {
    pool: PgPool,
}

impl PostgresStorage {
    pub async fn open(url: &str) -> Result<PostgresStorage, StorageError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|source| StorageError::ConnectPostgres {
                url: redact_password(url),
                source,
            })?;
        sqlx::migrate!("../migrations/postgres").run(&pool).await?;
        Ok(PostgresStorage { pool })
    }
}

#[async_trait]
impl Storage for PostgresStorage {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn record_start(&self, version: &str, started_at_ms: i64) -> Result<i64, StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO server_starts (version, started_at_ms) VALUES ($1, $2)")
            .bind(version)
            .bind(started_at_ms)
            .execute(&mut *tx)
            .await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM server_starts")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(count)
    }

    async fn start_count(&self) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM server_starts")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn append_journal(&self, entries: &[JournalEntry]) -> Result<(), StorageError> {
        // One statement, one round trip, whatever the batch size.
        let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
        let times: Vec<i64> = entries.iter().map(|e| e.ts_ms).collect();
        let commands: Vec<&str> = entries.iter().map(|e| e.command.as_str()).collect();
        sqlx::query(
            "INSERT INTO exchange_journal (seq, ts_ms, command) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[])",
        )
        .bind(&seqs)
        .bind(&times)
        .bind(&commands)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn read_journal(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<JournalEntry>, StorageError> {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT seq, ts_ms, command FROM exchange_journal WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, ts_ms, command)| JournalEntry {
                seq,
                ts_ms,
                command,
            })
            .collect())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
