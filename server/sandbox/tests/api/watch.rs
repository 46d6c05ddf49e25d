//! Watches: kube-runtime's watcher end to end (including 410 recovery), raw streams
//! with bookmarks, and in-stream ERROR 410 for compacted resourceVersions.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::watcher::{self, Event};
use kube::ResourceExt;
use regboard_sandbox::Seed;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{create_namespace, sandbox, secret};

type Events =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<Event<Secret>, watcher::Error>> + Send>>;

/// The next event (errors included) within 10 s.
async fn next(stream: &mut Events) -> Result<Event<Secret>, watcher::Error> {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("an event within 10 s")
        .expect("the watcher stream does not end")
}

/// Skips events until `pred` holds; returns how many errors were skipped.
async fn until(stream: &mut Events, pred: impl Fn(&Event<Secret>) -> bool) -> usize {
    let mut errors = 0;
    loop {
        match next(stream).await {
            Ok(event) if pred(&event) => return errors,
            Ok(_) => {}
            Err(_) => errors += 1,
        }
    }
}

#[tokio::test]
async fn kube_runtime_watcher_sees_changes() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "w").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "w");
    secrets
        .create(
            &PostParams::default(),
            &secret("before", json!({}), json!({})),
        )
        .await
        .unwrap();

    let mut events: Events = watcher::watcher(secrets.clone(), watcher::Config::default()).boxed();
    assert!(matches!(next(&mut events).await.unwrap(), Event::Init));
    assert!(
        matches!(next(&mut events).await.unwrap(), Event::InitApply(s) if s.name_any() == "before")
    );
    assert!(matches!(next(&mut events).await.unwrap(), Event::InitDone));

    secrets
        .create(
            &PostParams::default(),
            &secret("live", json!({}), json!({"a": "1"})),
        )
        .await
        .unwrap();
    assert!(matches!(next(&mut events).await.unwrap(), Event::Apply(s) if s.name_any() == "live"));
    let patch = Patch::Merge(json!({"metadata": {"labels": {"m": "1"}}}));
    secrets
        .patch("live", &PatchParams::default(), &patch)
        .await
        .unwrap();
    assert!(
        matches!(next(&mut events).await.unwrap(), Event::Apply(s) if s.labels().contains_key("m"))
    );
    secrets
        .delete("live", &DeleteParams::default())
        .await
        .unwrap();
    assert!(matches!(next(&mut events).await.unwrap(), Event::Delete(s) if s.name_any() == "live"));
    sb.shutdown().await;
}

#[tokio::test]
async fn kube_runtime_watcher_recovers_from_410() {
    let sb = sandbox(Seed::Empty).await;
    sb.set_history_limit(2);
    let client = sb.client().unwrap();
    create_namespace(&client, "w").await;
    create_namespace(&client, "noise").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "w");
    // Watches end after 1 s, so the watcher resumes from its last resourceVersion.
    let config = watcher::Config::default().timeout(1);
    let mut events: Events = watcher::watcher(secrets.clone(), config).boxed();
    until(&mut events, |e| matches!(e, Event::InitDone)).await;

    // Writes elsewhere push the watcher's resourceVersion out of the tiny history.
    let noise: Api<Secret> = Api::namespaced(client.clone(), "noise");
    for i in 0..5 {
        noise
            .create(
                &PostParams::default(),
                &secret(&format!("n{i}"), json!({}), json!({})),
            )
            .await
            .unwrap();
    }
    let errors = until(&mut events, |e| matches!(e, Event::Init)).await;
    assert!(
        errors >= 1,
        "the resumed watch failed with 410 Expired before the re-list"
    );
    until(&mut events, |e| matches!(e, Event::InitDone)).await;
    secrets
        .create(
            &PostParams::default(),
            &secret("after", json!({}), json!({})),
        )
        .await
        .unwrap();
    until(
        &mut events,
        |e| matches!(e, Event::Apply(s) if s.name_any() == "after"),
    )
    .await;
    sb.shutdown().await;
}

#[tokio::test]
async fn expired_resource_version_is_an_error_event() {
    let sb = sandbox(Seed::Empty).await;
    sb.set_history_limit(1);
    let client = sb.client().unwrap();
    create_namespace(&client, "x").await;
    create_namespace(&client, "y").await;
    let secrets: Api<Secret> = Api::namespaced(client, "x");
    let mut stream = secrets
        .watch(&WatchParams::default().timeout(5), "1")
        .await
        .unwrap()
        .boxed();
    match stream.try_next().await.unwrap() {
        Some(WatchEvent::Error(status)) => {
            assert_eq!((status.code, status.reason.as_str()), (410, "Expired"));
            assert!(
                status.message.starts_with("too old resource version: 1"),
                "{}",
                status.message
            );
        }
        other => panic!("expected ERROR 410, got {other:?}"),
    }
    sb.shutdown().await;
}

/// A raw HTTP/1.1 watch: chunked NDJSON with ADDED then BOOKMARK lines.
#[tokio::test]
async fn raw_watch_streams_bookmarks() {
    let sb = sandbox(Seed::Empty).await;
    sb.set_bookmark_interval(Duration::from_millis(100));
    let mut tcp = tokio::net::TcpStream::connect(sb.addr()).await.unwrap();
    let request =
        "GET /api/v1/namespaces?watch=1&allowWatchBookmarks=true&timeoutSeconds=2 HTTP/1.1\r\n\
                   Host: sandbox\r\nAccept: application/json\r\n\r\n";
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let text = loop {
        let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(
            n > 0,
            "stream ended before a bookmark: {}",
            String::from_utf8_lossy(&received)
        );
        received.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&received).into_owned();
        if text.contains("\"BOOKMARK\"") {
            break text;
        }
    };
    let lower = text.to_ascii_lowercase();
    assert!(lower.starts_with("http/1.1 200"), "{text}");
    assert!(lower.contains("transfer-encoding: chunked"), "{text}");
    assert_eq!(
        text.matches("\"type\":\"ADDED\"").count(),
        3,
        "default, kube-system, kube-public"
    );
    let line = text.lines().find(|l| l.contains("BOOKMARK")).unwrap();
    let event: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(event["object"]["kind"], "Namespace");
    assert_eq!(
        event["object"]["metadata"]["resourceVersion"],
        sb.store().resource_version().to_string()
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn metadata_clients_get_metadata_only() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "meta").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "meta");
    secrets
        .create(
            &PostParams::default(),
            &secret("first", json!({"k": "v"}), json!({"pw": "hunter2"})),
        )
        .await
        .unwrap();
    // A raw metadata watch, as kube-rs sends it: PartialObjectMetadata, no data.
    let request = http::Request::get("/api/v1/namespaces/meta/secrets?watch=true&timeoutSeconds=1")
        .header(
            http::header::ACCEPT,
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
        )
        .body(Vec::new())
        .unwrap();
    let text = client.request_text(request).await.unwrap();
    let event: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(event["type"], "ADDED");
    assert_eq!(event["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(event["object"]["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(event["object"]["metadata"]["labels"]["k"], "v");
    assert!(
        !text.contains("\"data\"") && !text.contains("aHVudGVyMg"),
        "no Secret data on a metadata watch: {text}"
    );
    // kube-rs metadata list and watcher see the names.
    let meta: Api<kube::core::PartialObjectMeta<Secret>> = Api::namespaced(client, "meta");
    let list = meta.list_metadata(&Default::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].name_any(), "first");
    let mut events = watcher::watcher(meta, watcher::Config::default()).boxed();
    let first = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(Ok(Event::InitApply(obj))) = events.next().await {
                break obj;
            }
        }
    })
    .await
    .expect("the metadata watcher lists the Secret");
    assert_eq!(first.name_any(), "first");
    sb.shutdown().await;
}
