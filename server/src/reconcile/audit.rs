//! One audit event per registry per pass that changed something, with actor
//! `system:reconciler`: which namespaces got a copy, an update, lost a copy,
//! hit a conflict or failed.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::apply::Outcome;
use super::plan::RegistryKey;
use super::state::{Action, CopyState};
use crate::audit::{Actor, AuditLog, AuditTarget, NewEvent, Origin, Outcome as AuditOutcome};

/// Records the outcomes of one pass.
pub async fn record_pass(audit: &AuditLog, outcomes: &[Outcome]) {
    let mut by_registry: BTreeMap<&RegistryKey, Vec<&Outcome>> = BTreeMap::new();
    for outcome in outcomes.iter().filter(|o| o.action != Action::Retry) {
        by_registry.entry(&outcome.key).or_default().push(outcome);
    }
    for (key, outcomes) in by_registry {
        let list = |action: Action| -> Vec<&str> {
            outcomes
                .iter()
                .filter(|o| o.action == action)
                .map(|o| o.namespace.as_str())
                .collect()
        };
        let conflicts: Vec<Value> = outcomes
            .iter()
            .filter_map(|o| match &o.state {
                CopyState::Conflict { secret_type } => {
                    Some(json!({"namespace": o.namespace, "type": secret_type}))
                }
                _ => None,
            })
            .collect();
        let errors: Vec<Value> = outcomes
            .iter()
            .filter(|o| o.action == Action::Failed)
            .map(|o| match &o.state {
                CopyState::Error { message } => {
                    json!({"namespace": o.namespace, "message": message})
                }
                _ => json!({"namespace": o.namespace}),
            })
            .collect();
        let outcome = if !errors.is_empty() {
            AuditOutcome::Error
        } else if !conflicts.is_empty() {
            AuditOutcome::Conflict
        } else {
            AuditOutcome::Success
        };
        let event = NewEvent {
            actor: Actor::System("system:reconciler".into()),
            origin: Origin::default(),
            action: "registry.sync".into(),
            target: AuditTarget::registry(Some(&key.0), None, &key.1),
            outcome,
            status_code: None,
            details: json!({
                "created": list(Action::Created),
                "updated": list(Action::Updated),
                "deleted": list(Action::Deleted),
                "conflicts": conflicts,
                "errors": errors,
            }),
        };
        if let Err(e) = audit.append(event).await {
            tracing::error!(error = %e, registry = %key.1, "could not record the reconcile pass");
        }
    }
}
