//! The sandbox's simulated kubelet against a real Distribution registry
//! (Debian's `docker-registry`, htpasswd): a pod whose pull Secret holds the
//! login the registry accepts runs; one holding a wrong password backs off
//! with the 401 the registry answered, and the password is in no Event.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Event, Namespace, Pod, Secret};
use kube::api::{Api, ListParams, PostParams};
use regboard_sandbox::kubelet::pull::Registries;
use regboard_sandbox::{docker_config_json, Sandbox, SandboxOptions, Seed};
use serde_json::json;

use crate::registry_harness::{docker_registry, Registry};
use crate::registry_helpers::eventually;

const IMAGE: &str = "ghcr.io/acme/app:1.0";

async fn phase(pods: &Api<Pod>, name: &str) -> (String, String) {
    let pod = pods.get(name).await.unwrap();
    let status = pod.status.unwrap_or_default();
    let waiting = status
        .container_statuses
        .unwrap_or_default()
        .first()
        .and_then(|c| c.state.clone())
        .and_then(|s| s.waiting)
        .and_then(|w| w.reason)
        .unwrap_or_default();
    (status.phase.unwrap_or_default(), waiting)
}

#[tokio::test]
async fn the_kubelet_pulls_only_with_a_login_the_real_registry_accepts() {
    let Some(binary) = docker_registry() else {
        return;
    };
    let registry = Registry::basic(&binary, "robot", "right-password").await;
    let mut options = SandboxOptions::new("127.0.0.1:0".parse().unwrap(), Seed::Empty);
    options.registries = Registries {
        verify: BTreeMap::from([("ghcr.io".into(), format!("http://{}", registry.host))]),
        ..Registries::default()
    };
    options.pull_backoff = Duration::from_millis(200);
    let sandbox = Sandbox::start(options).await.unwrap();
    let client = sandbox.client().unwrap();
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "app"}})).unwrap();
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "app");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "app");
    for (name, password) in [("right", "right-password"), ("wrong", "wrong-password")] {
        let doc = docker_config_json("ghcr.io", "robot", password);
        let secret: Secret = serde_json::from_value(json!({
            "metadata": {"name": name}, "type": "kubernetes.io/dockerconfigjson",
            "stringData": {".dockerconfigjson": doc}
        }))
        .unwrap();
        secrets
            .create(&PostParams::default(), &secret)
            .await
            .unwrap();
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": IMAGE}],
                     "imagePullSecrets": [{"name": name}]}
        }))
        .unwrap();
        pods.create(&PostParams::default(), &pod).await.unwrap();
    }
    eventually("the right login's pod runs", || async {
        phase(&pods, "right").await.0 == "Running"
    })
    .await;
    eventually("the wrong login's pod backs off", || async {
        phase(&pods, "wrong").await.1 == "ImagePullBackOff"
    })
    .await;
    let events: Api<Event> = Api::namespaced(client, "app");
    let messages: Vec<String> = events
        .list(&ListParams::default().fields("involvedObject.name=wrong"))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|e| e.message)
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("401 Unauthorized")),
        "{messages:#?}"
    );
    assert!(
        !messages.iter().any(|m| m.contains("wrong-password")),
        "no password in Events"
    );
    sandbox.shutdown().await;
}
