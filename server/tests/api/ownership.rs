//! Issue 11's promises, through the sandbox with the calls kubectl makes:
//! ownership is proof, not labels; nothing is deleted without a recorded
//! reason; membership is what regboard recorded.

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use regboard_app::model::registries::{RegistrySummary, Scope, SyncState};
use regboard_server::cluster::proof::{self, Claim, PROOF};
use regboard_server::upgrade::Upgrade;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};
use crate::registry_helpers::{
    all_synced, call, create, delete, detail, eventually, make_namespace, move_namespace,
    project_input, secret,
};

fn payments() -> Scope {
    Scope::Project {
        project: "payments".into(),
    }
}

/// A project registry `ghcr` of payments, synced everywhere.
async fn synced_registry(app: &TestApp) {
    create(app, project_input("payments", "ghcr", "canary-pw-1"))
        .await
        .unwrap();
    all_synced(app, &payments(), "ghcr").await;
}

async fn passes(app: &TestApp, n: usize) {
    for _ in 0..n {
        app.reconciler.next_pass().await;
    }
}

/// `secret` as a client would re-create it elsewhere: server fields gone.
fn as_manifest(mut s: Secret, namespace: &str, name: &str) -> Secret {
    s.metadata.namespace = Some(namespace.into());
    s.metadata.name = Some(name.into());
    s.metadata.uid = None;
    s.metadata.resource_version = None;
    s.metadata.creation_timestamp = None;
    s.metadata.managed_fields = None;
    s
}

async fn put(app: &TestApp, s: &Secret) -> Secret {
    let ns = s.metadata.namespace.clone().unwrap();
    Api::<Secret>::namespaced(app.kube(), &ns)
        .create(&PostParams::default(), s)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_copy_copied_into_another_namespace_or_renamed_survives_three_passes() {
    let app = spawn_app().await;
    synced_registry(&app).await;
    make_namespace(&app, "loose", None).await;
    let copy = secret(&app, "payments-dev", "ghcr").await.unwrap();
    // kubectl get secret ghcr -n payments-dev -o yaml | sed s/namespace: .../ | kubectl apply -f -
    let moved = put(&app, &as_manifest(copy.clone(), "loose", "ghcr")).await;
    let renamed = put(&app, &as_manifest(copy, "payments-dev", "ghcr-old")).await;
    passes(&app, 3).await;
    let still = secret(&app, "loose", "ghcr")
        .await
        .expect("the moved copy survives");
    assert_eq!(still.metadata.uid, moved.metadata.uid);
    let still = secret(&app, "payments-dev", "ghcr-old")
        .await
        .expect("the renamed copy survives");
    assert_eq!(
        still.metadata.resource_version,
        renamed.metadata.resource_version
    );
}

#[tokio::test]
async fn secrets_with_forged_labels_are_neither_overwritten_nor_deleted_and_show_as_conflicts() {
    let app = spawn_app().await;
    synced_registry(&app).await;
    let copy = secret(&app, "payments-dev", "ghcr").await.unwrap();
    // Two namespaces outside the project, each given a Secret named like the
    // registry with regboard's labels: a dockerconfigjson with a made-up
    // proof, and an Opaque one. Neither was written by regboard.
    let (dcj_ns, opaque_ns) = ("forged-dcj", "forged-opaque");
    make_namespace(&app, dcj_ns, None).await;
    make_namespace(&app, opaque_ns, None).await;
    let mut forged = as_manifest(copy.clone(), dcj_ns, "ghcr");
    forged.data = Some(
        [(
            ".dockerconfigjson".into(),
            k8s_openapi::ByteString(br#"{"auths":{}}"#.to_vec()),
        )]
        .into(),
    );
    forged
        .metadata
        .annotations
        .as_mut()
        .unwrap()
        .insert(PROOF.into(), "v1:00".into());
    let forged = put(&app, &forged).await;
    let mut opaque = as_manifest(copy, opaque_ns, "ghcr");
    opaque.type_ = Some("Opaque".into());
    opaque.data = Some([("k".into(), k8s_openapi::ByteString(b"v".to_vec()))].into());
    let opaque = put(&app, &opaque).await;
    // An admin moves both into the project, confirming the collisions.
    move_namespace(&app, dcj_ns, Some("payments")).await;
    move_namespace(&app, opaque_ns, Some("payments")).await;
    passes(&app, 3).await;
    let d = detail(&app, &payments(), "ghcr").await.unwrap();
    for (ns, secret_type) in [
        (dcj_ns, "kubernetes.io/dockerconfigjson"),
        (opaque_ns, "Opaque"),
    ] {
        let state = &d
            .namespaces
            .iter()
            .find(|n| n.namespace == ns)
            .unwrap()
            .state;
        assert_eq!(
            state,
            &SyncState::Conflict {
                secret_type: secret_type.into(),
                forged: true
            },
            "{ns}"
        );
    }
    delete(&app, &payments(), "ghcr").await.unwrap();
    passes(&app, 3).await;
    for (ns, before) in [(dcj_ns, &forged), (opaque_ns, &opaque)] {
        let now = secret(&app, ns, "ghcr").await.expect("never deleted");
        assert_eq!(
            now.metadata.resource_version, before.metadata.resource_version,
            "{ns}: never written"
        );
    }
}

#[tokio::test]
async fn a_lost_system_namespace_deletes_no_copy_and_the_source_is_restored_from_one() {
    let app = spawn_app().await;
    synced_registry(&app).await;
    Api::<Namespace>::all(app.kube())
        .delete("regboard-system", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the source is gone", || async {
        secret(&app, "regboard-system", "payments.ghcr")
            .await
            .is_none()
    })
    .await;
    passes(&app, 3).await;
    for ns in ["payments-dev", "payments-staging", "payments-prod"] {
        assert!(
            secret(&app, ns, "ghcr").await.is_some(),
            "{ns}: the copy is kept"
        );
    }
    let list: Vec<RegistrySummary> = call(&app, "list_registries", &json!({})).await.unwrap();
    let lost = list.iter().find(|r| r.name == "ghcr").expect("listed");
    assert!(lost.source_lost, "shown as source lost");
    let lost_rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'registry.source.lost'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(lost_rows, 1, "audited once over several passes");

    let () = call(
        &app,
        "restore_registry",
        &json!({"project": "payments", "name": "ghcr"}),
    )
    .await
    .unwrap();
    assert!(secret(&app, "regboard-system", "payments.ghcr")
        .await
        .is_some());
    let d = all_synced(&app, &payments(), "ghcr").await;
    assert_eq!(d.namespaces.len(), 3);
    assert!(!d.summary.source_lost);
}

#[tokio::test]
async fn a_namespace_labelled_from_outside_receives_nothing_until_an_admin_accepts() {
    let app = spawn_app().await;
    synced_registry(&app).await;
    make_namespace(&app, "newcomer", Some("payments")).await;
    passes(&app, 3).await;
    assert!(
        secret(&app, "newcomer", "ghcr").await.is_none(),
        "no copy before acceptance"
    );
    let projects: serde_json::Value = call(&app, "list_projects", &json!({})).await.unwrap();
    let payments = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "payments")
        .unwrap();
    assert_eq!(payments["requested"], json!(["newcomer"]));
    assert!(!payments["namespaces"]
        .as_array()
        .unwrap()
        .contains(&json!("newcomer")));

    let () = call(
        &app,
        "accept_namespace_join",
        &json!({"namespace": "newcomer"}),
    )
    .await
    .unwrap();
    eventually("the accepted namespace gets its copy", || async {
        secret(&app, "newcomer", "ghcr").await.is_some()
    })
    .await;
}

#[tokio::test]
async fn the_system_namespace_never_joins_a_project() {
    let app = spawn_app().await;
    let refused: Result<(), _> = call(
        &app,
        "set_namespace_project",
        &json!({"namespace": "regboard-system", "project": "payments"}),
    )
    .await;
    assert!(refused.is_err(), "{refused:?}");
    let patch = json!({"metadata": {"labels": {"regboard.dev/project": "payments"}}});
    Api::<Namespace>::all(app.kube())
        .patch(
            "regboard-system",
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await
        .unwrap();
    let projects: serde_json::Value = call(&app, "list_projects", &json!({})).await.unwrap();
    let payments = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "payments")
        .unwrap();
    assert!(!payments["requested"]
        .as_array()
        .unwrap()
        .contains(&json!("regboard-system")));
}

#[tokio::test]
async fn an_upgrade_proves_what_regboard_wrote_and_none_of_the_forgeries() {
    let app = spawn_app().await;
    synced_registry(&app).await;
    let key = regboard_server::keyfile::load_or_create(&proof::key_path(&app.db_path))
        .await
        .map(proof::OwnershipKey::new)
        .unwrap();
    // Today's Secrets as the previous version wrote them: labels, no proof.
    let strip = json!({"metadata": {"annotations": {PROOF: null}}});
    for (ns, name) in [
        ("regboard-system", "payments.ghcr"),
        ("payments-dev", "ghcr"),
        ("payments-prod", "ghcr"),
    ] {
        Api::<Secret>::namespaced(app.kube(), ns)
            .patch(name, &PatchParams::default(), &Patch::Merge(&strip))
            .await
            .unwrap();
    }
    // A forgery: a "copy" of the same registry in a member namespace with a
    // made-up source uid, and one under another name.
    let copy = secret(&app, "payments-dev", "ghcr").await.unwrap();
    let mut fake = as_manifest(copy.clone(), "payments-prod", "ghcr-fake");
    fake.metadata
        .labels
        .as_mut()
        .unwrap()
        .insert("regboard.dev/registry".into(), "ghcr-fake".into());
    put(&app, &fake).await;
    make_namespace(&app, "shadow", None).await;
    put(&app, &as_manifest(copy, "shadow", "ghcr")).await;

    let upgrade = Upgrade {
        client: app.kube(),
        db: app.db.clone(),
        inventory: app.cluster.inventory.clone(),
        key: key.clone(),
        audit: app.audit.clone(),
        system_namespace: "regboard-system".into(),
    };
    let report = upgrade.prove_legacy().await.unwrap();
    let mut proven = report.proven.clone();
    proven.sort();
    assert_eq!(
        proven,
        [
            "payments-dev/ghcr",
            "payments-prod/ghcr",
            "regboard-system/payments.ghcr"
        ]
    );
    assert!(
        report
            .foreign
            .contains(&"payments-prod/ghcr-fake".to_owned()),
        "{report:?}"
    );
    assert!(
        report.foreign.contains(&"shadow/ghcr".to_owned()),
        "{report:?}"
    );
    for (ns, name) in [("payments-prod", "ghcr-fake"), ("shadow", "ghcr")] {
        let s = secret(&app, ns, name).await.unwrap();
        assert!(!key.owns(&s), "{ns}/{name} adopted");
    }
    assert!(matches!(
        key.verify(&secret(&app, "payments-dev", "ghcr").await.unwrap()),
        Some(Claim::Copy { .. })
    ));
    passes(&app, 2).await;
    all_synced(&app, &payments(), "ghcr").await;
}
