//! Durable storage behind one [`Storage`] trait with one implementation per
//! backend: SQLite (the embedded default) and PostgreSQL. Each backend owns its
//! SQL and its migrations folder (`migrations/<backend>/`), so each can use its
//! own types and locking instead of a lowest common denominator; one test suite
//! (`server/tests/storage.rs`) runs against both. `docs/STORAGE.md` explains
//! the choice.

mod checkpoint;
pub mod owners;
mod postgres;
mod read_model_sync;
pub mod rows;
mod sqlite;
mod sqlite_writer;
pub mod users;

use crate::exchange::CandleRow;
use crate::exchange::projection::{BalanceRow, FillRow, OrderRow, PositionRow, RowChanges};
use async_trait::async_trait;
pub use rows::{CandleFilter, FillFilter, ListingRow, NewsFilter, NewsRow, OrderFilter};
use std::path::PathBuf;
use std::sync::Arc;

pub use owners::{AccountKind, AccountRow, Claim, NewAccount, Opened, OwnerStore};
pub use postgres::PostgresStorage;
pub use read_model_sync::ReadModelSync;
pub use sqlite::SqliteStorage;
pub use users::{NewUser, Taken, TokenPurpose, UserRow, UserStore};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("DATABASE_URL must start with sqlite: or postgres:, got {0:?}")]
    UnsupportedUrl(String),
    #[error("cannot create the folder {} for the SQLite database: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the SQLite database at {}: {source}", path.display())]
    OpenSqlite { path: PathBuf, source: sqlx::Error },
    #[error("cannot connect to PostgreSQL at {url}: {source}")]
    ConnectPostgres { url: String, source: sqlx::Error },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot start the SQLite journal writer: {0}")]
    StartWriter(std::io::Error),
    #[error("the SQLite journal writer has stopped")]
    WriterStopped,
    #[error("order entry has stopped: the read models will not catch up until a restart")]
    ReadModelsStopped,
    #[error("writing the read models did not finish: {0}")]
    RowWriteLost(String),
}

/// One executed exchange command, as journaled: its sequence number, the
/// timestamp it carried and the command as JSON.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct JournalEntry {
    pub seq: i64,
    pub ts_ms: i64,
    pub command: String,
}

/// Snapshots kept: the newest, and one before it in case the newest cannot
/// be read.
pub const KEPT_SNAPSHOTS: i64 = 2;

/// An image of the exchange as stored: the journal entry it was taken
/// after, how its body is laid out, and the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSnapshot {
    pub seq: i64,
    pub format: i32,
    pub body: Vec<u8>,
}

#[async_trait]
pub trait Storage: users::UserStore + owners::OwnerStore + Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Cheap round trip used by `/readyz`.
    async fn ping(&self) -> Result<(), StorageError>;

    /// Records that a server started; returns how many starts there have been.
    async fn record_start(&self, version: &str, started_at_ms: i64) -> Result<i64, StorageError>;

    async fn start_count(&self) -> Result<i64, StorageError>;

    /// Appends journal entries, in one transaction: all or none. The
    /// exchange acknowledges a command once this returns; its read-model
    /// rows follow with a later [`Storage::write_read_models`], and until
    /// then reads wait for them ([`ReadModelSync`]). Takes the entries by
    /// value: the SQLite backend hands them to its writer thread.
    async fn append_journal(&self, entries: Vec<JournalEntry>) -> Result<(), StorageError>;

    /// Writes the read-model rows changed since the last such write with
    /// the journal entry they are complete through (`through`, already
    /// appended), in one transaction of their own: all or none. The
    /// exchange runs it beside the journal's appends, one at a time.
    async fn write_read_models(&self, rows: RowChanges, through: i64) -> Result<(), StorageError>;

    /// How far the journal and the read models have been written.
    fn read_models(&self) -> &ReadModelSync;

    /// Stores an image of the exchange's state as of journal entry `seq`,
    /// whose read-model rows are written, and drops all but the newest
    /// [`KEPT_SNAPSHOTS`].
    async fn save_snapshot(&self, snapshot: &StoredSnapshot) -> Result<(), StorageError>;
    /// The newest stored snapshot taken before journal entry `before`.
    async fn snapshot_before(&self, before: i64) -> Result<Option<StoredSnapshot>, StorageError>;
    /// Up to `limit` entries with `seq > after`, in order.
    async fn read_journal(&self, after: i64, limit: i64)
    -> Result<Vec<JournalEntry>, StorageError>;

    async fn orders(&self, filter: &OrderFilter) -> Result<Vec<OrderRow>, StorageError>;

    /// One order, only if `account_id` owns it.
    async fn order(&self, account_id: i64, order_id: i64)
    -> Result<Option<OrderRow>, StorageError>;

    async fn fills(&self, filter: &FillFilter) -> Result<Vec<FillRow>, StorageError>;

    /// What all of one account's fills paid: commission, then tax.
    async fn fees_paid(&self, account_id: i64) -> Result<(i64, i64), StorageError>;

    async fn balance(&self, account_id: i64) -> Result<Option<BalanceRow>, StorageError>;

    /// Positions with shares, by symbol.
    async fn positions(&self, account_id: i64) -> Result<Vec<PositionRow>, StorageError>;

    /// Candles of one symbol and width, newest first.
    async fn candles(&self, filter: &CandleFilter) -> Result<Vec<CandleRow>, StorageError>;

    /// Every stored listing, by symbol id.
    async fn listings(&self) -> Result<Vec<ListingRow>, StorageError>;

    /// Inserts or updates listings by symbol id, in one transaction.
    async fn save_listings(&self, rows: &[ListingRow]) -> Result<(), StorageError>;

    /// Stores a news event (its `news_id` is ignored); returns its id.
    async fn add_news(&self, news: &NewsRow) -> Result<i64, StorageError>;

    /// News, newest first.
    async fn news(&self, filter: &NewsFilter) -> Result<Vec<NewsRow>, StorageError>;

    /// A session record (JSON) that has not expired by `now_ms`.
    async fn load_session(&self, id: &str, now_ms: i64) -> Result<Option<String>, StorageError>;

    /// Stores a new session; `false` when the id is taken (nothing written).
    async fn create_session(
        &self,
        id: &str,
        record: &str,
        expiry_ms: i64,
    ) -> Result<bool, StorageError>;

    /// Overwrites an existing session; `false` when there is none (it was
    /// deleted, and stays deleted: saving never creates).
    async fn save_session(
        &self,
        id: &str,
        record: &str,
        expiry_ms: i64,
    ) -> Result<bool, StorageError>;

    async fn delete_session(&self, id: &str) -> Result<(), StorageError>;

    /// Waits for open connections to finish and closes the pool.
    async fn close(&self);
}

/// Opens the database `url` names and brings its schema up to date.
pub async fn open(url: &str) -> Result<Arc<dyn Storage>, StorageError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStorage::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStorage::open(url).await?))
    } else {
        Err(StorageError::UnsupportedUrl(redact_password(url)))
    }
}

/// The URL with any password replaced, fit for logs and error messages.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_password("postgres://gaemi:s3cret@db:5432/gaemi"),
            "postgres://gaemi:***@db:5432/gaemi"
        );
        assert_eq!(
            redact_password("postgres://gaemi@db/gaemi"),
            "postgres://gaemi@db/gaemi"
        );
        assert_eq!(
            redact_password("sqlite://data/gaemi.db"),
            "sqlite://data/gaemi.db"
        );
    }
}
