//! The OpenAPI documents kubectl downloads before `apply` validates:
//!
//! ```text
//! GET /openapi/v3                    {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=H"}, ...}}
//! GET /openapi/v3/apis/apps/v1?hash  the group version's paths and schemas (JSON)
//!       kubectl finds each kind's PATCH with a `fieldValidation` parameter, so it sends
//!       fieldValidation=Strict and the sandbox rejects unknown fields (object::reject_unknown_fields)
//! GET /openapi/v2                    Swagger 2.0 as JSON, or its paths as protobuf for
//!                                    client-go's OpenAPISchema (kubectl 1.27, 1.28)
//! ```

mod paths;
mod proto;
mod schemas;

use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue};
use serde_json::{json, Map, Value};

use crate::resource::Resource;
use crate::status::ApiStatus;
use paths::Flavour;

fn info() -> Value {
    json!({"title": "Kubernetes", "version": crate::VERSION})
}

fn served(group: &str, version: &str) -> Vec<Resource> {
    Resource::ALL
        .into_iter()
        .filter(|r| r.group() == group && r.version() == version)
        .collect()
}

/// The paths and schemas of `resources` in `flavour`.
fn parts(flavour: Flavour, resources: &[Resource]) -> (Map<String, Value>, Map<String, Value>) {
    let mut all_paths = Map::new();
    let mut definitions = Map::new();
    definitions.insert(schemas::OBJECT_META.into(), schemas::object_meta());
    let reference = move |name: &str| flavour.reference(name);
    for resource in resources {
        for (path, item) in paths::of(flavour, *resource) {
            all_paths.insert(path, item);
        }
        definitions.insert(
            schemas::definition(*resource),
            schemas::kind_schema(*resource, &reference),
        );
    }
    (all_paths, definitions)
}

/// The v3 document of one group version, if it is served.
pub fn v3_document(group: &str, version: &str) -> Option<Value> {
    let resources = served(group, version);
    if resources.is_empty() {
        return None;
    }
    let (paths, schemas) = parts(Flavour::V3, &resources);
    Some(json!({
        "openapi": "3.0.0",
        "info": info(),
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}

/// A stable content hash (FNV-1a, 64 bits) for the v3 root's `?hash=` links.
fn hash(value: &Value) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in value.to_string().bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016X}")
}

/// `/openapi/v3`: one entry per served group version.
pub fn v3_root() -> Value {
    let mut group_versions = vec![(String::new(), "v1".to_string())];
    group_versions.extend(
        Resource::groups()
            .into_iter()
            .map(|g| (g.to_string(), "v1".to_string())),
    );
    let mut entries = Map::new();
    for (group, version) in group_versions {
        let Some(doc) = v3_document(&group, &version) else {
            continue;
        };
        let key = match group.as_str() {
            "" => format!("api/{version}"),
            g => format!("apis/{g}/{version}"),
        };
        let url = format!("/openapi/v3/{key}?hash={}", hash(&doc));
        entries.insert(key, json!({"serverRelativeURL": url}));
    }
    json!({"paths": entries})
}

/// `/openapi/v3/{api/v1 | apis/g/v}`.
pub fn serve_v3(group: &str, version: &str) -> Response {
    match v3_document(group, version) {
        Some(doc) => {
            let mut response = crate::http::json_body(&doc);
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, immutable"),
            );
            response
        }
        None => ApiStatus::path_not_found().into_response(),
    }
}

/// The Swagger 2.0 document of everything served.
pub fn v2_document() -> Value {
    let (paths, definitions) = parts(Flavour::V2, &Resource::ALL);
    json!({"swagger": "2.0", "info": info(), "paths": paths, "definitions": definitions})
}

/// The protobuf media type of `/openapi/v2` (and the older spelling also accepted).
const V2_PROTOBUF: [&str; 2] = [
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
];

/// `/openapi/v2`: the first acceptable of JSON and protobuf in the `Accept` order.
pub fn serve_v2(headers: &HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let chosen = accept
        .split(',')
        .map(|entry| entry.split(';').next().unwrap_or("").trim())
        .find(|media| {
            V2_PROTOBUF.contains(media)
                || matches!(*media, "application/json" | "*/*" | "application/*")
        });
    match chosen {
        Some(media) if V2_PROTOBUF.contains(&media) => {
            let mut response = Response::new(axum::body::Body::from(proto::encode(&v2_document())));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                // Go's mime parser refuses the `@` spelling clients send in Accept.
                HeaderValue::from_static(V2_PROTOBUF[1]),
            );
            response
        }
        Some(_) => crate::http::json_body(&v2_document()),
        None if accept.is_empty() => crate::http::json_body(&v2_document()),
        None => ApiStatus::new(
            406,
            "NotAcceptable",
            format!(
                "only the following media types are accepted: application/json, {}",
                V2_PROTOBUF[0]
            ),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_finds_field_validation_on_patch() {
        let doc = v3_document("apps", "v1").unwrap();
        let path = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
        let patch = &path["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"],
            json!({"group": "apps", "kind": "Deployment", "version": "v1"})
        );
        assert!(patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "fieldValidation" && p["in"] == "query"));
        assert!(doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"].is_object());
        let root = v3_root();
        assert!(
            root["paths"]["apis/rbac.authorization.k8s.io/v1"]["serverRelativeURL"]
                .as_str()
                .unwrap()
                .starts_with("/openapi/v3/apis/rbac.authorization.k8s.io/v1?hash=")
        );
        assert!(v3_document("batch", "v1").is_none());
    }
}
