//! Issue #13 item 7: a registry exported as a manifest or a kustomize
//! `secretGenerator`, checked with the real kubectl against the sandbox.
//! The credential is in an export only when an editor asks for it and
//! confirms with their own password; every export and refusal is audited.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use k8s_openapi::api::core::v1::Secret;
use regboard_app::model::export::{ExportFormat, ExportRequest, RegistryExport};
use regboard_app::model::registries::Scope;
use regboard_app::AppError;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, PASSWORD};
use crate::kubectl::Kubectl;
use crate::registry_helpers::{call, create, make_namespace, project_input, secret};

const CANARY: &str = "export-canary-pw-71";

fn payments() -> Scope {
    Scope::Project {
        project: "payments".into(),
    }
}

fn request(format: ExportFormat, namespace: Option<&str>, password: Option<&str>) -> ExportRequest {
    ExportRequest {
        scope: payments(),
        name: "ghcr".into(),
        namespace: namespace.map(str::to_owned),
        format,
        include_credential: password.is_some(),
        own_password: password.map(regboard_app::domain::secret::Password::new),
    }
}

async fn export(app: &TestApp, request: &ExportRequest) -> Result<RegistryExport, AppError> {
    call(app, "export_registry", &json!({ "request": request })).await
}

/// The app with project registry `ghcr` of payments holding [`CANARY`].
async fn app_with_registry() -> TestApp {
    let app = spawn_app().await;
    create(&app, project_input("payments", "ghcr", CANARY))
        .await
        .unwrap();
    app
}

/// The parsed `.dockerconfigjson` of a Secret.
fn config_of(secret: &Secret) -> Value {
    let bytes = &secret.data.as_ref().unwrap()[".dockerconfigjson"].0;
    serde_json::from_slice(bytes).unwrap()
}

/// The source Secret regboard holds for payments/ghcr.
async fn original(app: &TestApp) -> Secret {
    secret(app, "regboard-system", "payments.ghcr")
        .await
        .unwrap()
}

fn yaml_docs(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|doc| <Value as serde::Deserialize>::deserialize(doc).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

async fn audit_rows(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT outcome, details FROM audit_events WHERE action = 'registry.export' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_manifest_with_the_credential_applied_by_kubectl_yields_an_equal_secret() {
    let app = app_with_registry().await;
    let Some(kubectl) = Kubectl::for_app(&app) else {
        return;
    };
    let every = export(&app, &request(ExportFormat::Manifest, None, Some(PASSWORD)))
        .await
        .unwrap();
    let docs = yaml_docs(&every.files[0].content);
    let namespaces: Vec<&str> = docs
        .iter()
        .map(|d| d["metadata"]["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(
        namespaces,
        ["payments-dev", "payments-prod", "payments-staging"]
    );
    let one = export(
        &app,
        &request(ExportFormat::Manifest, Some("payments-dev"), Some(PASSWORD)),
    )
    .await
    .unwrap();
    assert!(one.credential_included);
    // Applied where regboard has nothing: a fresh namespace.
    make_namespace(&app, "export-target", None).await;
    let text = one.files[0].content.replace(
        "namespace: \"payments-dev\"",
        "namespace: \"export-target\"",
    );
    let file = kubectl.dir().join(&one.files[0].name);
    std::fs::write(&file, text).unwrap();
    kubectl.ok(&["apply", "-f", file.to_str().unwrap()]).await;
    let applied = secret(&app, "export-target", "ghcr").await.unwrap();
    let original = original(&app).await;
    assert_eq!(applied.type_, original.type_);
    assert_eq!(config_of(&applied), config_of(&original));
    assert_eq!(config_of(&applied)["auths"]["ghcr.io"]["password"], CANARY);
    let labels = applied.metadata.labels.clone().unwrap_or_default();
    let annotations = applied.metadata.annotations.clone().unwrap_or_default();
    assert!(
        labels
            .keys()
            .chain(annotations.keys())
            .all(|k| !k.contains("regboard")),
        "no regboard label or proof: {labels:?} {annotations:?}"
    );
    let rows = audit_rows(&app).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|(outcome, details)| outcome == "success"
        && details.contains(r#""credential_included":true"#)
        && !details.contains(CANARY)));
}

#[tokio::test]
async fn kubectl_kustomize_of_the_exported_generator_yields_the_same_dockerconfigjson() {
    let app = app_with_registry().await;
    let Some(kubectl) = Kubectl::for_app(&app) else {
        return;
    };
    let with = request(ExportFormat::Kustomize, None, Some(PASSWORD));
    let exported = export(&app, &with).await.unwrap();
    let names: Vec<&str> = exported.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["kustomization.yaml", "ghcr.dockerconfigjson"]);
    for f in &exported.files {
        std::fs::write(kubectl.dir().join(&f.name), &f.content).unwrap();
    }
    let built = kubectl
        .ok(&["kustomize", kubectl.dir().to_str().unwrap()])
        .await;
    let docs = yaml_docs(&built);
    assert_eq!(docs.len(), 3, "{built}");
    let original = config_of(&original(&app).await);
    for doc in &docs {
        assert_eq!(doc["kind"], "Secret");
        assert_eq!(doc["metadata"]["name"], "ghcr", "no hash suffix");
        assert_eq!(doc["type"], "kubernetes.io/dockerconfigjson");
        // kubectl wraps long base64 over several lines.
        let encoded: String = doc["data"][".dockerconfigjson"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .collect();
        let data = STANDARD.decode(encoded).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&data).unwrap(), original);
    }
}

#[tokio::test]
async fn the_default_export_leaves_the_credential_out_and_says_where_it_goes() {
    let app = app_with_registry().await;
    let auth = STANDARD.encode(format!("ci-bot:{CANARY}"));
    let mut texts = Vec::new();
    for format in [ExportFormat::Manifest, ExportFormat::Kustomize] {
        let exported = export(&app, &request(format, None, None)).await.unwrap();
        assert!(!exported.credential_included);
        texts.extend(exported.files.into_iter().map(|f| f.content));
    }
    for text in &texts {
        assert!(!text.contains(CANARY) && !text.contains(&auth), "{text}");
        assert!(!text.contains("\"auth\":"), "no auth field: {text}");
        assert!(!text.contains(&STANDARD.encode(CANARY)), "{text}");
    }
    assert!(texts[0].contains("# The credential is left out"));
    assert!(texts[0].contains("\"password\": \"<password for ghcr.io — fill in>\""));
    assert!(texts[0].contains("regboard's labels and ownership proof are left out"));
    // The placeholder config is what the kustomization reads, as JSON.
    let config: Value = serde_json::from_str(&texts[2]).unwrap();
    assert_eq!(config["auths"]["ghcr.io"]["username"], "ci-bot");
    // Still a manifest kubectl takes as it is.
    if let Some(kubectl) = Kubectl::for_app(&app) {
        let file = kubectl.dir().join("template.yaml");
        std::fs::write(&file, &texts[0]).unwrap();
        let out = kubectl
            .ok(&["apply", "--dry-run=client", "-f", file.to_str().unwrap()])
            .await;
        assert_eq!(out.matches("secret/ghcr").count(), 3, "{out}");
    }
    let rows = audit_rows(&app).await;
    assert!(rows
        .iter()
        .all(|(o, d)| o == "success" && d.contains(r#""credential_included":false"#)));
}

#[tokio::test]
async fn a_credential_export_without_the_right_own_password_is_refused_and_audited() {
    let app = app_with_registry().await;
    let typed = "not the admin password at all";
    let wrong = export(&app, &request(ExportFormat::Manifest, None, Some(typed))).await;
    let Err(AppError::Invalid { field, message }) = wrong else {
        panic!("not refused: {wrong:?}");
    };
    assert_eq!(field.as_deref(), Some("own_password"));
    assert_eq!(
        message,
        "That is not your regboard password, so the credential was not exported."
    );
    let mut none = request(ExportFormat::Kustomize, None, None);
    none.include_credential = true;
    let Err(AppError::Invalid { message, .. }) = export(&app, &none).await else {
        panic!("not refused without a password");
    };
    assert!(
        message.starts_with("Type your own regboard password"),
        "{message}"
    );
    let rows = audit_rows(&app).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (outcome, details) in &rows {
        assert_eq!(outcome, "invalid");
        assert!(
            details.contains(r#""credential_requested":true"#),
            "{details}"
        );
        assert!(
            !details.contains(typed) && !details.contains(CANARY),
            "{details}"
        );
    }
    // The admin is not signed out by a wrong confirmation.
    let fine = export(&app, &request(ExportFormat::Manifest, None, Some(PASSWORD))).await;
    assert!(fine.is_ok(), "{fine:?}");
}

#[tokio::test]
async fn a_viewer_cannot_export_and_the_answer_is_never_cached() {
    let app = app_with_registry().await;
    let client = crate::unmanaged::viewer_of_payments(&app).await;
    let args = json!({ "request": request(ExportFormat::Manifest, None, Some(PASSWORD)) });
    let (status, body) = crate::authz::post(&app, &client, "export_registry", &args).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains(CANARY));
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'registry.export' AND outcome = 'denied'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(denied, 1);
    let response = app
        .client
        .post(app.url("/api/export_registry"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_qs::to_string(&args).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("CONTAINS THE CREDENTIAL"));
}
