//! Decoding request bodies and normalizing objects the way the apiserver's codec does.
//!
//! Bodies are decoded from JSON (or YAML), checked for `apiVersion`/`kind`, then
//! round-tripped through the typed `k8s-openapi` struct: unknown fields are dropped,
//! field types and base64 are checked, and defaults (Secret `type: Opaque`, `stringData`
//! folded into `data`, the namespace name label) are applied.

use k8s_openapi::api::core::v1 as core;
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
    if let Some(api_version) = value.get("apiVersion") {
        if api_version.as_str() != Some("v1") {
            return Err(ApiStatus::bad_request(format!(
                "the API version in the data ({}) does not match the expected API version (v1)",
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
    Ok(value)
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
    object["apiVersion"] = json!("v1");
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
        Resource::ServiceAccount => roundtrip::<core::ServiceAccount>(resource, object, |_| {}),
        Resource::Pod => roundtrip::<core::Pod>(resource, object, |pod| {
            let status = pod.status.get_or_insert_with(Default::default);
            status.phase.get_or_insert_with(|| "Pending".into());
        }),
        Resource::Event => roundtrip::<core::Event>(resource, object, |_| {}),
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
    fn namespace_defaults() {
        let out = normalize(Resource::Namespace, json!({"metadata": {"name": "n"}})).unwrap();
        assert_eq!(out["metadata"]["labels"][NAMESPACE_NAME_LABEL], "n");
        assert_eq!(out["status"]["phase"], "Active");
    }
}
