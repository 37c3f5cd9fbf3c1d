//! Shows a view whose code is a lazily loaded wasm chunk (a `#[lazy]`
//! function) once the chunk has arrived, and nothing before. For the parts
//! of a page that appear only after a click (a tab, a form): their code is
//! then not part of the page's first load.

use leptos::prelude::*;
use std::future::Future;

/// `view` is the `#[lazy]` function's call. In the browser its future is
/// not `Send` (the split loader is the page's); the browser has one thread.
#[cfg(feature = "hydrate")]
pub fn when_loaded<V>(view: impl Future<Output = V> + 'static) -> impl IntoView
where
    V: IntoView + 'static,
{
    Suspend::new(send_wrapper::SendWrapper::new(view))
}

/// On the server a `#[lazy]` function is a plain `async fn`.
#[cfg(not(feature = "hydrate"))]
pub fn when_loaded<V>(view: impl Future<Output = V> + Send + 'static) -> impl IntoView
where
    V: IntoView + 'static,
{
    Suspend::new(view)
}
