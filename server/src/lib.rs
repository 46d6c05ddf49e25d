//! regboard's server: everything with IO.
//!
//! ```text
//! main ─► cli ─► serve::run ─► cluster::connect (kubeconfig, in-cluster, or the sandbox)
//!                     └─► startup::start ─► db, audit, cluster watches, reconciler,
//!                     │                     registries, projects, access ─► AppState
//!                     └─► http::router(AppState) ─► middleware ─► Leptos pages,
//!                                                   server fns (app::api), /healthz, /readyz
//! ```
//!
//! Layers: `http` (axum, middleware) calls the services through the app's
//! traits; services (`registries`, `projects`, `access`, `audit`) hold the
//! rules that need IO; `cluster` and `db` are the adapters (kube-rs, sqlx);
//! `reconcile` converges project registries in the background. One error
//! type ([`Error`]) converts into the user's `AppError` at the edge.

// Leptos view types nest deeply; the server computes their layouts.
#![recursion_limit = "256"]

pub mod access;
pub mod admin_cmd;
pub mod attach;
pub mod audit;
pub mod audit_cmd;
pub mod auth;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod credcheck;
pub mod db;
pub mod error;
pub mod http;
pub mod keyfile;
pub mod membership;
pub mod metrics;
pub mod projects;
pub mod reconcile;
pub mod registries;
pub mod sandbox_cmd;
pub mod serve;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod upgrade;
pub mod workloads;

pub use error::{Error, Result};
pub use http::router;
pub use state::AppState;
