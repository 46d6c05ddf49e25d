//! The cluster behind the dashboard: which one, and how regboard watches it.
//!
//! ```text
//! ServeArgs ─► connect::resolve ─► Target (sandbox | kubeconfig | in-cluster)
//!                                   └► connect::connect ─► Connection { kube::Client, mode, sandbox }
//! Connection ─► StatusMonitor  (polls /version + a namespace list; retries with backoff)
//!            └► Inventory      (reflectors on Namespaces and Secret metadata; change signal)
//! KubeCluster = StatusMonitor + Inventory, behind regboard_app's ClusterService
//! ```

mod connect;
mod describe;
mod inventory;
mod service;
mod status;

pub use connect::{connect, resolve, Connection, Target};
pub use describe::describe_kube_error;
pub use inventory::Inventory;
pub use service::{Disconnected, KubeCluster};
pub use status::StatusMonitor;

/// The namespace label that makes a namespace a member of a project.
pub const PROJECT_LABEL: &str = "regboard.dev/project";
