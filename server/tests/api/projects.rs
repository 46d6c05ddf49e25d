//! Projects through their server functions: records, membership by label,
//! and a delete that asks first and then removes registries and copies.

use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;
use regboard_app::model::projects::ProjectSummary;
use regboard_app::AppError;
use serde_json::json;

use crate::helpers::spawn_app;
use crate::registry_helpers::*;

async fn projects(app: &crate::helpers::TestApp) -> Vec<ProjectSummary> {
    call(app, "list_projects", &json!({})).await.unwrap()
}

async fn project_label(app: &crate::helpers::TestApp, ns: &str) -> Option<String> {
    let ns = Api::<Namespace>::all(app.kube()).get(ns).await.unwrap();
    ns.metadata
        .labels
        .unwrap_or_default()
        .get("regboard.dev/project")
        .cloned()
}

#[tokio::test]
async fn a_project_is_recorded_gains_namespaces_and_is_deleted_only_when_confirmed() {
    let app = spawn_app().await;
    let created: Result<(), AppError> = call(
        &app,
        "create_project",
        &json!({"name": "team-x", "display_name": "Team X", "description": "x"}),
    )
    .await;
    created.unwrap();
    let again: Result<(), AppError> = call(
        &app,
        "create_project",
        &json!({"name": "team-x", "display_name": "", "description": ""}),
    )
    .await;
    assert_eq!(
        again.unwrap_err(),
        AppError::Conflict("A project named team-x already exists.".into())
    );

    let moved: Result<(), AppError> = call(
        &app,
        "set_namespace_project",
        &json!({"namespace": "sandbox-scratch", "project": "team-x"}),
    )
    .await;
    moved.unwrap();
    assert_eq!(
        project_label(&app, "sandbox-scratch").await.as_deref(),
        Some("team-x")
    );
    eventually("the inventory sees the move", || async {
        projects(&app)
            .await
            .iter()
            .any(|p| p.name == "team-x" && p.namespaces == ["sandbox-scratch"] && p.recorded)
    })
    .await;

    let scope = create(&app, project_input("team-x", "pull", "pw"))
        .await
        .unwrap()
        .scope;
    all_synced(&app, &scope, "pull").await;
    let refused: Result<(), AppError> = call(
        &app,
        "delete_project",
        &json!({"name": "team-x", "confirm": false}),
    )
    .await;
    assert_eq!(
        refused.unwrap_err(),
        AppError::Conflict("Project team-x still has 1 registry (pull); deleting it removes them and their copies in 1 namespace.".into())
    );
    assert!(
        secret(&app, "sandbox-scratch", "pull").await.is_some(),
        "nothing removed before confirmation"
    );

    let deleted: Result<(), AppError> = call(
        &app,
        "delete_project",
        &json!({"name": "team-x", "confirm": true}),
    )
    .await;
    deleted.unwrap();
    assert_eq!(project_label(&app, "sandbox-scratch").await, None);
    eventually("the copy is removed", || async {
        secret(&app, "sandbox-scratch", "pull").await.is_none()
    })
    .await;
    assert!(secret(&app, "regboard-system", "team-x.pull")
        .await
        .is_none());
    assert!(!projects(&app).await.iter().any(|p| p.name == "team-x"));
}

#[tokio::test]
async fn a_namespace_cannot_join_a_project_that_does_not_exist_or_be_the_system_namespace() {
    let app = spawn_app().await;
    let missing: Result<(), AppError> = call(
        &app,
        "set_namespace_project",
        &json!({"namespace": "default", "project": "nope"}),
    )
    .await;
    assert!(
        matches!(missing.unwrap_err(), AppError::NotFound(m) if m.contains("no project named nope"))
    );
    let system: Result<(), AppError> = call(
        &app,
        "set_namespace_project",
        &json!({"namespace": "regboard-system", "project": "payments"}),
    )
    .await;
    assert!(matches!(system.unwrap_err(), AppError::Invalid { .. }));
    assert_eq!(project_label(&app, "default").await, None);
}
