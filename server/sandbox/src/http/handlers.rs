//! CRUD handlers: translate HTTP verbs and query parameters into store calls and
//! render the results as objects, lists or Tables.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, Method, StatusCode};
use serde_json::{json, Value};

use super::{json_body, App, Query, TableMode, Target};
use crate::object;
use crate::patch::PatchType;
use crate::resource::Resource;
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::{self, ApiStatus};
use crate::store::{ApplyOptions, DeleteOptions, ListPage, ListQuery, WriteOptions};
use crate::watch;

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn dry_run(query: &Query) -> Result<bool, ApiStatus> {
    match query.get("dryRun").map(String::as_str) {
        None | Some("") => Ok(false),
        Some("All") => Ok(true),
        Some(other) => Err(ApiStatus::bad_request(format!(
            "dryRun: Unsupported value: {other:?}: supported values: \"All\""
        ))),
    }
}

/// Parses the list/watch query parameters.
pub(crate) fn list_query(resource: Resource, query: &Query) -> Result<ListQuery, ApiStatus> {
    let limit = match query.get("limit").filter(|l| !l.is_empty()) {
        None => None,
        Some(raw) => Some(
            raw.parse::<usize>()
                .map_err(|_| ApiStatus::bad_request(format!("invalid limit {raw:?}")))?,
        ),
    };
    Ok(ListQuery {
        labels: LabelSelector::parse(query.get("labelSelector").map_or("", String::as_str))?,
        fields: FieldSelector::parse(
            resource,
            query.get("fieldSelector").map_or("", String::as_str),
        )?,
        limit,
        continue_token: query.get("continue").cloned(),
    })
}

fn is_watch(query: &Query) -> bool {
    matches!(query.get("watch").map(String::as_str), Some("true" | "1"))
}

fn respond(code: StatusCode, resource: Resource, object: Value, mode: TableMode) -> Response {
    let body = match mode {
        TableMode::Plain => object,
        TableMode::Metadata => super::table::partial_metadata(&object),
        TableMode::Table { .. } => {
            let meta = json!({"resourceVersion": object::resource_version(&object)});
            super::table::render(resource, &[Arc::new(object)], meta, mode)
        }
    };
    (code, json_body(&body)).into_response()
}

fn list_response(resource: Resource, page: ListPage, mode: TableMode) -> Response {
    let mut meta = json!({"resourceVersion": page.rv.to_string()});
    if let Some(token) = page.continue_token {
        meta["continue"] = json!(token);
    }
    if let Some(remaining) = page.remaining {
        meta["remainingItemCount"] = json!(remaining);
    }
    let body = match mode {
        TableMode::Table { .. } => super::table::render(resource, &page.items, meta, mode),
        TableMode::Plain => json!({
            "kind": format!("{}List", resource.kind()),
            "apiVersion": resource.api_version(),
            "metadata": meta,
            "items": page.items.iter().map(|o| (**o).clone()).collect::<Vec<_>>(),
        }),
        TableMode::Metadata => json!({
            "kind": "PartialObjectMetadataList",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": meta,
            "items": page.items.iter().map(|o| super::table::partial_metadata(o)).collect::<Vec<_>>(),
        }),
    };
    json_body(&body)
}

fn delete_options(body: &[u8], query: &Query) -> Result<(DeleteOptions, bool), ApiStatus> {
    let mut dry = dry_run(query)?;
    let mut pre = DeleteOptions::default();
    if body.iter().any(|b| !b.is_ascii_whitespace()) {
        let opts: Value = serde_json::from_slice(body).map_err(|e| {
            ApiStatus::bad_request(format!(
                "DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: {e}"
            ))
        })?;
        let text = |p: &str| {
            opts.pointer(p)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        pre.uid = text("/preconditions/uid");
        pre.resource_version = text("/preconditions/resourceVersion");
        if let Some(values) = opts.get("dryRun").and_then(Value::as_array) {
            dry |= values.iter().any(|v| v == "All");
        }
    }
    Ok((pre, dry))
}

/// Serves a collection or object request.
pub(crate) async fn serve(
    app: &App,
    method: Method,
    target: Target,
    query: &Query,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    match serve_inner(app, method, target, query, headers, body) {
        Ok(response) => response,
        Err(status) => status.into_response(),
    }
}

/// The options of a write: `dryRun`, `fieldManager` (else the User-Agent's product, as
/// kube-apiserver defaults it) and `fieldValidation`; status never kept from a request.
fn write_options(query: &Query, headers: &HeaderMap) -> Result<WriteOptions, ApiStatus> {
    Ok(WriteOptions {
        dry_run: dry_run(query)?,
        keep_status: false,
        manager: Some(field_manager(query, headers)),
        strict: field_validation(query)?,
    })
}

/// `fieldManager`, or the User-Agent up to its first `/`.
fn field_manager(query: &Query, headers: &HeaderMap) -> String {
    match query.get("fieldManager").filter(|m| !m.is_empty()) {
        Some(manager) => manager.clone(),
        None => headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .and_then(|ua| ua.split('/').next())
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(128)
            .collect(),
    }
}

/// `fieldValidation`: whether it is `Strict` (`Warn`, the default, and `Ignore` drop
/// unknown fields silently here).
fn field_validation(query: &Query) -> Result<bool, ApiStatus> {
    match query.get("fieldValidation").map(String::as_str) {
        None | Some("" | "Warn" | "Ignore") => Ok(false),
        Some("Strict") => Ok(true),
        Some(other) => Err(ApiStatus::bad_request(format!(
            "fieldValidation: Unsupported value: {other:?}: supported values: \"Ignore\", \"Strict\", \"Warn\""
        ))),
    }
}

fn serve_inner(
    app: &App,
    method: Method,
    target: Target,
    query: &Query,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiStatus> {
    let mode = TableMode::negotiate(headers, query.get("includeObject").map(String::as_str));
    let request = Request {
        app,
        method,
        query,
        headers,
        body,
        mode,
    };
    match target {
        Target::Collection {
            resource,
            namespace,
        } => request.collection(resource, namespace.as_deref()),
        Target::Object {
            resource,
            namespace,
            name,
        } => request.object(resource, namespace.as_deref(), &name),
        _ => Err(ApiStatus::path_not_found()),
    }
}

/// One collection or object request, with the rendering it negotiated.
struct Request<'a> {
    app: &'a App,
    method: Method,
    query: &'a Query,
    headers: &'a HeaderMap,
    body: &'a [u8],
    mode: TableMode,
}

impl Request<'_> {
    /// `/api/v1/[namespaces/{ns}/]{resource}`: list, watch, create, deletecollection.
    fn collection(&self, resource: Resource, ns: Option<&str>) -> Result<Response, ApiStatus> {
        let store = &self.app.store;
        match self.method {
            Method::GET if is_watch(self.query) => {
                watch::serve(self.app, resource, ns, self.query, self.mode)
            }
            Method::GET => Ok(list_response(
                resource,
                store.list(resource, ns, &list_query(resource, self.query)?)?,
                self.mode,
            )),
            Method::POST if ns.is_some() || !resource.namespaced() => {
                let object = object::decode_body(resource, content_type(self.headers), self.body)?;
                let opts = write_options(self.query, self.headers)?;
                let created = store.create(resource, ns, object, opts)?;
                Ok(respond(StatusCode::CREATED, resource, created, self.mode))
            }
            Method::DELETE if resource.namespaced() => {
                let Some(ns) = ns else {
                    return Err(ApiStatus::method_not_allowed());
                };
                let (_, dry) = delete_options(self.body, self.query)?;
                let selection = list_query(resource, self.query)?;
                let opts = WriteOptions {
                    dry_run: dry,
                    ..WriteOptions::default()
                };
                let page = store.delete_collection(resource, ns, &selection, opts)?;
                Ok(list_response(resource, page, TableMode::Plain))
            }
            _ => Err(ApiStatus::method_not_allowed()),
        }
    }

    /// `/api/v1/namespaces/{name}` or `.../{resource}/{name}`: get, update, patch, delete.
    fn object(
        &self,
        resource: Resource,
        ns: Option<&str>,
        name: &str,
    ) -> Result<Response, ApiStatus> {
        let store = &self.app.store;
        let opts = || write_options(self.query, self.headers);
        match self.method {
            Method::GET => {
                let object = store
                    .get(resource, ns.unwrap_or(""), name)
                    .ok_or_else(|| ApiStatus::not_found(resource, name))?;
                Ok(respond(StatusCode::OK, resource, object, self.mode))
            }
            Method::PUT => {
                let object = object::decode_body(resource, content_type(self.headers), self.body)?;
                let updated = store.update(resource, ns, name, object, opts()?)?;
                Ok(respond(StatusCode::OK, resource, updated, self.mode))
            }
            Method::PATCH => {
                let patch_type = PatchType::from_content_type(content_type(self.headers))?;
                if patch_type == PatchType::Apply {
                    return self.apply(resource, ns, name);
                }
                let patched = store.patch(resource, ns, name, patch_type, self.body, opts()?)?;
                Ok(respond(StatusCode::OK, resource, patched, self.mode))
            }
            Method::DELETE => self.delete(resource, ns, name),
            _ => Err(ApiStatus::method_not_allowed()),
        }
    }

    /// Server-side apply of the body to `name`: 201 when it created the object.
    fn apply(
        &self,
        resource: Resource,
        ns: Option<&str>,
        name: &str,
    ) -> Result<Response, ApiStatus> {
        let opts = ApplyOptions {
            manager: self.query.get("fieldManager").cloned().unwrap_or_default(),
            force: matches!(
                self.query.get("force").map(String::as_str),
                Some("true" | "1")
            ),
            dry_run: dry_run(self.query)?,
            strict: field_validation(self.query)?,
        };
        let (object, created) = self.app.store.apply(resource, ns, name, self.body, opts)?;
        let code = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok(respond(code, resource, object, self.mode))
    }

    /// DELETE of one object: a success Status, or a namespace as it starts terminating.
    fn delete(
        &self,
        resource: Resource,
        ns: Option<&str>,
        name: &str,
    ) -> Result<Response, ApiStatus> {
        let (pre, dry) = delete_options(self.body, self.query)?;
        let opts = WriteOptions {
            dry_run: dry,
            ..WriteOptions::default()
        };
        let mut last = self.app.store.delete(resource, ns, name, &pre, opts)?;
        if resource == Resource::Namespace {
            // Namespaces answer with the object, as it starts terminating.
            let ts = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            object::set_meta(&mut last, "deletionTimestamp", json!(ts));
            last["status"] = json!({"phase": "Terminating"});
            return Ok(json_body(&last));
        }
        Ok(json_body(&status::success(
            resource,
            name,
            object::uid(&last),
        )))
    }
}
