//! The one application state, cloned cheaply into every handler.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use regboard_app::services::Services;
use sqlx::SqlitePool;

use std::sync::Arc;

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
}

impl AppState {
    /// The state of a server with `db` and `cluster`, rendering with `leptos_options`.
    pub fn new(leptos_options: LeptosOptions, db: SqlitePool, cluster: KubeCluster) -> Self {
        Self {
            leptos_options,
            db,
            services: Services {
                cluster: Arc::new(cluster.clone()),
            },
            cluster: Some(cluster),
        }
    }
}
