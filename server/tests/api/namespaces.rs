//! The Namespaces page and its live feed.

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, DeleteParams, PostParams};
use regboard_app::model::cluster::NamespaceList;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_page_lists_namespaces_with_project_and_secret_count() {
    let app = spawn_app().await;
    let (status, html) = app.get("/namespaces").await;
    assert_eq!(status, 200);
    let row = row_html(&html, "payments-dev");
    assert!(row.contains(">payments</span>"), "project shown: {row}");
    let secrets = count_secrets(&app, "payments-dev").await;
    assert!(
        row.contains(&format!("<td class=\"num\">{secrets}</td>")),
        "secret count {secrets}: {row}"
    );
    assert!(row.contains("Active"));
    let row = row_html(&html, "default");
    assert!(row.contains("—"), "no project: {row}");
}

#[tokio::test]
async fn the_live_feed_follows_namespace_and_secret_changes() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/live/namespaces"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut events = sse_events(response);
    let first = events.next().await.unwrap();
    assert!(first.rows.iter().any(|r| r.name == "payments-dev"));
    assert!(!first.rows.iter().any(|r| r.name == "team-new"));

    let namespaces: Api<Namespace> = Api::all(app.kube());
    let ns: Namespace = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "team-new", "labels": {"regboard.dev/project": "payments"}}
    }))
    .unwrap();
    namespaces
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    let seen = wait_for(&mut events, |l| l.rows.iter().any(|r| r.name == "team-new")).await;
    let row = seen.rows.iter().find(|r| r.name == "team-new").unwrap();
    // A label set outside regboard asks to join; it does not make a member.
    assert_eq!(row.project, None);
    assert_eq!(row.requested_project.as_deref(), Some("payments"));
    assert_eq!(row.secrets, 0);

    let secrets: Api<Secret> = Api::namespaced(app.kube(), "team-new");
    let secret: Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "s1"}, "stringData": {"k": "v"}
    }))
    .unwrap();
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    wait_for(&mut events, |l| {
        l.rows
            .iter()
            .any(|r| r.name == "team-new" && r.secrets == 1)
    })
    .await;

    namespaces
        .delete("team-new", &DeleteParams::default())
        .await
        .unwrap();
    wait_for(&mut events, |l| {
        !l.rows.iter().any(|r| r.name == "team-new")
    })
    .await;
}

async fn count_secrets(app: &crate::helpers::TestApp, ns: &str) -> usize {
    let secrets: Api<Secret> = Api::namespaced(app.kube(), ns);
    secrets.list(&Default::default()).await.unwrap().items.len()
}

fn row_html<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("<tr data-namespace=\"{name}\">"))
        .unwrap_or_else(|| panic!("no row for {name}"));
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

/// Parses `event: namespaces` messages out of an SSE body.
fn sse_events(response: reqwest::Response) -> impl futures::Stream<Item = NamespaceList> + Unpin {
    let bytes = response.bytes_stream();
    Box::pin(futures::stream::unfold(
        (bytes, String::new()),
        |(mut bytes, mut buf)| async move {
            loop {
                if let Some(end) = buf.find("\n\n") {
                    let message: String = buf.drain(..end + 2).collect();
                    let data: String = message
                        .lines()
                        .filter_map(|l| l.strip_prefix("data: "))
                        .collect();
                    if message.contains("event: namespaces") {
                        let list = serde_json::from_str(&data).unwrap();
                        return Some((list, (bytes, buf)));
                    }
                    continue;
                }
                let chunk = bytes.next().await?.ok()?;
                buf.push_str(&String::from_utf8_lossy(&chunk));
            }
        },
    ))
}

async fn wait_for(
    events: &mut (impl futures::Stream<Item = NamespaceList> + Unpin),
    done: impl Fn(&NamespaceList) -> bool,
) -> NamespaceList {
    let wait = async {
        while let Some(list) = events.next().await {
            if done(&list) {
                return list;
            }
        }
        panic!("the feed ended");
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .expect("the change reached the feed")
}
