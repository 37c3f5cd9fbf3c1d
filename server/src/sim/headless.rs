//! The simulation without a server: the bots trade against an in-memory
//! engine on an accelerated clock, so a simulated day takes minutes, and
//! the run is measured for the stylized facts of real markets: fat tails
//! (excess kurtosis of 1-minute returns), volatility clustering
//! (autocorrelation of absolute returns), books that are never one-sided,
//! and tight spreads. Everything is deterministic: the same seed gives
//! byte-identical trades (`trades_digest`).

use super::news::NewsItem;
use super::{STEP_MS, SimSettings, Simulation, roster_size};
use crate::exchange::rules::tick_size;
use crate::exchange::{AccountId, Command, Engine, Event, FeeSchedule, Reply, TradingDay};
use crate::market::Listings;
use std::fmt::Write as _;
use std::hash::Hasher;
use std::path::Path;

/// Lags of the absolute-return autocorrelation that are reported.
pub const MAX_LAG: usize = 30;

/// What one listing did over the run.
#[derive(Clone, Debug, Default)]
pub struct ListingReport {
    pub code: String,
    pub name_en: String,
    pub first_price: i64,
    pub trades: u64,
    /// The last trade price at the end of each minute (carried forward).
    pub minute_closes: Vec<i64>,
    pub excess_kurtosis: f64,
    /// Autocorrelation of |1-minute mid-quote return| at lags 1..=MAX_LAG.
    pub abs_return_acf: Vec<f64>,
    /// Share of one-second samples with both book sides non-empty.
    pub two_sided: f64,
    pub median_spread_ticks: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub hours: f64,
    pub seed: u64,
    pub commands: u64,
    pub rejected: u64,
    /// Rejections by reason, to spot a bot that keeps sending bad orders.
    pub rejections: std::collections::BTreeMap<String, u64>,
    pub trades: u64,
    pub news: Vec<NewsItem>,
    /// A hash of every trade in order (price, quantity, both order ids).
    pub trades_digest: u64,
    /// Trading days that ended during the run (at KST midnight; the clock
    /// starts at the Unix epoch, 09:00 KST).
    pub day_turns: u32,
    pub listings: Vec<ListingReport>,
}

enum Phase {
    Takers,
    Makers,
}

struct Tracking {
    last: Option<i64>,
    mids: Vec<f64>,
    trades: u64,
    closes: Vec<i64>,
    two_sided: u64,
    samples: u64,
    spreads: Vec<i64>,
}

/// Runs `hours` of simulated trading and measures it. `check_invariants`
/// verifies the ledger after every step (slow; for tests).
pub fn run(
    listings: &Listings,
    settings: SimSettings,
    hours: f64,
    check_invariants: bool,
) -> Result<Report, String> {
    let mut engine = Engine::new(FeeSchedule::default());
    let mut events = Vec::new();
    let execute = |engine: &mut Engine, command: Command, events: &mut Vec<Event>| {
        events.clear();
        engine.execute(command, events)
    };
    let accounts: Vec<AccountId> = (1..=roster_size() as u64).map(AccountId).collect();
    let start_prices: Vec<i64> = listings.all().iter().map(|l| l.first_price).collect();
    let mut sim = Simulation::new(settings, listings, &accounts, &start_prices, 0, 1);
    for listing in listings.all() {
        let command = Command::List {
            symbol: listing.symbol,
            reference_price: listing.first_price,
        };
        execute(&mut engine, command, &mut events);
        events.iter().for_each(|e| sim.observe(e));
    }
    for command in sim.openings() {
        let done = execute(&mut engine, command, &mut events);
        if let Reply::Rejected { reason } = done.reply {
            return Err(format!("funding a bot was refused: {reason:?}"));
        }
        events.iter().for_each(|e| sim.observe(e));
    }

    let mut report = Report {
        hours,
        seed: settings.seed,
        ..Report::default()
    };
    let mut tracking: Vec<Tracking> = listings
        .all()
        .iter()
        .map(|_| Tracking {
            last: None,
            mids: Vec::new(),
            trades: 0,
            closes: Vec::new(),
            two_sided: 0,
            samples: 0,
            spreads: Vec::new(),
        })
        .collect();
    let mut digest = std::hash::DefaultHasher::new();
    let end_ms = (hours * 3_600_000.0) as i64;
    let mut commands = Vec::new();
    let mut now = 0;
    let day = TradingDay::default();
    while now < end_ms {
        now += STEP_MS;
        if day.start_of(now) != day.start_of(now - STEP_MS) {
            report.day_turns += 1;
            for listing in listings.all() {
                let command = Command::OpenDay {
                    symbol: listing.symbol,
                };
                execute(&mut engine, command, &mut events);
                events.iter().for_each(|e| sim.observe(e));
            }
        }
        for phase in [Phase::Takers, Phase::Makers] {
            commands.clear();
            match phase {
                Phase::Takers => sim.begin_step(&mut commands, &mut report.news),
                Phase::Makers => sim.finish_step(&mut commands),
            }
            for command in commands.drain(..) {
                let done = execute(&mut engine, command, &mut events);
                report.commands += 1;
                if let Reply::Rejected { reason } = done.reply {
                    report.rejected += 1;
                    *report.rejections.entry(format!("{reason:?}")).or_default() += 1;
                }
                for event in &events {
                    sim.observe(event);
                    if let Event::Trade {
                        symbol,
                        price,
                        qty,
                        maker,
                        taker,
                        ..
                    } = *event
                    {
                        report.trades += 1;
                        let track = &mut tracking[symbol.0 as usize];
                        track.last = Some(price);
                        track.trades += 1;
                        for n in [
                            i64::from(symbol.0),
                            price,
                            qty,
                            maker.0 as i64,
                            taker.0 as i64,
                        ] {
                            digest.write_i64(n);
                        }
                    }
                }
            }
        }
        if check_invariants {
            engine.check_invariants()?;
        }
        if now % 1_000 == 0 {
            for (listing, track) in listings.all().iter().zip(&mut tracking) {
                let Some(view) = sim.mirror.symbol(listing.symbol) else {
                    continue;
                };
                track.samples += 1;
                if let (Some(bid), Some(ask)) = (view.best_bid(), view.best_ask()) {
                    track.two_sided += 1;
                    track.spreads.push((ask - bid) / tick_size(bid));
                }
            }
        }
        if now % 60_000 == 0 {
            for (listing, track) in listings.all().iter().zip(&mut tracking) {
                track.closes.push(track.last.unwrap_or(listing.first_price));
                let mid = (sim.mirror.symbol(listing.symbol)).map_or(f64::NAN, |view| view.mid());
                track.mids.push(mid);
            }
        }
        if now % 600_000 == 0 {
            sim.mirror.forget_closed();
        }
    }
    report.trades_digest = digest.finish();
    report.listings = listings
        .all()
        .iter()
        .zip(tracking)
        .map(|(listing, mut track)| {
            // Mid-quote returns, as microstructure studies use: the last
            // trade bounces between bid and ask, which would bury the
            // volatility's own clustering under a tick of noise a minute.
            let returns: Vec<f64> = track
                .mids
                .windows(2)
                .map(|w| (w[1] / w[0]).ln())
                .filter(|r| r.is_finite())
                .collect();
            track.spreads.sort_unstable();
            ListingReport {
                code: listing.code.clone(),
                name_en: listing.name_en.clone(),
                first_price: listing.first_price,
                trades: track.trades,
                excess_kurtosis: excess_kurtosis(&returns),
                abs_return_acf: (1..=MAX_LAG)
                    .map(|lag| {
                        autocorrelation(&returns.iter().map(|r| r.abs()).collect::<Vec<_>>(), lag)
                    })
                    .collect(),
                two_sided: if track.samples == 0 {
                    0.0
                } else {
                    track.two_sided as f64 / track.samples as f64
                },
                median_spread_ticks: track
                    .spreads
                    .get(track.spreads.len() / 2)
                    .map_or(f64::NAN, |&s| s as f64),
                minute_closes: track.closes,
            }
        })
        .collect();
    Ok(report)
}

pub fn excess_kurtosis(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    if xs.len() < 4 {
        return f64::NAN;
    }
    let mean = xs.iter().sum::<f64>() / n;
    let m2 = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
    if m2 == 0.0 {
        return f64::NAN;
    }
    m4 / (m2 * m2) - 3.0
}

pub fn autocorrelation(xs: &[f64], lag: usize) -> f64 {
    if xs.len() <= lag + 1 {
        return f64::NAN;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    if var == 0.0 {
        return f64::NAN;
    }
    let cov: f64 = xs
        .windows(lag + 1)
        .map(|w| (w[0] - mean) * (w[lag] - mean))
        .sum();
    cov / var
}

impl Report {
    /// The report as Markdown: a summary, one row per listing, the
    /// criteria with pass or fail, and the news.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Simulated {} hours, seed {}: {} commands ({} rejected), {} trades, {} news items. Trade digest {:016x}.\n",
            self.hours,
            self.seed,
            self.commands,
            self.rejected,
            self.trades,
            self.news.len(),
            self.trades_digest
        );
        let _ = writeln!(
            out,
            "Trading days turned {} times (KST midnight): each listing's close became its next reference.\n",
            self.day_turns
        );
        if !self.rejections.is_empty() {
            let reasons: Vec<String> = (self.rejections.iter())
                .map(|(reason, n)| format!("{reason} {n}"))
                .collect();
            let _ = writeln!(out, "Rejections: {}.\n", reasons.join(", "));
        }
        let _ = writeln!(
            out,
            "| code | company | first → last (low – high) | trades | excess kurtosis (1-min mid returns) | ACF abs r lag 1 / 5 / 10 / 30 | min ACF 1-30 | two-sided | median spread (ticks) |"
        );
        let _ = writeln!(out, "|---|---|---|---:|---:|---|---:|---:|---:|");
        for l in &self.listings {
            let acf = |lag: usize| l.abs_return_acf.get(lag - 1).copied().unwrap_or(f64::NAN);
            let _ = writeln!(
                out,
                "| {} | {} | {} → {} ({} – {}) | {} | {:.1} | {:.2} / {:.2} / {:.2} / {:.2} | {:.3} | {:.3} % | {} |",
                l.code,
                l.name_en,
                l.first_price,
                l.minute_closes.last().copied().unwrap_or(l.first_price),
                l.minute_closes
                    .iter()
                    .min()
                    .copied()
                    .unwrap_or(l.first_price),
                l.minute_closes
                    .iter()
                    .max()
                    .copied()
                    .unwrap_or(l.first_price),
                l.trades,
                l.excess_kurtosis,
                acf(1),
                acf(5),
                acf(10),
                acf(30),
                l.min_acf(),
                l.two_sided * 100.0,
                l.median_spread_ticks
            );
        }
        let n = self.listings.len();
        let fat = self
            .listings
            .iter()
            .filter(|l| l.excess_kurtosis > 5.0)
            .count();
        let clustered = self.listings.iter().filter(|l| l.min_acf() > 0.0).count();
        let mean_acf: Vec<f64> = (0..MAX_LAG)
            .map(|lag| {
                let values: Vec<f64> = (self.listings.iter())
                    .filter_map(|l| l.abs_return_acf.get(lag).copied())
                    .filter(|v| v.is_finite())
                    .collect();
                values.iter().sum::<f64>() / values.len().max(1) as f64
            })
            .collect();
        let mean_min = mean_acf.iter().copied().fold(f64::INFINITY, f64::min);
        let two_sided = self.listings.iter().filter(|l| l.two_sided >= 1.0).count();
        let tight = self
            .listings
            .iter()
            .filter(|l| l.median_spread_ticks <= 3.0)
            .count();
        let _ = writeln!(out, "\nCriteria:\n");
        let _ = writeln!(
            out,
            "- excess kurtosis of 1-minute returns > 5: {fat} of {n} listings ({})",
            verdict(fat * 2 > n)
        );
        let _ = writeln!(
            out,
            "- |return| autocorrelation, averaged over listings, positive at every lag 1-30: lowest {mean_min:.3} ({}); positive at every lag on {clustered} of {n} listings one by one",
            verdict(mean_min > 0.0)
        );
        let shown: Vec<String> = [1, 2, 5, 10, 15, 20, 25, 30]
            .iter()
            .map(|&lag| format!("lag {lag}: {:.3}", mean_acf[lag - 1]))
            .collect();
        let _ = writeln!(out, "  - mean ACF of |r|: {}", shown.join(", "));
        let _ = writeln!(
            out,
            "- both book sides non-empty in every one-second sample: {two_sided} of {n} listings ({})",
            verdict(two_sided == n)
        );
        let _ = writeln!(
            out,
            "- median spread at most 3 ticks: {tight} of {n} listings ({})",
            verdict(tight == n)
        );
        out
    }

    /// One SVG price chart per listing (minute closes) in `dir`.
    pub fn write_charts(&self, dir: &Path) -> Result<(), String> {
        use plotters::prelude::*;
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for listing in &self.listings {
            let path = dir.join(format!("{}.svg", listing.code));
            let closes = &listing.minute_closes;
            if closes.is_empty() {
                continue;
            }
            let low = *closes.iter().min().unwrap_or(&0) as f64;
            let high = *closes.iter().max().unwrap_or(&1) as f64;
            let pad = ((high - low) * 0.05).max(1.0);
            let hours = closes.len() as f64 / 60.0;
            let draw = || -> Result<(), Box<dyn std::error::Error>> {
                let root = SVGBackend::new(&path, (900, 360)).into_drawing_area();
                root.fill(&WHITE)?;
                let mut chart = ChartBuilder::on(&root)
                    .caption(
                        format!("{} {} (seed {})", listing.code, listing.name_en, self.seed),
                        ("sans-serif", 18),
                    )
                    .margin(12)
                    .x_label_area_size(32)
                    .y_label_area_size(72)
                    .build_cartesian_2d(0f64..hours, (low - pad)..(high + pad))?;
                chart
                    .configure_mesh()
                    .x_desc("simulated hours")
                    .y_desc("won")
                    .y_label_formatter(&|y| format!("{y:.0}"))
                    .draw()?;
                chart.draw_series(LineSeries::new(
                    closes
                        .iter()
                        .enumerate()
                        .map(|(i, &p)| (i as f64 / 60.0, p as f64)),
                    &RGBColor(0xd6, 0x2d, 0x2d),
                ))?;
                root.present()?;
                Ok(())
            };
            draw().map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }
}

impl ListingReport {
    pub fn min_acf(&self) -> f64 {
        self.abs_return_acf
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
    }
}

fn verdict(pass: bool) -> &'static str {
    if pass { "pass" } else { "FAIL" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(seed: u64) -> SimSettings {
        SimSettings {
            seed,
            orders_per_second: 200,
            news_per_hour: 30,
        }
    }

    #[test]
    fn the_same_seed_gives_byte_identical_trades_and_ledgers_stay_sound() {
        let listings = Listings::built_in();
        let first = run(&listings, settings(5), 0.05, true).unwrap();
        let second = run(&listings, settings(5), 0.05, false).unwrap();
        assert!(first.trades > 100, "{} trades", first.trades);
        assert_eq!(first.trades_digest, second.trades_digest);
        assert_eq!(first.commands, second.commands);
        let other = run(&listings, settings(6), 0.05, false).unwrap();
        assert_ne!(first.trades_digest, other.trades_digest);
    }

    #[test]
    fn statistics_match_hand_computed_values() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        // Uniform-ish: platykurtic, excess -1.3 for these five points.
        assert!((excess_kurtosis(&xs) + 1.3).abs() < 1e-9);
        // Lag-1 autocorrelation of 1..5: sum((x_t - 3)(x_t+1 - 3)) / sum((x - 3)^2) = 4 / 10.
        assert!((autocorrelation(&xs, 1) - 0.4).abs() < 1e-9);
        assert!(autocorrelation(&xs, 4).is_nan());
    }
}
