//! The registry features of the table: each uses one through its server
//! functions, as regboard's ServiceAccount, and checks that it worked.

use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::model::registries::{RegistrySummary, Scope, UnprovenSecret};
use regboard_server::cluster::proof::{self, OwnershipKey, PROOF};
use regboard_server::upgrade::Upgrade;
use serde_json::json;

use crate::helpers::TestApp;
use crate::registry_helpers::*;

/// Namespace registries live here (outside any project).
const LOOSE: &str = "sandbox-scratch";
/// The members of project payments in the demo seed.
const PAYMENTS: [&str; 3] = ["payments-dev", "payments-prod", "payments-staging"];

fn payments() -> Scope {
    Scope::Project {
        project: "payments".into(),
    }
}

fn loose() -> Scope {
    Scope::Namespace {
        namespace: LOOSE.into(),
    }
}

fn username(secret: &Secret) -> Option<String> {
    let bytes = &secret.data.as_ref()?.get(".dockerconfigjson")?.0;
    let config = DockerConfig::parse_dockerconfigjson(bytes).ok()?;
    config.username_password("ghcr.io").map(|(u, _)| u)
}

/// A synced project registry `name` of payments.
async fn synced(app: &TestApp, name: &str) {
    create(app, project_input("payments", name, "pw-project"))
        .await
        .unwrap();
    all_synced(app, &payments(), name).await;
}

async fn registries(app: &TestApp) -> Vec<RegistrySummary> {
    call(app, "list_registries", &json!({})).await.unwrap()
}

/// The ownership key, from the file beside the database.
pub(super) async fn key_of(app: &TestApp) -> OwnershipKey {
    let path = proof::key_path(&app.db_path);
    OwnershipKey::new(
        regboard_server::keyfile::load_or_create(&path)
            .await
            .unwrap(),
    )
}

/// `namespace/name` as the previous version wrote it: labels, no proof.
async fn strip_proof(app: &TestApp, namespace: &str, name: &str) {
    let strip = json!({"metadata": {"annotations": {PROOF: null}}});
    Api::<Secret>::namespaced(app.kube(), namespace)
        .patch(name, &PatchParams::default(), &Patch::Merge(&strip))
        .await
        .unwrap();
}

pub(super) async fn create_namespace_registry(app: &TestApp) {
    let created = create(app, ns_input(LOOSE, "rbac-ns", "pw-1"))
        .await
        .unwrap();
    assert_eq!(created.sync.synced, 1);
    assert!(secret(app, LOOSE, "rbac-ns").await.is_some());
}

pub(super) async fn edit_namespace_registry(app: &TestApp) {
    create(app, ns_input(LOOSE, "rbac-ns-edit", "pw-1"))
        .await
        .unwrap();
    let mut edit = ns_input(LOOSE, "rbac-ns-edit", "");
    edit.credentials[0].username = "robot".into();
    update(app, edit).await.unwrap();
    let s = secret(app, LOOSE, "rbac-ns-edit").await.unwrap();
    assert_eq!(username(&s).as_deref(), Some("robot"));
}

pub(super) async fn delete_namespace_registry(app: &TestApp) {
    create(app, ns_input(LOOSE, "rbac-ns-delete", "pw-1"))
        .await
        .unwrap();
    delete(app, &loose(), "rbac-ns-delete").await.unwrap();
    assert!(secret(app, LOOSE, "rbac-ns-delete").await.is_none());
}

pub(super) async fn create_project_registry(app: &TestApp) {
    synced(app, "rbac-project").await;
    for ns in PAYMENTS {
        assert!(secret(app, ns, "rbac-project").await.is_some(), "{ns}");
    }
}

pub(super) async fn edit_project_registry(app: &TestApp) {
    synced(app, "rbac-project-edit").await;
    let mut edit = project_input("payments", "rbac-project-edit", "");
    edit.credentials[0].username = "robot".into();
    update(app, edit).await.unwrap();
    eventually("every copy carries the new username", || async {
        let mut all = true;
        for ns in PAYMENTS {
            let copy = secret(app, ns, "rbac-project-edit").await.unwrap();
            all &= username(&copy).as_deref() == Some("robot");
        }
        all
    })
    .await;
}

pub(super) async fn delete_project_registry(app: &TestApp) {
    synced(app, "rbac-project-delete").await;
    delete(app, &payments(), "rbac-project-delete")
        .await
        .unwrap();
    eventually("the copies are gone", || async {
        let mut none = true;
        for ns in PAYMENTS {
            none &= secret(app, ns, "rbac-project-delete").await.is_none();
        }
        none
    })
    .await;
}

pub(super) async fn registry_list(app: &TestApp) {
    let rows = registries(app).await;
    for (scope, name) in [(loose(), "rbac-ns"), (payments(), "rbac-project")] {
        assert!(
            rows.iter().any(|r| r.scope == scope && r.name == name),
            "{name} listed"
        );
    }
}

pub(super) async fn registry_references(app: &TestApp) {
    // The demo pod in payments-staging pulls with "payments-registry".
    synced(app, "payments-registry").await;
    let pull = json!({"imagePullSecrets": [{"name": "payments-registry"}]});
    Api::<ServiceAccount>::namespaced(app.kube(), "payments-dev")
        .patch("default", &PatchParams::default(), &Patch::Merge(&pull))
        .await
        .unwrap();
    let d = detail(app, &payments(), "payments-registry").await.unwrap();
    let refs: Vec<(&str, &str)> = d
        .references
        .iter()
        .map(|r| (r.kind.as_str(), r.namespace.as_str()))
        .collect();
    assert!(refs.contains(&("Pod", "payments-staging")), "{refs:?}");
    assert!(
        refs.contains(&("ServiceAccount", "payments-dev")),
        "{refs:?}"
    );
}

pub(super) async fn resync_registry(app: &TestApp) {
    let args = json!({"scope": payments(), "name": "rbac-project"});
    let () = call(app, "resync_registry", &args).await.unwrap();
    all_synced(app, &payments(), "rbac-project").await;
}

/// The on-demand credential test reads the source Secret's login (ghcr.io
/// is not reachable from the tests: the verdict is "unreachable").
pub(super) async fn test_credential(app: &TestApp) {
    let args = json!({"scope": payments(), "name": "rbac-project"});
    let checks: Vec<regboard_app::model::credentials::CredentialCheck> =
        call(app, "test_registry_credential", &args).await.unwrap();
    assert!(!checks.is_empty(), "every host is tested");
}

pub(super) async fn restore_lost_source(app: &TestApp) {
    synced(app, "rbac-lost").await;
    Api::<Secret>::namespaced(app.kube(), "regboard-system")
        .delete("payments.rbac-lost", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the registry shows as source lost", || async {
        registries(app)
            .await
            .iter()
            .any(|r| r.name == "rbac-lost" && r.source_lost)
    })
    .await;
    let args = json!({"project": "payments", "name": "rbac-lost"});
    let () = call(app, "restore_registry", &args).await.unwrap();
    assert!(secret(app, "regboard-system", "payments.rbac-lost")
        .await
        .is_some());
    let d = all_synced(app, &payments(), "rbac-lost").await;
    assert!(!d.summary.source_lost);
}

pub(super) async fn adopt_unproven(app: &TestApp) {
    create(app, ns_input(LOOSE, "rbac-adopt", "pw-1"))
        .await
        .unwrap();
    strip_proof(app, LOOSE, "rbac-adopt").await;
    let listed = |unproven: Vec<UnprovenSecret>| {
        unproven
            .iter()
            .any(|u| u.namespace == LOOSE && u.name == "rbac-adopt")
    };
    eventually("the Secret is listed as unproven", || async {
        listed(
            call(app, "list_unproven_secrets", &json!({}))
                .await
                .unwrap(),
        )
    })
    .await;
    let args = json!({"namespace": LOOSE, "name": "rbac-adopt"});
    let () = call(app, "adopt_secret", &args).await.unwrap();
    let s = secret(app, LOOSE, "rbac-adopt").await.unwrap();
    assert!(key_of(app).await.owns(&s), "adopted: proven again");
}

pub(super) async fn upgrade_legacy_proof(app: &TestApp) {
    create(app, ns_input(LOOSE, "rbac-legacy", "pw-1"))
        .await
        .unwrap();
    strip_proof(app, LOOSE, "rbac-legacy").await;
    let sandbox = app.sandbox.as_ref().unwrap();
    let upgrade = Upgrade {
        client: regboard_server::cluster::client(sandbox.kube_config_as(super::TOKEN)).unwrap(),
        db: app.db.clone(),
        inventory: app.cluster.inventory.clone(),
        key: key_of(app).await,
        audit: app.audit.clone(),
        system_namespace: "regboard-system".into(),
    };
    let report = upgrade.prove_legacy().await.unwrap();
    assert!(
        report.proven.contains(&format!("{LOOSE}/rbac-legacy")),
        "{report:?}"
    );
}
