//! The composition root: everything a running regboard is made of, wired in
//! one place that `regboard serve` and the integration tests both call, so
//! tests cannot pass on wiring production does not use.
//!
//! ```text
//! start(connection, options)
//!   ├─ db::open (SQLite file, migrations)      ─► AuditLog::open (key file beside it)
//!   ├─ KubeCluster::start (status + watches)   ─► first check (bounded wait)
//!   ├─ Reconciler::start (fan-out)
//!   ├─ KubeRegistries, KubeProjects            (the services over cluster + db)
//!   ├─ Access::open (sessions, throttle)       ─► expired-session sweeper
//!   └─ AppState (each part once) + the listener ─► Running
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::access::{Access, AccessOptions};
use crate::audit::AuditLog;
use crate::cluster::{Connection, KubeCluster};
use crate::error::{Error, Result};
use crate::projects::KubeProjects;
use crate::reconcile::{ReconcileOptions, Reconciler};
use crate::registries::KubeRegistries;
use crate::state::AppState;

/// How often expired sessions are deleted.
const SESSION_SWEEP: Duration = Duration::from_secs(60);

/// What differs between a production start and a test start.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// The SQLite file.
    pub database: PathBuf,
    /// The address to listen on (port 0 picks a free one).
    pub listen: SocketAddr,
    /// Reconciler settings.
    pub reconcile: ReconcileOptions,
    /// Session limits and login throttling.
    pub access: AccessOptions,
    /// How long start-up waits for the cluster to answer before serving anyway.
    pub first_check_wait: Duration,
}

/// A started regboard, not yet serving.
pub struct Running {
    /// Everything the handlers use.
    pub state: AppState,
    /// The bound listener.
    pub listener: TcpListener,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The reconciler (for tests and benchmarks that wait on it).
    pub reconciler: Reconciler,
}

/// Opens the database, starts the cluster watches, the reconciler and the
/// services on `connection`, and binds the listener.
pub async fn start(connection: &Connection, options: StartOptions) -> Result<Running> {
    let db = crate::db::open(&options.database).await?;
    tracing::info!(database = %options.database.display(), "database ready");
    let audit = AuditLog::open(db.clone(), &AuditLog::key_path(&options.database)).await?;
    let listener = crate::serve::bind(options.listen).await?;
    let addr = listener.local_addr().map_err(|e| Error::Io {
        context: "cannot read the listening address".into(),
        source: e,
    })?;
    let cluster = KubeCluster::start(connection);
    let client = connection.client.clone();
    let reconciler = Reconciler::start(
        client.clone(),
        cluster.inventory.clone(),
        options.reconcile.clone(),
        Some(audit.clone()),
    );
    let system_namespace = options.reconcile.system_namespace.clone();
    let registries = KubeRegistries::new(
        client.clone(),
        system_namespace.clone(),
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
        system_namespace,
    );
    cluster.status.first_check(options.first_check_wait).await;
    let access = Access::open(
        db.clone(),
        audit.clone(),
        Some(cluster.inventory.clone()),
        options.access,
    )
    .await?;
    tokio::spawn(access.clone().delete_expired_sessions(SESSION_SWEEP));
    let state = AppState {
        leptos_options: crate::serve::leptos_options(addr),
        db,
        cluster,
        audit,
        access,
        registries,
        projects,
    };
    Ok(Running {
        state,
        listener,
        addr,
        reconciler,
    })
}
