//! The PostgreSQL backend, chosen when `DATABASE_URL` starts with
//! `postgres://`. Several web nodes can share it.

use super::rows::{
    BALANCE_UPSERT, CANDLE_COLUMNS, CANDLE_UPSERT, CandleFilter, FILL_COLUMNS, FillFilter,
    ListingRow, NEWS_COLUMNS, NewsFilter, NewsRow, ORDER_COLUMNS, ORDER_UPSERT, OrderFilter,
    POSITION_UPSERT, RowDecode, WATERMARK_UPDATE, WATERMARKS, json, side_str, status_condition,
};
use super::{
    Backend, JournalEntry, KEPT_SNAPSHOTS, ReadModelSync, Storage, StorageError, StoredSnapshot,
    redact_password,
};
use crate::exchange::CandleRow;
use crate::exchange::projection::{BalanceRow, FillRow, OrderRow, PositionRow, RowChanges};
use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

pub struct PostgresStorage {
    pool: PgPool,
    read_models: ReadModelSync,
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
        let (journal, written) = sqlx::query_as(WATERMARKS).fetch_one(&pool).await?;
        Ok(PostgresStorage {
            pool,
            read_models: ReadModelSync::new(journal, written),
        })
    }

    /// Writes share the pool: PostgreSQL lets them run side by side.
    fn writes(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_writes(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
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

    async fn append_journal(&self, entries: Vec<JournalEntry>) -> Result<(), StorageError> {
        let Some(last_entry) = entries.last().map(|entry| entry.seq) else {
            return Ok(());
        };
        let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
        let times: Vec<i64> = entries.iter().map(|e| e.ts_ms).collect();
        let commands: Vec<&str> = entries.iter().map(|e| e.command.as_str()).collect();
        // One statement is its own transaction: one round trip instead of
        // three (BEGIN, INSERT, COMMIT), whatever the batch size.
        sqlx::query(
            "INSERT INTO exchange_journal (seq, ts_ms, command) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[])",
        )
        .bind(&seqs)
        .bind(&times)
        .bind(&commands)
        .execute(&self.pool)
        .await?;
        self.read_models.journal_appended(last_entry);
        Ok(())
    }

    async fn write_read_models(&self, rows: RowChanges, through: i64) -> Result<(), StorageError> {
        // One statement per table, one round trip each, whatever the number
        // of rows; on a connection of its own, beside the journal's appends.
        let mut tx = self.pool.begin().await?;
        write_rows(&mut tx, &rows).await?;
        sqlx::query(WATERMARK_UPDATE)
            .bind(through)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.read_models.rows_written(through);
        Ok(())
    }

    fn read_models(&self) -> &ReadModelSync {
        &self.read_models
    }

    async fn save_snapshot(&self, snapshot: &StoredSnapshot) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO exchange_snapshots (seq, format, body) VALUES ($1, $2, $3) \
             ON CONFLICT (seq) DO UPDATE SET format = excluded.format, body = excluded.body",
        )
        .bind(snapshot.seq)
        .bind(snapshot.format)
        .bind(&snapshot.body)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM exchange_snapshots WHERE seq NOT IN \
             (SELECT seq FROM exchange_snapshots ORDER BY seq DESC LIMIT $1)",
        )
        .bind(KEPT_SNAPSHOTS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn snapshot_before(&self, before: i64) -> Result<Option<StoredSnapshot>, StorageError> {
        let row: Option<(i64, i32, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, format, body FROM exchange_snapshots WHERE seq < $1 ORDER BY seq DESC LIMIT 1",
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

    async fn orders(&self, filter: &OrderFilter) -> Result<Vec<OrderRow>, StorageError> {
        self.read_models.caught_up().await?;
        let (cmp, dir) = if filter.newest_first {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let status = status_condition(filter.status);
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE account_id = $1 \
             AND ($2::BIGINT IS NULL OR symbol_id = $2) AND ($3::TEXT IS NULL OR side = $3){status} \
             AND ($4::BIGINT IS NULL OR order_id {cmp} $4) \
             ORDER BY order_id {dir} LIMIT $5"
        );
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
            format!("SELECT {ORDER_COLUMNS} FROM orders WHERE account_id = $1 AND order_id = $2");
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
            "SELECT {FILL_COLUMNS} FROM fills WHERE account_id = $1 \
             AND ($2::BIGINT IS NULL OR symbol_id = $2) AND ($3::TEXT IS NULL OR side = $3) \
             AND ($4::BIGINT IS NULL OR (seq, n) {cmp} ($4, $5::BIGINT)) \
             ORDER BY seq {dir}, n {dir} LIMIT $6"
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
            "SELECT COALESCE(SUM(commission), 0)::BIGINT, COALESCE(SUM(tax), 0)::BIGINT \
             FROM fills WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(paid)
    }

    async fn balance(&self, account_id: i64) -> Result<Option<BalanceRow>, StorageError> {
        self.read_models.caught_up().await?;
        let row = sqlx::query(
            "SELECT account_id, available, held, deposited FROM balances WHERE account_id = $1",
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
             WHERE account_id = $1 AND available + held > 0 ORDER BY symbol_id",
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
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
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
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING news_id",
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
        self.read_models.caught_up().await?;
        let rows = sqlx::query(&format!(
            "SELECT {CANDLE_COLUMNS} FROM candles WHERE symbol_id = $1 AND width = $2 \
             AND ($3::BIGINT IS NULL OR start_ms < $3) ORDER BY start_ms DESC LIMIT $4"
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
             WHERE ($1 IS NULL OR symbol_id = $1 OR sector = $2) \
             AND ($3 IS NULL OR news_id < $3) \
             ORDER BY news_id DESC LIMIT $4"
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
            sqlx::query_scalar("SELECT record FROM sessions WHERE id = $1 AND expiry_ms > $2")
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
            "INSERT INTO sessions (id, record, expiry_ms) VALUES ($1, $2, $3) \
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
    ) -> Result<bool, StorageError> {
        let updated = sqlx::query("UPDATE sessions SET record = $1, expiry_ms = $2 WHERE id = $3")
            .bind(record)
            .bind(expiry_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(updated.rows_affected() == 1)
    }

    async fn delete_session(&self, id: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// The read-model rows of one commit: one statement per table, each
/// reading its rows as one JSON array.
async fn write_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    rows: &RowChanges,
) -> Result<(), StorageError> {
    let writes: [(&str, String); 5] = [
        (ORDER_INSERT.as_str(), json(&rows.orders)?),
        (
            "INSERT INTO fills SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(\
             account_id BIGINT, seq BIGINT, n BIGINT, order_id BIGINT, symbol_id BIGINT, \
             side TEXT, price BIGINT, qty BIGINT, commission BIGINT, tax BIGINT, \
             maker BOOLEAN, ts_ms BIGINT)",
            json(&rows.fills)?,
        ),
        (BALANCE_INSERT.as_str(), json(&rows.balances)?),
        (POSITION_INSERT.as_str(), json(&rows.positions)?),
        (CANDLE_INSERT.as_str(), json(&rows.candles)?),
    ];
    for (sql, array) in &writes {
        if array != "[]" {
            sqlx::query(sql).bind(array).execute(&mut **tx).await?;
        }
    }
    Ok(())
}

static ORDER_INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO orders ({ORDER_COLUMNS}) SELECT {ORDER_COLUMNS} \
         FROM jsonb_to_recordset($1::jsonb) AS x(order_id BIGINT, account_id BIGINT, \
         client_order_id BIGINT, symbol_id BIGINT, side TEXT, kind TEXT, tif TEXT, price BIGINT, \
         qty BIGINT, filled_qty BIGINT, remaining_qty BIGINT, filled_value BIGINT, status TEXT, \
         cancel_reason TEXT, created_ms BIGINT, updated_ms BIGINT) {ORDER_UPSERT}"
    )
});

static BALANCE_INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO balances SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(\
         account_id BIGINT, available BIGINT, held BIGINT, deposited BIGINT) {BALANCE_UPSERT}"
    )
});

static POSITION_INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO positions SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(\
         account_id BIGINT, symbol_id BIGINT, available BIGINT, held BIGINT, cost BIGINT) \
         {POSITION_UPSERT}"
    )
});

/// The JSON field `interval` goes to the column `width`.
static CANDLE_INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO candles ({CANDLE_COLUMNS}) SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(\
         symbol_id BIGINT, \"interval\" TEXT, start_ms BIGINT, open BIGINT, high BIGINT, \
         low BIGINT, close BIGINT, volume BIGINT, turnover BIGINT) {CANDLE_UPSERT}"
    )
});

super::users::user_store_for!(PostgresStorage, sqlx::Postgres, sqlx::postgres::PgRow);
super::owners::owner_store_for!(PostgresStorage, sqlx::Postgres, sqlx::postgres::PgRow);
