//! Read-your-writes for the read models. The exchange acknowledges a command
//! once its journal entry is durable and writes the read-model rows it
//! changed (orders, fills, balances, positions, candles) a little later, for
//! many commits at once: an order that changed five times in that while is
//! written once, and the acknowledgement path writes a log page or two
//! instead of dozens (docs/PERFORMANCE.md, session 21). So that nobody
//! reads an older state than they were told about, every read-model query
//! first waits until the rows are written through the last journal entry
//! committed at the time it starts, and asks the exchange to write them now
//! rather than at its next deadline. The rows' watermark is stored with
//! them, so a restart knows which commands' rows to write again
//! (`Exchange::start`). Only commits through the same storage are waited
//! for: another process reading the same database sees the rows as stored,
//! at most the exchange's `read_model_lag` behind.

use super::StorageError;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use tokio::sync::{Notify, watch};

pub struct ReadModelSync {
    /// The journal's last entry (stored before this process or since).
    journal: AtomicI64,
    /// The last entry committed through this storage: what reads wait for.
    /// Another process's commits (or a crashed run's, whose rows the
    /// exchange writes when it starts) are not waited for, so a reader on a
    /// storage no exchange commits through sees what is stored.
    awaited: AtomicI64,
    /// The last journal entry whose read-model rows are written.
    written: watch::Sender<i64>,
    /// A reader is waiting for rows.
    wanted: AtomicBool,
    wake: Notify,
    /// No rows will be written any more (order entry stopped after a failed
    /// journal append or row write): waiting readers fail instead of
    /// waiting for ever.
    abandoned: AtomicBool,
}

impl ReadModelSync {
    /// As read from the database: the journal's last entry, and the one the
    /// stored rows are complete through.
    pub fn new(journal: i64, written: i64) -> ReadModelSync {
        ReadModelSync {
            journal: AtomicI64::new(journal),
            awaited: AtomicI64::new(written),
            written: watch::Sender::new(written),
            wanted: AtomicBool::new(false),
            wake: Notify::new(),
            abandoned: AtomicBool::new(false),
        }
    }

    pub fn journal_seq(&self) -> i64 {
        self.journal.load(Ordering::Acquire)
    }

    pub fn written_through(&self) -> i64 {
        *self.written.borrow()
    }

    /// Whether some committed command's rows are not written yet.
    pub fn is_behind(&self) -> bool {
        self.written_through() < self.journal_seq()
    }

    /// After journal entries through `seq` were appended.
    pub(crate) fn journal_appended(&self, seq: i64) {
        // What reads wait for first, so that whoever sees the journal end
        // at `seq` also waits for its rows.
        self.awaited.fetch_max(seq, Ordering::AcqRel);
        self.journal.fetch_max(seq, Ordering::AcqRel);
    }

    /// After the rows were written complete through journal entry `seq`.
    pub(crate) fn rows_written(&self, seq: i64) {
        self.written.send_if_modified(|through| {
            let advanced = seq > *through;
            *through = (*through).max(seq);
            advanced
        });
    }

    /// Waits until every command committed through this storage before
    /// this call has its rows written. Every read-model query calls this
    /// first.
    pub async fn caught_up(&self) -> Result<(), StorageError> {
        self.caught_up_to(i64::MAX).await
    }

    /// Waits until the rows of every command through `seq` are written
    /// (at most through the last entry committed through this storage:
    /// nothing later can be waited for).
    pub async fn caught_up_to(&self, seq: i64) -> Result<(), StorageError> {
        let target = self.awaited.load(Ordering::Acquire).min(seq);
        let mut written = self.written.subscribe();
        if *written.borrow() >= target {
            return Ok(());
        }
        self.wanted.store(true, Ordering::Release);
        self.wake.notify_one();
        let abandoned = &self.abandoned;
        // The sender lives in `self`, so the channel cannot close meanwhile.
        let _ = written
            .wait_for(|&through| through >= target || abandoned.load(Ordering::Acquire))
            .await;
        if self.written_through() >= target {
            Ok(())
        } else {
            Err(StorageError::ReadModelsStopped)
        }
    }

    /// Resolves when a reader has asked for rows and nobody has taken the
    /// request yet (the exchange's persister waits on this beside its queue).
    pub async fn wanted(&self) {
        loop {
            // Made before the check so that a request in between is kept.
            let notified = self.wake.notified();
            if self.is_wanted() {
                return;
            }
            notified.await;
        }
    }

    /// Whether a reader has asked for rows and nobody has taken the
    /// request yet.
    pub fn is_wanted(&self) -> bool {
        self.wanted.load(Ordering::Acquire)
    }

    /// Whether a reader has asked for rows since the last call.
    pub fn take_wanted(&self) -> bool {
        self.wanted.swap(false, Ordering::AcqRel)
    }

    /// No rows will be written any more in this process.
    pub fn abandon(&self) {
        self.abandoned.store(true, Ordering::Release);
        self.written.send_modify(|_| {});
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_read_waits_for_the_rows_of_every_earlier_commit_and_asks_for_them() {
        let sync = Arc::new(ReadModelSync::new(10, 10));
        sync.caught_up().await.expect("nothing is behind");
        sync.journal_appended(12);
        assert!(sync.is_behind());
        let reader = tokio::spawn({
            let sync = sync.clone();
            async move { sync.caught_up().await }
        });
        sync.wanted().await;
        assert!(sync.take_wanted(), "the reader asked for the rows");
        assert!(!sync.take_wanted(), "once");
        assert!(!reader.is_finished());
        sync.journal_appended(13);
        sync.rows_written(11);
        tokio::task::yield_now().await;
        assert!(!reader.is_finished(), "rows through 11 are not enough");
        sync.rows_written(13);
        reader.await.unwrap().expect("the rows are written");
        assert_eq!(sync.written_through(), 13);
        assert!(!sync.is_behind());
    }

    #[tokio::test]
    async fn a_waiting_read_fails_once_rows_are_abandoned() {
        let sync = Arc::new(ReadModelSync::new(3, 3));
        sync.journal_appended(5);
        let reader = tokio::spawn({
            let sync = sync.clone();
            async move { sync.caught_up().await }
        });
        sync.wanted().await;
        sync.abandon();
        assert!(matches!(
            reader.await.unwrap(),
            Err(StorageError::ReadModelsStopped)
        ));
    }

    #[tokio::test]
    async fn a_storage_nobody_commits_through_reads_what_is_stored() {
        let sync = ReadModelSync::new(9, 4);
        assert!(sync.is_behind(), "the rows of 5 to 9 are not stored");
        sync.caught_up().await.expect("but no read waits for them");
    }

    #[test]
    fn the_watermark_never_moves_back() {
        let sync = ReadModelSync::new(8, 8);
        sync.journal_appended(7);
        sync.rows_written(6);
        assert_eq!((sync.journal_seq(), sync.written_through()), (8, 8));
    }
}
