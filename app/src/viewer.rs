//! Who the page is for, as the header shows it: a signed-in member's
//! nickname and address, or nobody (a guest or a first visit). The server
//! finds it once per page request (before rendering, so every page and
//! every streaming mode shows the same header) and puts it in the request's
//! extensions as a [`RequestViewer`]; the header island gets it as a prop
//! and shares it with the page's other islands through [`use_viewer`], so
//! a page that signs the browser in without a page load (the verification
//! link) or renames the member updates the header at once. Signing in or
//! out otherwise ends with a full page load ([`reload_to`]), so every part
//! of the page, the websocket included, starts again under the new session.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A signed-in member as the header shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub nickname: String,
    pub email: Option<String>,
}

/// The request extension the server fills for a page request: the member
/// its session speaks for, `None` for anyone else.
#[derive(Clone, Debug, Default)]
pub struct RequestViewer(pub Option<Viewer>);

/// The viewer of the page being rendered, as the server found it (pages
/// render on the server only: nobody, anywhere else).
pub fn of_request() -> Option<Viewer> {
    #[cfg(feature = "ssr")]
    return use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestViewer>().cloned())
        .and_then(|viewer| viewer.0);
    #[cfg(not(feature = "ssr"))]
    None
}

/// The page's viewer, shared by its islands.
#[derive(Clone, Copy)]
struct SharedViewer(RwSignal<Option<Viewer>>);

/// Provides the page's viewer slot (empty until the header fills it).
pub fn provide_viewer() {
    provide_context(SharedViewer(RwSignal::new(None)));
}

/// The page's viewer: the header sets it from the server's answer, pages
/// that change who is signed in set it after.
pub fn use_viewer() -> RwSignal<Option<Viewer>> {
    match use_context::<SharedViewer>() {
        Some(SharedViewer(viewer)) => viewer,
        None => {
            let viewer = RwSignal::new(None);
            provide_context(SharedViewer(viewer));
            viewer
        }
    }
}

/// A full page load of `path` (after signing in or out).
pub fn reload_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
