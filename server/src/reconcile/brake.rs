//! The brake on deletion (DESIGN rule 3): a pass deletes a copy only when a
//! removal regboard recorded explains it, and a pass whose deletions are not
//! all explained deletes none of them. A missing source is an alarm, not a
//! reason: its registry is "source lost", logged and audited once, and an
//! admin can restore the source from a copy.

use serde_json::json;

use super::plan::{Op, Plan, Reason, RegistryKey};
use super::Reconciler;
use crate::audit::{Actor, AuditTarget, NewEvent, Origin, Outcome};
use crate::membership::Removals;

/// `ops` with every deletion checked against `removals` once more; when
/// any is unexplained, every deletion is dropped (and the pass says why).
pub fn brake(ops: Vec<Op>, removals: &Removals) -> Vec<Op> {
    let explained = |op: &Op| match op {
        Op::Delete {
            key,
            namespace,
            reason,
            ..
        } => match reason {
            Reason::RegistryDeleted => removals.registries.contains(key),
            Reason::NamespaceLeft => removals
                .namespaces
                .contains(&(key.0.clone(), namespace.clone())),
        },
        _ => true,
    };
    let deletes = ops
        .iter()
        .filter(|op| matches!(op, Op::Delete { .. }))
        .count();
    let unexplained = ops.iter().filter(|op| !explained(op)).count();
    if unexplained == 0 {
        return ops;
    }
    tracing::error!(
        deletes,
        unexplained,
        "this pass would delete copies that no recorded action explains; it deletes none of them"
    );
    ops.into_iter()
        .filter(|op| !matches!(op, Op::Delete { .. }))
        .collect()
}

impl Reconciler {
    /// Publishes the registries whose source is lost; a registry that
    /// becomes lost is logged and audited once, and again when it recovers.
    pub(super) async fn report_lost(&self, plan: &Plan) {
        let before = std::mem::replace(
            &mut *self.lost.write().expect("lost lock"),
            plan.lost.clone(),
        );
        for (key, namespaces) in &plan.lost {
            if !before.contains_key(key) {
                tracing::error!(project = %key.0, registry = %key.1, copies = namespaces.len(),
                    "the source of a project registry is missing and nothing recorded its deletion; its copies are kept (restore the source from a copy)");
                self.record_lost(key, namespaces, true).await;
            }
        }
        for key in before.keys().filter(|k| !plan.lost.contains_key(*k)) {
            tracing::info!(project = %key.0, registry = %key.1, "the source of a project registry is back");
            self.record_lost(key, &[], false).await;
        }
        if !plan.unexplained.is_empty() {
            tracing::warn!(copies = ?plan.unexplained, "copies outside their project with no recorded removal are kept");
        }
    }

    async fn record_lost(&self, key: &RegistryKey, namespaces: &[String], lost: bool) {
        let Some(audit) = &self.audit else { return };
        let event = NewEvent {
            actor: Actor::System("system:reconciler".into()),
            origin: Origin::default(),
            action: if lost {
                "registry.source.lost"
            } else {
                "registry.source.found"
            }
            .into(),
            target: AuditTarget::registry(Some(&key.0), None, &key.1),
            outcome: if lost {
                Outcome::Error
            } else {
                Outcome::Success
            },
            status_code: None,
            details: json!({ "copies_kept": namespaces }),
        };
        if let Err(e) = audit.append(event).await {
            tracing::error!(error = %e, "could not record a lost source");
        }
    }
}
