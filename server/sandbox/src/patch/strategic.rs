//! Strategic merge patch, as kubectl computes it from the built-in Go types:
//!
//! ```text
//! map            keys merge recursively; null or {"$patch":"delete"} removes a key;
//!                {"$patch":"replace"} replaces the map; "$retainKeys": [..] keeps only those
//! list with a    items merge by their merge key (containers by name, container ports by
//! merge key      containerPort, service ports by port, volumeMounts by mountPath, ...);
//!                {"$patch":"delete", key: v} removes an item; [{"$patch":"replace"}, ..]
//!                replaces the list; "$setElementOrder/<list>" orders the result
//! finalizers     a set: patch values are added; "$deleteFromPrimitiveList/finalizers" removes
//! other lists    replaced by the patch
//! ```

use serde_json::{Map, Value};

/// The merge key of list `field` whose items look like `item`, if the list merges.
fn merge_key(field: &str, item: &Value) -> Option<&'static str> {
    crate::lists::item_keys(field, item).map(|keys| keys[0])
}

/// Lists of scalars that merge as sets.
fn is_primitive_set(field: &str) -> bool {
    field == "finalizers"
}

/// Applies a strategic merge `patch` to `target` (both JSON values).
pub fn apply(target: &mut Value, patch: &Value) {
    merge_value("", target, patch);
}

fn merge_value(field: &str, target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(patch_map) => merge_map(target, patch_map),
        Value::Array(items) => merge_list(field, target, items),
        other => *target = other.clone(),
    }
}

fn merge_map(target: &mut Value, patch: &Map<String, Value>) {
    match patch.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            let mut replacement = patch.clone();
            replacement.remove("$patch");
            *target = Value::Object(replacement);
            return;
        }
        Some("delete") => {
            *target = Value::Null;
            return;
        }
        _ => {}
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(map) = target.as_object_mut() else {
        return;
    };
    for (key, value) in patch {
        if key.starts_with('$') {
            continue;
        }
        let deletes =
            value.is_null() || value.get("$patch").and_then(Value::as_str) == Some("delete");
        if deletes {
            map.remove(key);
        } else {
            merge_value(key, map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
    for (key, value) in patch {
        if let Some(list) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(items)), Some(doomed)) = (map.get_mut(list), value.as_array())
            {
                items.retain(|v| !doomed.contains(v));
            }
        }
        if let Some(list) = key.strip_prefix("$setElementOrder/") {
            if let (Some(current), Some(order)) = (map.get_mut(list), value.as_array()) {
                reorder(list, current, order);
            }
        }
    }
    if let Some(retained) = patch.get("$retainKeys").and_then(Value::as_array) {
        map.retain(|k, _| retained.iter().any(|r| r.as_str() == Some(k)));
    }
}

fn merge_list(field: &str, target: &mut Value, items: &[Value]) {
    let replace = items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"));
    let key = items.first().and_then(|i| merge_key(field, i));
    let current = match target {
        Value::Array(current) if !replace => current,
        _ => {
            let kept = items.iter().filter(|i| i.get("$patch").is_none()).cloned();
            *target = Value::Array(kept.collect());
            return;
        }
    };
    if is_primitive_set(field) {
        for item in items {
            if !current.contains(item) {
                current.push(item.clone());
            }
        }
        return;
    }
    let Some(key) = key.filter(|_| items.iter().all(Value::is_object)) else {
        *current = items.to_vec();
        return;
    };
    for item in items {
        let id = item.get(key);
        let position = current.iter().position(|c| c.get(key) == id);
        let deletes = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, deletes) {
            (Some(i), true) => {
                current.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => merge_value("", &mut current[i], item),
            (None, false) => {
                let mut added = Value::Null;
                merge_value("", &mut added, item);
                current.push(added);
            }
        }
    }
}

/// Orders `list` as `order` (items by merge key, or values); unlisted items keep their
/// relative order after the listed ones.
fn reorder(field: &str, list: &mut Value, order: &[Value]) {
    let Some(items) = list.as_array_mut() else {
        return;
    };
    let rank = |item: &Value| {
        order.iter().position(|o| match merge_key(field, item) {
            Some(key) if item.is_object() => o.get(key) == item.get(key),
            _ => o == item,
        })
    };
    items.sort_by_key(|item| rank(item).unwrap_or(usize::MAX));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_merge_by_name() {
        let mut deploy = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "x:1", "args": ["serve"]},
            {"name": "side", "image": "s"}
        ]}}}});
        let patch = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "side"}, {"name": "app"}],
            "containers": [{"name": "app", "args": ["serve", "--x"]}]
        }}}});
        apply(&mut deploy, &patch);
        assert_eq!(
            deploy["spec"]["template"]["spec"]["containers"],
            json!([{"name": "side", "image": "s"}, {"name": "app", "image": "x:1", "args": ["serve", "--x"]}])
        );
        apply(
            &mut deploy,
            &json!({"spec": {"template": {"spec": {"containers": [{"name": "side", "$patch": "delete"}]}}}}),
        );
        assert_eq!(
            deploy["spec"]["template"]["spec"]["containers"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn sets_retain_keys_and_plain_lists() {
        let mut obj = json!({"metadata": {"finalizers": ["a", "b"]}, "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}, "args": ["1"]}});
        apply(
            &mut obj,
            &json!({"metadata": {"finalizers": ["c"], "$deleteFromPrimitiveList/finalizers": ["a"]},
                    "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}, "args": ["2"]}}),
        );
        assert_eq!(obj["metadata"]["finalizers"], json!(["b", "c"]));
        assert_eq!(obj["spec"]["strategy"], json!({"type": "Recreate"}));
        assert_eq!(obj["spec"]["args"], json!(["2"]));
    }
}
