//! The pure half of attaching: from the Secrets regboard owns in each
//! namespace and the registries' settings, what every ServiceAccount's
//! `imagePullSecrets` should become. regboard adds the names it wants and
//! removes only the names its own proven record says it added; an entry
//! somebody else added, and the order of the list, are left as they are.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use regboard_app::model::registries::{Attachment, Scope};

use super::record;
use super::settings::RegistryId;
use crate::cluster::proof::{Claim, OwnershipKey};

/// Per namespace, the Secrets regboard owns there (by name) with the
/// registry each belongs to and that registry's recorded setting (`None`:
/// nothing recorded, so its entries are held as they are).
pub type Wanted = BTreeMap<String, BTreeMap<String, (RegistryId, Option<Attachment>)>>;

/// What one account should list because of regboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    /// Names to list.
    pub list: BTreeSet<String>,
    /// Names whose registry has no recorded setting: neither added nor removed.
    pub hold: BTreeSet<String>,
}

/// What to write to one ServiceAccount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub account: String,
    /// The resourceVersion the change was computed from (the write's precondition).
    pub resource_version: Option<String>,
    /// The new `imagePullSecrets` names, in order.
    pub list: Vec<String>,
    /// What regboard will have added, to record on the account.
    pub record: BTreeSet<String>,
    /// Names added by this change.
    pub added: Vec<String>,
    /// Names removed by this change.
    pub removed: Vec<String>,
}

/// The registries that want attaching, namespace by namespace: namespace
/// registries in their namespace, project registries where their proven
/// copy is and the namespace is still recorded in the project. A name
/// that is not here (its Secret is gone) is detached where regboard added it.
pub fn wanted(
    key: &OwnershipKey,
    managed: &[Arc<Secret>],
    members: &BTreeMap<String, String>,
    settings: &BTreeMap<RegistryId, Attachment>,
) -> Wanted {
    let mut wanted = Wanted::new();
    for secret in managed {
        let (namespace, id) = match key.verify(secret) {
            Some(Claim::Namespace { namespace, name }) => {
                let scope = Scope::Namespace {
                    namespace: namespace.clone(),
                };
                (namespace, (scope, name))
            }
            Some(Claim::Copy {
                namespace,
                project,
                registry,
                ..
            }) if members.get(&namespace) == Some(&project) => {
                (namespace, (Scope::Project { project }, registry))
            }
            _ => continue,
        };
        let name = id.1.clone();
        let setting = settings.get(&id).cloned();
        wanted
            .entry(namespace)
            .or_default()
            .insert(name, (id, setting));
    }
    wanted
}

/// What `account` in `namespace` should list because of regboard.
pub fn desired_for(wanted: &Wanted, namespace: &str, account: &str) -> Desired {
    let mut desired = Desired::default();
    for (name, (_, setting)) in wanted.get(namespace).into_iter().flatten() {
        match setting {
            Some(s) if s.matches(account) => {
                desired.list.insert(name.clone());
            }
            Some(_) => {}
            None => {
                desired.hold.insert(name.clone());
            }
        }
    }
    desired
}

/// The names in an account's `imagePullSecrets`, in order.
pub fn listed(account: &ServiceAccount) -> Vec<String> {
    account
        .image_pull_secrets
        .iter()
        .flatten()
        .map(|r| r.name.clone())
        .collect()
}

/// The write that makes `account` list `desired`, if one is needed.
pub fn change_for(
    key: &OwnershipKey,
    account: &ServiceAccount,
    desired: &Desired,
) -> Option<Change> {
    let Desired {
        list: desired,
        hold,
    } = desired;
    let has_record = account
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(record::ADDED));
    if desired.is_empty() && !has_record {
        return None;
    }
    let recorded = record::recorded(key, account);
    let current = listed(account);
    let mut list = current.clone();
    let mut removed = Vec::new();
    for name in recorded.difference(desired).filter(|n| !hold.contains(*n)) {
        // The entry regboard appended is the last one of that name.
        if let Some(at) = list.iter().rposition(|n| n == name) {
            list.remove(at);
            removed.push(name.clone());
        }
    }
    let mut added = Vec::new();
    for name in desired {
        if !list.contains(name) {
            list.push(name.clone());
            added.push(name.clone());
        }
    }
    // An entry present before regboard wanted it is somebody else's: not recorded.
    let record: BTreeSet<String> = desired
        .iter()
        .filter(|n| recorded.contains(*n) || added.contains(*n))
        .chain(recorded.intersection(hold))
        .cloned()
        .collect();
    if list == current && record == recorded {
        return None;
    }
    Some(Change {
        namespace: account.metadata.namespace.clone().unwrap_or_default(),
        account: account.metadata.name.clone().unwrap_or_default(),
        resource_version: account.metadata.resource_version.clone(),
        list,
        record,
        added,
        removed,
    })
}

/// Every ServiceAccount's change.
pub fn plan(key: &OwnershipKey, accounts: &[Arc<ServiceAccount>], wanted: &Wanted) -> Vec<Change> {
    accounts
        .iter()
        .filter_map(|a| {
            let namespace = a.metadata.namespace.as_deref()?;
            let name = a.metadata.name.as_deref()?;
            change_for(key, a, &desired_for(wanted, namespace, name))
        })
        .collect()
}
