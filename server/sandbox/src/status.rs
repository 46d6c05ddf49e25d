//! Kubernetes `Status` failure bodies, worded as the real kube-apiserver words them.
//!
//! Every request that fails inside the sandbox ends as an [`ApiStatus`]; it renders
//! to `{"kind":"Status","apiVersion":"v1","status":"Failure",...}` with the matching
//! HTTP code, both as an HTTP response and as the object of a watch `ERROR` event.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde_json::{json, Map, Value};

use crate::resource::Resource;

/// One entry of `details.causes` in an `Invalid` status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// Machine reason, e.g. `FieldValueInvalid`, `FieldValueRequired`.
    pub reason: &'static str,
    /// The field path, e.g. `metadata.name` or `data[.dockerconfigjson]`.
    pub field: String,
    /// The human message without the field prefix, e.g. `Required value`.
    pub message: String,
}

impl Cause {
    /// `field: Invalid value: "value": detail`.
    pub fn invalid(field: impl Into<String>, value: &str, detail: &str) -> Self {
        Cause {
            reason: "FieldValueInvalid",
            field: field.into(),
            message: format!("Invalid value: {value:?}: {detail}"),
        }
    }

    /// `field: Required value` (optionally with a detail).
    pub fn required(field: impl Into<String>, detail: &str) -> Self {
        let message = if detail.is_empty() {
            "Required value".to_string()
        } else {
            format!("Required value: {detail}")
        };
        Cause {
            reason: "FieldValueRequired",
            field: field.into(),
            message,
        }
    }

    /// `field: Forbidden: detail`.
    pub fn forbidden(field: impl Into<String>, detail: &str) -> Self {
        Cause {
            reason: "FieldValueForbidden",
            field: field.into(),
            message: format!("Forbidden: {detail}"),
        }
    }

    /// `field: Too long: detail`.
    pub fn too_long(field: impl Into<String>, detail: &str) -> Self {
        Cause {
            reason: "FieldValueTooLong",
            field: field.into(),
            message: format!("Too long: {detail}"),
        }
    }

    fn rendered(&self) -> String {
        format!("{}: {}", self.field, self.message)
    }
}

/// `details` of a failure Status (boxed inside [`ApiStatus`] to keep results small).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    /// `details.name`.
    pub name: Option<String>,
    /// `details.group` (empty for the core group, then not rendered).
    pub group: Option<String>,
    /// `details.kind` (the plural resource for most errors, the Kind for `Invalid`).
    pub kind: Option<String>,
    /// `details.causes`.
    pub causes: Vec<Cause>,
    /// `Retry-After` seconds, rendered as a header and `details.retryAfterSeconds`.
    pub retry_after: Option<u64>,
}

/// A failed API call: HTTP code, machine `reason`, human `message` and optional details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiStatus {
    /// HTTP status code (404, 409, 422, ...).
    pub code: u16,
    /// CamelCase machine reason (`NotFound`, `AlreadyExists`, `Conflict`, ...).
    pub reason: &'static str,
    /// The human message, worded as kube-apiserver words it.
    pub message: String,
    /// `details`, when there are any.
    pub details: Option<Box<Details>>,
}

impl ApiStatus {
    /// A status with no details.
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiStatus {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    /// The details, created empty if absent.
    pub fn details_mut(&mut self) -> &mut Details {
        self.details.get_or_insert_with(Default::default)
    }

    /// The causes of an `Invalid` status (empty otherwise).
    pub fn causes(&self) -> &[Cause] {
        self.details.as_deref().map_or(&[], |d| d.causes.as_slice())
    }

    fn with_details(mut self, group: &str, kind: &str, name: &str) -> Self {
        let details = self.details_mut();
        details.kind = Some(kind.to_string());
        details.name = Some(name.to_string()).filter(|n| !n.is_empty());
        details.group = Some(group.to_string()).filter(|g| !g.is_empty());
        self
    }

    /// `details` naming `resource` (its plural and group) and `name`.
    fn about(self, resource: Resource, name: &str) -> Self {
        self.with_details(resource.group(), resource.plural(), name)
    }

    /// 404 `secrets "foo" not found`.
    pub fn not_found(resource: Resource, name: &str) -> Self {
        let qualified = resource.qualified();
        Self::new(404, "NotFound", format!("{qualified} {name:?} not found")).about(resource, name)
    }

    /// 404 for a path the sandbox does not serve.
    pub fn path_not_found() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    /// 409 `secrets "foo" already exists`.
    pub fn already_exists(resource: Resource, name: &str) -> Self {
        let qualified = resource.qualified();
        Self::new(
            409,
            "AlreadyExists",
            format!("{qualified} {name:?} already exists"),
        )
        .about(resource, name)
    }

    /// 409 `Operation cannot be fulfilled on secrets "foo": <why>`.
    pub fn conflict(resource: Resource, name: &str, why: &str) -> Self {
        let qualified = resource.qualified();
        let message = format!("Operation cannot be fulfilled on {qualified} {name:?}: {why}");
        Self::new(409, "Conflict", message).about(resource, name)
    }

    /// 409 for a stale `metadata.resourceVersion`.
    pub fn stale(resource: Resource, name: &str) -> Self {
        Self::conflict(
            resource,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 422 `Secret "x" is invalid: [cause, cause]`.
    pub fn invalid(resource: Resource, name: &str, causes: Vec<Cause>) -> Self {
        let kind = resource.qualified_kind();
        let rendered: Vec<String> = causes.iter().map(Cause::rendered).collect();
        let joined = match rendered.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        let mut status = Self::new(
            422,
            "Invalid",
            format!("{kind} {name:?} is invalid: {joined}"),
        )
        .with_details(resource.group(), resource.kind(), name);
        status.details_mut().causes = causes;
        status
    }

    /// 400 with the given message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 400 for a body that cannot be decoded as the resource's kind.
    pub fn undecodable(resource: Resource, why: impl std::fmt::Display) -> Self {
        let kind = resource.kind();
        let version = resource.version();
        Self::bad_request(format!(
            "{kind} in version {version:?} cannot be handled as a {kind}: {why}"
        ))
    }

    /// 403 `namespaces "default" is forbidden: this namespace may not be deleted`.
    pub fn forbidden(resource: Resource, name: &str, why: &str) -> Self {
        let qualified = resource.qualified();
        Self::new(
            403,
            "Forbidden",
            format!("{qualified} {name:?} is forbidden: {why}"),
        )
        .about(resource, name)
    }

    /// 403 from the authorizer, as `apierrors.NewForbidden(groupResource, name, err)` words
    /// it: `secrets "n" is forbidden: <why>`, `deployments.apps is forbidden: <why>`, or
    /// `forbidden: <why>` for a path that names no resource.
    pub fn forbidden_request(group: &str, resource: &str, name: &str, why: &str) -> Self {
        let qualified = match (group, resource) {
            (_, "") => String::new(),
            ("", r) => r.to_string(),
            (g, r) => format!("{r}.{g}"),
        };
        let message = match (qualified.as_str(), name) {
            ("", _) => format!("forbidden: {why}"),
            (q, "") => format!("{q} is forbidden: {why}"),
            (q, n) => format!("{q} {n:?} is forbidden: {why}"),
        };
        let mut status = Self::new(403, "Forbidden", message);
        let details = status.details_mut();
        details.group = Some(group.to_string()).filter(|g| !g.is_empty());
        details.kind = Some(resource.to_string()).filter(|r| !r.is_empty());
        details.name = Some(name.to_string()).filter(|n| !n.is_empty());
        status
    }

    /// 401 `Unauthorized`, as kube-apiserver answers a request without valid credentials.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// 405 for a verb the resource path does not support.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    /// 415 for a patch or body media type the sandbox does not accept.
    pub fn unsupported_media_type(media_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: \
                 application/json-patch+json, application/merge-patch+json, \
                 application/apply-patch+yaml, application/strategic-merge-patch+json (got {media_type:?})"
            ),
        )
    }

    /// 410 `Expired` for a resourceVersion or continue token older than retained history.
    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    /// A status for an arbitrary HTTP code, as used by fault injection.
    pub fn from_code(code: u16, message: impl Into<String>) -> Self {
        let reason = match code {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            409 => "Conflict",
            410 => "Gone",
            422 => "Invalid",
            429 => "TooManyRequests",
            500 => "InternalError",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "Unknown",
        };
        let mut status = Self::new(code, reason, message);
        if code == 429 || code == 503 {
            status.details_mut().retry_after = Some(1);
        }
        status
    }

    /// The `Status` object as JSON.
    pub fn to_json(&self) -> Value {
        let mut details = Map::new();
        let empty = Details::default();
        let d = self.details.as_deref().unwrap_or(&empty);
        if let Some(name) = &d.name {
            details.insert("name".into(), json!(name));
        }
        if let Some(group) = &d.group {
            details.insert("group".into(), json!(group));
        }
        if let Some(kind) = &d.kind {
            details.insert("kind".into(), json!(kind));
        }
        if !d.causes.is_empty() {
            let causes: Vec<Value> = d
                .causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect();
            details.insert("causes".into(), Value::Array(causes));
        }
        if let Some(secs) = d.retry_after {
            details.insert("retryAfterSeconds".into(), json!(secs));
        }
        let mut body = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        // kube-apiserver renders `details` whenever it set it, even empty (a refused
        // non-resource path answers `"details":{}`).
        if self.details.is_some() {
            body["details"] = Value::Object(details);
        }
        body
    }
}

impl std::fmt::Display for ApiStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} {})", self.message, self.code, self.reason)
    }
}

impl IntoResponse for ApiStatus {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (code, crate::http::json_body(&self.to_json())).into_response();
        if let Some(secs) = self.details.as_ref().and_then(|d| d.retry_after) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// A successful `Status` (as returned by DELETE of objects deleted immediately).
pub fn success(resource: Resource, name: &str, uid: &str) -> Value {
    let mut details = json!({"name": name, "kind": resource.plural(), "uid": uid});
    if !resource.group().is_empty() {
        details["group"] = json!(resource.group());
    }
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    })
}
