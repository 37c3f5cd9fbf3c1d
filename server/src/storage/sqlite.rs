//! The SQLite backend: one file, nothing to install. Writes are durable on
//! commit (WAL with `synchronous = FULL`), because callers acknowledge users
//! only after a commit returns.

use super::checkpoint::{self, Checkpointer};
use super::rows::{
    BALANCE_UPSERT, CANDLE_COLUMNS, CANDLE_UPSERT, CandleFilter, FILL_COLUMNS, FillFilter,
    ListingRow, NEWS_COLUMNS, NewsFilter, NewsRow, ORDER_COLUMNS, ORDER_UPSERT, OrderFilter,
    POSITION_UPSERT, RowDecode, kind_str, side_str, status_condition, status_str, tif_str,
};
use super::{Backend, JournalEntry, Storage, StorageError};
use crate::exchange::CandleRow;
use crate::exchange::projection::{BalanceRow, FillRow, OrderRow, PositionRow, RowChanges};
use async_trait::async_trait;
use sqlx::query_builder::Separated;
use sqlx::sqlite::Sqlite;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, QueryBuilder};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStorage {
    pool: SqlitePool,
    /// The exchange's commits go through a connection of their own. In WAL
    /// mode a connection drops its page cache whenever another one has
    /// written, so commits taking turns on the pool's connections each
    /// began by reading the hot pages back from the file; the load test
    /// showed that in every commit. `None` once closed.
    journal_writer: tokio::sync::Mutex<Option<SqliteConnection>>,
    /// Copies the log into the database file on its own connection
    /// (`checkpoint`); `None` once closed.
    checkpointer: std::sync::Mutex<Option<Checkpointer>>,
}

impl SqliteStorage {
    pub async fn open(url: &str) -> Result<SqliteStorage, StorageError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Pages are read through a shared mapping instead of copied
            // from the file by each connection (256 MiB of address space).
            .pragma("mmap_size", "268435456")
            // No commit checkpoints the log itself: `Checkpointer` does.
            .pragma("wal_autocheckpoint", "0")
            // A log that grew under load is cut back once it restarts.
            .pragma("journal_size_limit", "67108864")
            // A multi-row upsert keeps its statement journal (for undoing
            // that one statement) in memory: on disk it cost a temporary
            // file created and deleted in every commit.
            .pragma("temp_store", "memory");
        let path = options.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StorageError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await
            .map_err(|source| StorageError::OpenSqlite {
                path: absolute(&path),
                source,
            })?;
        sqlx::migrate!("../migrations/sqlite").run(&pool).await?;
        // The journal writer keeps the pages every commit touches cached
        // (64 MiB).
        let connect = |options: SqliteConnectOptions| {
            let path = absolute(&path);
            async move {
                options
                    .connect()
                    .await
                    .map_err(|source| StorageError::OpenSqlite { path, source })
            }
        };
        let journal_writer = connect(options.clone().pragma("cache_size", "-65536")).await?;
        let checkpointer =
            Checkpointer::start(connect(options.busy_timeout(checkpoint::BUSY_TIMEOUT)).await?);
        Ok(SqliteStorage {
            pool,
            journal_writer: tokio::sync::Mutex::new(Some(journal_writer)),
            checkpointer: std::sync::Mutex::new(Some(checkpointer)),
        })
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

    async fn commit(
        &self,
        entries: &[JournalEntry],
        rows: &RowChanges,
    ) -> Result<(), StorageError> {
        let mut writer = self.journal_writer.lock().await;
        let writer = writer.as_mut().ok_or(sqlx::Error::PoolClosed)?;
        let mut script = QueryBuilder::<Sqlite>::new("BEGIN IMMEDIATE;");
        insert_rows(
            &mut script,
            "exchange_journal (seq, ts_ms, command)",
            entries,
            "",
            |mut row, e| {
                row.push_bind(e.seq)
                    .push_bind(e.ts_ms)
                    .push_bind(e.command.as_str());
            },
        );
        insert_rows(
            &mut script,
            &format!("orders ({ORDER_COLUMNS})"),
            &rows.orders,
            ORDER_UPSERT,
            |mut row, o| {
                row.push_bind(o.order_id)
                    .push_bind(o.account_id)
                    .push_bind(o.client_order_id)
                    .push_bind(o.symbol_id)
                    .push_bind(side_str(o.side))
                    .push_bind(kind_str(o.kind))
                    .push_bind(tif_str(o.tif))
                    .push_bind(o.price)
                    .push_bind(o.qty)
                    .push_bind(o.filled_qty)
                    .push_bind(o.remaining_qty)
                    .push_bind(o.filled_value)
                    .push_bind(status_str(o.status))
                    .push_bind(o.cancel_reason.map(|reason| reason.code()))
                    .push_bind(o.created_ms)
                    .push_bind(o.updated_ms);
            },
        );
        insert_rows(
            &mut script,
            &format!("fills ({FILL_COLUMNS})"),
            &rows.fills,
            "",
            |mut row, f| {
                row.push_bind(f.account_id)
                    .push_bind(f.seq)
                    .push_bind(f.n)
                    .push_bind(f.order_id)
                    .push_bind(f.symbol_id)
                    .push_bind(side_str(f.side))
                    .push_bind(f.price)
                    .push_bind(f.qty)
                    .push_bind(f.commission)
                    .push_bind(f.tax)
                    .push_bind(f.maker)
                    .push_bind(f.ts_ms);
            },
        );
        insert_rows(
            &mut script,
            "balances (account_id, available, held, deposited)",
            &rows.balances,
            BALANCE_UPSERT,
            |mut row, b| {
                row.push_bind(b.account_id)
                    .push_bind(b.available)
                    .push_bind(b.held)
                    .push_bind(b.deposited);
            },
        );
        insert_rows(
            &mut script,
            "positions (account_id, symbol_id, available, held, cost)",
            &rows.positions,
            POSITION_UPSERT,
            |mut row, p| {
                row.push_bind(p.account_id)
                    .push_bind(p.symbol_id)
                    .push_bind(p.available)
                    .push_bind(p.held)
                    .push_bind(p.cost);
            },
        );
        insert_rows(
            &mut script,
            &format!("candles ({CANDLE_COLUMNS})"),
            &rows.candles,
            CANDLE_UPSERT,
            |mut row, c| {
                row.push_bind(c.symbol_id)
                    .push_bind(c.interval.key())
                    .push_bind(c.start_ms)
                    .push_bind(c.open)
                    .push_bind(c.high)
                    .push_bind(c.low)
                    .push_bind(c.close)
                    .push_bind(c.volume)
                    .push_bind(c.turnover);
            },
        );
        script.push("COMMIT;");
        if let Err(err) = script.build().persistent(false).execute(&mut *writer).await {
            // Leave the connection as it was; the exchange stops on this
            // error in any case (fail-stop).
            let _ = sqlx::query("ROLLBACK").execute(&mut *writer).await;
            return Err(err.into());
        }
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

    async fn create_account(&self, kind: &str, created_ms: i64) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO accounts (kind, created_ms) VALUES (?, ?) RETURNING account_id",
        )
        .bind(kind)
        .bind(created_ms)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn accounts_of_kind(&self, kind: &str) -> Result<Vec<i64>, StorageError> {
        Ok(
            sqlx::query_scalar(
                "SELECT account_id FROM accounts WHERE kind = ? ORDER BY account_id",
            )
            .bind(kind)
            .fetch_all(&self.pool)
            .await?,
        )
    }

    async fn watchlist(&self, account_id: i64) -> Result<Vec<i64>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT symbol_id FROM watchlist WHERE account_id = ?1 ORDER BY symbol_id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn set_watched(
        &self,
        account_id: i64,
        symbol_id: i64,
        watched: bool,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        if watched {
            sqlx::query(
                "INSERT INTO watchlist (account_id, symbol_id, added_ms) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (account_id, symbol_id) DO NOTHING",
            )
            .bind(account_id)
            .bind(symbol_id)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        } else {
            sqlx::query("DELETE FROM watchlist WHERE account_id = ?1 AND symbol_id = ?2")
                .bind(account_id)
                .bind(symbol_id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    async fn orders(&self, filter: &OrderFilter) -> Result<Vec<OrderRow>, StorageError> {
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

    async fn balance(&self, account_id: i64) -> Result<Option<BalanceRow>, StorageError> {
        let row = sqlx::query(
            "SELECT account_id, available, held, deposited FROM balances WHERE account_id = ?",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| row.balance_row()).transpose()?)
    }

    async fn positions(&self, account_id: i64) -> Result<Vec<PositionRow>, StorageError> {
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
        let mut tx = self.pool.begin().await?;
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
        .fetch_one(&self.pool)
        .await?)
    }

    async fn candles(&self, filter: &CandleFilter) -> Result<Vec<CandleRow>, StorageError> {
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
        .execute(&self.pool)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn save_session(
        &self,
        id: &str,
        record: &str,
        expiry_ms: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO sessions (id, record, expiry_ms) VALUES (?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET record = excluded.record, expiry_ms = excluded.expiry_ms",
        )
        .bind(id)
        .bind(record)
        .bind(expiry_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_session(&self, id: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sessions WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn close(&self) {
        if let Some(writer) = self.journal_writer.lock().await.take() {
            // Closing only tidies up: every commit is already durable.
            let _ = writer.close().await;
        }
        let checkpointer = self
            .checkpointer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(checkpointer) = checkpointer {
            checkpointer.stop().await;
        }
        self.pool.close().await;
    }
}

/// Rows per statement: SQLite takes at most 32,766 bound values, and an
/// order row has 16.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Appends inserts (or upserts) of `rows` into `table` to `script`, as few
/// as the bound-value limit allows: `INSERT INTO table VALUES (..), (..)`.
///
/// A commit is one script, `BEGIN IMMEDIATE; INSERT ..; COMMIT;`, sent to
/// SQLite's thread at once: under load each round trip to that thread
/// waited 200 to 400 µs for a core, and a commit made eight of them.
/// Values are bound rather than sent as one JSON array as to PostgreSQL:
/// SQLite extracting every column from JSON cost about 20 µs per order
/// row. The script's text depends on the batch, so it is not kept
/// prepared.
fn insert_rows<'r, T>(
    script: &mut QueryBuilder<'r, Sqlite>,
    table: &str,
    rows: &'r [T],
    upsert: &str,
    mut bind: impl FnMut(Separated<'_, 'r, Sqlite, &'static str>, &'r T),
) {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        script.push(format_args!(" INSERT INTO {table} "));
        script.push_values(chunk, &mut bind);
        script.push(" ").push(upsert).push(";");
    }
}

super::users::user_store_for!(SqliteStorage, sqlx::Sqlite, sqlx::sqlite::SqliteRow);

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
}
