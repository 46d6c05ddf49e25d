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
    /// Run the dashboard.
    Serve(ServeArgs),
    /// Run the sandbox cluster on its own, for kubectl and other tools.
    Sandbox(SandboxArgs),
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
    /// Namespace that holds the source Secrets of project registries.
    #[arg(
        long,
        env = "REGBOARD_SYSTEM_NAMESPACE",
        default_value = "regboard-system",
        value_name = "NAME"
    )]
    pub system_namespace: String,
}

impl ServeArgs {
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
