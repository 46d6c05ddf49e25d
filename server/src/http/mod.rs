//! The HTTP surface: Leptos pages and server functions, health endpoints,
//! static files, and the middleware around them.
//!
//! ```text
//! request ─► request_id (fresh id, span, access log) ─► route
//!              /healthz, /readyz      health
//!              /live/*                Server-Sent Events for pages that follow the cluster
//!              /audit/export          the audit log as CSV or JSON Lines, streamed
//!              /api/*                 server functions (with Services in context)
//!              page routes            SSR of the Leptos app
//!              anything else          static file from the site root, else the 404 page
//! ```

mod audit;
mod health;
mod live;
mod request_id;

use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use regboard_app::{shell, App};

use crate::state::AppState;

pub use request_id::RequestId;

/// Builds the whole router for `state`; tests call it directly.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let services = state.services.clone();
    let context = move || provide_context(services.clone());
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/live/namespaces", get(live::namespaces))
        .route("/audit/export", get(audit::export))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn(request_id::middleware))
        .with_state(state)
}
