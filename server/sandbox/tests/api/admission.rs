//! ServiceAccount admission and the namespace's `default` ServiceAccount, as a cluster does.

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use kube::api::{Api, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::ResourceExt;
use regboard_sandbox::Seed;
use serde_json::json;

use crate::{api_error, create_namespace, sandbox};

/// A pod of a public image, optionally with its own pull Secrets and ServiceAccount.
pub fn pod(name: &str, image: &str, secrets: &[&str], account: Option<&str>) -> Pod {
    let mut pod = json!({"metadata": {"name": name},
                         "spec": {"containers": [{"name": "app", "image": image}]}});
    if !secrets.is_empty() {
        let refs: Vec<_> = secrets.iter().map(|n| json!({"name": n})).collect();
        pod["spec"]["imagePullSecrets"] = json!(refs);
    }
    if let Some(account) = account {
        pod["spec"]["serviceAccountName"] = json!(account);
    }
    serde_json::from_value(pod).expect("pod json")
}

fn pull_secret_names(pod: &Pod) -> Vec<String> {
    pod.spec
        .as_ref()
        .and_then(|s| s.image_pull_secrets.as_ref())
        .map(|refs| refs.iter().map(|r| r.name.clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn each_new_namespace_gets_a_default_service_account_with_its_own_watch_event() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    let all: Api<ServiceAccount> = Api::all(client.clone());
    let mut events = all
        .watch(&WatchParams::default(), "0")
        .await
        .unwrap()
        .boxed();
    create_namespace(&client, "team-a").await;
    let added = loop {
        match events.try_next().await.unwrap().expect("watch open") {
            WatchEvent::Added(sa) if sa.namespace().as_deref() == Some("team-a") => break sa,
            _ => continue,
        }
    };
    assert_eq!(added.name_any(), "default");
    let ns = Api::<k8s_openapi::api::core::v1::Namespace>::all(client.clone())
        .get("team-a")
        .await
        .unwrap();
    assert_ne!(added.uid(), ns.uid());
    let (sa_rv, ns_rv): (u64, u64) = (
        added.resource_version().unwrap().parse().unwrap(),
        ns.resource_version().unwrap().parse().unwrap(),
    );
    assert!(
        sa_rv > ns_rv,
        "the ServiceAccount is written after its namespace"
    );
    for seeded in ["default", "kube-system", "kube-public"] {
        let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), seeded);
        assert!(sas.get("default").await.is_ok(), "{seeded}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn pods_run_as_default_and_inherit_its_pull_secrets_unless_they_name_their_own() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "shop").await;
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), "shop");
    let patch = json!({"imagePullSecrets": [{"name": "regcred"}, {"name": "backup"}]});
    sas.patch("default", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    let pp = PostParams::default();
    let inherited = pods
        .create(&pp, &pod("plain", "nginx", &[], None))
        .await
        .unwrap();
    let spec = inherited.spec.as_ref().unwrap();
    assert_eq!(spec.service_account_name.as_deref(), Some("default"));
    assert_eq!(spec.service_account.as_deref(), Some("default"));
    assert_eq!(pull_secret_names(&inherited), ["regcred", "backup"]);
    let own = pods
        .create(&pp, &pod("own", "nginx", &["mine"], None))
        .await
        .unwrap();
    assert_eq!(pull_secret_names(&own), ["mine"]);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_pod_naming_a_missing_service_account_is_forbidden() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "shop").await;
    let pods: Api<Pod> = Api::namespaced(client, "shop");
    let refused = pods
        .create(
            &PostParams::default(),
            &pod("p", "nginx", &[], Some("robot")),
        )
        .await;
    assert_eq!(
        api_error(refused),
        (
            403,
            "Forbidden".to_string(),
            "pods \"p\" is forbidden: error looking up service account shop/robot: \
             serviceaccount \"robot\" not found"
                .to_string()
        )
    );
    assert!(pods.get_opt("p").await.unwrap().is_none());
    sb.shutdown().await;
}
