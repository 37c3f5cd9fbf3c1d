//! Starts Gaemi: read settings, set up logs, bind the listen address, serve
//! until Ctrl-C or SIGTERM. `gaemi simulate` instead runs the market alone
//! on an accelerated clock and reports its stylized facts. Every rule lives
//! in the library.

use anyhow::{Context, bail};
use gaemi::config::Settings;

const SIMULATE_USAGE: &str =
    "usage: gaemi simulate [--hours H] [--seed N] [--orders-per-second R] \
[--news-per-hour K] [--out DIR]
  Runs the bots against an in-memory engine for H simulated hours (default 24),
  prints the stylized-facts report and writes report.md and one SVG price chart
  per listing to DIR (default docs/simulation). Listings come from
  GAEMI_MARKET_LISTINGS_FILE or the built-in file.";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("simulate") {
        return simulate(&args[1..]);
    }
    if let Some(arg) = args.first() {
        bail!(
            "unknown argument {arg:?}; run without arguments to serve, or `gaemi simulate --help`"
        );
    }
    let settings = Settings::load().context("invalid settings")?;
    gaemi::telemetry::init(settings.gaemi.log_format);
    let addr = settings.leptos.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    gaemi::run(settings, listener, gaemi::shutdown_signal())
        .await
        .context("Gaemi stopped with an error")?;
    Ok(())
}

fn simulate(args: &[String]) -> anyhow::Result<()> {
    let mut hours = 24.0;
    let mut out = std::path::PathBuf::from("docs/simulation");
    let mut sim = gaemi::sim::SimSettings {
        seed: 1,
        orders_per_second: 200,
        news_per_hour: 6,
    };
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        if flag == "--help" || flag == "-h" {
            println!("{SIMULATE_USAGE}");
            return Ok(());
        }
        let value = rest
            .next()
            .with_context(|| format!("{flag} needs a value\n{SIMULATE_USAGE}"))?;
        let bad = || format!("{flag}: {value:?} is not valid\n{SIMULATE_USAGE}");
        match flag.as_str() {
            "--hours" => {
                hours = value
                    .parse()
                    .ok()
                    .filter(|h| *h > 0.0 && *h <= 24.0 * 30.0)
                    .with_context(bad)?;
            }
            "--seed" => sim.seed = value.parse().with_context(bad)?,
            "--orders-per-second" => {
                sim.orders_per_second = value
                    .parse()
                    .ok()
                    .filter(|r| (1..=100_000).contains(r))
                    .with_context(bad)?;
            }
            "--news-per-hour" => {
                sim.news_per_hour = value
                    .parse()
                    .ok()
                    .filter(|n| *n <= 3_600)
                    .with_context(bad)?;
            }
            "--out" => out = value.into(),
            _ => bail!("unknown flag {flag}\n{SIMULATE_USAGE}"),
        }
    }
    let path = std::env::var("GAEMI_MARKET_LISTINGS_FILE").unwrap_or_default();
    let file = gaemi::market::ListingsFile::load(&path)?;
    let (listings, _) = file.reconcile(&[])?;
    let started = std::time::Instant::now();
    let report =
        gaemi::sim::headless::run(&listings, sim, hours, false).map_err(anyhow::Error::msg)?;
    let elapsed = started.elapsed();
    let mut text = report.markdown();
    text.push_str(&format!(
        "\nRun time {:.1} s on this machine.\n\nReproduce: `gaemi simulate --hours {hours} --seed {} --orders-per-second {} --news-per-hour {}`\n",
        elapsed.as_secs_f64(),
        sim.seed,
        sim.orders_per_second,
        sim.news_per_hour
    ));
    println!("{text}");
    report.write_charts(&out).map_err(anyhow::Error::msg)?;
    std::fs::write(out.join("report.md"), &text)
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!("charts and report.md written to {}", out.display());
    Ok(())
}
