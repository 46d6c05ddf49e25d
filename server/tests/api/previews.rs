//! The preview of registry changes (issue 13, item 8) compared with what
//! the write then did: a create (collisions with the foreign type, the
//! ServiceAccounts it attaches to, the write's own refusals and field
//! errors), an edit (what changes, and nothing for an unchanged form), a
//! delete (copies, accounts and pods), and a namespace joining and leaving a
//! project (copies, accounts, collisions with the foreign type and forged
//! labels). The rotation's preview is in `rotation.rs`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::Api;
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;
use regboard_app::model::changes::{ChangePreview, RegistryChange, SecretAction};
use regboard_app::model::projects::MovePreview;
use regboard_app::model::registries::{Attachment, HostCredential, Scope};
use regboard_app::AppError;
use serde::Serialize;

use crate::helpers::{spawn_app, TestApp};
use crate::registry_helpers::{
    all_synced, call, create, delete, eventually, make_foreign_secret, move_namespace, ns_input,
    project_input, secret, update,
};

const PAYMENTS: [&str; 3] = ["payments-dev", "payments-prod", "payments-staging"];
const OLD: &str = "old-Pa55-of-ghcr";
const NEW: &str = "new-Pa55-of-ghcr";

fn payments() -> Scope {
    Scope::Project {
        project: "payments".into(),
    }
}

/// `preview_registry_change`.
pub async fn preview(app: &TestApp, change: RegistryChange) -> Result<ChangePreview, AppError> {
    #[derive(Serialize)]
    struct Args {
        change: RegistryChange,
    }
    call(app, "preview_registry_change", &Args { change }).await
}

/// Each preview row's action label, by namespace.
pub fn actions(preview: &ChangePreview) -> BTreeMap<String, String> {
    let rows = preview.namespaces.iter();
    rows.map(|n| (n.namespace.clone(), n.action.label().to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_preview_names_collisions_and_accounts_and_the_write_does_what_it_said() {
    let app = spawn_app().await;
    // payments-prod holds a TLS Secret named payments-tls.
    let taken = preview(
        &app,
        RegistryChange::Create(project_input("payments", "payments-tls", OLD)),
    )
    .await
    .unwrap();
    assert_eq!(
        taken
            .namespaces
            .iter()
            .find(|n| n.namespace == "payments-prod")
            .unwrap()
            .action,
        SecretAction::Collision {
            secret_type: "kubernetes.io/tls".into(),
            forged: false
        }
    );
    let refused = create(&app, project_input("payments", "payments-tls", OLD)).await;
    assert!(matches!(refused, Err(AppError::Conflict(_))), "{refused:?}");
    assert_eq!(taken.refused, refused.err(), "the write's own refusal");

    let mut input = project_input("payments", "attached", OLD);
    input.attachment = Attachment::Default;
    let planned = preview(&app, RegistryChange::Create(input.clone()))
        .await
        .unwrap();
    assert_eq!(planned.refused, None);
    assert_eq!(
        planned.source.as_ref().unwrap().action,
        SecretAction::Create
    );
    for row in &planned.namespaces {
        assert_eq!(row.action, SecretAction::Create, "{}", row.namespace);
        let names: Vec<(&str, bool)> = row
            .accounts
            .iter()
            .map(|a| (a.name.as_str(), a.adds))
            .collect();
        assert_eq!(names, [("default", true)], "{}", row.namespace);
    }
    assert!(
        secret(&app, "payments-dev", "attached").await.is_none(),
        "a preview writes nothing"
    );

    create(&app, input).await.unwrap();
    all_synced(&app, &payments(), "attached").await;
    for row in &planned.namespaces {
        let accounts: Api<ServiceAccount> = Api::namespaced(app.kube(), &row.namespace);
        eventually("default lists the registry", || async {
            let sa = accounts.get("default").await.unwrap();
            let names = sa.image_pull_secrets.unwrap_or_default();
            names.iter().any(|r| r.name == "attached")
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_preview_lists_copies_accounts_and_pods_and_the_delete_does_that() {
    let app = spawn_app().await;
    // The demo's checkout pod in payments-staging names payments-registry.
    let mut input = project_input("payments", "payments-registry", OLD);
    input.attachment = Attachment::Default;
    create(&app, input).await.unwrap();
    all_synced(&app, &payments(), "payments-registry").await;
    let change = RegistryChange::Delete {
        scope: payments(),
        name: "payments-registry".into(),
    };
    let planned = eventually_attached(&app, change).await;
    let expected: BTreeMap<String, String> = PAYMENTS
        .iter()
        .map(|n| (n.to_string(), "delete".into()))
        .collect();
    assert_eq!(actions(&planned), expected);
    let staging = planned
        .namespaces
        .iter()
        .find(|n| n.namespace == "payments-staging")
        .unwrap();
    assert_eq!(staging.pods.len(), 1, "{staging:?}");
    assert!(staging.pods[0].name.starts_with("checkout-"));

    delete(&app, &payments(), "payments-registry")
        .await
        .unwrap();
    for ns in PAYMENTS {
        eventually("the copy is gone", || async {
            secret(&app, ns, "payments-registry").await.is_none()
        })
        .await;
        let accounts: Api<ServiceAccount> = Api::namespaced(app.kube(), ns);
        eventually("default no longer lists it", || async {
            let sa = accounts.get("default").await.unwrap();
            !sa.image_pull_secrets
                .unwrap_or_default()
                .iter()
                .any(|r| r.name == "payments-registry")
        })
        .await;
    }
}

/// The delete preview once every `default` account lists the registry
/// (the attacher runs after the copies), which it then says it removes.
async fn eventually_attached(app: &TestApp, change: RegistryChange) -> ChangePreview {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let p = preview(app, change.clone()).await.unwrap();
        let removes = |n: &regboard_app::model::changes::NamespaceChange| {
            n.accounts.iter().any(|a| a.name == "default" && !a.adds)
        };
        if p.namespaces.iter().all(removes) {
            return p;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never attached: {p:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_create_preview_answers_a_bad_field_and_a_missing_namespace_as_the_create_does() {
    let app = spawn_app().await;
    let mut bad = ns_input("payments-dev", "Not_A_Name", OLD);
    let previewed = preview(&app, RegistryChange::Create(bad.clone())).await;
    assert!(
        matches!(&previewed, Err(AppError::Invalid { field: Some(f), .. }) if f == "name"),
        "{previewed:?}"
    );
    assert_eq!(previewed.err(), create(&app, bad.clone()).await.err());

    bad.name = "fine".into();
    bad.scope = Scope::Namespace {
        namespace: "no-such-namespace".into(),
    };
    let planned = preview(&app, RegistryChange::Create(bad.clone()))
        .await
        .unwrap();
    let refused = create(&app, bad).await.err();
    assert!(
        matches!(&refused, Some(AppError::Invalid { field: Some(f), .. }) if f == "scope"),
        "{refused:?}"
    );
    assert_eq!(planned.refused, refused);
}

/// The ghcr.io password of the copy of `edited` in `namespace`.
async fn password_in(app: &TestApp, namespace: &str) -> String {
    let copy = secret(app, namespace, "edited").await.unwrap();
    let bytes = &copy.data.unwrap()[".dockerconfigjson"].0;
    let config = DockerConfig::parse_dockerconfigjson(bytes).unwrap();
    let (_, password) = config.username_password("ghcr.io").unwrap();
    password.expose().to_owned()
}

/// Every row's action (the source's first, as `source`).
fn all_actions(preview: &ChangePreview) -> BTreeMap<String, String> {
    let mut out = actions(preview);
    if let Some(source) = &preview.source {
        out.insert("source".into(), source.action.label().to_owned());
    }
    out
}

/// `label` for the source and every payments namespace.
fn everywhere(label: &str) -> BTreeMap<String, String> {
    PAYMENTS
        .iter()
        .chain(&["source"])
        .map(|n| (n.to_string(), label.to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_preview_shows_what_changes_and_nothing_for_an_unchanged_form() {
    let app = spawn_app().await;
    create(&app, project_input("payments", "edited", OLD))
        .await
        .unwrap();
    all_synced(&app, &payments(), "edited").await;
    // The edit form sends an empty password to keep the current one.
    let mut same = project_input("payments", "edited", "");
    same.credentials = vec![HostCredential::new("ghcr.io", "ci-bot", "")];
    let planned = preview(&app, RegistryChange::Update(same.clone()))
        .await
        .unwrap();
    assert_eq!(all_actions(&planned), everywhere("unchanged"));

    let mut renewed = same.clone();
    renewed.credentials[0].password = Password::new(NEW);
    let planned = preview(&app, RegistryChange::Update(renewed.clone()))
        .await
        .unwrap();
    assert_eq!(all_actions(&planned), everywhere("update"));
    assert_eq!(
        password_in(&app, "payments-dev").await,
        OLD,
        "a preview writes nothing"
    );

    update(&app, renewed).await.unwrap();
    for ns in PAYMENTS {
        eventually("the copy carries the new password", || async {
            password_in(&app, ns).await == NEW
        })
        .await;
    }
    let planned = preview(&app, RegistryChange::Update(same)).await.unwrap();
    assert_eq!(all_actions(&planned), everywhere("unchanged"));

    let mut described = ns_input("payments-dev", "own-edit", OLD);
    create(&app, described.clone()).await.unwrap();
    described.credentials[0].password = Password::new("");
    let planned = preview(&app, RegistryChange::Update(described.clone()))
        .await
        .unwrap();
    assert_eq!(actions(&planned)["payments-dev"], "unchanged");
    described.description = "a new description".into();
    let planned = preview(&app, RegistryChange::Update(described))
        .await
        .unwrap();
    assert_eq!(actions(&planned)["payments-dev"], "update");
}

/// A dockerconfigjson Secret in `namespace` carrying regboard's labels for
/// payments registry `name`, without regboard's proof.
async fn forged_copy(app: &TestApp, namespace: &str, name: &str) {
    let secret: k8s_openapi::api::core::v1::Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "labels": {
            "app.kubernetes.io/managed-by": "regboard",
            "regboard.dev/registry": name,
            "regboard.dev/scope": "project",
            "regboard.dev/project": "payments",
        }},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": "eyJhdXRocyI6e319"},
    }))
    .unwrap();
    let api: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(app.kube(), namespace);
    api.create(&Default::default(), &secret).await.unwrap();
}

/// `preview_namespace_move`, each row as (registry, action, accounts).
async fn move_rows(app: &TestApp, project: Option<&str>) -> Vec<(String, SecretAction, String)> {
    let args = serde_json::json!({"namespace": "sandbox-scratch", "project": project});
    let preview: MovePreview = call(app, "preview_namespace_move", &args).await.unwrap();
    for c in &preview.collisions {
        let row = preview.changes.iter().find(|r| r.secret == c.name).unwrap();
        let expected = SecretAction::Collision {
            secret_type: c.secret_type.clone(),
            forged: c.forged,
        };
        assert_eq!(row.action, expected, "the collision list matches the rows");
    }
    let rows = preview.changes.into_iter().map(|r| {
        let accounts: Vec<String> = r
            .accounts
            .iter()
            .map(|a| format!("{} {}", a.name, if a.adds { "adds" } else { "removes" }))
            .collect();
        (r.secret, r.action, accounts.join(","))
    });
    rows.filter(|(name, ..)| name.starts_with("mv-")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_preview_names_copies_accounts_and_collisions_and_the_move_does_that() {
    let app = spawn_app().await;
    make_foreign_secret(&app, "sandbox-scratch", "mv-taken", "kubernetes.io/tls").await;
    forged_copy(&app, "sandbox-scratch", "mv-forged").await;
    for name in ["mv-forged", "mv-joins", "mv-taken"] {
        let mut input = project_input("payments", name, OLD);
        input.attachment = Attachment::Default;
        create(&app, input).await.unwrap();
    }
    all_synced(&app, &payments(), "mv-joins").await;
    let collision = |secret_type: &str, forged| SecretAction::Collision {
        secret_type: secret_type.into(),
        forged,
    };
    let joining = vec![
        (
            "mv-forged".into(),
            collision("kubernetes.io/dockerconfigjson", true),
            String::new(),
        ),
        (
            "mv-joins".into(),
            SecretAction::Create,
            "default adds".into(),
        ),
        (
            "mv-taken".into(),
            collision("kubernetes.io/tls", false),
            String::new(),
        ),
    ];
    assert_eq!(move_rows(&app, Some("payments")).await, joining);
    assert!(secret(&app, "sandbox-scratch", "mv-joins").await.is_none());

    move_namespace(&app, "sandbox-scratch", Some("payments")).await;
    eventually("default lists the copy", || async {
        let api: Api<ServiceAccount> = Api::namespaced(app.kube(), "sandbox-scratch");
        let sa = api.get("default").await.unwrap();
        let names = sa.image_pull_secrets.unwrap_or_default();
        names.iter().any(|r| r.name == "mv-joins")
    })
    .await;
    let leaving = vec![(
        "mv-joins".to_owned(),
        SecretAction::Delete,
        "default removes".to_owned(),
    )];
    assert_eq!(move_rows(&app, None).await, leaving);
}
