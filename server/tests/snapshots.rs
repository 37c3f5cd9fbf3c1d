//! Snapshots of the exchange: a start restores the newest usable snapshot
//! and replays only the journal after it, ending in exactly the state a
//! full replay gives; a snapshot that cannot be read, or that does not add
//! up, is skipped for the one before it or a full replay; a clean stop
//! leaves a snapshot of its last command. Runs on SQLite, or PostgreSQL
//! with `GAEMI_TEST_BACKEND=postgres`.

mod common;

use common::TestDb;
use gaemi::exchange::projection::Projection;
use gaemi::exchange::*;
use gaemi::gateway::{CommitObserver, Exchange, ExchangeSettings, ExchangeTasks, recover};
use gaemi::storage::{self, Storage};
use std::sync::Arc;

const SYM: SymbolId = SymbolId(1);
const ACCOUNTS: u64 = 6;

async fn open(db: &TestDb) -> Arc<dyn Storage> {
    storage::open(db.url()).await.expect("open storage")
}

/// These tests follow the engine, not market data.
struct Ignore;

impl CommitObserver for Ignore {
    fn committed(&self, _: &[(u64, i64, Event)], _: &Projection) {}
}

async fn start(db: &TestDb, snapshot_every: u64) -> (Exchange, ExchangeTasks) {
    let settings = ExchangeSettings {
        snapshot_every,
        ..ExchangeSettings::default()
    };
    Exchange::start(
        open(db).await,
        FeeSchedule::default(),
        settings,
        Arc::new(Ignore),
    )
    .await
    .expect("start the exchange")
}

async fn must(exchange: &Exchange, command: Command) -> Reply {
    exchange
        .submit(command, 1_700_000_000_000)
        .await
        .expect("committed")
        .executed
        .reply
}

/// Lists a symbol, funds the accounts, then `orders` placements that cross
/// and rest, with cancels, amends and a change of fees along the way, one
/// at a time so that snapshots fall between them at known counts.
async fn trade(exchange: &Exchange, orders: u64) {
    must(
        exchange,
        Command::List {
            symbol: SYM,
            reference_price: 10_000,
        },
    )
    .await;
    for id in 1..=ACCOUNTS {
        let account = AccountId(id);
        let opened = Command::OpenAccount {
            account,
            cash: 50_000_000,
            shares_each: 0,
            grants: vec![ShareGrant {
                symbol: SYM,
                qty: 5_000,
                cost: 50_000_000,
            }],
        };
        assert_eq!(must(exchange, opened).await, Reply::Done);
    }
    for n in 0..orders {
        let account = AccountId(1 + n % ACCOUNTS);
        let side = if n % 3 == 0 { Side::Sell } else { Side::Buy };
        let price = 9_900 + ((n * 7) % 20) as i64 * 10;
        let place = PlaceOrder {
            account,
            client_id: ClientOrderId(n),
            symbol: SYM,
            side,
            order_type: OrderType::Limit(price),
            tif: TimeInForce::Gtc,
            qty: 1 + (n % 9) as i64,
        };
        let reply = must(exchange, Command::Place(place)).await;
        if let (Reply::Accepted { order }, 0) = (reply, n % 5) {
            must(exchange, Command::Cancel { account, order }).await;
        }
        if let (Reply::Accepted { order }, 3) = (reply, n % 7) {
            let amend = Command::Amend {
                account,
                order,
                price,
                qty: 1,
            };
            must(exchange, amend).await;
        }
        if n == orders / 2 {
            let fees = FeeSchedule {
                commission_ppm: 300,
                sell_tax_ppm: 1_800,
            };
            assert_eq!(must(exchange, Command::SetFees { fees }).await, Reply::Done);
        }
    }
}

/// Snapshots stored, oldest first.
async fn snapshots(db: &TestDb) -> Vec<i64> {
    let count = db.count("SELECT COUNT(*) FROM exchange_snapshots").await;
    let mut kept = Vec::new();
    for at in 0..count {
        let sql = format!("SELECT seq FROM exchange_snapshots ORDER BY seq LIMIT 1 OFFSET {at}");
        kept.push(db.count(&sql).await);
    }
    kept
}

/// The engine a full replay of the journal gives, for comparison.
async fn replayed(db: &TestDb) -> Engine {
    recover(open(db).await.as_ref(), FeeSchedule::default(), |_| {})
        .await
        .expect("a full replay")
}

/// The order [`restart`] places, which a full replay's engine is given
/// too before the two are compared.
fn one_more_order() -> PlaceOrder {
    PlaceOrder {
        account: AccountId(1),
        client_id: ClientOrderId(1_000_000),
        symbol: SYM,
        side: Side::Buy,
        order_type: OrderType::Limit(10_100),
        tif: TimeInForce::Gtc,
        qty: 50,
    }
}

/// Starts on `db`, places one more order (the restored books and balances
/// must take it as the original would), stops, and answers the engine.
async fn restart(db: &TestDb) -> Engine {
    let (exchange, tasks) = start(db, 0).await;
    assert!(matches!(
        must(&exchange, Command::Place(one_more_order())).await,
        Reply::Accepted { .. }
    ));
    drop(exchange);
    let engine = tasks.join().await.expect("clean stop");
    engine.check_invariants().unwrap();
    engine
}

#[tokio::test]
async fn a_start_restores_a_snapshot_and_replays_only_the_journal_after_it() {
    let db = TestDb::from_env().await;
    let (exchange, tasks) = start(&db, 200).await;
    trade(&exchange, 600).await;
    drop(exchange);
    let before = tasks.join().await.expect("clean stop");
    let kept = snapshots(&db).await;
    assert_eq!(kept.len(), 2, "the newest two are kept: {kept:?}");
    assert_eq!(
        kept[1],
        before.seq() as i64,
        "a clean stop leaves a snapshot of its last command"
    );

    // The stop's snapshot gone, the older one (taken while trading) and
    // the journal after it must give the same state: the journal before
    // it is not even read.
    db.execute(&format!(
        "DELETE FROM exchange_snapshots WHERE seq = {}",
        kept[1]
    ))
    .await;
    let expected = replayed(&db).await;
    assert_eq!(expected.digest(), before.digest());
    db.execute(&format!(
        "DELETE FROM exchange_journal WHERE seq <= {}",
        kept[0]
    ))
    .await;
    let (exchange, tasks) = start(&db, 0).await;
    drop(exchange);
    let restored = tasks.join().await.expect("clean stop");
    assert_eq!(
        restored.digest(),
        before.digest(),
        "the same books, balances and orders"
    );
    assert_eq!(
        restored.fees(),
        before.fees(),
        "and the fees the journal set"
    );
}

#[tokio::test]
async fn snapshots_that_cannot_be_used_are_skipped_for_older_ones_or_a_full_replay() {
    let db = TestDb::from_env().await;
    let (exchange, tasks) = start(&db, 250).await;
    trade(&exchange, 600).await;
    drop(exchange);
    tasks.join().await.expect("clean stop");
    let kept = snapshots(&db).await;
    assert_eq!(kept.len(), 2, "{kept:?}");
    let expected = {
        let mut copy = replayed(&db).await;
        let mut events = Vec::new();
        copy.execute(Command::Place(one_more_order()), &mut events);
        copy.digest()
    };

    // The newest does not read: the one before it is used.
    let garbage = match db.backend_name() {
        "postgres" => "decode('7b7d', 'hex')",
        _ => "X'7b7d'",
    };
    db.execute(&format!(
        "UPDATE exchange_snapshots SET body = {garbage} WHERE seq = {}",
        kept[1]
    ))
    .await;
    let engine = restart(&db).await;
    assert_eq!(engine.digest(), expected);
    // That start's stop stored a good one again; damage every snapshot now,
    // one unreadable and one of an unknown format: a full replay.
    db.execute(&format!("UPDATE exchange_snapshots SET body = {garbage}"))
        .await;
    db.execute(
        "UPDATE exchange_snapshots SET format = 99 \
         WHERE seq = (SELECT MAX(seq) FROM exchange_snapshots)",
    )
    .await;
    let (exchange, tasks) = start(&db, 0).await;
    drop(exchange);
    let engine = tasks.join().await.expect("clean stop");
    assert_eq!(
        engine.digest(),
        expected,
        "a full replay gives the same state"
    );
}
