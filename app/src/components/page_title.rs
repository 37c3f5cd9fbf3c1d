//! The document title of a page: the page's own name, then the site's, in
//! the current language. Each page's island sets it, so it follows the
//! language switch in the browser as it does on the server.

use crate::prefs::use_prefs;
use leptos::prelude::*;
use leptos::text_prop::TextProp;
use leptos_meta::Title;

#[component]
pub fn PageTitle(#[prop(into)] text: TextProp) -> impl IntoView {
    let prefs = use_prefs();
    view! { <Title text=move || format!("{} · {}", text.get(), prefs.texts().site_name)/> }
}
