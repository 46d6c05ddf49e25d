//! Prometheus metrics: what the parts of a running regboard count, and the
//! `/metrics` endpoint that hands it to a scraper.
//!
//! ```text
//! events, counted as they happen (each part owns its instruments):
//!   http::metrics layer   ─► HttpMetrics       requests by method, route pattern, status; durations
//!   Reconciler (a pass)   ─► ReconcileMetrics  pass durations; operations by outcome
//!   Access::sign_in       ─► SignInMetrics     sign-ins by outcome (throttled is one)
//!   AuditLog::append      ─► AuditMetrics      appends by result; their latency
//!   CredentialChecks      ─► CredentialMetrics credential tests by verdict
//! state, read at scrape time (no cluster call, no query):
//!   Reconciler status map ─► copies           copies by state; per registry the unhealthy ones;
//!                                              registries whose source is lost
//!   Reconciler managed    ─► expiry           registry hosts by valid-until: valid, soon, expired
//!   SqlitePool            ─► pool             connections open, idle, the maximum
//!
//! Metrics::new(parts) ─► one Registry (prefix regboard_) ─► encode on each scrape:
//!   GET /metrics on --metrics-listen ADDR     (its own listener: nothing else served there)
//!   GET /metrics on the main listener         (only with --metrics-token-file: Bearer token)
//! ```
//!
//! Names follow Prometheus conventions: base units (seconds), counters end in
//! `_total`, and every label has few values — route patterns, never paths;
//! registry and project names, never a user, a namespace or a credential.
//!
mod access;
mod audit;
mod copies;
mod credentials;
pub mod endpoint;
mod expiry;
mod http;
mod pool;
mod reconcile;

use std::sync::Arc;

use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

pub use access::{SignInMetrics, SignInOutcome};
pub use audit::AuditMetrics;
pub use credentials::CredentialMetrics;
pub use endpoint::{MetricsOptions, MetricsToken};
pub use expiry::ExpirySource;
pub use http::HttpMetrics;
pub use reconcile::ReconcileMetrics;

use crate::access::Access;
use crate::audit::AuditLog;
use crate::reconcile::Reconciler;

/// Every metric of a running regboard, ready to encode; cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    /// The HTTP request instruments the middleware records into.
    pub http: HttpMetrics,
    token: Option<MetricsToken>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// The parts whose instruments and state the metrics read.
pub struct Sources<'a> {
    /// The reconciler (pass and operation counts; copy states at scrape time).
    pub reconciler: &'a Reconciler,
    /// The access service (sign-ins).
    pub access: &'a Access,
    /// The audit log (appends).
    pub audit: &'a AuditLog,
    /// The SQLite pool (connections at scrape time).
    pub db: &'a sqlx::SqlitePool,
    /// The credential tests (verdicts).
    pub credentials: &'a CredentialMetrics,
    /// Registry hosts by expiry.
    pub expiry: ExpirySource,
}

impl Metrics {
    /// Registers the instruments of `sources`, the scrape-time collectors
    /// and a fresh [`HttpMetrics`]; `token` protects `/metrics` on the main
    /// listener (none: not served there).
    pub fn new(sources: Sources<'_>, token: Option<MetricsToken>) -> Self {
        let mut registry = Registry::with_prefix("regboard");
        let build = prometheus_client::metrics::family::Family::<
            [(&'static str, &'static str); 1],
            Gauge,
        >::default();
        build
            .get_or_create(&[("version", env!("CARGO_PKG_VERSION"))])
            .set(1);
        registry.register("build_info", "The running regboard's version", build);
        let http = HttpMetrics::default();
        http.register(&mut registry);
        sources.reconciler.metrics().register(&mut registry);
        copies::register(&mut registry, sources.reconciler.clone());
        sources.access.metrics().register(&mut registry);
        sources.audit.metrics().register(&mut registry);
        pool::register(&mut registry, sources.db.clone());
        sources.credentials.register(&mut registry);
        expiry::register(&mut registry, sources.expiry);
        Self {
            registry: Arc::new(registry),
            http,
            token,
        }
    }

    /// The registry as Prometheus text (0.0.4), or as OpenMetrics text.
    pub fn encode(&self, openmetrics: bool) -> String {
        let mut out = String::with_capacity(16 * 1024);
        let done = if openmetrics {
            prometheus_client::encoding::text::encode(&mut out, &self.registry)
        } else {
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
        };
        if done.is_err() {
            tracing::error!("could not encode the metrics");
        }
        out
    }

    /// The bearer token `/metrics` on the main listener asks for, if any.
    pub fn token(&self) -> Option<&MetricsToken> {
        self.token.as_ref()
    }
}
