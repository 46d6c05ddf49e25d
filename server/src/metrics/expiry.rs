//! Credentials by expiry, read at scrape time from the reconciler's store
//! of managed Secrets (no cluster call): how many hosts of regboard's
//! registries (namespace registries and project sources whose proof holds)
//! are valid, expire soon (within the largest `--credential-expiry-warnings`
//! threshold) or have expired, by their "valid until" annotation. Counts
//! only: never a registry, host or credential label.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::cluster::proof::{Claim, OwnershipKey};
use crate::credcheck::CredentialChecks;
use crate::reconcile::Reconciler;
use crate::registries::objects::valid_until;

/// What the expiry gauges read.
#[derive(Clone)]
pub struct ExpirySource {
    /// The managed Secrets, as the watch last showed them.
    pub reconciler: Reconciler,
    /// Tells regboard's registries from look-alikes.
    pub key: OwnershipKey,
    /// The warning thresholds.
    pub checks: CredentialChecks,
}

impl std::fmt::Debug for ExpirySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExpirySource")
    }
}

/// Adds the expiry gauges to `registry`.
pub(super) fn register(registry: &mut Registry, source: ExpirySource) {
    registry.register_collector(Box::new(source));
}

impl ExpirySource {
    /// `[valid, soon, expired]` host counts now.
    fn counts(&self) -> [i64; 3] {
        let mut counts = [0; 3];
        for secret in self.reconciler.managed() {
            let registry = matches!(
                self.key.verify(&secret),
                Some(Claim::Source { .. } | Claim::Namespace { .. })
            );
            if !registry {
                continue;
            }
            for until in valid_until(&secret).into_values() {
                let i = match self.checks.expiry(until).level() {
                    "valid" => 0,
                    "soon" => 1,
                    _ => 2,
                };
                counts[i] += 1;
            }
        }
        counts
    }
}

impl Collector for ExpirySource {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counts = self.counts();
        let mut family = encoder.encode_descriptor(
            "credential_expiry_hosts",
            "Registry hosts with a valid-until date, by how it stands: valid, soon (within the largest --credential-expiry-warnings threshold) or expired.",
            None,
            MetricType::Gauge,
        )?;
        for (state, count) in ["valid", "soon", "expired"].into_iter().zip(counts) {
            ConstGauge::new(count).encode(family.encode_family(&[("state", state)])?)?;
        }
        Ok(())
    }
}
