//! Migration 0010 (accounts get owners) on a database written before it,
//! on both backends: a member keeps their main account and watchlist, an
//! unclaimed guest account gets a guest user of its own whose old session
//! (it named the account) still finds it, an account no sign-up finished
//! is kept apart, and the bots' accounts stay the house's. Run with
//! `GAEMI_TEST_BACKEND=postgres` for PostgreSQL.

mod common;

use common::{TestDb, TestServer};
use gaemi::storage::AccountKind;
use std::borrow::Cow;

/// Every migration before 0010, as a server before it ran them.
async fn migrate_before_owners(db: &TestDb) {
    match db {
        TestDb::Sqlite { url, .. } => {
            let options: sqlx::sqlite::SqliteConnectOptions = url
                .parse::<sqlx::sqlite::SqliteConnectOptions>()
                .unwrap()
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            let mut migrator = sqlx::migrate!("../migrations/sqlite");
            migrator.migrations = Cow::Owned(migrator.migrations[..9].to_vec());
            migrator.run(&pool).await.unwrap();
            pool.close().await;
        }
        TestDb::Postgres { url, .. } => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let mut migrator = sqlx::migrate!("../migrations/postgres");
            migrator.migrations = Cow::Owned(migrator.migrations[..9].to_vec());
            migrator.run(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

/// A stored session record that names only an account, as sessions did
/// before accounts had owners; answers its cookie value.
async fn legacy_session(db: &TestDb, account: i64) -> String {
    let expiry = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let mut data = std::collections::HashMap::new();
    data.insert("account_id".to_owned(), serde_json::json!(account));
    let record = tower_sessions::session::Record {
        id: tower_sessions::session::Id::default(),
        data,
        expiry_date: expiry,
    };
    let id = record.id.to_string();
    let json = serde_json::to_string(&record).unwrap().replace('\'', "''");
    let expiry_ms = expiry.unix_timestamp() * 1_000;
    db.execute(&format!(
        "INSERT INTO sessions (id, record, expiry_ms) VALUES ('{id}', '{json}', {expiry_ms})"
    ))
    .await;
    id
}

#[tokio::test]
async fn accounts_written_before_owners_keep_their_people() {
    let db = TestDb::from_env().await;
    migrate_before_owners(&db).await;
    // Accounts 1 (a member's), 2 (a guest's), 3 (a sign-up that never
    // finished), 4 and 5 (bots); a watchlist on the member's and the guest's.
    for (kind, n) in [("user", 1), ("guest", 1), ("user", 1), ("bot", 2)] {
        for _ in 0..n {
            db.execute(&format!(
                "INSERT INTO accounts (kind, created_ms) VALUES ('{kind}', 1000)"
            ))
            .await;
        }
    }
    db.execute(
        "INSERT INTO users (email, email_key, verified_ms, nickname, nickname_key, password_hash, \
         account_id, created_ms) VALUES ('kim@example.kr', 'kim@example.kr', 1, '개미왕', '개미왕', \
         'hash', 1, 1000)",
    )
    .await;
    for (account, symbol) in [(1, 3), (1, 5), (2, 7)] {
        db.execute(&format!(
            "INSERT INTO watchlist (account_id, symbol_id, added_ms) VALUES ({account}, {symbol}, 1)"
        ))
        .await;
    }
    let cookie = legacy_session(&db, 2).await;

    let storage = gaemi::storage::open(db.url()).await.expect("migrated");
    let member = storage
        .user_by_email("kim@example.kr")
        .await
        .unwrap()
        .unwrap();
    let owned = storage.accounts_of_user(member.user_id).await.unwrap();
    assert_eq!(owned.len(), 1);
    assert_eq!((owned[0].account_id, owned[0].kind), (1, AccountKind::Main));
    assert_eq!(storage.watchlist(member.user_id).await.unwrap(), [3, 5]);

    let guest_account = storage.account(2).await.unwrap().unwrap();
    let guest = guest_account
        .user_id
        .expect("the guest account has an owner");
    assert_ne!(guest, member.user_id);
    assert!(storage.is_guest(guest).await.unwrap());
    assert_eq!(guest_account.kind, AccountKind::Main);
    assert_eq!(storage.watchlist(guest).await.unwrap(), [7]);

    let unfinished = storage.account(3).await.unwrap().unwrap();
    assert_eq!(
        (unfinished.user_id, unfinished.kind),
        (None, AccountKind::Orphan)
    );
    assert_eq!(
        storage.accounts_of_kind(AccountKind::Bot).await.unwrap(),
        [4, 5]
    );
    storage.close().await;

    // The guest's browser, with its old cookie, is that guest still.
    let server = TestServer::start_with(db, |_| None).await;
    let session: serde_json::Value = common::client()
        .get(server.url("/api/v1/session"))
        .header(
            "cookie",
            format!("{}={cookie}", gaemi::sessions::COOKIE_NAME),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["kind"], "guest", "{session}");
    assert_eq!(session["user_id"], guest);
    assert_eq!(session["main_account_id"], 2);
    server.stop().await;
}
