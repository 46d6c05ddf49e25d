//! The composition root: everything a running regboard is made of, wired in
//! one place that `regboard serve` and the integration tests both call, so
//! tests cannot pass on wiring production does not use.
//!
//! ```text
//! start(connection, options)
//!   ├─ db::open (SQLite file, migrations)      ─► AuditLog::open (key file beside it)
//!   ├─ Membership::load (recorded projects)    ─► KubeCluster::start (status + watches)
//!   ├─ proof::load_key (file ◄─► Secret)       ─► first check (bounded wait)
//!   ├─ upgrade (once: record labelled namespaces, prove legacy Secrets)
//!   ├─ Reconciler::start (fan-out)
//!   ├─ CredentialChecks (prober + verdicts) ─► periodic credential tests
//!   ├─ KubeRegistries, KubeProjects, KubeWorkloads (the services over cluster + db)
//!   ├─ Access::open (sessions, throttle)       ─► expired-session sweeper
//!   ├─ Metrics::new (each part's instruments)  ─► the metrics listener, when asked for (serving)
//!   └─ AppState (each part once) + the listener ─► Running
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::access::{Access, AccessOptions};
use crate::attach::Attachments;
use crate::audit::AuditLog;
use crate::cluster::{proof, Connection, KubeCluster};
use crate::credcheck::CredentialChecks;
use crate::error::{Error, Result};
use crate::membership::Membership;
use crate::projects::KubeProjects;
use crate::reconcile::{ReconcileOptions, Reconciler};
use crate::registries::KubeRegistries;
use crate::state::AppState;
use crate::upgrade::Upgrade;
use crate::workloads::KubeWorkloads;

/// How long a retried upgrade waits for the cluster each time.
const UPGRADE_RETRY: Duration = Duration::from_secs(10);

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
    /// The proxies whose `X-Forwarded-For` is believed (none: it is ignored).
    pub trusted_proxies: crate::http::TrustedProxies,
    /// Where `/metrics` is served (default: nowhere).
    pub metrics: crate::metrics::MetricsOptions,
    /// Credential tests: interval, plain-HTTP hosts, timeout.
    pub credential_check: crate::credcheck::CredCheckOptions,
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
    /// Where the metrics listener listens (already serving), if asked for.
    pub metrics_addr: Option<SocketAddr>,
}

/// Runs the one-time upgrade steps once the namespace list is in (waiting
/// up to `wait`); true when done.
async fn run_upgrade(upgrade: &Upgrade, wait: Duration) -> bool {
    if !upgrade.inventory.ready(wait).await {
        return false;
    }
    match upgrade.run().await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "the upgrade steps failed; retrying");
            tokio::time::sleep(wait).await;
            false
        }
    }
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
    let membership = Membership::load(db.clone()).await?;
    let cluster = KubeCluster::start(connection, membership);
    let client = connection.client.clone();
    let system_namespace = options.reconcile.system_namespace.clone();
    let key = proof::load_key(&options.database, &client, &system_namespace).await?;
    cluster.status.first_check(options.first_check_wait).await;
    let upgrade = Upgrade {
        client: client.clone(),
        db: db.clone(),
        inventory: cluster.inventory.clone(),
        key: key.clone(),
        audit: audit.clone(),
        system_namespace: system_namespace.clone(),
    };
    // Before the first reconcile pass when the cluster answers now; else as
    // soon as it does (nothing is deleted meanwhile: no removal is recorded).
    if !run_upgrade(&upgrade, options.first_check_wait).await {
        tokio::spawn(async move { while !run_upgrade(&upgrade, UPGRADE_RETRY).await {} });
    }
    let attachments = Attachments::load(db.clone()).await?;
    let reconciler = Reconciler::start(
        client.clone(),
        cluster.inventory.clone(),
        (key.clone(), attachments),
        options.reconcile.clone(),
        Some(audit.clone()),
    );
    let checks = CredentialChecks::new(db.clone(), options.credential_check.clone())?;
    let registries = KubeRegistries::new(
        client.clone(),
        system_namespace.clone(),
        reconciler.clone(),
        cluster.inventory.clone(),
        key.clone(),
        db.clone(),
        audit.clone(),
        checks.clone(),
    );
    crate::credcheck::periodic::spawn(checks.clone(), registries.clone());
    let credential_metrics = checks.metrics().clone();
    let expiry = crate::metrics::ExpirySource {
        reconciler: reconciler.clone(),
        key: key.clone(),
        checks: checks.clone(),
    };
    let workloads = KubeWorkloads::new(client.clone(), cluster.inventory.clone(), key.clone())
        .with_credential_checks(checks);
    let projects = KubeProjects::new(
        client,
        key,
        db.clone(),
        cluster.inventory.clone(),
        reconciler.clone(),
        audit.clone(),
        system_namespace,
    );
    let access = Access::open(
        db.clone(),
        audit.clone(),
        Some(cluster.inventory.clone()),
        options.access,
    )
    .await?;
    tokio::spawn(access.clone().delete_expired_sessions(SESSION_SWEEP));
    let sources = crate::metrics::Sources {
        reconciler: &reconciler,
        access: &access,
        audit: &audit,
        db: &db,
        credentials: &credential_metrics,
        expiry,
    };
    let metrics = crate::metrics::Metrics::new(sources, options.metrics.token.clone());
    let metrics_addr = serve_metrics(options.metrics.listen, &metrics).await?;
    let state = AppState {
        leptos_options: crate::serve::leptos_options(addr),
        db,
        cluster,
        audit,
        access,
        registries,
        projects,
        workloads,
        trusted_proxies: options.trusted_proxies,
        metrics,
    };
    Ok(Running {
        state,
        listener,
        addr,
        reconciler,
        metrics_addr,
    })
}

/// Binds the metrics listener on `listen` when given and serves it;
/// returns its address.
async fn serve_metrics(
    listen: Option<SocketAddr>,
    metrics: &crate::metrics::Metrics,
) -> Result<Option<SocketAddr>> {
    let Some(listen) = listen else {
        return Ok(None);
    };
    let listener = crate::serve::bind(listen).await?;
    let addr = listener.local_addr().map_err(|e| Error::Io {
        context: "cannot read the metrics listening address".into(),
        source: e,
    })?;
    crate::metrics::endpoint::spawn(listener, metrics.clone());
    Ok(Some(addr))
}
