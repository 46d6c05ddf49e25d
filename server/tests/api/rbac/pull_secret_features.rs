//! The pull-Secret features of the table: exporting a registry (a get of
//! its Secret), the unmanaged pull Secrets of a namespace (lists by field
//! selector `type`), adopting one in place (get, update) and into a
//! project (a cluster-wide list by name, a create in the system namespace,
//! the update that makes it the copy).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use regboard_app::model::export::{ExportFormat, ExportRequest, RegistryExport};
use regboard_app::model::registries::Scope;
use regboard_app::model::unmanaged::{AdoptAs, UnmanagedSecret};
use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};
use crate::registry_helpers::*;
use crate::unmanaged::adopt;

/// A pull Secret made outside regboard in `namespace`.
async fn hand_made(app: &TestApp, namespace: &str, name: &str) {
    let config = r#"{"auths":{"quay.io":{"auth":"dTpw"}}}"#;
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": name}, "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": STANDARD.encode(config)},
    }))
    .unwrap();
    Api::<Secret>::namespaced(app.kube(), namespace)
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
}

pub(super) async fn export_registry(app: &TestApp) {
    create(app, project_input("payments", "rbac-export", "pw-1"))
        .await
        .unwrap();
    let request = ExportRequest {
        scope: Scope::Project {
            project: "payments".into(),
        },
        name: "rbac-export".into(),
        namespace: None,
        format: ExportFormat::Kustomize,
        include_credential: true,
        own_password: Some(regboard_app::domain::secret::Password::new(PASSWORD)),
    };
    let export: RegistryExport = call(app, "export_registry", &json!({ "request": request }))
        .await
        .unwrap();
    assert!(export.files[1].content.contains("pw-1"));
}

pub(super) async fn unmanaged_and_adopt(app: &TestApp) {
    hand_made(app, "sandbox-scratch", "rbac-unmanaged").await;
    let rows: Vec<UnmanagedSecret> = call(
        app,
        "list_unmanaged_secrets",
        &json!({"namespace": "sandbox-scratch"}),
    )
    .await
    .unwrap();
    assert!(rows.iter().any(|r| r.name == "rbac-unmanaged"));
    adopt(app, "sandbox-scratch", "rbac-unmanaged", AdoptAs::InPlace)
        .await
        .unwrap();
    hand_made(app, "payments-dev", "rbac-adopt-project").await;
    let name = "rbac-adopt-project".to_owned();
    let adopted = adopt(
        app,
        "payments-dev",
        &name,
        AdoptAs::Project { name: name.clone() },
    )
    .await
    .unwrap();
    all_synced(app, &adopted.scope, &name).await;
}
