//! The SQLite journal writer: the exchange's commits run on a thread of
//! their own, on one connection, with one prepared single-row statement per
//! table that is compiled once and reused for every row of every commit.
//!
//! Written on rusqlite rather than sqlx: sqlx sends each statement to its
//! worker thread as a message, so a commit was either eight round trips
//! (each waited 200 to 400 µs for a core under load) or one script whose
//! text depends on the batch's row counts and had to be compiled anew for
//! every commit. A profile of the closed-loop load test put a quarter of
//! the writer's time in that compiling (SQLite's parser and the allocations
//! of its programs) and in the statement journals of the multi-row
//! upserts. Here a commit is one message to this thread and no SQL text
//! at all. Both crates link the same bundled SQLite (`libsqlite3-sys`), so
//! file locks and the shared log index are coordinated within the process.

use super::rows::{
    BALANCE_UPSERT, CANDLE_COLUMNS, CANDLE_UPSERT, FILL_COLUMNS, ORDER_COLUMNS, ORDER_UPSERT,
    POSITION_UPSERT, WATERMARK_UPDATE, kind_str, side_str, status_str, tif_str,
};
use super::{JournalEntry, StorageError};
use crate::exchange::projection::RowChanges;
use rusqlite::{Connection, OpenFlags, Params, Transaction, TransactionBehavior};
use std::path::Path;
use std::sync::{LazyLock, mpsc};
use std::time::Duration;
use tokio::sync::oneshot;

/// Pragmas of every connection, the pool's and the journal writer's.
pub(super) const CONNECTION_PRAGMAS: [(&str, &str); 4] = [
    // Pages are read through a shared mapping instead of copied from the
    // file by each connection (256 MiB of address space).
    ("mmap_size", "268435456"),
    // No commit checkpoints the log itself: `Checkpointer` does.
    ("wal_autocheckpoint", "0"),
    // A log that grew under load is cut back once it restarts.
    ("journal_size_limit", "67108864"),
    // Statement journals (for undoing one statement that changes several
    // rows) stay in memory: on disk each cost a temporary file created and
    // deleted.
    ("temp_store", "memory"),
];

/// One commit for the writer thread: what to write, and where to say how
/// it went.
struct Job {
    entries: Vec<JournalEntry>,
    /// Read-model rows and the journal entry they are complete through.
    rows: Option<(RowChanges, i64)>,
    done: oneshot::Sender<rusqlite::Result<()>>,
}

/// The handle the storage keeps: commits go in through `jobs`; `stopped`
/// fires once the thread has closed its connection.
pub struct JournalWriter {
    jobs: mpsc::Sender<Job>,
    stopped: oneshot::Receiver<()>,
}

/// Where the writer connects: a file, or the shared in-memory database sqlx
/// made for a `sqlite::memory:` URL (a URI naming it).
pub enum Target<'a> {
    File(&'a Path),
    SharedMemory(&'a Path),
}

impl JournalWriter {
    /// Opens the writer's connection (the schema must already be migrated)
    /// and starts its thread.
    pub fn start(
        target: Target<'_>,
        busy_timeout: Duration,
    ) -> Result<JournalWriter, StorageError> {
        let connection = connect(target, busy_timeout)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let (stop, stopped) = oneshot::channel();
        std::thread::Builder::new()
            .name("gaemi-sqlite-writer".into())
            .spawn(move || {
                let mut connection = connection;
                for job in queue {
                    let outcome = write(&mut connection, &job.entries, job.rows.as_ref());
                    let _ = job.done.send(outcome);
                }
                drop(connection);
                let _ = stop.send(());
            })
            .map_err(StorageError::StartWriter)?;
        Ok(JournalWriter { jobs, stopped })
    }

    /// Commits `entries` and `rows` (with their watermark) in one
    /// transaction; returns once it is durable or has failed (and was
    /// rolled back).
    pub async fn commit(
        &self,
        entries: Vec<JournalEntry>,
        rows: Option<(RowChanges, i64)>,
    ) -> Result<(), StorageError> {
        let (done, outcome) = oneshot::channel();
        self.jobs
            .send(Job {
                entries,
                rows,
                done,
            })
            .map_err(|_| StorageError::WriterStopped)?;
        outcome.await.map_err(|_| StorageError::WriterStopped)??;
        Ok(())
    }

    /// Lets the thread finish the commits it has and close its connection.
    pub async fn stop(self) {
        drop(self.jobs);
        let _ = self.stopped.await;
    }
}

/// The writer's connection, set up as every other connection is (the log
/// synced on each commit, and `CONNECTION_PRAGMAS`), with the pages every
/// commit touches kept cached (64 MiB).
fn connect(target: Target<'_>, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = match target {
        Target::File(path) => Connection::open_with_flags(path, flags)?,
        Target::SharedMemory(name) => {
            let name = name.display().to_string();
            let name = name.strip_prefix("file:").unwrap_or(&name);
            Connection::open_with_flags(
                format!("file:{name}?mode=memory&cache=shared"),
                flags | OpenFlags::SQLITE_OPEN_URI,
            )?
        }
    };
    connection.busy_timeout(busy_timeout)?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    for (name, value) in CONNECTION_PRAGMAS {
        connection.pragma_update(None, name, value)?;
    }
    connection.pragma_update(None, "cache_size", "-65536")?;
    Ok(connection)
}

/// The writer's statements, one row each: SQLite compiles each once and
/// the connection's statement cache keeps it by this text.
const JOURNAL_INSERT: &str =
    "INSERT INTO exchange_journal (seq, ts_ms, command) VALUES (?1, ?2, ?3)";
static ORDER_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO orders ({ORDER_COLUMNS}) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) {ORDER_UPSERT}"
    )
});
static FILL_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO fills ({FILL_COLUMNS}) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    )
});
static BALANCE_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO balances (account_id, available, held, deposited) \
         VALUES (?1, ?2, ?3, ?4) {BALANCE_UPSERT}"
    )
});
static POSITION_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO positions (account_id, symbol_id, available, held, cost) \
         VALUES (?1, ?2, ?3, ?4, ?5) {POSITION_UPSERT}"
    )
});
static CANDLE_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO candles ({CANDLE_COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) {CANDLE_UPSERT}"
    )
});

/// One commit: `BEGIN IMMEDIATE`, a row at a time through the cached
/// statements, `COMMIT`. Any error rolls the whole transaction back (the
/// transaction is dropped uncommitted).
fn write(
    connection: &mut Connection,
    entries: &[JournalEntry],
    rows: Option<&(RowChanges, i64)>,
) -> rusqlite::Result<()> {
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    write_each(&tx, JOURNAL_INSERT, entries, |e| {
        (e.seq, e.ts_ms, e.command.as_str())
    })?;
    if let Some((rows, through)) = rows {
        write_rows(&tx, rows)?;
        tx.prepare_cached(WATERMARK_UPDATE)?.execute([through])?;
    }
    tx.commit()
}

/// The read-model rows of one commit, each table's through its cached
/// statement.
fn write_rows(tx: &Transaction<'_>, rows: &RowChanges) -> rusqlite::Result<()> {
    write_each(tx, &ORDER_INSERT, &rows.orders, |o| {
        (
            o.order_id,
            o.account_id,
            o.client_order_id,
            o.symbol_id,
            side_str(o.side),
            kind_str(o.kind),
            tif_str(o.tif),
            o.price,
            o.qty,
            o.filled_qty,
            o.remaining_qty,
            o.filled_value,
            status_str(o.status),
            o.cancel_reason.map(|reason| reason.code()),
            o.created_ms,
            o.updated_ms,
        )
    })?;
    write_each(tx, &FILL_INSERT, &rows.fills, |f| {
        (
            f.account_id,
            f.seq,
            f.n,
            f.order_id,
            f.symbol_id,
            side_str(f.side),
            f.price,
            f.qty,
            f.commission,
            f.tax,
            f.maker,
            f.ts_ms,
        )
    })?;
    write_each(tx, &BALANCE_INSERT, &rows.balances, |b| {
        (b.account_id, b.available, b.held, b.deposited)
    })?;
    write_each(tx, &POSITION_INSERT, &rows.positions, |p| {
        (p.account_id, p.symbol_id, p.available, p.held, p.cost)
    })?;
    write_each(tx, &CANDLE_INSERT, &rows.candles, |c| {
        (
            c.symbol_id,
            c.interval.key(),
            c.start_ms,
            c.open,
            c.high,
            c.low,
            c.close,
            c.volume,
            c.turnover,
        )
    })
}

/// Runs the cached statement `sql` once for each of `rows`, bound to the
/// values `bind` gives it (none prepared when there are no rows).
fn write_each<'r, T, P: Params>(
    tx: &Transaction<'_>,
    sql: &str,
    rows: &'r [T],
    bind: impl Fn(&'r T) -> P,
) -> rusqlite::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut statement = tx.prepare_cached(sql)?;
    for row in rows {
        statement.execute(bind(row))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(connection: &Connection, name: &str) -> String {
        connection
            .pragma_query_value(None, name, |row| row.get::<_, rusqlite::types::Value>(0))
            .map(|value| match value {
                rusqlite::types::Value::Integer(n) => n.to_string(),
                rusqlite::types::Value::Text(text) => text,
                other => format!("{other:?}"),
            })
            .unwrap()
    }

    /// Acknowledgements wait for this connection's commits, so it must
    /// sync the log on every one, like the others, and never checkpoint.
    #[test]
    fn the_writer_syncs_every_commit_and_leaves_checkpoints_to_the_checkpointer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "journal_mode", "WAL")
            .unwrap();
        let connection = connect(Target::File(&path), Duration::from_secs(5)).unwrap();
        assert_eq!(pragma(&connection, "journal_mode"), "wal");
        assert_eq!(pragma(&connection, "synchronous"), "2", "FULL");
        assert_eq!(pragma(&connection, "foreign_keys"), "1");
        assert_eq!(pragma(&connection, "wal_autocheckpoint"), "0");
        assert_eq!(pragma(&connection, "journal_size_limit"), "67108864");
        assert_eq!(pragma(&connection, "temp_store"), "2", "MEMORY");
        assert_eq!(pragma(&connection, "cache_size"), "-65536");
        assert_eq!(pragma(&connection, "busy_timeout"), "5000");
    }
}
