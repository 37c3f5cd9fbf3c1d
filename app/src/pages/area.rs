//! The five main areas of the navigation. Each opens with the issue that builds
//! it; until then the page says what it will hold, in the shell's layout.
//! Each is an island only so that its text follows the language switch.

use crate::components::PageTitle;
use crate::i18n::Texts;
use crate::prefs::use_prefs;
use crate::realtime::go_live;
use leptos::prelude::*;

#[component]
fn AreaPage(title: fn(&Texts) -> &'static str, blurb: fn(&Texts) -> &'static str) -> impl IntoView {
    go_live();
    let prefs = use_prefs();
    let t = move || prefs.texts();
    view! {
        <PageTitle text=move || title(t())/>
        <section class="area">
            <h1>{move || title(t())}</h1>
            <p>{move || blurb(t())}</p>
            <div class="card card--empty">
                <h2>{move || t().soon_title}</h2>
                <p>{move || t().soon_body}</p>
            </div>
        </section>
    }
}

#[island(lazy)]
pub fn RoundsPage() -> impl IntoView {
    view! { <AreaPage title=|t| t.nav_rounds blurb=|t| t.rounds_blurb/> }
}

#[island(lazy)]
pub fn CommunityPage() -> impl IntoView {
    view! { <AreaPage title=|t| t.nav_community blurb=|t| t.community_blurb/> }
}

#[island(lazy)]
pub fn RankingPage() -> impl IntoView {
    view! { <AreaPage title=|t| t.nav_ranking blurb=|t| t.ranking_blurb/> }
}
