//! Throttling like API Priority and Fairness: beyond N requests in flight
//! from one client, a 429 worded, typed and headed as kube-apiserver's.

use std::time::Duration;

use regboard_sandbox::{RequestMatch, Seed};

use crate::sandbox;

/// GET `path` on the sandbox with a bearer token: (status, headers, body).
async fn get(url: &str, token: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("the sandbox answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("a body"))
}

#[tokio::test]
async fn beyond_the_in_flight_limit_a_client_gets_kube_apiservers_429() {
    let sb = sandbox(Seed::Demo).await;
    let base = sb.url();
    sb.faults().throttle_in_flight(1, 1);
    // One request from client "a" stays in flight (held until shutdown).
    sb.faults().hang(
        RequestMatch::any().path_contains("/namespaces/default"),
        Duration::from_secs(60),
    );
    let held = tokio::spawn({
        let url = format!("{base}/api/v1/namespaces/default");
        async move { get(&url, "a").await }
    });
    let url = format!("{base}/api/v1/namespaces/kube-system");
    let mut refused = None;
    for _ in 0..200 {
        let answer = get(&url, "a").await;
        if answer.0 == 429 {
            refused = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await; // the held request is not in yet
    }
    let (_, headers, body) = refused.expect("a second request in flight is refused");
    // What k8s.io/apiserver's tooManyRequests writes through Go's http.Error.
    assert_eq!(body, "Too many requests, please try again later.\n");
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["retry-after"], "1");
    assert_eq!(sb.faults().throttled(), 1);

    let (status, _, _) = get(&url, "b").await;
    assert_eq!(status, 200, "another client has seats of its own");
    let watch = format!("{base}/api/v1/namespaces?watch=true&timeoutSeconds=1");
    let (status, _, _) = get(&watch, "a").await;
    assert_eq!(status, 200, "a watch takes no seat and is never refused");

    sb.faults().clear();
    let (status, _, _) = get(&url, "a").await;
    assert_eq!(status, 200, "clear() lifts the throttle");
    sb.shutdown().await;
    let _ = held.await;
}
