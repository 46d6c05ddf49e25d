//! Watch streams: newline-delimited `{"type":..,"object":..}` JSON over a chunked body.
//!
//! ```text
//! GET ..?watch=true&resourceVersion=R
//!   └─ Store::watch (read lock): replay = current objects as ADDED (R empty/"0")
//!      │                          or retained history after R (else ERROR 410 Expired)
//!      └─ subscribe to the broadcast before releasing the lock (no gap, no duplicate)
//! task: replay ─▶ [initial-events-end BOOKMARK] ─▶ loop {
//!         live change  ─▶ filter (namespace, selectors: ADDED/MODIFIED/DELETED transitions)
//!         lagged       ─▶ ERROR 410 Expired, end (the client re-lists)
//!         bookmark tick─▶ BOOKMARK {metadata.resourceVersion}
//!         timeoutSeconds / client gone / shutdown ─▶ end }
//! ```

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::Response;
use http::{header, HeaderValue};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::{broadcast::error::RecvError, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use crate::http::{App, Query, TableMode};
use crate::object;
use crate::resource::Resource;
use crate::status::ApiStatus;
use crate::store::{Change, ChangeType, ListQuery, WatchStart};

/// The default watch duration when `timeoutSeconds` is absent (kube-apiserver: 30–60 min).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

type Tx = mpsc::Sender<Result<Bytes, Infallible>>;

/// What a watcher asked to see.
struct Filter {
    resource: Resource,
    namespace: Option<String>,
    query: ListQuery,
    mode: TableMode,
}

impl Filter {
    fn matches(&self, object: &Value) -> bool {
        self.namespace
            .as_deref()
            .is_none_or(|ns| object::namespace(object) == ns)
            && self.query.matches(self.resource, object)
    }

    /// The event this watcher sees for `change`, if any.
    fn event(&self, change: &Change) -> Option<Bytes> {
        if change.resource != self.resource {
            return None;
        }
        let now = self.matches(&change.object);
        let before = change.previous.as_deref().is_some_and(|p| self.matches(p));
        let kind = match (change.kind, before, now) {
            (ChangeType::Added, _, true) => "ADDED",
            (ChangeType::Modified, true, true) => "MODIFIED",
            (ChangeType::Modified, false, true) => "ADDED",
            (ChangeType::Modified, true, false) => "DELETED",
            (ChangeType::Deleted, _, true) => "DELETED",
            _ => return None,
        };
        Some(match self.mode {
            TableMode::Plain => line(kind, &change.object),
            TableMode::Metadata => line(kind, &crate::http::partial_metadata(&change.object)),
            TableMode::Table { .. } => {
                let meta = json!({"resourceVersion": change.rv.to_string()});
                let table =
                    crate::http::table_of(self.resource, change.object.clone(), meta, self.mode);
                line(kind, &table)
            }
        })
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let (kind, api_version) = match self.mode {
            TableMode::Metadata => ("PartialObjectMetadata", "meta.k8s.io/v1".to_string()),
            _ => (self.resource.kind(), self.resource.api_version()),
        };
        line(
            "BOOKMARK",
            &json!({"kind": kind, "apiVersion": api_version, "metadata": meta}),
        )
    }
}

/// One watch event as sent on the wire; borrows the object, so an event is
/// serialized straight from the store's copy without cloning it first.
#[derive(Serialize)]
struct WireEvent<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    object: &'a Value,
}

fn line(kind: &str, object: &Value) -> Bytes {
    let mut bytes = serde_json::to_vec(&WireEvent { kind, object }).unwrap_or_default();
    bytes.push(b'\n');
    Bytes::from(bytes)
}

fn error_line(status: &ApiStatus) -> Bytes {
    line("ERROR", &status.to_json())
}

fn flag(query: &Query, key: &str) -> bool {
    matches!(query.get(key).map(String::as_str), Some("true" | "1"))
}

/// Answers a `?watch=true` request with a streaming body.
pub(crate) fn serve(
    app: &App,
    resource: Resource,
    namespace: Option<&str>,
    query: &Query,
    mode: TableMode,
) -> Result<Response, ApiStatus> {
    let mut list_query = crate::http::list_query(resource, query)?;
    list_query.limit = None;
    list_query.continue_token = None;
    let send_initial = flag(query, "sendInitialEvents");
    let from = match query
        .get("resourceVersion")
        .map(String::as_str)
        .unwrap_or("")
    {
        _ if send_initial => None,
        "" | "0" => None,
        raw => Some(raw.parse::<u64>().map_err(|_| {
            ApiStatus::bad_request(format!(
                "resourceVersion: Invalid value: {raw:?}: must be a non-negative integer"
            ))
        })?),
    };
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|t| *t > 0)
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let bookmarks = flag(query, "allowWatchBookmarks")
        && matches!(mode, TableMode::Plain | TableMode::Metadata);
    let filter = Filter {
        resource,
        namespace: namespace.map(str::to_string),
        query: list_query,
        mode,
    };
    let (tx, rx) = mpsc::channel(64);
    match app.store.watch(resource, namespace, from) {
        // The apiserver answers 200 and reports an expired resourceVersion in-stream.
        Err(status) => {
            let _ = tx.try_send(Ok(error_line(&status)));
        }
        Ok(start) => {
            let stream = Stream {
                filter,
                tx,
                bookmarks,
                send_initial,
                interval: app.bookmark_interval(),
            };
            tokio::spawn(stream.run(start, timeout, app.shutdown.clone()));
        }
    }
    let mut response = Response::new(Body::from_stream(ReceiverStream::new(rx)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    Ok(response)
}

struct Stream {
    filter: Filter,
    tx: Tx,
    bookmarks: bool,
    send_initial: bool,
    interval: Duration,
}

impl Stream {
    async fn send(&self, bytes: Bytes) -> bool {
        self.tx.send(Ok(bytes)).await.is_ok()
    }

    async fn run(
        self,
        start: WatchStart,
        timeout: Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let WatchStart {
            initial,
            mut live,
            rv,
        } = start;
        for change in &initial {
            if let Some(bytes) = self.filter.event(change) {
                if !self.send(bytes).await {
                    return;
                }
            }
        }
        let mut last_rv = rv;
        if self.send_initial
            && self.bookmarks
            && !self.send(self.filter.bookmark(last_rv, true)).await
        {
            return;
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ticker =
            tokio::time::interval_at(tokio::time::Instant::now() + self.interval, self.interval);
        loop {
            let next = tokio::select! {
                _ = crate::http::stopped(&mut shutdown) => return,
                _ = &mut deadline => return,
                _ = self.tx.closed() => return,
                _ = ticker.tick(), if self.bookmarks => Some(self.filter.bookmark(last_rv, false)),
                received = live.recv() => match received {
                    Ok(change) if change.rv <= last_rv => None,
                    Ok(change) => {
                        last_rv = change.rv;
                        self.filter.event(&change)
                    }
                    Err(RecvError::Lagged(missed)) => {
                        let why = format!("too old resource version: {last_rv} (watcher fell {missed} events behind)");
                        let _ = self.send(error_line(&ApiStatus::expired(why))).await;
                        return;
                    }
                    Err(RecvError::Closed) => return,
                },
            };
            if let Some(bytes) = next {
                if !self.send(bytes).await {
                    return;
                }
            }
        }
    }
}
