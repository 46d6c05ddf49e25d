//! One audit row per registry per pass that attached or detached it
//! somewhere, with actor `system:reconciler`. A failure that repeats pass
//! after pass is recorded when it starts, when its message changes and when
//! it ends, never once per pass.

use std::collections::{BTreeMap, HashMap};

use regboard_app::model::registries::Scope;
use serde_json::{json, Value};

use super::apply::{Done, Ended};
use super::settings::RegistryId;
use crate::audit::{Actor, AuditLog, AuditTarget, NewEvent, Origin, Outcome};

#[derive(Debug, Default)]
struct Row {
    attached: Vec<String>,
    detached: Vec<String>,
    errors: Vec<Value>,
    recovered: Vec<String>,
}

/// Records what `done` did; `before[i]` is the failure `done[i]`'s account
/// had before this pass.
pub async fn record(
    audit: &AuditLog,
    done: &[Done],
    before: &[Option<String>],
    seen: &HashMap<(String, String), RegistryId>,
) {
    for (id, row) in rows(done, before, seen) {
        let (project, namespace) = match &id.0 {
            Scope::Project { project } => (Some(project.as_str()), None),
            Scope::Namespace { namespace } => (None, Some(namespace.as_str())),
        };
        let outcome = if row.errors.is_empty() {
            Outcome::Success
        } else {
            Outcome::Error
        };
        let event = NewEvent {
            actor: Actor::System("system:reconciler".into()),
            origin: Origin::default(),
            action: "registry.attach".into(),
            target: AuditTarget::registry(project, namespace, &id.1),
            outcome,
            status_code: None,
            details: json!({
                "attached": row.attached,
                "detached": row.detached,
                "errors": row.errors,
                "recovered": row.recovered,
            }),
        };
        if let Err(e) = audit.append(event).await {
            tracing::error!(error = %e, registry = %id.1, "could not record the attach pass");
        }
    }
}

fn rows(
    done: &[Done],
    before: &[Option<String>],
    seen: &HashMap<(String, String), RegistryId>,
) -> BTreeMap<RegistryId, Row> {
    let mut rows: BTreeMap<RegistryId, Row> = BTreeMap::new();
    for (d, before) in done.iter().zip(before) {
        let ns = &d.change.namespace;
        let account = format!("{ns}/{}", d.change.account);
        let names = || d.change.added.iter().chain(&d.change.removed);
        match &d.result {
            Ended::Failed(message) if before.as_ref() != Some(message) => {
                for name in names() {
                    let error = json!({"account": account, "message": message});
                    row(&mut rows, seen, ns, name).errors.push(error);
                }
            }
            Ended::Failed(_) => {}
            result => {
                if matches!(result, Ended::Written { .. }) {
                    for name in &d.change.added {
                        row(&mut rows, seen, ns, name)
                            .attached
                            .push(account.clone());
                    }
                    for name in &d.change.removed {
                        row(&mut rows, seen, ns, name)
                            .detached
                            .push(account.clone());
                    }
                }
                if before.is_some() {
                    for name in names() {
                        row(&mut rows, seen, ns, name)
                            .recovered
                            .push(account.clone());
                    }
                }
            }
        }
    }
    rows
}

fn row<'a>(
    rows: &'a mut BTreeMap<RegistryId, Row>,
    seen: &HashMap<(String, String), RegistryId>,
    ns: &str,
    name: &str,
) -> &'a mut Row {
    rows.entry(id_of(seen, ns, name)).or_default()
}

/// The registry a Secret name in `ns` belonged to when last seen; a name
/// never seen (regboard restarted since) is named as a namespace registry.
fn id_of(seen: &HashMap<(String, String), RegistryId>, ns: &str, name: &str) -> RegistryId {
    seen.get(&(ns.to_owned(), name.to_owned()))
        .cloned()
        .unwrap_or_else(|| {
            let scope = Scope::Namespace {
                namespace: ns.to_owned(),
            };
            (scope, name.to_owned())
        })
}
