//! Finds the signed-in user of each request: reads the session (loaded by
//! tower-sessions' layer), lets the access service judge it, and puts the
//! [`Principal`](regboard_app::context::Principal) into the request's extensions for the guard, the server
//! functions and the audit log.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

use super::security::is_static_asset;
use crate::access::Access;

/// The middleware; see the module documentation.
pub async fn resolve(State(access): State<Access>, mut req: Request, next: Next) -> Response {
    // Static files need no user.
    if !is_static_asset(req.uri().path()) {
        if let Some(session) = req.extensions().get::<Session>().cloned() {
            if let Some(user) = access.resolve(&session).await {
                req.extensions_mut().insert(user);
            }
        }
    }
    next.run(req).await
}
