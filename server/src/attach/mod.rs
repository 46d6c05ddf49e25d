//! Attaching registries to ServiceAccounts: a registry's setting (none, the
//! `default` account, named accounts, every account) says which accounts
//! list its Secret in `imagePullSecrets`, in every namespace where regboard's
//! Secret of that registry is. Runs at the end of each reconcile pass, so new
//! namespaces, new copies and new accounts are picked up as they appear.
//!
//! ```text
//! settings (SQLite, settings.rs) ─┐
//! proven Secrets per namespace ───┼─► plan::wanted ─► plan::plan (per account, pure)
//! ServiceAccounts (inventory) ────┘        ─► apply (merge patch + resourceVersion,
//!                                             409 → read again, compute again)
//!                                          ─► record on the account (record.rs), audit
//! ```
//!
//! regboard removes only the names its own proven record on the account
//! says it added, and only for a reason it recorded: the registry's recorded
//! setting no longer matches the account, or its Secret is gone from the
//! namespace (the registry deleted, the namespace left its project). A
//! registry with no recorded setting (a lost database) is held as it is. An
//! entry added by hand survives every setting change.

mod apply;
mod audit;
pub mod plan;
#[cfg(test)]
mod plan_tests;
pub mod record;
mod settings;
pub mod status;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Secret, ServiceAccount};

pub use settings::{AccountAt, Attachments, RegistryId};

use crate::audit::AuditLog;
use crate::cluster::proof::OwnershipKey;
use crate::cluster::Inventory;
use crate::reconcile::Pace;
use apply::Ended;

/// The attaching half of a reconcile pass; cheap to clone.
#[derive(Clone)]
pub struct Attacher {
    key: OwnershipKey,
    attachments: Attachments,
    /// Accounts written whose new version the watch has not shown yet:
    /// the resourceVersion they were written over (planning from that
    /// version again would only earn a 409).
    lagging: Arc<Mutex<HashMap<AccountAt, String>>>,
    /// The registry each (namespace, Secret name) belonged to when last
    /// seen, to name it in the audit row of a detach after it is gone.
    seen: Arc<Mutex<HashMap<(String, String), RegistryId>>>,
}

impl Attacher {
    /// An attacher over the recorded settings.
    pub fn new(key: OwnershipKey, attachments: Attachments) -> Self {
        Self {
            key,
            attachments,
            lagging: Arc::default(),
            seen: Arc::default(),
        }
    }

    /// The recorded settings.
    pub fn attachments(&self) -> &Attachments {
        &self.attachments
    }

    /// Attaches and detaches what `managed` (regboard's Secrets, as the
    /// watch shows them) and the settings ask for; returns the number of
    /// accounts written.
    pub async fn pass(
        &self,
        client: &kube::Client,
        inventory: &Inventory,
        managed: &[Arc<Secret>],
        (pace, timeout): (&Pace, Duration),
        audit: Option<&AuditLog>,
    ) -> usize {
        let members = inventory.membership().members();
        let wanted = plan::wanted(&self.key, managed, &members, &self.attachments.all());
        self.remember(&wanted);
        let accounts = self.caught_up(inventory.service_accounts());
        let changes = plan::plan(&self.key, &accounts, &wanted);
        if changes.is_empty() {
            return 0;
        }
        tracing::info!(
            accounts = changes.len(),
            "attaching registries to ServiceAccounts"
        );
        let done = apply::apply(client, &self.key, changes, &wanted, pace, timeout).await;
        let mut written = 0;
        let mut before = Vec::new();
        for d in &done {
            let at = (d.change.namespace.clone(), d.change.account.clone());
            let failed = match &d.result {
                Ended::Written { over } => {
                    written += 1;
                    if let Some(rv) = over {
                        self.lagging
                            .lock()
                            .expect("lagging")
                            .insert(at.clone(), rv.clone());
                    }
                    None
                }
                Ended::Failed(message) => {
                    let names = d.change.added.iter().chain(&d.change.removed).cloned();
                    Some((names.collect(), message.clone()))
                }
                Ended::Unneeded | Ended::Gone => None,
            };
            before.push(self.attachments.note_result(&at, failed));
        }
        if let Some(audit) = audit {
            let seen = self.seen.lock().expect("seen").clone();
            audit::record(audit, &done, &before, &seen).await;
        }
        written
    }

    /// The accounts the watch shows at a version newer than regboard's last
    /// write to them (or never written).
    fn caught_up(&self, accounts: Vec<Arc<ServiceAccount>>) -> Vec<Arc<ServiceAccount>> {
        let mut lagging = self.lagging.lock().expect("lagging");
        let mut behind = HashMap::new();
        let fresh = accounts
            .into_iter()
            .filter(|a| {
                let at = (
                    a.metadata.namespace.clone().unwrap_or_default(),
                    a.metadata.name.clone().unwrap_or_default(),
                );
                let rv = a.metadata.resource_version.clone().unwrap_or_default();
                if lagging.get(&at) == Some(&rv) {
                    behind.insert(at, rv);
                    return false;
                }
                true
            })
            .collect();
        // Caught up or gone: forgotten.
        *lagging = behind;
        fresh
    }

    fn remember(&self, wanted: &plan::Wanted) {
        let mut seen = self.seen.lock().expect("seen");
        for (ns, names) in wanted {
            for (name, (id, _)) in names {
                seen.insert((ns.clone(), name.clone()), id.clone());
            }
        }
    }
}
