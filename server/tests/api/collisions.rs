//! The collision matrix (DESIGN rules 1–2): a name taken in the scope is
//! refused with a sentence naming the Secret, its namespace and type, and
//! nothing is overwritten; the race has exactly one winner; a namespace
//! joining a project shows the conflict and heals when the name frees up.

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams};
use regboard_app::model::registries::SyncState;
use regboard_app::AppError;

use crate::helpers::spawn_app;
use crate::registry_helpers::*;

const FOREIGN_TYPES: [&str; 4] = [
    "Opaque",
    "kubernetes.io/tls",
    "kubernetes.io/dockerconfigjson",
    "kubernetes.io/basic-auth",
];

fn conflict_text(err: AppError) -> String {
    match err {
        AppError::Conflict(text) => text,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_namespace_registry_never_takes_the_name_of_a_foreign_secret_of_any_type() {
    let app = spawn_app().await;
    for (i, secret_type) in FOREIGN_TYPES.iter().enumerate() {
        let name = format!("taken-{i}");
        let foreign = make_foreign_secret(&app, "data-pipeline", &name, secret_type).await;
        let err = create(&app, ns_input("data-pipeline", &name, "pw"))
            .await
            .unwrap_err();
        assert_eq!(
            conflict_text(err),
            format!("A Secret named {name} already exists in namespace data-pipeline (type {secret_type}); choose another name.")
        );
        let after = secret(&app, "data-pipeline", &name).await.unwrap();
        assert_eq!(
            after.data, foreign.data,
            "the foreign {secret_type} Secret is untouched"
        );
        assert_eq!(
            after.metadata.resource_version,
            foreign.metadata.resource_version
        );
    }
}

#[tokio::test]
async fn a_project_registry_is_refused_when_any_project_namespace_has_the_name() {
    let app = spawn_app().await;
    let foreign =
        make_foreign_secret(&app, "payments-staging", "shared", "kubernetes.io/tls").await;
    let err = create(&app, project_input("payments", "shared", "pw"))
        .await
        .unwrap_err();
    assert_eq!(
        conflict_text(err),
        "A Secret named shared already exists in namespace payments-staging (type kubernetes.io/tls); choose another name."
    );
    assert!(
        secret(&app, "regboard-system", "payments.shared")
            .await
            .is_none(),
        "no source written"
    );
    for ns in ["payments-dev", "payments-prod"] {
        assert!(
            secret(&app, ns, "shared").await.is_none(),
            "no copy in {ns}"
        );
    }
    assert_eq!(
        secret(&app, "payments-staging", "shared")
            .await
            .unwrap()
            .data,
        foreign.data
    );
    // The same name in another project is fine.
    create(&app, project_input("search", "shared", "pw"))
        .await
        .unwrap();
}

#[tokio::test]
async fn namespace_and_project_registries_cannot_share_a_name_in_either_order() {
    let app = spawn_app().await;
    let scope = create(&app, project_input("search", "hub", "pw"))
        .await
        .unwrap()
        .scope;
    all_synced(&app, &scope, "hub").await;
    let err = create(&app, ns_input("search-dev", "hub", "pw"))
        .await
        .unwrap_err();
    let text = conflict_text(err);
    assert!(
        text.contains("already exists in namespace search-dev"),
        "{text}"
    );

    create(&app, ns_input("payments-prod", "solo", "pw"))
        .await
        .unwrap();
    let err = create(&app, project_input("payments", "solo", "pw"))
        .await
        .unwrap_err();
    assert!(conflict_text(err)
        .contains("namespace payments-prod (type kubernetes.io/dockerconfigjson)"));

    let err = create(&app, project_input("search", "hub", "pw"))
        .await
        .unwrap_err();
    assert_eq!(
        conflict_text(err),
        "Project search already has a registry named hub; choose another name."
    );
}

#[tokio::test]
async fn two_people_creating_the_same_name_at_once_get_exactly_one_winner() {
    let app = spawn_app().await;
    for round in 0..3 {
        let name = format!("race-{round}");
        let (a, b) = tokio::join!(
            create(&app, ns_input("search-prod", &name, "pw-a")),
            create(&app, ns_input("search-prod", &name, "pw-b")),
        );
        let winners = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
        assert_eq!(winners, 1, "round {round}: {a:?} / {b:?}");
        let loser = a.err().or(b.err()).unwrap();
        assert!(conflict_text(loser).starts_with(&format!(
            "A Secret named {name} already exists in namespace search-prod"
        )));

        let project_name = format!("prace-{round}");
        let (a, b) = tokio::join!(
            create(&app, project_input("data", &project_name, "pw-a")),
            create(&app, project_input("data", &project_name, "pw-b")),
        );
        assert_eq!(
            [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "{a:?} / {b:?}"
        );
    }
}

#[tokio::test]
async fn a_joining_namespace_with_a_foreign_secret_shows_conflict_and_heals() {
    let app = spawn_app().await;
    let scope = create(&app, project_input("data", "pull", "pw"))
        .await
        .unwrap()
        .scope;
    all_synced(&app, &scope, "pull").await;
    make_namespace(&app, "joiner", None).await;
    let foreign = make_foreign_secret(&app, "joiner", "pull", "kubernetes.io/tls").await;
    move_namespace(&app, "joiner", Some("data")).await;

    let expected = SyncState::Conflict {
        secret_type: "kubernetes.io/tls".into(),
        forged: false,
    };
    eventually("the joiner shows the conflict", || async {
        let d = detail(&app, &scope, "pull").await.unwrap();
        d.namespaces
            .iter()
            .any(|n| n.namespace == "joiner" && n.state == expected)
    })
    .await;
    let untouched = secret(&app, "joiner", "pull").await.unwrap();
    assert_eq!(
        (untouched.type_.clone(), untouched.data.clone()),
        (foreign.type_.clone(), foreign.data.clone())
    );

    Api::<Secret>::namespaced(app.kube(), "joiner")
        .delete("pull", &DeleteParams::default())
        .await
        .unwrap();
    let healed = all_synced(&app, &scope, "pull").await;
    assert!(healed.namespaces.iter().any(|n| n.namespace == "joiner"));
    assert!(secret(&app, "joiner", "pull")
        .await
        .unwrap()
        .metadata
        .labels
        .unwrap()
        .contains_key("regboard.dev/registry"));
}

#[tokio::test]
async fn copies_of_two_projects_registries_never_collide_when_a_namespace_moves() {
    let app = spawn_app().await;
    let a = create(&app, project_input("payments", "common", "pw-a"))
        .await
        .unwrap()
        .scope;
    let b = create(&app, project_input("search", "common", "pw-b"))
        .await
        .unwrap()
        .scope;
    all_synced(&app, &a, "common").await;
    all_synced(&app, &b, "common").await;
    move_namespace(&app, "payments-dev", Some("search")).await;
    eventually("the moved namespace carries search's copy", || async {
        let s = secret(&app, "payments-dev", "common").await;
        s.and_then(|s| s.metadata.labels)
            .is_some_and(|l| l["regboard.dev/project"] == "search")
    })
    .await;
    let d = all_synced(&app, &b, "common").await;
    assert!(d.namespaces.iter().any(|n| n.namespace == "payments-dev"));
    let d = all_synced(&app, &a, "common").await;
    assert!(d.namespaces.iter().all(|n| n.namespace != "payments-dev"));
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let bad = ns_input("payments-dev", "Bad_Name", "pw");
    match create(&app, bad).await.unwrap_err() {
        AppError::Invalid { field, message } => {
            assert_eq!(field.as_deref(), Some("name"));
            assert!(message.contains("uppercase"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let err = create(&app, ns_input("no-such-namespace", "x", "pw"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid { field: Some(f), .. } if f == "scope"),
        "{err:?}"
    );
    let err = create(&app, project_input("no-such-project", "x", "pw"))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("There is no project named no-such-project"),
        "{err}"
    );
}

#[tokio::test]
async fn refusals_answer_with_the_http_status_they_stand_for() {
    let app = spawn_app().await;
    let status_of = |input: regboard_app::model::registries::RegistryInput| {
        let body = serde_qs::to_string(&serde_json::json!({ "input": input })).unwrap();
        let request = app
            .client
            .post(app.url("/api/create_registry"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status_of(ns_input("payments-dev", "once", "pw")).await, 200);
    assert_eq!(status_of(ns_input("payments-dev", "once", "pw")).await, 409);
    assert_eq!(
        status_of(ns_input("payments-dev", "Bad_Name", "pw")).await,
        422
    );
}
