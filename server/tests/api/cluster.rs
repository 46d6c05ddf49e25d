//! Connection status: the header, /readyz and the log say when the cluster
//! is unreachable or refuses regboard, and the server keeps running.

use regboard_sandbox::{RequestMatch, Seed};

use crate::helpers::{spawn_unreachable, spawn_with_sandbox};

#[tokio::test]
async fn an_unreachable_cluster_is_named_on_the_page_and_in_readyz() {
    let app = spawn_unreachable().await;
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["database"], "ok");
    let problem = json["cluster"].as_str().unwrap();
    assert!(
        problem.starts_with("cannot reach the API server"),
        "{problem}"
    );

    let (status, html) = app.get("/").await;
    assert_eq!(status, 200, "the dashboard keeps serving");
    assert!(html.contains("unreachable-test"), "the context is shown");
    assert!(
        html.contains("cannot reach the API server"),
        "the problem is shown"
    );
    assert!(
        !html.contains("Sandbox cluster —"),
        "no sandbox banner for a real context"
    );

    let (status, html) = app.get("/namespaces").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("The cluster is unavailable: cannot reach the API server"),
        "{html}"
    );
}

#[tokio::test]
async fn an_unauthorised_cluster_is_reported_as_such() {
    let app = spawn_with_sandbox(Seed::Empty, |sandbox| {
        sandbox
            .faults()
            .fail_fraction(RequestMatch::any(), 1.0, 7, 401);
    })
    .await;
    let status = app.cluster.status.current();
    let problem = status.problem.expect("a problem");
    assert!(
        problem.contains("rejected regboard's credentials"),
        "{problem}"
    );
    assert_eq!(app.get("/readyz").await.0, 503);
}

#[tokio::test]
async fn the_status_recovers_when_the_cluster_comes_back() {
    let app = spawn_with_sandbox(Seed::Empty, |sandbox| {
        sandbox
            .faults()
            .fail_fraction(RequestMatch::any(), 1.0, 7, 503);
    })
    .await;
    assert!(!app.cluster.status.is_ready());
    app.sandbox.as_ref().unwrap().faults().clear();
    // The monitor retries with a 1 s first backoff.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while !app.cluster.status.is_ready() {
        assert!(tokio::time::Instant::now() < deadline, "did not recover");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.get("/readyz").await.0, 200);
}
