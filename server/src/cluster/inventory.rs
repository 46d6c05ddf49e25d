//! What the dashboard shows of the cluster, kept in memory by kube-runtime
//! reflectors: one watch on Namespaces, one on Secret *metadata* (never
//! Secret data) and one on ServiceAccounts (their `imagePullSecrets`, for
//! attaching registries) for the whole process, however many browsers look.
//!
//! ```text
//! watcher(Namespace) ──► reflector store ──┐
//! watcher(Secret metadata) ─► reflector store ├─► changes: watch<u64> ─► SSE to browsers
//! watcher(ServiceAccount) ──► reflector store ┘─► rows(), service_accounts()
//! ```
//!
//! The watchers retry with kube-runtime's default backoff, so a cluster that
//! goes away and comes back is picked up again without a restart. Each
//! object is trimmed before it is stored ([`trim`]): its managedFields and
//! kubectl's last-applied annotation, often most of its size, are never
//! read here.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::ResourceExt;
use regboard_app::model::cluster::NamespaceRow;
use tokio::sync::watch;

use super::PROJECT_LABEL;
use crate::membership::Membership;

/// The annotation `kubectl apply` keeps a copy of the whole object in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Drops what the stores never read and what can be most of an object's
/// size: managedFields and kubectl's last-applied copy.
fn trim<K: ResourceExt>(object: &mut K) {
    object.managed_fields_mut().clear();
    object.annotations_mut().remove(LAST_APPLIED);
}

/// In-memory view of namespaces and Secret counts, with a change signal.
#[derive(Clone)]
pub struct Inventory {
    membership: Membership,
    namespaces: Store<Namespace>,
    secrets: Store<PartialObjectMeta<Secret>>,
    accounts: Store<ServiceAccount>,
    changes: watch::Receiver<u64>,
}

impl Inventory {
    /// Starts the reflectors on `client`; project membership is what
    /// `membership` recorded, never a label alone.
    pub fn start(client: kube::Client, membership: Membership) -> Self {
        let (changes_tx, changes) = watch::channel(0u64);
        let changes_tx = Arc::new(changes_tx);

        let (namespaces, writer) = reflector::store();
        let stream = reflector::reflector(
            writer,
            watcher(
                Api::<Namespace>::all(client.clone()),
                watcher::Config::default(),
            )
            .modify(trim),
        );
        tokio::spawn(drive("namespaces", stream, changes_tx.clone()));

        let (secrets, writer) = reflector::store();
        let stream = reflector::reflector(
            writer,
            watcher(
                Api::<PartialObjectMeta<Secret>>::all(client.clone()),
                watcher::Config::default(),
            )
            .modify(trim),
        );
        tokio::spawn(drive("secrets", stream, changes_tx.clone()));

        let (accounts, writer) = reflector::store();
        let stream = reflector::reflector(
            writer,
            watcher(
                Api::<ServiceAccount>::all(client),
                watcher::Config::default(),
            )
            .modify(trim),
        );
        tokio::spawn(drive("serviceaccounts", stream, changes_tx));

        Self {
            membership,
            namespaces,
            secrets,
            accounts,
            changes,
        }
    }

    /// Waits up to `limit` for the initial lists; false if they did not arrive.
    pub async fn ready(&self, limit: Duration) -> bool {
        let both = async {
            self.namespaces.wait_until_ready().await.is_ok()
                && self.secrets.wait_until_ready().await.is_ok()
                && self.accounts.wait_until_ready().await.is_ok()
        };
        tokio::time::timeout(limit, both).await.unwrap_or(false)
    }

    /// A receiver that changes whenever a namespace or Secret changes.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changes.clone()
    }

    /// Every namespace as last seen.
    pub fn namespaces(&self) -> Vec<Arc<Namespace>> {
        self.namespaces.state()
    }

    /// Every ServiceAccount as last seen.
    pub fn service_accounts(&self) -> Vec<Arc<ServiceAccount>> {
        self.accounts.state()
    }

    /// `(namespace, name)` of every Secret, of any type.
    pub fn secret_names(&self) -> std::collections::HashSet<(String, String)> {
        self.secrets
            .state()
            .iter()
            .filter_map(|s| Some((s.metadata.namespace.clone()?, s.metadata.name.clone()?)))
            .collect()
    }

    /// The project regboard recorded `namespace` in, if any.
    pub fn project_of(&self, namespace: &str) -> Option<String> {
        self.membership.project_of(namespace)
    }

    /// The recorded memberships and removals.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// The project `ns`'s label asks to join when regboard has not recorded
    /// it there (and no admin rejected that request).
    pub fn requested_project(&self, ns: &Namespace) -> Option<String> {
        let name = ns.metadata.name.as_deref()?;
        let label = ns.metadata.labels.as_ref()?.get(PROJECT_LABEL)?;
        let recorded = self.membership.project_of(name);
        (recorded.as_ref() != Some(label) && !self.membership.is_rejected(name, label))
            .then(|| label.clone())
    }

    /// Every namespace, sorted by name, with its project and Secret count.
    pub fn rows(&self) -> Vec<NamespaceRow> {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for secret in self.secrets.state() {
            if let Some(ns) = &secret.metadata.namespace {
                *counts.entry(ns.clone()).or_default() += 1;
            }
        }
        let mut rows: Vec<NamespaceRow> = self
            .namespaces
            .state()
            .iter()
            .filter_map(|ns| {
                let name = ns.metadata.name.clone()?;
                Some(NamespaceRow {
                    project: self.membership.project_of(&name),
                    requested_project: self.requested_project(ns),
                    secrets: counts.get(&name).copied().unwrap_or(0),
                    created_unix: ns
                        .metadata
                        .creation_timestamp
                        .as_ref()
                        .map(|t| t.0.as_second()),
                    phase: ns.status.as_ref().and_then(|s| s.phase.clone()),
                    name,
                })
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        rows
    }
}

async fn drive<S, T>(what: &'static str, stream: S, changes: Arc<watch::Sender<u64>>)
where
    S: futures::Stream<Item = Result<watcher::Event<T>, watcher::Error>> + Send + 'static,
{
    let mut stream = std::pin::pin!(stream.default_backoff());
    while let Some(event) = stream.next().await {
        match event {
            Ok(watcher::Event::InitApply(_) | watcher::Event::Init) => {}
            Ok(_) => changes.send_modify(|n| *n += 1),
            Err(e) => tracing::warn!(resource = what, error = %e, "watch failed; retrying"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;

    #[test]
    fn trimming_keeps_what_is_read_and_drops_the_bulk() {
        let mut ns = Namespace::default();
        ns.metadata.name = Some("payments-dev".into());
        ns.labels_mut()
            .insert(PROJECT_LABEL.into(), "payments".into());
        ns.annotations_mut()
            .insert(LAST_APPLIED.into(), "{…}".repeat(1000));
        ns.annotations_mut()
            .insert("team".into(), "payments".into());
        ns.metadata.managed_fields = Some(vec![ManagedFieldsEntry::default(); 3]);
        trim(&mut ns);
        assert_eq!(ns.labels()[PROJECT_LABEL], "payments");
        assert_eq!(ns.annotations().len(), 1);
        assert_eq!(ns.annotations()["team"], "payments");
        assert!(ns.managed_fields().is_empty());
    }
}
