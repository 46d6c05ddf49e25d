//! Credential-test instruments: every test of a host's credential by its
//! verdict (accepted, rejected, unreachable, unexpected), whether it ran at
//! save time, on demand or periodically. The host, the registry and the
//! credential are never labels.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use regboard_app::domain::credential::Verdict;

/// Every verdict label, so each series exists from the start.
const VERDICTS: [&str; 4] = ["accepted", "rejected", "unreachable", "unexpected"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct VerdictLabels {
    verdict: &'static str,
}

/// The credential-test counts; cheap to clone (clones count into the same series).
#[derive(Clone, Debug)]
pub struct CredentialMetrics {
    tests: Family<VerdictLabels, Counter>,
}

impl Default for CredentialMetrics {
    fn default() -> Self {
        let tests = Family::default();
        for verdict in VERDICTS {
            drop(tests.get_or_create(&VerdictLabels { verdict }));
        }
        Self { tests }
    }
}

impl CredentialMetrics {
    /// Adds the instruments to `registry`.
    pub(super) fn register(&self, registry: &mut Registry) {
        registry.register(
            "credential_tests",
            "Credential tests against a registry's /v2/ by verdict (accepted, rejected, unreachable, unexpected)",
            self.tests.clone(),
        );
    }

    /// Counts one test that ended with `verdict`.
    pub fn count(&self, verdict: &Verdict) {
        let verdict = verdict.label();
        self.tests.get_or_create(&VerdictLabels { verdict }).inc();
    }
}
