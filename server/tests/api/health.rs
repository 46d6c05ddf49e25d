use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_while_the_process_runs() {
    let app = spawn_app().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body, "ok");
}

#[tokio::test]
async fn readyz_is_ready_when_the_database_answers() {
    let app = spawn_app().await;
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["database"], "ok");
    assert_eq!(json["cluster"], "ok");
}

#[tokio::test]
async fn readyz_is_not_ready_when_the_database_cannot_be_reached() {
    let app = spawn_app().await;
    app.db.close().await;
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["database"], "unavailable");
    assert_eq!(json["ready"], false);
    // Liveness is unaffected.
    assert_eq!(app.get("/healthz").await.0, 200);
}

#[tokio::test]
async fn every_response_carries_a_fresh_request_id_the_client_cannot_choose() {
    let app = spawn_app().await;
    let first = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "chosen-by-client")
        .send()
        .await
        .unwrap();
    let second = app.client.get(app.url("/healthz")).send().await.unwrap();
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let (a, b) = (id(&first), id(&second));
    assert_ne!(a, "chosen-by-client");
    assert_eq!(a.len(), 32, "a uuid without dashes: {a}");
    assert_ne!(a, b);
}
