//! The SQLite backend: one file, nothing to install. Writes are durable on
//! commit (WAL with `synchronous = FULL`), because callers acknowledge users
//! only after a commit returns.

use super::{Backend, JournalEntry, Storage, StorageError};
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStorage {
    pool: SqlitePool,
}

impl SqliteStorage {
    pub async fn open(url: &str) -> Result<SqliteStorage, StorageError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let path = options.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StorageError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|source| StorageError::OpenSqlite {
                path: absolute(&path),
                source,
            })?;
        sqlx::migrate!("../migrations/sqlite").run(&pool).await?;
        Ok(SqliteStorage { pool })
    }
}

fn absolute(path: &Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[async_trait]
impl Storage for SqliteStorage {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn record_start(&self, version: &str, started_at_ms: i64) -> Result<i64, StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO server_starts (version, started_at_ms) VALUES (?, ?)")
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
        let mut tx = self.pool.begin().await?;
        for entry in entries {
            sqlx::query("INSERT INTO exchange_journal (seq, ts_ms, command) VALUES (?, ?, ?)")
                .bind(entry.seq)
                .bind(entry.ts_ms)
                .bind(&entry.command)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn read_journal(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<JournalEntry>, StorageError> {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT seq, ts_ms, command FROM exchange_journal WHERE seq > ? ORDER BY seq LIMIT ?",
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
