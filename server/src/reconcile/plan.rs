//! The pure half of the reconciler: from a snapshot of the cluster, the
//! operations that bring every project registry's copies in line with its
//! source, and the status of every (registry, namespace) before they run.
//!
//! Desired state: for each source Secret `<project>.<name>` in the system
//! namespace (with a valid proof), a copy named `<name>` in every active
//! namespace regboard recorded in that project. Ownership is the proof
//! (`cluster::proof`), never labels: a name held by anything else — a
//! copy moved or renamed by hand, a Secret with forged labels — is a
//! conflict and is never touched. A copy is deleted only when a recorded
//! removal explains it (the registry deleted, the namespace moved out, both
//! through regboard); a copy whose source is missing without such a record
//! makes its registry "source lost" and is kept.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Namespace, Secret};

use super::state::CopyState;
use crate::cluster::ownership::{
    annotation, content_hash, CONTENT_HASH, DESCRIPTION, DOCKER_CONFIG_JSON, SOURCE_UID,
    VALID_UNTIL,
};
use crate::cluster::proof::{Claim, OwnershipKey};
use crate::membership::Removals;

/// A project registry: (project, name).
pub type RegistryKey = (String, String);

/// What the reconciler sees at the start of a pass.
pub struct Snapshot {
    /// The namespace holding sources.
    pub system_namespace: String,
    /// The key that tells regboard's Secrets from everyone else's.
    pub key: OwnershipKey,
    /// Recorded project membership: namespace → project.
    pub members: BTreeMap<String, String>,
    /// Recorded reasons to delete copies.
    pub removals: Removals,
    /// Every namespace.
    pub namespaces: Vec<Arc<Namespace>>,
    /// Every Secret labelled as managed by regboard (full objects).
    pub managed: Vec<Arc<Secret>>,
    /// `(namespace, name)` of every Secret of any type.
    pub secret_names: HashSet<(String, String)>,
}

/// One change to the cluster.
#[derive(Debug, Clone)]
pub enum Op {
    /// Create the copy of `source` in `namespace`.
    Create {
        /// The registry.
        key: RegistryKey,
        /// Where.
        namespace: String,
        /// The source Secret.
        source: Arc<Secret>,
    },
    /// Replace an outdated or hand-edited copy.
    Update {
        /// The registry.
        key: RegistryKey,
        /// Where.
        namespace: String,
        /// The source Secret.
        source: Arc<Secret>,
        /// The copy's resourceVersion, for optimistic concurrency.
        resource_version: String,
    },
    /// Delete a copy a recorded removal explains (preconditions: its uid
    /// and resourceVersion).
    Delete {
        /// The registry the copy was made for.
        key: RegistryKey,
        /// Where.
        namespace: String,
        /// The copy's name.
        name: String,
        /// The copy's uid.
        uid: String,
        /// The copy's resourceVersion.
        resource_version: String,
        /// The recorded removal that explains it.
        reason: Reason,
    },
}

/// Why a copy may go: something regboard itself recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The registry was deleted through regboard.
    RegistryDeleted,
    /// The namespace was moved out of the project through regboard.
    NamespaceLeft,
}

/// The outcome of planning.
#[derive(Debug, Default)]
pub struct Plan {
    /// Operations to run.
    pub ops: Vec<Op>,
    /// Status per registry and namespace, before the ops run.
    pub status: HashMap<RegistryKey, BTreeMap<String, CopyState>>,
    /// Foreign Secrets holding a registry's name whose type is not known yet.
    pub unknown_conflicts: Vec<(RegistryKey, String)>,
    /// Registries whose source is missing with no recorded deletion, with
    /// the namespaces of the copies that are kept.
    pub lost: BTreeMap<RegistryKey, Vec<String>>,
    /// Copies no member namespace wants but no recorded removal explains:
    /// kept, and reported.
    pub unexplained: Vec<(String, String)>,
}

/// Plans a pass; `conflict_types` remembers the types of foreign Secrets
/// looked up in earlier passes, keyed by (namespace, name).
pub fn plan(snapshot: &Snapshot, conflict_types: &HashMap<(String, String), String>) -> Plan {
    let world = World {
        snapshot,
        project_of: active_projects(snapshot),
        sources: sources(snapshot),
        copies: copies(snapshot),
        conflict_types,
    };
    let mut plan = Plan::default();
    for (key, source) in &world.sources {
        let mut status = BTreeMap::new();
        for (ns, _) in world.project_of.iter().filter(|(_, p)| **p == key.0) {
            let state = world.plan_copy(key, source, ns, &mut plan);
            status.insert(ns.clone(), state);
        }
        plan.status.insert(key.clone(), status);
    }
    for copy in world.copies.values() {
        world.plan_leftover(copy, &mut plan);
    }
    plan
}

/// What planning reads, indexed once per pass.
struct World<'a> {
    snapshot: &'a Snapshot,
    project_of: BTreeMap<String, String>,
    sources: BTreeMap<RegistryKey, Arc<Secret>>,
    copies: HashMap<(String, String), Arc<Secret>>,
    conflict_types: &'a HashMap<(String, String), String>,
}

impl World<'_> {
    /// The state of registry `key` in namespace `ns`, pushing the operation
    /// that converges it onto `plan`.
    fn plan_copy(
        &self,
        key: &RegistryKey,
        source: &Arc<Secret>,
        ns: &str,
        plan: &mut Plan,
    ) -> CopyState {
        let at = (ns.to_owned(), key.1.clone());
        match self.copies.get(&at) {
            Some(copy) if self.copy_claim(copy).is_some_and(|c| c == *key) => {
                if is_fresh(copy, source) {
                    return CopyState::Synced;
                }
                plan.ops.push(Op::Update {
                    key: key.clone(),
                    namespace: ns.to_owned(),
                    source: source.clone(),
                    resource_version: copy.metadata.resource_version.clone().unwrap_or_default(),
                });
                CopyState::Pending
            }
            // Another registry's copy, which a recorded removal takes away.
            Some(other) if self.removal_reason(other).is_some() => CopyState::Pending,
            Some(other) => CopyState::Conflict {
                secret_type: other
                    .type_
                    .clone()
                    .unwrap_or_else(|| DOCKER_CONFIG_JSON.into()),
                forged: !self.snapshot.key.owns(other),
            },
            None if self.snapshot.secret_names.contains(&at) => {
                match self.conflict_types.get(&at) {
                    Some(t) => CopyState::Conflict {
                        secret_type: t.clone(),
                        forged: false,
                    },
                    None => {
                        plan.unknown_conflicts.push((key.clone(), ns.to_owned()));
                        CopyState::Conflict {
                            secret_type: "unknown".into(),
                            forged: false,
                        }
                    }
                }
            }
            None => {
                plan.ops.push(Op::Create {
                    key: key.clone(),
                    namespace: ns.to_owned(),
                    source: source.clone(),
                });
                CopyState::Pending
            }
        }
    }
}

impl World<'_> {
    /// The registry `secret` is a proven copy of.
    fn copy_claim(&self, secret: &Secret) -> Option<RegistryKey> {
        match self.snapshot.key.verify(secret)? {
            Claim::Copy {
                project, registry, ..
            } => Some((project, registry)),
            _ => None,
        }
    }

    /// The recorded removal that explains deleting proven copy `copy`, if
    /// its registry or namespace no longer wants it.
    fn removal_reason(&self, copy: &Secret) -> Option<Reason> {
        let key = self.copy_claim(copy)?;
        let ns = copy.metadata.namespace.clone()?;
        let removals = &self.snapshot.removals;
        if !self.sources.contains_key(&key) && removals.registries.contains(&key) {
            return Some(Reason::RegistryDeleted);
        }
        let member = self.project_of.get(&ns) == Some(&key.0);
        (!member && removals.namespaces.contains(&(key.0.clone(), ns)))
            .then_some(Reason::NamespaceLeft)
    }

    /// A proven copy outside what the sources and members want: deleted
    /// when a recorded removal explains it, else kept (source lost, or
    /// unexplained) and reported.
    fn plan_leftover(&self, copy: &Arc<Secret>, plan: &mut Plan) {
        let Some(key) = self.copy_claim(copy) else {
            return;
        };
        let ns = copy.metadata.namespace.clone().unwrap_or_default();
        let wanted = self.sources.contains_key(&key) && self.project_of.get(&ns) == Some(&key.0);
        if wanted {
            return;
        }
        if let Some(reason) = self.removal_reason(copy) {
            plan.ops.push(Op::Delete {
                key,
                namespace: ns,
                name: copy.metadata.name.clone().unwrap_or_default(),
                uid: copy.metadata.uid.clone().unwrap_or_default(),
                resource_version: copy.metadata.resource_version.clone().unwrap_or_default(),
                reason,
            });
        } else if !self.sources.contains_key(&key) {
            plan.lost.entry(key).or_default().push(ns);
        } else {
            let name = copy.metadata.name.clone().unwrap_or_default();
            plan.unexplained.push((ns, name));
        }
    }
}

/// Whether `copy` carries the current source's uid and content, and the
/// description and "valid until" the source shows (the pull diagnosis reads
/// a copy's "valid until").
fn is_fresh(copy: &Secret, source: &Secret) -> bool {
    let uid = source.metadata.uid.as_deref().unwrap_or_default();
    let hash = content_hash(source);
    annotation(copy, SOURCE_UID) == Some(uid)
        && content_hash(copy) == hash
        && annotation(copy, CONTENT_HASH) == hash.as_deref()
        && [DESCRIPTION, VALID_UNTIL]
            .iter()
            .all(|key| annotation(copy, key) == annotation(source, key))
}

/// Managed Secrets outside the system namespace, by (namespace, name).
fn copies(snapshot: &Snapshot) -> HashMap<(String, String), Arc<Secret>> {
    snapshot
        .managed
        .iter()
        .filter_map(|secret| {
            let ns = secret.metadata.namespace.clone()?;
            let name = secret.metadata.name.clone()?;
            (ns != snapshot.system_namespace).then(|| ((ns, name), secret.clone()))
        })
        .collect()
}

/// Active (not terminating) namespaces regboard recorded in a project,
/// except the system namespace (which never belongs to one).
fn active_projects(snapshot: &Snapshot) -> BTreeMap<String, String> {
    let active: HashSet<&str> = snapshot
        .namespaces
        .iter()
        .filter(|ns| ns.metadata.deletion_timestamp.is_none())
        .filter(|ns| ns.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Terminating"))
        .filter_map(|ns| ns.metadata.name.as_deref())
        .collect();
    snapshot
        .members
        .iter()
        .filter(|(ns, _)| active.contains(ns.as_str()) && **ns != snapshot.system_namespace)
        .map(|(ns, p)| (ns.clone(), p.clone()))
        .collect()
}

/// Proven sources in the system namespace, by (project, name).
fn sources(snapshot: &Snapshot) -> BTreeMap<RegistryKey, Arc<Secret>> {
    snapshot
        .managed
        .iter()
        .filter(|s| s.metadata.namespace.as_deref() == Some(snapshot.system_namespace.as_str()))
        .filter_map(|s| match snapshot.key.verify(s)? {
            Claim::Source {
                project, registry, ..
            } => Some(((project, registry), s.clone())),
            _ => None,
        })
        .collect()
}
