//! Decoding request bodies and normalizing objects the way the apiserver's codec does.
//!
//! Bodies are decoded from JSON (or YAML), checked for `apiVersion`/`kind`, then
//! round-tripped through the typed `k8s-openapi` struct: unknown fields are dropped,
//! field types and base64 are checked, and defaults (Secret `type: Opaque`, `stringData`
//! folded into `data`, the namespace name label) are applied.

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::coordination::v1 as coordination;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::networking::v1 as networking;
use k8s_openapi::api::rbac::v1 as rbac;
use k8s_openapi::ByteString;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};

use crate::resource::Resource;
use crate::status::ApiStatus;

/// The label kube-apiserver forces onto every namespace.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// `metadata.name` of an object, or `""`.
pub fn name(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.namespace` of an object, or `""`.
pub fn namespace(object: &Value) -> &str {
    object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.resourceVersion` of an object, or `""`.
pub fn resource_version(object: &Value) -> &str {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.uid` of an object, or `""`.
pub fn uid(object: &Value) -> &str {
    object
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Sets `metadata.<key>` (creating `metadata` if needed); no-op on non-objects.
pub fn set_meta(object: &mut Value, key: &str, value: Value) {
    if let Some(map) = object.as_object_mut() {
        let meta = map.entry("metadata").or_insert_with(|| json!({}));
        if !meta.is_object() {
            *meta = json!({});
        }
        if let Some(meta) = meta.as_object_mut() {
            meta.insert(key.to_string(), value);
        }
    }
}

/// Removes `metadata.<key>` if present.
pub fn remove_meta(object: &mut Value, key: &str) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove(key);
    }
}

/// Decodes a create/update body (JSON, YAML or client-go protobuf) and checks `apiVersion` and `kind`.
pub fn decode_body(
    resource: Resource,
    content_type: &str,
    body: &[u8],
) -> Result<Value, ApiStatus> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiStatus::bad_request(
            "the request body is empty; expected a JSON object",
        ));
    }
    let media = content_type.split(';').next().unwrap_or("").trim();
    let value: Value = match media {
        "application/yaml" | "application/x-yaml" | "text/yaml" => {
            serde_yaml_ng::from_slice(body).map_err(|e| ApiStatus::undecodable(resource, e))?
        }
        "" | "application/json" | "*/*" => {
            serde_json::from_slice(body).map_err(|e| ApiStatus::undecodable(resource, e))?
        }
        "application/vnd.kubernetes.protobuf" => crate::proto::decode(resource, body)?,
        other => return Err(ApiStatus::unsupported_media_type(other)),
    };
    if !value.is_object() {
        return Err(ApiStatus::undecodable(
            resource,
            "the body is not a JSON object",
        ));
    }
    check_type_meta(resource, &value)?;
    Ok(value)
}

/// Checks that `apiVersion` and `kind`, when present, are those of `resource`.
pub fn check_type_meta(resource: Resource, value: &Value) -> Result<(), ApiStatus> {
    if let Some(api_version) = value.get("apiVersion") {
        let expected = resource.api_version();
        if api_version.as_str() != Some(expected.as_str()) {
            return Err(ApiStatus::bad_request(format!(
                "the API version in the data ({}) does not match the expected API version ({expected})",
                api_version.as_str().unwrap_or("?")
            )));
        }
    }
    if let Some(kind) = value.get("kind") {
        if kind.as_str() != Some(resource.kind()) {
            return Err(ApiStatus::bad_request(format!(
                "the kind in the data ({}) does not match the expected kind ({}) for {}",
                kind.as_str().unwrap_or("?"),
                resource.kind(),
                resource.plural()
            )));
        }
    }
    Ok(())
}

fn roundtrip<T: DeserializeOwned + Serialize>(
    resource: Resource,
    object: Value,
    fix: impl FnOnce(&mut T),
) -> Result<Value, ApiStatus> {
    let mut typed: T =
        serde_json::from_value(object).map_err(|e| ApiStatus::undecodable(resource, e))?;
    fix(&mut typed);
    serde_json::to_value(&typed).map_err(|e| ApiStatus::new(500, "InternalError", e.to_string()))
}

/// Normalizes an object of `resource`: typed round trip, defaults, `kind`/`apiVersion`.
pub fn normalize(resource: Resource, mut object: Value) -> Result<Value, ApiStatus> {
    object["apiVersion"] = json!(resource.api_version());
    object["kind"] = json!(resource.kind());
    match resource {
        Resource::Secret => roundtrip::<core::Secret>(resource, object, |s| {
            if let Some(string_data) = s.string_data.take() {
                let data = s.data.get_or_insert_with(Default::default);
                for (k, v) in string_data {
                    data.insert(k, ByteString(v.into_bytes()));
                }
            }
            if s.type_.as_deref().is_none_or(str::is_empty) {
                s.type_ = Some("Opaque".into());
            }
        }),
        Resource::Namespace => roundtrip::<core::Namespace>(resource, object, |ns| {
            if let Some(name) = ns.metadata.name.clone() {
                ns.metadata
                    .labels
                    .get_or_insert_with(Default::default)
                    .insert(NAMESPACE_NAME_LABEL.into(), name);
            }
            let spec = ns.spec.get_or_insert_with(Default::default);
            spec.finalizers
                .get_or_insert_with(|| vec!["kubernetes".into()]);
            let status = ns.status.get_or_insert_with(Default::default);
            status.phase.get_or_insert_with(|| "Active".into());
        }),
        Resource::Pod => roundtrip::<core::Pod>(resource, object, |pod| {
            let status = pod.status.get_or_insert_with(Default::default);
            status.phase.get_or_insert_with(|| "Pending".into());
        }),
        Resource::Service => roundtrip::<core::Service>(resource, object, default_service),
        Resource::Deployment => roundtrip::<apps::Deployment>(resource, object, |d| {
            let spec = d.spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
        }),
        Resource::PersistentVolumeClaim => {
            roundtrip::<core::PersistentVolumeClaim>(resource, object, |pvc| {
                let status = pvc.status.get_or_insert_with(Default::default);
                status.phase.get_or_insert_with(|| "Pending".into());
            })
        }
        _ => typed_copy(resource, object),
    }
}

/// kube-apiserver's Service defaults: type ClusterIP, sessionAffinity None, TCP ports
/// whose targetPort is their port.
fn default_service(service: &mut core::Service) {
    let spec = service.spec.get_or_insert_with(Default::default);
    spec.type_.get_or_insert_with(|| "ClusterIP".into());
    spec.session_affinity.get_or_insert_with(|| "None".into());
    for port in spec.ports.iter_mut().flatten() {
        port.protocol.get_or_insert_with(|| "TCP".into());
        if port.target_port.is_none() {
            port.target_port =
                Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(port.port));
        }
    }
}

/// The typed round trip of `object` without defaults: what the apiserver's decoder keeps.
fn typed_copy(resource: Resource, object: Value) -> Result<Value, ApiStatus> {
    fn plain<T: DeserializeOwned + Serialize>(r: Resource, o: Value) -> Result<Value, ApiStatus> {
        roundtrip::<T>(r, o, |_| {})
    }
    match resource {
        Resource::Namespace => plain::<core::Namespace>(resource, object),
        Resource::Secret => plain::<core::Secret>(resource, object),
        Resource::ServiceAccount => plain::<core::ServiceAccount>(resource, object),
        Resource::Pod => plain::<core::Pod>(resource, object),
        Resource::Event => plain::<core::Event>(resource, object),
        Resource::ConfigMap => plain::<core::ConfigMap>(resource, object),
        Resource::Service => plain::<core::Service>(resource, object),
        Resource::PersistentVolumeClaim => plain::<core::PersistentVolumeClaim>(resource, object),
        Resource::Deployment => plain::<apps::Deployment>(resource, object),
        Resource::Ingress => plain::<networking::Ingress>(resource, object),
        Resource::Lease => plain::<coordination::Lease>(resource, object),
        Resource::Role => plain::<rbac::Role>(resource, object),
        Resource::RoleBinding => plain::<rbac::RoleBinding>(resource, object),
        Resource::ClusterRole => plain::<rbac::ClusterRole>(resource, object),
        Resource::ClusterRoleBinding => plain::<rbac::ClusterRoleBinding>(resource, object),
    }
}

/// `fieldValidation=Strict`: a 400 naming every field of `object` the kind does not have,
/// as kube-apiserver's strict decoder words it.
pub fn reject_unknown_fields(resource: Resource, object: &Value) -> Result<(), ApiStatus> {
    let mut input = object.clone();
    input["apiVersion"] = json!(resource.api_version());
    input["kind"] = json!(resource.kind());
    let kept = typed_copy(resource, input.clone())?;
    let mut unknown = Vec::new();
    unknown_paths(&input, &kept, "", &mut unknown);
    if unknown.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = unknown
        .iter()
        .map(|p| format!("unknown field {p:?}"))
        .collect();
    Err(ApiStatus::undecodable(
        resource,
        format!("strict decoding error: {}", listed.join(", ")),
    ))
}

fn unknown_paths(input: &Value, kept: &Value, at: &str, out: &mut Vec<String>) {
    match (input, kept) {
        (Value::Object(given), Value::Object(decoded)) => {
            for (key, value) in given {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                match decoded.get(key) {
                    Some(child) => unknown_paths(value, child, &path, out),
                    None if value.is_null() => {}
                    None => out.push(path),
                }
            }
        }
        (Value::Array(given), Value::Array(decoded)) => {
            for (i, (value, child)) in given.iter().zip(decoded).enumerate() {
                unknown_paths(value, child, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_defaults_and_string_data() {
        let raw = json!({"metadata": {"name": "s"}, "stringData": {"u": "demo"}, "data": {"a": "eA=="}, "bogus": 1});
        let out = normalize(Resource::Secret, raw).unwrap();
        assert_eq!(out["type"], "Opaque");
        assert_eq!(out["data"], json!({"a": "eA==", "u": "ZGVtbw=="}));
        assert!(out.get("stringData").is_none() && out.get("bogus").is_none());
        assert_eq!(out["kind"], "Secret");
    }

    #[test]
    fn bad_base64_is_400() {
        let raw = json!({"metadata": {"name": "s"}, "data": {"a": "!!!"}});
        let err = normalize(Resource::Secret, raw).unwrap_err();
        assert_eq!(err.code, 400);
        assert!(err
            .message
            .starts_with("Secret in version \"v1\" cannot be handled as a Secret:"));
    }

    #[test]
    fn wrong_kind_and_bad_json() {
        assert_eq!(
            decode_body(Resource::Secret, "application/json", br#"{"kind":"Pod"}"#)
                .unwrap_err()
                .code,
            400
        );
        assert_eq!(
            decode_body(Resource::Secret, "application/json", b"{nope")
                .unwrap_err()
                .code,
            400
        );
        let yaml = decode_body(
            Resource::Secret,
            "application/yaml",
            b"kind: Secret\nmetadata: {name: y}\n",
        )
        .unwrap();
        assert_eq!(name(&yaml), "y");
    }

    #[test]
    fn strict_decoding_names_unknown_fields() {
        let deploy = json!({"metadata": {"name": "d"}, "spec": {"replicas": 1, "bogus": 2,
            "template": {"spec": {"containers": [{"name": "a", "imagex": "x"}]}}}});
        let err = reject_unknown_fields(Resource::Deployment, &deploy).unwrap_err();
        assert_eq!(
            err.message,
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: \
             unknown field \"spec.bogus\", unknown field \"spec.template.spec.containers[0].imagex\""
        );
        let secret = json!({"metadata": {"name": "s"}, "stringData": {"a": "b"}, "type": "Opaque"});
        assert!(reject_unknown_fields(Resource::Secret, &secret).is_ok());
    }

    #[test]
    fn namespace_defaults() {
        let out = normalize(Resource::Namespace, json!({"metadata": {"name": "n"}})).unwrap();
        assert_eq!(out["metadata"]["labels"][NAMESPACE_NAME_LABEL], "n");
        assert_eq!(out["status"]["phase"], "Active");
    }
}
