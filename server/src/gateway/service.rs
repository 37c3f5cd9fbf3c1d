//! The running exchange: the [`Engine`] on a thread of its own and a
//! persister task that makes its work durable before anyone hears of it.
//!
//! A submitted command goes through a bounded queue to the engine thread,
//! which executes whatever has queued up (up to a batch limit) and hands the
//! batch to the persister. The persister commits every batch that has arrived
//! meanwhile in one transaction (group commit), and only then answers the
//! callers and publishes the events. The engine keeps executing while a
//! commit is in flight; batches commit strictly in order, so a crash loses
//! only work nobody was told about. A failed commit stops order entry for
//! good (fail-stop): the process restarts and [`recover`]s from the journal.
//!
//! The acknowledgement waits for the journal alone. The read-model rows the
//! commands changed are written by a transaction of their own that runs
//! beside the journal's appends (on PostgreSQL, on another connection), at
//! most `read_model_lag` later or as soon as a read asks for them
//! (`storage::ReadModelSync`), each row once in its latest state; a restart
//! writes the rows of every command after their stored watermark.

use super::snapshot::{self, Snapshot};
use crate::exchange::projection::{OrderRow, Projection};
use crate::exchange::{
    Command, Engine, EngineImage, Event, Executed, FeeSchedule, OrderId, Reply, TradingDay,
};
use crate::storage::{JournalEntry, Storage, StorageError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
pub struct ExchangeSettings {
    /// Commands waiting for the engine before submitters are told "busy".
    pub queue: usize,
    /// Most commands the engine executes before handing a batch on.
    pub max_batch: usize,
    /// Batches waiting for the persister before the engine waits too.
    pub persist_queue: usize,
    /// Committed event batches buffered for slow subscribers.
    pub event_buffer: usize,
    /// Longest the read-model rows of an acknowledged command wait to be
    /// written when no read asks for them.
    pub read_model_lag: Duration,
    /// Order and fill rows pending before they are written regardless.
    pub read_model_batch: usize,
    /// How candles are cut into trading days.
    pub day: TradingDay,
    /// Commands between snapshots (`gateway::snapshot`); 0 takes one only
    /// at a clean stop.
    pub snapshot_every: u64,
}

impl Default for ExchangeSettings {
    fn default() -> Self {
        ExchangeSettings {
            queue: 65_536,
            max_batch: 4_096,
            persist_queue: 64,
            event_buffer: 1_024,
            read_model_lag: Duration::from_millis(20),
            read_model_batch: 4_096,
            day: TradingDay::default(),
            snapshot_every: 100_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("the exchange is busy; retry shortly")]
    Busy,
    #[error("the exchange has stopped taking orders")]
    Stopped,
    #[error("cannot recover the exchange from its journal: {0}")]
    Recovery(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Events of one committed batch, each with its command's sequence number
/// and timestamp. Shared by every subscriber.
#[derive(Debug, Default)]
pub struct Committed {
    pub events: Vec<(u64, i64, Event)>,
}

/// Told about every committed batch, in order, before replies are released;
/// also fed the replayed history at start. Market data and the accounts'
/// private streams live behind this. `state` is the read-model projection
/// as of the last of `events`: orders, balances and positions in their
/// latest state.
pub trait CommitObserver: Send + Sync + 'static {
    fn committed(&self, events: &[(u64, i64, Event)], state: &Projection);

    /// What the observer has built from the events so far, for a snapshot
    /// (`null` for one that keeps nothing across a restart).
    fn image(&self) -> Result<serde_json::Value, String> {
        Ok(serde_json::Value::Null)
    }

    /// Takes the state of an earlier [`CommitObserver::image`] before the
    /// journal after it is replayed; on error nothing has changed.
    fn restore(&self, image: serde_json::Value) -> Result<(), String> {
        let _ = image;
        Ok(())
    }
}

/// Several observers, told in turn; their images are a list in their order.
impl CommitObserver for Vec<Arc<dyn CommitObserver>> {
    fn committed(&self, events: &[(u64, i64, Event)], state: &Projection) {
        for observer in self {
            observer.committed(events, state);
        }
    }

    fn image(&self) -> Result<serde_json::Value, String> {
        (self.iter().map(|observer| observer.image()))
            .collect::<Result<Vec<_>, _>>()
            .map(serde_json::Value::Array)
    }

    fn restore(&self, image: serde_json::Value) -> Result<(), String> {
        let serde_json::Value::Array(images) = image else {
            return Err("the observers' images are not a list".into());
        };
        if images.len() != self.len() {
            return Err(format!(
                "{} images for {} observers",
                images.len(),
                self.len()
            ));
        }
        for (observer, image) in self.iter().zip(images) {
            observer.restore(image)?;
        }
        Ok(())
    }
}

/// What a submitter hears once its command is committed: the engine's
/// answer and, for a command about one order, that order's state right
/// after the command (absent when the order had closed before and its row
/// was written since).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub executed: Executed,
    pub order: Option<OrderRow>,
}

struct Request {
    command: Command,
    ts_ms: i64,
    reply: oneshot::Sender<Submitted>,
}

#[derive(Default)]
struct Batch {
    entries: Vec<JournalEntry>,
    /// Each reply with its command's events as `events[range]`.
    replies: Vec<(
        oneshot::Sender<Submitted>,
        About,
        Executed,
        std::ops::Range<usize>,
    )>,
    events: Vec<(u64, i64, Event)>,
    /// The engine's state after the batch's last command, when a snapshot
    /// is due: such a batch ends its group commit.
    image: Option<EngineImage>,
}

/// A cloneable handle for submitting commands and following committed events.
#[derive(Clone)]
pub struct Exchange {
    requests: mpsc::Sender<Request>,
    committed: broadcast::Sender<Arc<Committed>>,
    stopped: Arc<AtomicBool>,
    /// Asks the engine thread for a snapshot at the end of its next batch.
    snapshot_wanted: Arc<AtomicBool>,
    /// The fee schedule the journal had set when this exchange started
    /// (`None`: a new journal, or one from before fees were journaled).
    recovered_fees: Option<FeeSchedule>,
}

/// The engine thread and the persister; [`ExchangeTasks::join`] waits for both
/// once every [`Exchange`] handle is gone.
pub struct ExchangeTasks {
    engine: std::thread::JoinHandle<Engine>,
    persister: tokio::task::JoinHandle<Result<(), StorageError>>,
}

impl Exchange {
    /// Recovers the engine from the newest usable snapshot and the journal
    /// after it in `storage`, and starts it. `fees` are charged by a journal
    /// from before fees were journaled, until its first `SetFees`.
    pub async fn start(
        storage: Arc<dyn Storage>,
        fees: FeeSchedule,
        settings: ExchangeSettings,
        observer: Arc<dyn CommitObserver>,
    ) -> Result<(Exchange, ExchangeTasks), ExchangeError> {
        let written = storage.read_models().written_through();
        let restored =
            snapshot::restore(storage.as_ref(), observer.as_ref(), settings.day, written).await?;
        let (engine, mut projection) = match restored {
            Some(restored) => (restored.engine, restored.projection),
            None => (Engine::new(fees), Projection::new(settings.day)),
        };
        let mut stored = true;
        let engine = replay(storage.as_ref(), engine, |events| {
            for (seq, ts_ms, event) in events {
                if stored && *seq as i64 > written {
                    // The rows up to here are stored; from here they are not.
                    projection.discard_changes();
                    stored = false;
                }
                projection.apply(*seq, *ts_ms, event);
            }
            observer.committed(events, &projection);
        })
        .await?;
        if stored {
            projection.discard_changes();
        }
        if storage.read_models().is_behind() {
            // Commands acknowledged before the last stop whose rows were
            // not written yet.
            let through = storage.read_models().journal_seq();
            storage
                .write_read_models(projection.take_changes(), through)
                .await?;
        }
        let recovered_fees = engine.fees_journaled().then(|| engine.fees());
        let (requests, queued) = mpsc::channel(settings.queue.max(1));
        let (batches, to_commit) = mpsc::channel(settings.persist_queue.max(1));
        let (committed, _) = broadcast::channel(settings.event_buffer.max(1));
        let stopped = Arc::new(AtomicBool::new(false));
        let snapshot_wanted = Arc::new(AtomicBool::new(false));
        let pace = EnginePace {
            max_batch: settings.max_batch.max(1),
            snapshot_every: settings.snapshot_every,
            snapshot_wanted: snapshot_wanted.clone(),
        };
        let engine = std::thread::Builder::new()
            .name("gaemi-engine".into())
            .spawn(move || run_engine(engine, queued, batches, pace))
            .map_err(|err| {
                ExchangeError::Recovery(format!("cannot start the engine thread: {err}"))
            })?;
        let persister = tokio::spawn(persist(
            Persister {
                storage,
                projection,
                observer,
                committed: committed.clone(),
                stopped: stopped.clone(),
                read_model_lag: settings.read_model_lag,
                read_model_batch: settings.read_model_batch.max(1),
            },
            to_commit,
        ));
        Ok((
            Exchange {
                requests,
                committed,
                stopped,
                snapshot_wanted,
                recovered_fees,
            },
            ExchangeTasks { engine, persister },
        ))
    }

    /// The fee schedule the journal had set when this exchange started;
    /// `None` for a new journal or one from before fees were journaled.
    pub fn recovered_fees(&self) -> Option<FeeSchedule> {
        self.recovered_fees
    }

    /// Takes a snapshot after the next batch of commands, whatever the
    /// count since the last one.
    pub fn request_snapshot(&self) {
        self.snapshot_wanted.store(true, Ordering::Release);
    }

    /// Executes `command` and answers once it is committed. `Busy` when the
    /// queue is full (nothing was done: retry later), `Stopped` after a
    /// failed commit (nothing unanswered was made durable).
    pub async fn submit(&self, command: Command, ts_ms: i64) -> Result<Submitted, ExchangeError> {
        if self.stopped.load(Ordering::Acquire) {
            return Err(ExchangeError::Stopped);
        }
        let (reply, answer) = oneshot::channel();
        self.requests
            .try_send(Request {
                command,
                ts_ms,
                reply,
            })
            .map_err(|err| match err {
                mpsc::error::TrySendError::Full(_) => ExchangeError::Busy,
                mpsc::error::TrySendError::Closed(_) => ExchangeError::Stopped,
            })?;
        answer.await.map_err(|_| ExchangeError::Stopped)
    }

    /// Committed events from now on, batch by batch.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.committed.subscribe()
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }
}

impl ExchangeTasks {
    /// Waits until the engine has executed and the persister committed
    /// everything submitted; returns the engine's final state.
    pub async fn join(self) -> Result<Engine, ExchangeError> {
        let persisted = self.persister.await.map_err(|_| ExchangeError::Stopped)?;
        let engine = tokio::task::spawn_blocking(move || self.engine.join())
            .await
            .map_err(|_| ExchangeError::Stopped)?
            .map_err(|_| ExchangeError::Stopped)?;
        persisted?;
        Ok(engine)
    }
}

/// How the engine thread cuts its work into batches and when it takes an
/// image for a snapshot.
struct EnginePace {
    max_batch: usize,
    snapshot_every: u64,
    snapshot_wanted: Arc<AtomicBool>,
}

fn run_engine(
    mut engine: Engine,
    mut queued: mpsc::Receiver<Request>,
    batches: mpsc::Sender<Batch>,
    pace: EnginePace,
) -> Engine {
    let mut events = Vec::new();
    // Commands executed since the last image.
    let mut since_image: u64 = 0;
    while let Some(first) = queued.blocking_recv() {
        let mut batch = Batch::default();
        let mut next = Some(first);
        while let Some(Request {
            command,
            ts_ms,
            reply,
        }) = next
        {
            events.clear();
            // Our command types are plain data: serialising them cannot fail.
            let json = serde_json::to_string(&command).expect("commands serialise");
            let about = About::of(&command);
            let executed = engine.execute(command, &mut events);
            batch.entries.push(JournalEntry {
                seq: executed.seq as i64,
                ts_ms,
                command: json,
            });
            let first = batch.events.len();
            batch
                .events
                .extend(events.drain(..).map(|event| (executed.seq, ts_ms, event)));
            let range = first..batch.events.len();
            batch.replies.push((reply, about, executed, range));
            next = if batch.entries.len() < pace.max_batch {
                queued.try_recv().ok()
            } else {
                None
            };
        }
        since_image += batch.entries.len() as u64;
        let due = pace.snapshot_every > 0 && since_image >= pace.snapshot_every;
        if pace.snapshot_wanted.swap(false, Ordering::AcqRel) || due {
            batch.image = Some(timed_image(&engine));
            since_image = 0;
        }
        if batches.blocking_send(batch).is_err() {
            // The persister stopped after a failed commit: stop with it.
            return engine;
        }
    }
    // A clean stop: the next start restores this and replays nothing.
    if since_image > 0 {
        let last = Batch {
            image: Some(timed_image(&engine)),
            ..Batch::default()
        };
        let _ = batches.blocking_send(last);
    }
    engine
}

/// The engine's image, with how long order entry waited for it.
fn timed_image(engine: &Engine) -> EngineImage {
    let started = std::time::Instant::now();
    let image = engine.image();
    tracing::info!(
        seq = engine.seq(),
        elapsed_us = started.elapsed().as_micros() as u64,
        "the engine took its image for a snapshot"
    );
    image
}

/// What the persister task owns besides its queue.
struct Persister {
    storage: Arc<dyn Storage>,
    projection: Projection,
    observer: Arc<dyn CommitObserver>,
    committed: broadcast::Sender<Arc<Committed>>,
    stopped: Arc<AtomicBool>,
    read_model_lag: Duration,
    read_model_batch: usize,
}

/// A write of read-model rows running beside the journal's commits.
type RowWrite = tokio::task::JoinHandle<Result<(), StorageError>>;

/// After a failed write: order entry stops, and so does every read
/// waiting for rows.
fn fail_stop(stopped: &AtomicBool, storage: &dyn Storage, err: &StorageError, what: &str) {
    stopped.store(true, Ordering::Release);
    storage.read_models().abandon();
    tracing::error!(%err, "writing the exchange's {what} failed; order entry has stopped");
}

impl Persister {
    /// Starts writing every row changed since the last write, on its own
    /// transaction (and, on PostgreSQL, its own connection), so that no
    /// acknowledgement waits for it. Called only between batches, when
    /// the projection holds exactly the committed journal: the rows are
    /// complete through its last entry, which is at or past every waiting
    /// reader's target, so their request is answered by this write.
    /// A `snapshot` of the same moment is stored once the rows are.
    fn start_row_write(&mut self, snapshot: Option<Snapshot>) -> RowWrite {
        self.storage.read_models().take_wanted();
        let rows = self.projection.take_changes();
        let through = self.storage.read_models().journal_seq();
        let (storage, stopped) = (self.storage.clone(), self.stopped.clone());
        tokio::spawn(async move {
            let written = storage.write_read_models(rows, through).await;
            if let Err(err) = &written {
                // At once, not when the persister next looks: readers
                // waiting for these rows fail now, and no order is taken
                // meanwhile.
                fail_stop(&stopped, storage.as_ref(), err, "read models");
                return written;
            }
            if let Some(snapshot) = snapshot {
                store_snapshot(storage.as_ref(), snapshot, through).await;
            }
            written
        })
    }

    /// The snapshot of this moment (between groups, everything committed
    /// applied), around the engine's image of the same moment.
    fn snapshot(&self, engine: EngineImage) -> Option<Snapshot> {
        let started = std::time::Instant::now();
        match self.observer.image() {
            Ok(observers) => {
                let projection = self.projection.image();
                tracing::info!(
                    seq = engine.seq(),
                    elapsed_us = started.elapsed().as_micros() as u64,
                    "the persister took the read models' and market data's images"
                );
                Some(Snapshot {
                    engine,
                    projection,
                    observers,
                })
            }
            Err(err) => {
                tracing::warn!(%err, "no snapshot: the market data gave no image");
                None
            }
        }
    }

    /// How a row write started earlier ended (it has already stopped order
    /// entry if it failed).
    fn row_write_done(
        &self,
        outcome: Result<Result<(), StorageError>, tokio::task::JoinError>,
    ) -> Result<(), StorageError> {
        outcome.unwrap_or_else(|err| {
            let err = StorageError::RowWriteLost(err.to_string());
            fail_stop(&self.stopped, self.storage.as_ref(), &err, "read models");
            Err(err)
        })
    }
}

async fn persist(
    mut p: Persister,
    mut to_commit: mpsc::Receiver<Batch>,
) -> Result<(), StorageError> {
    let storage = p.storage.clone();
    let sync = storage.read_models();
    // When the rows of the oldest command acknowledged without them are due.
    let mut rows_due: Option<Instant> = None;
    // At most one row write at a time, so that watermarks only move forward.
    let mut writing: Option<RowWrite> = None;
    loop {
        let rows_waiting = rows_due.is_some() && writing.is_none();
        let next = tokio::select! {
            biased;
            next = to_commit.recv() => next,
            outcome = async { writing.as_mut().expect("guarded").await }, if writing.is_some() => {
                writing = None;
                p.row_write_done(outcome)?;
                continue;
            }
            () = sync.wanted(), if rows_waiting => {
                // A read waits for the rows.
                writing = Some(p.start_row_write(None));
                rows_due = None;
                continue;
            }
            () = tokio::time::sleep_until(rows_due.unwrap_or_else(Instant::now)), if rows_waiting => {
                writing = Some(p.start_row_write(None));
                rows_due = None;
                continue;
            }
        };
        let Some(mut group) = next else { break };
        // Group commit: everything that queued up while the last commit was
        // in flight goes into this transaction, up to a batch that carries
        // an image (a snapshot is of the moment after its batch).
        while group.image.is_none() {
            let Ok(more) = to_commit.try_recv() else {
                break;
            };
            group.image = more.image;
            let offset = group.events.len();
            group.entries.extend(more.entries);
            group.replies.extend(
                more.replies
                    .into_iter()
                    .map(|(tx, about, executed, range)| {
                        (
                            tx,
                            about,
                            executed,
                            range.start + offset..range.end + offset,
                        )
                    }),
            );
            group.events.extend(more.events);
        }
        let mut answers = Vec::with_capacity(group.replies.len());
        for (reply, about, executed, range) in group.replies {
            for (seq, ts_ms, event) in &group.events[range] {
                p.projection.apply(*seq, *ts_ms, event);
            }
            let order = (about.subject(executed.reply)).and_then(|id| p.projection.order(id));
            answers.push((reply, Submitted { executed, order }));
        }
        let image = group.image.take();
        if !group.entries.is_empty()
            && let Err(err) = storage.append_journal(group.entries).await
        {
            fail_stop(&p.stopped, storage.as_ref(), &err, "journal");
            return Err(err);
        }
        p.observer.committed(&group.events, &p.projection);
        for (reply, submitted) in answers {
            let _ = reply.send(submitted);
        }
        if p.committed.receiver_count() > 0 {
            let _ = p.committed.send(Arc::new(Committed {
                events: group.events,
            }));
        }
        if let Some(engine) = image {
            // The rows through this moment go first: a snapshot is stored
            // only once they are, so a start from it misses none.
            if let Some(write) = writing.take() {
                p.row_write_done(write.await)?;
            }
            let snapshot = p.snapshot(engine);
            writing = Some(p.start_row_write(snapshot));
            rows_due = None;
            continue;
        }
        // Under steady load the queue always has the next batch, and the
        // biased select above never gets to see a row write end.
        if let Some(write) = writing.take_if(|write| write.is_finished()) {
            p.row_write_done(write.await)?;
        }
        let due = *rows_due.get_or_insert_with(|| Instant::now() + p.read_model_lag);
        // Started here rather than by the next turn of the loop, which
        // would take the next batch first.
        if writing.is_none()
            && (sync.is_wanted()
                || Instant::now() >= due
                || p.projection.pending_rows() >= p.read_model_batch)
        {
            writing = Some(p.start_row_write(None));
            rows_due = None;
        }
    }
    // A clean stop leaves no rows for the next start to write.
    if let Some(write) = writing.take() {
        p.row_write_done(write.await)?;
    }
    if rows_due.is_some() {
        let write = p.start_row_write(None);
        p.row_write_done(write.await)?;
    }
    Ok(())
}

/// Stores `snapshot`, taken as of journal entry `through` (whose rows are
/// written). A failure is only logged: the journal stays complete, and
/// the next snapshot or a longer replay makes up for it.
async fn store_snapshot(storage: &dyn Storage, snapshot: Snapshot, through: i64) {
    if snapshot.seq() as i64 != through {
        tracing::error!(
            image = snapshot.seq(),
            through,
            "no snapshot: the engine's image is not of the committed moment"
        );
        return;
    }
    let started = std::time::Instant::now();
    let encoded = tokio::task::spawn_blocking(move || snapshot.encode()).await;
    let stored = match encoded {
        Ok(Ok(stored)) => stored,
        Ok(Err(err)) => return tracing::warn!(%err, "no snapshot"),
        Err(err) => return tracing::warn!(%err, "no snapshot: encoding it failed"),
    };
    let bytes = stored.body.len();
    match storage.save_snapshot(&stored).await {
        Ok(()) => tracing::info!(
            seq = through,
            bytes,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "stored a snapshot of the exchange"
        ),
        Err(err) => tracing::warn!(%err, seq = through, "storing a snapshot failed"),
    }
}

/// Which order a command is about, noted before the engine takes the
/// command (it is moved in): the one it places, or the one it amends or
/// cancels.
#[derive(Clone, Copy, Debug)]
enum About {
    Placing,
    Order(OrderId),
    Nothing,
}

impl About {
    fn of(command: &Command) -> About {
        match command {
            Command::Place(_) => About::Placing,
            Command::Amend { order, .. } | Command::Cancel { order, .. } => About::Order(*order),
            _ => About::Nothing,
        }
    }

    /// The order, once the engine has answered.
    fn subject(self, reply: Reply) -> Option<OrderId> {
        match (self, reply) {
            (About::Placing, Reply::Accepted { order }) => Some(order),
            (About::Order(order), _) => Some(order),
            _ => None,
        }
    }
}

/// Rebuilds the engine by replaying the whole journal, ignoring snapshots:
/// the engine is deterministic, so this reproduces every book, balance and
/// remembered client order id. `replayed` sees the events again, in order,
/// a page of commands at a time.
pub async fn recover(
    storage: &dyn Storage,
    fees: FeeSchedule,
    replayed: impl FnMut(&[(u64, i64, Event)]),
) -> Result<Engine, ExchangeError> {
    replay(storage, Engine::new(fees), replayed).await
}

/// Executes the journal's entries after the engine's last command.
pub async fn replay(
    storage: &dyn Storage,
    mut engine: Engine,
    mut replayed: impl FnMut(&[(u64, i64, Event)]),
) -> Result<Engine, ExchangeError> {
    const PAGE: i64 = 10_000;
    let mut scratch = Vec::new();
    let mut events = Vec::new();
    let mut after = engine.seq() as i64;
    loop {
        let page = storage.read_journal(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        let last = last.seq;
        for entry in page {
            let command: Command = serde_json::from_str(&entry.command).map_err(|err| {
                ExchangeError::Recovery(format!("journal entry {} is unreadable: {err}", entry.seq))
            })?;
            scratch.clear();
            let executed = engine.execute(command, &mut scratch);
            events.extend(
                scratch
                    .drain(..)
                    .map(|event| (executed.seq, entry.ts_ms, event)),
            );
            if executed.seq as i64 != entry.seq {
                return Err(ExchangeError::Recovery(format!(
                    "journal entry {} follows {}: the journal has a gap",
                    entry.seq,
                    executed.seq - 1
                )));
            }
        }
        replayed(&events);
        events.clear();
        after = last;
    }
    Ok(engine)
}
