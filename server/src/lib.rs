//! regboard's server: everything with IO.
//!
//! ```text
//! cli ─► serve ─► db::open (SQLite, migrations)
//!            ├──► cluster (kube-rs client or the sandbox cluster)
//!            └──► http::router(AppState) ─► leptos routes + server fns
//!                                         └► /healthz, /readyz
//! ```

// Leptos view types nest deeply; the server computes their layouts.
#![recursion_limit = "256"]

pub mod access;
pub mod admin_cmd;
pub mod audit;
pub mod audit_cmd;
pub mod auth;
pub mod backend;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod projects;
pub mod reconcile;
pub mod registries;
pub mod sandbox_cmd;
pub mod serve;
pub mod state;
pub mod telemetry;

pub use error::{Error, Result};
pub use http::router;
pub use state::AppState;
