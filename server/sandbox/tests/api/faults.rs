//! Fault injection: Nth-request failures, latency, hangs and seeded random failures.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, ListParams, PostParams};
use regboard_sandbox::{RequestMatch, Seed};
use serde_json::json;

use crate::{api_error, create_namespace, sandbox, secret};

#[tokio::test]
async fn nth_request_fails_then_succeeds() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "f").await;
    let secrets: Api<Secret> = Api::namespaced(client, "f");
    let posts = sb
        .faults()
        .counter(RequestMatch::any().method("POST").resource("secrets"));
    sb.faults().fail_nth(
        RequestMatch::any().method("POST").resource("secrets"),
        3,
        500,
    );
    for i in 0..2 {
        secrets
            .create(
                &PostParams::default(),
                &secret(&format!("s{i}"), json!({}), json!({})),
            )
            .await
            .unwrap();
    }
    let (code, reason, message) = api_error(
        secrets
            .create(&PostParams::default(), &secret("s2", json!({}), json!({})))
            .await,
    );
    assert_eq!((code, reason.as_str()), (500, "InternalError"));
    assert!(
        message.starts_with("injected fault: POST /api/v1/namespaces/f/secrets"),
        "{message}"
    );
    assert!(
        secrets.get_opt("s2").await.unwrap().is_none(),
        "a failed request never reaches the store"
    );
    secrets
        .create(&PostParams::default(), &secret("s2", json!({}), json!({})))
        .await
        .unwrap();
    assert_eq!(posts.get(), 4);
    assert!(sb.faults().served() >= 6);
    sb.shutdown().await;
}

#[tokio::test]
async fn latency_and_hangs_are_applied() {
    let sb = sandbox(Seed::Empty).await;
    let namespaces: Api<Namespace> = Api::all(sb.client().unwrap());
    sb.faults().set_latency(Duration::from_millis(150));
    let started = Instant::now();
    namespaces.list(&ListParams::default()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    sb.faults().clear();

    sb.faults().hang(
        RequestMatch::any().path_contains("/namespaces/default"),
        Duration::from_secs(5),
    );
    let hung = tokio::time::timeout(Duration::from_millis(300), namespaces.get("default")).await;
    assert!(
        hung.is_err(),
        "the request hangs past the client's deadline"
    );
    let started = Instant::now();
    namespaces.get("kube-system").await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "only matching requests hang"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn seeded_random_failures_are_reproducible() {
    async fn run(seed: u64) -> Vec<u16> {
        let sb = sandbox(Seed::Empty).await;
        let namespaces: Api<Namespace> = Api::all(sb.client().unwrap());
        sb.faults().fail_fraction(
            RequestMatch::any().method("GET").resource("namespaces"),
            0.4,
            seed,
            500,
        );
        let mut outcomes = Vec::new();
        for _ in 0..40 {
            outcomes.push(match namespaces.get("default").await {
                Ok(_) => 200,
                Err(e) => api_error::<()>(Err(e)).0,
            });
        }
        sb.shutdown().await;
        outcomes
    }
    let first = run(7).await;
    assert_eq!(first, run(7).await, "same seed, same failures");
    let failures = first.iter().filter(|c| **c == 500).count();
    assert!((6..=28).contains(&failures), "{failures} of 40 failed");
    assert_ne!(first, run(8).await, "another seed fails differently");
}

#[tokio::test]
async fn retryable_statuses_carry_retry_after() {
    let sb = sandbox(Seed::Empty).await;
    // kube-rs retries 429/503 itself, so inspect a raw response.
    sb.faults()
        .fail_nth(RequestMatch::any().path_contains("/version"), 1, 429);
    let mut tcp = tokio::net::TcpStream::connect(sb.addr()).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tcp.write_all(b"GET /version HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 429"), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("retry-after: 1"),
        "{response}"
    );
    assert!(
        response.contains("\"reason\":\"TooManyRequests\""),
        "{response}"
    );
    sb.shutdown().await;
}
