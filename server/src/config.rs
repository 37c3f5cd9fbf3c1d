//! Settings: Leptos' site options plus Gaemi's own, read from `Leptos.toml`
//! (or the file `GAEMI_CONFIG` names) with environment variables on top. Every
//! setting has a default, so a fresh clone runs with no file at all. A bad
//! value stops start-up with an error that names the setting.

use leptos::config::LeptosOptions;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Gaemi's own settings: the `[gaemi]` table of the settings file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GaemiSettings {
    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`. Env: `DATABASE_URL`.
    pub database_url: String,
    /// Optional Redis for multi-node deployments: sessions and the sign-in
    /// limits are kept there when set. Env: `REDIS_URL`.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key Gaemi writes, so servers of different
    /// deployments (or tests) can share one Redis. Env: `GAEMI_REDIS_PREFIX`.
    pub redis_prefix: String,
    /// The origin browsers use to reach this server, e.g. `https://gaemi.example`.
    /// Requests from any other origin may not change anything. Defaults to the
    /// listen address (as `127.0.0.1` and `localhost`). Env: `GAEMI_PUBLIC_ORIGIN`.
    pub public_origin: Option<String>,
    /// `pretty` for people, `json` for log collectors. Env: `GAEMI_LOG_FORMAT`.
    pub log_format: LogFormat,
    /// Reverse proxies in front of Gaemi whose `X-Forwarded-For` is
    /// believed, so sign-in limits count clients rather than the proxy.
    /// Env: `GAEMI_TRUSTED_PROXIES` (comma-separated addresses).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Where account mails go out: `smtp://host:port` (a local relay),
    /// `smtp://user:pass@host:587?tls=required` or `smtps://...:465`. Unset:
    /// mails (with their links) are written to the log. Env: `GAEMI_SMTP_URL`.
    pub smtp_url: Option<String>,
    /// The sender of account mails. Env: `GAEMI_MAIL_FROM`.
    pub mail_from: String,
    pub realtime: RealtimeSettings,
    pub market: MarketSettings,
    pub bots: BotSettings,
    pub limits: LimitSettings,
    /// Sign-in with Google, Kakao and Naver; a provider is offered once its
    /// client id is set. Env: `GAEMI_OAUTH_{GOOGLE,KAKAO,NAVER}_CLIENT_ID`,
    /// `..._CLIENT_SECRET`, and to point elsewhere than the provider's own
    /// servers (tests do) `..._AUTH_URL`, `..._TOKEN_URL`, `..._USERINFO_URL`.
    pub oauth: OAuthSettings,
}

/// One provider's registration; endpoints default to the provider's own.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OAuthProviderSettings {
    pub client_id: String,
    pub client_secret: String,
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OAuthSettings {
    pub google: Option<OAuthProviderSettings>,
    pub kakao: Option<OAuthProviderSettings>,
    pub naver: Option<OAuthProviderSettings>,
}

/// The simulated market: bot traders and news (server/src/sim).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BotSettings {
    /// Whether bots trade and news arrives. Env: `GAEMI_BOTS_ENABLED`.
    pub enabled: bool,
    /// The random seed: the same seed gives the same market (in the
    /// simulation; live, arrival times also depend on the wall clock).
    /// Env: `GAEMI_BOTS_SEED`.
    pub seed: u64,
    /// Orders all bots together send per second. Env: `GAEMI_BOTS_ORDERS_PER_SECOND`.
    pub orders_per_second: u32,
    /// News events per hour, on average. Env: `GAEMI_BOTS_NEWS_PER_HOUR`.
    pub news_per_hour: u32,
}

impl Default for BotSettings {
    fn default() -> Self {
        BotSettings {
            enabled: true,
            seed: 20_260_101,
            orders_per_second: 40,
            news_per_hour: 6,
        }
    }
}

/// The exchange's fees, order queue and market-data pace.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MarketSettings {
    /// Commission per side in parts per million (150 = 0.015 %).
    /// Env: `GAEMI_MARKET_COMMISSION_PPM`.
    pub commission_ppm: i64,
    /// Tax on sells in parts per million (2000 = 0.20 %).
    /// Env: `GAEMI_MARKET_SELL_TAX_PPM`.
    pub sell_tax_ppm: i64,
    /// Won a new account starts with. Env: `GAEMI_MARKET_STARTING_CASH`.
    pub starting_cash: i64,
    /// Shares of every listing a new guest account is given (at the
    /// listing's first price), so practice and load tests can sell before
    /// any market exists. 0 by default. Env: `GAEMI_MARKET_GUEST_SHARES`.
    pub guest_shares: i64,
    /// Commands waiting for the engine before order entry answers 503.
    /// Env: `GAEMI_MARKET_ORDER_QUEUE`.
    pub order_queue: usize,
    /// How often book deltas and tickers are published.
    /// Env: `GAEMI_MARKET_DEPTH_INTERVAL_MS`.
    pub depth_interval_ms: u64,
    /// Commands between snapshots of the exchange's state, so a start
    /// replays at most this many (a clean stop takes one too); 0 takes
    /// them only at a clean stop. Env: `GAEMI_MARKET_SNAPSHOT_EVERY`.
    pub snapshot_every: u64,
    /// The listings file (see `data/listings.toml`); empty for the copy
    /// built into the binary. Env: `GAEMI_MARKET_LISTINGS_FILE`.
    pub listings_file: String,
    /// Length of a trading day in seconds (86400: the KST calendar day).
    /// Days start at KST midnight or a multiple of this after it; each
    /// day's close is the next day's reference price. Shorter days suit
    /// demonstrations and tests. Env: `GAEMI_MARKET_DAY_SECONDS`.
    pub day_seconds: i64,
}

impl Default for MarketSettings {
    fn default() -> Self {
        MarketSettings {
            commission_ppm: 150,
            sell_tax_ppm: 2_000,
            starting_cash: 100_000_000,
            guest_shares: 0,
            order_queue: 65_536,
            depth_interval_ms: 100,
            snapshot_every: 100_000,
            listings_file: String::new(),
            day_seconds: 86_400,
        }
    }
}

/// Flood limits: what one address or one user may ask for per window
/// before being answered 429 with `Retry-After` (counted in Redis when
/// `REDIS_URL` is set). 0 turns a limit off (the load test does).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct LimitSettings {
    /// Orders, amendments and cancellations per second, per user.
    /// Env: `GAEMI_LIMIT_ORDERS_PER_USER`.
    pub orders_per_user: u32,
    /// The same per second, per address (several people may share one).
    /// Env: `GAEMI_LIMIT_ORDERS_PER_ADDRESS`.
    pub orders_per_address: u32,
    /// New guests per hour, per address. Env: `GAEMI_LIMIT_GUESTS_PER_ADDRESS`.
    pub guests_per_address: u32,
    /// New websocket connections per minute, per address.
    /// Env: `GAEMI_LIMIT_SOCKETS_PER_ADDRESS`.
    pub sockets_per_address: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            orders_per_user: 20,
            orders_per_address: 200,
            // Generous per address: many phones share one carrier address
            // (CGNAT), and a school or office shares one too.
            guests_per_address: 600,
            sockets_per_address: 600,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RealtimeSettings {
    /// How often the clock topic ticks. Env: `GAEMI_REALTIME_CLOCK_INTERVAL_MS`.
    pub clock_interval_ms: u64,
    /// Frames queued for one client before it counts as too slow and is
    /// dropped (it reconnects and resyncs). Env: `GAEMI_REALTIME_CLIENT_QUEUE`.
    pub client_queue: usize,
    /// A connection that sends nothing for this long is closed; the page
    /// heartbeats every 15 s. Env: `GAEMI_REALTIME_IDLE_TIMEOUT_MS`.
    pub idle_timeout_ms: u64,
}

impl Default for GaemiSettings {
    fn default() -> Self {
        GaemiSettings {
            database_url: "sqlite://data/gaemi.db".to_owned(),
            redis_url: None,
            redis_prefix: "gaemi:".to_owned(),
            public_origin: None,
            log_format: LogFormat::default(),
            trusted_proxies: Vec::new(),
            smtp_url: None,
            mail_from: "개미 <no-reply@gaemi.local>".to_owned(),
            realtime: RealtimeSettings::default(),
            market: MarketSettings::default(),
            bots: BotSettings::default(),
            limits: LimitSettings::default(),
            oauth: OAuthSettings::default(),
        }
    }
}

impl Default for RealtimeSettings {
    fn default() -> Self {
        RealtimeSettings {
            clock_interval_ms: 1_000,
            client_queue: 256,
            idle_timeout_ms: 60_000,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub leptos: LeptosOptions,
    pub gaemi: GaemiSettings,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the settings file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("settings file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("Leptos site options: {0}")]
    Leptos(String),
    #[error("environment variable {var}: {message}")]
    Env { var: &'static str, message: String },
    #[error("setting {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

impl Settings {
    /// Reads `GAEMI_CONFIG` (or `./Leptos.toml` when present) and the process
    /// environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let path = match std::env::var_os("GAEMI_CONFIG") {
            Some(path) => Some(PathBuf::from(path)),
            None => Some(PathBuf::from("Leptos.toml")).filter(|p| p.exists()),
        };
        let text = match &path {
            Some(path) => {
                Some(
                    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                        path: path.clone(),
                        source,
                    })?,
                )
            }
            None => None,
        };
        Settings::from_parts(path.as_deref(), text.as_deref(), |var| {
            std::env::var(var).ok()
        })
    }

    /// Builds settings from a file's text (if any) and an environment lookup.
    pub fn from_parts(
        path: Option<&Path>,
        text: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let shown_path = path
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("(none)"));
        let leptos = match text {
            // leptos_config reads `[package.metadata.leptos]` to the end of the
            // file and applies `LEPTOS_*` variables itself.
            Some(text) if text.contains("[package.metadata.leptos]") => {
                leptos::config::get_config_from_str(text)
                    .map_err(|e| ConfigError::Leptos(e.to_string()))?
            }
            _ => {
                leptos::config::get_config_from_env()
                    .map_err(|e| ConfigError::Leptos(e.to_string()))?
                    .leptos_options
            }
        };
        let mut gaemi = match text {
            Some(text) => parse_gaemi_table(text).map_err(|message| ConfigError::Parse {
                path: shown_path,
                message,
            })?,
            None => GaemiSettings::default(),
        };
        apply_env(&mut gaemi, env)?;
        validate(&gaemi)?;
        Ok(Settings { leptos, gaemi })
    }

    /// Origins allowed to make state-changing requests and open websockets.
    pub fn allowed_origins(&self) -> Vec<String> {
        match &self.gaemi.public_origin {
            Some(origin) => vec![origin.trim_end_matches('/').to_owned()],
            None => origins_for_addr(self.leptos.site_addr),
        }
    }
}

/// The origins a browser uses for a listen address: `127.0.0.1:3000` is also
/// reached as `localhost:3000`.
pub fn origins_for_addr(addr: std::net::SocketAddr) -> Vec<String> {
    let mut origins = vec![format!("http://{addr}")];
    if addr.ip().is_loopback() || addr.ip().is_unspecified() {
        for host in ["127.0.0.1", "localhost"] {
            let origin = format!("http://{host}:{}", addr.port());
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
    }
    origins
}

fn parse_gaemi_table(text: &str) -> Result<GaemiSettings, String> {
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        gaemi: GaemiSettings,
        // The Leptos table and anything cargo-style is read elsewhere.
        #[serde(default, rename = "package")]
        _package: Option<toml::Table>,
    }
    toml::from_str::<File>(text)
        .map(|f| f.gaemi)
        .map_err(|e| e.to_string())
}

fn apply_env(
    gaemi: &mut GaemiSettings,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    fn number<T: std::str::FromStr>(var: &'static str, value: &str) -> Result<T, ConfigError> {
        value.trim().parse().map_err(|_| ConfigError::Env {
            var,
            message: format!("{value:?} is not a whole number"),
        })
    }
    if let Some(url) = env("DATABASE_URL") {
        gaemi.database_url = url;
    }
    if let Some(url) = env("REDIS_URL") {
        gaemi.redis_url = Some(url).filter(|u| !u.trim().is_empty());
    }
    for (name, slot) in [
        ("GOOGLE", &mut gaemi.oauth.google),
        ("KAKAO", &mut gaemi.oauth.kakao),
        ("NAVER", &mut gaemi.oauth.naver),
    ] {
        let var = |part: &str| env(&format!("GAEMI_OAUTH_{name}_{part}"));
        if let Some(client_id) = var("CLIENT_ID").filter(|id| !id.trim().is_empty()) {
            let provider = slot.get_or_insert_with(Default::default);
            provider.client_id = client_id;
        }
        if let Some(provider) = slot.as_mut() {
            if let Some(secret) = var("CLIENT_SECRET") {
                provider.client_secret = secret;
            }
            for (part, url) in [
                ("AUTH_URL", &mut provider.auth_url),
                ("TOKEN_URL", &mut provider.token_url),
                ("USERINFO_URL", &mut provider.userinfo_url),
            ] {
                if let Some(value) = var(part) {
                    *url = Some(value);
                }
            }
        }
    }
    if let Some(prefix) = env("GAEMI_REDIS_PREFIX") {
        gaemi.redis_prefix = prefix;
    }
    if let Some(origin) = env("GAEMI_PUBLIC_ORIGIN") {
        gaemi.public_origin = Some(origin).filter(|o| !o.trim().is_empty());
    }
    if let Some(list) = env("GAEMI_TRUSTED_PROXIES") {
        gaemi.trusted_proxies = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry.parse().map_err(|_| ConfigError::Env {
                    var: "GAEMI_TRUSTED_PROXIES",
                    message: format!("{entry:?} is not an IP address"),
                })
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(url) = env("GAEMI_SMTP_URL") {
        gaemi.smtp_url = Some(url).filter(|u| !u.trim().is_empty());
    }
    if let Some(from) = env("GAEMI_MAIL_FROM") {
        gaemi.mail_from = from;
    }
    if let Some(format) = env("GAEMI_LOG_FORMAT") {
        gaemi.log_format = match format.trim() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError::Env {
                    var: "GAEMI_LOG_FORMAT",
                    message: format!("{other:?} is not one of pretty, json"),
                });
            }
        };
    }
    let realtime = &mut gaemi.realtime;
    if let Some(v) = env("GAEMI_REALTIME_CLOCK_INTERVAL_MS") {
        realtime.clock_interval_ms = number("GAEMI_REALTIME_CLOCK_INTERVAL_MS", &v)?;
    }
    if let Some(v) = env("GAEMI_REALTIME_CLIENT_QUEUE") {
        realtime.client_queue = number("GAEMI_REALTIME_CLIENT_QUEUE", &v)?;
    }
    if let Some(v) = env("GAEMI_REALTIME_IDLE_TIMEOUT_MS") {
        realtime.idle_timeout_ms = number("GAEMI_REALTIME_IDLE_TIMEOUT_MS", &v)?;
    }
    let market = &mut gaemi.market;
    if let Some(v) = env("GAEMI_MARKET_COMMISSION_PPM") {
        market.commission_ppm = number("GAEMI_MARKET_COMMISSION_PPM", &v)?;
    }
    if let Some(v) = env("GAEMI_MARKET_SELL_TAX_PPM") {
        market.sell_tax_ppm = number("GAEMI_MARKET_SELL_TAX_PPM", &v)?;
    }
    if let Some(v) = env("GAEMI_MARKET_STARTING_CASH") {
        market.starting_cash = number("GAEMI_MARKET_STARTING_CASH", &v)?;
    }
    if let Some(v) = env("GAEMI_MARKET_GUEST_SHARES") {
        market.guest_shares = number("GAEMI_MARKET_GUEST_SHARES", &v)?;
    }
    if let Some(v) = env("GAEMI_MARKET_ORDER_QUEUE") {
        market.order_queue = number("GAEMI_MARKET_ORDER_QUEUE", &v)?;
    }
    if let Some(v) = env("GAEMI_MARKET_SNAPSHOT_EVERY") {
        market.snapshot_every = number("GAEMI_MARKET_SNAPSHOT_EVERY", &v)?;
    }
    if let Some(v) = env("GAEMI_MARKET_DEPTH_INTERVAL_MS") {
        market.depth_interval_ms = number("GAEMI_MARKET_DEPTH_INTERVAL_MS", &v)?;
    }
    if let Some(v) = env("GAEMI_MARKET_LISTINGS_FILE") {
        market.listings_file = v;
    }
    if let Some(v) = env("GAEMI_MARKET_DAY_SECONDS") {
        market.day_seconds = number("GAEMI_MARKET_DAY_SECONDS", &v)?;
    }
    let limits = &mut gaemi.limits;
    for (var, limit) in [
        ("GAEMI_LIMIT_ORDERS_PER_USER", &mut limits.orders_per_user),
        (
            "GAEMI_LIMIT_ORDERS_PER_ADDRESS",
            &mut limits.orders_per_address,
        ),
        (
            "GAEMI_LIMIT_GUESTS_PER_ADDRESS",
            &mut limits.guests_per_address,
        ),
        (
            "GAEMI_LIMIT_SOCKETS_PER_ADDRESS",
            &mut limits.sockets_per_address,
        ),
    ] {
        if let Some(v) = env(var) {
            *limit = number(var, &v)?;
        }
    }
    let bots = &mut gaemi.bots;
    if let Some(v) = env("GAEMI_BOTS_ENABLED") {
        bots.enabled = match v.trim() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => {
                return Err(ConfigError::Env {
                    var: "GAEMI_BOTS_ENABLED",
                    message: format!("{v:?} is not true, false, 1 or 0"),
                });
            }
        };
    }
    if let Some(v) = env("GAEMI_BOTS_SEED") {
        bots.seed = number("GAEMI_BOTS_SEED", &v)?;
    }
    if let Some(v) = env("GAEMI_BOTS_ORDERS_PER_SECOND") {
        bots.orders_per_second = number("GAEMI_BOTS_ORDERS_PER_SECOND", &v)?;
    }
    if let Some(v) = env("GAEMI_BOTS_NEWS_PER_HOUR") {
        bots.news_per_hour = number("GAEMI_BOTS_NEWS_PER_HOUR", &v)?;
    }
    Ok(())
}

fn validate(gaemi: &GaemiSettings) -> Result<(), ConfigError> {
    let invalid = |field, message: &str| {
        Err(ConfigError::Invalid {
            field,
            message: message.to_owned(),
        })
    };
    let url = gaemi.database_url.as_str();
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres:")
        || url.starts_with("postgresql:"))
    {
        return invalid("database_url", "must start with sqlite: or postgres:");
    }
    if let Some(redis) = &gaemi.redis_url
        && !(redis.starts_with("redis://") || redis.starts_with("rediss://"))
    {
        return invalid("redis_url", "must start with redis:// or rediss://");
    }
    if let Some(origin) = &gaemi.public_origin {
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.trim_end_matches('/').contains('/') => {}
            _ => {
                return invalid(
                    "public_origin",
                    "must look like https://host[:port] with no path",
                );
            }
        }
    }
    let realtime = &gaemi.realtime;
    if realtime.clock_interval_ms < 100 {
        return invalid("realtime.clock_interval_ms", "must be at least 100");
    }
    if realtime.client_queue == 0 {
        return invalid("realtime.client_queue", "must be at least 1");
    }
    if realtime.idle_timeout_ms < 20_000 {
        return invalid(
            "realtime.idle_timeout_ms",
            "must be at least 20000 (the page heartbeats every 15 s)",
        );
    }
    let market = &gaemi.market;
    if !(0..=100_000).contains(&market.commission_ppm) {
        return invalid("market.commission_ppm", "must be from 0 to 100000 (10 %)");
    }
    if !(0..=100_000).contains(&market.sell_tax_ppm) {
        return invalid("market.sell_tax_ppm", "must be from 0 to 100000 (10 %)");
    }
    if !(1..=1_000_000_000_000).contains(&market.starting_cash) {
        return invalid(
            "market.starting_cash",
            "must be from 1 to 1000000000000 won",
        );
    }
    if !(0..=1_000_000).contains(&market.guest_shares) {
        return invalid("market.guest_shares", "must be from 0 to 1000000");
    }
    if market.order_queue == 0 {
        return invalid("market.order_queue", "must be at least 1");
    }
    if market.depth_interval_ms < 10 {
        return invalid("market.depth_interval_ms", "must be at least 10");
    }
    if !(10..=7 * 86_400).contains(&market.day_seconds) {
        return invalid("market.day_seconds", "must be from 10 to 604800 (a week)");
    }
    let bots = &gaemi.bots;
    if !(1..=10_000).contains(&bots.orders_per_second) {
        return invalid("bots.orders_per_second", "must be from 1 to 10000");
    }
    if bots.news_per_hour > 3_600 {
        return invalid("bots.news_per_hour", "must be from 0 to 3600");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn no_file_and_no_env_gives_the_sqlite_defaults() {
        let settings = Settings::from_parts(None, None, no_env).unwrap();
        assert_eq!(settings.gaemi, GaemiSettings::default());
        assert!(settings.gaemi.database_url.starts_with("sqlite:"));
    }

    #[test]
    fn the_repository_settings_file_parses() {
        let text = include_str!("../../Leptos.toml");
        let settings =
            Settings::from_parts(Some(Path::new("Leptos.toml")), Some(text), no_env).unwrap();
        assert_eq!(settings.leptos.output_name.as_ref(), "gaemi");
        assert_eq!(settings.leptos.site_addr.port(), 3000);
    }

    #[test]
    fn environment_overrides_the_file() {
        let text = "[gaemi]\ndatabase_url = \"sqlite://a.db\"\n";
        let env = |var: &str| match var {
            "DATABASE_URL" => Some("postgres://postgres@127.0.0.1/gaemi".to_owned()),
            "GAEMI_REALTIME_CLIENT_QUEUE" => Some("16".to_owned()),
            _ => None,
        };
        let settings = Settings::from_parts(None, Some(text), env).unwrap();
        assert_eq!(
            settings.gaemi.database_url,
            "postgres://postgres@127.0.0.1/gaemi"
        );
        assert_eq!(settings.gaemi.realtime.client_queue, 16);
    }

    #[test]
    fn an_unknown_key_is_named_in_the_error() {
        let err =
            Settings::from_parts(None, Some("[gaemi]\ndatabse_url = \"x\"\n"), no_env).unwrap_err();
        assert!(err.to_string().contains("databse_url"), "{err}");
    }

    #[test]
    fn a_bad_value_names_its_setting() {
        let err = Settings::from_parts(
            None,
            Some("[gaemi]\ndatabase_url = \"mysql://x\"\n"),
            no_env,
        )
        .unwrap_err();
        assert!(err.to_string().contains("database_url"), "{err}");
        let env = |var: &str| (var == "GAEMI_REALTIME_CLIENT_QUEUE").then(|| "lots".to_owned());
        let err = Settings::from_parts(None, None, env).unwrap_err();
        assert!(
            err.to_string().contains("GAEMI_REALTIME_CLIENT_QUEUE"),
            "{err}"
        );
        let env =
            |var: &str| (var == "GAEMI_PUBLIC_ORIGIN").then(|| "gaemi.example/path".to_owned());
        let err = Settings::from_parts(None, None, env).unwrap_err();
        assert!(err.to_string().contains("public_origin"), "{err}");
        for seconds in ["9", "604801", "a day"] {
            let env = |var: &str| (var == "GAEMI_MARKET_DAY_SECONDS").then(|| seconds.to_owned());
            let err = Settings::from_parts(None, None, env).unwrap_err();
            assert!(
                err.to_string().contains("day_seconds")
                    || err.to_string().contains("GAEMI_MARKET_DAY_SECONDS"),
                "{err}"
            );
        }
    }

    #[test]
    fn account_settings_come_from_the_environment() {
        let env = |var: &str| match var {
            "GAEMI_TRUSTED_PROXIES" => Some("10.0.0.1, ::1".to_owned()),
            "GAEMI_OAUTH_KAKAO_CLIENT_ID" => Some("kakao-app".to_owned()),
            "GAEMI_OAUTH_KAKAO_TOKEN_URL" => Some("http://127.0.0.1:9/token".to_owned()),
            _ => None,
        };
        let gaemi = Settings::from_parts(None, None, env).unwrap().gaemi;
        assert_eq!(gaemi.trusted_proxies.len(), 2);
        let kakao = gaemi.oauth.kakao.expect("kakao is configured");
        assert_eq!(kakao.client_id, "kakao-app");
        assert_eq!(kakao.token_url.as_deref(), Some("http://127.0.0.1:9/token"));
        assert_eq!(kakao.auth_url, None, "the provider's own endpoint");
        assert!(gaemi.oauth.google.is_none() && gaemi.oauth.naver.is_none());
        let env =
            |var: &str| (var == "GAEMI_TRUSTED_PROXIES").then(|| "10.0.0.1, proxy".to_owned());
        let err = Settings::from_parts(None, None, env).unwrap_err();
        assert!(err.to_string().contains("GAEMI_TRUSTED_PROXIES"), "{err}");
    }

    #[test]
    fn loopback_addresses_allow_both_local_names() {
        let origins = origins_for_addr("127.0.0.1:3000".parse().unwrap());
        assert!(origins.contains(&"http://127.0.0.1:3000".to_owned()));
        assert!(origins.contains(&"http://localhost:3000".to_owned()));
        assert_eq!(origins.len(), 2, "each origin once: {origins:?}");
    }
}
