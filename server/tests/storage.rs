//! The storage story, run against both backends: open and migrate a fresh
//! database, reopen it (migrations are idempotent), and read back what was
//! written. PostgreSQL runs on 127.0.0.1:5432 in a database made for the test.

mod common;

use common::TestDb;
use gaemi::exchange::projection::RowChanges;
use gaemi::storage::{self, Backend, JournalEntry, StorageError};

async fn storage_story(db: &TestDb, backend: Backend) {
    let store = storage::open(db.url()).await.expect("open and migrate");
    assert_eq!(store.backend(), backend);
    store.ping().await.unwrap();
    assert_eq!(store.start_count().await.unwrap(), 0);
    assert_eq!(store.record_start("0.1.0", 1_000).await.unwrap(), 1);
    assert_eq!(store.record_start("0.1.0", 2_000).await.unwrap(), 2);

    assert!(store.read_journal(0, 10).await.unwrap().is_empty());
    // More rows than one SQLite statement takes, and text that would end a
    // statement early if it were not bound as a value.
    let mut entries: Vec<JournalEntry> = (1..=2_500)
        .map(|seq| JournalEntry {
            seq,
            ts_ms: 1_000 + seq,
            command: format!("{{\"n\":{seq},\"note\":\"'); DROP TABLE orders; --\"}}"),
        })
        .collect();
    store
        .append_journal(entries[..2_200].to_vec())
        .await
        .unwrap();
    store
        .append_journal(entries[2_200..].to_vec())
        .await
        .unwrap();
    let overlapping = store.append_journal(entries[2_199..2_201].to_vec()).await;
    assert!(overlapping.is_err(), "a sequence number is written once");
    let next = JournalEntry {
        seq: 2_501,
        ts_ms: 9_999,
        command: "{}".into(),
    };
    store
        .append_journal(vec![next.clone()])
        .await
        .expect("a failed commit leaves the store able to commit again");
    entries.push(next);
    assert!(
        store.read_models().is_behind(),
        "journal entries alone leave the read models behind"
    );
    store
        .write_read_models(RowChanges::default(), 2_501)
        .await
        .unwrap();
    assert_eq!(store.read_models().written_through(), 2_501);
    store.close().await;

    let reopened = storage::open(db.url())
        .await
        .expect("reopen runs migrations again harmlessly");
    assert_eq!(
        reopened.start_count().await.unwrap(),
        2,
        "committed writes survive a reopen"
    );
    assert_eq!(
        reopened.read_journal(0, 10_000).await.unwrap(),
        entries,
        "the journal reads back whole, in order"
    );
    assert_eq!(
        reopened.read_journal(240, 5).await.unwrap(),
        entries[240..245],
        "and pages by sequence"
    );
    let sync = reopened.read_models();
    assert_eq!(
        (sync.journal_seq(), sync.written_through()),
        (2_501, 2_501),
        "the read models' watermark survives a reopen"
    );
    reopened.close().await;
}

#[tokio::test]
async fn storage_story_on_sqlite() {
    let db = TestDb::sqlite();
    storage_story(&db, Backend::Sqlite).await;
}

#[tokio::test]
async fn storage_story_on_postgres() {
    let db = TestDb::postgres().await;
    storage_story(&db, Backend::Postgres).await;
}

#[tokio::test]
async fn an_unwritable_sqlite_path_names_the_path() {
    // A regular file where a folder should be: fails even for root.
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"").unwrap();
    let url = format!("sqlite://{}/gaemi.db", blocker.display());
    let err = storage::open(&url).await.err().expect("cannot open");
    assert!(matches!(err, StorageError::CreateDir { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&blocker.display().to_string()),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_postgres_names_the_url_without_its_password() {
    let err = storage::open("postgres://gaemi:hunter2@127.0.0.1:1/gaemi")
        .await
        .err()
        .expect("cannot connect");
    let message = err.to_string();
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn an_unsupported_database_url_is_refused() {
    let err = storage::open("mysql://localhost/gaemi")
        .await
        .err()
        .expect("refused");
    assert!(matches!(err, StorageError::UnsupportedUrl(_)));
}
