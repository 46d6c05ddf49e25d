//! `SelfSubjectAccessReview`: "may I do this?", answered by the same authorizer that
//! guards requests (everything is allowed when authorization is off).

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{json, Value};

use super::attributes::Attributes;
use super::{rbac, Identity};
use crate::http::App;
use crate::status::ApiStatus;

/// The attributes a review's `spec` asks about.
fn asked(spec: &Value) -> Result<Attributes, ApiStatus> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if let Some(r) = spec.get("resourceAttributes") {
        return Ok(Attributes {
            verb: text(r, "verb"),
            resource_request: true,
            path: String::new(),
            api_group: text(r, "group"),
            api_version: text(r, "version"),
            namespace: text(r, "namespace"),
            resource: text(r, "resource"),
            subresource: text(r, "subresource"),
            name: text(r, "name"),
        });
    }
    if let Some(n) = spec.get("nonResourceAttributes") {
        return Ok(Attributes {
            verb: text(n, "verb"),
            path: text(n, "path"),
            ..Attributes::default()
        });
    }
    Err(ApiStatus::new(
        422,
        "Invalid",
        "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: \
         Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
    ))
}

/// POST `/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`.
pub fn serve(app: &App, identity: &Identity, body: &[u8]) -> Response {
    let review: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return ApiStatus::bad_request(format!(
                "SelfSubjectAccessReview in version \"v1\" cannot be handled as a SelfSubjectAccessReview: {e}"
            ))
            .into_response()
        }
    };
    let spec = review.get("spec").cloned().unwrap_or(json!({}));
    let attrs = match asked(&spec) {
        Ok(a) => a,
        Err(status) => return status.into_response(),
    };
    let decision = rbac::authorize(&app.store, identity, &attrs);
    let mut status = json!({"allowed": decision.allowed});
    if !decision.reason.is_empty() {
        status["reason"] = json!(decision.reason);
    }
    let answer = json!({
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": spec,
        "status": status,
    });
    (StatusCode::CREATED, crate::http::json_body(&answer)).into_response()
}
