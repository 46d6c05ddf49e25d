//! "Used by" of a registry: the pods and ServiceAccounts that name its
//! Secret in `imagePullSecrets`, read in each namespace the registry covers
//! (`Api::namespaced`, [`super::CONCURRENCY`] namespaces at once), never
//! across the whole cluster.

use k8s_openapi::api::core::v1::{LocalObjectReference, Pod, ServiceAccount};
use kube::api::{Api, ListParams};
use regboard_app::model::registries::SecretReference;
use regboard_app::AppError;

use super::read::bounded;
use crate::cluster::errors::app_error;

/// The pods and ServiceAccounts of `namespaces` naming Secret `secret`,
/// sorted by namespace, kind and name.
pub async fn references(
    client: &kube::Client,
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
    let (pod_api, account_api, params) = (
        Api::<Pod>::namespaced(client.clone(), namespace),
        Api::<ServiceAccount>::namespaced(client.clone(), namespace),
        ListParams::default(),
    );
    let (pods, accounts) = futures::join!(pod_api.list(&params), account_api.list(&params));
    let pods =
        pods.map_err(|e| app_error(&e, &format!("the pods of namespace {namespace}"), &[]))?;
    let accounts = accounts.map_err(|e| {
        app_error(
            &e,
            &format!("the ServiceAccounts of namespace {namespace}"),
            &[],
        )
    })?;
    let reference = |kind: &str, name: Option<&String>, problem| SecretReference {
        kind: kind.into(),
        namespace: namespace.to_owned(),
        name: name.cloned().unwrap_or_default(),
        problem,
    };
    let pods = pods
        .items
        .iter()
        .filter(|p| {
            names(
                p.spec.as_ref().and_then(|s| s.image_pull_secrets.as_ref()),
                secret,
            )
        })
        .map(|p| reference("Pod", p.metadata.name.as_ref(), waiting_reason(p)));
    let accounts = accounts
        .items
        .iter()
        .filter(|a| names(a.image_pull_secrets.as_ref(), secret))
        .map(|a| reference("ServiceAccount", a.metadata.name.as_ref(), None));
    Ok(pods.chain(accounts).collect())
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
