//! A grey placeholder shown while data loads, so the layout does not jump
//! when it arrives. Screen readers hear "loading" once instead of the bars.

use crate::prefs::t;
use leptos::prelude::*;

#[component]
pub fn Skeleton(#[prop(default = 3)] lines: usize) -> impl IntoView {
    view! {
        <div class="skeleton" aria-busy="true" data-testid="skeleton">
            <span class="visually-hidden">{t(|x| x.loading)}</span>
            {(0..lines).map(|_| view! { <span class="skeleton__line" aria-hidden="true"></span> }).collect_view()}
        </div>
    }
}
