//! The service traits that server functions call, implemented by the server
//! crate and handed to every request through Leptos context.

use std::sync::Arc;

use crate::api::cluster::{ClusterStatus, NamespaceRow};
use crate::AppError;

/// Read access to the connected cluster.
#[async_trait::async_trait]
pub trait ClusterService: Send + Sync {
    /// How regboard is connected and whether the cluster answers.
    async fn status(&self) -> ClusterStatus;
    /// Every namespace with its project label and number of Secrets.
    async fn namespaces(&self) -> Result<Vec<NamespaceRow>, AppError>;
}

/// Every service a server function may reach; cheap to clone.
#[derive(Clone)]
pub struct Services {
    /// The cluster.
    pub cluster: Arc<dyn ClusterService>,
}

/// The services of the current request.
///
/// # Panics
/// When the server did not provide [`Services`] as context, which is a
/// wiring bug caught by every integration test.
pub fn services() -> Services {
    leptos::prelude::expect_context::<Services>()
}
