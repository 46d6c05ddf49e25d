//! Calling the workload server functions as the browser does, and setting
//! up pods, Secrets and a fake registry around them.

use std::net::SocketAddr;

use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, PostParams};
use regboard_app::model::workloads::{CoverageReport, Diagnosis, PodRow, WorkloadList};
use regboard_app::AppError;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::authz::post;
use crate::helpers::TestApp;
use crate::registry_helpers::eventually;

/// The demo pod whose named pull Secret does not exist.
pub const CHECKOUT: &str = "checkout-7d9f8b6c5-x2x7k";
/// The demo pod in search-prod without a pull Secret (private ghcr.io image).
pub const SEARCH_PROD: &str = "search-api-5c6d7f8b9-q4w2e";
/// The demo pod in search-dev pulling with Secret legacy-ghcr-pull.
pub const SEARCH_DEV: &str = "search-api-6b8c9d7f5-h7j3k";
/// The demo pod in data-pipeline running nginx (public).
pub const INGEST: &str = "ingest-7f5d8c9b6-m2n4p";

/// POSTs to `endpoint` as `client`; the decoded answer or error.
pub async fn call_as<T: DeserializeOwned>(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    args: &Value,
) -> Result<T, AppError> {
    let (status, text) = post(app, client, endpoint, args).await;
    if (200..300).contains(&status) {
        Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{endpoint}: {e}: {text}")))
    } else {
        Err(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{endpoint}: {e}: {text}")))
    }
}

/// The Workloads answer for `query` (e.g. `{"project": "search"}`), as the admin.
pub async fn workloads(app: &TestApp, query: Value) -> WorkloadList {
    call_as(
        app,
        &app.client,
        "list_workloads",
        &json!({ "query": query }),
    )
    .await
    .unwrap_or_else(|e| panic!("list_workloads: {e:?}"))
}

/// The Coverage answer for `query`, as the admin.
pub async fn coverage(app: &TestApp, query: Value) -> CoverageReport {
    call_as(
        app,
        &app.client,
        "workload_coverage",
        &json!({ "query": query }),
    )
    .await
    .unwrap_or_else(|e| panic!("workload_coverage: {e:?}"))
}

/// The diagnosis of `namespace/name`, as the admin.
pub async fn diagnose(app: &TestApp, namespace: &str, name: &str) -> Diagnosis {
    call_as(
        app,
        &app.client,
        "diagnose_pod",
        &json!({"namespace": namespace, "name": name}),
    )
    .await
    .unwrap_or_else(|e| panic!("diagnose_pod {namespace}/{name}: {e:?}"))
}

/// The row of pod `name` in `list`.
pub fn row<'a>(list: &'a WorkloadList, name: &str) -> &'a PodRow {
    list.rows
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no row {name} in {:?}", list.rows))
}

/// Creates pod `name` in `namespace` running `image`, naming `secrets`.
pub async fn make_pod(app: &TestApp, namespace: &str, name: &str, image: &str, secrets: &[&str]) {
    let refs: Vec<Value> = secrets.iter().map(|s| json!({ "name": s })).collect();
    let mut spec = json!({"containers": [{"name": "app", "image": image}]});
    if !refs.is_empty() {
        spec["imagePullSecrets"] = Value::Array(refs);
    }
    let pod: Pod =
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": spec})).unwrap();
    Api::<Pod>::namespaced(app.kube(), namespace)
        .create(&PostParams::default(), &pod)
        .await
        .unwrap();
}

/// Waits until the simulated kubelet has given up pulling `name`'s image
/// (`ImagePullBackOff`, after `ErrImagePull`).
pub async fn backed_off(app: &TestApp, namespace: &str, name: &str) {
    eventually(&format!("{namespace}/{name} backs off"), || async {
        let list = workloads(app, json!({ "namespace": namespace })).await;
        list.rows
            .iter()
            .any(|r| r.name == name && r.state.label() == "ImagePullBackOff")
    })
    .await;
}

/// Creates Secret `name` of `secret_type` in `namespace` with `data`.
pub async fn make_secret(
    app: &TestApp,
    namespace: &str,
    name: &str,
    secret_type: &str,
    data: Value,
) {
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": name}, "type": secret_type, "data": data,
    }))
    .unwrap();
    Api::<Secret>::namespaced(app.kube(), namespace)
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
}

/// Base64 of a `.dockerconfigjson` with one login for `server`.
pub fn docker_config(server: &str) -> Value {
    let doc = regboard_sandbox::docker_config_json(server, "bot", "a-real-looking-token");
    json!({ ".dockerconfigjson": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, doc) })
}

/// Creates a namespace registry through the server function, attached to
/// no ServiceAccount (the setting is left out: its default).
pub async fn namespace_registry(app: &TestApp, namespace: &str, name: &str, host: &str) {
    let input = json!({"input": {
        "scope": {"kind": "namespace", "namespace": namespace},
        "name": name, "credentials": [{"host": host, "username": "bot",
        "password": "a-registry-token-1"}], "description": "test"}});
    let (status, body) = post(app, &app.client, "create_registry", &input).await;
    assert_eq!(status, 200, "create_registry {namespace}/{name}: {body}");
}

/// A fake registry on loopback that answers `GET /v2/` with 401, as
/// registries do before a login.
pub async fn fake_registry() -> SocketAddr {
    let router = axum::Router::new().route(
        "/v2/",
        axum::routing::get(|| async {
            (
                axum::http::StatusCode::UNAUTHORIZED,
                [("www-authenticate", "Basic realm=\"fake\"")],
                "{}",
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// A loopback port where nothing listens.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
