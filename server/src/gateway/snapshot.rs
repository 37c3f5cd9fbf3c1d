//! Snapshots of the running exchange, so a start replays only the journal's
//! tail. A snapshot holds, as of one journal entry, everything a replay
//! builds in memory: the engine (`EngineImage`), the read-model projection's
//! open orders and balances, and the observers' state (the market data).
//! The engine thread takes its image at the end of a batch, every
//! `snapshot_every` commands and at a clean stop; the persister adds the
//! rest once that batch is committed, and stores the snapshot only after
//! the read-model rows through the same entry are written, so a start that
//! restores it never misses a row. The journal stays the truth: a snapshot
//! that cannot be read or does not add up is skipped (the one before it is
//! tried, then a full replay), and a snapshot that fails to store stops
//! nothing.

use super::service::{CommitObserver, ExchangeError};
use crate::exchange::projection::{Projection, ProjectionImage};
use crate::exchange::{Engine, EngineImage, TradingDay};
use crate::storage::{Storage, StoredSnapshot};
use serde::{Deserialize, Serialize};

/// How the stored body is laid out (JSON of [`Snapshot`]); a start skips a
/// snapshot of any other format.
pub const FORMAT: i32 = 1;

#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    pub engine: EngineImage,
    pub projection: ProjectionImage,
    pub observers: serde_json::Value,
}

impl Snapshot {
    pub fn seq(&self) -> u64 {
        self.engine.seq()
    }

    /// The snapshot as stored. Serialising our own plain types cannot fail
    /// but for a map with non-string keys, which none of them has.
    pub fn encode(&self) -> Result<StoredSnapshot, ExchangeError> {
        let body = serde_json::to_vec(self)
            .map_err(|err| ExchangeError::Recovery(format!("cannot encode a snapshot: {err}")))?;
        Ok(StoredSnapshot {
            seq: self.seq() as i64,
            format: FORMAT,
            body,
        })
    }
}

/// What a start begins its replay from.
pub struct Restored {
    pub engine: Engine,
    pub projection: Projection,
}

/// The newest stored snapshot that reads and adds up, restored (the
/// observers take their state from it); `None` when there is none, and the
/// journal is replayed from its start. `written` is how far the read-model
/// rows are written: a snapshot past it is not used.
pub async fn restore(
    storage: &dyn Storage,
    observer: &dyn CommitObserver,
    day: TradingDay,
    written: i64,
) -> Result<Option<Restored>, ExchangeError> {
    let mut before = i64::MAX;
    while let Some(stored) = storage.snapshot_before(before).await? {
        before = stored.seq;
        match restore_one(&stored, observer, day, written) {
            Ok(restored) => {
                tracing::info!(
                    seq = stored.seq,
                    bytes = stored.body.len(),
                    "restored the exchange from its snapshot"
                );
                return Ok(Some(restored));
            }
            Err(why) => {
                tracing::warn!(seq = stored.seq, %why, "skipping a snapshot that cannot be used");
            }
        }
    }
    Ok(None)
}

fn restore_one(
    stored: &StoredSnapshot,
    observer: &dyn CommitObserver,
    day: TradingDay,
    written: i64,
) -> Result<Restored, String> {
    if stored.format != FORMAT {
        return Err(format!("format {} is not {FORMAT}", stored.format));
    }
    if stored.seq > written {
        return Err(format!(
            "the read-model rows are written only through {written}"
        ));
    }
    let snapshot: Snapshot = serde_json::from_slice(&stored.body).map_err(|err| err.to_string())?;
    if snapshot.seq() as i64 != stored.seq {
        return Err(format!("its body holds entry {}", snapshot.seq()));
    }
    let engine = Engine::from_image(snapshot.engine)?;
    let projection = Projection::from_image(&snapshot.projection, day)?;
    // Last: the observers change only once everything else has read.
    observer.restore(snapshot.observers)?;
    Ok(Restored { engine, projection })
}
