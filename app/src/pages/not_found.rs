//! The 404 page. During server rendering it also sets the response status, so
//! crawlers and tests see a real 404 rather than a friendly 200.

use crate::components::PageTitle;
use crate::prefs::use_prefs;
use crate::realtime::go_live;
use leptos::prelude::*;

#[island(lazy)]
pub fn NotFoundPage() -> impl IntoView {
    go_live();
    super::respond_with_status(404);
    let prefs = use_prefs();
    let t = move || prefs.texts();
    view! {
        <PageTitle text=move || t().not_found_title/>
        <section class="problem" data-testid="not-found">
            <p class="problem__code" aria-hidden="true">"404"</p>
            <h1>{move || t().not_found_title}</h1>
            <p>{move || t().not_found_body}</p>
            <a href="/" class="button">{move || t().back_home}</a>
        </section>
    }
}
