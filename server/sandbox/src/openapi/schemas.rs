//! The schemas of the served kinds: their top-level fields and ObjectMeta, with the
//! `x-kubernetes-group-version-kind` extension clients look kinds up by. Nested
//! structures are open objects (`x-kubernetes-preserve-unknown-fields`): kubectl
//! validates through the server (`fieldValidation=Strict`), which decodes each body
//! into the kind's full type and names every unknown field.

use serde_json::{json, Map, Value};

use crate::resource::Resource;

/// The definition name of `resource`'s kind, e.g. `io.k8s.api.apps.v1.Deployment`.
pub fn definition(resource: Resource) -> String {
    let package = match resource.group() {
        "" => "core",
        group => group.split('.').next().unwrap_or(group),
    };
    format!(
        "io.k8s.api.{package}.{}.{}",
        resource.version(),
        resource.kind()
    )
}

/// The definition name of ObjectMeta.
pub const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

const OBJECT: &str = "object";
const STRING: &str = "string";
const ARRAY: &str = "array";
const BOOLEAN: &str = "boolean";
const INTEGER: &str = "integer";

/// The top-level fields of a kind besides apiVersion, kind and metadata.
fn fields(resource: Resource) -> &'static [(&'static str, &'static str)] {
    match resource {
        Resource::Secret => &[
            ("data", OBJECT),
            ("stringData", OBJECT),
            ("type", STRING),
            ("immutable", BOOLEAN),
        ],
        Resource::ConfigMap => &[
            ("data", OBJECT),
            ("binaryData", OBJECT),
            ("immutable", BOOLEAN),
        ],
        Resource::ServiceAccount => &[
            ("secrets", ARRAY),
            ("imagePullSecrets", ARRAY),
            ("automountServiceAccountToken", BOOLEAN),
        ],
        Resource::Event => &[
            ("involvedObject", OBJECT),
            ("reason", STRING),
            ("message", STRING),
            ("type", STRING),
            ("source", OBJECT),
            ("count", INTEGER),
            ("firstTimestamp", STRING),
            ("lastTimestamp", STRING),
            ("eventTime", STRING),
            ("action", STRING),
            ("related", OBJECT),
            ("reportingComponent", STRING),
            ("reportingInstance", STRING),
            ("series", OBJECT),
        ],
        Resource::Role => &[("rules", ARRAY)],
        Resource::ClusterRole => &[("rules", ARRAY), ("aggregationRule", OBJECT)],
        Resource::RoleBinding | Resource::ClusterRoleBinding => {
            &[("roleRef", OBJECT), ("subjects", ARRAY)]
        }
        Resource::Lease => &[("spec", OBJECT)],
        Resource::Namespace
        | Resource::Pod
        | Resource::Service
        | Resource::PersistentVolumeClaim
        | Resource::Deployment
        | Resource::Ingress => &[("spec", OBJECT), ("status", OBJECT)],
    }
}

/// An open schema of `kind` (`object` and `array` keep whatever they hold).
fn open(kind: &str) -> Value {
    match kind {
        OBJECT => json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
        ARRAY => {
            json!({"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}})
        }
        other => json!({"type": other}),
    }
}

/// The schema of `resource`'s kind; `reference` turns a definition name into a `$ref`.
pub fn kind_schema(resource: Resource, reference: &dyn Fn(&str) -> String) -> Value {
    let mut properties = Map::new();
    properties.insert("apiVersion".into(), json!({"type": "string"}));
    properties.insert("kind".into(), json!({"type": "string"}));
    properties.insert(
        "metadata".into(),
        json!({"allOf": [{"$ref": reference(OBJECT_META)}], "default": {}}),
    );
    for (field, kind) in fields(resource) {
        properties.insert((*field).to_string(), open(kind));
    }
    json!({
        "description": format!("{} ({}), as served by the regboard sandbox.", resource.kind(), resource.api_version()),
        "type": "object",
        "properties": properties,
        "x-kubernetes-group-version-kind": [
            {"group": resource.group(), "kind": resource.kind(), "version": resource.version()}
        ],
    })
}

/// The schema of ObjectMeta.
pub fn object_meta() -> Value {
    let strings =
        json!({"type": "object", "additionalProperties": {"type": "string", "default": ""}});
    json!({
        "description": "ObjectMeta is metadata that all persisted resources must have.",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "generateName": {"type": "string"},
            "namespace": {"type": "string"},
            "uid": {"type": "string"},
            "resourceVersion": {"type": "string"},
            "generation": {"type": "integer", "format": "int64"},
            "creationTimestamp": {"type": "string", "format": "date-time"},
            "deletionTimestamp": {"type": "string", "format": "date-time"},
            "labels": strings.clone(),
            "annotations": strings,
            "finalizers": {"type": "array", "items": {"type": "string", "default": ""}},
            "ownerReferences": open(ARRAY),
            "managedFields": open(ARRAY),
        },
    })
}
