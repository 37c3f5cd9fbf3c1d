//! The SQLite backend: one file, nothing to install. Writes are durable on
//! commit (WAL with `synchronous = FULL`), because callers acknowledge users
//! only after a commit returns.

use super::checkpoint::{self, Checkpointer};
use super::rows::{
    CANDLE_COLUMNS, CandleFilter, FILL_COLUMNS, FillFilter, ListingRow, NEWS_COLUMNS, NewsFilter,
    NewsRow, ORDER_COLUMNS, OrderFilter, RowDecode, WATERMARKS, side_str, status_condition,
};
use super::sqlite_writer::{CONNECTION_PRAGMAS, JournalWriter, Target};
use super::{
    Backend, JournalEntry, KEPT_SNAPSHOTS, ReadModelSync, Storage, StorageError, StoredSnapshot,
};
use crate::exchange::CandleRow;
use crate::exchange::projection::{BalanceRow, FillRow, OrderRow, PositionRow, RowChanges};
use async_trait::async_trait;
use sqlx::ConnectOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStorage {
    /// Reads, on several connections (WAL: readers never wait for writers).
    pool: SqlitePool,
    /// Every other write (sessions, users, accounts, listings, news) on
    /// one connection, each transaction begun `IMMEDIATE`: SQLite lets one
    /// connection write at a time, and writes that raced each other from
    /// the read pool's connections failed with SQLITE_BUSY (a deferred
    /// transaction that read first cannot wait its turn to write). Queued
    /// here, a write waits for the one before it, and for a journal commit
    /// through the busy timeout.
    writes: SqlitePool,
    /// The exchange's commits go through a connection of their own. In WAL
    /// mode a connection drops its page cache whenever another one has
    /// written, so commits taking turns on the pool's connections each
    /// began by reading the hot pages back from the file; the load test
    /// showed that in every commit. `None` once closed.
    journal_writer: tokio::sync::RwLock<Option<JournalWriter>>,
    /// Copies the log into the database file on its own connection
    /// (`checkpoint`); `None` once closed.
    checkpointer: std::sync::Mutex<Option<Checkpointer>>,
    read_models: ReadModelSync,
}

/// How long a connection other than the checkpointer's waits for a lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl SqliteStorage {
    pub async fn open(url: &str) -> Result<SqliteStorage, StorageError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let options = CONNECTION_PRAGMAS
            .iter()
            .fold(options, |options, (name, value)| {
                options.pragma(*name, *value)
            });
        let path = options.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StorageError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let open_failed = |source| StorageError::OpenSqlite {
            path: absolute(&path),
            source,
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await
            .map_err(open_failed)?;
        sqlx::migrate!("../migrations/sqlite").run(&pool).await?;
        let writes = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(open_failed)?;
        let (journal, written) = sqlx::query_as(WATERMARKS).fetch_one(&pool).await?;
        let journal_writer = JournalWriter::start(
            if names_memory(url) {
                Target::SharedMemory(&path)
            } else {
                Target::File(&path)
            },
            BUSY_TIMEOUT,
        )?;
        let checkpointer = options
            .busy_timeout(checkpoint::BUSY_TIMEOUT)
            .connect()
            .await
            .map_err(open_failed)?;
        let checkpointer = Checkpointer::start(checkpointer);
        Ok(SqliteStorage {
            pool,
            writes,
            journal_writer: tokio::sync::RwLock::new(Some(journal_writer)),
            checkpointer: std::sync::Mutex::new(Some(checkpointer)),
            read_models: ReadModelSync::new(journal, written),
        })
    }

    /// Where a write that is not the exchange's goes.
    fn writes(&self) -> &SqlitePool {
        &self.writes
    }

    /// A write transaction that holds the write lock from its first
    /// statement, so it never has to upgrade a read (which SQLite refuses
    /// with SQLITE_BUSY instead of waiting).
    async fn begin_writes(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.writes.begin_with("BEGIN IMMEDIATE").await
    }

    /// One transaction on the writer thread: journal entries, or rows with
    /// their watermark.
    async fn write(
        &self,
        entries: Vec<JournalEntry>,
        rows: Option<(RowChanges, i64)>,
    ) -> Result<(), StorageError> {
        let writer = self.journal_writer.read().await;
        let writer = writer.as_ref().ok_or(StorageError::WriterStopped)?;
        writer.commit(entries, rows).await
    }
}

/// Whether `url` names an in-memory database, which sqlx shares among its
/// connections under a name of its own (`options.get_filename()`).
fn names_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
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
        let mut tx = self.begin_writes().await?;
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

    async fn append_journal(&self, entries: Vec<JournalEntry>) -> Result<(), StorageError> {
        let Some(last_entry) = entries.last().map(|entry| entry.seq) else {
            return Ok(());
        };
        self.write(entries, None).await?;
        self.read_models.journal_appended(last_entry);
        Ok(())
    }

    async fn write_read_models(&self, rows: RowChanges, through: i64) -> Result<(), StorageError> {
        self.write(Vec::new(), Some((rows, through))).await?;
        self.read_models.rows_written(through);
        Ok(())
    }

    fn read_models(&self) -> &ReadModelSync {
        &self.read_models
    }

    async fn save_snapshot(&self, snapshot: &StoredSnapshot) -> Result<(), StorageError> {
        let mut tx = self.begin_writes().await?;
        sqlx::query(
            "INSERT INTO exchange_snapshots (seq, format, body) VALUES (?, ?, ?) \
             ON CONFLICT (seq) DO UPDATE SET format = excluded.format, body = excluded.body",
        )
        .bind(snapshot.seq)
        .bind(snapshot.format)
        .bind(&snapshot.body)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM exchange_snapshots WHERE seq NOT IN \
             (SELECT seq FROM exchange_snapshots ORDER BY seq DESC LIMIT ?)",
        )
        .bind(KEPT_SNAPSHOTS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn snapshot_before(&self, before: i64) -> Result<Option<StoredSnapshot>, StorageError> {
        let row: Option<(i64, i32, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, format, body FROM exchange_snapshots WHERE seq < ? ORDER BY seq DESC LIMIT 1",
        )
        .bind(before)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(seq, format, body)| StoredSnapshot { seq, format, body }))
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

    async fn orders(&self, filter: &OrderFilter) -> Result<Vec<OrderRow>, StorageError> {
        self.read_models.caught_up().await?;
        let sql = orders_query(filter);
        let rows = sqlx::query(&sql)
            .bind(filter.account_id)
            .bind(filter.symbol_id)
            .bind(filter.side.map(side_str))
            .bind(filter.after)
            .bind(filter.limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| row.order_row())
            .collect::<Result<_, _>>()?)
    }

    async fn order(
        &self,
        account_id: i64,
        order_id: i64,
    ) -> Result<Option<OrderRow>, StorageError> {
        self.read_models.caught_up().await?;
        let sql =
            format!("SELECT {ORDER_COLUMNS} FROM orders WHERE account_id = ? AND order_id = ?");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(order_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.order_row()).transpose()?)
    }

    async fn fills(&self, filter: &FillFilter) -> Result<Vec<FillRow>, StorageError> {
        self.read_models.caught_up().await?;
        let (cmp, dir) = if filter.newest_first {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let sql = format!(
            "SELECT {FILL_COLUMNS} FROM fills WHERE account_id = ?1 \
             AND (?2 IS NULL OR symbol_id = ?2) AND (?3 IS NULL OR side = ?3) \
             AND (?4 IS NULL OR (seq, n) {cmp} (?4, ?5)) \
             ORDER BY seq {dir}, n {dir} LIMIT ?6"
        );
        let rows = sqlx::query(&sql)
            .bind(filter.account_id)
            .bind(filter.symbol_id)
            .bind(filter.side.map(side_str))
            .bind(filter.after.map(|(seq, _)| seq))
            .bind(filter.after.map(|(_, n)| n))
            .bind(filter.limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| row.fill_row())
            .collect::<Result<_, _>>()?)
    }

    async fn fees_paid(&self, account_id: i64) -> Result<(i64, i64), StorageError> {
        self.read_models.caught_up().await?;
        let paid: (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(commission), 0), COALESCE(SUM(tax), 0) \
             FROM fills WHERE account_id = ?",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(paid)
    }

    async fn balance(&self, account_id: i64) -> Result<Option<BalanceRow>, StorageError> {
        self.read_models.caught_up().await?;
        let row = sqlx::query(
            "SELECT account_id, available, held, deposited FROM balances WHERE account_id = ?",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| row.balance_row()).transpose()?)
    }

    async fn positions(&self, account_id: i64) -> Result<Vec<PositionRow>, StorageError> {
        self.read_models.caught_up().await?;
        let rows = sqlx::query(
            "SELECT account_id, symbol_id, available, held, cost FROM positions \
             WHERE account_id = ? AND available + held > 0 ORDER BY symbol_id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| row.position_row())
            .collect::<Result<_, _>>()?)
    }

    async fn listings(&self) -> Result<Vec<ListingRow>, StorageError> {
        let rows = sqlx::query(
            "SELECT symbol_id, code, name_ko, name_en, sector, shares_outstanding, first_price \
             FROM listings ORDER BY symbol_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| row.listing_row())
            .collect::<Result<_, _>>()?)
    }

    async fn save_listings(&self, rows: &[ListingRow]) -> Result<(), StorageError> {
        let mut tx = self.begin_writes().await?;
        for row in rows {
            sqlx::query(
                "INSERT INTO listings (symbol_id, code, name_ko, name_en, sector, shares_outstanding, first_price) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (symbol_id) DO UPDATE SET name_ko = excluded.name_ko, name_en = excluded.name_en, \
                 sector = excluded.sector, shares_outstanding = excluded.shares_outstanding",
            )
            .bind(row.symbol_id)
            .bind(&row.code)
            .bind(&row.name_ko)
            .bind(&row.name_en)
            .bind(&row.sector)
            .bind(row.shares_outstanding)
            .bind(row.first_price)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn add_news(&self, news: &NewsRow) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO news (at_ms, symbol_id, sector, good, size_bp, headline_ko, headline_en) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING news_id",
        )
        .bind(news.at_ms)
        .bind(news.symbol_id)
        .bind(&news.sector)
        .bind(news.good)
        .bind(news.size_bp)
        .bind(&news.headline_ko)
        .bind(&news.headline_en)
        .fetch_one(self.writes())
        .await?)
    }

    async fn candles(&self, filter: &CandleFilter) -> Result<Vec<CandleRow>, StorageError> {
        self.read_models.caught_up().await?;
        let rows = sqlx::query(&format!(
            "SELECT {CANDLE_COLUMNS} FROM candles WHERE symbol_id = ?1 AND width = ?2 \
             AND (?3 IS NULL OR start_ms < ?3) ORDER BY start_ms DESC LIMIT ?4"
        ))
        .bind(filter.symbol_id)
        .bind(filter.interval.key())
        .bind(filter.before)
        .bind(filter.limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| row.candle_row())
            .collect::<Result<_, _>>()?)
    }

    async fn news(&self, filter: &NewsFilter) -> Result<Vec<NewsRow>, StorageError> {
        let (symbol_id, sector) = filter.symbol.as_ref().map_or((None, None), |(id, sector)| {
            (Some(*id), Some(sector.as_str()))
        });
        let rows = sqlx::query(&format!(
            "SELECT {NEWS_COLUMNS} FROM news \
             WHERE (?1 IS NULL OR symbol_id = ?1 OR sector = ?2) \
             AND (?3 IS NULL OR news_id < ?3) \
             ORDER BY news_id DESC LIMIT ?4"
        ))
        .bind(symbol_id)
        .bind(sector)
        .bind(filter.before)
        .bind(filter.limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| row.news_row())
            .collect::<Result<_, _>>()?)
    }

    async fn load_session(&self, id: &str, now_ms: i64) -> Result<Option<String>, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT record FROM sessions WHERE id = ? AND expiry_ms > ?")
                .bind(id)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn create_session(
        &self,
        id: &str,
        record: &str,
        expiry_ms: i64,
    ) -> Result<bool, StorageError> {
        let inserted = sqlx::query(
            "INSERT INTO sessions (id, record, expiry_ms) VALUES (?, ?, ?) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(record)
        .bind(expiry_ms)
        .execute(self.writes())
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn save_session(
        &self,
        id: &str,
        record: &str,
        expiry_ms: i64,
    ) -> Result<bool, StorageError> {
        let updated = sqlx::query("UPDATE sessions SET record = ?, expiry_ms = ? WHERE id = ?")
            .bind(record)
            .bind(expiry_ms)
            .bind(id)
            .execute(self.writes())
            .await?;
        Ok(updated.rows_affected() == 1)
    }

    async fn delete_session(&self, id: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sessions WHERE id = ?")
            .bind(id)
            .execute(self.writes())
            .await?;
        Ok(())
    }

    async fn close(&self) {
        if let Some(writer) = self.journal_writer.write().await.take() {
            // Closing only tidies up: every commit is already durable.
            writer.stop().await;
        }
        let checkpointer = self
            .checkpointer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(checkpointer) = checkpointer {
            checkpointer.stop().await;
        }
        self.writes.close().await;
        self.pool.close().await;
    }
}

super::users::user_store_for!(SqliteStorage, sqlx::Sqlite, sqlx::sqlite::SqliteRow);
super::owners::owner_store_for!(SqliteStorage, sqlx::Sqlite, sqlx::sqlite::SqliteRow);

/// The text of the orders query for `filter`; its binds are the account,
/// symbol, side, cursor and limit.
fn orders_query(filter: &OrderFilter) -> String {
    let (cmp, dir) = if filter.newest_first {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let status = status_condition(filter.status);
    format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE account_id = ?1 \
         AND (?2 IS NULL OR symbol_id = ?2) AND (?3 IS NULL OR side = ?3){status} \
         AND (?4 IS NULL OR order_id {cmp} ?4) \
         ORDER BY order_id {dir} LIMIT ?5"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::projection::OrderStatusRow;
    use sqlx::Row;

    async fn plan(storage: &SqliteStorage, status: Option<OrderStatusRow>) -> String {
        let filter = OrderFilter {
            account_id: 1,
            symbol_id: None,
            side: None,
            status,
            newest_first: true,
            after: None,
            limit: 21,
        };
        let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {}", orders_query(&filter)))
            .bind(1_i64)
            .bind(None::<i64>)
            .bind(None::<&str>)
            .bind(None::<i64>)
            .bind(21_i64)
            .fetch_all(&storage.pool)
            .await
            .unwrap();
        rows.iter()
            .map(|row| row.get::<String, _>("detail"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The open-orders list reads only the small partial index of open
    /// orders, and every list stays an index search in order (no sort,
    /// no scan of the whole table), with the status index gone.
    #[tokio::test]
    async fn order_lists_search_an_index_without_sorting() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let storage = SqliteStorage::open(&url).await.unwrap();
        let open = plan(&storage, Some(OrderStatusRow::Open)).await;
        assert!(open.contains("open_orders_by_account"), "{open}");
        for status in [
            None,
            Some(OrderStatusRow::Filled),
            Some(OrderStatusRow::Cancelled),
        ] {
            let other = plan(&storage, status).await;
            assert!(
                other.contains("SEARCH orders USING INDEX"),
                "{status:?}: {other}"
            );
            assert!(!other.contains("TEMP B-TREE"), "{status:?}: {other}");
        }
        storage.close().await;
    }

    fn entry(seq: i64) -> JournalEntry {
        JournalEntry {
            seq,
            ts_ms: 1_700_000_000_000 + seq,
            command: format!("{{\"n\":{seq}}}"),
        }
    }

    /// The journal writer's own connection reaches the same database as the
    /// pool, for a file and for `sqlite::memory:` alike: what it commits is
    /// read back, and a commit that fails half-way leaves nothing behind.
    #[tokio::test]
    async fn the_journal_writer_commits_to_the_database_the_pool_reads() {
        let dir = tempfile::tempdir().unwrap();
        let file = format!("sqlite://{}", dir.path().join("t.db").display());
        for url in [file.as_str(), "sqlite::memory:"] {
            let storage = SqliteStorage::open(url).await.unwrap();
            storage
                .append_journal(vec![entry(1), entry(2)])
                .await
                .unwrap();
            let clash = storage.append_journal(vec![entry(3), entry(2)]).await;
            assert!(clash.is_err(), "{url}: a repeated seq is refused");
            let read = storage.read_journal(0, 10).await.unwrap();
            assert_eq!(read, vec![entry(1), entry(2)], "{url}");
            storage.close().await;
            let closed = storage.append_journal(vec![entry(3)]).await;
            assert!(matches!(closed, Err(StorageError::WriterStopped)), "{url}");
        }
    }
}
