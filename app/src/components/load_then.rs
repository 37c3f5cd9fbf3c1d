//! The route of a page whose island needs data first. The data is loaded on
//! the server while the page renders (such routes render in order, so the
//! HTML holds the finished page, also without JavaScript) and handed to the
//! island as a prop: the island's wasm then holds no loading machinery
//! (resource, suspense) and decodes the data once, from its props.

use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use std::future::Future;

/// Renders `island(data)` once `load` has given the data. No fallback: a
/// route rendered in order sends nothing of the page before it is loaded.
pub fn load_then<T, V>(
    load: impl Future<Output = T> + Send + 'static,
    island: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let data = OnceResource::new(load);
    view! {
        <Suspense>
            {move || {
                let island = island.clone();
                Suspend::new(async move { island(data.await) })
            }}
        </Suspense>
    }
}
