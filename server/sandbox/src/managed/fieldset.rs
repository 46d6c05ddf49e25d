//! Sets of field paths, as structured-merge-diff tracks them for managedFields.
//!
//! A path is a list of FieldsV1 elements: `f:<field>`, `k:<key fields as JSON>` (an item of
//! an associative list such as `containers`, keyed by `name`), `v:<value>` (an item of a
//! set such as `finalizers`) or `i:<index>`. Members are the leaves (scalars, atomic lists,
//! empty maps) and the items of associative lists and sets. `metadata.managedFields`, the
//! identity and bookkeeping fields of `metadata`, `apiVersion`, `kind` and `status` are
//! never tracked.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// One path into an object.
pub type Path = Vec<String>;

/// A set of paths.
pub type FieldSet = BTreeSet<Path>;

/// The metadata fields kube-apiserver's field manager strips before tracking.
const UNTRACKED_META: [&str; 9] = [
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "managedFields",
    "selfLink",
];

/// The key fields of the associative list `field` whose items look like `item`, if any
/// (and the item has the first of them).
pub fn list_keys(field: &str, item: &Value) -> Option<&'static [&'static str]> {
    crate::lists::item_keys(field, item).filter(|keys| item.get(keys[0]).is_some())
}

/// Whether the list `field` is a set of scalars.
fn is_set(field: &str) -> bool {
    field == "finalizers"
}

/// The `k:` element naming `item` of an associative list keyed by `keys`.
pub fn key_element(keys: &[&str], item: &Value) -> String {
    let mut key = Map::new();
    for k in keys {
        if let Some(v) = item.get(*k) {
            key.insert((*k).to_string(), v.clone());
        }
    }
    format!("k:{}", Value::Object(key))
}

/// Every member path of `object` with its value (`Null` for list items, whose own value
/// is not compared: their fields are).
pub fn leaves(object: &Value) -> BTreeMap<Path, Value> {
    let mut out = BTreeMap::new();
    if let Some(map) = object.as_object() {
        for (k, v) in map {
            match k.as_str() {
                "apiVersion" | "kind" | "status" => {}
                "metadata" => {
                    for (mk, mv) in v.as_object().into_iter().flatten() {
                        if !UNTRACKED_META.contains(&mk.as_str()) {
                            walk(
                                mk,
                                mv,
                                vec!["f:metadata".into(), format!("f:{mk}")],
                                &mut out,
                            );
                        }
                    }
                }
                _ => walk(k, v, vec![format!("f:{k}")], &mut out),
            }
        }
    }
    out
}

fn walk(field: &str, value: &Value, path: Path, out: &mut BTreeMap<Path, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let mut child = path.clone();
                child.push(format!("f:{k}"));
                walk(k, v, child, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            if let Some(keys) = list_keys(field, &items[0]) {
                for item in items {
                    let mut child = path.clone();
                    child.push(key_element(keys, item));
                    out.insert(child.clone(), Value::Null);
                    for (k, v) in item.as_object().into_iter().flatten() {
                        let mut grand = child.clone();
                        grand.push(format!("f:{k}"));
                        walk(k, v, grand, out);
                    }
                }
            } else if is_set(field) {
                for item in items {
                    let mut child = path.clone();
                    child.push(format!("v:{item}"));
                    out.insert(child, Value::Null);
                }
            } else {
                out.insert(path, value.clone());
            }
        }
        _ => {
            out.insert(path, value.clone());
        }
    }
}

/// The member paths of `object`.
pub fn of(object: &Value) -> FieldSet {
    leaves(object).into_keys().collect()
}

/// A set as FieldsV1 JSON: nested `f:`/`k:`/`v:` maps, `.` marking a member with children.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut node = &mut root;
        for element in path {
            let entry = node
                .entry(element.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            node = match entry {
                Value::Object(m) => m,
                _ => unreachable!("FieldsV1 nodes are objects"),
            };
        }
    }
    for path in set {
        mark_member(&mut root, path);
    }
    Value::Object(root)
}

/// Adds `.` to the node at `path` when it also has children.
fn mark_member(root: &mut Map<String, Value>, path: &[String]) {
    let mut node = root;
    for element in path {
        match node.get_mut(element) {
            Some(Value::Object(m)) => node = m,
            _ => return,
        }
    }
    if !node.is_empty() && !node.contains_key(".") {
        node.insert(".".into(), Value::Object(Map::new()));
    }
}

/// The paths of a FieldsV1 JSON value.
pub fn from_fields_v1(fields: &Value) -> FieldSet {
    let mut set = FieldSet::new();
    collect(fields, &mut Vec::new(), &mut set);
    set
}

fn collect(node: &Value, path: &mut Path, set: &mut FieldSet) {
    let Some(map) = node.as_object() else {
        return;
    };
    for (k, child) in map {
        if k == "." {
            set.insert(path.clone());
            continue;
        }
        path.push(k.clone());
        if child.as_object().is_none_or(Map::is_empty) {
            set.insert(path.clone());
        } else {
            collect(child, path, set);
        }
        path.pop();
    }
}

/// A path as structured-merge-diff prints it: `.spec.containers[name="app"].image`.
pub fn display(path: &[String]) -> String {
    let mut out = String::new();
    for element in path {
        let (tag, rest) = element.split_at(element.find(':').map_or(0, |i| i + 1));
        match tag {
            "f:" => {
                out.push('.');
                out.push_str(rest);
            }
            "k:" => {
                let key: Map<String, Value> = serde_json::from_str(rest).unwrap_or_default();
                let parts: Vec<String> = key.iter().map(|(k, v)| format!("{k}={v}")).collect();
                out.push_str(&format!("[{}]", parts.join(",")));
            }
            "v:" => out.push_str(&format!("[={rest}]")),
            "i:" => out.push_str(&format!("[{rest}]")),
            _ => out.push_str(element),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_of_a_deployment() {
        let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "labels": {"app": "a"}, "resourceVersion": "3"},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "app", "image": "x", "args": ["a", "b"], "ports": [{"containerPort": 80}]}
            ]}}},
            "status": {"replicas": 1}});
        let set = of(&deploy);
        let shown: Vec<String> = set.iter().map(|p| display(p)).collect();
        assert!(
            shown.contains(&".metadata.labels.app".to_string()),
            "{shown:?}"
        );
        assert!(shown.contains(&".spec.template.spec.containers[name=\"app\"]".to_string()));
        assert!(shown.contains(&".spec.template.spec.containers[name=\"app\"].args".to_string()));
        assert!(shown.contains(
            &".spec.template.spec.containers[name=\"app\"].ports[containerPort=80]".to_string()
        ));
        assert!(!shown
            .iter()
            .any(|s| s.starts_with(".status") || s.contains("resourceVersion")));
        let v1 = to_fields_v1(&set);
        let item = &v1["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"app\"}"];
        assert_eq!(item["."], json!({}));
        assert_eq!(item["f:image"], json!({}));
        assert_eq!(from_fields_v1(&v1), set);
    }

    #[test]
    fn data_keys_with_dots() {
        let set = of(&json!({"data": {".dockerconfigjson": "e30="}}));
        assert_eq!(
            display(set.iter().next().unwrap()),
            ".data..dockerconfigjson"
        );
    }
}
