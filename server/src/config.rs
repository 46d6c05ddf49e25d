//! Command-line flags; every flag is also an environment variable
//! `REGBOARD_…`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// regboard: private container-registry credentials for Kubernetes.
#[derive(Debug, Parser)]
#[command(name = "regboard", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the dashboard (boxed: its flags outweigh the other commands').
    Serve(Box<ServeArgs>),
    /// Run the sandbox cluster on its own, for kubectl and other tools.
    Sandbox(SandboxArgs),
    /// Check or export the audit log.
    Audit(crate::audit_cmd::AuditArgs),
    /// Manage accounts from the command line.
    Admin(crate::admin_cmd::AdminArgs),
}

/// Flags of `regboard sandbox`.
#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Address the sandbox's Kubernetes API listens on.
    #[arg(
        long,
        env = "REGBOARD_SANDBOX_LISTEN",
        default_value = "127.0.0.1:6443",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,
    /// Where to write a kubeconfig that points at the sandbox.
    #[arg(long, env = "REGBOARD_SANDBOX_KUBECONFIG_OUT", value_name = "FILE")]
    pub kubeconfig_out: PathBuf,
    /// Starting data: `demo` (namespaces, projects, Secrets, a failing pod) or `empty`.
    #[arg(
        long,
        env = "REGBOARD_SANDBOX_SEED",
        default_value = "demo",
        value_name = "SEED"
    )]
    pub seed: regboard_sandbox::Seed,
}

/// Flags of `regboard serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(
        long,
        env = "REGBOARD_LISTEN",
        default_value = "127.0.0.1:3000",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,
    /// Log lines as `text`, or `json` (one object per line, for a log shipper).
    #[arg(
        long,
        env = "REGBOARD_LOG_FORMAT",
        value_enum,
        default_value_t = crate::telemetry::LogFormat::Text,
        value_name = "FORMAT"
    )]
    pub log_format: crate::telemetry::LogFormat,
    /// SQLite database file, created with its parent directory if missing
    /// [default: <data dir>/regboard/regboard.db].
    #[arg(long, env = "REGBOARD_DATABASE", value_name = "FILE")]
    pub database: Option<PathBuf>,
    /// Kubeconfig file (KUBECONFIG is honoured too).
    #[arg(long, env = "REGBOARD_KUBECONFIG", value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context [default: the current context].
    #[arg(long, env = "REGBOARD_CONTEXT", value_name = "NAME")]
    pub context: Option<String>,
    /// Use the in-process sandbox cluster even when a kubeconfig exists.
    #[arg(long, env = "REGBOARD_SANDBOX")]
    pub sandbox: bool,
    /// Where the embedded sandbox cluster's Kubernetes API listens, so that
    /// kubectl can be pointed at it (`:0` picks a free port; it is logged).
    #[arg(
        long,
        env = "REGBOARD_SANDBOX_LISTEN",
        default_value = "127.0.0.1:0",
        value_name = "ADDR"
    )]
    pub sandbox_listen: SocketAddr,
    /// Namespace that holds the source Secrets of project registries.
    #[arg(
        long,
        env = "REGBOARD_SYSTEM_NAMESPACE",
        default_value = "regboard-system",
        value_name = "NAME"
    )]
    pub system_namespace: String,
    /// Cluster writes the reconciler keeps in flight at first; the number
    /// then adapts between the min and the max below.
    #[arg(long, env = "REGBOARD_RECONCILE_CONCURRENCY", default_value_t = crate::reconcile::pace::DEFAULT_START, value_parser = clap::value_parser!(u16).range(1..=1024), value_name = "N")]
    pub reconcile_concurrency: u16,
    /// The fewest cluster writes the reconciler keeps in flight, however
    /// throttled or slow the API server.
    #[arg(long, env = "REGBOARD_RECONCILE_CONCURRENCY_MIN", default_value_t = crate::reconcile::pace::DEFAULT_MIN, value_parser = clap::value_parser!(u16).range(1..=1024), value_name = "N")]
    pub reconcile_concurrency_min: u16,
    /// The most cluster writes the reconciler keeps in flight, however fast
    /// the API server answers.
    #[arg(long, env = "REGBOARD_RECONCILE_CONCURRENCY_MAX", default_value_t = crate::reconcile::pace::DEFAULT_MAX, value_parser = clap::value_parser!(u16).range(1..=1024), value_name = "N")]
    pub reconcile_concurrency_max: u16,
    /// Seconds between full reconcile passes (watches trigger passes sooner).
    #[arg(long, env = "REGBOARD_RESYNC_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..), value_name = "SECONDS")]
    pub resync_seconds: u64,
    /// Minutes a session may go unused before it ends.
    #[arg(long, env = "REGBOARD_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=1440), value_name = "MINUTES")]
    pub session_idle_minutes: u64,
    /// Hours after sign-in a session ends however busy it is.
    #[arg(long, env = "REGBOARD_SESSION_LIFETIME_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=168), value_name = "HOURS")]
    pub session_lifetime_hours: u64,
    /// A reverse proxy whose X-Forwarded-For names the client (repeatable;
    /// comma-separated in the variable). Without one the header is ignored
    /// and the TCP peer is the client.
    #[arg(
        long = "trusted-proxy",
        env = "REGBOARD_TRUSTED_PROXY",
        value_delimiter = ',',
        value_name = "IP or CIDR"
    )]
    pub trusted_proxy: Vec<crate::http::Cidr>,
    /// Serve Prometheus metrics at /metrics on a listener of its own at this
    /// address, asking no credential (keep it off networks users reach).
    /// Without it and without --metrics-token-file, metrics are not served.
    #[arg(long, env = "REGBOARD_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// Serve /metrics on the main listener too, to requests that send
    /// `Authorization: Bearer <the file's contents>`.
    #[arg(long, env = "REGBOARD_METRICS_TOKEN_FILE", value_name = "FILE")]
    pub metrics_token_file: Option<PathBuf>,
    /// Credential tests (`--credential-check-interval`, `--credential-check-plain-http`).
    #[command(flatten)]
    pub credential_check: crate::credcheck::CredCheckArgs,
}

impl ServeArgs {
    /// The reconciler's settings from these flags.
    pub fn reconcile_options(&self) -> crate::reconcile::ReconcileOptions {
        crate::reconcile::ReconcileOptions {
            system_namespace: self.system_namespace.clone(),
            concurrency: crate::reconcile::Bounds::new(
                self.reconcile_concurrency_min.into(),
                self.reconcile_concurrency.into(),
                self.reconcile_concurrency_max.into(),
            ),
            resync_interval: std::time::Duration::from_secs(self.resync_seconds),
            call_timeout: std::time::Duration::from_secs(10),
        }
    }
}

impl ServeArgs {
    /// Session limits and login throttling from these flags.
    pub fn access_options(&self) -> crate::access::AccessOptions {
        crate::access::AccessOptions {
            session: crate::auth::SessionPolicy {
                idle: std::time::Duration::from_secs(self.session_idle_minutes * 60),
                lifetime: std::time::Duration::from_secs(self.session_lifetime_hours * 3600),
            },
            throttle: crate::auth::ThrottleLimits::default(),
        }
    }

    /// Where metrics are served, with the token file read.
    pub fn metrics_options(&self) -> crate::Result<crate::metrics::MetricsOptions> {
        let token = match &self.metrics_token_file {
            Some(path) => Some(crate::metrics::MetricsToken::from_file(path)?),
            None => None,
        };
        Ok(crate::metrics::MetricsOptions {
            listen: self.metrics_listen,
            token,
        })
    }

    /// The proxies whose `X-Forwarded-For` is believed.
    pub fn trusted_proxies(&self) -> crate::http::TrustedProxies {
        crate::http::TrustedProxies::new(self.trusted_proxy.iter().copied())
    }

    /// The flags of `regboard` run with no subcommand: defaults and
    /// environment variables only.
    pub fn from_env() -> Result<Self, clap::Error> {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Only::try_parse_from(["regboard"]).map(|o| o.serve)
    }
}
