//! "Used by" of a registry: the pods and ServiceAccounts that name its
//! Secret in `imagePullSecrets` in each namespace the registry covers: pods
//! read per namespace (`Api::namespaced`, [`super::CONCURRENCY`] namespaces
//! at once, never across the whole cluster), ServiceAccounts from the
//! inventory's reflector.

use k8s_openapi::api::core::v1::{LocalObjectReference, Pod};
use kube::api::{Api, ListParams};
use regboard_app::model::registries::SecretReference;
use regboard_app::AppError;

use super::read::bounded;
use crate::cluster::errors::app_error;
use crate::cluster::Inventory;

/// The pods and ServiceAccounts of `namespaces` naming Secret `secret`,
/// sorted by namespace, kind and name.
pub async fn references(
    client: &kube::Client,
    inventory: &Inventory,
    secret: &str,
    namespaces: &[String],
) -> Result<Vec<SecretReference>, AppError> {
    let work = namespaces
        .iter()
        .map(|ns| in_namespace(client, secret, ns))
        .collect();
    let results = bounded(work).await;
    let mut refs = Vec::new();
    for result in results {
        refs.extend(result?);
    }
    refs.extend(
        inventory
            .service_accounts()
            .iter()
            .filter(|a| {
                a.metadata
                    .namespace
                    .as_ref()
                    .is_some_and(|ns| namespaces.contains(ns))
            })
            .filter(|a| names(a.image_pull_secrets.as_ref(), secret))
            .map(|a| SecretReference {
                kind: "ServiceAccount".into(),
                namespace: a.metadata.namespace.clone().unwrap_or_default(),
                name: a.metadata.name.clone().unwrap_or_default(),
                problem: None,
            }),
    );
    refs.sort_by(|a, b| (&a.namespace, &a.kind, &a.name).cmp(&(&b.namespace, &b.kind, &b.name)));
    Ok(refs)
}

fn names(refs: Option<&Vec<LocalObjectReference>>, secret: &str) -> bool {
    refs.is_some_and(|r| r.iter().any(|r| r.name == secret))
}

async fn in_namespace(
    client: &kube::Client,
    secret: &str,
    namespace: &str,
) -> Result<Vec<SecretReference>, AppError> {
    let pods = Api::<Pod>::namespaced(client.clone(), namespace)
        .list(&ListParams::default())
        .await
        .map_err(|e| app_error(&e, &format!("the pods of namespace {namespace}"), &[]))?;
    Ok(pods
        .items
        .iter()
        .filter(|p| {
            names(
                p.spec.as_ref().and_then(|s| s.image_pull_secrets.as_ref()),
                secret,
            )
        })
        .map(|p| SecretReference {
            kind: "Pod".into(),
            namespace: namespace.to_owned(),
            name: p.metadata.name.clone().unwrap_or_default(),
            problem: waiting_reason(p),
        })
        .collect())
}

/// A container's waiting reason such as `ImagePullBackOff`, init containers first.
fn waiting_reason(pod: &Pod) -> Option<String> {
    let status = pod.status.as_ref()?;
    status
        .init_container_statuses
        .iter()
        .chain(status.container_statuses.iter())
        .flatten()
        .find_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone())
}
