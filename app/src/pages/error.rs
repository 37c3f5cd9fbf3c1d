//! The error page shown when rendering a page fails. It never shows the
//! error's detail (that is for the log), only what the user can do next.

use crate::components::PageTitle;
use crate::prefs::use_prefs;
use crate::realtime::go_live;
use leptos::prelude::*;

#[island(lazy)]
pub fn ErrorPage() -> impl IntoView {
    go_live();
    super::respond_with_status(500);
    let prefs = use_prefs();
    let t = move || prefs.texts();
    view! {
        <PageTitle text=move || t().error_title/>
        <section class="problem" role="alert" data-testid="error-page">
            <h1>{move || t().error_title}</h1>
            <p>{move || t().error_body}</p>
            <a class="button" href="/">{move || t().back_home}</a>
        </section>
    }
}
