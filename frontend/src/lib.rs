//! The browser entry point. cargo-leptos builds this crate to WASM; the server's
//! hydration script calls `hydrate()`, which attaches the app to the HTML the
//! server already rendered. Nothing else belongs here. `hydrate_lazy` because
//! some routes are lazily loaded wasm chunks, fetched before their part of the
//! page hydrates.

// The whole app's view type is one deep generic type; laying out the future
// that hydrates it goes deeper than the compiler's default limit.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // The release build's panics abort at once without a message
    // (scripts/build-release), so the hook would be dead weight there.
    #[cfg(not(panic = "immediate-abort"))]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
