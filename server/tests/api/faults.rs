//! The fan-out under a misbehaving API server (faults injected through the
//! sandbox): transient 5xx and timeouts are retried, a 4xx is never taken
//! for success, and every namespace converges once the fault is gone.

use std::time::Duration;

use regboard_app::model::registries::SyncState;
use regboard_sandbox::RequestMatch;

use crate::helpers::spawn_app;
use crate::registry_helpers::*;

fn secret_posts(namespace: &str) -> RequestMatch {
    RequestMatch::any()
        .method("POST")
        .path_contains(&format!("/namespaces/{namespace}/secrets"))
}

#[tokio::test]
async fn server_errors_in_the_middle_of_a_fan_out_are_retried() {
    let app = spawn_app().await;
    let faults = app.sandbox.as_ref().unwrap().faults();
    let copies = RequestMatch::any().method("POST").resource("secrets");
    faults.fail_nth(copies.clone(), 2, 500);
    faults.fail_nth(copies.clone(), 3, 503);
    let posts = faults.counter(copies);
    let scope = create(&app, project_input("payments", "flaky", "pw"))
        .await
        .unwrap()
        .scope;
    let d = all_synced(&app, &scope, "flaky").await;
    assert_eq!(d.namespaces.len(), 3);
    for ns in ["payments-dev", "payments-staging", "payments-prod"] {
        assert!(secret(&app, ns, "flaky").await.is_some(), "{ns}");
    }
    assert!(
        posts.get() >= 6,
        "the failed creates were retried: {} POSTs",
        posts.get()
    );
}

#[tokio::test]
async fn an_injected_409_is_not_success_and_the_next_pass_creates_the_copy() {
    let app = spawn_app().await;
    let faults = app.sandbox.as_ref().unwrap().faults();
    faults.fail_nth(secret_posts("search-prod"), 1, 409);
    let scope = create(&app, project_input("search", "phantom", "pw"))
        .await
        .unwrap()
        .scope;
    // The 409 said "exists" but nothing exists: regboard checks, does not
    // record it as synced, and creates it on a later pass.
    let d = all_synced(&app, &scope, "phantom").await;
    assert!(d.namespaces.iter().all(|n| n.state == SyncState::Synced));
    assert!(secret(&app, "search-prod", "phantom").await.is_some());
}

#[tokio::test]
async fn a_forbidden_namespace_shows_an_error_until_access_returns() {
    let app = spawn_app().await;
    let faults = app.sandbox.as_ref().unwrap().faults();
    faults.fail_fraction(secret_posts("payments-prod"), 1.0, 1, 403);
    let scope = create(&app, project_input("payments", "guarded", "pw"))
        .await
        .unwrap()
        .scope;
    eventually("payments-prod reports the refusal", || async {
        let d = detail(&app, &scope, "guarded").await.unwrap();
        let prod = d
            .namespaces
            .iter()
            .find(|n| n.namespace == "payments-prod")
            .unwrap();
        matches!(&prod.state, SyncState::Error { message } if message.contains("403 Forbidden"))
            && d.summary.sync.synced == 2
    })
    .await;
    assert!(secret(&app, "payments-prod", "guarded").await.is_none());
    faults.clear();
    all_synced(&app, &scope, "guarded").await;
}

#[tokio::test]
async fn a_hanging_api_server_times_out_reports_and_recovers() {
    let app = spawn_app().await;
    let faults = app.sandbox.as_ref().unwrap().faults();
    faults.hang(secret_posts("data-pipeline"), Duration::from_secs(3));
    let scope = create(&app, project_input("data", "slow", "pw"))
        .await
        .unwrap()
        .scope;
    eventually("the timeout is reported", || async {
        let d = detail(&app, &scope, "slow").await.unwrap();
        d.namespaces
            .iter()
            .any(|n| matches!(&n.state, SyncState::Error { message } if message.contains("no answer within")))
    })
    .await;
    faults.clear();
    all_synced(&app, &scope, "slow").await;
}
