//! Label and field selectors, parsed and matched as kube-apiserver does.
//!
//! Label selectors accept `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
//! `k` (exists) and `!k` (does not exist), comma-separated. Field selectors accept
//! `f=v`, `f==v`, `f!=v` over a per-resource set of fields.

use serde_json::Value;

use crate::resource::Resource;
use crate::status::ApiStatus;

/// One parsed label requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

/// Splits on commas that are not inside parentheses.
fn split_top_level(input: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in input.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&input[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return Err(format!("unbalanced parentheses in {input:?}"));
        }
    }
    if depth != 0 {
        return Err(format!("unbalanced parentheses in {input:?}"));
    }
    parts.push(&input[start..]);
    Ok(parts)
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 316
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

fn valid_value(value: &str) -> bool {
    value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

fn parse_set(key: &str, rest: &str, raw: &str) -> Result<Vec<String>, String> {
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| {
            format!("unable to parse requirement: {raw:?}: expected a (value, ...) set for {key:?}")
        })?;
    let values: Vec<String> = inner.split(',').map(|v| v.trim().to_string()).collect();
    if values.iter().any(|v| !valid_value(v)) {
        return Err(format!(
            "unable to parse requirement: {raw:?}: invalid label value"
        ));
    }
    Ok(values)
}

fn parse_requirement(raw: &str) -> Result<Requirement, String> {
    let req = raw.trim();
    let fail = |why: &str| format!("unable to parse requirement: {req:?}: {why}");
    if let Some(key) = req.strip_prefix('!') {
        let key = key.trim();
        return if valid_key(key) {
            Ok(Requirement::DoesNotExist(key.into()))
        } else {
            Err(fail("invalid label key"))
        };
    }
    for (op, not) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((key, value)) = req.split_once(op) {
            let (key, value) = (key.trim(), value.trim());
            if !valid_key(key) {
                return Err(fail("invalid label key"));
            }
            if !valid_value(value) {
                return Err(fail("invalid label value"));
            }
            return Ok(if not {
                Requirement::NotEquals(key.into(), value.into())
            } else {
                Requirement::Equals(key.into(), value.into())
            });
        }
    }
    if let Some((key, rest)) = req.split_once(char::is_whitespace) {
        let rest = rest.trim_start();
        let key = key.trim();
        if !valid_key(key) {
            return Err(fail("invalid label key"));
        }
        if let Some(set) = rest.strip_prefix("notin") {
            return Ok(Requirement::NotIn(key.into(), parse_set(key, set, req)?));
        }
        if let Some(set) = rest.strip_prefix("in") {
            return Ok(Requirement::In(key.into(), parse_set(key, set, req)?));
        }
        return Err(fail("expected one of '=', '==', '!=', 'in', 'notin'"));
    }
    if let Some(paren) = req.find('(') {
        return Err(fail(&format!("unexpected '(' at offset {paren}")));
    }
    if valid_key(req) {
        Ok(Requirement::Exists(req.into()))
    } else {
        Err(fail("invalid label key"))
    }
}

impl LabelSelector {
    /// Parses a `labelSelector` query value; the empty string selects everything.
    pub fn parse(input: &str) -> Result<LabelSelector, ApiStatus> {
        if input.trim().is_empty() {
            return Ok(LabelSelector::default());
        }
        let parts = split_top_level(input).map_err(ApiStatus::bad_request)?;
        let reqs = parts
            .into_iter()
            .map(parse_requirement)
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiStatus::bad_request)?;
        Ok(LabelSelector(reqs))
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, object: &Value) -> bool {
        let labels = object
            .pointer("/metadata/labels")
            .and_then(Value::as_object);
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|req| match req {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

/// A parsed field selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

/// The JSON pointer for a selectable field of a resource, if it is selectable.
fn field_pointer(resource: Resource, field: &str) -> Option<&'static str> {
    let common = match field {
        "metadata.name" => Some("/metadata/name"),
        "metadata.namespace" => Some("/metadata/namespace"),
        _ => None,
    };
    common.or(match (resource, field) {
        (Resource::Secret, "type") => Some("/type"),
        (Resource::Namespace, "status.phase") => Some("/status/phase"),
        (Resource::Pod, "spec.nodeName") => Some("/spec/nodeName"),
        (Resource::Pod, "status.phase") => Some("/status/phase"),
        (Resource::Event, "involvedObject.kind") => Some("/involvedObject/kind"),
        (Resource::Event, "involvedObject.name") => Some("/involvedObject/name"),
        (Resource::Event, "involvedObject.namespace") => Some("/involvedObject/namespace"),
        (Resource::Event, "involvedObject.uid") => Some("/involvedObject/uid"),
        (Resource::Event, "reason") => Some("/reason"),
        (Resource::Event, "type") => Some("/type"),
        (Resource::Event, "source") => Some("/source/component"),
        _ => None,
    })
}

impl FieldSelector {
    /// Parses a `fieldSelector` query value for `resource`.
    pub fn parse(resource: Resource, input: &str) -> Result<FieldSelector, ApiStatus> {
        let mut terms = Vec::new();
        for raw in input.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let parsed = ["!=", "==", "="].iter().find_map(|op| {
                raw.split_once(op)
                    .map(|(f, v)| (f.trim().to_string(), *op == "!=", v.trim().to_string()))
            });
            let Some((field, negated, value)) = parsed else {
                return Err(ApiStatus::bad_request(format!(
                    "invalid selector: '{input}'; can't understand '{raw}'"
                )));
            };
            if field_pointer(resource, &field).is_none() {
                return Err(ApiStatus::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
            terms.push((field, negated, value));
        }
        Ok(FieldSelector(terms))
    }

    /// Whether `object` (of `resource`) satisfies every term.
    pub fn matches(&self, resource: Resource, object: &Value) -> bool {
        self.0.iter().all(|(field, negated, value)| {
            let actual = field_pointer(resource, field)
                .and_then(|p| object.pointer(p))
                .and_then(Value::as_str)
                .unwrap_or("");
            (actual == value) != *negated
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "n1", "namespace": "ns", "labels": labels}, "type": "Opaque"})
    }

    #[test]
    fn equality_and_inequality() {
        let o = obj(json!({"app": "web", "tier": "front"}));
        assert!(LabelSelector::parse("app=web").unwrap().matches(&o));
        assert!(LabelSelector::parse("app==web,tier=front")
            .unwrap()
            .matches(&o));
        assert!(!LabelSelector::parse("app!=web").unwrap().matches(&o));
        assert!(LabelSelector::parse("missing!=x").unwrap().matches(&o));
    }

    #[test]
    fn set_based_and_existence() {
        let o = obj(json!({"env": "prod", "regboard.dev/project": "payments"}));
        assert!(LabelSelector::parse("env in (dev, prod)")
            .unwrap()
            .matches(&o));
        assert!(!LabelSelector::parse("env notin (prod)")
            .unwrap()
            .matches(&o));
        assert!(LabelSelector::parse("other notin (prod)")
            .unwrap()
            .matches(&o));
        assert!(LabelSelector::parse("regboard.dev/project")
            .unwrap()
            .matches(&o));
        assert!(!LabelSelector::parse("!regboard.dev/project")
            .unwrap()
            .matches(&o));
        assert!(LabelSelector::parse("!nope, env in (prod),env")
            .unwrap()
            .matches(&o));
        assert!(LabelSelector::parse("").unwrap().matches(&o));
    }

    #[test]
    fn bad_label_selectors_are_400() {
        for bad in [
            "env in prod",
            "env in (prod",
            "a b c",
            "=x",
            "app=bad value",
            "!",
        ] {
            let err = LabelSelector::parse(bad).expect_err(bad);
            assert_eq!(err.code, 400, "{bad}");
        }
    }

    #[test]
    fn field_selectors() {
        let o = obj(json!({}));
        let sel = FieldSelector::parse(Resource::Secret, "metadata.name=n1,type==Opaque").unwrap();
        assert!(sel.matches(Resource::Secret, &o));
        let sel = FieldSelector::parse(Resource::Secret, "metadata.namespace!=ns").unwrap();
        assert!(!sel.matches(Resource::Secret, &o));
        let err = FieldSelector::parse(Resource::Namespace, "type=Opaque").unwrap_err();
        assert_eq!(err.message, "field label not supported: type");
        assert_eq!(
            FieldSelector::parse(Resource::Secret, "nonsense")
                .unwrap_err()
                .code,
            400
        );
    }
}
