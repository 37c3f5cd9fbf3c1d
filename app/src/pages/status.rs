//! The operator's page (`/status`, linked from the footer, not in the
//! navigation): the live connection and this server's status (version,
//! storage, when it started and how often), the server function's answer
//! loaded while the page renders. Its route and island are the simple
//! pages' (`super::simple`), which show it.

use crate::api::{AppError, ServerStatus};
use crate::components::PageTitle;
use crate::format::{format_kst_datetime, format_kst_time, group_thousands, local_now_ms};
use crate::prefs::{t, use_prefs};
use crate::realtime::use_clock;
use leptos::prelude::*;

/// The status page's body, inside the simple pages' island.
#[component]
pub(super) fn Status(status: Result<ServerStatus, AppError>) -> impl IntoView {
    let prefs = use_prefs();
    let clock = use_clock();

    view! {
        <PageTitle text=t(|x| x.home_status_heading)/>
        <section class="hero">
            <h1>{t(|x| x.home_status_heading)}</h1>
            <p>{t(|x| x.status_intro)}</p>
        </section>
        <div class="cards">
            <section class="card" aria-labelledby="live-heading">
                <h2 id="live-heading">{t(|x| x.home_live_heading)}</h2>
                <dl class="facts">
                    <dt>{t(|x| x.live_server_time)}</dt>
                    <dd class="num" data-testid="home-server-time">
                        {move || format_kst_time(clock.get().map_or_else(local_now_ms, |c| c.server_time_ms))}
                    </dd>
                    <dt>{t(|x| x.live_online)}</dt>
                    <dd class="num">{move || clock.get().map(|c| c.online.to_string()).unwrap_or_else(|| "-".into())}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="status-heading">
                <h2 id="status-heading">{t(|x| x.status_server_heading)}</h2>
                {match status {
                    Ok(s) => view! {
                        <dl class="facts" data-testid="server-status">
                            <dt>{t(|x| x.home_status_version)}</dt>
                            <dd>{s.version.clone()}</dd>
                            <dt>{t(|x| x.home_status_storage)}</dt>
                            <dd>{s.storage.clone()}</dd>
                            <dt>{t(|x| x.home_status_started)}</dt>
                            <dd class="num">{format_kst_datetime(s.started_at_ms)} " KST"</dd>
                            <dt>{t(|x| x.home_status_starts)}</dt>
                            <dd class="num">{group_thousands(s.start_count)}</dd>
                        </dl>
                    }.into_any(),
                    Err(err) => view! {
                        <p class="notice notice--error" role="alert">
                            {t(|x| x.home_status_unavailable)} " " {move || err.message(prefs.lang.get()).to_owned()}
                        </p>
                    }.into_any(),
                }}
            </section>
        </div>
    }
}
