//! Where `/metrics` is served and who may read it.
//!
//! ```text
//! --metrics-listen ADDR     ─► its own listener, only GET /metrics, no credential asked:
//!                              reachable only where ADDR and the network let it be
//!                              (the deploy/ manifests: a pod port no Ingress routes to)
//! --metrics-token-file PATH ─► GET /metrics on the main listener with
//!                              `Authorization: Bearer <file contents>`; else 401
//! neither                   ─► not served (404 on the main listener)
//! ```
//!
//! The answer is OpenMetrics text when the scraper accepts it (Prometheus
//! does), else the Prometheus text format 0.0.4.

use std::net::SocketAddr;
use std::path::Path;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

use super::Metrics;
use crate::error::{describe_io, Error, Result};

/// The OpenMetrics media type a scraper names in `Accept`.
const OPENMETRICS: &str = "application/openmetrics-text";

/// Where metrics are served; both, one or neither.
#[derive(Debug, Clone, Default)]
pub struct MetricsOptions {
    /// A listener of its own for `/metrics` (port 0 picks a free one).
    pub listen: Option<SocketAddr>,
    /// The bearer token `/metrics` on the main listener asks for.
    pub token: Option<MetricsToken>,
}

/// The bearer token of `/metrics`; never printed.
#[derive(Clone)]
pub struct MetricsToken(String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken([redacted])")
    }
}

impl MetricsToken {
    /// A token from its text; `None` when it is blank.
    pub fn new(token: &str) -> Option<Self> {
        let token = token.trim();
        (!token.is_empty()).then(|| Self(token.to_owned()))
    }

    /// The token in `path` (surrounding whitespace ignored, as a Secret
    /// written with a trailing newline has it).
    pub fn from_file(path: &Path) -> Result<Self> {
        let refused = |reason: String| {
            Error::Refused(format!(
                "cannot use the metrics token file {}: {reason}",
                path.display()
            ))
        };
        let text = std::fs::read_to_string(path).map_err(|e| refused(describe_io(&e)))?;
        Self::new(&text).ok_or_else(|| refused("it is empty".into()))
    }

    /// Whether `headers` carry this token as `Authorization: Bearer …`
    /// (compared through digests, in time that does not depend on where
    /// they differ).
    fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let a = Sha256::digest(given.trim().as_bytes());
        let b = Sha256::digest(self.0.as_bytes());
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
    }
}

/// The scrape itself, in the format `headers` ask for.
pub fn scrape(metrics: &Metrics, headers: &HeaderMap) -> Response {
    let openmetrics = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(OPENMETRICS));
    let content_type = if openmetrics {
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    } else {
        prometheus_client::encoding::prometheus_text::CONTENT_TYPE
    };
    let body = metrics.encode(openmetrics);
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// `GET /metrics` on the main listener: the scrape for the bearer of the
/// token, 401 without it, 404 when no token is configured.
pub fn on_main_listener(metrics: &Metrics, headers: &HeaderMap) -> Response {
    match metrics.token() {
        None => (
            StatusCode::NOT_FOUND,
            "Metrics are not served on this address: start regboard with --metrics-listen or --metrics-token-file.",
        )
            .into_response(),
        Some(token) if token.admits(headers) => scrape(metrics, headers),
        Some(_) => {
            let mut response = (
                StatusCode::UNAUTHORIZED,
                "Reading metrics needs the bearer token of --metrics-token-file.",
            )
                .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"regboard metrics\""),
            );
            response
        }
    }
}

/// The router of the metrics listener: `GET /metrics` and nothing else.
pub fn router(metrics: Metrics) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(m): State<Metrics>, headers: HeaderMap| async move { scrape(&m, &headers) }),
        )
        .with_state(metrics)
}

/// Serves [`router`] on `listener` until the process ends.
pub fn spawn(listener: tokio::net::TcpListener, metrics: Metrics) {
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router(metrics)).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_exact_token_is_admitted() {
        let token = MetricsToken::new("s3cret\n").unwrap();
        assert!(token.admits(&bearer("Bearer s3cret")));
        assert!(!token.admits(&bearer("Bearer s3cre")));
        assert!(!token.admits(&bearer("Basic s3cret")));
        assert!(!token.admits(&HeaderMap::new()));
    }

    #[test]
    fn a_blank_token_is_no_token() {
        assert!(MetricsToken::new(" \n").is_none());
        assert_eq!(
            format!("{:?}", MetricsToken::new("x")),
            "Some(MetricsToken([redacted]))"
        );
    }
}
