//! Whether the page's client-side code runs yet.

use leptos::prelude::*;

/// `false` while server rendering and until the wasm has hydrated the
/// component, then `true`. Buttons that need a server function call use it
/// to stay disabled until they can work, so a click before hydration never
/// falls back to a plain form submission.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}
