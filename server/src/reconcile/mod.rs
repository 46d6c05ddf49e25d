//! The reconciler: fans project registries out into the namespaces of their
//! project and keeps per-namespace status (DESIGN rule 3).
//!
//! ```text
//! reflector(managed Secrets, full) ───────┐
//! Inventory (namespaces, Secret names) ───┼─► wake ─► settle ─► pass
//! resync interval, trigger(), next_pass() ┘                      │
//!   pass = snapshot ─► plan (pure) ─► apply (paced, retried) ─► status map
//!          ─► attach (crate::attach: ServiceAccounts' imagePullSecrets)
//! ```
//!
//! Pacing: every cluster write of a pass and of the attacher takes a seat
//! of one shared [`Pace`] (module `paced`), whose limit (module `pace`,
//! pure) grows while round trips stay near their base and shrinks on 429s
//! and on rising round trips, within [`ReconcileOptions::concurrency`].
//!
//! Settling before a pass: after [`Reconciler::trigger`] (a caller has just
//! written a source or relabelled a namespace) wait for the watch event of
//! that write, at most [`TRIGGER_WAIT`]; after a watch event, rest
//! [`GAP_FACTOR`] times as long as the last pass spent planning, so a stream
//! of unrelated cluster events (each one a wake) cannot keep the reconciler
//! planning more than a fifth of the time; and in both cases wait
//! until the watch shows every write of the previous pass (module `expect`),
//! so a pass never plans from a store that lags the reconciler's own work.
//!
//! Everything is derived from the cluster at each pass, so a crash mid-way
//! loses nothing: the next pass (after a restart, the first one) sees what
//! exists and creates only what is missing. Copy names are fixed, so a copy
//! can never be created twice.

mod apply;
mod audit;
mod brake;
mod expect;
pub mod pace;
mod paced;
mod plan;
#[cfg(test)]
mod plan_tests;
pub mod shown;
mod state;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{watcher, WatchStreamExt};
use regboard_app::model::registries::{SyncState, SyncSummary};
use tokio::sync::{watch, Notify};

pub use apply::Outcome;
use brake::brake;
pub use pace::Bounds;
pub use paced::Pace;
pub use plan::{plan, Op, Plan, Reason, RegistryKey, Snapshot};

use crate::attach::{Attacher, Attachments};
use crate::audit::AuditLog;
use crate::cluster::ownership::managed_selector;
use crate::cluster::proof::OwnershipKey;
use crate::cluster::Inventory;
use expect::Expectations;
use state::CopyState;

/// After [`Reconciler::trigger`], how long a pass waits for the watch event
/// of the write that prompted it (it usually comes within a millisecond).
pub const TRIGGER_WAIT: Duration = Duration::from_millis(10);
/// Before a pass a watch event asks for, the reconciler rests this many
/// times as long as the last pass took to snapshot and plan ...
pub const GAP_FACTOR: u32 = 4;
/// ... but at least this long (events this close together make one pass) ...
pub const MIN_GAP: Duration = Duration::from_millis(1);
/// ... and at most this long.
pub const MAX_GAP: Duration = Duration::from_secs(1);
/// The longest a pass waits for the watch to show the previous pass's writes.
pub const SETTLE_LIMIT: Duration = Duration::from_secs(2);

/// What woke the reconcile loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    /// `trigger()` or `next_pass()`.
    Asked,
    /// A watch event.
    Event,
    /// The resync interval.
    Resync,
}

/// Tuning of the reconciler.
#[derive(Debug, Clone)]
pub struct ReconcileOptions {
    /// The namespace holding project registries' sources.
    pub system_namespace: String,
    /// Cluster writes in flight at once: where the limit starts and the
    /// bounds it adapts within.
    pub concurrency: Bounds,
    /// A full pass at least this often, whatever the watches say.
    pub resync_interval: Duration,
    /// How long one API call may take before it counts as failed (and is retried).
    pub call_timeout: Duration,
}

type StatusMap = HashMap<RegistryKey, BTreeMap<String, CopyState>>;

/// What one pass leaves for the next.
#[derive(Debug, Default)]
struct PassMemory {
    /// The types of foreign Secrets holding a registry's name, by (namespace, name).
    conflict_types: HashMap<(String, String), String>,
    /// Failures already in the audit log.
    failures: audit::OpenFailures,
}

/// A running reconciler; cheap to clone.
#[derive(Clone)]
pub struct Reconciler {
    key: OwnershipKey,
    lost: Arc<RwLock<BTreeMap<RegistryKey, Vec<String>>>>,
    managed: Store<Secret>,
    status: Arc<RwLock<StatusMap>>,
    wake: Arc<Notify>,
    passes: watch::Receiver<u64>,
    expect: Arc<Expectations>,
    audit: Option<AuditLog>,
    attacher: Attacher,
    metrics: crate::metrics::ReconcileMetrics,
    pace: Pace,
}

impl Reconciler {
    /// Starts the reflector on managed Secrets and the reconcile loop; each
    /// pass that changes something is recorded in `audit` when given; each
    /// pass ends by attaching registries to ServiceAccounts as
    /// `attachments` say.
    pub fn start(
        client: kube::Client,
        inventory: Inventory,
        (key, attachments): (OwnershipKey, Attachments),
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
        let expect = Arc::new(Expectations::default());
        let observer = expect.clone();
        tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream.default_backoff());
            while let Some(event) = stream.next().await {
                match event {
                    // The reflector has applied the event to the store already.
                    Ok(event) => {
                        observer.observe(&event);
                        if matches!(
                            event,
                            watcher::Event::Apply(_)
                                | watcher::Event::Delete(_)
                                | watcher::Event::InitDone
                        ) {
                            changed_tx.send_modify(|n| *n += 1);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "watch on managed Secrets failed; retrying")
                    }
                }
            }
        });
        let (passes_tx, passes) = watch::channel(0u64);
        let metrics = crate::metrics::ReconcileMetrics::default();
        let this = Self {
            attacher: Attacher::new(key.clone(), attachments),
            pace: Pace::new(options.concurrency, metrics.clone()),
            metrics,
            key,
            lost: Arc::default(),
            managed,
            status: Arc::default(),
            wake: Arc::new(Notify::new()),
            passes,
            expect,
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
        let per_ns = status.get(&(project.to_owned(), name.to_owned()))?;
        Some(
            per_ns
                .iter()
                .map(|(ns, s)| (ns.clone(), s.into()))
                .collect(),
        )
    }

    /// Project registries whose source is missing while proven copies of
    /// it remain (kept: nothing recorded their deletion), with the
    /// namespaces of those copies.
    pub fn lost(&self) -> BTreeMap<RegistryKey, Vec<String>> {
        self.lost.read().expect("lost lock").clone()
    }

    /// The pace of cluster writes (its limit now, the base round trip).
    pub fn pace(&self) -> &Pace {
        &self.pace
    }

    /// What the passes count (registered by `crate::metrics`).
    pub fn metrics(&self) -> &crate::metrics::ReconcileMetrics {
        &self.metrics
    }

    /// Each project registry's copies by state, as the last pass left them.
    pub fn copy_summaries(&self) -> Vec<(RegistryKey, SyncSummary)> {
        let status = self.status.read().expect("status lock");
        let summaries = status
            .iter()
            .map(|(k, v)| (k.clone(), state::summarize(v.values())));
        summaries.collect()
    }

    /// The attaching half of each pass, with the recorded settings.
    pub fn attacher(&self) -> &Attacher {
        &self.attacher
    }

    /// The managed Secrets as the watch last showed them.
    pub fn managed(&self) -> Vec<Arc<Secret>> {
        self.managed.state()
    }

    /// Asks for a pass as soon as possible: once the watch has shown the
    /// write the caller just made (at most [`TRIGGER_WAIT`] later).
    pub fn trigger(&self) {
        self.wake.notify_one();
    }

    /// A receiver that changes when a pass starts and when it ends (the
    /// count is odd while a pass runs); the status is updated just before
    /// the end.
    pub fn passes(&self) -> watch::Receiver<u64> {
        self.passes.clone()
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
        let mut memory = PassMemory::default();
        loop {
            passes.send_modify(|n| *n += 1);
            let started = Instant::now();
            let planning = self.pass(&client, &inventory, &options, &mut memory).await;
            self.metrics.pass_finished(started.elapsed());
            passes.send_modify(|n| *n += 1);
            let gap = (planning * GAP_FACTOR).clamp(MIN_GAP, MAX_GAP);
            let ended = tokio::time::Instant::now();
            let wake = tokio::select! {
                () = self.wake.notified() => Wake::Asked,
                r = managed_changed.changed() => if r.is_err() { return } else { Wake::Event },
                r = inventory_changed.changed() => if r.is_err() { return } else { Wake::Event },
                () = tokio::time::sleep(options.resync_interval) => Wake::Resync,
            };
            if wake == Wake::Asked {
                // Someone has just written (a source, a namespace label): plan
                // once the write's watch event is in, however recent the last pass.
                tokio::select! {
                    r = managed_changed.changed() => if r.is_err() { return },
                    r = inventory_changed.changed() => if r.is_err() { return },
                    () = tokio::time::sleep(TRIGGER_WAIT) => {},
                }
            } else {
                tokio::time::sleep_until(ended + gap).await;
            }
            self.expect.settled(SETTLE_LIMIT).await;
            managed_changed.mark_unchanged();
            inventory_changed.mark_unchanged();
        }
    }

    /// One pass; returns how long the snapshot and the plan took.
    async fn pass(
        &self,
        client: &kube::Client,
        inventory: &Inventory,
        options: &ReconcileOptions,
        memory: &mut PassMemory,
    ) -> Duration {
        let conflict_types = &mut memory.conflict_types;
        let started = Instant::now();
        let existing = inventory
            .namespaces()
            .iter()
            .filter_map(|ns| ns.metadata.name.clone())
            .collect();
        match inventory.membership().forget_missing(&existing).await {
            Ok(gone) if !gone.is_empty() => {
                tracing::info!(namespaces = ?gone, "deleted namespaces leave their projects")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot forget deleted namespaces"),
        }
        let snapshot = Snapshot {
            system_namespace: options.system_namespace.clone(),
            key: self.key.clone(),
            members: inventory.membership().members(),
            removals: inventory.membership().removals(),
            namespaces: inventory.namespaces(),
            managed: self.managed.state(),
            secret_names: inventory.secret_names(),
        };
        let mut plan = plan(&snapshot, conflict_types);
        let planned = started.elapsed();
        for (key, ns) in std::mem::take(&mut plan.unknown_conflicts) {
            let state = match apply::secret_type(client, &ns, &key.1, options.call_timeout).await {
                Some(Some(t)) => {
                    conflict_types.insert((ns.clone(), key.1.clone()), t.clone());
                    CopyState::Conflict {
                        secret_type: t,
                        forged: false,
                    }
                }
                // Deleted since the inventory saw it: the next pass creates the copy.
                Some(None) => CopyState::Pending,
                None => continue,
            };
            if let Some(per_ns) = plan.status.get_mut(&key) {
                per_ns.insert(ns, state);
            }
        }
        conflict_types.retain(|k, _| snapshot.secret_names.contains(k));
        let ops = brake(std::mem::take(&mut plan.ops), &snapshot.removals);
        self.report_lost(&plan).await;
        if !ops.is_empty() {
            tracing::info!(operations = ops.len(), "reconciling project registries");
        }
        let operations = ops.len();
        let outcomes = apply::apply(
            client,
            &self.key,
            ops,
            &self.pace,
            options.call_timeout,
            &self.expect,
        )
        .await;
        for outcome in outcomes.iter().filter(|o| o.is_state) {
            if let Some(per_ns) = plan.status.get_mut(&outcome.key) {
                per_ns.insert(outcome.namespace.clone(), outcome.state.clone());
            }
        }
        self.metrics.operations(&outcomes);
        *self.status.write().expect("status lock") = plan.status;
        tracing::debug!(
            operations,
            managed = snapshot.managed.len(),
            planned_in = ?planned,
            took = ?started.elapsed(),
            "reconcile pass done"
        );
        if let Some(audit) = &self.audit {
            audit::record_pass(audit, &outcomes, &mut memory.failures).await;
        }
        let limits = (&self.pace, options.call_timeout);
        let managed = self.managed.state();
        self.attacher
            .pass(client, inventory, &managed, limits, self.audit.as_ref())
            .await;
        planned
    }
}
