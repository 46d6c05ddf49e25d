//! Workloads: the service behind the Workloads, Coverage and diagnosis
//! pages, and the "Used by" reads of a registry.
//!
//! ```text
//! server fn (namespaces the caller sees) ─► KubeWorkloads (WorkloadService)
//!   ├─ read.rs   per namespace: pods, Secrets (type + auths keys), ServiceAccounts,
//!   │            Events of one pod — Api::namespaced, CONCURRENCY namespaces at once
//!   ├─ facts.rs  k8s objects → domain facts (credentials dropped here)
//!   ├─ domain::workloads  rows, filter, coverage + fix, the five checks (pure)
//!   ├─ probe.rs  GET https://<host>/v2/ for check 5 (3 s, cached 30 s)
//!   └─ references.rs  pods and ServiceAccounts naming a Secret, per namespace
//! ```

mod facts;
pub mod probe;
mod read;
pub mod references;

use std::collections::BTreeMap;

use regboard_app::domain::workloads::coverage::coverage;
use regboard_app::domain::workloads::diagnosis::{self, Elsewhere, Inputs, LastTest, LastTests};
use regboard_app::domain::workloads::filter::{sort_rows, PodFilter};
use regboard_app::domain::workloads::rows::pod_row;
use regboard_app::domain::workloads::{NamespaceFacts, PodFacts};
use regboard_app::model::workloads::{
    CoverageReport, Diagnosis, WorkloadList, WorkloadQuery, ROW_LIMIT,
};
use regboard_app::services::WorkloadService;
use regboard_app::AppError;

use crate::cluster::errors::answer_within;
use crate::cluster::proof::OwnershipKey;
use crate::cluster::Inventory;
use crate::credcheck::CredentialChecks;
use probe::Prober;
use read::{Need, Reader};

pub use read::CONCURRENCY;

/// The workload service over a kube-rs client.
#[derive(Clone)]
pub struct KubeWorkloads {
    reader: Reader,
    inventory: Inventory,
    prober: Prober,
    checks: Option<CredentialChecks>,
}

impl KubeWorkloads {
    /// The service on `client`; `key` recognises regboard's registries,
    /// `inventory` knows each namespace's project and every Secret's name.
    pub fn new(client: kube::Client, inventory: Inventory, key: OwnershipKey) -> Self {
        KubeWorkloads {
            reader: Reader {
                client,
                key,
                inventory: inventory.clone(),
            },
            inventory,
            prober: Prober::default(),
            checks: None,
        }
    }

    /// The service reading the last credential tests of `checks` for
    /// check 3 of a diagnosis.
    pub fn with_credential_checks(mut self, checks: CredentialChecks) -> Self {
        self.checks = Some(checks);
        self
    }

    /// The last credential test of each regboard registry host serving
    /// the images in question.
    async fn last_tests(&self, ns: &NamespaceFacts, pod: &PodFacts) -> LastTests {
        let mut out = LastTests::new();
        let Some(checks) = &self.checks else {
            return out;
        };
        let now = chrono::Utc::now().timestamp();
        for (registry, server) in diagnosis::registries_to_check(ns, pod) {
            let id = (registry.scope.clone(), registry.name.clone());
            let last = checks.last(&id).await.unwrap_or_default();
            if let Some(check) = last.into_iter().find(|c| c.host == server) {
                let test = LastTest {
                    verdict: check.verdict,
                    age_seconds: now - check.checked_unix,
                };
                out.insert((registry, server), test);
            }
        }
        out
    }

    /// `namespaces` with the project regboard recorded for each.
    fn with_projects(&self, namespaces: &[String]) -> Vec<(String, Option<String>)> {
        namespaces
            .iter()
            .map(|ns| (ns.clone(), self.inventory.project_of(ns)))
            .collect()
    }

    /// Where Secrets named like the missing ones of `facts`' pod exist,
    /// among `visible` namespaces (from the Secret-name inventory: no API call).
    fn elsewhere(
        &self,
        missing: &[&String],
        here: &str,
        visible: &[String],
    ) -> BTreeMap<String, Vec<Elsewhere>> {
        let names = self.inventory.secret_names();
        missing
            .iter()
            .map(|name| {
                let mut places: Vec<Elsewhere> = visible
                    .iter()
                    .filter(|ns| ns.as_str() != here)
                    .filter(|ns| names.contains(&(ns.to_string(), name.to_string())))
                    .map(|ns| Elsewhere {
                        namespace: ns.clone(),
                        project: self.inventory.project_of(ns),
                    })
                    .collect();
                places.sort_by(|a, b| a.namespace.cmp(&b.namespace));
                ((*name).clone(), places)
            })
            .collect()
    }

    async fn diagnosis(
        &self,
        namespace: &str,
        name: &str,
        visible: &[String],
    ) -> Result<Diagnosis, AppError> {
        let project = self.inventory.project_of(namespace);
        let pod = self.reader.pod(namespace, name);
        let ns = self
            .reader
            .namespace(namespace, project.clone(), Need::Diagnosis);
        let (pod, ns) = futures::try_join!(pod, ns)?;
        let uid = pod.metadata.uid.clone();
        let pod = facts::pod_facts(&pod);
        let events = self.reader.events(namespace, name, uid.as_deref());
        let hosts = diagnosis::hosts_to_probe(&pod);
        let probes = futures::future::join_all(hosts.iter().map(|h| self.prober.reach(h)));
        let (events, reaches) = futures::join!(events, probes);
        let events = events?;
        let reach: BTreeMap<_, _> = hosts.into_iter().zip(reaches).collect();
        let missing: Vec<&String> = pod
            .pull_secrets
            .iter()
            .filter(|n| ns.secret(n).is_none())
            .collect();
        let elsewhere = self.elsewhere(&missing, namespace, visible);
        let tests = self.last_tests(&ns, &pod).await;
        let checks = diagnosis::diagnose(&Inputs {
            ns: &ns,
            pod: &pod,
            elsewhere: &elsewhere,
            reach: &reach,
            events: &events,
            tests: &tests,
            now: chrono::Utc::now().timestamp(),
        });
        Ok(Diagnosis {
            failing: diagnosis::is_failing(&pod, &events),
            pod: pod_row(&pod, &ns),
            project,
            checks,
            events,
        })
    }
}

/// The Workloads answer for `facts`, filtered and sorted by `query`.
fn workload_list(facts: &[NamespaceFacts], query: &WorkloadQuery) -> WorkloadList {
    let all: Vec<_> = facts
        .iter()
        .flat_map(|ns| ns.pods.iter().map(move |p| pod_row(p, ns)))
        .collect();
    let mut hosts: Vec<String> = all
        .iter()
        .flat_map(|r| r.hosts())
        .map(str::to_owned)
        .collect();
    hosts.sort();
    hosts.dedup();
    let filter = PodFilter {
        host: query.host.as_deref(),
        state: query.state.as_deref().filter(|s| !s.is_empty()),
        search: query.search.as_deref(),
    };
    let total = all.len();
    let mut rows: Vec<_> = all.into_iter().filter(|r| filter.keeps(r)).collect();
    sort_rows(&mut rows, query.sort.as_deref());
    let matched = rows.len();
    rows.truncate(ROW_LIMIT);
    WorkloadList {
        namespaces: facts.iter().map(|f| f.namespace.clone()).collect(),
        rows,
        matched,
        total,
        hosts,
        problems: Vec::new(),
    }
}

#[async_trait::async_trait]
impl WorkloadService for KubeWorkloads {
    async fn list(
        &self,
        namespaces: &[String],
        query: &WorkloadQuery,
    ) -> Result<WorkloadList, AppError> {
        let wanted = self.with_projects(namespaces);
        let (facts, problems) =
            answer_within(self.reader.namespaces(&wanted, Need::Workloads)).await?;
        let mut list = workload_list(&facts, query);
        list.problems = problems;
        Ok(list)
    }

    async fn coverage(&self, namespaces: &[String]) -> Result<CoverageReport, AppError> {
        let wanted = self.with_projects(namespaces);
        let (facts, problems) =
            answer_within(self.reader.namespaces(&wanted, Need::Coverage)).await?;
        Ok(CoverageReport {
            namespaces: facts.iter().map(|f| f.namespace.clone()).collect(),
            rows: facts.iter().flat_map(coverage).collect(),
            problems,
        })
    }

    async fn diagnose(
        &self,
        namespace: &str,
        name: &str,
        visible: &[String],
    ) -> Result<Diagnosis, AppError> {
        answer_within(self.diagnosis(namespace, name, visible)).await
    }
}
