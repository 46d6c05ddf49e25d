//! Reconciler instruments: how long each pass took (its count is the
//! number of passes), what its operations did, the cluster calls it made
//! again (after a 429 or a transient failure) and its current limit on
//! calls in flight.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// Pass duration buckets, in seconds: 1 ms to 2 minutes.
const BUCKETS: [f64; 14] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0,
];

/// Every outcome an operation can have, so each series exists from the start.
pub const OUTCOMES: [&str; 6] = [
    "created", "updated", "deleted", "conflict", "failed", "retry",
];

/// Why a cluster call was made again, so each series exists from the start.
pub const RETRY_REASONS: [&str; 2] = ["throttled", "transient"];

/// The label of a retry count.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RetryLabels {
    reason: &'static str,
}

/// The label of an operation count.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OperationLabels {
    outcome: &'static str,
}

/// The reconciler's instruments; cheap to clone (clones count into the same series).
#[derive(Clone, Debug)]
pub struct ReconcileMetrics {
    passes: Histogram,
    operations: Family<OperationLabels, Counter>,
    retries: Family<RetryLabels, Counter>,
    limit: Gauge,
}

impl Default for ReconcileMetrics {
    fn default() -> Self {
        let operations = Family::default();
        for outcome in OUTCOMES {
            drop(operations.get_or_create(&OperationLabels { outcome }));
        }
        let retries = Family::default();
        for reason in RETRY_REASONS {
            drop(retries.get_or_create(&RetryLabels { reason }));
        }
        Self {
            passes: Histogram::new(BUCKETS),
            operations,
            retries,
            limit: Gauge::default(),
        }
    }
}

impl ReconcileMetrics {
    /// Adds the instruments to `registry`.
    pub(super) fn register(&self, registry: &mut Registry) {
        registry.register_with_unit(
            "reconcile_pass_duration",
            "Time each finished reconcile pass took (snapshot, plan, operations); its count is the passes",
            Unit::Seconds,
            self.passes.clone(),
        );
        registry.register(
            "reconcile_operations",
            "Copy operations the reconciler ran, by outcome (created, updated, deleted, conflict, failed, retry)",
            self.operations.clone(),
        );
        registry.register(
            "reconcile_retries",
            "Cluster calls of the reconciler and the attacher made again, by reason (throttled: a 429, after its Retry-After; transient: 5xx, transport, timeout)",
            self.retries.clone(),
        );
        registry.register(
            "reconcile_concurrency_limit",
            "Cluster writes the reconciler may have in flight now (adapted between --reconcile-concurrency-min and -max)",
            self.limit.clone(),
        );
    }

    /// Counts a cluster call made again for `reason` (one of [`RETRY_REASONS`]).
    pub fn retried(&self, reason: &'static str) {
        self.retries.get_or_create(&RetryLabels { reason }).inc();
    }

    /// Cluster calls made again so far for `reason`.
    pub fn retries(&self, reason: &'static str) -> u64 {
        self.retries.get_or_create(&RetryLabels { reason }).get()
    }

    /// Records the current limit on calls in flight.
    pub fn set_concurrency_limit(&self, limit: usize) {
        self.limit.set(i64::try_from(limit).unwrap_or(i64::MAX));
    }

    /// Counts a finished pass that took `took`.
    pub fn pass_finished(&self, took: Duration) {
        self.passes.observe(took.as_secs_f64());
    }

    /// Counts the operations of a pass by what each did.
    pub fn operations(&self, outcomes: &[crate::reconcile::Outcome]) {
        for outcome in outcomes {
            let outcome = outcome.action.label();
            self.operations
                .get_or_create(&OperationLabels { outcome })
                .inc();
        }
    }
}
