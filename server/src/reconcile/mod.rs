//! The reconciler: fans project registries out into the namespaces of their
//! project and keeps per-namespace status (DESIGN rule 3).
//!
//! ```text
//! reflector(managed Secrets, full) ─┐
//! Inventory (namespaces, Secret names) ─┼─► trigger ─► debounce ─► pass
//! resync interval, resync(), create() ─┘                         │
//!   pass = snapshot ─► plan (pure) ─► apply (bounded, retried) ─► status map
//! ```
//!
//! Everything is derived from the cluster at each pass, so a crash mid-way
//! loses nothing: the next pass (after a restart, the first one) sees what
//! exists and creates only what is missing. Copy names are fixed, so a copy
//! can never be created twice.

mod apply;
mod audit;
mod plan;
#[cfg(test)]
mod plan_tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{watcher, WatchStreamExt};
use regboard_app::api::registries::SyncState;
use tokio::sync::{watch, Notify};

pub use apply::Outcome;
pub use plan::{plan, Op, Plan, RegistryKey, Snapshot};

use crate::audit::AuditLog;
use crate::cluster::Inventory;
use crate::registries::labels::managed_selector;

/// Tuning of the reconciler.
#[derive(Debug, Clone)]
pub struct ReconcileOptions {
    /// The namespace holding project registries' sources.
    pub system_namespace: String,
    /// Operations in flight at once.
    pub concurrency: usize,
    /// A full pass at least this often, whatever the watches say.
    pub resync_interval: Duration,
    /// How long one API call may take before it counts as failed (and is retried).
    pub call_timeout: Duration,
}

type StatusMap = HashMap<RegistryKey, BTreeMap<String, SyncState>>;

/// A running reconciler; cheap to clone.
#[derive(Clone)]
pub struct Reconciler {
    managed: Store<Secret>,
    status: Arc<RwLock<StatusMap>>,
    wake: Arc<Notify>,
    passes: watch::Receiver<u64>,
    audit: Option<AuditLog>,
}

impl Reconciler {
    /// Starts the reflector on managed Secrets and the reconcile loop; each
    /// pass that changes something is recorded in `audit` when given.
    pub fn start(
        client: kube::Client,
        inventory: Inventory,
        options: ReconcileOptions,
        audit: Option<AuditLog>,
    ) -> Self {
        let (managed, writer) = reflector::store();
        let (changed_tx, changed) = watch::channel(0u64);
        let selector = watcher::Config::default().labels(&managed_selector());
        let stream = reflector::reflector(
            writer,
            watcher(Api::<Secret>::all(client.clone()), selector),
        );
        tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream.default_backoff().touched_objects());
            while let Some(event) = stream.next().await {
                match event {
                    Ok(_) => changed_tx.send_modify(|n| *n += 1),
                    Err(e) => {
                        tracing::warn!(error = %e, "watch on managed Secrets failed; retrying")
                    }
                }
            }
        });
        let (passes_tx, passes) = watch::channel(0u64);
        let this = Self {
            managed,
            status: Arc::default(),
            wake: Arc::new(Notify::new()),
            passes,
            audit,
        };
        tokio::spawn(
            this.clone()
                .run(client, inventory, options, changed, passes_tx),
        );
        this
    }

    /// Status per namespace of project registry (project, name), if known.
    pub fn status_of(&self, project: &str, name: &str) -> Option<BTreeMap<String, SyncState>> {
        let status = self.status.read().expect("status lock");
        status.get(&(project.to_owned(), name.to_owned())).cloned()
    }

    /// Asks for a pass as soon as possible.
    pub fn trigger(&self) {
        self.wake.notify_one();
    }

    /// Waits until a pass that started after this call has finished.
    /// (The pass counter is odd while a pass runs, even between passes.)
    pub async fn next_pass(&self) {
        let mut passes = self.passes.clone();
        let seen = *passes.borrow_and_update();
        let done = if seen % 2 == 1 { seen + 3 } else { seen + 2 };
        self.trigger();
        let _ = passes.wait_for(|n| *n >= done).await;
    }

    async fn run(
        self,
        client: kube::Client,
        inventory: Inventory,
        options: ReconcileOptions,
        mut managed_changed: watch::Receiver<u64>,
        passes: watch::Sender<u64>,
    ) {
        let _ = self.managed.wait_until_ready().await;
        while !inventory.ready(Duration::from_secs(30)).await {
            tracing::warn!("reconciler waiting for the namespace and Secret lists");
        }
        let mut inventory_changed = inventory.changes();
        let mut conflict_types: HashMap<(String, String), String> = HashMap::new();
        loop {
            passes.send_modify(|n| *n += 1);
            self.pass(&client, &inventory, &options, &mut conflict_types)
                .await;
            passes.send_modify(|n| *n += 1);
            tokio::select! {
                () = self.wake.notified() => {},
                r = managed_changed.changed() => if r.is_err() { return },
                r = inventory_changed.changed() => if r.is_err() { return },
                () = tokio::time::sleep(options.resync_interval) => {},
            }
            // Let a burst of events settle into one pass.
            tokio::time::sleep(Duration::from_millis(10)).await;
            managed_changed.mark_unchanged();
            inventory_changed.mark_unchanged();
        }
    }

    async fn pass(
        &self,
        client: &kube::Client,
        inventory: &Inventory,
        options: &ReconcileOptions,
        conflict_types: &mut HashMap<(String, String), String>,
    ) {
        let snapshot = Snapshot {
            system_namespace: options.system_namespace.clone(),
            namespaces: inventory.namespaces(),
            managed: self.managed.state(),
            secret_names: inventory.secret_names(),
        };
        let mut plan = plan(&snapshot, conflict_types);
        for (key, ns) in std::mem::take(&mut plan.unknown_conflicts) {
            if let Some(t) = apply::secret_type(client, &ns, &key.1, options.call_timeout).await {
                conflict_types.insert((ns.clone(), key.1.clone()), t.clone());
                if let Some(per_ns) = plan.status.get_mut(&key) {
                    per_ns.insert(ns, SyncState::Conflict { secret_type: t });
                }
            }
        }
        conflict_types.retain(|k, _| snapshot.secret_names.contains(k));
        let ops = std::mem::take(&mut plan.ops);
        if !ops.is_empty() {
            tracing::info!(operations = ops.len(), "reconciling project registries");
        }
        let outcomes = apply::apply(client, ops, options.concurrency, options.call_timeout).await;
        for outcome in outcomes.iter().filter(|o| o.is_state) {
            if let Some(per_ns) = plan.status.get_mut(&outcome.key) {
                per_ns.insert(outcome.namespace.clone(), outcome.state.clone());
            }
        }
        *self.status.write().expect("status lock") = plan.status;
        if let Some(audit) = &self.audit {
            audit::record_pass(audit, &outcomes).await;
        }
    }
}
