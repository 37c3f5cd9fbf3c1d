//! The living market (DESIGN §5): hidden company values, news that moves
//! them, and bot traders (market makers, value, momentum and noise traders)
//! that trade only through the engine's ordinary commands, each with its
//! own account. [`Simulation`] is the deterministic core: it sees committed
//! events ([`mirror`]), advances its clock in steps and answers with
//! commands and news. Two drivers run it: [`live`] against the running
//! exchange on the wall clock, and [`headless`] against an engine on an
//! accelerated clock for the stylized-facts report. The same seed and the
//! same events give the same commands.

pub mod bots;
pub mod fundamental;
pub mod headless;
pub mod live;
pub mod mirror;
pub mod news;

use crate::exchange::{AccountId, Command, Event, ShareGrant, SymbolId, Won};
use crate::market::Listings;
use bots::{Bot, Strategy};
use fundamental::{Fundamental, normal};
use mirror::Mirror;
use news::{NewsDesk, NewsItem, Target};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;

/// Length of one simulation step.
pub const STEP_MS: i64 = 100;
const MS_PER_HOUR: f64 = 3_600_000.0;
/// Minute closes kept per listing, for momentum traders.
const HISTORY_MINUTES: usize = 60;

/// Bots by strategy, in account order. The order never changes, so the
/// accounts a database already has keep their roles.
pub const ROSTER: &[(Strategy, usize)] = &[
    (Strategy::MarketMaker, 4),
    (Strategy::Value, 8),
    (Strategy::Momentum, 6),
    (Strategy::Noise, 12),
];

pub fn roster_size() -> usize {
    ROSTER.iter().map(|(_, n)| n).sum()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimSettings {
    pub seed: u64,
    pub orders_per_second: u32,
    pub news_per_hour: u32,
}

/// One listing as the simulation sees it.
pub struct SimListing {
    pub symbol: SymbolId,
    pub sector: usize,
    pub first_price: i64,
    pub shares_outstanding: i64,
    pub fundamental: Fundamental,
    /// Mid prices at each minute's end, oldest first.
    pub minute_mids: VecDeque<f64>,
}

pub struct Simulation {
    rng: StdRng,
    pub listings: Vec<SimListing>,
    names: Vec<(String, String)>,
    sector_names: Vec<(String, String)>,
    pub bots: Vec<Bot>,
    pub mirror: Mirror,
    desk: NewsDesk,
    next_client_id: u64,
    now_ms: i64,
    /// Taker arrivals per millisecond and the market makers' command budget.
    taker_rate_per_ms: f64,
    maker_budget: f64,
    maker_rate_per_ms: f64,
}

impl Simulation {
    /// A simulation of `listings` whose bots own `accounts` (in roster
    /// order), starting at `now_ms` with each listing's hidden value at
    /// `start_prices` (its last price) and client ids from `first_client_id`.
    pub fn new(
        settings: SimSettings,
        listings: &Listings,
        accounts: &[AccountId],
        start_prices: &[i64],
        now_ms: i64,
        first_client_id: u64,
    ) -> Simulation {
        assert_eq!(accounts.len(), roster_size(), "one account per bot");
        let mut rng = StdRng::seed_from_u64(settings.seed);
        let sectors = listings.sectors();
        let sim_listings: Vec<SimListing> = listings
            .all()
            .iter()
            .zip(start_prices)
            .map(|(listing, &price)| SimListing {
                symbol: listing.symbol,
                sector: sectors
                    .iter()
                    .position(|s| s.key == listing.sector)
                    .unwrap_or(0),
                first_price: listing.first_price,
                shares_outstanding: listing.shares_outstanding,
                fundamental: Fundamental::new(price as f64),
                minute_mids: VecDeque::with_capacity(HISTORY_MINUTES + 1),
            })
            .collect();
        let mut mirror = Mirror::default();
        let mut bots = Vec::with_capacity(accounts.len());
        let kinds = ROSTER
            .iter()
            .flat_map(|&(strategy, n)| std::iter::repeat_n(strategy, n));
        for (index, (strategy, &account)) in kinds.zip(accounts).enumerate() {
            mirror.follow(account, index);
            bots.push(Bot::new(strategy, account, sim_listings.len(), &mut rng));
        }
        let rate_per_ms = f64::from(settings.orders_per_second) / 1_000.0;
        Simulation {
            rng,
            listings: sim_listings,
            names: listings
                .all()
                .iter()
                .map(|l| (l.name_ko.clone(), l.name_en.clone()))
                .collect(),
            sector_names: sectors
                .iter()
                .map(|s| (s.name_ko.clone(), s.name_en.clone()))
                .collect(),
            bots,
            mirror,
            desk: NewsDesk::new(settings.news_per_hour),
            next_client_id: first_client_id,
            now_ms,
            // Makers send most messages, as on real exchanges: every trade
            // moves their quotes.
            taker_rate_per_ms: rate_per_ms * 0.35,
            maker_budget: 0.0,
            maker_rate_per_ms: rate_per_ms * 0.65,
        }
    }

    /// What `bot` is given as its account opens: cash, and a slice of every
    /// company's shares at its first price.
    fn endowment(&self, bot: &Bot) -> (Won, Vec<ShareGrant>) {
        let (cash, share_value) = bot.strategy.endowment();
        let grants = (self.listings.iter())
            .map(|listing| Self::grant(share_value, listing))
            .collect();
        (cash, grants)
    }

    fn grant(share_value: Won, listing: &SimListing) -> ShareGrant {
        let qty =
            Strategy::shares_worth(share_value, listing.first_price, listing.shares_outstanding);
        ShareGrant {
            symbol: listing.symbol,
            qty,
            cost: qty * listing.first_price,
        }
    }

    /// Opens and funds each bot's account, one command per bot, so no
    /// crash can leave a bot opened but unfunded. The engine opens an
    /// account once: sent for a bot it knows, a command changes nothing.
    pub fn openings(&self) -> Vec<Command> {
        (self.bots.iter())
            .map(|bot| {
                let (cash, grants) = self.endowment(bot);
                Command::OpenAccount {
                    account: bot.account,
                    cash,
                    shares_each: 0,
                    grants,
                }
            })
            .collect()
    }

    /// Each bot's shares of `symbol`, as its opening would have given them
    /// (a listing added after the bots were opened).
    pub fn grants_of(&self, symbol: SymbolId) -> Vec<Command> {
        let Some(listing) = self.listings.iter().find(|l| l.symbol == symbol) else {
            return Vec::new();
        };
        (self.bots.iter())
            .map(|bot| {
                let ShareGrant { symbol, qty, cost } =
                    Self::grant(bot.strategy.endowment().1, listing);
                Command::GrantShares {
                    account: bot.account,
                    symbol,
                    qty,
                    cost,
                }
            })
            .collect()
    }

    /// Cancels whatever the bots left resting (at start: their quotes from
    /// before a restart are unknown to this run).
    pub fn cancel_everything(&self) -> Vec<Command> {
        (self.bots.iter())
            .map(|bot| Command::CancelAll {
                account: bot.account,
            })
            .collect()
    }

    /// Takes in one committed event. A new reference price (a new trading
    /// day) also moves the band the hidden values are kept inside.
    pub fn observe(&mut self, event: &Event) {
        self.mirror.apply(event);
        if let Event::Listed {
            symbol,
            reference_price,
            ..
        } = *event
            && let Some(listing) = self.listings.iter_mut().find(|l| l.symbol == symbol)
        {
            listing.fundamental.set_reference(reference_price as f64);
        }
    }

    /// Takes each listing's reference from the mirror, after the mirror was
    /// rebuilt from market data rather than from events.
    pub fn sync_references(&mut self) {
        for listing in &mut self.listings {
            if let Some(view) = self.mirror.symbol(listing.symbol)
                && view.reference > 0
            {
                listing.fundamental.set_reference(view.reference as f64);
            }
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Jumps the clock forward without acting (a live driver that fell far
    /// behind skips rather than sending a burst).
    pub fn skip_to(&mut self, now_ms: i64) {
        if now_ms > self.now_ms {
            self.now_ms = now_ms - now_ms % STEP_MS;
        }
    }

    /// Whether a step is due by `now_ms`.
    pub fn step_due(&self, now_ms: i64) -> bool {
        self.now_ms + STEP_MS <= now_ms
    }

    /// Starts the next step: the values move, news may break, and the
    /// takers act on what they see. The caller executes `commands` and
    /// feeds the events to `mirror` before [`Simulation::finish_step`].
    pub fn begin_step(&mut self, commands: &mut Vec<Command>, news: &mut Vec<NewsItem>) {
        self.now_ms += STEP_MS;
        self.advance_values(news);
        self.record_minute();
        self.take(commands);
    }

    /// Ends the step: market makers answer the takers' trades at once, as
    /// the fastest traders do, so both sides of every book stay quoted.
    pub fn finish_step(&mut self, commands: &mut Vec<Command>) {
        self.make_markets(commands);
    }

    fn advance_values(&mut self, news: &mut Vec<NewsItem>) {
        let dt_hours = STEP_MS as f64 / MS_PER_HOUR;
        let sector_draws: Vec<f64> = (0..self.sector_names.len().max(1))
            .map(|_| normal(&mut self.rng))
            .collect();
        for listing in &mut self.listings {
            listing
                .fundamental
                .step(dt_hours, sector_draws[listing.sector], &mut self.rng);
        }
        if self.desk.breaks(dt_hours, &mut self.rng) {
            let companies: Vec<(&str, &str)> = (self.names.iter())
                .map(|(ko, en)| (ko.as_str(), en.as_str()))
                .collect();
            let sectors: Vec<(&str, &str)> = (self.sector_names.iter())
                .map(|(ko, en)| (ko.as_str(), en.as_str()))
                .collect();
            let item = self
                .desk
                .write(self.now_ms, &companies, &sectors, &mut self.rng);
            let jump = item.log_move();
            match item.target {
                Target::Company(index) => self.listings[index].fundamental.jump(jump),
                Target::Sector(sector) => {
                    for listing in self.listings.iter_mut().filter(|l| l.sector == sector) {
                        let share = self.rng.random_range(0.4..1.0);
                        listing.fundamental.jump(jump * share);
                    }
                }
            }
            news.push(item);
        }
    }

    fn record_minute(&mut self) {
        if self.now_ms % 60_000 != 0 {
            return;
        }
        for listing in &mut self.listings {
            let mid = self
                .mirror
                .symbol(listing.symbol)
                .map_or(listing.first_price as f64, |view| view.mid());
            if listing.minute_mids.len() == HISTORY_MINUTES {
                listing.minute_mids.pop_front();
            }
            listing.minute_mids.push_back(mid);
        }
    }

    fn take(&mut self, commands: &mut Vec<Command>) {
        let ctx = bots::Context {
            now_ms: self.now_ms,
            listings: &self.listings,
            mirror: &self.mirror,
        };
        for bot in self.bots.iter_mut() {
            bot.expire_passive(&ctx, commands);
        }
        let makers = self.makers();
        let takers = self.bots.len() - makers;
        let arrivals = poisson(self.taker_rate_per_ms * STEP_MS as f64, &mut self.rng);
        for _ in 0..arrivals {
            let bot_index = makers + self.rng.random_range(0..takers);
            let listing = self.rng.random_range(0..self.listings.len());
            self.bots[bot_index].take(
                &ctx,
                listing,
                &mut self.next_client_id,
                &mut self.rng,
                commands,
            );
        }
    }

    /// Market makers come first in the roster.
    fn makers(&self) -> usize {
        (self.bots.iter())
            .take_while(|b| b.strategy == Strategy::MarketMaker)
            .count()
    }

    fn make_markets(&mut self, commands: &mut Vec<Command>) {
        self.maker_budget = (self.maker_budget + self.maker_rate_per_ms * STEP_MS as f64)
            .min(self.maker_rate_per_ms * 2_000.0 + 4.0);
        let ctx = bots::Context {
            now_ms: self.now_ms,
            listings: &self.listings,
            mirror: &self.mirror,
        };
        // They take turns going first, so none starves the others' budget.
        let makers = self.makers();
        let first = (self.now_ms / STEP_MS) as usize % makers.max(1);
        for turn in 0..makers {
            let maker_number = (first + turn) % makers;
            self.bots[maker_number].make_markets(
                maker_number,
                &ctx,
                &mut self.maker_budget,
                &mut self.next_client_id,
                &mut self.rng,
                commands,
            );
        }
    }
}

/// A Poisson draw by inversion; `mean` is small (a few per step).
fn poisson(mean: f64, rng: &mut StdRng) -> u32 {
    let limit = (-mean).exp();
    let mut product: f64 = rng.random();
    let mut count = 0;
    while product > limit && count < 1_000 {
        product *= rng.random::<f64>();
        count += 1;
    }
    count
}
