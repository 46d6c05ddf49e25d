//! Who may reach which route, decided before any handler runs: the policy
//! table of the server functions (`regboard_app::api::policy`), the
//! streaming endpoints (signed in), and the pages (signed in, or redirected
//! to the login page). Fails closed: a server function without a policy is
//! refused to everyone. `/metrics` passes to its own check (a bearer token,
//! not a session: a scraper has none).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use regboard_app::api::policy::{policy_for, Policy};
use regboard_app::context::{Caller, Principal};
use regboard_app::model::audit::percent_encode;
use regboard_app::services::AccessService;
use regboard_app::AppError;

use super::security::is_static_asset;
use crate::access::Access;

/// Pages anyone may open.
const PUBLIC_PAGES: [&str; 2] = ["/login", "/setup"];
/// Endpoints open to anyone (probes), or that check their own credential.
const PUBLIC_ENDPOINTS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The middleware; see the module documentation.
pub async fn guard(State(access): State<Access>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let user = req.extensions().get::<Principal>().cloned();
    if path.starts_with("/api/") {
        match policy_for(&path) {
            None => {
                tracing::error!(path, "refused a server function that has no policy entry");
                return refusal(&path, AppError::not_allowed("call this function"));
            }
            Some(Policy::Public) => {}
            Some(Policy::SignedIn) if user.is_none() => return refusal(&path, AppError::sign_in()),
            Some(Policy::SignedIn) => {}
            Some(Policy::Admin) => match &user {
                None => return refusal(&path, AppError::sign_in()),
                Some(u) if !u.admin => {
                    let error = AppError::not_allowed("do this (admins only)");
                    let (parts, _) = req.into_parts();
                    let caller = Caller::from_parts(&parts);
                    let action = format!("api.{}", path.trim_start_matches("/api/"));
                    access.record_denial(&caller, &action, None, &error).await;
                    return refusal(&path, error);
                }
                Some(_) => {}
            },
        }
    } else if PUBLIC_ENDPOINTS.contains(&path.as_str()) || is_static_asset(&path) {
    } else if path.starts_with("/live/") || path.starts_with("/audit/export") {
        if user.is_none() {
            return refusal(&path, AppError::sign_in());
        }
    } else if user.is_none()
        && !PUBLIC_PAGES.contains(&path.as_str())
        && matches!(*req.method(), Method::GET | Method::HEAD)
    {
        let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let location = format!("/login?next={}", percent_encode(target));
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        return response;
    }
    next.run(req).await
}

/// The response refusing a request to `path` with `error`: for a server
/// function the JSON error Leptos decodes (with its status), else the
/// sentence as plain text.
pub fn refusal(path: &str, error: AppError) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::FORBIDDEN);
    if path.starts_with("/api/") {
        let body = serde_json::to_string(&error).unwrap_or_else(|_| "{}".into());
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Ok(value) = HeaderValue::from_str(path) {
            headers.insert("serverfnerror", value);
        }
        response
    } else {
        (status, error.to_string()).into_response()
    }
}
