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
use axum::Extension;
use futures::stream::{self, Stream};
use regboard_app::model::cluster::{NamespaceList, NamespaceRow};
use regboard_app::services::AccessService;
use tower_sessions::Session;

use crate::access::Access;
use crate::cluster::Inventory;
use crate::state::AppState;

/// Changes within this window are sent as one event.
const COALESCE: Duration = Duration::from_millis(200);
/// How long to wait for the first list before sending anything.
const FIRST_LIST_WAIT: Duration = Duration::from_secs(10);

/// `GET /live/namespaces`: the namespaces the caller may see, now and after
/// each change. The session is judged again before every event (a
/// revocation or a sign-out applies at the next change; an ended session
/// ends the stream).
pub async fn namespaces(
    State(state): State<AppState>,
    session: Option<Extension<Session>>,
) -> Response {
    let cluster = state.cluster;
    let Some(Extension(session)) = session else {
        return (StatusCode::UNAUTHORIZED, "Sign in to continue.").into_response();
    };
    let viewer = Viewer {
        access: state.access,
        session,
    };
    Sse::new(namespace_events(cluster.inventory, viewer))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// Whose eyes the events are for.
#[derive(Clone)]
struct Viewer {
    access: Access,
    session: Session,
}

impl Viewer {
    /// The rows the session's user may see now; `None` once the session ended.
    async fn visible(&self, rows: Vec<NamespaceRow>) -> Option<Vec<NamespaceRow>> {
        let user = self.access.resolve(&self.session).await?;
        let perms = self.access.permissions(&user).await.ok()?;
        Some(
            rows.into_iter()
                .filter(|r| perms.sees_namespace(&r.name, r.project.as_deref()))
                .collect(),
        )
    }
}

fn namespace_events(
    inventory: Inventory,
    viewer: Viewer,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let changes = inventory.changes();
    stream::unfold(
        (inventory, changes, true),
        move |(inventory, mut changes, first)| {
            let viewer = viewer.clone();
            async move {
                if first {
                    inventory.ready(FIRST_LIST_WAIT).await;
                    changes.mark_unchanged();
                } else {
                    changes.changed().await.ok()?;
                    tokio::time::sleep(COALESCE).await;
                    changes.mark_unchanged();
                }
                let list = NamespaceList::taken_now(viewer.visible(inventory.rows()).await?);
                let event = Event::default()
                    .event("namespaces")
                    .json_data(&list)
                    .unwrap_or_else(|_| Event::default().comment("unserializable"));
                Some((Ok(event), (inventory, changes, false)))
            }
        },
    )
}
