//! Keeps an up-to-date answer to "is the cluster usable?": asks the API
//! server for its version, lists one namespace (which proves the
//! credentials work) and asks whether regboard holds the permissions it
//! needs from the start (`permission::refused_at_start`: a refusal is the
//! problem, in the sentence that names what to grant), every 30 s while
//! healthy and with backoff (1 s doubling to 30 s) while not. The server
//! never stops because the cluster is down.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use regboard_app::model::cluster::{ClusterMode, ClusterStatus};
use tokio::sync::watch;

use super::describe_kube_error;

const HEALTHY_INTERVAL: Duration = Duration::from_secs(30);
const FIRST_RETRY: Duration = Duration::from_secs(1);
const MAX_RETRY: Duration = Duration::from_secs(30);

/// The latest cluster status, refreshed in the background.
#[derive(Clone)]
pub struct StatusMonitor {
    current: Arc<RwLock<ClusterStatus>>,
    checked: watch::Receiver<u64>,
}

impl StatusMonitor {
    /// Starts checking `client` in a background task; `server_url` is named
    /// in problems so that people know which server failed.
    pub fn start(client: kube::Client, mode: ClusterMode, server_url: String) -> Self {
        let current = Arc::new(RwLock::new(ClusterStatus {
            mode,
            server_version: None,
            problem: Some("connecting to the cluster…".into()),
        }));
        let (tx, checked) = watch::channel(0);
        tokio::spawn(run(client, server_url, current.clone(), tx));
        Self { current, checked }
    }

    /// The status as of the last check.
    pub fn current(&self) -> ClusterStatus {
        self.current.read().expect("status lock").clone()
    }

    /// Whether the last check succeeded.
    pub fn is_ready(&self) -> bool {
        let status = self.current.read().expect("status lock");
        status.problem.is_none() && status.server_version.is_some()
    }

    /// Waits up to `limit` for the first check to finish.
    pub async fn first_check(&self, limit: Duration) {
        let mut checked = self.checked.clone();
        let _ = tokio::time::timeout(limit, checked.wait_for(|n| *n > 0)).await;
    }
}

async fn run(
    client: kube::Client,
    server_url: String,
    current: Arc<RwLock<ClusterStatus>>,
    checked: watch::Sender<u64>,
) {
    let mut retry = FIRST_RETRY;
    let mut was_healthy: Option<bool> = None;
    loop {
        let (version, outcome) = check(&client).await;
        let healthy = outcome.is_ok();
        {
            let mut status = current.write().expect("status lock");
            if version.is_some() {
                status.server_version = version;
            }
            status.problem = outcome.as_ref().err().cloned();
        }
        match (&outcome, was_healthy) {
            (Ok(version), Some(true)) => tracing::debug!(%version, "cluster healthy"),
            (Ok(version), _) => tracing::info!(server = %server_url, %version, "cluster connected"),
            (Err(problem), _) => {
                tracing::warn!(server = %server_url, %problem, retry_in = ?retry, "cluster unavailable")
            }
        }
        was_healthy = Some(healthy);
        checked.send_modify(|n| *n += 1);
        let wait = if healthy {
            retry = FIRST_RETRY;
            HEALTHY_INTERVAL
        } else {
            let wait = retry;
            retry = (retry * 2).min(MAX_RETRY);
            wait
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {},
            () = checked.closed() => return,
        }
    }
}

/// The server's version when it answered, and the check's outcome: its
/// version, or the problem as a sentence.
async fn check(client: &kube::Client) -> (Option<String>, Result<String, String>) {
    let version = match client.apiserver_version().await {
        Ok(info) => info.git_version,
        Err(e) => return (None, Err(describe_kube_error(&e))),
    };
    let listed = Api::<Namespace>::all(client.clone())
        .list(&ListParams::default().limit(1))
        .await;
    if let Err(e) = listed {
        return (Some(version), Err(describe_kube_error(&e)));
    }
    let refused = super::permission::refused_at_start(client).await;
    if !refused.is_empty() {
        return (
            Some(version),
            Err(super::permission::refusal_sentence(&refused)),
        );
    }
    (Some(version.clone()), Ok(version))
}
