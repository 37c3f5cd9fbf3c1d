//! The site footer: a discreet link to the operator's status page, which
//! traders do not need and the navigation therefore leaves out. An island
//! only so that its text follows the language switch, like the header's.

use crate::prefs::t;
use leptos::prelude::*;

#[island]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <a href="/status" data-testid="footer-status">{t(|x| x.home_status_heading)}</a>
        </footer>
    }
}
