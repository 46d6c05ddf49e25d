//! The kube adapter: one namespace at a time (`Api::namespaced(..).list`),
//! never a whole-cluster list, at most [`CONCURRENCY`] namespaces at once,
//! each namespace's lists side by side. ServiceAccounts come from the
//! inventory's reflector (already in memory), not from a request. Every API
//! error becomes a sentence through `cluster::errors`.

use std::future::Future;

use futures::{stream, StreamExt};
use k8s_openapi::api::core::v1::{Event, Pod, Secret};
use kube::api::{Api, ListParams};
use regboard_app::domain::workloads::diagnosis::EventFacts;
use regboard_app::domain::workloads::NamespaceFacts;
use regboard_app::model::workloads::NamespaceProblem;
use regboard_app::AppError;

use super::facts::{account_facts, event_facts, pod_facts, secret_facts};
use crate::cluster::errors::app_error;
use crate::cluster::proof::OwnershipKey;
use crate::cluster::Inventory;

/// How many namespaces are read at once.
pub const CONCURRENCY: usize = 8;

/// Which lists of a namespace a page needs (Secrets always).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    /// Workloads: pods and Secrets.
    Workloads,
    /// Coverage: pods, Secrets and ServiceAccounts (for their fixes).
    Coverage,
    /// A diagnosis: Secrets and ServiceAccounts (the pod is read alone).
    Diagnosis,
}

/// Reads namespaces for the analysis.
#[derive(Clone)]
pub(super) struct Reader {
    pub(super) client: kube::Client,
    pub(super) key: OwnershipKey,
    pub(super) inventory: Inventory,
}

/// The list of `K` in `namespace`, or the sentence for its failure.
async fn list<K>(client: &kube::Client, namespace: &str, what: &str) -> Result<Vec<K>, AppError>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    Api::<K>::namespaced(client.clone(), namespace)
        .list(&ListParams::default())
        .await
        .map(|l| l.items)
        .map_err(|e| app_error(&e, &format!("the {what} of namespace {namespace}"), &[]))
}

impl Reader {
    /// The facts of `namespace` (in `project`).
    pub(super) async fn namespace(
        &self,
        namespace: &str,
        project: Option<String>,
        need: Need,
    ) -> Result<NamespaceFacts, AppError> {
        let client = &self.client;
        let pods = async {
            match need {
                Need::Diagnosis => Ok(Vec::new()),
                _ => list::<Pod>(client, namespace, "pods").await,
            }
        };
        let secrets = list::<Secret>(client, namespace, "Secrets");
        let (pods, secrets) = futures::try_join!(pods, secrets)?;
        let accounts = match need {
            Need::Workloads => Vec::new(),
            _ => self
                .inventory
                .service_accounts()
                .iter()
                .filter(|a| a.metadata.namespace.as_deref() == Some(namespace))
                .map(|a| account_facts(a))
                .collect(),
        };
        Ok(NamespaceFacts {
            namespace: namespace.to_owned(),
            project,
            pods: pods.iter().map(pod_facts).collect(),
            // Each Secret's data is dropped here; only type and servers stay.
            secrets: secrets.iter().map(|s| secret_facts(s, &self.key)).collect(),
            accounts,
        })
    }

    /// The facts of each of `namespaces` (with their projects), read
    /// [`CONCURRENCY`] at a time, sorted by name, and the namespaces that
    /// could not be read. When every one failed, the first failure.
    pub(super) async fn namespaces(
        &self,
        namespaces: &[(String, Option<String>)],
        need: Need,
    ) -> Result<(Vec<NamespaceFacts>, Vec<NamespaceProblem>), AppError> {
        let results: Vec<(String, Result<NamespaceFacts, AppError>)> = bounded(
            namespaces
                .iter()
                .map(|(ns, project)| async move {
                    (ns.clone(), self.namespace(ns, project.clone(), need).await)
                })
                .collect(),
        )
        .await;
        let mut facts = Vec::new();
        let mut problems = Vec::new();
        let mut first_error = None;
        for (namespace, result) in results {
            match result {
                Ok(f) => facts.push(f),
                Err(e) => {
                    problems.push(NamespaceProblem {
                        namespace,
                        message: e.to_string(),
                    });
                    first_error.get_or_insert(e);
                }
            }
        }
        if facts.is_empty() {
            if let Some(e) = first_error {
                return Err(e);
            }
        }
        facts.sort_by(|a, b| a.namespace.cmp(&b.namespace));
        problems.sort_by(|a, b| a.namespace.cmp(&b.namespace));
        Ok((facts, problems))
    }

    /// Pod `name` of `namespace`.
    pub(super) async fn pod(&self, namespace: &str, name: &str) -> Result<Pod, AppError> {
        Api::<Pod>::namespaced(self.client.clone(), namespace)
            .get(name)
            .await
            .map_err(|e| app_error(&e, &format!("Pod {name} in namespace {namespace}"), &[]))
    }

    /// The Events of pod `name` (uid `uid`) in `namespace`, newest first.
    pub(super) async fn events(
        &self,
        namespace: &str,
        name: &str,
        uid: Option<&str>,
    ) -> Result<Vec<EventFacts>, AppError> {
        let selector = format!("involvedObject.kind=Pod,involvedObject.name={name}");
        let events = Api::<Event>::namespaced(self.client.clone(), namespace)
            .list(&ListParams::default().fields(&selector))
            .await
            .map_err(|e| app_error(&e, &format!("the Events of pod {name}"), &[]))?;
        let mut items: Vec<&Event> = events
            .items
            .iter()
            // A pod re-created under the same name has a new uid.
            .filter(|e| uid.is_none() || e.involved_object.uid.as_deref() == uid)
            .collect();
        items.sort_by_key(|e| std::cmp::Reverse(event_facts(e).last_unix));
        Ok(items.into_iter().map(event_facts).collect())
    }
}

/// Runs `work` [`CONCURRENCY`] at a time; the results in completion order.
/// (A `Vec`, not an iterator: a closure in the stream's type trips the
/// `Send` check of the service trait's futures.)
pub(super) async fn bounded<T, F>(work: Vec<F>) -> Vec<T>
where
    F: Future<Output = T>,
{
    stream::iter(work)
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}
