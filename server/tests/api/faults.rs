//! The fan-out under a misbehaving API server (faults injected through the
//! sandbox): transient 5xx, 429 and timeouts are retried, a 4xx is never
//! taken for success, every namespace converges once the fault is gone, a
//! repeating failure is audited once, and a user's request answers within
//! seconds (with the cluster's Retry-After when it throttles).

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
    // A 429 (Retry-After: 1) is waited out and retried within the pass.
    faults.fail_nth(copies.clone(), 4, 429);
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

/// The reconciler's audit rows for registry `name` whose errors name `namespace`.
async fn failure_rows(app: &crate::helpers::TestApp, name: &str, namespace: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'registry.sync' AND target_name = ? \
         AND EXISTS (SELECT 1 FROM json_each(details, '$.errors') e \
                     WHERE json_extract(e.value, '$.namespace') = ?) ORDER BY id",
    )
    .bind(name)
    .bind(namespace)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_hundred_passes_with_the_same_403_leave_one_audit_row_and_one_for_the_end() {
    let app = spawn_app().await;
    let faults = app.sandbox.as_ref().unwrap().faults();
    let refused = faults.counter(secret_posts("payments-prod"));
    faults.fail_fraction(secret_posts("payments-prod"), 1.0, 1, 403);
    let scope = create(&app, project_input("payments", "walled", "pw"))
        .await
        .unwrap()
        .scope;
    for _ in 0..100 {
        app.reconciler.next_pass().await;
    }
    assert!(
        refused.get() >= 100,
        "every pass tried again: {}",
        refused.get()
    );
    let rows = failure_rows(&app, "walled", "payments-prod").await;
    assert_eq!(
        rows.len(),
        1,
        "one row for the failure, not one per pass: {rows:?}"
    );
    assert!(rows[0].contains("403"), "{}", rows[0]);
    faults.clear();
    all_synced(&app, &scope, "walled").await;
    let recovered: Vec<String> = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'registry.sync' AND target_name = 'walled' \
         AND EXISTS (SELECT 1 FROM json_each(details, '$.recovered') r \
                     WHERE r.value = 'payments-prod')",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        recovered.len(),
        1,
        "the end of the failure is recorded once"
    );
    assert_eq!(failure_rows(&app, "walled", "payments-prod").await.len(), 1);
}

#[tokio::test]
async fn a_throttled_request_answers_503_with_the_clusters_retry_after() {
    let app = spawn_app().await;
    let faults = app.sandbox.as_ref().unwrap().faults();
    // Every Secret create in the namespace, until cleared (the reconciler's
    // copies of demo registries would otherwise take a one-off fault).
    faults.fail_fraction(secret_posts("payments-dev"), 1.0, 1, 429);
    let body =
        serde_qs::to_string(&serde_json::json!({"input": ns_input("payments-dev", "busy", "pw")}))
            .unwrap();
    let response = app
        .client
        .post(app.url("/api/create_registry"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    let retry_after = response.headers().get("retry-after").cloned();
    let error: regboard_app::AppError = response.json().await.unwrap();
    assert_eq!(
        retry_after.as_ref().and_then(|v| v.to_str().ok()),
        Some("1"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "The cluster is throttling requests; try again in 1 second."
    );
    assert!(secret(&app, "payments-dev", "busy").await.is_none());
    faults.clear();
    // Once the cluster lets it through, the same form succeeds.
    create(&app, ns_input("payments-dev", "busy", "pw"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_hung_cluster_answers_the_user_within_seconds_with_a_sentence() {
    let app = spawn_app().await;
    create(&app, ns_input("payments-dev", "stuck", "pw"))
        .await
        .unwrap();
    let faults = app.sandbox.as_ref().unwrap().faults();
    let reads = RequestMatch::any()
        .method("GET")
        .path_contains("/namespaces/payments-dev/secrets/stuck");
    faults.hang(reads, Duration::from_secs(120));
    let scope = regboard_app::model::registries::Scope::Namespace {
        namespace: "payments-dev".into(),
    };
    let started = std::time::Instant::now();
    let error = detail(&app, &scope, "stuck").await.unwrap_err();
    let waited = started.elapsed();
    // The figure the issue asks for (run with --nocapture to see it).
    println!("a hung cluster made the user wait {waited:.1?}");
    assert_eq!(
        error.to_string(),
        "The cluster is unavailable: the cluster did not answer within 10 seconds; try again later"
    );
    faults.clear();
}
