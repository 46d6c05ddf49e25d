//! The one application state, cloned cheaply into every handler.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use regboard_app::services::Services;
use sqlx::SqlitePool;

use std::sync::Arc;

use crate::access::Access;
use crate::audit::AuditLog;
use crate::backend::Backend;
use crate::cluster::KubeCluster;

/// Everything a request handler may need.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Where the site's files are and how Leptos renders.
    pub leptos_options: LeptosOptions,
    /// The SQLite pool.
    pub db: SqlitePool,
    /// The services that server functions call.
    pub services: Services,
    /// The connected cluster; `None` only in tests of the bare shell.
    pub cluster: Option<KubeCluster>,
    /// The audit log, for services that record events and for export.
    pub audit: AuditLog,
    /// Accounts, sessions, teams and grants.
    pub access: Access,
}

impl AppState {
    /// The state of a server with `db`, the cluster-facing `backend`, the
    /// audit log `audit` and the access service `access` (over the same
    /// `db`), rendering with `leptos_options`.
    pub fn new(
        leptos_options: LeptosOptions,
        db: SqlitePool,
        backend: Backend,
        audit: AuditLog,
        access: Access,
    ) -> Self {
        Self {
            leptos_options,
            db,
            services: Services {
                cluster: Arc::new(backend.cluster.clone()),
                registries: Arc::new(backend.registries),
                projects: Arc::new(backend.projects),
                audit: Arc::new(audit.clone()),
                access: Arc::new(access.clone()),
            },
            cluster: Some(backend.cluster),
            audit,
            access,
        }
    }
}
