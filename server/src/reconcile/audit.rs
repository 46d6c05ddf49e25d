//! At most one audit event per registry per pass, with actor
//! `system:reconciler`, and only when the pass changed something: which
//! namespaces got a copy, an update, lost a copy, hit a conflict, started
//! failing, failed differently or stopped failing.
//!
//! A failure that repeats (the same 403 pass after pass) is recorded when it
//! starts, when its message changes and when it ends, never once per pass:
//! [`OpenFailures`] remembers what the audit log has already been told.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{json, Value};

use super::apply::Outcome;
use super::plan::RegistryKey;
use super::state::{Action, CopyState};
use crate::audit::{Actor, AuditLog, AuditTarget, NewEvent, Origin, Outcome as AuditOutcome};

/// Where a copy is: registry and namespace.
type At = (RegistryKey, String);

/// Failures already recorded and not yet recorded as over, with their message.
#[derive(Debug, Default)]
pub struct OpenFailures(HashMap<At, String>);

/// What one registry's audit row of a pass says.
#[derive(Debug, Default)]
struct Row {
    created: Vec<String>,
    updated: Vec<String>,
    deleted: Vec<String>,
    conflicts: Vec<Value>,
    errors: Vec<Value>,
    recovered: Vec<String>,
}

impl Row {
    fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.updated.is_empty()
            && self.deleted.is_empty()
            && self.conflicts.is_empty()
            && self.errors.is_empty()
            && self.recovered.is_empty()
    }

    fn outcome(&self) -> AuditOutcome {
        if !self.errors.is_empty() {
            AuditOutcome::Error
        } else if !self.conflicts.is_empty() {
            AuditOutcome::Conflict
        } else {
            AuditOutcome::Success
        }
    }
}

/// Records the outcomes of one pass, leaving out failures already recorded.
pub async fn record_pass(audit: &AuditLog, outcomes: &[Outcome], open: &mut OpenFailures) {
    for (key, row) in rows(outcomes, open) {
        if row.is_empty() {
            continue;
        }
        let event = NewEvent {
            actor: Actor::System("system:reconciler".into()),
            origin: Origin::default(),
            action: "registry.sync".into(),
            target: AuditTarget::registry(Some(&key.0), None, &key.1),
            outcome: row.outcome(),
            status_code: None,
            details: json!({
                "created": row.created,
                "updated": row.updated,
                "deleted": row.deleted,
                "conflicts": row.conflicts,
                "errors": row.errors,
                "recovered": row.recovered,
            }),
        };
        if let Err(e) = audit.append(event).await {
            tracing::error!(error = %e, registry = %key.1, "could not record the reconcile pass");
        }
    }
}

/// Sorts a pass's outcomes into rows per registry and updates `open`.
fn rows(outcomes: &[Outcome], open: &mut OpenFailures) -> BTreeMap<RegistryKey, Row> {
    let mut rows: BTreeMap<RegistryKey, Row> = BTreeMap::new();
    let mut seen: HashSet<At> = HashSet::new();
    for o in outcomes {
        let at = (o.key.clone(), o.namespace.clone());
        seen.insert(at.clone());
        if o.action == Action::Retry {
            continue;
        }
        let row = rows.entry(o.key.clone()).or_default();
        if let (Action::Failed, CopyState::Error { message }) = (o.action, &o.state) {
            let previous = open.0.insert(at, message.clone());
            match previous {
                Some(was) if &was == message => {}
                Some(was) => row
                    .errors
                    .push(json!({"namespace": o.namespace, "message": message, "previously": was})),
                None => row
                    .errors
                    .push(json!({"namespace": o.namespace, "message": message})),
            }
            continue;
        }
        if open.0.remove(&at).is_some() {
            row.recovered.push(o.namespace.clone());
        }
        match (o.action, &o.state) {
            (Action::Created, _) => row.created.push(o.namespace.clone()),
            (Action::Updated, _) => row.updated.push(o.namespace.clone()),
            (Action::Deleted, _) => row.deleted.push(o.namespace.clone()),
            (Action::Conflict, CopyState::Conflict { secret_type, .. }) => row
                .conflicts
                .push(json!({"namespace": o.namespace, "type": secret_type})),
            _ => {}
        }
    }
    // A failure no operation of this pass retried is over: the copy was
    // fixed another way, or the registry or the namespace is gone.
    open.0.retain(|at, _| {
        let still = seen.contains(at);
        if !still {
            rows.entry(at.0.clone())
                .or_default()
                .recovered
                .push(at.1.clone());
        }
        still
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(ns: &str, action: Action, state: CopyState) -> Outcome {
        Outcome {
            key: ("payments".into(), "ghcr".into()),
            is_state: true,
            namespace: ns.into(),
            state,
            action,
        }
    }

    fn failed(ns: &str, message: &str) -> Outcome {
        let state = CopyState::Error {
            message: message.into(),
        };
        outcome(ns, Action::Failed, state)
    }

    fn only_row(rows: BTreeMap<RegistryKey, Row>) -> Row {
        rows.into_values().next().expect("one row")
    }

    #[test]
    fn a_repeated_failure_is_recorded_when_it_starts_changes_and_ends() {
        let mut open = OpenFailures::default();
        let first = only_row(rows(&[failed("prod", "403 Forbidden")], &mut open));
        assert_eq!(first.errors.len(), 1);
        for _ in 0..100 {
            let again = only_row(rows(&[failed("prod", "403 Forbidden")], &mut open));
            assert!(again.is_empty(), "{again:?}");
        }
        let changed = only_row(rows(&[failed("prod", "500 boom")], &mut open));
        assert_eq!(changed.errors[0]["previously"], "403 Forbidden");
        let fixed = [outcome("prod", Action::Created, CopyState::Synced)];
        let ended = only_row(rows(&fixed, &mut open));
        assert_eq!(ended.recovered, ["prod"]);
        assert_eq!(ended.created, ["prod"]);
        assert!(open.0.is_empty());
    }

    #[test]
    fn a_failure_nothing_retries_any_more_is_recorded_as_over() {
        let mut open = OpenFailures::default();
        rows(&[failed("prod", "403 Forbidden")], &mut open);
        let ended = only_row(rows(&[], &mut open));
        assert_eq!(ended.recovered, ["prod"]);
        assert!(rows(&[], &mut open).is_empty());
    }

    #[test]
    fn a_retry_keeps_a_failure_open_without_a_row() {
        let mut open = OpenFailures::default();
        rows(&[failed("prod", "403 Forbidden")], &mut open);
        let retry = [outcome("prod", Action::Retry, CopyState::Pending)];
        assert!(rows(&retry, &mut open).is_empty());
        assert_eq!(open.0.len(), 1);
    }
}
