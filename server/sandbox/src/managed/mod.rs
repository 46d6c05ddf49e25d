//! `metadata.managedFields` and server-side apply, as kube-apiserver's field manager keeps
//! them (a simplified structured-merge-diff):
//!
//! ```text
//! create / update / patch by manager M (operation Update):
//!   compare(live, new) ─▶ M owns what it added or changed; other managers lose those
//!   fields; every manager loses what was removed
//! apply by manager M (application/apply-patch+yaml, operation Apply):
//!   merged = merge(live, applied)            maps by key, associative lists by item key
//!   M's set := fields(applied); fields M applied before, no longer applies and nobody
//!   else owns are removed from merged
//!   conflicts = other managers' fields ∩ fields whose value changes
//!     ├─ none, or force=true ─▶ others lose them; merged is written
//!     └─ otherwise ──────────▶ 409 Conflict "Apply failed with N conflict(s): ..."
//! entries that differ from the stored ones only in `time` keep the stored ones, so a
//! no-op write stays a no-op
//! ```

pub mod fieldset;
mod merge;

use std::collections::BTreeMap;

use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::resource::Resource;
use crate::status::{ApiStatus, Cause};
use fieldset::{FieldSet, Path};

/// One managedFields entry.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    fields: FieldSet,
}

impl Entry {
    fn same_owner(&self, manager: &str, operation: &str) -> bool {
        self.manager == manager && self.operation == operation
    }

    /// How conflict messages name this manager: `"m"`, or `"m" using v1` for an updater.
    fn printed(&self) -> String {
        if self.operation == "Update" {
            format!("{:?} using {}", self.manager, self.api_version)
        } else {
            format!("{:?}", self.manager)
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "time": self.time,
            "fieldsType": "FieldsV1",
            "fieldsV1": fieldset::to_fields_v1(&self.fields),
        })
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn entries(object: &Value) -> Vec<Entry> {
    let text = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| Entry {
            manager: text(e, "manager"),
            operation: text(e, "operation"),
            api_version: text(e, "apiVersion"),
            time: text(e, "time"),
            fields: fieldset::from_fields_v1(e.get("fieldsV1").unwrap_or(&Value::Null)),
        })
        .collect()
}

/// Stores `new` entries into `object`, keeping the `old` ones when only times differ.
fn store(object: &mut Value, old: Vec<Entry>, mut new: Vec<Entry>) {
    new.retain(|e| !e.fields.is_empty());
    let strip = |v: &[Entry]| -> Vec<Entry> {
        v.iter()
            .map(|e| Entry {
                time: String::new(),
                ..e.clone()
            })
            .collect()
    };
    let kept = if strip(&old) == strip(&new) { old } else { new };
    let list: Vec<Value> = kept.iter().map(Entry::to_json).collect();
    crate::object::set_meta(object, "managedFields", Value::Array(list));
}

/// The paths whose value differs between `live` and `new` (added or changed), and those
/// only `live` has.
fn compare(live: &Value, new: &Value) -> (FieldSet, FieldSet) {
    let before = fieldset::leaves(live);
    let after = fieldset::leaves(new);
    let changed = after
        .iter()
        .filter(|(p, v)| before.get(*p).is_none_or(|old| old != *v))
        .map(|(p, _)| p.clone())
        .collect();
    let removed = before
        .keys()
        .filter(|p| !after.contains_key(*p))
        .cloned()
        .collect();
    (changed, removed)
}

/// Records an Update by `manager` that turns `live` (absent on create) into `new`.
pub fn track_update(resource: Resource, live: Option<&Value>, new: &mut Value, manager: &str) {
    let old = match live {
        Some(live) => entries(live),
        None => Vec::new(),
    };
    let given = entries(new);
    let base = if given.is_empty() { old.clone() } else { given };
    let empty = json!({});
    let (changed, removed) = compare(live.unwrap_or(&empty), new);
    let mut next = base;
    for entry in &mut next {
        entry
            .fields
            .retain(|p| !changed.contains(p) && !removed.contains(p));
    }
    let api_version = resource.api_version();
    match next.iter_mut().find(|e| e.same_owner(manager, "Update")) {
        Some(mine) => {
            mine.fields.extend(changed);
            mine.time = now();
            mine.api_version = api_version;
        }
        None => next.push(Entry {
            manager: manager.to_string(),
            operation: "Update".into(),
            api_version,
            time: now(),
            fields: changed,
        }),
    }
    store(new, old, next);
}

/// The conflict error kube-apiserver answers an apply with.
fn conflict_error(conflicts: &[(String, Path)]) -> ApiStatus {
    let message = match conflicts {
        [(manager, path)] => format!(
            "Apply failed with 1 conflict: conflict with {manager}: {}",
            fieldset::display(path)
        ),
        many => {
            let mut by_manager: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for (manager, path) in many {
                by_manager
                    .entry(manager)
                    .or_default()
                    .push(format!("- {}", fieldset::display(path)));
            }
            let lines: Vec<String> = by_manager
                .into_iter()
                .map(|(m, paths)| format!("conflicts with {m}:\n{}", paths.join("\n")))
                .collect();
            format!(
                "Apply failed with {} conflicts: {}",
                many.len(),
                lines.join("\n")
            )
        }
    };
    let mut status = ApiStatus::new(409, "Conflict", message);
    status.details_mut().causes = conflicts
        .iter()
        .map(|(manager, path)| Cause {
            reason: "FieldManagerConflict",
            field: fieldset::display(path),
            message: format!("conflict with {manager}"),
        })
        .collect();
    status
}

/// Server-side apply of `applied` by `manager` onto `live` (`None`: the object is
/// created); returns the object to write, with its managedFields.
pub fn apply(
    resource: Resource,
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
) -> Result<Value, ApiStatus> {
    let empty = json!({});
    let live_object = live.unwrap_or(&empty);
    let old = entries(live_object);
    let mut merged = merge::merge(live_object, applied);
    let applied_set = fieldset::of(applied);
    let previous = old
        .iter()
        .find(|e| e.same_owner(manager, "Apply"))
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let others: Vec<&Entry> = old
        .iter()
        .filter(|e| !e.same_owner(manager, "Apply"))
        .collect();
    let orphaned: Vec<Path> = previous
        .iter()
        .filter(|p| !applied_set.contains(*p) && !others.iter().any(|e| e.fields.contains(*p)))
        .cloned()
        .collect();
    merge::remove_paths(&mut merged, &orphaned);
    let (changed, removed) = compare(live_object, &merged);
    let conflicts: Vec<(String, Path)> = others
        .iter()
        .flat_map(|e| {
            e.fields
                .iter()
                .filter(|p| changed.contains(*p) && applied_set.contains(*p))
                .map(|p| (e.printed(), p.clone()))
        })
        .collect();
    if !conflicts.is_empty() && !force {
        return Err(conflict_error(&conflicts));
    }
    let mut next: Vec<Entry> = old
        .iter()
        .filter(|e| !e.same_owner(manager, "Apply"))
        .cloned()
        .map(|mut e| {
            e.fields.retain(|p| {
                !(removed.contains(p) || (changed.contains(p) && applied_set.contains(p)))
            });
            e
        })
        .collect();
    next.push(Entry {
        manager: manager.to_string(),
        operation: "Apply".into(),
        api_version: resource.api_version(),
        time: now(),
        fields: applied_set,
    });
    store(&mut merged, old, next);
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn managers(object: &Value) -> Vec<(String, String)> {
        entries(object)
            .into_iter()
            .map(|e| (e.manager, e.operation))
            .collect()
    }

    #[test]
    fn apply_conflicts_and_force() {
        let first = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "1", "a": "x"}});
        let live = apply(Resource::ConfigMap, None, &first, "alice", false).unwrap();
        let same = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "1"}});
        let shared = apply(Resource::ConfigMap, Some(&live), &same, "bob", false).unwrap();
        assert_eq!(managers(&shared).len(), 2);
        let other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "2"}});
        let err = apply(Resource::ConfigMap, Some(&live), &other, "bob", false).unwrap_err();
        assert_eq!(err.code, 409);
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"alice\": .data.k"
        );
        assert_eq!(err.causes()[0].field, ".data.k");
        let forced = apply(Resource::ConfigMap, Some(&live), &other, "bob", true).unwrap();
        assert_eq!(forced["data"], json!({"k": "2", "a": "x"}));
    }

    #[test]
    fn apply_removes_what_it_stopped_applying() {
        let first = json!({"metadata": {"name": "c"}, "data": {"k": "1", "gone": "x"}});
        let live = apply(Resource::ConfigMap, None, &first, "alice", false).unwrap();
        let second = json!({"metadata": {"name": "c"}, "data": {"k": "1"}});
        let next = apply(Resource::ConfigMap, Some(&live), &second, "alice", false).unwrap();
        assert_eq!(next["data"], json!({"k": "1"}));
    }

    #[test]
    fn updates_take_ownership_and_noops_keep_times() {
        let mut created = json!({"metadata": {"name": "c"}, "data": {"k": "1"}});
        track_update(
            Resource::ConfigMap,
            None,
            &mut created,
            "kubectl-client-side-apply",
        );
        let applied = json!({"metadata": {"name": "c"}, "data": {"k": "2"}});
        let err = apply(
            Resource::ConfigMap,
            Some(&created),
            &applied,
            "kubectl",
            false,
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.k"
        );
        let mut again = created.clone();
        track_update(
            Resource::ConfigMap,
            Some(&created),
            &mut again,
            "kubectl-client-side-apply",
        );
        assert_eq!(again, created);
    }
}
