//! The cluster-wide and project features of the table: the status and
//! readiness, the namespace list, the ownership key, and namespaces joining
//! and leaving projects.

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::Api;
use regboard_app::model::cluster::{ClusterStatus, NamespaceList};
use regboard_app::model::projects::{MovePreview, ProjectSummary};
use regboard_server::cluster::proof::{self, Claim, KEY_SECRET};
use serde_json::json;

use crate::helpers::TestApp;
use crate::registry_helpers::*;

use super::registry_features::key_of;

async fn projects(app: &TestApp) -> Vec<ProjectSummary> {
    call(app, "list_projects", &json!({})).await.unwrap()
}

async fn requested(app: &TestApp, project: &str) -> Vec<String> {
    let all = projects(app).await;
    let p = all.iter().find(|p| p.name == project);
    p.map(|p| p.requested.clone()).unwrap_or_default()
}

async fn label(app: &TestApp, namespace: &str) -> Option<String> {
    let ns = Api::<Namespace>::all(app.kube())
        .get(namespace)
        .await
        .unwrap();
    ns.metadata.labels?.get("regboard.dev/project").cloned()
}

async fn copy_arrives(app: &TestApp, namespace: &str, name: &str) {
    eventually(&format!("{name} reaches {namespace}"), || async {
        secret(app, namespace, name).await.is_some()
    })
    .await;
}

async fn copy_leaves(app: &TestApp, namespace: &str, name: &str) {
    eventually(&format!("{name} leaves {namespace}"), || async {
        secret(app, namespace, name).await.is_none()
    })
    .await;
}

pub(super) async fn cluster_status(app: &TestApp) {
    let (code, body) = app.get("/readyz").await;
    assert_eq!(code, 200, "{body}");
    let status: ClusterStatus = call(app, "cluster_status", &json!({})).await.unwrap();
    assert_eq!(status.problem, None);
    assert!(status.server_version.is_some());
}

pub(super) async fn namespace_list(app: &TestApp) {
    let list: NamespaceList = call(app, "list_namespaces", &json!({})).await.unwrap();
    let row = |name: &str| list.rows.iter().find(|r| r.name == name).cloned();
    let dev = row("payments-dev").expect("payments-dev listed");
    assert_eq!(dev.project.as_deref(), Some("payments"));
    assert!(row("search-dev").unwrap().secrets >= 1, "Secrets counted");
}

pub(super) async fn ownership_key(app: &TestApp) {
    let key = key_of(app).await;
    let mirrored = secret(app, "regboard-system", KEY_SECRET)
        .await
        .expect("mirrored at start");
    assert!(mirrored.data.is_some_and(|d| d.contains_key("key")));
    // A lost database: a new one reads the key back from the cluster.
    let dir = tempfile::tempdir().unwrap();
    let sandbox = app.sandbox.as_ref().unwrap();
    let client = regboard_server::cluster::client(sandbox.kube_config_as(super::TOKEN)).unwrap();
    let read_back = proof::load_key(&dir.path().join("new.db"), &client, "regboard-system")
        .await
        .unwrap();
    let claim = Claim::Namespace {
        namespace: "a".into(),
        name: "b".into(),
    };
    assert_eq!(read_back.sign(&claim), key.sign(&claim), "the same key");
}

pub(super) async fn join_and_leave(app: &TestApp) {
    let ns = "rbac-joiner";
    make_namespace(app, ns, None).await;
    make_foreign_secret(app, ns, "rbac-collides", "Opaque").await;
    for name in ["rbac-collides", "rbac-joins"] {
        create(app, project_input("payments", name, "pw-project"))
            .await
            .unwrap();
    }
    let args = json!({"namespace": ns, "project": "payments"});
    let preview: MovePreview = call(app, "preview_namespace_move", &args).await.unwrap();
    let collided: Vec<(&str, &str)> = preview
        .collisions
        .iter()
        .map(|c| (c.name.as_str(), c.secret_type.as_str()))
        .collect();
    assert_eq!(collided, [("rbac-collides", "Opaque")]);
    move_namespace(app, ns, Some("payments")).await;
    assert_eq!(label(app, ns).await.as_deref(), Some("payments"));
    copy_arrives(app, ns, "rbac-joins").await;
    move_namespace(app, ns, None).await;
    assert_eq!(label(app, ns).await, None);
    copy_leaves(app, ns, "rbac-joins").await;
    let foreign: Option<Secret> = secret(app, ns, "rbac-collides").await;
    assert_eq!(
        foreign.unwrap().type_.as_deref(),
        Some("Opaque"),
        "untouched"
    );
}

pub(super) async fn accept_join_request(app: &TestApp) {
    let ns = "rbac-asks";
    create(
        app,
        project_input("payments", "rbac-accepted", "pw-project"),
    )
    .await
    .unwrap();
    make_namespace(app, ns, Some("payments")).await;
    eventually("the request is listed", || async {
        requested(app, "payments").await.contains(&ns.to_owned())
    })
    .await;
    let () = call(app, "accept_namespace_join", &json!({"namespace": ns}))
        .await
        .unwrap();
    copy_arrives(app, ns, "rbac-accepted").await;
}

pub(super) async fn reject_join_request(app: &TestApp) {
    let ns = "rbac-refused";
    make_namespace(app, ns, Some("payments")).await;
    eventually("the request is listed", || async {
        requested(app, "payments").await.contains(&ns.to_owned())
    })
    .await;
    let () = call(app, "reject_namespace_join", &json!({"namespace": ns}))
        .await
        .unwrap();
    assert!(!requested(app, "payments").await.contains(&ns.to_owned()));
}

pub(super) async fn delete_project(app: &TestApp) {
    let ns = "rbac-doomed-ns";
    let args = json!({"name": "rbac-doomed", "display_name": "", "description": ""});
    let () = call(app, "create_project", &args).await.unwrap();
    make_namespace(app, ns, None).await;
    move_namespace(app, ns, Some("rbac-doomed")).await;
    create(app, project_input("rbac-doomed", "rbac-pull", "pw-project"))
        .await
        .unwrap();
    copy_arrives(app, ns, "rbac-pull").await;
    let args = json!({"name": "rbac-doomed", "confirm": true});
    let () = call(app, "delete_project", &args).await.unwrap();
    assert_eq!(label(app, ns).await, None);
    assert!(secret(app, "regboard-system", "rbac-doomed.rbac-pull")
        .await
        .is_none());
    copy_leaves(app, ns, "rbac-pull").await;
}
