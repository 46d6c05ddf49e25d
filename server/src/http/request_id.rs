//! A fresh id for every request: set on the request (for handlers and the
//! audit log), on the response (`x-request-id`) and on the tracing span of
//! everything the request does (with its method, path and matched route),
//! then one access-log line with the status when it ends.
//!
//! An id sent by the client is replaced, never trusted: the audit log must
//! not carry ids a caller chose.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header that carries the id.
pub const HEADER: &str = "x-request-id";

/// The id of the current request, stored in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The route pattern `req` matched (few values, unlike paths), or
/// "fallback" for static files and unknown paths.
pub fn route_of(req: &Request) -> &str {
    req.extensions()
        .get::<MatchedPath>()
        .map_or("fallback", MatchedPath::as_str)
}

/// The middleware; see the module documentation.
pub async fn middleware(mut req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let header = HeaderValue::from_str(&id).expect("a uuid is a valid header value");
    req.headers_mut().insert(HEADER, header.clone());
    req.extensions_mut().insert(RequestId(id.clone()));
    // The path only: a query string may carry a token.
    let route = route_of(&req);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        route = %route
    );
    let started = Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, millis, "request failed");
        } else {
            tracing::info!(status, millis, "request");
        }
    });
    response.headers_mut().insert(HEADER, header);
    response
}
