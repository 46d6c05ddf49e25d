//! Calling the registry and project server functions over HTTP, exactly as
//! the browser does (form-urlencoded arguments, JSON answers).

use std::time::Duration;

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, PostParams};
use regboard_app::model::registries::{
    Attachment, HostCredential, RegistryDetail, RegistryInput, RegistrySummary, Scope,
};
use regboard_app::AppError;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::helpers::TestApp;

/// POSTs `args` to the server function at `/api/<endpoint>`.
pub async fn call<A: Serialize, T: DeserializeOwned>(
    app: &TestApp,
    endpoint: &str,
    args: &A,
) -> Result<T, AppError> {
    let (status, text) = crate::authz::post(app, &app.client, endpoint, args).await;
    let ok = (200..300).contains(&status);
    if ok {
        Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{endpoint}: {e}: {text}")))
    } else {
        Err(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{endpoint}: {e}: {text}")))
    }
}

/// A namespace registry form.
pub fn ns_input(namespace: &str, name: &str, password: &str) -> RegistryInput {
    RegistryInput {
        scope: Scope::Namespace {
            namespace: namespace.into(),
        },
        name: name.into(),
        credentials: vec![HostCredential::new("ghcr.io", "ci-bot", password)],
        description: "pulls from GHCR".into(),
        attachment: Attachment::None,
        // ghcr.io is not reachable from the tests; credcheck.rs tests this.
        test_credential: false,
    }
}

/// A project registry form.
pub fn project_input(project: &str, name: &str, password: &str) -> RegistryInput {
    RegistryInput {
        scope: Scope::Project {
            project: project.into(),
        },
        ..ns_input("unused", name, password)
    }
}

/// Creates a registry through the server function.
pub async fn create(app: &TestApp, input: RegistryInput) -> Result<RegistrySummary, AppError> {
    #[derive(Serialize)]
    struct Args {
        input: RegistryInput,
    }
    call(app, "create_registry", &Args { input }).await
}

/// Edits a registry through the server function.
pub async fn update(app: &TestApp, input: RegistryInput) -> Result<RegistrySummary, AppError> {
    #[derive(Serialize)]
    struct Args {
        input: RegistryInput,
    }
    call(app, "update_registry", &Args { input }).await
}

#[derive(Serialize)]
struct ScopeName<'a> {
    scope: &'a Scope,
    name: &'a str,
}

/// Reads a registry's detail through the server function.
pub async fn detail(app: &TestApp, scope: &Scope, name: &str) -> Result<RegistryDetail, AppError> {
    call(app, "get_registry", &ScopeName { scope, name }).await
}

/// Deletes a registry through the server function.
pub async fn delete(app: &TestApp, scope: &Scope, name: &str) -> Result<(), AppError> {
    call(app, "delete_registry", &ScopeName { scope, name }).await
}

/// Polls `check` until it holds (20 s at most).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until every namespace of the registry is synced.
pub async fn all_synced(app: &TestApp, scope: &Scope, name: &str) -> RegistryDetail {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let d = detail(app, scope, name).await.unwrap();
        if !d.namespaces.is_empty() && d.summary.sync.synced == d.summary.sync.total() {
            return d;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not all synced: {:?}",
            d.namespaces
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The Secret `namespace/name`, if any.
pub async fn secret(app: &TestApp, namespace: &str, name: &str) -> Option<Secret> {
    Api::<Secret>::namespaced(app.kube(), namespace)
        .get_opt(name)
        .await
        .unwrap()
}

/// Creates a namespace, in `project` if given.
pub async fn make_namespace(app: &TestApp, name: &str, project: Option<&str>) {
    let ns: Namespace = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "labels": project.map(|p| serde_json::json!({"regboard.dev/project": p})).unwrap_or_default()}
    }))
    .unwrap();
    Api::<Namespace>::all(app.kube())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
}

/// Creates a foreign Secret of `secret_type` (not managed by regboard).
pub async fn make_foreign_secret(
    app: &TestApp,
    namespace: &str,
    name: &str,
    secret_type: &str,
) -> Secret {
    let data = match secret_type {
        "kubernetes.io/tls" => serde_json::json!({"tls.crt": "Y2VydA==", "tls.key": "a2V5"}),
        "kubernetes.io/dockerconfigjson" => {
            serde_json::json!({".dockerconfigjson": "eyJhdXRocyI6e319"})
        }
        "kubernetes.io/basic-auth" => serde_json::json!({"username": "YQ==", "password": "Yg=="}),
        _ => serde_json::json!({"k": "dg=="}),
    };
    let secret: Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name}, "type": secret_type, "data": data
    }))
    .unwrap();
    Api::<Secret>::namespaced(app.kube(), namespace)
        .create(&PostParams::default(), &secret)
        .await
        .unwrap()
}

/// Moves `namespace` into `project` (or out, `None`) through regboard, as
/// an admin does on the Projects page, confirming any collision.
pub async fn move_namespace(app: &TestApp, namespace: &str, project: Option<&str>) {
    let args = serde_json::json!({"namespace": namespace, "project": project, "confirm": true});
    let () = call(app, "set_namespace_project", &args)
        .await
        .unwrap_or_else(|e| panic!("moving {namespace} to {project:?}: {e:?}"));
}
