//! The one application state, cloned cheaply into every handler. It holds
//! each part once; [`AppState::services`] is the view server functions get
//! (the same parts behind the app's service traits).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use regboard_app::services::Services;
use sqlx::SqlitePool;

use crate::access::Access;
use crate::audit::AuditLog;
use crate::cluster::KubeCluster;
use crate::http::TrustedProxies;
use crate::projects::KubeProjects;
use crate::registries::KubeRegistries;
use crate::workloads::KubeWorkloads;

/// Everything a request handler may need; built by [`crate::startup`].
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Where the site's files are and how Leptos renders.
    pub leptos_options: LeptosOptions,
    /// The SQLite pool.
    pub db: SqlitePool,
    /// Connection health and the namespace inventory.
    pub cluster: KubeCluster,
    /// The audit log.
    pub audit: AuditLog,
    /// Accounts, sessions, teams and grants.
    pub access: Access,
    /// The registry service.
    pub registries: KubeRegistries,
    /// The project service.
    pub projects: KubeProjects,
    /// Pods, their images and pull Secrets.
    pub workloads: KubeWorkloads,
    /// The proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// The Prometheus metrics.
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    /// The parts behind the service traits that server functions call.
    pub fn services(&self) -> Services {
        Services {
            cluster: Arc::new(self.cluster.clone()),
            registries: Arc::new(self.registries.clone()),
            pull_secrets: Arc::new(self.registries.clone()),
            changes: Arc::new(self.registries.clone()),
            projects: Arc::new(self.projects.clone()),
            audit: Arc::new(self.audit.clone()),
            access: Arc::new(self.access.clone()),
            workloads: Arc::new(self.workloads.clone()),
        }
    }
}
