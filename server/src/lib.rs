//! Gaemi's back end as a library: [`run`] serves the app on a listener until a
//! shutdown signal, so `main.rs`, the integration tests and (later) the load
//! generator all start the very same server.

pub mod accounts;
pub mod clock;
pub mod config;
pub mod counters;
pub mod exchange;
pub mod gateway;
pub mod http;
pub mod market;
pub mod realtime;
pub mod sessions;
pub mod sim;
pub mod storage;
pub mod telemetry;
pub mod trading;

use clock::Clock;
use config::Settings;
use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Wall-clock time in Unix milliseconds; read at the edges, never inside rules.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error(transparent)]
    Exchange(#[from] gateway::ExchangeError),
    #[error(transparent)]
    Listings(#[from] market::listings::ListingsError),
    #[error(transparent)]
    Bots(#[from] sim::live::BotsError),
    #[error(transparent)]
    Mail(#[from] accounts::mail::MailSetupError),
    #[error("cannot connect to Redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("the HTTP server failed: {0}")]
    Serve(#[from] std::io::Error),
}

/// The configured sign-in providers, their endpoints defaulting to the
/// providers' own.
fn oauth_providers(
    settings: &Settings,
) -> std::collections::BTreeMap<accounts::oauth::Provider, accounts::oauth::ProviderSettings> {
    use accounts::oauth::{Provider, ProviderSettings};
    let oauth = &settings.gaemi.oauth;
    [
        (Provider::Google, &oauth.google),
        (Provider::Kakao, &oauth.kakao),
        (Provider::Naver, &oauth.naver),
    ]
    .into_iter()
    .filter_map(|(provider, configured)| {
        let configured = configured.as_ref()?;
        let [auth, token, userinfo] = provider.default_endpoints();
        let or =
            |url: &Option<String>, default: &str| url.clone().unwrap_or_else(|| default.to_owned());
        Some((
            provider,
            ProviderSettings {
                client_id: configured.client_id.clone(),
                client_secret: configured.client_secret.clone(),
                auth_url: or(&configured.auth_url, auth),
                token_url: or(&configured.token_url, token),
                userinfo_url: or(&configured.userinfo_url, userinfo),
            },
        ))
    })
    .collect()
}

/// Password hashes computed at once (each takes a core and 19 MiB for tens
/// of milliseconds); more sign-ins wait their turn.
const PASSWORD_HASHES_AT_ONCE: usize = 2;

/// Handles to the running server's parts, for tools and tests that need to
/// act behind the HTTP API (e.g. granting shares before bots exist).
#[derive(Clone)]
pub struct Started {
    pub exchange: gateway::Exchange,
    /// The server's own storage, whose reads see every acknowledged command.
    pub storage: Arc<dyn storage::Storage>,
    pub trading: trading::Trading,
    pub hub: Arc<realtime::Hub>,
}

/// Opens storage, starts background tasks and serves until `shutdown`
/// resolves; then stops accepting, closes websockets and waits for tasks.
pub async fn run(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    run_with(settings, listener, shutdown, clock::system(), |_| {}).await
}

/// [`run`] on `clock` (a test's moves by hand), telling `started` about the
/// running parts once it serves.
pub async fn run_with(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    clock: Arc<dyn Clock>,
    started: impl FnOnce(Started),
) -> Result<(), ServerError> {
    let listings_file = market::ListingsFile::load(&settings.gaemi.market.listings_file)?;
    let storage = storage::open(&settings.gaemi.database_url).await?;
    let started_at_ms = clock.now_ms();
    let starts = storage.record_start(VERSION, started_at_ms).await?;
    let (listings, listing_rows) = listings_file.reconcile(&storage.listings().await?)?;
    storage.save_listings(&listing_rows).await?;
    // Settings that can fail to connect or parse are met before any task
    // starts, so a bad one stops the server at once.
    let mailer = match &settings.gaemi.smtp_url {
        Some(url) => accounts::mail::Mailer::smtp(url, &settings.gaemi.mail_from)?,
        None => accounts::mail::Mailer::Log,
    };
    let redis = match &settings.gaemi.redis_url {
        Some(url) => Some(
            redis::Client::open(url.as_str())?
                .get_connection_manager()
                .await?,
        ),
        None => None,
    };
    let token = CancellationToken::new();
    let hub = Arc::new(realtime::Hub::default());
    let day = exchange::TradingDay::new(settings.gaemi.market.day_seconds * 1_000);
    let market = Arc::new(market::MarketData::new(Arc::new(listings), day));
    let (exchange, exchange_tasks) = start_exchange(&settings, &storage, &market, &hub).await?;
    let gateway: Arc<dyn gateway::OrderGateway> = Arc::new(gateway::LocalGateway {
        exchange: exchange.clone(),
        storage: storage.clone(),
        clock: clock.clone(),
    });
    journal_fees(gateway.as_ref(), &exchange, fee_schedule(&settings)).await?;
    list_new_listings(gateway.as_ref(), &market).await?;
    let opened = market::day::open_due_days(gateway.as_ref(), &market, day, clock.now_ms()).await?;
    if opened > 0 {
        tracing::info!(
            opened,
            "the trading day turned while the server was down; today opened"
        );
    }
    hub.set_source(market.clone());
    let trading = trading::Trading::new(
        gateway.clone(),
        storage.clone(),
        market.clone(),
        clock.clone(),
        trading::TradingSettings {
            starting_cash: settings.gaemi.market.starting_cash,
            starting_shares: settings.gaemi.market.guest_shares,
            fees: fee_schedule(&settings),
        },
    );
    let bots = if settings.gaemi.bots.enabled {
        let live = sim::live::LiveBots {
            settings: sim::SimSettings {
                seed: settings.gaemi.bots.seed,
                orders_per_second: settings.gaemi.bots.orders_per_second,
                news_per_hour: settings.gaemi.bots.news_per_hour,
            },
            gateway: gateway.clone(),
            storage: storage.clone(),
            market: market.clone(),
            hub: hub.clone(),
        };
        let simulation = live.prepare().await?;
        Some(tokio::spawn(live.run(simulation, token.clone())))
    } else {
        None
    };
    let day_turns = tokio::spawn(market::day::run_day_turns(
        gateway,
        market.clone(),
        day,
        clock.clone(),
        token.clone(),
    ));
    let publisher = tokio::spawn(market::run_publisher(
        market,
        hub.clone(),
        Duration::from_millis(settings.gaemi.market.depth_interval_ms),
        token.clone(),
    ));
    started(Started {
        exchange,
        storage: storage.clone(),
        trading: trading.clone(),
        hub: hub.clone(),
    });
    let allowed_origins = settings.allowed_origins();
    let prefix = settings.gaemi.redis_prefix.clone();
    let accounts = accounts::Accounts {
        storage: storage.clone(),
        passwords: accounts::password::Passwords::owasp(PASSWORD_HASHES_AT_ONCE),
        mailer,
        limits: Arc::new(accounts::limits::Limits::new(
            accounts::limits::Operation::default_budget,
            redis.clone().map(|connection| (connection, prefix.clone())),
        )),
        public_origin: allowed_origins[0].clone(),
        oauth: accounts::oauth::OAuth::new(oauth_providers(&settings), &allowed_origins[0]),
        clock: clock.clone(),
    };
    let floods = http::floods::Floods::new(
        settings.gaemi.limits,
        redis.clone().map(|connection| (connection, prefix.clone())),
    );
    let session_store = match redis {
        Some(connection) => {
            sessions::Store::Redis(sessions::redis::RedisSessions::new(connection, &prefix))
        }
        None => sessions::Store::database(storage.clone()),
    };
    let state = http::AppState::new(http::AppParts {
        allowed_origins: allowed_origins.into(),
        trusted_proxies: settings.gaemi.trusted_proxies.clone().into(),
        leptos: settings.leptos.clone(),
        settings: Arc::new(settings.gaemi.clone()),
        storage: storage.clone(),
        hub: hub.clone(),
        clock,
        shutdown: token.clone(),
        sessions: sessions::Sessions::new(session_store, storage.clone()),
        trading,
        accounts,
        floods,
        started_at_ms,
    });
    let clock = tokio::spawn(realtime::run_clock(
        hub,
        Duration::from_millis(settings.gaemi.realtime.clock_interval_ms),
        token.clone(),
    ));

    let addr = listener.local_addr()?;
    tracing::info!(%addr, storage = storage.backend().name(), starts, "Gaemi is serving on http://{addr}");
    let signal = {
        let token = token.clone();
        async move {
            shutdown.await;
            tracing::info!("shutting down");
            token.cancel();
        }
    };
    let serve = axum::serve(
        listener,
        http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .into_future();
    // A client that never lets go must not keep the process alive: after
    // the drain period the remaining connections are dropped.
    let drain_deadline = {
        let token = token.clone();
        async move {
            token.cancelled().await;
            tokio::time::sleep(DRAIN_PERIOD).await;
        }
    };
    let served = tokio::select! {
        served = serve => served,
        () = drain_deadline => {
            tracing::warn!(seconds = DRAIN_PERIOD.as_secs(), "connections still open after the drain period; closing them");
            Ok(())
        }
    };
    token.cancel();
    let _ = clock.await;
    let _ = publisher.await;
    let _ = day_turns.await;
    if let Some(bots) = bots {
        let _ = bots.await;
    }
    // The router (and with it every exchange handle) is gone: the engine
    // drains its queue, the persister commits the rest, and both stop.
    match tokio::time::timeout(DRAIN_PERIOD, exchange_tasks.join()).await {
        Ok(Ok(_)) => {}
        Ok(Err(err)) => tracing::error!(%err, "the exchange stopped with an error"),
        Err(_) => tracing::warn!("the exchange was still busy at shutdown"),
    }
    if tokio::time::timeout(DRAIN_PERIOD, storage.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections were still busy at shutdown; leaving them to the OS");
    }
    served?;
    Ok(())
}

fn fee_schedule(settings: &Settings) -> exchange::FeeSchedule {
    exchange::FeeSchedule {
        commission_ppm: settings.gaemi.market.commission_ppm,
        sell_tax_ppm: settings.gaemi.market.sell_tax_ppm,
    }
}

/// Recovers the exchange from the journal, feeding the market data and the
/// accounts' private streams.
async fn start_exchange(
    settings: &Settings,
    storage: &Arc<dyn storage::Storage>,
    market: &Arc<market::MarketData>,
    hub: &Arc<realtime::Hub>,
) -> Result<(gateway::Exchange, gateway::ExchangeTasks), ServerError> {
    let fees = fee_schedule(settings);
    let exchange_settings = gateway::ExchangeSettings {
        queue: settings.gaemi.market.order_queue,
        day: market.day(),
        snapshot_every: settings.gaemi.market.snapshot_every,
        ..gateway::ExchangeSettings::default()
    };
    let observers: Vec<Arc<dyn gateway::CommitObserver>> = vec![
        Arc::new(market::MarketFeed {
            data: market.clone(),
            hub: hub.clone(),
        }),
        Arc::new(trading::feed::AccountFeed::new(market.clone(), hub.clone())),
    ];
    let started = std::time::Instant::now();
    let (exchange, tasks) = gateway::Exchange::start(
        storage.clone(),
        fees,
        exchange_settings,
        Arc::new(observers),
    )
    .await?;
    market.mark_published();
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "the exchange recovered its journal"
    );
    Ok((exchange, tasks))
}

/// Journals the fee schedule the settings ask for unless the journal has
/// set exactly that one: past fills keep the rates they were charged, and
/// later ones pay the new rates. A journal from before fees were journaled
/// replays its entries up to here with the settings of the day, so a
/// snapshot is taken right after this entry and later starts never replay
/// that part again.
async fn journal_fees(
    gateway: &dyn gateway::OrderGateway,
    exchange: &gateway::Exchange,
    fees: exchange::FeeSchedule,
) -> Result<(), ServerError> {
    let recovered = exchange.recovered_fees();
    if recovered == Some(fees) {
        return Ok(());
    }
    if recovered.is_none() {
        exchange.request_snapshot();
    }
    let submitted = gateway.submit(exchange::Command::SetFees { fees }).await?;
    if let exchange::Reply::Rejected { reason } = submitted.executed.reply {
        return Err(gateway::ExchangeError::Recovery(format!(
            "the engine refused the configured fees {fees:?}: {reason:?}"
        ))
        .into());
    }
    tracing::info!(?recovered, ?fees, "journaled the configured fee schedule");
    Ok(())
}

/// Lists whatever listing the journal does not know yet.
async fn list_new_listings(
    gateway: &dyn gateway::OrderGateway,
    market: &market::MarketData,
) -> Result<(), ServerError> {
    for listing in market.listings().all() {
        if !market.is_listed(listing.symbol) {
            gateway
                .submit(exchange::Command::List {
                    symbol: listing.symbol,
                    reference_price: listing.first_price,
                })
                .await?;
        }
    }
    Ok(())
}

/// How long shutdown waits for open requests and database work to finish.
const DRAIN_PERIOD: Duration = Duration::from_secs(10);

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
