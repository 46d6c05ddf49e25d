//! Live updates for pages, as Server-Sent Events.
//!
//! The browser opens one `EventSource` per page that needs it; the server
//! sends the current state at once and again after every change its
//! reflectors see (coalesced over a short window), plus keep-alives. SSE
//! rather than polling: nothing is sent when nothing changes, the cluster is
//! watched once per process not once per browser, and `EventSource`
//! reconnects by itself after a network blip.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream};
use regboard_app::api::cluster::NamespaceList;

use crate::cluster::Inventory;
use crate::state::AppState;

/// Changes within this window are sent as one event.
const COALESCE: Duration = Duration::from_millis(200);
/// How long to wait for the first list before sending anything.
const FIRST_LIST_WAIT: Duration = Duration::from_secs(10);

/// `GET /live/namespaces`: the namespace list, now and after each change.
pub async fn namespaces(State(state): State<AppState>) -> Response {
    let Some(cluster) = state.cluster else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no cluster is connected").into_response();
    };
    Sse::new(namespace_events(cluster.inventory))
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn namespace_events(inventory: Inventory) -> impl Stream<Item = Result<Event, Infallible>> {
    let changes = inventory.changes();
    stream::unfold(
        (inventory, changes, true),
        |(inventory, mut changes, first)| async move {
            if first {
                inventory.ready(FIRST_LIST_WAIT).await;
                changes.mark_unchanged();
            } else {
                changes.changed().await.ok()?;
                tokio::time::sleep(COALESCE).await;
                changes.mark_unchanged();
            }
            let list = NamespaceList::taken_now(inventory.rows());
            let event = Event::default()
                .event("namespaces")
                .json_data(&list)
                .unwrap_or_else(|_| Event::default().comment("unserializable"));
            Some((Ok(event), (inventory, changes, false)))
        },
    )
}
