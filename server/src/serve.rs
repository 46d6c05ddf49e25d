//! `regboard serve`: open the database, connect the cluster, listen, and
//! stop gracefully on SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;

use crate::cluster::Target;
use crate::config::ServeArgs;
use crate::error::{describe_io, Error, Result};
use crate::startup::{Running, StartOptions};
use crate::state::AppState;

/// How long start-up waits for the cluster to answer before serving anyway.
const FIRST_CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Runs the dashboard until a shutdown signal arrives.
pub async fn run(args: ServeArgs) -> Result<()> {
    let database = match &args.database {
        Some(path) => path.clone(),
        None => crate::db::default_path()?,
    };
    let target = crate::cluster::resolve(&args);
    if matches!(target, Target::Sandbox { forced: false, .. }) {
        tracing::warn!("no kubeconfig or in-cluster configuration found; starting the sandbox cluster (nothing is written to a real cluster)");
    }
    let connection = crate::cluster::connect(target).await?;
    tracing::info!(server = %connection.server_url, cluster = %connection.mode_label(), "cluster configured");
    let options = StartOptions {
        database,
        listen: args.listen,
        reconcile: args.reconcile_options(),
        access: args.access_options(),
        first_check_wait: FIRST_CHECK_WAIT,
        trusted_proxies: args.trusted_proxies(),
        metrics: args.metrics_options()?,
        credential_check: args.credential_check.options(),
    };
    let token = options.metrics.token.is_some();
    if !args.trusted_proxy.is_empty() {
        let proxies: Vec<String> = args.trusted_proxy.iter().map(ToString::to_string).collect();
        tracing::info!(proxies = %proxies.join(", "), "X-Forwarded-For is believed from these proxies");
    }
    let Running {
        state,
        listener,
        addr,
        metrics_addr,
        ..
    } = crate::startup::start(&connection, options).await?;
    tracing::info!("regboard listening on http://{addr}");
    log_metrics(metrics_addr, token, addr);
    log_setup_link(&state, addr).await?;
    let db = state.db.clone();
    let app = crate::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| Error::Io {
            context: "the HTTP server stopped".into(),
            source: e,
        })?;
    db.close().await;
    if let Some(sandbox) = connection.sandbox {
        sandbox.shutdown().await;
    }
    tracing::info!("regboard stopped");
    Ok(())
}

/// Says where metrics are served, if anywhere.
fn log_metrics(listener: Option<SocketAddr>, token: bool, addr: SocketAddr) {
    if let Some(metrics) = listener {
        tracing::info!("metrics at http://{metrics}/metrics (no credential asked)");
    }
    if token {
        tracing::info!("metrics at http://{addr}/metrics for the bearer of the metrics token");
    }
    if listener.is_none() && !token {
        tracing::info!("metrics are not served (--metrics-listen or --metrics-token-file)");
    }
}

/// While no user exists, logs the one-time link that creates the first admin.
async fn log_setup_link(state: &AppState, addr: SocketAddr) -> Result<()> {
    if let Some(token) = state.access.setup_token_if_no_users().await? {
        tracing::warn!(
            "no user exists yet: open http://{addr}/setup?token={token} within {} minutes to create the first admin (the link works once), or run `regboard admin create-user --admin NAME`",
            crate::auth::SETUP_TOKEN_TTL.as_secs() / 60
        );
    }
    Ok(())
}

/// Binds the listen address, naming the problem when it cannot.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| Error::Listen {
        addr,
        reason: describe_io(&e),
    })
}

/// Leptos options for a server on `addr`. The site root comes from
/// `LEPTOS_SITE_ROOT`, else `target/site` under the working directory, else
/// the `site` folder beside the binary's own `target/<profile>` directory.
///
/// The site's file names carry content hashes, listed by cargo-leptos in
/// `hash.txt` beside the binary: when that file is there the pages name the
/// hashed files, whatever compiled the binary (`cargo bench` and `cargo
/// build --release` too, which lack cargo-leptos' build environment).
pub fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let site_root = var("LEPTOS_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(default_site_root);
    let hash_file = hash_file();
    LeptosOptions::builder()
        .hash_files(hash_file.is_some())
        .hash_file(hash_file.map_or("hash.txt".into(), |f| f.to_string_lossy().as_ref().into()))
        .output_name(var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "regboard".into()))
        .site_root(site_root.to_string_lossy().into_owned())
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()))
        .site_addr(addr)
        .reload_port(
            var("LEPTOS_RELOAD_PORT")
                .and_then(|p| p.parse().ok())
                .unwrap_or(3001),
        )
        .build()
}

/// The hash file cargo-leptos wrote beside this binary, if there is one
/// (absolute: Leptos joins it to the binary's directory, which keeps it).
fn hash_file() -> Option<PathBuf> {
    let name = std::env::var("LEPTOS_HASH_FILE_NAME").unwrap_or_else(|_| "hash.txt".into());
    let file = std::env::current_exe().ok()?.parent()?.join(name);
    file.is_file().then_some(file)
}

fn default_site_root() -> PathBuf {
    let local = Path::new("target/site");
    if local.is_dir() {
        return local.to_owned();
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("site")))
        .filter(|p| p.is_dir())
        .unwrap_or_else(|| local.to_owned())
}

/// Resolves when the process receives Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
