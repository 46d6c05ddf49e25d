//! The HTTP surface: Leptos pages and server functions, health endpoints,
//! static files, and the middleware around them.
//!
//! ```text
//! request ─► metrics (count and time by method, route pattern, status)
//!         ─► request_id (fresh id, span, access log)
//!         ─► client_addr (the client: the peer, or X-Forwarded-For from a trusted proxy)
//!         ─► security (CSRF refusal; CSP with nonce, nosniff, no-store… on the response)
//!         ─► body_limit (413 past 256 KiB, before anything reads or writes)
//!         ─► session layer (tower-sessions, SQLite store, cookie regboard_session)
//!         ─► session::resolve (the signed-in user, idle/absolute expiry)
//!         ─► guard (server fn policy; pages redirect to /login)
//!         ─► compression (br/gzip by Accept-Encoding; not SSE; precompressed files as they are)
//!         ─► route
//!              /healthz, /readyz      health
//!              /metrics               Prometheus metrics, with the bearer token only
//!              /live/*                Server-Sent Events for pages that follow the cluster
//!              /audit/export          the audit log as CSV or JSON Lines, streamed
//!              /api/*                 server functions (with Services in context)
//!              page routes            SSR of the Leptos app
//!              anything else          static file from the site root, else the 404 page
//! ```

mod audit;
mod body_limit;
mod client_addr;
mod compression;
mod guard;
mod health;
mod live;
mod metrics;
mod request_id;
mod security;
mod session;

use axum::routing::get;
use axum::Router;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, LeptosRoutes};
use regboard_app::{shell, App};

use crate::state::AppState;

pub use body_limit::MAX_BODY;
pub use client_addr::{BadCidr, Cidr, TrustedProxies};
pub use request_id::RequestId;
pub use security::{content_security_policy, cross_site, CspNonce};

/// Builds the whole router for `state`; tests call it directly.
pub fn router(state: AppState) -> Router {
    // `/` is the registries list's address: a real 302 here, since the
    // app's <Redirect> can only navigate in the browser once the streamed
    // page has started (its status is already 200 by then).
    let routes: Vec<_> = generate_route_list(App)
        .into_iter()
        .filter(|route| route.path() != "/")
        .collect();
    let services = state.services();
    let context = move || {
        provide_context(services.clone());
        // Leptos marks its inline scripts with the nonce in context; use the
        // one the CSP header of this response names.
        let nonce = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
        if let Some(CspNonce(nonce)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce));
        }
    };
    let options = state.leptos_options.clone();
    Router::new()
        .route(
            "/",
            get(|| async {
                let location = [(http::header::LOCATION, "/registries")];
                (http::StatusCode::FOUND, location)
            }),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::endpoint))
        .route("/live/namespaces", get(live::namespaces))
        .route("/audit/export", get(audit::export))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(compression::layer())
        .layer(axum::middleware::from_fn_with_state(
            state.access.clone(),
            guard::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.access.clone(),
            session::resolve,
        ))
        .layer(state.access.session_layer())
        .layer(axum::middleware::from_fn(body_limit::middleware))
        .layer(axum::middleware::from_fn(security::middleware))
        .layer(axum::middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            client_addr::middleware,
        ))
        .layer(axum::middleware::from_fn(request_id::middleware))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.http.clone(),
            metrics::middleware,
        ))
        .with_state(state)
}
