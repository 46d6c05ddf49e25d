//! Attaching registries to ServiceAccounts, against the sandbox: every
//! setting change attaches and detaches exactly what regboard added, an
//! entry added by hand survives, accounts and namespaces that appear later
//! are picked up, a concurrent edit (a real 409) is read again and retried,
//! and the detail page says which pods need a restart.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use kube::api::{Api, DeleteParams, PostParams};
use regboard_app::model::registries::{AttachState, Attachment, RegistryDetail, Scope};
use regboard_sandbox::RequestMatch;
use serde::Serialize;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};
use crate::registry_helpers::*;

/// Sets a registry's attachment through the server function.
async fn set_attachment(app: &TestApp, scope: &Scope, name: &str, attachment: Attachment) {
    #[derive(Serialize)]
    struct Args<'a> {
        scope: &'a Scope,
        name: &'a str,
        attachment: Attachment,
    }
    let args = Args {
        scope,
        name,
        attachment,
    };
    call::<_, ()>(app, "set_attachment", &args).await.unwrap();
}

async fn account(app: &TestApp, ns: &str, name: &str) -> Option<ServiceAccount> {
    let api: Api<ServiceAccount> = Api::namespaced(app.kube(), ns);
    api.get_opt(name).await.unwrap()
}

/// The names an account lists in `imagePullSecrets`, in order.
async fn pulls(app: &TestApp, ns: &str, name: &str) -> Vec<String> {
    let Some(a) = account(app, ns, name).await else {
        return vec![];
    };
    a.image_pull_secrets
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

async fn wait_pulls(app: &TestApp, ns: &str, name: &str, want: &[&str]) {
    let what = format!("{ns}/{name} lists {want:?}");
    eventually(&what, || async { pulls(app, ns, name).await == want }).await;
}

async fn create_account(app: &TestApp, ns: &str, name: &str, pull: &[&str]) {
    let api: Api<ServiceAccount> = Api::namespaced(app.kube(), ns);
    let refs: Vec<_> = pull.iter().map(|n| json!({ "name": n })).collect();
    let sa = json!({"metadata": {"name": name}, "imagePullSecrets": refs});
    api.create(&PostParams::default(), &serde_json::from_value(sa).unwrap())
        .await
        .unwrap();
}

fn ns_scope(ns: &str) -> Scope {
    Scope::Namespace {
        namespace: ns.into(),
    }
}

async fn with_attachment(app: &TestApp, scope: &Scope, name: &str, a: Attachment) {
    let mut input = match scope {
        Scope::Namespace { namespace } => ns_input(namespace, name, "pw-attach"),
        Scope::Project { project } => project_input(project, name, "pw-attach"),
    };
    input.attachment = a;
    create(app, input).await.unwrap();
}

/// The actions of the newest audit events.
async fn audit_actions(app: &TestApp) -> Vec<String> {
    let page: serde_json::Value = call(app, "audit_page", &json!({})).await.unwrap();
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn attachment_in(app: &TestApp, scope: &Scope, name: &str, ns: &str) -> AttachState {
    let d: RegistryDetail = detail(app, scope, name).await.unwrap();
    let row = d.namespaces.iter().find(|n| n.namespace == ns).unwrap();
    row.attachment
        .as_ref()
        .expect("an attachment")
        .state
        .clone()
}

#[tokio::test]
async fn each_setting_change_attaches_and_detaches_only_what_regboard_added() {
    let app = spawn_app().await;
    let scope = ns_scope("payments-dev");
    // Somebody listed their own Secret on `default` before regboard.
    create_account(&app, "payments-dev", "builder", &[]).await;
    let api: Api<ServiceAccount> = Api::namespaced(app.kube(), "payments-dev");
    let mut default = api.get("default").await.unwrap();
    default.image_pull_secrets = Some(vec![
        serde_json::from_value(json!({"name": "theirs"})).unwrap()
    ]);
    api.replace("default", &PostParams::default(), &default)
        .await
        .unwrap();

    with_attachment(&app, &scope, "ghcr", Attachment::Default).await;
    wait_pulls(&app, "payments-dev", "default", &["theirs", "ghcr"]).await;
    assert!(pulls(&app, "payments-dev", "builder").await.is_empty());
    let attached = |s: AttachState| s == AttachState::Attached;
    eventually("the detail says attached", || async {
        attached(attachment_in(&app, &scope, "ghcr", "payments-dev").await)
    })
    .await;

    let named = Attachment::Named {
        accounts: vec!["builder".into(), "deployer".into()],
    };
    set_attachment(&app, &scope, "ghcr", named).await;
    wait_pulls(&app, "payments-dev", "builder", &["ghcr"]).await;
    wait_pulls(&app, "payments-dev", "default", &["theirs"]).await;
    let missing = attachment_in(&app, &scope, "ghcr", "payments-dev").await;
    assert_eq!(
        missing,
        AttachState::AccountMissing {
            accounts: vec!["deployer".into()]
        }
    );
    create_account(&app, "payments-dev", "deployer", &[]).await;
    wait_pulls(&app, "payments-dev", "deployer", &["ghcr"]).await;

    set_attachment(&app, &scope, "ghcr", Attachment::All).await;
    wait_pulls(&app, "payments-dev", "default", &["theirs", "ghcr"]).await;
    create_account(&app, "payments-dev", "later", &["x"]).await;
    wait_pulls(&app, "payments-dev", "later", &["x", "ghcr"]).await;

    set_attachment(&app, &scope, "ghcr", Attachment::None).await;
    for sa in ["builder", "deployer"] {
        wait_pulls(&app, "payments-dev", sa, &[]).await;
    }
    wait_pulls(&app, "payments-dev", "default", &["theirs"]).await;
    wait_pulls(&app, "payments-dev", "later", &["x"]).await;
    let default = account(&app, "payments-dev", "default").await.unwrap();
    let notes = default.metadata.annotations.unwrap_or_default();
    assert!(
        !notes.contains_key("regboard.dev/pull-secrets"),
        "{notes:?}"
    );
}

#[tokio::test]
async fn an_entry_of_the_same_name_added_by_hand_survives_the_registry() {
    let app = spawn_app().await;
    let scope = ns_scope("payments-dev");
    create_account(&app, "payments-dev", "ci", &["ghcr", "other"]).await;
    with_attachment(&app, &scope, "ghcr", Attachment::All).await;
    wait_pulls(&app, "payments-dev", "default", &["ghcr"]).await;
    // Listed by hand before: not regboard's to record, nor to remove.
    assert_eq!(pulls(&app, "payments-dev", "ci").await, ["ghcr", "other"]);
    delete(&app, &scope, "ghcr").await.unwrap();
    wait_pulls(&app, "payments-dev", "default", &[]).await;
    app.reconciler.next_pass().await;
    assert_eq!(pulls(&app, "payments-dev", "ci").await, ["ghcr", "other"]);
}

#[tokio::test]
async fn a_forged_record_on_an_account_removes_nothing() {
    let app = spawn_app().await;
    let api: Api<ServiceAccount> = Api::namespaced(app.kube(), "payments-dev");
    let sa = json!({"metadata": {"name": "forged", "annotations": {
        "regboard.dev/pull-secrets": "theirs", "regboard.dev/pull-secrets-proof": "v1:00"}},
        "imagePullSecrets": [{"name": "theirs"}]});
    api.create(&PostParams::default(), &serde_json::from_value(sa).unwrap())
        .await
        .unwrap();
    with_attachment(&app, &ns_scope("payments-dev"), "ghcr", Attachment::Default).await;
    wait_pulls(&app, "payments-dev", "default", &["ghcr"]).await;
    app.reconciler.next_pass().await;
    assert_eq!(pulls(&app, "payments-dev", "forged").await, ["theirs"]);
}

#[tokio::test]
async fn a_project_registry_follows_namespaces_that_join_and_leave() {
    let app = spawn_app().await;
    let scope = Scope::Project {
        project: "payments".into(),
    };
    with_attachment(&app, &scope, "shared", Attachment::Default).await;
    for ns in ["payments-dev", "payments-staging", "payments-prod"] {
        wait_pulls(&app, ns, "default", &["shared"]).await;
    }
    move_namespace(&app, "sandbox-scratch", Some("payments")).await;
    wait_pulls(&app, "sandbox-scratch", "default", &["shared"]).await;
    move_namespace(&app, "payments-prod", None).await;
    wait_pulls(&app, "payments-prod", "default", &[]).await;
    // Two registries on one account: deleting one leaves the other.
    with_attachment(&app, &scope, "second", Attachment::Default).await;
    wait_pulls(&app, "payments-dev", "default", &["shared", "second"]).await;
    delete(&app, &scope, "shared").await.unwrap();
    wait_pulls(&app, "payments-dev", "default", &["second"]).await;
    let events = audit_actions(&app).await;
    assert!(events.iter().any(|a| a == "registry.attach"), "{events:?}");
}

#[tokio::test]
async fn a_concurrent_edit_is_read_again_and_both_changes_stay() {
    let app = spawn_app().await;
    let faults = app.sandbox.as_ref().unwrap().faults();
    let patches = RequestMatch::any()
        .method("PATCH")
        .path_contains("/namespaces/payments-dev/serviceaccounts/default");
    faults.hang(patches.clone(), Duration::from_millis(700));
    let count = faults.counter(patches);
    with_attachment(&app, &ns_scope("payments-dev"), "ghcr", Attachment::Default).await;
    eventually("regboard's patch is in flight", || async {
        count.get() >= 1
    })
    .await;
    // Meanwhile somebody replaces the account (a PUT: not held back).
    let api: Api<ServiceAccount> = Api::namespaced(app.kube(), "payments-dev");
    let mut sa = api.get("default").await.unwrap();
    sa.image_pull_secrets = Some(vec![
        serde_json::from_value(json!({"name": "theirs"})).unwrap()
    ]);
    api.replace("default", &PostParams::default(), &sa)
        .await
        .unwrap();
    faults.clear();
    wait_pulls(&app, "payments-dev", "default", &["theirs", "ghcr"]).await;
    assert!(
        count.get() >= 2,
        "the 409 was retried: {} patches",
        count.get()
    );
    // Retried within the pass: no failure reached the audit log.
    let page: serde_json::Value = call(&app, "audit_page", &json!({})).await.unwrap();
    let failed: Vec<_> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "registry.attach" && e["outcome"] != "success")
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
}

#[tokio::test]
async fn pods_created_before_the_attachment_are_named_until_restarted() {
    let app = spawn_app().await;
    let scope = ns_scope("search-prod");
    let pod_name = "search-api-5c6d7f8b9-q4w2e";
    with_attachment(&app, &scope, "ghcr", Attachment::Default).await;
    wait_pulls(&app, "search-prod", "default", &["ghcr"]).await;
    let d = detail(&app, &scope, "ghcr").await.unwrap();
    let a = d.namespaces[0].attachment.clone().unwrap();
    assert_eq!(a.accounts, ["default"]);
    let stale: Vec<&str> = a.stale_pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(stale, [pod_name]);
    assert!(!a.stale_pods[0].own_list);
    // The restart: the pod made again from its spec, without pull Secrets.
    let pods: Api<Pod> = Api::namespaced(app.kube(), "search-prod");
    let old = pods.get(pod_name).await.unwrap();
    pods.delete(pod_name, &DeleteParams::default())
        .await
        .unwrap();
    let mut again = Pod {
        spec: old.spec,
        ..Pod::default()
    };
    again.metadata.name = Some(pod_name.into());
    pods.create(&PostParams::default(), &again).await.unwrap();
    let admitted = pods.get(pod_name).await.unwrap();
    let names: Vec<String> = admitted
        .spec
        .unwrap()
        .image_pull_secrets
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["ghcr"], "admission copied the account's list");
    let d = detail(&app, &scope, "ghcr").await.unwrap();
    assert!(d.namespaces[0]
        .attachment
        .clone()
        .unwrap()
        .stale_pods
        .is_empty());
}

#[tokio::test]
async fn a_bad_setting_is_refused_with_a_sentence_and_nothing_is_written() {
    let app = spawn_app().await;
    let mut input = ns_input("payments-dev", "ghcr", "pw-attach");
    input.attachment = Attachment::Named {
        accounts: vec!["Not_Valid".into()],
    };
    let err = create(&app, input).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("ServiceAccount 'Not_Valid'"), "{text}");
    assert!(secret(&app, "payments-dev", "ghcr").await.is_none());
}
