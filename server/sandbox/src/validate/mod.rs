//! Object validation, with kube-apiserver's field paths and wording.

mod kinds;

use base64::Engine as _;
use serde_json::Value;

use crate::resource::Resource;
use crate::status::{ApiStatus, Cause};

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for \
validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', \
and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for \
validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const CONFIG_KEY_MSG: &str =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' \
(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
/// The maximum total size of a Secret's data, as enforced by kube-apiserver.
pub const MAX_SECRET_SIZE: usize = 1024 * 1024;

fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.first().is_some_and(edge)
        && b.last().is_some_and(edge)
        && b.iter().all(|c| edge(c) || *c == b'-')
}

/// Problems with `name` as an RFC 1123 label (namespace names), worded as the apiserver does.
pub fn label_name_errors(name: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if name.len() > 63 {
        errors.push("must be no more than 63 characters".to_string());
    }
    if !is_label(name) {
        errors.push(LABEL_MSG.to_string());
    }
    errors
}

/// Problems with `name` as an RFC 1123 subdomain (most object names).
pub fn subdomain_name_errors(name: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if name.len() > 253 {
        errors.push("must be no more than 253 characters".to_string());
    }
    if !name.split('.').all(is_label) {
        errors.push(SUBDOMAIN_MSG.to_string());
    }
    errors
}

fn name_causes(resource: Resource, name: &str, generated: bool) -> Vec<Cause> {
    let field = if generated {
        "metadata.generateName"
    } else {
        "metadata.name"
    };
    let errors = match resource {
        Resource::Namespace => label_name_errors(name),
        _ => kinds::name_errors(resource, name).unwrap_or_else(|| subdomain_name_errors(name)),
    };
    errors
        .iter()
        .map(|e| Cause::invalid(field, name, e))
        .collect()
}

fn is_config_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
}

fn qualified_name_ok(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    name_ok && prefix.is_none_or(|p| subdomain_name_errors(p).is_empty())
}

fn label_causes(object: &Value) -> Vec<Cause> {
    let Some(labels) = object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut causes = Vec::new();
    for (key, value) in labels {
        if !qualified_name_ok(key) {
            causes.push(Cause::invalid(
                "metadata.labels",
                key,
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            ));
        }
        let value = value.as_str().unwrap_or("");
        let value_ok = value.is_empty()
            || (value.len() <= 63
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                && value.starts_with(|c: char| c.is_ascii_alphanumeric())
                && value.ends_with(|c: char| c.is_ascii_alphanumeric()));
        if !value_ok {
            causes.push(Cause::invalid(
                "metadata.labels",
                value,
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            ));
        }
    }
    causes
}

fn decoded(object: &Value, key: &str) -> Option<Vec<u8>> {
    let raw = object.get("data")?.get(key)?.as_str()?;
    base64::engine::general_purpose::STANDARD.decode(raw).ok()
}

fn secret_causes(object: &Value, old: Option<&Value>) -> Vec<Cause> {
    let mut causes = Vec::new();
    let data = object.get("data").and_then(Value::as_object);
    let mut total = 0usize;
    for (key, value) in data.into_iter().flatten() {
        if !is_config_key(key) {
            causes.push(Cause::invalid(format!("data[{key}]"), key, CONFIG_KEY_MSG));
        }
        total += value.as_str().map_or(0, |v| v.len() / 4 * 3);
    }
    if total > MAX_SECRET_SIZE {
        causes.push(Cause::too_long(
            "data",
            &format!("must have at most {MAX_SECRET_SIZE} bytes"),
        ));
    }
    let secret_type = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("Opaque");
    let mut require_json = |key: &str| match decoded(object, key) {
        None => causes.push(Cause::required(format!("data[{key}]"), "")),
        Some(bytes) => {
            if let Err(e) = serde_json::from_slice::<Value>(&bytes) {
                causes.push(Cause::invalid(
                    format!("data[{key}]"),
                    "<secret contents redacted>",
                    &e.to_string(),
                ));
            }
        }
    };
    match secret_type {
        "kubernetes.io/dockerconfigjson" => require_json(".dockerconfigjson"),
        "kubernetes.io/dockercfg" => require_json(".dockercfg"),
        "kubernetes.io/tls" => {
            for key in ["tls.crt", "tls.key"] {
                if decoded(object, key).is_none() {
                    causes.push(Cause::required(format!("data[{key}]"), ""));
                }
            }
        }
        "kubernetes.io/basic-auth"
            if decoded(object, "username").is_none() && decoded(object, "password").is_none() =>
        {
            causes.push(Cause::required("data[username]", ""));
        }
        "kubernetes.io/ssh-auth" if decoded(object, "ssh-privatekey").is_none() => {
            causes.push(Cause::required("data[ssh-privatekey]", ""));
        }
        _ => {}
    }
    if let Some(old) = old {
        let old_type = old.get("type").and_then(Value::as_str).unwrap_or("Opaque");
        if old_type != secret_type {
            causes.push(Cause::invalid("type", secret_type, "field is immutable"));
        }
        if old.get("immutable").and_then(Value::as_bool) == Some(true) {
            let msg = "field is immutable when `immutable` is set";
            if old.get("data") != object.get("data") {
                causes.push(Cause::forbidden("data", msg));
            }
            if object.get("immutable").and_then(Value::as_bool) != Some(true) {
                causes.push(Cause::forbidden("immutable", msg));
            }
        }
    }
    causes
}

fn pod_causes(object: &Value) -> Vec<Cause> {
    let containers = object.pointer("/spec/containers").and_then(Value::as_array);
    if containers.is_none_or(|c| c.is_empty()) {
        return vec![Cause::required("spec.containers", "")];
    }
    Vec::new()
}

/// Validates a normalized object (and, for updates, against the stored `old` one).
///
/// Returns a 422 `Invalid` Status listing every cause when anything is wrong.
pub fn validate(resource: Resource, object: &Value, old: Option<&Value>) -> Result<(), ApiStatus> {
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut causes = if name.is_empty() {
        vec![Cause::required(
            "metadata.name",
            "name or generateName is required",
        )]
    } else {
        name_causes(resource, name, false)
    };
    causes.extend(label_causes(object));
    causes.extend(match resource {
        Resource::Secret => secret_causes(object, old),
        Resource::Pod if old.is_none() => pod_causes(object),
        Resource::RoleBinding | Resource::ClusterRoleBinding => kinds::binding_causes(object, old),
        _ => Vec::new(),
    });
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiStatus::invalid(resource, name, causes))
    }
}

/// Validates a `metadata.generateName` prefix before a suffix is appended.
pub fn validate_generate_name(resource: Resource, prefix: &str) -> Result<(), ApiStatus> {
    // The prefix may end in '-' (it is followed by the random suffix).
    let probe = format!("{prefix}x");
    let causes = name_causes(resource, &probe, true)
        .into_iter()
        .map(|c| Cause {
            message: c
                .message
                .replace(&format!("{probe:?}"), &format!("{prefix:?}")),
            ..c
        })
        .collect::<Vec<_>>();
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiStatus::invalid(resource, "", causes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names() {
        assert!(subdomain_name_errors("regcred.example-1").is_empty());
        assert_eq!(
            subdomain_name_errors("Bad_Name"),
            vec![SUBDOMAIN_MSG.to_string()]
        );
        assert!(!subdomain_name_errors("-x").is_empty());
        assert!(!subdomain_name_errors("x..y").is_empty());
        assert_eq!(
            subdomain_name_errors(&"a".repeat(254)),
            vec!["must be no more than 253 characters".to_string()]
        );
        assert!(label_name_errors("payments-dev").is_empty());
        assert!(!label_name_errors("payments.dev").is_empty());
        assert_eq!(
            label_name_errors(&"a".repeat(64)),
            vec!["must be no more than 63 characters".to_string()]
        );
    }

    #[test]
    fn invalid_message_matches_apiserver() {
        let obj = json!({"metadata": {"name": "Bad_Name"}, "type": "Opaque"});
        let err = validate(Resource::Secret, &obj, None).unwrap_err();
        assert_eq!(err.code, 422);
        assert!(err.message.starts_with(
            "Secret \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of"
        ));
        let missing = validate(Resource::Secret, &json!({"metadata": {}}), None).unwrap_err();
        assert_eq!(missing.message, "Secret \"\" is invalid: metadata.name: Required value: name or generateName is required");
    }

    #[test]
    fn typed_secrets() {
        let docker = |data: Value| json!({"metadata": {"name": "r"}, "type": "kubernetes.io/dockerconfigjson", "data": data});
        assert!(validate(
            Resource::Secret,
            &docker(json!({".dockerconfigjson": "e30="})),
            None
        )
        .is_ok());
        let missing = validate(Resource::Secret, &docker(json!({})), None).unwrap_err();
        assert!(
            missing
                .message
                .ends_with("data[.dockerconfigjson]: Required value"),
            "{}",
            missing.message
        );
        let not_json = validate(
            Resource::Secret,
            &docker(json!({".dockerconfigjson": "bm9wZQ=="})),
            None,
        )
        .unwrap_err();
        assert!(not_json
            .message
            .contains("data[.dockerconfigjson]: Invalid value"));
        let tls = json!({"metadata": {"name": "t"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "eA=="}});
        assert!(validate(Resource::Secret, &tls, None)
            .unwrap_err()
            .message
            .ends_with("data[tls.key]: Required value"));
    }

    #[test]
    fn immutability() {
        let old = json!({"metadata": {"name": "s"}, "type": "Opaque", "immutable": true, "data": {"a": "eA=="}});
        let changed = json!({"metadata": {"name": "s"}, "type": "Opaque", "immutable": true, "data": {"a": "eQ=="}});
        let err = validate(Resource::Secret, &changed, Some(&old)).unwrap_err();
        assert!(err
            .message
            .contains("data: Forbidden: field is immutable when `immutable` is set"));
        let retyped = json!({"metadata": {"name": "s"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "eA==", "tls.key": "eA=="}});
        let old = json!({"metadata": {"name": "s"}, "type": "Opaque"});
        let err = validate(Resource::Secret, &retyped, Some(&old)).unwrap_err();
        assert!(err
            .message
            .ends_with("type: Invalid value: \"kubernetes.io/tls\": field is immutable"));
    }

    #[test]
    fn labels() {
        let obj = json!({"metadata": {"name": "s", "labels": {"ok/x": "v", "bad key": "v"}}});
        assert_eq!(
            validate(Resource::Secret, &obj, None)
                .unwrap_err()
                .causes()
                .len(),
            1
        );
    }
}
