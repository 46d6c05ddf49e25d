//! The pure half of the reconciler: from a snapshot of the cluster, the
//! operations that bring every project registry's copies in line with its
//! source, and the status of every (registry, namespace) before they run.
//!
//! Desired state: for each source Secret `<project>.<name>` in the system
//! namespace, a copy named `<name>` in every active namespace labelled with
//! that project. A name held by a Secret we do not own is a conflict and is
//! never touched; a copy whose source or project membership is gone is
//! deleted.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Namespace, Secret};

use super::state::CopyState;
use crate::cluster::ownership::{
    self, annotation, content_hash, label, CONTENT_HASH, DOCKER_CONFIG_JSON, PROJECT_LABEL,
    REGISTRY_LABEL, SCOPE_LABEL, SCOPE_PROJECT, SOURCE_UID,
};

/// A project registry: (project, name).
pub type RegistryKey = (String, String);

/// What the reconciler sees at the start of a pass.
pub struct Snapshot {
    /// The namespace holding sources.
    pub system_namespace: String,
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
    /// Delete a copy nobody wants any more (precondition: its uid).
    Delete {
        /// The registry the copy was made for.
        key: RegistryKey,
        /// Where.
        namespace: String,
        /// The copy's name.
        name: String,
        /// The copy's uid.
        uid: String,
    },
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
        if is_stale_copy(copy, &world.project_of, &world.sources) {
            plan.ops.push(Op::Delete {
                key: (
                    label(copy, PROJECT_LABEL).unwrap_or_default().to_owned(),
                    label(copy, REGISTRY_LABEL).unwrap_or_default().to_owned(),
                ),
                namespace: copy.metadata.namespace.clone().unwrap_or_default(),
                name: copy.metadata.name.clone().unwrap_or_default(),
                uid: copy.metadata.uid.clone().unwrap_or_default(),
            });
        }
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
        let (project, name) = key;
        let at = (ns.to_owned(), name.clone());
        match self.copies.get(&at) {
            Some(copy) if is_copy_of(copy, project, name) => {
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
            Some(other) if is_stale_copy(other, &self.project_of, &self.sources) => {
                CopyState::Pending
            }
            Some(other) => CopyState::Conflict {
                secret_type: other
                    .type_
                    .clone()
                    .unwrap_or_else(|| DOCKER_CONFIG_JSON.into()),
            },
            None if self.snapshot.secret_names.contains(&at) => {
                match self.conflict_types.get(&at) {
                    Some(t) => CopyState::Conflict {
                        secret_type: t.clone(),
                    },
                    None => {
                        plan.unknown_conflicts.push((key.clone(), ns.to_owned()));
                        CopyState::Conflict {
                            secret_type: "unknown".into(),
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

/// Whether `copy` carries the current source's uid and content.
fn is_fresh(copy: &Secret, source: &Secret) -> bool {
    let uid = source.metadata.uid.as_deref().unwrap_or_default();
    let hash = content_hash(source);
    annotation(copy, SOURCE_UID) == Some(uid)
        && content_hash(copy) == hash
        && annotation(copy, CONTENT_HASH) == hash.as_deref()
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

/// Active (not terminating) namespaces in a project, except the system one.
fn active_projects(snapshot: &Snapshot) -> BTreeMap<String, String> {
    snapshot
        .namespaces
        .iter()
        .filter(|ns| ns.metadata.deletion_timestamp.is_none())
        .filter(|ns| ns.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Terminating"))
        .filter_map(|ns| {
            let name = ns.metadata.name.clone()?;
            let project = ns.metadata.labels.as_ref()?.get(PROJECT_LABEL)?.clone();
            (name != snapshot.system_namespace).then_some((name, project))
        })
        .collect()
}

/// Valid sources in the system namespace, by (project, name).
fn sources(snapshot: &Snapshot) -> BTreeMap<RegistryKey, Arc<Secret>> {
    snapshot
        .managed
        .iter()
        .filter(|s| s.metadata.namespace.as_deref() == Some(snapshot.system_namespace.as_str()))
        .filter(|s| ownership::is_ours(s) && label(s, SCOPE_LABEL) == Some(SCOPE_PROJECT))
        .filter_map(|s| {
            let project = label(s, PROJECT_LABEL)?.to_owned();
            let name = label(s, REGISTRY_LABEL)?.to_owned();
            let expected = ownership::source_name(&project, &name);
            (s.metadata.name.as_deref() == Some(expected.as_str()))
                .then(|| ((project, name), s.clone()))
        })
        .collect()
}

/// Whether `secret` is a copy made for registry (project, name).
fn is_copy_of(secret: &Secret, project: &str, name: &str) -> bool {
    ownership::is_ours(secret)
        && label(secret, SCOPE_LABEL) == Some(SCOPE_PROJECT)
        && label(secret, PROJECT_LABEL) == Some(project)
        && label(secret, REGISTRY_LABEL) == Some(name)
        && secret.metadata.name.as_deref() == Some(name)
}

/// A project copy whose source is gone or whose namespace left the project.
fn is_stale_copy(
    secret: &Secret,
    project_of: &BTreeMap<String, String>,
    sources: &BTreeMap<RegistryKey, Arc<Secret>>,
) -> bool {
    if label(secret, SCOPE_LABEL) != Some(SCOPE_PROJECT) || !ownership::is_ours(secret) {
        return false;
    }
    let (Some(project), Some(name), Some(ns)) = (
        label(secret, PROJECT_LABEL),
        label(secret, REGISTRY_LABEL),
        secret.metadata.namespace.as_deref(),
    ) else {
        return false;
    };
    let wanted = sources.contains_key(&(project.to_owned(), name.to_owned()))
        && project_of.get(ns).map(String::as_str) == Some(project)
        && secret.metadata.name.as_deref() == Some(name);
    !wanted
}
