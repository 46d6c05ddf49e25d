//! Reconciler instruments: how long each pass took (its count is the
//! number of passes) and what its operations did.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
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
}

impl Default for ReconcileMetrics {
    fn default() -> Self {
        let operations = Family::default();
        for outcome in OUTCOMES {
            drop(operations.get_or_create(&OperationLabels { outcome }));
        }
        Self {
            passes: Histogram::new(BUCKETS),
            operations,
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
