//! Validation of the kinds beyond core secrets and pods: the name rules of Services
//! (DNS-1035 labels) and RBAC objects (path segments), and a binding's immutable `roleRef`.

use serde_json::Value;

use crate::resource::Resource;
use crate::status::Cause;

const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', \
start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', \
regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// Problems with `name` as a DNS-1035 label (Service names).
pub fn dns1035_errors(name: &str) -> Vec<String> {
    let b = name.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-';
    let ok = b.first().is_some_and(u8::is_ascii_lowercase)
        && b.last()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && b.iter().all(inner);
    let mut errors = Vec::new();
    if name.len() > 63 {
        errors.push("must be no more than 63 characters".to_string());
    }
    if !ok {
        errors.push(DNS1035_MSG.to_string());
    }
    errors
}

/// Problems with `name` as a path segment (RBAC object names, which may hold `:`).
pub fn path_segment_errors(name: &str) -> Vec<String> {
    let mut errors = Vec::new();
    match name {
        "." => errors.push("may not be '.'".to_string()),
        ".." => errors.push("may not be '..'".to_string()),
        _ => {
            for c in ['/', '%'] {
                if name.contains(c) {
                    errors.push(format!("may not contain '{c}'"));
                }
            }
        }
    }
    errors
}

/// The name rule of `resource`, if it is not the usual subdomain or label.
pub fn name_errors(resource: Resource, name: &str) -> Option<Vec<String>> {
    match resource {
        Resource::Service => Some(dns1035_errors(name)),
        Resource::Role
        | Resource::RoleBinding
        | Resource::ClusterRole
        | Resource::ClusterRoleBinding => Some(path_segment_errors(name)),
        _ => None,
    }
}

/// A binding's `roleRef` may not change.
pub fn binding_causes(object: &Value, old: Option<&Value>) -> Vec<Cause> {
    let role_ref = object.get("roleRef");
    let mut causes = Vec::new();
    if role_ref
        .and_then(|r| r.get("name"))
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        causes.push(Cause::required("roleRef.name", ""));
    }
    if let Some(old) = old {
        if old.get("roleRef") != role_ref {
            let text = |k: &str| {
                role_ref
                    .and_then(|r| r.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            causes.push(Cause {
                reason: "FieldValueInvalid",
                field: "roleRef".into(),
                message: format!(
                    "Invalid value: rbac.RoleRef{{APIGroup:{:?}, Kind:{:?}, Name:{:?}}}: cannot change roleRef",
                    text("apiGroup"),
                    text("kind"),
                    text("name")
                ),
            });
        }
    }
    causes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names() {
        assert!(dns1035_errors("regboard").is_empty());
        assert_eq!(dns1035_errors("1abc"), vec![DNS1035_MSG.to_string()]);
        assert!(path_segment_errors("system:regboard").is_empty());
        assert_eq!(path_segment_errors("a/b"), vec!["may not contain '/'"]);
    }

    #[test]
    fn role_ref_is_immutable() {
        let old = json!({"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "a"}});
        let new = json!({"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "b"}});
        assert!(binding_causes(&old, Some(&old)).is_empty());
        let causes = binding_causes(&new, Some(&old));
        assert!(
            causes[0].message.ends_with("cannot change roleRef"),
            "{causes:?}"
        );
    }
}
