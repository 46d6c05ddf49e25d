//! Credential tests: the wire types of their results. A result carries the
//! host, the verdict and when it was reached, never the credential.

use serde::{Deserialize, Serialize};

pub use crate::domain::credential::{Unreachable, Verdict};

/// The last credential test of one host of a registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CredentialCheck {
    /// The host (the docker config key) tested.
    pub host: String,
    /// What the test concluded.
    pub verdict: Verdict,
    /// When, seconds since the Unix epoch.
    pub checked_unix: i64,
}

impl CredentialCheck {
    /// The verdict as one sentence naming the host.
    pub fn sentence(&self) -> String {
        self.verdict.sentence(&self.host)
    }
}
