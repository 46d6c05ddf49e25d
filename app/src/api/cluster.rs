//! The connected cluster: server functions for the banner and the
//! Namespaces page.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::call;
pub use crate::model::cluster::*;
use crate::AppError;

/// How regboard is connected to a cluster and whether it answers. Before
/// signing in only the mode is told (for the sandbox banner), not the
/// context, version or problem.
#[server(endpoint = "cluster_status")]
pub async fn get_cluster_status() -> Result<ClusterStatus, AppError> {
    call::anyone(|ctx| async move {
        let status = ctx.services.cluster.status().await;
        if ctx.caller.user.is_some() {
            return Ok(status);
        }
        Ok(status.public_part())
    })
    .await
}

/// The namespaces the caller may see, with their project and Secret count.
#[server(endpoint = "list_namespaces")]
pub async fn list_namespaces() -> Result<NamespaceList, AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        let mut rows = ctx.services.cluster.namespaces().await?;
        rows.retain(|r| perms.sees_namespace(&r.name, r.project.as_deref()));
        Ok(NamespaceList::taken_now(rows))
    })
    .await
}
