//! The simulated kubelet: image pulls against pull Secrets, pod status and Events.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Event, Pod, Secret};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::ResourceExt;
use regboard_sandbox::{docker_config_json, Registries, Sandbox, SandboxOptions, Seed};
use serde_json::{json, Value};

use crate::admission::pod;
use crate::create_namespace;

const PRIVATE: &str = "ghcr.io/acme/app:1.0";

async fn node(registries: Registries) -> Sandbox {
    let mut opts = SandboxOptions::new("127.0.0.1:0".parse().unwrap(), Seed::Empty);
    opts.registries = registries;
    opts.pull_backoff = Duration::from_millis(200);
    Sandbox::start(opts).await.expect("sandbox starts")
}

/// A pull Secret of `kind` holding a login for `host`.
fn pull_secret(name: &str, kind: &str, host: &str, password: &str) -> Secret {
    let doc = docker_config_json(host, "robot", password);
    serde_json::from_value(json!({"metadata": {"name": name}, "type": kind,
                                  "stringData": {".dockerconfigjson": doc}}))
    .unwrap()
}

/// Waits until the first container's state is `want` (`running` or a waiting reason).
async fn settle(pods: &Api<Pod>, name: &str, want: &str) -> Value {
    for _ in 0..100 {
        let p = serde_json::to_value(pods.get(name).await.unwrap()).unwrap();
        let state = &p["status"]["containerStatuses"][0]["state"];
        let now =
            state["waiting"]["reason"]
                .as_str()
                .unwrap_or(if state.get("running").is_some() {
                    "running"
                } else {
                    ""
                });
        if now == want {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("pod {name} never reached {want}");
}

/// (reason, message) of the Events about pod `name`, oldest first.
async fn events(client: &kube::Client, ns: &str, name: &str) -> Vec<(String, String)> {
    let api: Api<Event> = Api::namespaced(client.clone(), ns);
    let field = format!("involvedObject.name={name}");
    let mut list = api
        .list(&ListParams::default().fields(&field))
        .await
        .unwrap()
        .items;
    list.sort_by_key(|e| e.resource_version().and_then(|v| v.parse::<u64>().ok()));
    list.into_iter()
        .map(|e| (e.reason.unwrap_or_default(), e.message.unwrap_or_default()))
        .collect()
}

/// Runs pod `name` of `image` with `secrets` in namespace `app`; returns its settled JSON.
async fn run(sb: &Sandbox, name: &str, image: &str, secrets: &[&str], want: &str) -> Value {
    let pods: Api<Pod> = Api::namespaced(sb.client().unwrap(), "app");
    pods.create(&PostParams::default(), &pod(name, image, secrets, None))
        .await
        .unwrap();
    settle(&pods, name, want).await
}

async fn setup(registries: Registries, secrets: &[Secret]) -> Sandbox {
    let sb = node(registries).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "app").await;
    let api: Api<Secret> = Api::namespaced(client, "app");
    for s in secrets {
        api.create(&PostParams::default(), s).await.unwrap();
    }
    sb
}

fn assert_back_off(events: &[(String, String)], image: &str) {
    let messages: Vec<&str> = events.iter().map(|(_, m)| m.as_str()).collect();
    let failed = format!("Failed to pull image \"{image}\": rpc error: code = Unknown desc = failed to pull and unpack image");
    assert!(
        messages.iter().any(|m| m.starts_with(&failed)),
        "{messages:#?}"
    );
    for want in [
        format!("Pulling image \"{image}\""),
        "Error: ErrImagePull".into(),
        format!("Back-off pulling image \"{image}\""),
        "Error: ImagePullBackOff".into(),
    ] {
        assert!(
            messages.contains(&want.as_str()),
            "{want} missing: {messages:#?}"
        );
    }
}

#[tokio::test]
async fn a_private_image_without_a_pull_secret_backs_off() {
    let sb = setup(Registries::default(), &[]).await;
    let p = run(&sb, "web", PRIVATE, &[], "ImagePullBackOff").await;
    assert_eq!(p["status"]["phase"], "Pending");
    assert_eq!(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["message"],
        format!("Back-off pulling image \"{PRIVATE}\"")
    );
    let seen = events(&sb.client().unwrap(), "app", "web").await;
    assert_back_off(&seen, PRIVATE);
    assert!(
        seen.iter()
            .any(|(r, m)| r == "Failed" && m.contains("401 Unauthorized")),
        "{seen:#?}"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_named_secret_that_does_not_exist_is_reported_and_the_pull_fails() {
    let sb = setup(Registries::default(), &[]).await;
    run(
        &sb,
        "web",
        PRIVATE,
        &["regcred", "spare"],
        "ImagePullBackOff",
    )
    .await;
    let seen = events(&sb.client().unwrap(), "app", "web").await;
    assert!(seen.contains(&(
        "FailedToRetrieveImagePullSecret".into(),
        "Unable to retrieve some image pull secrets (regcred, spare); attempting to pull the image may not succeed.".into()
    )), "{seen:#?}");
    assert_back_off(&seen, PRIVATE);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_opaque_secret_or_one_for_another_host_does_not_authorize_the_pull() {
    let secrets = [
        pull_secret("opaque", "Opaque", "ghcr.io", "pw"),
        pull_secret("quay", "kubernetes.io/dockerconfigjson", "quay.io", "pw"),
    ];
    let sb = setup(Registries::default(), &secrets).await;
    run(&sb, "opaque", PRIVATE, &["opaque"], "ImagePullBackOff").await;
    run(&sb, "quay", PRIVATE, &["quay"], "ImagePullBackOff").await;
    let seen = events(&sb.client().unwrap(), "app", "quay").await;
    assert!(
        !seen
            .iter()
            .any(|(r, _)| r == "FailedToRetrieveImagePullSecret"),
        "{seen:#?}"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_matching_secret_or_a_public_host_runs_the_pod() {
    let registries = Registries {
        public_hosts: vec!["quay.io".into()],
        ..Registries::default()
    };
    let secrets = [pull_secret(
        "ghcr",
        "kubernetes.io/dockerconfigjson",
        "ghcr.io",
        "pw",
    )];
    let sb = setup(registries, &secrets).await;
    let p = run(&sb, "private", PRIVATE, &["ghcr"], "running").await;
    assert_eq!(p["status"]["phase"], "Running");
    assert_eq!(p["status"]["containerStatuses"][0]["ready"], true);
    assert!(p["status"]["containerStatuses"][0]["imageID"]
        .as_str()
        .unwrap()
        .starts_with("ghcr.io/acme/app@sha256:"));
    let seen = events(&sb.client().unwrap(), "app", "private").await;
    let reasons: Vec<&str> = seen.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        reasons,
        ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    );
    run(&sb, "quay", "quay.io/team/tool", &[], "running").await;
    run(
        &sb,
        "hub",
        "index.docker.io/library/nginx:1.27",
        &[],
        "running",
    )
    .await;
    run(&sb, "hub-user", "bitnami/redis", &[], "ImagePullBackOff").await;
    sb.shutdown().await;
}

#[tokio::test]
async fn docker_hub_library_images_can_be_made_private() {
    let registries = Registries {
        private_library: true,
        ..Registries::default()
    };
    let secrets = [pull_secret(
        "hub",
        "kubernetes.io/dockerconfigjson",
        "https://index.docker.io/v1/",
        "pw",
    )];
    let sb = setup(registries, &secrets).await;
    run(&sb, "bare", "nginx", &[], "ImagePullBackOff").await;
    let seen = events(&sb.client().unwrap(), "app", "bare").await;
    assert!(
        seen.iter()
            .any(|(_, m)| m.ends_with("insufficient_scope: authorization failed")),
        "{seen:#?}"
    );
    run(&sb, "logged-in", "docker.io/nginx", &["hub"], "running").await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_failed_pod_pulls_again_when_re_created_after_the_fix() {
    let sb = setup(Registries::default(), &[]).await;
    run(&sb, "web", PRIVATE, &["regcred"], "ImagePullBackOff").await;
    let client = sb.client().unwrap();
    Api::<Secret>::namespaced(client.clone(), "app")
        .create(
            &PostParams::default(),
            &pull_secret("regcred", "kubernetes.io/dockerconfigjson", "ghcr.io", "pw"),
        )
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client, "app");
    pods.delete("web", &DeleteParams::default()).await.unwrap();
    let p = run(&sb, "web", PRIVATE, &["regcred"], "running").await;
    assert_eq!(p["status"]["phase"], "Running");
    sb.shutdown().await;
}

#[tokio::test]
async fn an_init_container_that_cannot_pull_holds_the_pod_in_init() {
    let sb = setup(Registries::default(), &[]).await;
    let pods: Api<Pod> = Api::namespaced(sb.client().unwrap(), "app");
    let p: Pod = serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": {
        "initContainers": [{"name": "migrate", "image": PRIVATE}],
        "containers": [{"name": "app", "image": "nginx"}]}}))
    .unwrap();
    pods.create(&PostParams::default(), &p).await.unwrap();
    let p = settle(&pods, "p", "PodInitializing").await;
    assert_eq!(
        p["status"]["initContainerStatuses"][0]["state"]["waiting"]["reason"],
        "ErrImagePull"
    );
    assert_eq!(
        p["status"]["conditions"][1]["reason"],
        "ContainersNotInitialized"
    );
    sb.shutdown().await;
}

/// A registry whose `/v2/` accepts only robot:good over HTTP Basic.
async fn registry() -> String {
    use axum::http::{HeaderMap, StatusCode};
    let app = axum::Router::new().route(
        "/v2/",
        axum::routing::get(|headers: HeaderMap| async move {
            let good = format!(
                "Basic {}",
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "robot:good")
            );
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
            if auth == Some(good.as_str()) {
                StatusCode::OK
            } else {
                StatusCode::UNAUTHORIZED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn a_mapped_registry_must_accept_the_login() {
    let url = registry().await;
    let registries = Registries {
        verify: BTreeMap::from([("ghcr.io".to_string(), url.clone())]),
        ..Registries::default()
    };
    let secrets = [
        pull_secret("good", "kubernetes.io/dockerconfigjson", "ghcr.io", "good"),
        pull_secret("bad", "kubernetes.io/dockerconfigjson", "ghcr.io", "bad"),
    ];
    let sb = setup(registries, &secrets).await;
    run(&sb, "good", PRIVATE, &["good"], "running").await;
    run(&sb, "bad", PRIVATE, &["bad"], "ImagePullBackOff").await;
    let seen = events(&sb.client().unwrap(), "app", "bad").await;
    let want = format!(
        "unexpected status from HEAD request to {url}/v2/acme/app/manifests/1.0: 401 Unauthorized"
    );
    assert!(seen.iter().any(|(_, m)| m.ends_with(&want)), "{seen:#?}");
    assert!(
        !seen
            .iter()
            .any(|(_, m)| m.contains("bad\"") || m.contains(":bad")),
        "no password in events"
    );
    sb.shutdown().await;
}
