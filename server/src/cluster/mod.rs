//! The cluster behind the dashboard: which one, and how regboard watches it.
//!
//! ```text
//! ServeArgs ─► connect::resolve ─► Target (sandbox | kubeconfig | in-cluster)
//!                                   └► connect::connect ─► Connection { kube::Client, mode, sandbox }
//! Connection ─► StatusMonitor  (polls /version + a namespace list; retries with backoff)
//!            └► Inventory      (reflectors on Namespaces and Secret metadata; change signal)
//! KubeCluster = StatusMonitor + Inventory, behind regboard_app's ClusterService
//! ```
//!
//! Shared by every module that calls the API (registries, projects, the
//! reconciler): [`errors`] maps API errors to sentences and to
//! [`regboard_app::AppError`]; [`ownership`] says how regboard marks the
//! Secrets it writes and how it recognises them (DESIGN rule 1), including
//! the project label; [`permission`] words a refused permission as the one
//! sentence that says what to grant.

mod connect;
pub mod errors;
mod inventory;
pub mod ownership;
pub mod permission;
pub mod proof;
mod service;
mod status;

pub use connect::{client, connect, resolve, Connection, Target};
pub use errors::describe_kube_error;
pub use inventory::Inventory;
pub use ownership::PROJECT_LABEL;
pub use service::{Disconnected, KubeCluster};
pub use status::StatusMonitor;
