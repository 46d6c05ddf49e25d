//! The operations of each served resource, in OpenAPI v2 or v3 form, carrying what
//! kubectl reads: `x-kubernetes-group-version-kind` on each operation, and the query
//! parameters of writes (`dryRun`, `fieldManager`, `fieldValidation`, `force`), whose
//! presence on PATCH tells kubectl the server validates fields itself.
//!
//! PATCH bodies are advertised as JSON patch, merge patch and apply patch. Strategic merge
//! is accepted but not advertised: kubectl then computes its strategic patches from its
//! own compiled-in types instead of from these (open) schemas.

use serde_json::{json, Map, Value};

use super::schemas::definition;
use crate::resource::Resource;

/// Which OpenAPI flavour to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Swagger 2.0 (`/openapi/v2`).
    V2,
    /// OpenAPI 3.0 (`/openapi/v3/...`).
    V3,
}

impl Flavour {
    /// A `$ref` to a definition.
    pub fn reference(self, name: &str) -> String {
        match self {
            Flavour::V2 => format!("#/definitions/{name}"),
            Flavour::V3 => format!("#/components/schemas/{name}"),
        }
    }

    fn param(self, name: &str, place: &str, description: &str) -> Value {
        let required = place == "path";
        match self {
            Flavour::V2 => json!({"name": name, "in": place, "description": description,
                                  "type": "string", "uniqueItems": true, "required": required}),
            Flavour::V3 => json!({"name": name, "in": place, "description": description,
                                  "required": required, "schema": {"type": "string", "uniqueItems": true}}),
        }
    }

    fn response(self, resource: Resource, code: &str) -> (String, Value) {
        let schema = json!({"$ref": self.reference(&definition(resource))});
        let body = match self {
            Flavour::V2 => json!({"description": "OK", "schema": schema}),
            Flavour::V3 => {
                json!({"description": "OK", "content": {"application/json": {"schema": schema}}})
            }
        };
        (code.to_string(), body)
    }
}

const WRITE_PARAMS: [(&str, &str); 3] = [
    ("dryRun", "When present, indicates that modifications should not be persisted."),
    ("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
    ("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict."),
];

/// The query parameters of an `x-kubernetes-action`.
fn query_params(flavour: Flavour, action: &str) -> Vec<Value> {
    let writes = matches!(action, "post" | "put" | "patch");
    let mut params: Vec<Value> = Vec::new();
    if writes {
        params.extend(
            WRITE_PARAMS
                .iter()
                .map(|(n, d)| flavour.param(n, "query", d)),
        );
    }
    if action == "patch" {
        params.push(flavour.param(
            "force",
            "query",
            "Force is going to \"force\" Apply requests.",
        ));
    }
    if matches!(action, "list" | "watchlist") {
        for name in [
            "labelSelector",
            "fieldSelector",
            "limit",
            "continue",
            "resourceVersion",
            "watch",
        ] {
            params.push(flavour.param(name, "query", name));
        }
    }
    params
}

/// An `x-kubernetes-action` operation on `resource`.
fn operation(flavour: Flavour, resource: Resource, action: &str, verb: &str) -> Value {
    let kind = resource.kind();
    let params = query_params(flavour, action);
    let codes: &[&str] = match action {
        "post" => &["200", "201", "202"],
        "put" | "patch" => &["200", "201"],
        _ => &["200"],
    };
    let responses: Map<String, Value> = codes
        .iter()
        .map(|c| flavour.response(resource, c))
        .collect();
    let mut op = json!({
        "operationId": format!("{verb}{kind}"),
        "description": format!("{verb} {kind}"),
        "tags": [resource.api_version().replace(['/', '.'], "_")],
        "parameters": params,
        "responses": responses,
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": resource.group(), "kind": kind, "version": resource.version()},
    });
    add_body(flavour, resource, action, &mut op);
    op
}

/// The media types a PATCH accepts, as advertised (strategic merge is left out).
const PATCH_TYPES: [&str; 3] = [
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
];

/// The request body of a create, replace or patch: `requestBody` in v3, a `body`
/// parameter (and `consumes` for a patch) in v2.
fn add_body(flavour: Flavour, resource: Resource, action: &str, op: &mut Value) {
    let schema = json!({"$ref": flavour.reference(&definition(resource))});
    let patch_schema = json!({"type": "object"});
    match (flavour, action) {
        (Flavour::V3, "post" | "put") => {
            op["requestBody"] =
                json!({"content": {"application/json": {"schema": schema}}, "required": true});
        }
        (Flavour::V3, "patch") => {
            let content: Map<String, Value> = PATCH_TYPES
                .iter()
                .map(|t| (t.to_string(), json!({"schema": patch_schema})))
                .collect();
            op["requestBody"] = json!({"content": content, "required": true});
        }
        (Flavour::V2, "post" | "put" | "patch") => {
            let body_schema = if action == "patch" {
                op["consumes"] = json!(PATCH_TYPES);
                patch_schema
            } else {
                schema
            };
            if let Some(list) = op["parameters"].as_array_mut() {
                list.push(
                    json!({"name": "body", "in": "body", "required": true, "schema": body_schema}),
                );
            }
        }
        _ => {}
    }
}

/// The URL prefix of `resource`'s group version: `/api/v1` or `/apis/{group}/{version}`.
fn prefix(resource: Resource) -> String {
    match resource.group() {
        "" => format!("/api/{}", resource.version()),
        group => format!("/apis/{group}/{}", resource.version()),
    }
}

/// The paths of `resource`: its collection (and the all-namespaces list) and its objects.
pub fn of(flavour: Flavour, resource: Resource) -> Vec<(String, Value)> {
    let base = prefix(resource);
    let plural = resource.plural();
    let scoped = if resource.namespaced() {
        format!("{base}/namespaces/{{namespace}}/{plural}")
    } else {
        format!("{base}/{plural}")
    };
    let mut path_params = vec![flavour.param(
        "pretty",
        "query",
        "If 'true', then the output is pretty printed.",
    )];
    if resource.namespaced() {
        path_params.push(flavour.param(
            "namespace",
            "path",
            "object name and auth scope, such as for teams and projects",
        ));
    }
    let mut collection = json!({
        "get": operation(flavour, resource, "list", "list"),
        "post": operation(flavour, resource, "post", "create"),
        "parameters": path_params.clone(),
    });
    if resource.verbs().contains(&"deletecollection") {
        collection["delete"] = operation(flavour, resource, "deletecollection", "deletecollection");
    }
    let mut object_params = path_params;
    object_params.push(flavour.param("name", "path", &format!("name of the {}", resource.kind())));
    let object = json!({
        "get": operation(flavour, resource, "get", "read"),
        "put": operation(flavour, resource, "put", "replace"),
        "patch": operation(flavour, resource, "patch", "patch"),
        "delete": operation(flavour, resource, "delete", "delete"),
        "parameters": object_params,
    });
    let mut paths = vec![(format!("{scoped}/{{name}}"), object), (scoped, collection)];
    if resource.namespaced() {
        let everywhere =
            json!({"get": operation(flavour, resource, "list", "listForAllNamespaces")});
        paths.push((format!("{base}/{plural}"), everywhere));
    }
    paths
}
