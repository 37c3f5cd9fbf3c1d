//! The browser entry point. cargo-leptos builds this crate to WASM; the server's
//! hydration script calls `hydrate()`, which attaches the app to the HTML the
//! server already rendered. Nothing else belongs here.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
