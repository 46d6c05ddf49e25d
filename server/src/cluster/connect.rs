//! Choosing the cluster: an explicit `--sandbox`, a kubeconfig, the pod's
//! service account, or — with none of these — the embedded sandbox.

use std::net::SocketAddr;
use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};
use regboard_app::model::cluster::ClusterMode;
use regboard_sandbox::{Sandbox, SandboxOptions, Seed};

use crate::config::ServeArgs;
use crate::error::{Error, Result};

/// Which cluster to use, before connecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The in-process sandbox; `forced` when asked for with `--sandbox`.
    Sandbox {
        /// Whether `--sandbox` asked for it (else nothing else was found).
        forced: bool,
        /// Where its Kubernetes API listens.
        listen: SocketAddr,
    },
    /// A kubeconfig: an explicit file, or kube's usual lookup (`KUBECONFIG`,
    /// `~/.kube/config`) when `path` is `None`.
    Kubeconfig {
        /// The file, when given with `--kubeconfig`.
        path: Option<PathBuf>,
        /// The context, when given with `--context`.
        context: Option<String>,
    },
    /// The service account of the pod regboard runs in.
    InCluster,
}

/// A connected cluster.
pub struct Connection {
    /// The client every cluster call goes through.
    pub client: kube::Client,
    /// How it is connected, for the header.
    pub mode: ClusterMode,
    /// The API server's address, for logs.
    pub server_url: String,
    /// The sandbox, when regboard runs its own; dropping it stops it.
    pub sandbox: Option<Sandbox>,
}

impl Connection {
    /// The short name of the cluster for logs: the context, or "sandbox".
    pub fn mode_label(&self) -> String {
        regboard_app::model::cluster::ClusterStatus {
            mode: self.mode.clone(),
            server_version: None,
            problem: None,
        }
        .label()
    }
}

/// Decides which cluster `args` (and the environment) point at.
pub fn resolve(args: &ServeArgs) -> Target {
    if args.sandbox {
        return Target::Sandbox {
            forced: true,
            listen: args.sandbox_listen,
        };
    }
    let env_kubeconfig = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty());
    let home_kubeconfig = dirs::home_dir().map(|h| h.join(".kube").join("config"));
    if args.kubeconfig.is_some()
        || args.context.is_some()
        || env_kubeconfig.is_some()
        || home_kubeconfig.is_some_and(|p| p.is_file())
    {
        return Target::Kubeconfig {
            path: args.kubeconfig.clone(),
            context: args.context.clone(),
        };
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return Target::InCluster;
    }
    Target::Sandbox {
        forced: false,
        listen: args.sandbox_listen,
    }
}

/// Connects to `target`, starting the sandbox on a free loopback port when
/// that is the target. Reaching the API server is not required here: the
/// status monitor reports and retries that.
pub async fn connect(target: Target) -> Result<Connection> {
    match target {
        Target::Sandbox { listen, .. } => {
            let sandbox = Sandbox::start(SandboxOptions::new(listen, Seed::Demo))
                .await
                .map_err(|e| Error::Cluster(format!("cannot start the sandbox cluster: {e}")))?;
            let client = client(sandbox.kube_config()).map_err(|e| {
                Error::Cluster(format!("cannot connect to the sandbox cluster: {e}"))
            })?;
            Ok(Connection {
                client,
                mode: ClusterMode::Sandbox,
                server_url: sandbox.url(),
                sandbox: Some(sandbox),
            })
        }
        Target::Kubeconfig { path, context } => {
            let kubeconfig = match &path {
                Some(path) => Kubeconfig::read_from(path),
                None => Kubeconfig::read(),
            }
            .map_err(|e| Error::Cluster(format!("cannot read the kubeconfig: {e}")))?;
            let context_name = context
                .clone()
                .or_else(|| kubeconfig.current_context.clone())
                .ok_or_else(|| {
                    Error::Cluster("the kubeconfig has no current context; pass --context".into())
                })?;
            let options = KubeConfigOptions {
                context: Some(context_name.clone()),
                ..KubeConfigOptions::default()
            };
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| {
                    Error::Cluster(format!(
                        "cannot use kubeconfig context {context_name:?}: {e}"
                    ))
                })?;
            client_for(
                config,
                ClusterMode::Kubeconfig {
                    context: context_name,
                },
            )
        }
        Target::InCluster => {
            let config = kube::Config::incluster().map_err(|e| {
                Error::Cluster(format!(
                    "cannot read the pod's service account configuration: {e}"
                ))
            })?;
            client_for(config, ClusterMode::InCluster)
        }
    }
}

/// The kube-rs client regboard uses for `config`. kube's own retry layer is
/// off: it retries 429/503/504 up to 15 times with delays up to 1,000 s,
/// which would hold a user's request (and a reconcile pass) far past their
/// budgets and hide a throttled cluster behind "did not answer". regboard
/// retries where it decides to: the reconciler per operation (with
/// Retry-After), a request not at all (429 → "try again in N seconds").
pub fn client(mut config: kube::Config) -> std::result::Result<kube::Client, kube::Error> {
    config.default_retry = false;
    kube::Client::try_from(config)
}

fn client_for(config: kube::Config, mode: ClusterMode) -> Result<Connection> {
    let server_url = config.cluster_url.to_string();
    let client = client(config)
        .map_err(|e| Error::Cluster(format!("cannot create a client for {server_url}: {e}")))?;
    Ok(Connection {
        client,
        mode,
        server_url,
        sandbox: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(flags: &[&str]) -> ServeArgs {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        let mut argv = vec!["regboard"];
        argv.extend_from_slice(flags);
        Only::parse_from(argv).serve
    }

    #[test]
    fn sandbox_flag_wins_over_a_kubeconfig() {
        let target = resolve(&args(&["--sandbox", "--kubeconfig", "/some/file"]));
        assert!(matches!(target, Target::Sandbox { forced: true, .. }));
    }

    #[test]
    fn an_explicit_kubeconfig_and_context_are_used() {
        let target = resolve(&args(&["--kubeconfig", "/k", "--context", "prod"]));
        assert_eq!(
            target,
            Target::Kubeconfig {
                path: Some("/k".into()),
                context: Some("prod".into())
            }
        );
    }

    #[tokio::test]
    async fn a_missing_kubeconfig_file_is_a_clear_error() {
        let err = connect(Target::Kubeconfig {
            path: Some("/nonexistent/kubeconfig".into()),
            context: None,
        })
        .await
        .err()
        .unwrap()
        .to_string();
        assert!(err.starts_with("cannot read the kubeconfig"), "{err}");
    }
}
