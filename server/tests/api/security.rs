//! The HTTP surface's defences: cross-site writes refused, POST-only
//! changes, the CSP nonce and cache headers, login redirects, and the
//! streaming routes behind a session and the caller's scope.

use serde_json::json;

use crate::authz::post;
use crate::helpers::{spawn_app, PASSWORD};

#[tokio::test]
async fn cross_site_writes_are_refused_and_same_origin_ones_pass() {
    let app = spawn_app().await;
    let host = app.addr.to_string();
    let send = |headers: Vec<(&'static str, String)>| {
        let mut request = app
            .client
            .post(app.url("/api/create_team"))
            .form(&[("name", format!("t{}", headers.len()))]);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        send(vec![("sec-fetch-site", "cross-site".into())]).await,
        403
    );
    assert_eq!(
        send(vec![
            ("sec-fetch-site", "same-site".into()),
            ("x", "y".into())
        ])
        .await,
        403
    );
    assert_eq!(
        send(vec![("origin", "http://evil.example".into())]).await,
        403
    );
    assert_eq!(
        send(vec![
            ("sec-fetch-site", "same-origin".into()),
            ("origin", format!("http://{host}")),
            ("x", "y".into())
        ])
        .await,
        200
    );
    assert_eq!(send(vec![("origin", format!("http://{host}"))]).await, 200);
    let teams: i64 = sqlx::query_scalar("SELECT count(*) FROM teams")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(teams, 2, "only the same-origin requests changed anything");
}

#[tokio::test]
async fn every_page_carries_a_nonce_csp_and_no_store() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();
    let csp = headers["content-security-policy"].to_str().unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the inline scripts carry the nonce"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    let again = app.client.get(app.url("/")).send().await.unwrap();
    assert_ne!(
        again.headers()["content-security-policy"].to_str().unwrap(),
        csp,
        "a fresh nonce per response"
    );
    // Anonymous visitors are sent to the login page, which renders.
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/registries/new"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/login?next=%2Fregistries%2Fnew"
    );
    assert_eq!(
        app.anonymous
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn changes_need_a_post_and_the_streams_need_a_session_and_a_scope() {
    let app = spawn_app().await;
    let (status, _) = app.get("/api/create_team?name=via-get").await;
    assert_ne!(
        status, 200,
        "a server function that changes something is POST only"
    );
    let teams: i64 = sqlx::query_scalar("SELECT count(*) FROM teams")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(teams, 0);

    for path in ["/audit/export?format=jsonl", "/live/namespaces"] {
        let status = app
            .anonymous
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 401, "{path}");
    }
    // A viewer of one namespace exports only the events inside it.
    for ns in ["payments-dev", "search-dev"] {
        let input = json!({"input": {"scope": {"kind": "namespace", "namespace": ns},
            "name": "pull", "credentials": [{"host": "ghcr.io", "username": "bot",
            "password": "a-registry-token-1"}], "description": ""}});
        assert_eq!(
            post(&app, &app.client, "create_registry", &input).await.0,
            200
        );
    }
    let carol = app.create_user("carol", false).await;
    let grant = json!({"subject": {"kind": "user", "id": carol}, "role": "viewer",
                       "scope": {"kind": "namespace", "namespace": "payments-dev"}});
    assert_eq!(post(&app, &app.client, "create_grant", &grant).await.0, 200);
    let carol = app.login("carol", PASSWORD).await;
    let export = carol
        .get(app.url("/audit/export?format=jsonl&action=registry.create"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(export.lines().count(), 1, "{export}");
    assert!(
        export.contains("payments-dev") && !export.contains("search-dev"),
        "{export}"
    );
}
