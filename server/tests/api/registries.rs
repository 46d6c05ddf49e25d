//! Registries end to end through the server functions: namespace and
//! project scope, edit, delete, the fan-out and its self-healing.

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;
use regboard_app::model::registries::{HostCredential, SyncState};
use regboard_app::AppError;
use regboard_sandbox::Seed;

use crate::helpers::{spawn_app, spawn_with_sandbox};
use crate::registry_helpers::*;

fn config_of(secret: &Secret) -> DockerConfig {
    let bytes = &secret.data.as_ref().unwrap()[".dockerconfigjson"].0;
    DockerConfig::parse_dockerconfigjson(bytes).unwrap()
}

#[tokio::test]
async fn a_namespace_registry_is_one_labelled_dockerconfigjson_secret() {
    let app = spawn_app().await;
    let created = create(&app, ns_input("payments-dev", "ghcr-pull", "pw-1"))
        .await
        .unwrap();
    assert_eq!(created.hosts, vec!["ghcr.io"]);
    assert_eq!(created.sync.synced, 1);

    let s = secret(&app, "payments-dev", "ghcr-pull")
        .await
        .expect("the Secret exists");
    assert_eq!(s.type_.as_deref(), Some("kubernetes.io/dockerconfigjson"));
    let labels = s.metadata.labels.clone().unwrap();
    assert_eq!(labels["app.kubernetes.io/managed-by"], "regboard");
    assert_eq!(labels["regboard.dev/scope"], "namespace");
    let (user, pw) = config_of(&s).username_password("ghcr.io").unwrap();
    assert_eq!((user.as_str(), pw.expose()), ("ci-bot", "pw-1"));

    let d = detail(&app, &created.scope, "ghcr-pull").await.unwrap();
    assert_eq!(d.summary.description, "pulls from GHCR");
    assert_eq!(d.namespaces.len(), 1);
}

#[tokio::test]
async fn a_project_registry_reaches_every_namespace_of_the_project_including_later_ones() {
    let app = spawn_app().await;
    let created = create(&app, project_input("payments", "hub", "pw-2"))
        .await
        .unwrap();
    let scope = created.scope.clone();
    let d = all_synced(&app, &scope, "hub").await;
    let names: Vec<_> = d.namespaces.iter().map(|n| n.namespace.as_str()).collect();
    assert_eq!(names, ["payments-dev", "payments-prod", "payments-staging"]);
    let source = secret(&app, "regboard-system", "payments.hub")
        .await
        .expect("the source");
    for ns in names {
        let copy = secret(&app, ns, "hub").await.expect("a copy");
        assert_eq!(copy.data, source.data);
        let annotations = copy.metadata.annotations.unwrap();
        assert_eq!(
            annotations["regboard.dev/source-uid"],
            source.metadata.uid.clone().unwrap()
        );
    }
    assert!(
        secret(&app, "search-dev", "hub").await.is_none(),
        "other projects untouched"
    );

    make_namespace(&app, "payments-new", None).await;
    move_namespace(&app, "payments-new", Some("payments")).await;
    eventually("the new namespace gets a copy", || async {
        secret(&app, "payments-new", "hub").await.is_some()
    })
    .await;
    assert_eq!(all_synced(&app, &scope, "hub").await.namespaces.len(), 4);
}

#[tokio::test]
async fn a_copy_edited_or_deleted_by_hand_is_restored() {
    let app = spawn_with_sandbox(Seed::Demo, |_| {}).await;
    let scope = create(&app, project_input("search", "quay", "pw-3"))
        .await
        .unwrap()
        .scope;
    all_synced(&app, &scope, "quay").await;
    let original = secret(&app, "search-dev", "quay").await.unwrap().data;

    let copies: Api<Secret> = Api::namespaced(app.kube(), "search-dev");
    let tamper = serde_json::json!({"data": {".dockerconfigjson": "eyJhdXRocyI6e319"}});
    copies
        .patch("quay", &PatchParams::default(), &Patch::Merge(&tamper))
        .await
        .unwrap();
    eventually("the edited copy is restored", || async {
        secret(&app, "search-dev", "quay").await.unwrap().data == original
    })
    .await;

    Api::<Secret>::namespaced(app.kube(), "search-prod")
        .delete("quay", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the deleted copy is recreated", || async {
        secret(&app, "search-prod", "quay").await.is_some()
    })
    .await;
}

#[tokio::test]
async fn editing_keeps_the_password_when_left_empty_and_reaches_every_copy() {
    let app = spawn_app().await;
    let scope = create(&app, project_input("search", "ghcr", "keep-me"))
        .await
        .unwrap()
        .scope;
    all_synced(&app, &scope, "ghcr").await;
    let mut edit = project_input("search", "ghcr", "");
    edit.credentials[0].username = "new-bot".into();
    let updated = update(&app, edit).await.unwrap();
    assert_eq!(updated.username.as_deref(), Some("new-bot"));
    eventually("copies carry the new username", || async {
        let s = secret(&app, "search-prod", "ghcr").await.unwrap();
        config_of(&s).username_password("ghcr.io").map(|(u, _)| u) == Some("new-bot".into())
    })
    .await;
    let s = secret(&app, "search-prod", "ghcr").await.unwrap();
    let (_, pw) = config_of(&s).username_password("ghcr.io").unwrap();
    assert_eq!(pw.expose(), "keep-me");

    // A credential follows its host: adding (or changing) a host with the
    // password left empty is refused, and nothing changes.
    let mut edit = project_input("search", "ghcr", "");
    edit.credentials[0].username = "new-bot".into();
    edit.credentials
        .push(HostCredential::new("attacker.example", "new-bot", ""));
    let refused = update(&app, edit).await.unwrap_err();
    assert!(
        matches!(&refused, AppError::Invalid { field: Some(f), message }
            if f == "host-1" && message.contains("'attacker.example' is a new host")),
        "{refused:?}"
    );
    let source = detail(&app, &scope, "ghcr").await.unwrap();
    assert_eq!(source.summary.hosts, ["ghcr.io"]);

    let mut edit = project_input("search", "ghcr", "rotated");
    edit.credentials[0].username = "new-bot".into();
    edit.credentials
        .push(HostCredential::new("quay.io", "new-bot", "rotated"));
    update(&app, edit).await.unwrap();
    eventually("the rotated password reaches the copies", || async {
        let s = secret(&app, "search-dev", "ghcr").await.unwrap();
        config_of(&s).username_password("ghcr.io").map(|(_, p)| p) == Some(Password::new("rotated"))
    })
    .await;
}

#[tokio::test]
async fn deleting_removes_the_secret_or_every_copy() {
    let app = spawn_app().await;
    let ns_scope = create(&app, ns_input("data-pipeline", "solo", "pw"))
        .await
        .unwrap()
        .scope;
    delete(&app, &ns_scope, "solo").await.unwrap();
    assert!(secret(&app, "data-pipeline", "solo").await.is_none());

    let scope = create(&app, project_input("payments", "gone", "pw"))
        .await
        .unwrap()
        .scope;
    all_synced(&app, &scope, "gone").await;
    delete(&app, &scope, "gone").await.unwrap();
    for ns in ["payments-dev", "payments-staging", "payments-prod"] {
        eventually("copies are removed", || async {
            secret(&app, ns, "gone").await.is_none()
        })
        .await;
    }
    let missing = detail(&app, &scope, "gone").await.unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("There is no registry named gone"),
        "{missing}"
    );
}

#[tokio::test]
async fn a_namespace_leaving_the_project_loses_its_copy() {
    let app = spawn_app().await;
    let scope = create(&app, project_input("payments", "leave", "pw"))
        .await
        .unwrap()
        .scope;
    all_synced(&app, &scope, "leave").await;
    move_namespace(&app, "payments-staging", None).await;
    eventually("the copy is removed", || async {
        secret(&app, "payments-staging", "leave").await.is_none()
    })
    .await;
    let d = all_synced(&app, &scope, "leave").await;
    assert!(d
        .namespaces
        .iter()
        .all(|n| n.namespace != "payments-staging"));
    assert!(matches!(d.namespaces[0].state, SyncState::Synced));
}

#[tokio::test]
async fn the_list_answers_an_empty_filter_as_the_browser_sends_it() {
    let app = spawn_app().await;
    create(&app, ns_input("payments-dev", "listed", "pw"))
        .await
        .unwrap();
    // serde_qs encodes an all-empty filter as an empty body.
    let rows: Vec<regboard_app::model::registries::RegistrySummary> = call(
        &app,
        "list_registries",
        &regboard_app::model::registries::RegistryFilter::default(),
    )
    .await
    .unwrap();
    assert!(rows.iter().any(|r| r.name == "listed"));
}
