//! When the cluster refuses regboard something, the people running it read
//! which permission is missing and where to grant it, in one sentence: on
//! `/readyz` and the page header for what regboard needs from the start, in
//! the action's error and its audit row for a single write. Each test runs
//! under the manifests' own rules minus one verb.

use regboard_app::model::registries::Scope;
use regboard_app::AppError;
use serde_json::Value;

use super::{rendered_manifests, spawn_under};
use crate::helpers::TestApp;
use crate::registry_helpers::*;

/// The rendered manifests with `verb` on `resource` taken out of regboard's
/// ClusterRole (a rule for several resources is split, the others keep it).
fn without(verb: &str, resource: &str) -> Vec<Value> {
    let mut docs = rendered_manifests();
    let role = docs
        .iter_mut()
        .find(|d| d["kind"] == "ClusterRole")
        .expect("a ClusterRole");
    let rules = role["rules"].as_array_mut().unwrap();
    let mut kept = Vec::new();
    let mut removed = false;
    for rule in rules.drain(..) {
        let names = |key: &str| -> Vec<Value> { rule[key].as_array().cloned().unwrap_or_default() };
        let resources = names("resources");
        if !resources.contains(&Value::from(resource)) {
            kept.push(rule);
            continue;
        }
        let others: Vec<Value> = resources.into_iter().filter(|r| r != resource).collect();
        if !others.is_empty() {
            let mut rest = rule.clone();
            rest["resources"] = others.into();
            kept.push(rest);
        }
        let verbs: Vec<Value> = names("verbs").into_iter().filter(|v| v != verb).collect();
        removed |= verbs.len() < names("verbs").len();
        if !verbs.is_empty() {
            let mut mine = rule.clone();
            mine["resources"] = vec![Value::from(resource)].into();
            mine["verbs"] = verbs.into();
            kept.push(mine);
        }
    }
    assert!(removed, "the manifests grant {verb} {resource}");
    *rules = kept;
    docs
}

/// `/readyz` as (status, its `cluster` field).
async fn readiness(app: &TestApp) -> (u16, Value) {
    let (code, body) = app.get("/readyz").await;
    let json: Value = serde_json::from_str(&body).unwrap();
    (code, json["cluster"].clone())
}

#[tokio::test]
async fn a_refused_watch_makes_readyz_and_the_page_name_the_permission() {
    let app = spawn_under(&without("watch", "secrets")).await;
    let sentence = "regboard may not watch secrets at the cluster scope (API group \"\"): grant it in the ClusterRole \"regboard\" (deploy/base/rbac.yaml).";
    assert_eq!(readiness(&app).await, (503, Value::from(sentence)));
    let (code, html) = app.get("/registries").await;
    assert_eq!(code, 200, "the dashboard keeps serving");
    let escaped = sentence.replace('"', "&quot;");
    assert!(
        html.contains(sentence) || html.contains(&escaped),
        "the header names it: {html}"
    );
}

#[tokio::test]
async fn a_refused_write_names_the_permission_in_the_error_and_the_audit_row() {
    let app = spawn_under(&without("delete", "secrets")).await;
    assert_eq!(
        readiness(&app).await.0,
        200,
        "a write is not needed to start"
    );
    create(&app, ns_input("sandbox-scratch", "rbac-kept", "pw-1"))
        .await
        .unwrap();
    let scope = Scope::Namespace {
        namespace: "sandbox-scratch".into(),
    };
    let sentence = "regboard may not delete secrets in the namespace \"sandbox-scratch\" (API group \"\"): grant it in the ClusterRole \"regboard\" (deploy/base/rbac.yaml).";
    assert_eq!(
        delete(&app, &scope, "rbac-kept").await,
        Err(AppError::Forbidden(sentence.into()))
    );
    let details: String = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'registry.delete' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let details: Value = serde_json::from_str(&details).unwrap();
    assert_eq!(
        details["message"],
        format!("The cluster refused this request: {sentence}")
    );
    assert!(secret(&app, "sandbox-scratch", "rbac-kept").await.is_some());
}

#[tokio::test]
async fn a_missing_system_namespace_is_the_only_reason_to_create_one_and_the_refusal_says_so() {
    // The manifests grant no namespace create: regboard's system namespace
    // is the one it runs in. Gone (only possible outside a pod), creating a
    // project registry asks for it, and the refusal names it.
    let app = spawn_under(&rendered_manifests()).await;
    kube::Api::<k8s_openapi::api::core::v1::Namespace>::all(app.kube())
        .delete("regboard-system", &Default::default())
        .await
        .unwrap();
    let created = create(&app, project_input("payments", "rbac-nowhere", "pw-1")).await;
    assert_eq!(
        created.unwrap_err(),
        AppError::Forbidden("regboard may not create namespaces at the cluster scope (API group \"\"): grant it in the ClusterRole \"regboard\" (deploy/base/rbac.yaml).".into())
    );
}
