//! The 404 page. During server rendering it also sets the response status, so
//! crawlers and tests see a real 404 rather than a friendly 200.

use crate::prefs::use_prefs;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    super::respond_with_status(404);
    let prefs = use_prefs();
    let t = move || prefs.texts();
    view! {
        <Title text=move || t().not_found_title/>
        <section class="problem" data-testid="not-found">
            <p class="problem__code" aria-hidden="true">"404"</p>
            <h1>{move || t().not_found_title}</h1>
            <p>{move || t().not_found_body}</p>
            <A href="/" attr:class="button">{move || t().back_home}</A>
        </section>
    }
}
