//! The browser entry point. cargo-leptos builds this crate to WASM; the
//! server's hydration script calls `hydrate()` and then hydrates each island
//! of the page (`#[island]` in `app`), fetching a lazy island's wasm chunk
//! first. Nothing else belongs here.

// Brings the islands' exported hydration functions into this module.
#[allow(unused_imports)]
use app::*;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // The release build's panics abort at once without a message
    // (scripts/build-release), so the hook would be dead weight there.
    #[cfg(not(panic = "immediate-abort"))]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    app::provide_browser_context();
}
