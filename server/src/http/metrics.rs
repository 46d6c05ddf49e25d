//! Request metrics around every route (counted by the matched route
//! pattern, never the path), and `/metrics` on the main listener, which
//! answers only the bearer of the metrics token (`crate::metrics::endpoint`).

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use super::request_id::route_of;
use crate::metrics::{HttpMetrics, Metrics};

/// The middleware: counts the request by method, route and status, and
/// how long it took to the response head.
pub async fn middleware(State(metrics): State<HttpMetrics>, req: Request, next: Next) -> Response {
    let route = route_of(&req).to_owned();
    let method = req.method().clone();
    let started = Instant::now();
    let response = next.run(req).await;
    metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// `GET /metrics` on the main listener.
pub async fn endpoint(State(metrics): State<Metrics>, headers: HeaderMap) -> Response {
    crate::metrics::endpoint::on_main_listener(&metrics, &headers)
}
