//! Issue #13 item 5: pull Secrets regboard did not write are listed per
//! namespace with hosts and usernames only, and editors adopt them — in
//! place with the data bytes unchanged, under another name, or into the
//! namespace's project when no name collides.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, PostParams};
use regboard_app::domain::access::{Role, Subject};
use regboard_app::domain::scope::Scope as GrantScope;
use regboard_app::model::registries::{RegistrySummary, Scope, UnprovenSecret};
use regboard_app::model::unmanaged::{AdoptAs, AdoptRequest, UnmanagedSecret};
use regboard_app::AppError;
use regboard_server::cluster::proof::PROOF;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp, ADMIN, PASSWORD};
use crate::kubectl::Kubectl;
use crate::registry_helpers::{all_synced, call, make_foreign_secret, secret};

const CANARY: &str = "unmanaged-canary-pw-38";
const LOOSE: &str = "sandbox-scratch";

/// A pull Secret as Helm charts write it: labelled by Helm, `auth` only.
async fn helm_like(app: &TestApp, namespace: &str, name: &str, secret_type: &str) -> Secret {
    let auth = STANDARD.encode(format!("helm-bot:{CANARY}"));
    let (key, doc) = if secret_type == "kubernetes.io/dockercfg" {
        (".dockercfg", json!({"quay.io": {"auth": auth}}))
    } else {
        (
            ".dockerconfigjson",
            json!({"auths": {"quay.io": {"auth": auth}}, "x-extra": 1}),
        )
    };
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "Helm"}},
        "type": secret_type,
        "data": {key: STANDARD.encode(doc.to_string())},
    }))
    .unwrap();
    Api::<Secret>::namespaced(app.kube(), namespace)
        .create(&PostParams::default(), &secret)
        .await
        .unwrap()
}

async fn unmanaged_json(app: &TestApp, namespace: Option<&str>) -> String {
    let args = json!({ "namespace": namespace });
    let (status, body) =
        crate::authz::post(app, &app.client, "list_unmanaged_secrets", &args).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn unmanaged(app: &TestApp, namespace: Option<&str>) -> Vec<UnmanagedSecret> {
    serde_json::from_str(&unmanaged_json(app, namespace).await).unwrap()
}

/// Adopts `namespace/name` as the admin, through the server function.
pub(crate) async fn adopt(
    app: &TestApp,
    namespace: &str,
    name: &str,
    adopt_as: AdoptAs,
) -> Result<RegistrySummary, AppError> {
    let request = AdoptRequest {
        namespace: namespace.into(),
        name: name.into(),
        adopt_as,
    };
    call(
        app,
        "adopt_unmanaged_secret",
        &json!({ "request": request }),
    )
    .await
}

/// A user `viewer` holding Viewer on project payments, signed in.
pub(crate) async fn viewer_of_payments(app: &TestApp) -> reqwest::Client {
    let viewer = app.create_user("viewer", false).await;
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE name = ?")
        .bind(ADMIN)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let perms = app.access.permissions_of(admin_id, true).await.unwrap();
    let payments = GrantScope::Project {
        project: "payments".into(),
    };
    crate::authz::grant(app, &perms, Subject::User(viewer), Role::Viewer, payments).await;
    app.login("viewer", PASSWORD).await
}

fn row<'a>(
    rows: &'a [UnmanagedSecret],
    namespace: &str,
    name: &str,
) -> Option<&'a UnmanagedSecret> {
    rows.iter()
        .find(|r| r.namespace == namespace && r.name == name)
}

#[tokio::test]
async fn pull_secrets_made_with_kubectl_or_helm_are_listed_with_hosts_and_usernames_only() {
    let app = spawn_app().await;
    helm_like(&app, LOOSE, "helm-pull", "kubernetes.io/dockerconfigjson").await;
    helm_like(&app, LOOSE, "old-pull", "kubernetes.io/dockercfg").await;
    let kubectl = Kubectl::for_app(&app);
    if let Some(kubectl) = &kubectl {
        kubectl
            .ok(&[
                "create",
                "secret",
                "docker-registry",
                "kubectl-pull",
                "-n",
                LOOSE,
                "--docker-server=registry.example.com",
                "--docker-username=kube-user",
                &format!("--docker-password={CANARY}"),
                "--docker-email=k@example.com",
            ])
            .await;
    }
    let body = unmanaged_json(&app, Some(LOOSE)).await;
    assert!(!body.contains(CANARY), "{body}");
    assert!(
        !body.contains(&STANDARD.encode(format!("helm-bot:{CANARY}"))),
        "{body}"
    );
    assert!(!body.contains("k@example.com"), "no emails either: {body}");
    let rows: Vec<UnmanagedSecret> = serde_json::from_str(&body).unwrap();
    let helm = row(&rows, LOOSE, "helm-pull").expect("the Helm Secret is listed");
    assert_eq!(
        (helm.hosts.clone(), helm.usernames.clone()),
        (vec!["quay.io".into()], vec!["helm-bot".into()])
    );
    assert!(helm.may_adopt, "the admin may adopt it");
    let old = row(&rows, LOOSE, "old-pull").expect("the legacy Secret is listed");
    assert_eq!(old.secret_type, "kubernetes.io/dockercfg");
    assert_eq!(old.usernames, ["helm-bot"]);
    if kubectl.is_some() {
        let made = row(&rows, LOOSE, "kubectl-pull").expect("the kubectl Secret is listed");
        assert_eq!(
            (made.hosts.clone(), made.usernames.clone()),
            (
                vec!["registry.example.com".into()],
                vec!["kube-user".into()]
            )
        );
    }
    // Every namespace the admin sees: the demo's own hand-made one too.
    let all = unmanaged(&app, None).await;
    assert!(
        row(&all, "search-dev", "legacy-ghcr-pull").is_some(),
        "{all:?}"
    );
}

#[tokio::test]
async fn adopting_in_place_keeps_the_data_bytes_and_the_secret_becomes_a_registry() {
    let app = spawn_app().await;
    let before = helm_like(&app, LOOSE, "helm-pull", "kubernetes.io/dockerconfigjson").await;
    let adopted = adopt(&app, LOOSE, "helm-pull", AdoptAs::InPlace)
        .await
        .unwrap();
    assert_eq!(adopted.hosts, ["quay.io"]);
    let after = secret(&app, LOOSE, "helm-pull").await.unwrap();
    assert_eq!(after.data, before.data, "the same data bytes");
    assert_eq!(after.metadata.uid, before.metadata.uid, "the same Secret");
    let labels = after.metadata.labels.clone().unwrap();
    assert_eq!(labels["app.kubernetes.io/managed-by"], "regboard");
    assert_eq!(labels["regboard.dev/scope"], "namespace");
    assert!(after.metadata.annotations.unwrap().contains_key(PROOF));
    let list: Vec<RegistrySummary> = call(&app, "list_registries", &json!({})).await.unwrap();
    assert!(list
        .iter()
        .any(|r| r.name == "helm-pull" && r.username.as_deref() == Some("helm-bot")));
    assert!(row(&unmanaged(&app, Some(LOOSE)).await, LOOSE, "helm-pull").is_none());
    let (outcome, details): (String, String) = sqlx::query_as(
        "SELECT outcome, details FROM audit_events WHERE action = 'registry.adopt' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(outcome, "success");
    assert!(
        details.contains("in_place") && !details.contains(CANARY),
        "{details}"
    );
}

#[tokio::test]
async fn a_secret_with_forged_regboard_labels_is_left_to_the_admins() {
    let app = spawn_app().await;
    let forged: Secret = serde_json::from_value(json!({
        "metadata": {"name": "forged", "labels": {"app.kubernetes.io/managed-by": "regboard",
            "regboard.dev/registry": "forged", "regboard.dev/scope": "namespace"},
            "annotations": {PROOF: "v1:00"}},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": STANDARD.encode(r#"{"auths":{"ghcr.io":{"auth":"dTpw"}}}"#)},
    }))
    .unwrap();
    Api::<Secret>::namespaced(app.kube(), LOOSE)
        .create(&PostParams::default(), &forged)
        .await
        .unwrap();
    assert!(row(&unmanaged(&app, Some(LOOSE)).await, LOOSE, "forged").is_none());
    let refused = adopt(&app, LOOSE, "forged", AdoptAs::InPlace).await;
    let Err(AppError::Invalid { message, .. }) = refused else {
        panic!("not refused: {refused:?}");
    };
    assert!(message.contains("only an admin can adopt it"), "{message}");
    crate::registry_helpers::eventually("the admins see it as unproven", || async {
        let unproven: Vec<UnprovenSecret> = call(&app, "list_unproven_secrets", &json!({}))
            .await
            .unwrap();
        unproven.iter().any(|u| u.name == "forged")
    })
    .await;
}

#[tokio::test]
async fn project_adoption_is_refused_on_a_collision_then_the_secret_becomes_the_copy() {
    let app = spawn_app().await;
    let before = helm_like(
        &app,
        "payments-dev",
        "shared-pull",
        "kubernetes.io/dockerconfigjson",
    )
    .await;
    make_foreign_secret(&app, "payments-prod", "shared-pull", "Opaque").await;
    let project = || AdoptAs::Project {
        name: "shared-pull".into(),
    };
    let refused = adopt(&app, "payments-dev", "shared-pull", project()).await;
    let Err(AppError::Conflict(message)) = refused else {
        panic!("not refused: {refused:?}");
    };
    assert!(
        message.contains("namespace payments-prod (type Opaque)"),
        "{message}"
    );
    assert!(
        secret(&app, "regboard-system", "payments.shared-pull")
            .await
            .is_none(),
        "nothing written"
    );
    Api::<Secret>::namespaced(app.kube(), "payments-prod")
        .delete("shared-pull", &DeleteParams::default())
        .await
        .unwrap();
    let adopted = adopt(&app, "payments-dev", "shared-pull", project())
        .await
        .unwrap();
    assert_eq!(
        adopted.scope,
        Scope::Project {
            project: "payments".into()
        }
    );
    let source = secret(&app, "regboard-system", "payments.shared-pull")
        .await
        .unwrap();
    assert_eq!(source.data, before.data, "the source holds the same bytes");
    let synced = all_synced(&app, &adopted.scope, "shared-pull").await;
    assert_eq!(synced.namespaces.len(), 3);
    let copy = secret(&app, "payments-dev", "shared-pull").await.unwrap();
    assert_eq!(
        copy.metadata.uid, before.metadata.uid,
        "the adopted Secret is the copy"
    );
    assert_eq!(copy.data, before.data);
}

#[tokio::test]
async fn a_legacy_dockercfg_secret_is_never_adopted_in_place_but_its_credentials_can_be() {
    let app = spawn_app().await;
    let old = helm_like(&app, LOOSE, "old-pull", "kubernetes.io/dockercfg").await;
    let refused = adopt(&app, LOOSE, "old-pull", AdoptAs::InPlace).await;
    let Err(AppError::Invalid { message, .. }) = refused else {
        panic!("not refused: {refused:?}");
    };
    assert!(
        message.contains("never lets a Secret's type change"),
        "{message}"
    );
    let renamed = AdoptAs::Renamed {
        name: "old-pull-json".into(),
    };
    let adopted = adopt(&app, LOOSE, "old-pull", renamed).await.unwrap();
    assert_eq!(adopted.username.as_deref(), Some("helm-bot"));
    let new = secret(&app, LOOSE, "old-pull-json").await.unwrap();
    assert_eq!(new.type_.as_deref(), Some("kubernetes.io/dockerconfigjson"));
    let doc: serde_json::Value =
        serde_json::from_slice(&new.data.unwrap()[".dockerconfigjson"].0).unwrap();
    assert_eq!(
        doc["auths"]["quay.io"]["auth"],
        STANDARD.encode(format!("helm-bot:{CANARY}"))
    );
    let still = secret(&app, LOOSE, "old-pull").await.unwrap();
    assert_eq!(
        still.metadata.resource_version, old.metadata.resource_version,
        "left as it was"
    );
}

#[tokio::test]
async fn a_viewer_sees_unmanaged_secrets_but_cannot_adopt_them() {
    let app = spawn_app().await;
    helm_like(
        &app,
        "payments-dev",
        "helm-pull",
        "kubernetes.io/dockerconfigjson",
    )
    .await;
    let client = viewer_of_payments(&app).await;
    let (status, body) =
        crate::authz::post(&app, &client, "list_unmanaged_secrets", &json!({})).await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<UnmanagedSecret> = serde_json::from_str(&body).unwrap();
    let seen = row(&rows, "payments-dev", "helm-pull").expect("the viewer sees it");
    assert!(!seen.may_adopt && !seen.may_adopt_to_project);
    assert!(
        rows.iter().all(|r| r.namespace.starts_with("payments-")),
        "only what the viewer sees"
    );
    let args = json!({"request": {"namespace": "payments-dev", "name": "helm-pull", "adopt_as": {"kind": "in_place"}}});
    let (status, body) = crate::authz::post(&app, &client, "adopt_unmanaged_secret", &args).await;
    assert_eq!(status, 403, "{body}");
    let unchanged = secret(&app, "payments-dev", "helm-pull").await.unwrap();
    assert_eq!(
        unchanged.metadata.labels.unwrap()["app.kubernetes.io/managed-by"],
        "Helm"
    );
}
