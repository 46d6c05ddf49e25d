//! Coverage of one namespace: every registry host its pods pull from, and
//! whether each pod using that host names a pull Secret with an entry for
//! it (a pod's own list holds what its ServiceAccount listed when the pod
//! was created). Each "not covered" row carries the one fix ([`super::fix`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fix::{host_fix, Fix};
use super::rows::serving;
use super::{NamespaceFacts, PodFacts, PullState};
use crate::domain::hosts::normalize_host;
use crate::domain::image_ref::ImageRef;

/// How one host stands in one namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CoverageStatus {
    /// Every pod using the host names a pull Secret for it.
    Covered {
        /// The Secrets that serve it.
        secrets: Vec<String>,
    },
    /// Only Docker Hub official images, which pull without a login.
    Public,
    /// No pull Secret, yet the images were pulled: the registry allows
    /// anonymous pulls or the nodes hold credentials of their own.
    PullsWithout,
    /// Some pods have no credential for the host (see `uncovered`).
    NotCovered,
}

impl CoverageStatus {
    /// A short label: covered, public, pulls without a Secret, not covered.
    pub fn label(&self) -> &'static str {
        match self {
            CoverageStatus::Covered { .. } => "covered",
            CoverageStatus::Public => "public",
            CoverageStatus::PullsWithout => "pulls without a Secret",
            CoverageStatus::NotCovered => "not covered",
        }
    }
}

/// One registry host in one namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CoverageRow {
    /// The namespace.
    pub namespace: String,
    /// The registry host (canonical).
    pub host: String,
    /// The pods that pull from it.
    pub pods: Vec<String>,
    /// The pods among them with no credential for it.
    pub uncovered: Vec<String>,
    /// How it stands.
    pub status: CoverageStatus,
    /// For "not covered": the fix.
    pub fix: Option<Fix>,
}

/// What one host's pods show while the namespace is read.
#[derive(Default)]
struct HostUse<'a> {
    /// An image of the host with no credential (for the fix), else any.
    image: Option<ImageRef>,
    pods: Vec<&'a PodFacts>,
    uncovered: Vec<&'a PodFacts>,
    secrets: Vec<String>,
    public: bool,
    pulled_without: bool,
}

impl<'a> HostUse<'a> {
    fn add(&mut self, pod: &'a PodFacts, image: ImageRef, ns: &NamespaceFacts, state: &PullState) {
        let pulled = state.pulled();
        if !self.pods.iter().any(|p| p.name == pod.name) {
            self.pods.push(pod);
        }
        match serving(&image, &pod.pull_secrets, &ns.secrets) {
            Some((secret, _)) => {
                if !self.secrets.contains(&secret.name) {
                    self.secrets.push(secret.name.clone());
                }
            }
            // An official image that failed may not exist (`app:v1`).
            None if image.is_docker_official() && !state.is_pull_failure() => self.public = true,
            None if pulled => self.pulled_without = true,
            None => {
                if !self.uncovered.iter().any(|p| p.name == pod.name) {
                    self.uncovered.push(pod);
                }
                self.image = Some(image.clone());
            }
        }
        self.image.get_or_insert(image);
    }

    fn row(self, host: String, ns: &NamespaceFacts) -> CoverageRow {
        let names = |pods: &[&PodFacts]| pods.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        let (status, fix) = if !self.uncovered.is_empty() {
            let image = self.image.as_ref().expect("an uncovered pod has an image");
            (
                CoverageStatus::NotCovered,
                Some(host_fix(ns, image, &self.uncovered)),
            )
        } else if !self.secrets.is_empty() {
            let mut secrets = self.secrets;
            secrets.sort();
            (CoverageStatus::Covered { secrets }, None)
        } else if self.public && !self.pulled_without {
            (CoverageStatus::Public, None)
        } else {
            (CoverageStatus::PullsWithout, None)
        };
        CoverageRow {
            namespace: ns.namespace.clone(),
            host,
            pods: names(&self.pods),
            uncovered: names(&self.uncovered),
            status,
            fix,
        }
    }
}

/// One row per registry host the pods of `ns` use, sorted by host.
/// Images that do not parse name no host and are left out (the Workloads
/// page shows them).
pub fn coverage(ns: &NamespaceFacts) -> Vec<CoverageRow> {
    let mut hosts: BTreeMap<String, HostUse> = BTreeMap::new();
    for pod in &ns.pods {
        for c in &pod.containers {
            let Ok(image) = ImageRef::parse(&c.image) else {
                continue;
            };
            let host = normalize_host(image.registry());
            hosts.entry(host).or_default().add(pod, image, ns, &c.state);
        }
    }
    hosts
        .into_iter()
        .map(|(host, used)| used.row(host, ns))
        .collect()
}

#[cfg(test)]
#[path = "coverage_tests.rs"]
mod tests;
