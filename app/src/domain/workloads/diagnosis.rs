//! The five checks of a failed image pull, each pass / fail / unknown with
//! its evidence and one fix, in the order a person works through them:
//!
//! 1. every pull Secret the pod names exists in its namespace;
//! 2. each is of a pull-Secret type;
//! 3. the registry accepts the credential (the last credential test of the
//!    serving registry's host; unknown when there is none);
//! 4. the image names the host the credential is for;
//! 5. regboard reaches the registry's `/v2/` (nodes may differ).
//!
//! The images in question are the ones failing to pull (all of them when
//! none fails). kubelet's Events are evidence.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fix::{create_registry, Fix, FixAction};
use super::{ContainerFacts, NamespaceFacts, PodFacts};
use crate::domain::hosts::normalize_host;
use crate::domain::image_ref::ImageRef;

#[path = "diagnosis_checks.rs"]
mod checks;
#[path = "diagnosis_credential.rs"]
mod credential_check;

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// It holds.
    Pass,
    /// It does not: the fix says what to do.
    Fail,
    /// regboard cannot tell.
    Unknown,
}

impl Verdict {
    /// pass, fail, unknown.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Unknown => "unknown",
        }
    }

    /// The worst of `verdicts`: a failure, else an unknown, else a pass.
    fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        verdicts
            .into_iter()
            .fold(Verdict::Pass, |acc, v| match (acc, v) {
                (Verdict::Fail, _) | (_, Verdict::Fail) => Verdict::Fail,
                (Verdict::Unknown, _) | (_, Verdict::Unknown) => Verdict::Unknown,
                _ => Verdict::Pass,
            })
    }
}

/// One of the five checks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Check {
    /// 1 to 5.
    pub number: u8,
    /// What is checked.
    pub title: String,
    /// The outcome.
    pub verdict: Verdict,
    /// What the outcome rests on, one sentence each.
    pub evidence: Vec<String>,
    /// What to do when it does not pass.
    pub fix: Option<Fix>,
}

/// Where a Secret of the name exists in another namespace (one the caller sees).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Elsewhere {
    /// The namespace.
    pub namespace: String,
    /// Its project.
    pub project: Option<String>,
}

/// What `GET https://<host>/v2/` from regboard gave.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reach {
    /// The registry answered with `status` after `millis`.
    Answered {
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// How long it took.
        millis: u64,
    },
    /// No answer.
    Failed {
        /// The URL asked.
        url: String,
        /// Why, as the HTTP client says it.
        error: String,
    },
}

/// One Event about the pod, as kubelet reported it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventFacts {
    /// `Normal` or `Warning`.
    pub kind: String,
    /// `Failed`, `BackOff`, `FailedToRetrieveImagePullSecret`, …
    pub reason: String,
    /// kubelet's message.
    pub message: String,
    /// How often it happened.
    pub count: u32,
    /// When it last happened, seconds since the Unix epoch.
    pub last_unix: Option<i64>,
}

/// The last credential test of one host of a regboard registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastTest {
    /// What it concluded.
    pub verdict: crate::domain::credential::Verdict,
    /// How long ago, in seconds.
    pub age_seconds: i64,
}

/// Last tests by (registry, docker config key).
pub type LastTests = BTreeMap<(super::RegistryRef, String), LastTest>;

/// What a diagnosis reads.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The pod's namespace: its Secrets and ServiceAccounts.
    pub ns: &'a NamespaceFacts,
    /// The pod.
    pub pod: &'a PodFacts,
    /// For each named Secret missing here: the other namespaces holding one.
    pub elsewhere: &'a BTreeMap<String, Vec<Elsewhere>>,
    /// For each host (canonical) of the images in question: the reach check.
    pub reach: &'a BTreeMap<String, Reach>,
    /// The pod's Events.
    pub events: &'a [EventFacts],
    /// The last credential test of each serving registry host.
    pub tests: &'a LastTests,
    /// Now, seconds since the Unix epoch (for "valid until").
    pub now: i64,
}

/// The regboard registries (and their docker config keys) that serve the
/// images in question: the credential tests check 3 reads.
pub fn registries_to_check(
    ns: &NamespaceFacts,
    pod: &PodFacts,
) -> Vec<(super::RegistryRef, String)> {
    let mut out: Vec<_> = in_question(pod)
        .iter()
        .filter_map(|c| ImageRef::parse(&c.image).ok())
        .filter_map(|image| {
            let (secret, server) = super::rows::serving(&image, &pod.pull_secrets, &ns.secrets)?;
            Some((secret.registry.clone()?, server.to_owned()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The containers whose images are in question: the failing ones, or every
/// one when none fails.
pub fn in_question(pod: &PodFacts) -> Vec<&ContainerFacts> {
    let failing: Vec<&ContainerFacts> = pod
        .containers
        .iter()
        .filter(|c| c.state.is_pull_failure())
        .collect();
    if failing.is_empty() {
        pod.containers.iter().collect()
    } else {
        failing
    }
}

/// The canonical hosts of the images in question, for the reach check.
pub fn hosts_to_probe(pod: &PodFacts) -> Vec<String> {
    let mut hosts: Vec<String> = in_question(pod)
        .iter()
        .filter_map(|c| ImageRef::parse(&c.image).ok())
        .map(|r| normalize_host(r.registry()))
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// Whether the pod has a pull failure (or kubelet could not read a named Secret).
pub fn is_failing(pod: &PodFacts, events: &[EventFacts]) -> bool {
    pod.containers.iter().any(|c| c.state.is_pull_failure())
        || events
            .iter()
            .any(|e| e.reason == "FailedToRetrieveImagePullSecret")
}

/// The five checks.
pub fn diagnose(input: &Inputs) -> Vec<Check> {
    vec![
        checks::secrets_exist(input),
        checks::secret_types(input),
        credential_check::credential_accepted(input),
        checks::image_names_host(input),
        checks::registry_reachable(input),
    ]
}

/// The first parseable image in question's host, for fixes that create a
/// registry (empty when none parses).
fn first_host(pod: &PodFacts) -> String {
    hosts_to_probe(pod).into_iter().next().unwrap_or_default()
}

/// "create registry X …" for a named Secret that does not exist here.
fn create_named(input: &Inputs, name: &str, elsewhere: &[Elsewhere]) -> Fix {
    let ns = input.ns;
    let host = first_host(input.pod);
    if elsewhere.is_empty() {
        let mut fix = create_registry(&host, ns, Some(name));
        fix.sentence = format!("create a registry named {name} for host {host}");
        return fix;
    }
    let (sentence, project) = match &ns.project {
        Some(p) => (
            format!("a pod can use only Secrets of its own namespace: create registry {name} for project {p}, so that every namespace of {p} gets a copy"),
            Some(p.clone()),
        ),
        None => (
            format!("a pod can use only Secrets of its own namespace: create registry {name} in namespace {}", ns.namespace),
            None,
        ),
    };
    Fix {
        sentence,
        action: Some(FixAction::CreateRegistry {
            host,
            namespace: ns.namespace.clone(),
            project,
            name: Some(name.to_owned()),
        }),
        allowed: false,
    }
}

#[cfg(test)]
#[path = "diagnosis_tests.rs"]
mod tests;
