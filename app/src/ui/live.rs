//! Following the server's Server-Sent Events from a component.
//!
//! On the server (and before hydration) the signals stay at their initial
//! values, so the server-rendered page and the hydrated page agree; once the
//! wasm runs, an `EventSource` feeds each named event's JSON into the value.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

/// Where a live stream stands, for a small indicator on the page.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    /// Not (yet) connected: server rendering, or before the first open.
    Idle,
    /// Receiving updates.
    Live,
    /// The connection dropped; the browser is reconnecting.
    Reconnecting,
}

/// Subscribes to `event` events of the SSE stream at `url` for as long as
/// the calling component lives.
pub fn use_event_stream<T>(
    url: &'static str,
    event: &'static str,
) -> (ReadSignal<Option<T>>, ReadSignal<LiveState>)
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    let (value, set_value) = signal(None::<T>);
    let (state, set_state) = signal(LiveState::Idle);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| client::open(url, event, set_value, set_state));
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, event, set_value, set_state);
    (value, state)
}

#[cfg(feature = "hydrate")]
mod client {
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use serde::de::DeserializeOwned;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use super::LiveState;

    pub(super) fn open<T>(
        url: &str,
        event: &str,
        set_value: WriteSignal<Option<T>>,
        set_state: WriteSignal<LiveState>,
    ) where
        T: DeserializeOwned + Send + Sync + 'static,
    {
        let Ok(source) = EventSource::new(url) else {
            set_state.set(LiveState::Reconnecting);
            return;
        };
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |msg: MessageEvent| {
            let parsed = msg
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<T>(&text).ok());
            if let Some(value) = parsed {
                set_value.set(Some(value));
                set_state.set(LiveState::Live);
            }
        });
        let on_open = Closure::<dyn Fn()>::new(move || set_state.set(LiveState::Live));
        let on_error = Closure::<dyn Fn()>::new(move || set_state.set(LiveState::Reconnecting));
        let _ = source.add_event_listener_with_callback(event, on_message.as_ref().unchecked_ref());
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The closures live exactly as long as the source.
        let held = SendWrapper::new((source, on_message, on_open, on_error));
        on_cleanup(move || held.take().0.close());
    }
}
