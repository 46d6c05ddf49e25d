//! What moving a namespace into a project, out of it or between projects
//! writes in that namespace, computed with the planners the reconciler and
//! the attacher run (pure: the stores in, the rows out).
//!
//! ```text
//! the stores now ─► the membership after the move (and the removal it
//!   records for the project left) ─► reconcile::plan ─► per project
//!   registry: its copy created / deleted / kept, or a collision
//!   ─► the copies the pass leaves ─► attach::plan ─► ServiceAccounts
//! ```

use regboard_app::model::changes::NamespaceChange;

use crate::cluster::proof::OwnershipKey;
use crate::registries::preview::world::{planned_actions, World};

/// The rows of moving `namespace` into `project` (`None`: out of any),
/// in (project, registry) order.
pub(super) fn move_changes(
    mut next: World,
    (system_namespace, key): (&str, &OwnershipKey),
    namespace: &str,
    project: Option<&str>,
) -> Vec<NamespaceChange> {
    let before = next.members.get(namespace).cloned();
    if let Some(left) = before.filter(|b| Some(b.as_str()) != project) {
        // Leaving records the removal that lets the copies go (rule 3).
        next.removals
            .namespaces
            .insert((left, namespace.to_owned()));
    }
    match project {
        Some(p) => {
            next.members.insert(namespace.to_owned(), p.to_owned());
            let joined = (p.to_owned(), namespace.to_owned());
            next.removals.namespaces.remove(&joined);
        }
        None => {
            next.members.remove(namespace);
        }
    }
    let planned = planned_actions(&next, system_namespace, key);
    next.converge(system_namespace, key, &planned);
    let mut accounts = next.account_changes(key);
    planned
        .into_iter()
        .filter(|((_, ns), _)| ns == namespace)
        .map(|(((_, name), ns), action)| NamespaceChange {
            accounts: accounts
                .remove(&(ns.clone(), name.clone()))
                .unwrap_or_default(),
            namespace: ns,
            secret: name,
            action,
            pods: Vec::new(),
        })
        .collect()
}
