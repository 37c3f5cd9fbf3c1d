//! The running exchange against a real database: acknowledged commands
//! survive a restart exactly, retries stay idempotent across it, a failed
//! commit stops order entry without losing anything acknowledged, a full
//! queue answers "busy", and reads see every acknowledged command although
//! the read models are written after the journal. Runs on SQLite, or
//! PostgreSQL with `GAEMI_TEST_BACKEND=postgres`.

mod common;

use common::TestDb;
use gaemi::exchange::projection::Projection;
use gaemi::exchange::*;
use gaemi::gateway::{
    CommitObserver, Exchange, ExchangeError, ExchangeSettings, ExchangeTasks, recover,
};
use gaemi::storage::{self, CandleFilter, FillFilter, OrderFilter, Storage};
use std::sync::Arc;
use std::time::Duration;

const SYM: SymbolId = SymbolId(1);

async fn open(db: &TestDb) -> Arc<dyn Storage> {
    storage::open(db.url()).await.expect("open storage")
}

async fn start(storage: Arc<dyn Storage>, settings: ExchangeSettings) -> (Exchange, ExchangeTasks) {
    Exchange::start(storage, FeeSchedule::default(), settings, Arc::new(Ignore))
        .await
        .expect("start the exchange")
}

/// These tests follow the engine and the journal, not market data.
struct Ignore;

impl CommitObserver for Ignore {
    fn committed(&self, _: &[(u64, i64, Event)], _: &Projection) {}
}

async fn must(exchange: &Exchange, command: Command) -> Executed {
    exchange
        .submit(command, 1_700_000_000_000)
        .await
        .expect("committed")
        .executed
}

/// Lists one symbol and funds `accounts` accounts with cash and shares.
async fn seed(exchange: &Exchange, accounts: u64) {
    must(
        exchange,
        Command::List {
            symbol: SYM,
            reference_price: 10_000,
        },
    )
    .await;
    for id in 1..=accounts {
        let account = AccountId(id);
        must(
            exchange,
            Command::Deposit {
                account,
                amount: 50_000_000,
            },
        )
        .await;
        must(
            exchange,
            Command::GrantShares {
                account,
                symbol: SYM,
                qty: 5_000,
                cost: 50_000_000,
            },
        )
        .await;
    }
}

/// A deterministic mix of crossing and resting orders, cancels and amends,
/// sent by many concurrent submitters so batches form.
async fn trade_a_while(
    exchange: &Exchange,
    accounts: u64,
    per_account: u64,
) -> Vec<(AccountId, ClientOrderId, Reply)> {
    let mut tasks = Vec::new();
    for id in 1..=accounts {
        let exchange = exchange.clone();
        tasks.push(tokio::spawn(async move {
            let account = AccountId(id);
            let mut acks = Vec::new();
            for n in 0..per_account {
                let client_id = ClientOrderId(n);
                let side = if (n + id) % 2 == 0 {
                    Side::Buy
                } else {
                    Side::Sell
                };
                let price = 9_900 + ((n * 7 + id * 3) % 20) as i64 * 10;
                let place = PlaceOrder {
                    account,
                    client_id,
                    symbol: SYM,
                    side,
                    order_type: OrderType::Limit(price),
                    tif: TimeInForce::Gtc,
                    qty: 1 + (n % 9) as i64,
                };
                let reply = must(&exchange, Command::Place(place)).await.reply;
                acks.push((account, client_id, reply));
                if let (Reply::Accepted { order }, 0) = (reply, n % 5) {
                    must(&exchange, Command::Cancel { account, order }).await;
                }
                if let (Reply::Accepted { order }, 3) = (reply, n % 7) {
                    must(
                        &exchange,
                        Command::Amend {
                            account,
                            order,
                            price,
                            qty: 1,
                        },
                    )
                    .await;
                }
            }
            acks
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

#[tokio::test]
async fn acknowledged_commands_survive_a_restart_exactly() {
    let db = TestDb::from_env().await;
    let (exchange, tasks) = start(open(&db).await, ExchangeSettings::default()).await;
    seed(&exchange, 8).await;
    let acks = trade_a_while(&exchange, 8, 150).await;
    assert!(
        acks.iter()
            .any(|(_, _, r)| matches!(r, Reply::Accepted { .. }))
    );
    drop(exchange);
    let before = tasks.join().await.expect("clean stop");
    before.check_invariants().unwrap();
    assert!(before.seq() > 1_200);

    let recovered = recover(open(&db).await.as_ref(), FeeSchedule::default(), |_| {})
        .await
        .expect("recover");
    assert_eq!(recovered.seq(), before.seq());
    assert_eq!(
        recovered.digest(),
        before.digest(),
        "books, balances and orders are exactly as before"
    );
    recovered.check_invariants().unwrap();
}

#[tokio::test]
async fn a_retried_client_order_id_returns_the_original_result_after_a_restart() {
    let db = TestDb::from_env().await;
    let (exchange, tasks) = start(open(&db).await, ExchangeSettings::default()).await;
    seed(&exchange, 1).await;
    let place = PlaceOrder {
        account: AccountId(1),
        client_id: ClientOrderId(42),
        symbol: SYM,
        side: Side::Buy,
        order_type: OrderType::Limit(9_500),
        tif: TimeInForce::Gtc,
        qty: 3,
    };
    let first = must(&exchange, Command::Place(place)).await.reply;
    drop(exchange);
    tasks.join().await.unwrap();

    let (exchange, tasks) = start(open(&db).await, ExchangeSettings::default()).await;
    let again = must(&exchange, Command::Place(place)).await.reply;
    assert_eq!(
        again, first,
        "the retry is answered with the original order"
    );
    drop(exchange);
    let engine = tasks.join().await.unwrap();
    assert_eq!(
        engine.book(SYM).unwrap().len(),
        1,
        "and nothing was placed twice"
    );
}

#[tokio::test]
async fn a_failed_commit_stops_order_entry_and_loses_nothing_acknowledged() {
    let db = TestDb::from_env().await;
    let (exchange, tasks) = start(open(&db).await, ExchangeSettings::default()).await;
    seed(&exchange, 2).await;
    trade_a_while(&exchange, 2, 50).await;
    let last_acknowledged = must(
        &exchange,
        Command::Deposit {
            account: AccountId(1),
            amount: 1,
        },
    )
    .await
    .seq;

    // Take the journal away underneath the running exchange.
    db.execute("ALTER TABLE exchange_journal RENAME TO exchange_journal_hidden")
        .await;
    let deposit = Command::Deposit {
        account: AccountId(1),
        amount: 1,
    };
    let failed = exchange.submit(deposit.clone(), 0).await;
    assert!(matches!(failed, Err(ExchangeError::Stopped)), "{failed:?}");
    assert!(exchange.is_stopped());
    let again = exchange.submit(deposit, 0).await;
    assert!(
        matches!(again, Err(ExchangeError::Stopped)),
        "order entry stays stopped"
    );
    drop(exchange);
    assert!(
        tasks.join().await.is_err(),
        "the persister reports the failed commit"
    );

    db.execute("ALTER TABLE exchange_journal_hidden RENAME TO exchange_journal")
        .await;
    let recovered = recover(open(&db).await.as_ref(), FeeSchedule::default(), |_| {})
        .await
        .unwrap();
    recovered.check_invariants().unwrap();
    assert_eq!(
        recovered.seq(),
        last_acknowledged,
        "everything acknowledged, nothing else"
    );
}

#[tokio::test]
async fn a_full_queue_answers_busy_instead_of_growing() {
    let db = TestDb::from_env().await;
    let settings = ExchangeSettings {
        queue: 1,
        max_batch: 1,
        persist_queue: 1,
        ..ExchangeSettings::default()
    };
    let (exchange, tasks) = start(open(&db).await, settings).await;
    let flood = (0..5_000).map(|n| {
        let exchange = exchange.clone();
        async move {
            exchange
                .submit(
                    Command::Deposit {
                        account: AccountId(n),
                        amount: 1,
                    },
                    0,
                )
                .await
        }
    });
    let results = futures_util::future::join_all(flood).await;
    let busy = results
        .iter()
        .filter(|r| matches!(r, Err(ExchangeError::Busy)))
        .count();
    let done = results.iter().filter(|r| r.is_ok()).count();
    assert!(busy > 0, "a bounded queue pushes back");
    assert_eq!(
        busy + done,
        results.len(),
        "every submission is either done or refused"
    );
    drop(exchange);
    let engine = tasks.join().await.unwrap();
    assert_eq!(
        engine.seq() as usize,
        done,
        "refused submissions were never executed"
    );
}

/// Every read-model row of accounts `1..=accounts` and the symbol's candles,
/// as text to compare.
async fn read_models(storage: &dyn Storage, accounts: u64) -> Vec<String> {
    let mut rows = Vec::new();
    for id in 1..=accounts as i64 {
        let orders = OrderFilter {
            account_id: id,
            symbol_id: None,
            side: None,
            status: None,
            newest_first: false,
            after: None,
            limit: 100_000,
        };
        let fills = FillFilter {
            account_id: id,
            symbol_id: None,
            side: None,
            newest_first: false,
            after: None,
            limit: 100_000,
        };
        rows.push(format!("{:?}", storage.orders(&orders).await.unwrap()));
        rows.push(format!("{:?}", storage.fills(&fills).await.unwrap()));
        rows.push(format!("{:?}", storage.balance(id).await.unwrap()));
        rows.push(format!("{:?}", storage.positions(id).await.unwrap()));
    }
    let candles = CandleFilter {
        symbol_id: i64::from(SYM.0),
        interval: Interval::Minute,
        before: None,
        limit: 100_000,
    };
    rows.push(format!("{:?}", storage.candles(&candles).await.unwrap()));
    rows
}

/// Rows are written only when a read asks for them.
fn rows_on_demand() -> ExchangeSettings {
    ExchangeSettings {
        read_model_lag: Duration::from_secs(3_600),
        read_model_batch: usize::MAX,
        ..ExchangeSettings::default()
    }
}

#[tokio::test]
async fn the_gateway_reads_after_a_sequence_number_once_its_rows_are_written() {
    let db = TestDb::from_env().await;
    let storage = open(&db).await;
    let (exchange, tasks) = start(storage.clone(), rows_on_demand()).await;
    let gateway = gaemi::gateway::LocalGateway {
        exchange: exchange.clone(),
        storage: storage.clone(),
        clock: std::sync::Arc::new(gaemi::clock::ManualClock::starting_at(1_700_000_000_000)),
    };
    use gaemi::gateway::OrderGateway;
    let deposit = Command::Deposit {
        account: AccountId(1),
        amount: 1_000,
    };
    let seq = gateway
        .submit(deposit)
        .await
        .expect("committed")
        .executed
        .seq;
    let sync = storage.read_models();
    assert!(sync.written_through() < seq as i64, "no reader asked yet");
    gateway.read_after(seq).await.expect("rows written");
    assert!(sync.written_through() >= seq as i64);
    // The command carries the gateway's clock, not the wall's.
    let journal = storage.read_journal(seq as i64 - 1, 1).await.unwrap();
    assert_eq!(journal[0].ts_ms, 1_700_000_000_000);
    drop((gateway, exchange));
    tasks.join().await.unwrap();
}

#[tokio::test]
async fn a_read_sees_every_acknowledged_command_though_its_rows_are_written_later() {
    let db = TestDb::from_env().await;
    let storage = open(&db).await;
    let (exchange, tasks) = start(storage.clone(), rows_on_demand()).await;
    seed(&exchange, 2).await;
    let acks = trade_a_while(&exchange, 2, 30).await;
    assert!(
        storage.read_models().is_behind(),
        "acknowledged on the journal alone"
    );
    let placed = accepted_of(&acks, AccountId(1));
    let listed = storage
        .orders(&all_orders_of(1))
        .await
        .expect("the read waits for its rows");
    assert_eq!(listed.len(), placed, "every accepted order is listed");
    assert!(!storage.read_models().is_behind());

    // And once more after further commands, for a read of another kind.
    let order = must(
        &exchange,
        Command::Place(PlaceOrder {
            account: AccountId(2),
            client_id: ClientOrderId(9_999),
            symbol: SYM,
            side: Side::Buy,
            order_type: OrderType::Limit(9_000),
            tif: TimeInForce::Gtc,
            qty: 5,
        }),
    )
    .await;
    let Reply::Accepted { order } = order.reply else {
        panic!("placed: {order:?}")
    };
    let balance = storage.balance(2).await.unwrap().expect("a balance");
    assert!(
        balance.held >= 45_000,
        "the new order's cash is held: {balance:?}"
    );
    let row = storage.order(2, order.0 as i64).await.unwrap();
    assert_eq!(row.map(|row| row.remaining_qty), Some(5));
    drop(exchange);
    tasks.join().await.unwrap();
}

#[tokio::test]
async fn rows_not_written_before_a_stop_are_written_at_the_next_start() {
    // A run whose rows were all written, as the reference.
    let written = TestDb::from_env().await;
    let storage = open(&written).await;
    let (exchange, tasks) = start(storage.clone(), ExchangeSettings::default()).await;
    seed(&exchange, 4).await;
    trade_a_while(&exchange, 4, 60).await;
    drop(exchange);
    tasks.join().await.unwrap();
    assert!(
        !storage.read_models().is_behind(),
        "a clean stop writes them"
    );
    let journal = storage.read_journal(0, 100_000).await.unwrap();
    let expected = read_models(storage.as_ref(), 4).await;

    // The same journal, as a crash would leave it: no rows at all after the
    // first half of the commands, whose rows were written.
    let crashed = TestDb::from_env().await;
    let storage = open(&crashed).await;
    let half = journal.len() / 2;
    storage
        .append_journal(journal[..half].to_vec())
        .await
        .unwrap();
    storage.close().await;
    let storage = open(&crashed).await;
    let (exchange, tasks) = start(storage.clone(), rows_on_demand()).await;
    drop(exchange);
    tasks.join().await.unwrap();
    let midway = read_models(storage.as_ref(), 4).await;
    assert_ne!(midway, expected, "half the commands");
    storage
        .append_journal(journal[half..].to_vec())
        .await
        .unwrap();
    assert!(storage.read_models().is_behind());
    storage.close().await;

    let storage = open(&crashed).await;
    assert!(storage.read_models().is_behind(), "the watermark is stored");
    let (exchange, tasks) = start(storage.clone(), rows_on_demand()).await;
    assert!(
        !storage.read_models().is_behind(),
        "written before any command"
    );
    assert_eq!(
        read_models(storage.as_ref(), 4).await,
        expected,
        "the same rows as written along the way"
    );
    drop(exchange);
    tasks.join().await.unwrap();
}

#[tokio::test]
async fn a_failed_row_write_stops_order_entry_and_the_next_start_writes_the_rows() {
    let db = TestDb::from_env().await;
    let storage = open(&db).await;
    let (exchange, tasks) = start(storage.clone(), rows_on_demand()).await;
    seed(&exchange, 2).await;
    let acks = trade_a_while(&exchange, 2, 30).await;
    let placed = accepted_of(&acks, AccountId(1));

    // Take a read-model table away: the journal still takes commands, the
    // rows cannot be written.
    db.execute("ALTER TABLE positions RENAME TO positions_hidden")
        .await;
    let read = storage.orders(&all_orders_of(1)).await;
    assert!(read.is_err(), "the read fails instead of waiting: {read:?}");
    assert!(exchange.is_stopped(), "order entry stops with the rows");
    let refused = exchange
        .submit(
            Command::Deposit {
                account: AccountId(1),
                amount: 1,
            },
            0,
        )
        .await;
    assert!(
        matches!(refused, Err(ExchangeError::Stopped)),
        "{refused:?}"
    );
    drop(exchange);
    assert!(tasks.join().await.is_err(), "the persister reports it");
    storage.close().await;

    db.execute("ALTER TABLE positions_hidden RENAME TO positions")
        .await;
    let storage = open(&db).await;
    assert!(storage.read_models().is_behind());
    let (exchange, tasks) = start(storage.clone(), ExchangeSettings::default()).await;
    assert!(!storage.read_models().is_behind(), "written at the start");
    let listed = storage.orders(&all_orders_of(1)).await.unwrap();
    assert_eq!(listed.len(), placed, "every accepted order is listed");
    drop(exchange);
    tasks.join().await.unwrap();
}

/// How many of `account`'s orders were accepted.
fn accepted_of(acks: &[(AccountId, ClientOrderId, Reply)], account: AccountId) -> usize {
    acks.iter()
        .filter(|(by, _, reply)| *by == account && matches!(reply, Reply::Accepted { .. }))
        .count()
}

/// Every order of one account, newest first.
fn all_orders_of(account_id: i64) -> OrderFilter {
    OrderFilter {
        account_id,
        symbol_id: None,
        side: None,
        status: None,
        newest_first: true,
        after: None,
        limit: 1_000,
    }
}

/// On PostgreSQL the rows are written on a connection of their own, so
/// a row write that waits (here for a lock another session holds) holds
/// up the reads that need it but no acknowledgement. (On SQLite one
/// writer thread takes both in turn.)
#[tokio::test]
async fn acknowledgements_do_not_wait_for_a_row_write_in_flight() {
    use sqlx::{Connection, Row};
    let db = TestDb::from_env().await;
    if db.backend_name() != "postgres" {
        return;
    }
    let storage = open(&db).await;
    let (exchange, tasks) = start(storage.clone(), rows_on_demand()).await;
    seed(&exchange, 2).await;
    trade_a_while(&exchange, 2, 10).await;

    let mut locker = sqlx::PgConnection::connect(db.url()).await.unwrap();
    let mut lock = locker.begin().await.unwrap();
    sqlx::query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let read = tokio::spawn({
        let storage = storage.clone();
        async move { storage.orders(&all_orders_of(1)).await }
    });
    let mut watcher = sqlx::PgConnection::connect(db.url()).await.unwrap();
    common::wait_for("the row write to wait for the lock", async || {
        sqlx::query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap()
        .get::<i64, _>("n")
            > 0
    })
    .await;

    // Acknowledged while the row write waits.
    let acknowledged = tokio::time::timeout(common::HANG_GUARD, async {
        let deposit = Command::Deposit {
            account: AccountId(1),
            amount: 1,
        };
        let before = must(&exchange, deposit).await.seq;
        let place = PlaceOrder {
            account: AccountId(1),
            client_id: ClientOrderId(7_777),
            symbol: SYM,
            side: Side::Buy,
            order_type: OrderType::Limit(9_000),
            tif: TimeInForce::Gtc,
            qty: 3,
        };
        (before, must(&exchange, Command::Place(place)).await)
    })
    .await;
    let (before, order) = acknowledged.expect("acknowledged while the rows wait for the lock");
    assert!(order.seq > before);
    assert!(!read.is_finished(), "the read still waits for its rows");
    assert!(storage.read_models().written_through() < order.seq as i64);

    lock.rollback().await.unwrap();
    let listed = read.await.unwrap().expect("the read gets its rows");
    assert!(
        !listed.iter().any(|row| row.client_order_id == 7_777),
        "it waited for the rows of what came before it, not after"
    );
    let listed = storage.orders(&all_orders_of(1)).await.unwrap();
    assert!(
        listed.iter().any(|row| row.client_order_id == 7_777),
        "a later read sees the order placed while the rows waited"
    );
    drop(exchange);
    tasks.join().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_gets_its_rows_while_orders_keep_coming() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let db = TestDb::from_env().await;
    let storage = open(&db).await;
    let (exchange, tasks) = start(storage.clone(), ExchangeSettings::default()).await;
    seed(&exchange, 64).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (1..=64)
        .map(|id| {
            let (exchange, stop) = (exchange.clone(), stop.clone());
            tokio::spawn(async move {
                let deposit = Command::Deposit {
                    account: AccountId(id),
                    amount: 1,
                };
                let mut last = 0;
                while !stop.load(Ordering::Relaxed) {
                    last = must(&exchange, deposit.clone()).await.seq;
                }
                last
            })
        })
        .collect();
    for _ in 0..10 {
        let before = storage.read_models().journal_seq();
        let balance = tokio::time::timeout(common::HANG_GUARD, storage.balance(1))
            .await
            .expect("the rows are written while the load goes on")
            .unwrap();
        assert!(balance.is_some());
        assert!(storage.read_models().written_through() >= before);
    }
    stop.store(true, Ordering::Relaxed);
    for task in load {
        assert!(task.await.unwrap() > 0);
    }
    drop(exchange);
    tasks.join().await.unwrap();
}
