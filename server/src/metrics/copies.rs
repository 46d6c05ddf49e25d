//! Copies of project registries by state, read at scrape time from what the
//! reconciler's last pass left (no cluster call): the total per state, per
//! registry the copies in conflict or error (the ones someone must act on),
//! and how many registries have lost their source.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use regboard_app::model::registries::SyncSummary;

use crate::reconcile::Reconciler;

/// The collector over one reconciler.
#[derive(Clone)]
struct Copies(Reconciler);

impl std::fmt::Debug for Copies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Copies")
    }
}

/// Adds the copy gauges of `reconciler` to `registry`.
pub(super) fn register(registry: &mut Registry, reconciler: Reconciler) {
    registry.register_collector(Box::new(Copies(reconciler)));
}

/// `(state, count)` of a summary, in the order the UI shows them.
fn states(summary: &SyncSummary) -> [(&'static str, u32); 4] {
    [
        ("synced", summary.synced),
        ("pending", summary.pending),
        ("conflict", summary.conflict),
        ("error", summary.error),
    ]
}

impl Collector for Copies {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let summaries = self.0.copy_summaries();
        let mut total = SyncSummary::default();
        for (_, s) in &summaries {
            total.synced += s.synced;
            total.pending += s.pending;
            total.conflict += s.conflict;
            total.error += s.error;
        }
        let mut family = encoder.encode_descriptor(
            "copies",
            "Copies of project registries by state (synced, pending, conflict, error) after the last reconcile pass.",
            None,
            MetricType::Gauge,
        )?;
        for (state, count) in states(&total) {
            ConstGauge::new(i64::from(count)).encode(family.encode_family(&[("state", state)])?)?;
        }
        let mut family = encoder.encode_descriptor(
            "registry_unhealthy_copies",
            "Copies of a project registry in conflict or error after the last reconcile pass (only registries that have any).",
            None,
            MetricType::Gauge,
        )?;
        for ((project, registry), summary) in &summaries {
            for (state, count) in states(summary).into_iter().skip(2) {
                if count > 0 {
                    let labels = [
                        ("project", project.as_str()),
                        ("registry", registry.as_str()),
                        ("state", state),
                    ];
                    ConstGauge::new(i64::from(count)).encode(family.encode_family(&labels)?)?;
                }
            }
        }
        let lost = i64::try_from(self.0.lost().len()).unwrap_or(i64::MAX);
        let family = encoder.encode_descriptor(
            "registries_source_lost",
            "Project registries whose source Secret is missing while proven copies remain (nothing is deleted; restore or delete the registry).",
            None,
            MetricType::Gauge,
        )?;
        ConstGauge::new(lost).encode(family)
    }
}
