//! Merging an applied configuration into a live object, and removing paths from one.
//!
//! Maps merge key by key; associative lists (see [`super::fieldset::list_keys`]) merge
//! item by item on their key fields, the applied items first in their order, then the
//! live-only items; sets are united; everything else the applied value replaces.

use serde_json::Value;

use super::fieldset::{key_element, list_keys, Path};

/// `live` with `applied` merged in.
pub fn merge(live: &Value, applied: &Value) -> Value {
    merge_field("", live, applied)
}

fn merge_field(field: &str, live: &Value, applied: &Value) -> Value {
    match (live, applied) {
        (Value::Object(l), Value::Object(a)) => {
            let mut out = l.clone();
            for (k, v) in a {
                let merged = match l.get(k) {
                    Some(old) => merge_field(k, old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(l), Value::Array(a)) if !a.is_empty() => match list_keys(field, &a[0]) {
            Some(keys) => {
                let id = |item: &Value| key_element(keys, item);
                let mut out: Vec<Value> = a
                    .iter()
                    .map(|item| match l.iter().find(|old| id(old) == id(item)) {
                        Some(old) => merge_field("", old, item),
                        None => item.clone(),
                    })
                    .collect();
                out.extend(
                    l.iter()
                        .filter(|old| !a.iter().any(|i| id(i) == id(old)))
                        .cloned(),
                );
                Value::Array(out)
            }
            None if field == "finalizers" => {
                let mut out = l.clone();
                out.extend(a.iter().filter(|v| !l.contains(v)).cloned());
                Value::Array(out)
            }
            None => applied.clone(),
        },
        _ => applied.clone(),
    }
}

/// Removes every path in `paths` from `object` (list items by their key or value).
pub fn remove_paths(object: &mut Value, paths: &[Path]) {
    for path in paths {
        let (first, rest) = match path.split_first() {
            Some(split) => split,
            None => continue,
        };
        remove(object, first, rest);
    }
}

fn remove(node: &mut Value, element: &str, rest: &[String]) {
    if let Some(field) = element.strip_prefix("f:") {
        let Some(map) = node.as_object_mut() else {
            return;
        };
        match rest.split_first() {
            None => {
                map.remove(field);
            }
            Some((next, tail)) => {
                if let Some(child) = map.get_mut(field) {
                    remove_in(child, field, next, tail);
                }
            }
        }
    }
}

/// Removes `element` (+`rest`) inside `child`, the value of field `field`.
fn remove_in(child: &mut Value, field: &str, element: &str, rest: &[String]) {
    if element.starts_with("f:") {
        remove(child, element, rest);
        return;
    }
    let Some(items) = child.as_array_mut() else {
        return;
    };
    let position = items.iter().position(|item| {
        if let Some(value) = element.strip_prefix("v:") {
            return serde_json::from_str::<Value>(value).ok().as_ref() == Some(item);
        }
        list_keys(field, item).is_some_and(|keys| key_element(keys, item) == element)
    });
    let Some(index) = position else {
        return;
    };
    match rest.split_first() {
        None => {
            items.remove(index);
        }
        Some((next, tail)) => remove(&mut items[index], next, tail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_merge_by_key() {
        let live = json!({"spec": {"containers": [{"name": "a", "image": "1", "args": ["x"]}, {"name": "side", "image": "s"}]}});
        let applied = json!({"spec": {"containers": [{"name": "a", "image": "2"}]}});
        let merged = merge(&live, &applied);
        assert_eq!(
            merged["spec"]["containers"],
            json!([{"name": "a", "image": "2", "args": ["x"]}, {"name": "side", "image": "s"}])
        );
        let mut pruned = merged.clone();
        remove_paths(
            &mut pruned,
            &[vec![
                "f:spec".into(),
                "f:containers".into(),
                "k:{\"name\":\"side\"}".into(),
            ]],
        );
        assert_eq!(pruned["spec"]["containers"].as_array().unwrap().len(), 1);
    }
}
