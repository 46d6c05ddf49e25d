//! Starting everything that talks to the cluster, in one place for `serve`
//! and for the tests: the cluster watches, the reconciler, and the services
//! the server functions call.

use sqlx::SqlitePool;

use crate::audit::AuditLog;
use crate::cluster::{Connection, KubeCluster};
use crate::projects::KubeProjects;
use crate::reconcile::{ReconcileOptions, Reconciler};
use crate::registries::KubeRegistries;

/// The running cluster-facing parts of regboard.
#[derive(Clone)]
pub struct Backend {
    /// Connection health and the namespace inventory.
    pub cluster: KubeCluster,
    /// The project-registry fan-out.
    pub reconciler: Reconciler,
    /// The registry service.
    pub registries: KubeRegistries,
    /// The project service.
    pub projects: KubeProjects,
}

impl Backend {
    /// Starts watches and the reconciler on `connection`.
    pub fn start(
        connection: &Connection,
        db: &SqlitePool,
        audit: &AuditLog,
        options: ReconcileOptions,
    ) -> Self {
        let client = connection.client.clone();
        let cluster = KubeCluster::start(connection);
        let reconciler = Reconciler::start(
            client.clone(),
            cluster.inventory.clone(),
            options.clone(),
            Some(audit.clone()),
        );
        let registries = KubeRegistries::new(
            client.clone(),
            options.system_namespace.clone(),
            reconciler.clone(),
            cluster.inventory.clone(),
            db.clone(),
            audit.clone(),
        );
        let projects = KubeProjects::new(
            client,
            db.clone(),
            cluster.inventory.clone(),
            reconciler.clone(),
            audit.clone(),
            options.system_namespace,
        );
        Self {
            cluster,
            reconciler,
            registries,
            projects,
        }
    }
}
