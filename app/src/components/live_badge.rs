//! The header's live indicator: connection state, server time (KST) and how
//! many people are connected, straight from the `clock` topic.

use crate::format::{format_kst_time, local_now_ms};
use crate::prefs::{t, use_prefs};
use crate::realtime::{ConnStatus, Realtime, use_clock};
use leptos::prelude::*;

#[component]
pub fn LiveBadge() -> impl IntoView {
    let prefs = use_prefs();
    let status = expect_context::<Realtime>().status;
    let clock = use_clock();
    let label = move || {
        let t = prefs.texts();
        match status.get() {
            ConnStatus::Connecting => t.live_connecting,
            ConnStatus::Open => t.live_connected,
            ConnStatus::Reconnecting => t.live_reconnecting,
        }
    };
    let state_class = move || match status.get() {
        ConnStatus::Open => "live live--open",
        ConnStatus::Connecting => "live live--connecting",
        ConnStatus::Reconnecting => "live live--reconnecting",
    };

    view! {
        <div class=state_class data-testid="live-badge" role="status" aria-live="off">
            <span class="live__dot" aria-hidden="true"></span>
            <span class="live__label">{label}</span>
            <span class="live__time" data-testid="server-time">
                {move || format_kst_time(clock.get().map_or_else(local_now_ms, |c| c.server_time_ms))}
            </span>
            <span class="live__online">
                {t(|x| x.live_online)}
                " "
                <span data-testid="online-count">
                    {move || clock.get().map(|c| c.online.to_string()).unwrap_or_else(|| "-".into())}
                </span>
            </span>
        </div>
    }
}
