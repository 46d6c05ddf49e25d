//! The cluster behind the dashboard.

use regboard_app::api::cluster::{ClusterStatus, NamespaceRow};
use regboard_app::services::ClusterService;
use regboard_app::AppError;

/// The cluster service when no cluster is configured.
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
