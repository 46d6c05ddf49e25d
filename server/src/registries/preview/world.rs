//! The stores a preview plans over, and the pure steps shared by the
//! registry preview and the membership preview: the reconciler's plan read
//! as an action per copy, the copies the pass would leave, and the
//! ServiceAccount changes the attacher would then make.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use regboard_app::model::changes::{AccountChange, SecretAction};
use regboard_app::model::registries::{Attachment, SyncState};

use crate::attach::{plan as attach_plan, RegistryId};
use crate::cluster::ownership::source_name;
use crate::cluster::proof::OwnershipKey;
use crate::cluster::Inventory;
use crate::membership::Removals;
use crate::reconcile::{Op, Plan, Reconciler, RegistryKey, Snapshot};
use crate::registries::objects::copy_of;

/// A copy's place: the registry, and the namespace.
pub(crate) type CopyAt = (RegistryKey, String);

/// What the stores hold now, and what they would hold after the change.
#[derive(Clone)]
pub(crate) struct World {
    pub(crate) members: BTreeMap<String, String>,
    pub(crate) removals: Removals,
    pub(crate) namespaces: Vec<Arc<Namespace>>,
    pub(crate) managed: Vec<Arc<Secret>>,
    pub(crate) secret_names: HashSet<(String, String)>,
    pub(crate) settings: BTreeMap<RegistryId, Attachment>,
    pub(crate) accounts: Vec<Arc<ServiceAccount>>,
}

impl World {
    /// The stores as they are now.
    pub(crate) fn now(inventory: &Inventory, reconciler: &Reconciler) -> World {
        World {
            members: inventory.membership().members(),
            removals: inventory.membership().removals(),
            namespaces: inventory.namespaces(),
            managed: reconciler.managed(),
            secret_names: inventory.secret_names(),
            settings: reconciler.attacher().attachments().all(),
            accounts: inventory.service_accounts(),
        }
    }

    /// The managed Secret `namespace/name`, if any.
    pub(crate) fn managed_at(&self, namespace: &str, name: &str) -> Option<&Arc<Secret>> {
        self.managed.iter().find(|s| {
            s.metadata.namespace.as_deref() == Some(namespace)
                && s.metadata.name.as_deref() == Some(name)
        })
    }

    /// `managed` without the Secret `namespace/name`.
    pub(crate) fn without(&mut self, namespace: &str, name: &str) {
        self.managed.retain(|s| {
            s.metadata.namespace.as_deref() != Some(namespace)
                || s.metadata.name.as_deref() != Some(name)
        });
    }

    /// `managed` with `secret` in place of any Secret at its place.
    pub(crate) fn with(&mut self, secret: Secret) {
        let ns = secret.metadata.namespace.clone().unwrap_or_default();
        let name = secret.metadata.name.clone().unwrap_or_default();
        self.without(&ns, &name);
        self.secret_names.insert((ns, name));
        self.managed.push(Arc::new(secret));
    }

    /// The reconciler's input over these stores.
    pub(crate) fn snapshot(&self, system_namespace: &str, key: &OwnershipKey) -> Snapshot {
        Snapshot {
            system_namespace: system_namespace.to_owned(),
            key: key.clone(),
            members: self.members.clone(),
            removals: self.removals.clone(),
            namespaces: self.namespaces.clone(),
            managed: self.managed.clone(),
            secret_names: self.secret_names.clone(),
        }
    }

    /// `managed` as the pass planned in `actions` would leave it: copies
    /// created, rewritten or kept from their source, deleted ones gone.
    pub(crate) fn converge(
        &mut self,
        system_namespace: &str,
        key: &OwnershipKey,
        actions: &BTreeMap<CopyAt, SecretAction>,
    ) {
        for (((project, name), ns), action) in actions {
            match action {
                SecretAction::Delete => self.without(ns, name),
                SecretAction::Create | SecretAction::Update | SecretAction::Unchanged => {
                    let at = source_name(project, name);
                    let Some(source) = self.managed_at(system_namespace, &at).cloned() else {
                        continue;
                    };
                    let mut copy = copy_of(&source, project, name, ns);
                    key.seal(&mut copy);
                    self.with(copy);
                }
                SecretAction::Collision { .. } => {}
            }
        }
    }

    /// The ServiceAccounts whose `imagePullSecrets` the attacher would
    /// change in these stores, by (namespace, Secret name).
    pub(crate) fn account_changes(
        &self,
        key: &OwnershipKey,
    ) -> BTreeMap<(String, String), Vec<AccountChange>> {
        let wanted = attach_plan::wanted(key, &self.managed, &self.members, &self.settings);
        let mut out: BTreeMap<(String, String), Vec<AccountChange>> = BTreeMap::new();
        for change in attach_plan::plan(key, &self.accounts, &wanted) {
            let added = change.added.iter().map(|n| (n, true));
            let removed = change.removed.iter().map(|n| (n, false));
            for (name, adds) in added.chain(removed) {
                out.entry((change.namespace.clone(), name.clone()))
                    .or_default()
                    .push(AccountChange {
                        name: change.account.clone(),
                        adds,
                    });
            }
        }
        out
    }
}

/// The reconciler's plan read as an action per copy: the operation it
/// runs, else what its status says (synced: unchanged; a foreign Secret:
/// a collision with its type).
pub(crate) fn copy_actions(plan: &Plan) -> BTreeMap<CopyAt, SecretAction> {
    let mut actions = BTreeMap::new();
    for (key, states) in &plan.status {
        for (ns, state) in states {
            let action = match SyncState::from(state) {
                SyncState::Conflict {
                    secret_type,
                    forged,
                } => SecretAction::Collision {
                    secret_type,
                    forged,
                },
                SyncState::Synced => SecretAction::Unchanged,
                // Pending without an operation: another registry's copy a
                // recorded removal takes away first; then this one is created.
                _ => SecretAction::Create,
            };
            actions.insert((key.clone(), ns.clone()), action);
        }
    }
    for op in &plan.ops {
        let (key, ns, action) = match op {
            Op::Create { key, namespace, .. } => (key, namespace, SecretAction::Create),
            Op::Update { key, namespace, .. } => (key, namespace, SecretAction::Update),
            Op::Delete { key, namespace, .. } => (key, namespace, SecretAction::Delete),
        };
        actions.insert((key.clone(), ns.clone()), action);
    }
    actions
}

/// [`copy_actions`] of the plan over `world`.
pub(crate) fn planned_actions(
    world: &World,
    system_namespace: &str,
    key: &OwnershipKey,
) -> BTreeMap<CopyAt, SecretAction> {
    let plan = crate::reconcile::plan(&world.snapshot(system_namespace, key), &HashMap::new());
    copy_actions(&plan)
}
