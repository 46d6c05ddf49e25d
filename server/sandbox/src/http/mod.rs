//! The HTTP front: one fallback handler that routes by path, applies faults, and
//! dispatches to discovery, CRUD handlers or the watch streamer.

mod discovery;
mod handlers;
mod negotiate;
mod printers;
mod table;
mod target;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::{header, HeaderMap, HeaderValue, Method, Uri};
use serde_json::Value;
use tokio::sync::watch;

use crate::auth::attributes::Attributes;
use crate::auth::Gate;
use crate::faults::{Faults, RequestInfo};
use crate::resource::Resource;
use crate::status::ApiStatus;
use crate::store::Store;
pub(crate) use target::Target;

pub(crate) use handlers::list_query;
pub(crate) use negotiate::TableMode;
pub(crate) use table::partial_metadata;

/// Renders one object as a single-row Table (used by watches in Table mode).
pub(crate) fn table_of(
    resource: Resource,
    object: Arc<Value>,
    meta: Value,
    mode: TableMode,
) -> Value {
    table::render(resource, &[object], meta, mode)
}

/// Shared state of every request handler.
#[derive(Clone)]
pub(crate) struct App {
    /// The cluster state.
    pub store: Arc<Store>,
    /// Fault injection.
    pub faults: Faults,
    /// The `gitVersion` served at `/version`.
    pub version: Arc<str>,
    /// Interval between watch BOOKMARK events, in milliseconds.
    pub bookmark_ms: Arc<AtomicU64>,
    /// Flips to `true` when the sandbox shuts down; watches and hangs end.
    pub shutdown: watch::Receiver<bool>,
    /// Authentication, authorization and the recorder of decisions.
    pub gate: Arc<Gate>,
}

impl App {
    /// The current watch bookmark interval.
    pub fn bookmark_interval(&self) -> Duration {
        Duration::from_millis(self.bookmark_ms.load(Ordering::Relaxed).max(10))
    }
}

/// Resolves once the sandbox is shutting down (or its controller is gone).
pub(crate) async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Builds the router serving the whole emulated API.
pub(crate) fn router(app: App) -> Router {
    Router::new().fallback(dispatch).with_state(app)
}

/// A JSON response body with `Content-Type: application/json`.
pub(crate) fn json_body(value: &Value) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Query parameters as a map (last value wins).
pub(crate) type Query = HashMap<String, String>;

fn parse_query(uri: &Uri) -> Query {
    uri.query()
        .map(|q| {
            q.split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (percent_decode(k), percent_decode(v))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Decodes `%XX` escapes and `+` in a query component.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn dispatch(
    State(app): State<App>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = Target::parse(uri.path());
    let info = RequestInfo {
        method: method.as_str().to_string(),
        resource: target.resource().map(|r| r.plural().to_string()),
        path: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_string(), |pq| pq.as_str().to_string()),
    };
    let verdict = app.faults.consult(&info);
    // Held until the answer is built: through the latency and the handler.
    let seat = app.faults.admit(&info, &headers);
    if !verdict.delay.is_zero() {
        let mut shutdown = app.shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(verdict.delay) => {}
            _ = stopped(&mut shutdown) => {
                return ApiStatus::from_code(503, "the sandbox is shutting down").into_response();
            }
        }
    }
    let _seat = match seat {
        Ok(seat) => seat,
        Err(refused) => return refused.into_response(),
    };
    if let Some(failure) = verdict.fail {
        return failure.into_response();
    }
    let query = parse_query(&uri);
    let attributes = Attributes::of(&method, uri.path(), &query);
    let identity = match app.gate.check(&app.store, &headers, &attributes) {
        Ok(identity) => identity,
        Err(refused) => return refused.into_response(),
    };
    route(&app, method, target, &query, &headers, &body, &identity).await
}

/// Answers an authorized request from the document or handler its target names.
async fn route(
    app: &App,
    method: Method,
    target: Target,
    query: &Query,
    headers: &HeaderMap,
    body: &[u8],
    identity: &crate::auth::Identity,
) -> Response {
    match target {
        _ if target.is_document() && method != Method::GET => {
            ApiStatus::method_not_allowed().into_response()
        }
        Target::Version => json_body(&discovery::version(&app.version)),
        Target::Api => json_body(&discovery::api_versions(headers)),
        Target::Apis => json_body(&discovery::group_list()),
        Target::Group { group } => discovery::group(&group).map_or_else(
            || ApiStatus::path_not_found().into_response(),
            |doc| json_body(&doc),
        ),
        Target::GroupVersion { group, version } => discovery::resource_list(&group, &version)
            .map_or_else(
                || ApiStatus::path_not_found().into_response(),
                |doc| json_body(&doc),
            ),
        Target::OpenApiV2 => crate::openapi::serve_v2(headers),
        Target::OpenApiV3 => json_body(&crate::openapi::v3_root()),
        Target::OpenApiV3Doc { group, version } => crate::openapi::serve_v3(&group, &version),
        Target::SelfSubjectAccessReview if method == Method::POST => {
            crate::auth::review::serve(app, identity, body)
        }
        Target::Collection { .. } | Target::Object { .. } => {
            handlers::serve(app, method, target, query, headers, body).await
        }
        Target::SelfSubjectAccessReview => ApiStatus::method_not_allowed().into_response(),
        _ => ApiStatus::path_not_found().into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        assert_eq!(percent_decode("a%3Db%2Cc+d"), "a=b,c d");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
