//! The four kinds of bot trader. Each decides from what a person could see
//! (the public book and last price, its own orders and holdings, and for
//! value traders a noisy private view of the hidden value) and acts only
//! through ordinary engine commands.
//!
//! - Market makers keep two levels on each side a tick or two around the
//!   last price, leaning their quotes against their inventory, and requote
//!   when the price moves or a side empties.
//! - Value traders buy below and sell above their estimate of the value.
//! - Momentum traders follow the move of the last minutes.
//! - Noise traders cross the spread or rest near the best price at random.

use super::SimListing;
use super::fundamental::normal;
use super::mirror::Mirror;
use crate::exchange::rules::{tick_ceil, tick_down, tick_floor, tick_size, tick_up};
use crate::exchange::{
    AccountId, ClientOrderId, Command, OrderType, PlaceOrder, Price, Qty, Side, TimeInForce, Won,
};
use rand::Rng;
use rand::rngs::StdRng;
use std::collections::VecDeque;

/// Quote levels a market maker keeps per side.
const LEVELS: usize = 2;
/// How much a market maker's estimate leans on its view of the value
/// rather than on the last price.
const MAKER_VALUE_WEIGHT: f64 = 0.3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    MarketMaker,
    Value,
    Momentum,
    Noise,
}

impl Strategy {
    /// Starting cash, and the value in won of each company's shares a bot
    /// is given. By value rather than by share count, so a small company's
    /// book is as deep as a large one's.
    pub fn endowment(self) -> (Won, Won) {
        match self {
            Strategy::MarketMaker => (2_000_000_000_000, 30_000_000_000),
            Strategy::Value => (200_000_000_000, 2_000_000_000),
            Strategy::Momentum => (100_000_000_000, 1_000_000_000),
            Strategy::Noise => (30_000_000_000, 300_000_000),
        }
    }

    /// Shares of a listing worth `value` at `price`, never more than a
    /// tenth of the company.
    pub fn shares_worth(value: Won, price: Price, shares_outstanding: Qty) -> Qty {
        (value / price.max(1)).clamp(1, (shares_outstanding / 10).max(1))
    }

    pub fn key(self) -> &'static str {
        match self {
            Strategy::MarketMaker => "market_maker",
            Strategy::Value => "value",
            Strategy::Momentum => "momentum",
            Strategy::Noise => "noise",
        }
    }
}

/// What bots may look at during one step.
pub struct Context<'a> {
    pub now_ms: i64,
    pub listings: &'a [SimListing],
    pub mirror: &'a Mirror,
}

pub struct Bot {
    pub strategy: Strategy,
    pub account: AccountId,
    /// Typical order value in won.
    size_won: f64,
    /// How far price must stray (as a fraction) before it acts.
    threshold: f64,
    /// Momentum lookback in minutes.
    lookback: usize,
    /// Value traders' private error per listing, and when it is redrawn.
    bias: Vec<f64>,
    bias_until_ms: Vec<i64>,
    /// Market makers' quote slots per listing: `[side][level]`.
    quotes: Vec<[[Option<ClientOrderId>; LEVELS]; 2]>,
    next_requote_ms: Vec<i64>,
    quoted_around: Vec<Price>,
    /// Noise traders' resting orders: listing, client id, expiry.
    passive: VecDeque<(usize, ClientOrderId, i64)>,
}

impl Bot {
    pub fn new(strategy: Strategy, account: AccountId, listings: usize, rng: &mut StdRng) -> Bot {
        let (size_won, threshold) = match strategy {
            Strategy::MarketMaker => (rng.random_range(8e6..20e6), 0.0),
            Strategy::Value => (rng.random_range(5e6..20e6), rng.random_range(0.002..0.006)),
            Strategy::Momentum => (rng.random_range(4e6..12e6), rng.random_range(0.004..0.012)),
            Strategy::Noise => (rng.random_range(1e6..6e6), 0.0),
        };
        Bot {
            strategy,
            account,
            size_won,
            threshold,
            lookback: rng.random_range(3..30),
            bias: vec![0.0; listings],
            bias_until_ms: vec![0; listings],
            quotes: vec![[[None; LEVELS]; 2]; listings],
            next_requote_ms: vec![0; listings],
            quoted_around: vec![0; listings],
            passive: VecDeque::new(),
        }
    }

    fn qty_for(&self, price: Price, scale: f64, rng: &mut StdRng) -> Qty {
        let value = self.size_won * scale * (0.5 * normal(rng)).exp();
        ((value / price.max(1) as f64).round() as Qty).max(1)
    }

    fn place(
        &self,
        listing: &SimListing,
        side: Side,
        order_type: OrderType,
        tif: TimeInForce,
        qty: Qty,
        next_client_id: &mut u64,
    ) -> (ClientOrderId, Command) {
        let client_id = ClientOrderId(*next_client_id);
        *next_client_id += 1;
        let command = Command::Place(PlaceOrder {
            account: self.account,
            client_id,
            symbol: listing.symbol,
            side,
            order_type,
            tif,
            qty,
        });
        (client_id, command)
    }

    /// A market maker's turn: requote every listing whose book lost a side,
    /// whose last price moved, or whose refresh time came, while the budget
    /// lasts (an empty side is requoted even beyond it).
    pub fn make_markets(
        &mut self,
        maker_number: usize,
        ctx: &Context,
        budget: &mut f64,
        next_client_id: &mut u64,
        rng: &mut StdRng,
        out: &mut Vec<Command>,
    ) {
        for index in 0..ctx.listings.len() {
            // Each maker covers every other listing, so each book has two.
            if !(index + maker_number).is_multiple_of(2) {
                continue;
            }
            let listing = &ctx.listings[index];
            let Some(view) = ctx.mirror.symbol(listing.symbol) else {
                continue;
            };
            if view.halted || view.reference == 0 {
                continue;
            }
            let side_empty = view.bids.is_empty() || view.asks.is_empty();
            let anchor = view.last.unwrap_or(view.reference);
            let due = ctx.now_ms >= self.next_requote_ms[index];
            let moved = anchor != self.quoted_around[index];
            if !(side_empty || ((moved || due) && *budget >= 1.0)) {
                continue;
            }
            self.next_requote_ms[index] = ctx.now_ms + rng.random_range(2_000..8_000);
            self.quoted_around[index] = anchor;
            let before = out.len();
            self.requote(ctx, index, anchor, next_client_id, rng, out);
            *budget -= (out.len() - before) as f64;
        }
    }

    fn requote(
        &mut self,
        ctx: &Context,
        index: usize,
        anchor: Price,
        next_client_id: &mut u64,
        rng: &mut StdRng,
        out: &mut Vec<Command>,
    ) {
        let listing = &ctx.listings[index];
        let Some(view) = ctx.mirror.symbol(listing.symbol) else {
            return;
        };
        // Lean against inventory: long makers quote lower, short higher.
        let (_, share_value) = self.strategy.endowment();
        let start =
            Strategy::shares_worth(share_value, listing.first_price, listing.shares_outstanding)
                as f64;
        let holding = ctx.mirror.holding(self.account, listing.symbol);
        let level_qty = self.size_won / anchor.max(1) as f64;
        let excess = (holding.available + holding.held) as f64 - start;
        let lean_ticks = (-excess / (level_qty * 20.0)).clamp(-3.0, 3.0).round() as i64;
        // Their estimate: mostly the last price, partly their own noisy
        // view of the value (DESIGN §5: makers quote around an estimate).
        if ctx.now_ms >= self.bias_until_ms[index] {
            self.bias[index] = 0.003 * normal(rng);
            self.bias_until_ms[index] = ctx.now_ms + rng.random_range(60_000..600_000);
        }
        let view_of_value = listing.fundamental.log_value + self.bias[index];
        let estimate = ((1.0 - MAKER_VALUE_WEIGHT) * (anchor as f64).ln()
            + MAKER_VALUE_WEIGHT * view_of_value)
            .exp()
            .round() as Price;
        let tick = tick_size(estimate);
        let center = estimate + lean_ticks * tick;
        // Best quotes half a tick either side of the center, rounded
        // outward: a two-tick spread from each maker; deeper levels a tick
        // further each.
        let best_bid = tick_floor(center - tick / 2).unwrap_or(1);
        let best_ask = tick_ceil(center + (tick + 1) / 2);
        // Never trade against another maker's quote (that would empty its
        // side until it requotes): stay a tick behind the others' best.
        let own_at = |side: usize, price: Price| -> Qty {
            (0..LEVELS)
                .filter_map(|level| self.quotes[index][side][level])
                .filter_map(|id| ctx.mirror.open(self.account, id))
                .filter(|(_, order)| order.price == price)
                .map(|(_, order)| order.remaining)
                .sum()
        };
        let others_ask = (view.asks.iter())
            .find(|&(&price, &qty)| qty > own_at(1, price))
            .map(|(&price, _)| price);
        let others_bid = (view.bids.iter().rev())
            .find(|&(&price, &qty)| qty > own_at(0, price))
            .map(|(&price, _)| price);
        let best_bid = match others_ask.and_then(tick_down) {
            Some(limit) => best_bid.min(limit),
            None => best_bid,
        };
        let best_ask = match others_bid {
            Some(limit) => best_ask.max(tick_up(limit)),
            None => best_ask,
        };
        // Inside the band: at a limit the maker still quotes the far side
        // there and steps back from it on the near side.
        let best_ask = best_ask.clamp(tick_up(view.lower), view.upper);
        let best_bid = best_bid.clamp(view.lower, tick_down(best_ask).unwrap_or(view.lower));
        let prices: [[Price; LEVELS]; 2] = [
            std::array::from_fn(|level| {
                let away = level as i64 * tick;
                tick_floor(best_bid - away).unwrap_or(1).max(view.lower)
            }),
            std::array::from_fn(|level| tick_ceil(best_ask + level as i64 * tick).min(view.upper)),
        ];
        // Moving up, move the ask first; moving down, the bid first, so a
        // maker never meets its own quote.
        let sides = if center >= self.quoted_center(ctx, index) {
            [1, 0]
        } else {
            [0, 1]
        };
        for side_index in sides {
            let side = if side_index == 0 {
                Side::Buy
            } else {
                Side::Sell
            };
            for (level, &price) in prices[side_index].iter().enumerate() {
                let qty = self.qty_for(price, 1.0 + level as f64, rng);
                let available = match side {
                    Side::Buy => ctx.mirror.cash_available(self.account) / price.max(1) / 2,
                    Side::Sell => holding.available / 2,
                };
                let qty = qty.min(available);
                let slot = self.quotes[index][side_index][level];
                match slot.and_then(|id| ctx.mirror.open(self.account, id)) {
                    Some((_, open)) if open.price == price && open.remaining * 2 >= qty => {}
                    Some((order, _)) if qty > 0 => out.push(Command::Amend {
                        account: self.account,
                        order,
                        price,
                        qty,
                    }),
                    Some((order, _)) => {
                        out.push(Command::Cancel {
                            account: self.account,
                            order,
                        });
                    }
                    None if qty > 0 => {
                        let (client_id, command) = self.place(
                            listing,
                            side,
                            OrderType::Limit(price),
                            TimeInForce::Gtc,
                            qty,
                            next_client_id,
                        );
                        self.quotes[index][side_index][level] = Some(client_id);
                        out.push(command);
                    }
                    None => {}
                }
            }
        }
    }

    /// The middle of this maker's current best quotes (or 0).
    fn quoted_center(&self, ctx: &Context, index: usize) -> Price {
        let open = |side: usize| {
            self.quotes[index][side][0]
                .and_then(|id| ctx.mirror.open(self.account, id))
                .map(|(_, order)| order.price)
        };
        match (open(0), open(1)) {
            (Some(bid), Some(ask)) => (bid + ask) / 2,
            _ => 0,
        }
    }

    /// Cancels a noise trader's resting orders whose time is up.
    pub fn expire_passive(&mut self, ctx: &Context, out: &mut Vec<Command>) {
        while let Some(&(_, client_id, expires)) = self.passive.front() {
            if expires > ctx.now_ms {
                break;
            }
            self.passive.pop_front();
            if let Some((order, _)) = ctx.mirror.open(self.account, client_id) {
                out.push(Command::Cancel {
                    account: self.account,
                    order,
                });
            }
        }
    }

    /// A taker's turn on one listing.
    pub fn take(
        &mut self,
        ctx: &Context,
        index: usize,
        next_client_id: &mut u64,
        rng: &mut StdRng,
        out: &mut Vec<Command>,
    ) {
        let listing = &ctx.listings[index];
        let Some(view) = ctx.mirror.symbol(listing.symbol) else {
            return;
        };
        if view.halted || view.reference == 0 {
            return;
        }
        let (Some(bid), Some(ask)) = (view.best_bid(), view.best_ask()) else {
            return;
        };
        let (side, scale) = match self.strategy {
            Strategy::MarketMaker => return,
            Strategy::Value => {
                if ctx.now_ms >= self.bias_until_ms[index] {
                    self.bias[index] = 0.01 * normal(rng);
                    self.bias_until_ms[index] = ctx.now_ms + rng.random_range(60_000..1_200_000);
                }
                let estimate = listing.fundamental.value() * self.bias[index].exp();
                let cheap = 1.0 - ask as f64 / estimate;
                let dear = bid as f64 / estimate - 1.0;
                // The further the price strays, the harder value pushes back.
                if cheap > self.threshold {
                    (Side::Buy, (cheap / self.threshold).min(6.0))
                } else if dear > self.threshold {
                    (Side::Sell, (dear / self.threshold).min(6.0))
                } else {
                    return;
                }
            }
            Strategy::Momentum => {
                let mids = &listing.minute_mids;
                if mids.len() <= self.lookback {
                    return;
                }
                let then = mids[mids.len() - 1 - self.lookback];
                let signal = (view.mid() / then).ln();
                if signal.abs() < self.threshold {
                    return;
                }
                let side = if signal > 0.0 { Side::Buy } else { Side::Sell };
                (side, (signal.abs() / self.threshold).min(2.0))
            }
            Strategy::Noise => {
                let side = if rng.random_bool(0.5) {
                    Side::Buy
                } else {
                    Side::Sell
                };
                (side, 1.0)
            }
        };
        let touch = match side {
            Side::Buy => ask,
            Side::Sell => bid,
        };
        let qty = self.qty_for(touch, scale, rng);
        let holding = ctx.mirror.holding(self.account, listing.symbol);
        let affordable = match side {
            Side::Buy => ctx.mirror.cash_available(self.account) / (touch.max(1) * 2),
            Side::Sell => holding.available,
        };
        let qty = qty.min(affordable);
        if qty == 0 {
            return;
        }
        if self.strategy == Strategy::Noise && rng.random_bool(0.4) {
            // Rest a few ticks behind the best price for a while.
            let own_best = match side {
                Side::Buy => bid,
                Side::Sell => ask,
            };
            // Tick by tick: the steps change size across a band boundary.
            let mut price = own_best;
            for _ in 0..rng.random_range(0..4) {
                price = match side {
                    Side::Buy => tick_down(price).unwrap_or(price),
                    Side::Sell => tick_up(price),
                };
            }
            let price = price.clamp(view.lower, view.upper);
            let (client_id, command) = self.place(
                listing,
                side,
                OrderType::Limit(price),
                TimeInForce::Gtc,
                qty,
                next_client_id,
            );
            let expires = ctx.now_ms + rng.random_range(20_000..120_000);
            let at = self.passive.partition_point(|&(_, _, e)| e <= expires);
            self.passive.insert(at, (index, client_id, expires));
            out.push(command);
            return;
        }
        // Take liquidity at the touch only, so one taker never empties a
        // side; a small share are true market orders of at most the touch.
        let at_touch = match side {
            Side::Buy => view.asks.get(&ask),
            Side::Sell => view.bids.get(&bid),
        }
        .copied()
        .unwrap_or(0);
        let (order_type, qty) = if rng.random_bool(0.08) {
            (OrderType::Market, qty.min((at_touch / 2).max(1)))
        } else {
            (OrderType::Limit(touch), qty)
        };
        let (_, command) = self.place(
            listing,
            side,
            order_type,
            TimeInForce::Ioc,
            qty,
            next_client_id,
        );
        out.push(command);
    }
}
