//! regboard_app's `ClusterService`, implemented over a live connection.

use std::time::Duration;

use regboard_app::model::cluster::{ClusterStatus, NamespaceRow};
use regboard_app::services::ClusterService;
use regboard_app::AppError;

use super::{Connection, Inventory, StatusMonitor};

/// How long a page waits for the first namespace list before saying the
/// cluster is unavailable.
const FIRST_LIST_WAIT: Duration = Duration::from_secs(5);

/// The cluster service over a kube-rs connection.
#[derive(Clone)]
pub struct KubeCluster {
    /// Connection health.
    pub status: StatusMonitor,
    /// Namespaces and Secret counts.
    pub inventory: Inventory,
}

impl KubeCluster {
    /// Starts the status monitor and the reflectors on `connection`;
    /// project membership is what `membership` recorded.
    pub fn start(connection: &Connection, membership: crate::membership::Membership) -> Self {
        Self {
            status: StatusMonitor::start(
                connection.client.clone(),
                connection.mode.clone(),
                connection.server_url.clone(),
            ),
            inventory: Inventory::start(connection.client.clone(), membership),
        }
    }
}

#[async_trait::async_trait]
impl ClusterService for KubeCluster {
    async fn status(&self) -> ClusterStatus {
        self.status.current()
    }

    async fn namespaces(&self) -> Result<Vec<NamespaceRow>, AppError> {
        if self.inventory.ready(FIRST_LIST_WAIT).await {
            return Ok(self.inventory.rows());
        }
        let problem =
            self.status.current().problem.unwrap_or_else(|| {
                "the namespace list has not arrived yet; try again shortly".into()
            });
        Err(AppError::ClusterUnavailable(problem))
    }
}

/// The cluster service when no cluster is configured (tests of the shell).
#[derive(Debug, Default, Clone, Copy)]
pub struct Disconnected;

#[async_trait::async_trait]
impl ClusterService for Disconnected {
    async fn status(&self) -> ClusterStatus {
        ClusterStatus::disconnected()
    }

    async fn namespaces(&self) -> Result<Vec<NamespaceRow>, AppError> {
        Err(AppError::ClusterUnavailable(
            "no cluster is connected".to_owned(),
        ))
    }
}
