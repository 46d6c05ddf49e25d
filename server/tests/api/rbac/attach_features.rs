//! The ServiceAccount features of the table: attaching a registry (list and
//! watch of ServiceAccounts, a patch, a get after a 409) and the pods that
//! need a restart (a pod list per namespace).

use std::time::Duration;

use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, PostParams};
use regboard_app::model::registries::{AttachState, Attachment, Scope};
use regboard_sandbox::RequestMatch;
use serde_json::json;

use crate::helpers::TestApp;
use crate::registry_helpers::*;

/// The namespace of the case (outside any project).
const NS: &str = "sandbox-scratch";

async fn pulls(app: &TestApp) -> Vec<String> {
    let api: Api<ServiceAccount> = Api::namespaced(app.kube(), NS);
    let sa = api.get("default").await.unwrap();
    let refs = sa.image_pull_secrets.unwrap_or_default();
    refs.into_iter().map(|r| r.name).collect()
}

pub(super) async fn attach_to_service_accounts(app: &TestApp) {
    let faults = app.sandbox.as_ref().unwrap().faults();
    let patches = RequestMatch::any()
        .method("PATCH")
        .path_contains(&format!("/namespaces/{NS}/serviceaccounts/default"));
    faults.hang(patches.clone(), Duration::from_millis(700));
    let count = faults.counter(patches);
    let mut input = ns_input(NS, "rbac-attached", "pw-attach");
    input.attachment = Attachment::Default;
    create(app, input).await.unwrap();
    eventually("regboard's patch is in flight", || async {
        count.get() >= 1
    })
    .await;
    // A hand edit meanwhile: regboard's patch gets a 409 and reads again.
    let api: Api<ServiceAccount> = Api::namespaced(app.kube(), NS);
    let mut sa = api.get("default").await.unwrap();
    sa.image_pull_secrets = Some(vec![
        serde_json::from_value(json!({"name": "theirs"})).unwrap()
    ]);
    api.replace("default", &PostParams::default(), &sa)
        .await
        .unwrap();
    faults.clear();
    let want = ["theirs".to_owned(), "rbac-attached".to_owned()];
    eventually("the account lists both", || async {
        pulls(app).await == want
    })
    .await;
    let scope = Scope::Namespace {
        namespace: NS.into(),
    };
    let d = detail(app, &scope, "rbac-attached").await.unwrap();
    let attachment = d.namespaces[0].attachment.clone().unwrap();
    assert_eq!(attachment.state, AttachState::Attached);
}
