//! The HTTP surface: one cloneable [`AppState`], one router that merges the
//! Leptos pages and server functions (through the [`ports`]), the JSON API
//! ([`routes`]), `/ws`, the health routes and static files, and the
//! middleware every response passes through. Everything that knows about
//! HTTP lives here: who the caller is ([`caller`]), how a body is read
//! ([`input`]), and how every refusal is answered ([`error`]).

mod account_flows;
pub mod caller;
pub mod error;
pub mod floods;
mod health;
pub mod input;
mod middleware;
pub mod ports;
mod routes;
mod ws;

pub use error::ApiError;

use crate::accounts::Accounts;
use crate::clock::Clock;
use crate::config::GaemiSettings;
use crate::realtime::Hub;
use crate::sessions::Sessions;
use crate::storage::Storage;
use crate::trading::Trading;
use app::api::SystemPort;
use app::auth::AccountPort;
use app::market::MarketPort;
use app::stock::StockPort;
use app::trading::TradingPort;
use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderMap, header};
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use tokio_util::sync::CancellationToken;

/// What every handler reaches. Cloned for every request (axum's `State`
/// extractor and each `from_fn_with_state` layer clone it), so the parts sit
/// behind one `Arc`: a clone is one reference count, not a copy of every
/// field. Profiling the order path showed cloning and dropping the parts one
/// by one taking over a third of the server's request-handling time.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// The services and settings the HTTP layer hands to handlers, built once
/// at start ([`crate::run_with`]).
pub struct AppParts {
    pub leptos: LeptosOptions,
    pub settings: Arc<GaemiSettings>,
    pub allowed_origins: Arc<[String]>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (the limits
    /// then count the client behind them, not the proxy).
    pub trusted_proxies: Arc<[IpAddr]>,
    pub storage: Arc<dyn Storage>,
    pub hub: Arc<Hub>,
    pub clock: Arc<dyn Clock>,
    pub shutdown: CancellationToken,
    pub sessions: Sessions,
    pub trading: Trading,
    pub accounts: Accounts,
    pub floods: floods::Floods,
    /// When this process started, for the status page.
    pub started_at_ms: i64,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

impl AppState {
    pub fn new(parts: AppParts) -> AppState {
        AppState(Arc::new(parts))
    }

    /// A request may change state (or open a websocket) only from our own
    /// origin. Browsers always send `Origin` on such requests; its absence
    /// means a non-browser client, which cookies-based CSRF cannot reach.
    pub fn origin_allowed(&self, headers: &HeaderMap) -> bool {
        match headers.get(header::ORIGIN) {
            None => true,
            Some(origin) => origin
                .to_str()
                .is_ok_and(|origin| self.allowed_origins.iter().any(|allowed| allowed == origin)),
        }
    }
}

/// The app's routes, generated once per process. Generating them renders the
/// app with resource loading switched off by a process-wide flag in
/// leptos_server, so a second generation while another server in the same
/// process is rendering a page would leave that page's resources unloaded
/// and its response hanging (as two servers side by side in the tests did).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let provide_ports = {
        let ports = Arc::new(ports::Ports(state.clone()));
        let system: Arc<dyn SystemPort> = ports.clone();
        let trading: Arc<dyn TradingPort> = ports.clone();
        let market: Arc<dyn MarketPort> = ports.clone();
        let stock: Arc<dyn StockPort> = ports.clone();
        let accounts: Arc<dyn AccountPort> = ports;
        move || {
            provide_context(system.clone());
            provide_context(trading.clone());
            provide_context(market.clone());
            provide_context(stock.clone());
            provide_context(accounts.clone());
        }
    };
    let shell = {
        let options = state.leptos.clone();
        move || app::shell(options.clone())
    };
    let https = state
        .allowed_origins
        .iter()
        .all(|o| o.starts_with("https://"));
    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/ws", get(ws::ws_handler))
        .nest("/api/v1", routes::routes())
        .leptos_routes_with_context(&state, routes, provide_ports.clone(), shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_ports, app::shell))
        .with_state(state.clone());
    // The middleware wraps the whole router once, as one service, instead of
    // through `Router::layer`, which wraps every route in each layer and
    // boxes it again: a request then cloned and boxed a service and a
    // future per layer, about a seventh of the order path's request
    // handling (docs/PERFORMANCE.md). Outermost first.
    let middleware = tower::ServiceBuilder::new()
        .layer(tower_http::trace::TraceLayer::new_for_http())
        // Pages and API answers are compressed as they stream out. Brotli's
        // quality 5 sends a market page about 7 % smaller than the default
        // (4), and a page still costs about 2 ms to compress here
        // (docs/PERFORMANCE.md); wasm, scripts and styles are precompressed
        // at quality 11.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::compression::CompressionLevel::Precise(5)),
        )
        .layer(middleware::SecurityHeadersLayer { https })
        // A request whose cookie names a session that is gone (usually one
        // sent just before a sign-in gave the browser a new id) must not
        // clear the new cookie: the pair around the session layer keeps it.
        .layer(axum::middleware::from_fn(
            crate::sessions::keep_unknown_session_cookie,
        ))
        .layer(crate::sessions::layer(state.sessions.store.clone(), https))
        .layer(axum::middleware::from_fn(
            crate::sessions::note_unknown_session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::cache_control,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::check_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            middleware::find_viewer,
        ))
        .layer(axum::middleware::from_fn(
            routes::auth::nothing_to_finish_goes_to_sign_in,
        ));
    Router::new().fallback_service(middleware.service(routes))
}
