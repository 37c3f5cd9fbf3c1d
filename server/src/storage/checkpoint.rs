//! Moves SQLite's WAL checkpoints off the commit path. By default the
//! connection whose commit takes the write-ahead log past 1,000 pages copies
//! the log back into the database file and syncs it before its commit
//! returns: every few hundred orders, one batch of acknowledgements waited
//! for a whole checkpoint, which set the tail of order-entry latency. Every
//! connection is opened with `wal_autocheckpoint = 0`, and this task runs a
//! `PASSIVE` checkpoint on a connection of its own (so on another sqlx
//! worker thread) every [`INTERVAL`]: it blocks no writer and no reader, so
//! a commit only appends to the log. Under a steady stream of commits a
//! passive checkpoint never catches up with the last frame, and SQLite
//! starts the log over only when one has; so once the log is longer than
//! [`RESTART_FRAMES`], a `RESTART` checkpoint holds the next commit back
//! while it copies the few frames the passive ones left and lets the log
//! start again. Without that the log grew past a gigabyte in ten seconds of
//! load (docs/PERFORMANCE.md). While a restart checkpoint waits for readers
//! no commit can begin, so its connection waits only briefly
//! ([`BUSY_TIMEOUT`]) and tries again at the next tick: a commit must never
//! wait long enough to time out, which would stop order entry.

use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Row};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// How often committed log pages are copied into the database file.
pub const INTERVAL: Duration = Duration::from_millis(100);

/// The log length (in pages of 4 KiB) past which the log is started over.
pub const RESTART_FRAMES: i64 = 4_096;

/// How long a restart checkpoint waits for a gap between commits and for
/// readers of the log: long enough to find a gap under steady load, far
/// below the writers' own busy timeout (5 s).
pub const BUSY_TIMEOUT: Duration = Duration::from_millis(250);

pub struct Checkpointer {
    stop: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Checkpointer {
    pub fn start(mut connection: SqliteConnection) -> Checkpointer {
        let stop = Arc::new(Notify::new());
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stopped.notified() => break,
                    _ = ticks.tick() => {}
                }
                if let Err(error) = checkpoint_and_restart(&mut connection).await {
                    // The log only grows until the next checkpoint succeeds;
                    // commits stay durable either way.
                    tracing::warn!(%error, "WAL checkpoint failed; retrying");
                }
            }
            // No last checkpoint here: the store closes its pool after this,
            // and SQLite's last connection to close checkpoints the log.
            let _ = connection.close().await;
        });
        Checkpointer { stop, task }
    }

    /// Stops the task and closes its connection.
    pub async fn stop(mut self) {
        self.stop.notify_one();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Checkpointer {
    /// A store dropped without being closed takes its task with it.
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A passive checkpoint, and a restart of the log once it is long.
async fn checkpoint_and_restart(connection: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    if checkpoint(connection, "PASSIVE").await? > RESTART_FRAMES {
        checkpoint(connection, "RESTART").await?;
    }
    Ok(())
}

/// One checkpoint in `mode`; returns the log's length in frames.
async fn checkpoint(connection: &mut SqliteConnection, mode: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(&format!("PRAGMA wal_checkpoint({mode})"))
        .fetch_one(&mut *connection)
        .await?;
    let (busy, log, copied): (i64, i64, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    tracing::trace!(mode, busy, log, copied, "WAL checkpoint");
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::ConnectOptions;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    use std::sync::atomic::{AtomicBool, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_starts_over_while_commits_keep_coming() {
        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join("t.db-wal");
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("t.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .pragma("wal_autocheckpoint", "0")
            // A log that starts over is cut to nothing, so its file shows it.
            .pragma("journal_size_limit", "0");
        let mut writer = options.connect().await.unwrap();
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
            .execute(&mut writer)
            .await
            .unwrap();
        let checkpointer = Checkpointer::start(
            options
                .clone()
                .busy_timeout(BUSY_TIMEOUT)
                .connect()
                .await
                .unwrap(),
        );

        // Commits of 100 pages each, one right after another, as the
        // persister commits under load: a passive checkpoint never catches
        // up with them, so only a restart checkpoint lets the log start over.
        let stop = Arc::new(AtomicBool::new(false));
        let writing = {
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut commits = 0_i64;
                while !stop.load(Ordering::Relaxed) {
                    sqlx::query(
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) \
                         INSERT INTO t (body) SELECT randomblob(3000) FROM n",
                    )
                    .execute(&mut writer)
                    .await
                    .unwrap();
                    commits += 1;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                (writer, commits)
            })
        };
        let size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
        let mut largest = 0;
        let mut started_over = false;
        for _ in 0..600 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let now = size();
            largest = largest.max(now);
            // Past RESTART_FRAMES pages, then back to a few commits' worth.
            if largest > 20 << 20 && now < 8 << 20 {
                started_over = true;
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        let (mut writer, commits) = writing.await.unwrap();
        assert!(
            started_over,
            "the log grew to {largest} bytes and never started over"
        );
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&mut writer)
            .await
            .unwrap();
        assert_eq!(rows, commits * 100, "every commit is still there");
        checkpointer.stop().await;
    }
}
