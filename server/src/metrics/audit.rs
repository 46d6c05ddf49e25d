//! Audit log instruments: appends by result, and how long each took
//! (waiting for the one writer included: that wait is what a slow disk or
//! a long write transaction shows up as).

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// Append latency buckets, in seconds: 0.5 ms to 5 s.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

/// The audit instruments; cheap to clone (clones count into the same series).
#[derive(Clone, Debug)]
pub struct AuditMetrics {
    appends: Family<ResultLabels, Counter>,
    latency: Histogram,
}

impl Default for AuditMetrics {
    fn default() -> Self {
        let appends = Family::default();
        for result in ["ok", "error"] {
            drop(appends.get_or_create(&ResultLabels { result }));
        }
        Self {
            appends,
            latency: Histogram::new(BUCKETS),
        }
    }
}

impl AuditMetrics {
    /// Adds the instruments to `registry`.
    pub(super) fn register(&self, registry: &mut Registry) {
        registry.register(
            "audit_appends",
            "Audit events appended (ok) or that could not be written (error)",
            self.appends.clone(),
        );
        registry.register_with_unit(
            "audit_append_duration",
            "Time to append one audit event, waiting for the database writer included",
            Unit::Seconds,
            self.latency.clone(),
        );
    }

    /// Counts one append that took `took` and succeeded when `ok`.
    pub fn appended(&self, ok: bool, took: Duration) {
        let result = if ok { "ok" } else { "error" };
        self.appends.get_or_create(&ResultLabels { result }).inc();
        self.latency.observe(took.as_secs_f64());
    }
}
