//! The simulation against the running exchange: bots submit ordinary
//! commands, one at a time, each answered after its commit, so they can
//! never fill the engine's queue or get ahead of people; they learn what
//! happened from the same committed events that feed market data. News is
//! stored, then published on the `news` topic.
//!
//! At start the bots find their accounts (storing rows for any that are
//! missing, and opening with its funding, in one engine command, every one
//! the engine does not know yet), cancel whatever they left resting before
//! a restart, and take the market as it is now. If the event stream ever
//! lags, they resync the same way.

use super::news::{NewsItem, Target};
use super::{STEP_MS, SimSettings, Simulation, roster_size};
use crate::exchange::{AccountId, Command, SymbolId};
use crate::gateway::{Committed, ExchangeError, OrderGateway};
use crate::market::MarketData;
use crate::realtime::Hub;
use crate::storage::{AccountKind, NewAccount, NewsRow, Storage, StorageError};
use app::realtime::{Topic, TopicEvent};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::TryRecvError};
use tokio_util::sync::CancellationToken;

/// Simulated time a late driver catches up at once; beyond it, it skips.
const MAX_CATCH_UP_MS: i64 = 1_000;
/// How often closed orders' client ids are forgotten.
const FORGET_EVERY_MS: i64 = 600_000;

#[derive(Debug, thiserror::Error)]
pub enum BotsError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    #[error("funding bot account {account} was refused: {reason}")]
    Funding { account: u64, reason: String },
}

pub struct LiveBots {
    pub settings: SimSettings,
    pub gateway: Arc<dyn OrderGateway>,
    pub storage: Arc<dyn Storage>,
    pub market: Arc<MarketData>,
    pub hub: Arc<Hub>,
}

impl LiveBots {
    /// Prepares the bots' accounts and the simulation; call before serving
    /// so a failure stops start-up.
    pub async fn prepare(&self) -> Result<Simulation, BotsError> {
        let mut accounts = self.storage.accounts_of_kind(AccountKind::Bot).await?;
        while accounts.len() < roster_size() {
            let id = self
                .storage
                .open_account(&NewAccount {
                    user_id: None,
                    kind: AccountKind::Bot,
                    round_id: None,
                    created_ms: crate::now_ms(),
                })
                .await?
                .account_id;
            accounts.push(id);
        }
        let accounts: Vec<AccountId> = accounts
            .into_iter()
            .take(roster_size())
            .map(|id| AccountId(id as u64))
            .collect();
        let listings = self.market.listings();
        let start_prices: Vec<i64> = (listings.all().iter())
            .map(|l| self.market.last_price(l.symbol).unwrap_or(l.first_price))
            .collect();
        let now = crate::now_ms();
        let now = now - now % STEP_MS;
        // Client ids only grow across restarts: a thousand per millisecond
        // of wall clock is more than bots ever send.
        let first_client_id = u64::try_from(now).unwrap_or(0) * 1_000;
        let sim = Simulation::new(
            self.settings,
            listings,
            &accounts,
            &start_prices,
            now,
            first_client_id,
        );
        for command in self.funding(&sim).await? {
            let account = match command {
                Command::OpenAccount { account, .. } | Command::GrantShares { account, .. } => {
                    account.0
                }
                _ => 0,
            };
            let submitted = self.gateway.submit(command).await?;
            if let crate::exchange::Reply::Rejected { reason } = submitted.executed.reply {
                return Err(BotsError::Funding {
                    account,
                    reason: format!("{reason:?}"),
                });
            }
        }
        Ok(sim)
    }

    /// What the bots still need: an opening for each bot the engine does
    /// not know, and the shares of a listing added since the others were
    /// opened.
    ///
    /// Whether the engine knows a bot is read from its balance row, which
    /// the engine's events write and which a read shows only once every
    /// command acknowledged before it has its rows; a bot's row in
    /// `accounts` says nothing, since a crash can come between storing the
    /// row and opening the account. Should the two ever disagree, the
    /// opening is still safe: the engine opens an account once.
    async fn funding(&self, sim: &Simulation) -> Result<Vec<Command>, BotsError> {
        let mut opened = HashSet::new();
        let mut held = HashSet::new();
        for bot in &sim.bots {
            let id = bot.account.0 as i64;
            if self.storage.balance(id).await?.is_none() {
                continue;
            }
            opened.insert(bot.account);
            for position in self.storage.positions(id).await? {
                held.insert(SymbolId(position.symbol_id as u32));
            }
        }
        let mut commands: Vec<Command> = (sim.openings().into_iter())
            .filter(|command| match command {
                Command::OpenAccount { account, .. } => !opened.contains(account),
                _ => true,
            })
            .collect();
        // A listing none of the opened bots holds was added to the file
        // after they were opened (between them they always hold some of
        // every listing they trade): they get its shares now, so they
        // trade it too. New bots had it in their opening.
        for listing in &sim.listings {
            if opened.is_empty() || held.contains(&listing.symbol) {
                continue;
            }
            commands.extend(sim.grants_of(listing.symbol).into_iter().filter(
                |command| matches!(command, Command::GrantShares { account, .. } if opened.contains(account)),
            ));
        }
        Ok(commands)
    }

    /// Trades until `shutdown`.
    pub async fn run(self, mut sim: Simulation, shutdown: CancellationToken) {
        let mut events = self.gateway.subscribe();
        if let Err(err) = self.resync(&mut sim).await {
            tracing::error!(%err, "bots could not start; the market runs without them");
            return;
        }
        let mut ticker = tokio::time::interval(Duration::from_millis(STEP_MS as u64));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut commands = Vec::new();
        let mut news = Vec::new();
        let mut last_forget_ms = sim.now_ms();
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = ticker.tick() => {}
            }
            if !self.take_events(&mut sim, &mut events).await {
                return;
            }
            let now = crate::now_ms();
            if now - sim.now_ms() > MAX_CATCH_UP_MS {
                sim.skip_to(now - MAX_CATCH_UP_MS);
            }
            while sim.step_due(now) {
                commands.clear();
                news.clear();
                sim.begin_step(&mut commands, &mut news);
                for item in news.drain(..) {
                    if let Err(err) = self.announce(&sim, item).await {
                        tracing::warn!(%err, "a news item could not be stored");
                    }
                }
                if !self
                    .submit_all(&mut sim, &mut commands, &mut events, &shutdown)
                    .await
                {
                    return;
                }
                commands.clear();
                sim.finish_step(&mut commands);
                if !self
                    .submit_all(&mut sim, &mut commands, &mut events, &shutdown)
                    .await
                {
                    return;
                }
            }
            if sim.now_ms() - last_forget_ms >= FORGET_EVERY_MS {
                last_forget_ms = sim.now_ms();
                sim.mirror.forget_closed();
            }
        }
    }

    /// Submits `commands` one by one, then takes in the events they caused
    /// (and any others committed meanwhile). False when the bots must stop.
    async fn submit_all(
        &self,
        sim: &mut Simulation,
        commands: &mut Vec<Command>,
        events: &mut broadcast::Receiver<Arc<Committed>>,
        shutdown: &CancellationToken,
    ) -> bool {
        for command in commands.drain(..) {
            if shutdown.is_cancelled() {
                return false;
            }
            match self.gateway.submit(command).await {
                Ok(_) => {}
                // People come first: a full queue drops the rest of this batch.
                Err(ExchangeError::Busy) => break,
                Err(err) => {
                    tracing::error!(%err, "bots stopped");
                    return false;
                }
            }
        }
        self.take_events(sim, events).await
    }

    /// Applies every committed batch waiting; resyncs after a lag.
    async fn take_events(
        &self,
        sim: &mut Simulation,
        events: &mut broadcast::Receiver<Arc<Committed>>,
    ) -> bool {
        let mut lagged = false;
        loop {
            match events.try_recv() {
                Ok(batch) => batch.events.iter().for_each(|(_, _, e)| sim.observe(e)),
                Err(TryRecvError::Lagged(_)) => lagged = true,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Closed) => return false,
            }
        }
        if lagged {
            tracing::warn!("bots fell behind the event stream; resyncing");
            if let Err(err) = self.resync(sim).await {
                tracing::error!(%err, "bots stopped");
                return false;
            }
        }
        true
    }

    /// Takes the market as it is now and cancels every bot order.
    async fn resync(&self, sim: &mut Simulation) -> Result<(), BotsError> {
        for command in sim.cancel_everything() {
            self.gateway.submit(command).await?;
        }
        sim.mirror.clear_orders();
        for listing in self.market.listings().all() {
            if let Some(view) = self.symbol_view(listing.symbol) {
                sim.mirror.symbols.insert(listing.symbol, view);
            }
        }
        sim.sync_references();
        for bot in &sim.bots {
            let id = bot.account.0 as i64;
            if let Some(balance) = self.storage.balance(id).await? {
                sim.mirror
                    .cash
                    .insert(bot.account, (balance.available, balance.held));
            }
            for position in self.storage.positions(id).await? {
                sim.mirror.holdings.insert(
                    (bot.account, SymbolId(position.symbol_id as u32)),
                    super::mirror::Holding {
                        available: position.available,
                        held: position.held,
                    },
                );
            }
        }
        Ok(())
    }

    fn symbol_view(&self, symbol: SymbolId) -> Option<super::mirror::SymbolView> {
        let ticker = self.market.ticker(symbol)?;
        let book = self.market.book(symbol, usize::MAX)?;
        Some(super::mirror::SymbolView {
            bids: book.bids.iter().map(|l| (l.price, l.qty)).collect(),
            asks: book.asks.iter().map(|l| (l.price, l.qty)).collect(),
            last: Some(ticker.last),
            reference: ticker.reference,
            lower: ticker.lower_limit,
            upper: ticker.upper_limit,
            halted: ticker.halted,
        })
    }

    async fn announce(&self, sim: &Simulation, item: NewsItem) -> Result<(), StorageError> {
        let listings = self.market.listings();
        let (symbol, sector) = match item.target {
            Target::Company(index) => (Some(sim.listings[index].symbol), None),
            Target::Sector(index) => (None, listings.sectors().get(index).map(|s| s.key.clone())),
        };
        let mut row = NewsRow {
            news_id: 0,
            at_ms: item.at_ms,
            symbol_id: symbol.map(|s| i64::from(s.0)),
            sector,
            good: item.good,
            size_bp: item.size_bp,
            headline_ko: item.headline_ko,
            headline_en: item.headline_en,
        };
        row.news_id = self.storage.add_news(&row).await?;
        self.hub.publish(
            Topic::News,
            TopicEvent::News(crate::market::news_view(listings, &row)),
        );
        Ok(())
    }
}
