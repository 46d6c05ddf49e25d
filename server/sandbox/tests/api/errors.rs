//! Every Status error surfaces through kube-rs as `kube::Error::Api` with the
//! apiserver's code, reason and wording.

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use kube::ResourceExt;
use regboard_sandbox::Seed;
use serde_json::{json, Value};

use crate::{api_error, create_namespace, sandbox, secret};

fn typed(name: &str, type_: &str, data: Value) -> Secret {
    serde_json::from_value(json!({"metadata": {"name": name}, "type": type_, "stringData": data}))
        .unwrap()
}

#[tokio::test]
async fn conflicts_not_found_and_already_exists() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "e").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "e");
    let pp = PostParams::default();
    let original = secrets
        .create(&pp, &secret("foo", json!({}), json!({"a": "b"})))
        .await
        .unwrap();

    let (code, reason, message) = api_error(
        secrets
            .create(&pp, &secret("foo", json!({}), json!({})))
            .await,
    );
    assert_eq!(
        (code, reason.as_str(), message.as_str()),
        (409, "AlreadyExists", "secrets \"foo\" already exists")
    );

    let (code, reason, message) = api_error(secrets.get("nope").await);
    assert_eq!(
        (code, reason.as_str(), message.as_str()),
        (404, "NotFound", "secrets \"nope\" not found")
    );

    secrets
        .patch(
            "foo",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"x": "1"}}})),
        )
        .await
        .unwrap();
    let (code, reason, message) = api_error(secrets.replace("foo", &pp, &original).await);
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        message,
        "Operation cannot be fulfilled on secrets \"foo\": the object has been modified; please apply your changes to the latest version and try again"
    );
    let stale = Patch::Merge(json!({"metadata": {"resourceVersion": original.resource_version()}}));
    assert_eq!(
        api_error(secrets.patch("foo", &PatchParams::default(), &stale).await).0,
        409
    );

    let wrong_uid = DeleteParams {
        preconditions: Some(Preconditions {
            uid: Some("not-the-uid".into()),
            resource_version: None,
        }),
        ..Default::default()
    };
    let (code, reason, message) = api_error(secrets.delete("foo", &wrong_uid).await);
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert!(
        message.contains("Precondition failed: UID in precondition: not-the-uid"),
        "{message}"
    );
    let wrong_rv = DeleteParams::default().preconditions(Preconditions {
        uid: None,
        resource_version: Some("1".into()),
    });
    assert_eq!(api_error(secrets.delete("foo", &wrong_rv).await).0, 409);

    let in_missing_ns: Api<Secret> = Api::namespaced(client.clone(), "ghost");
    let (code, _, message) = api_error(
        in_missing_ns
            .create(&pp, &secret("s", json!({}), json!({})))
            .await,
    );
    assert_eq!(
        (code, message.as_str()),
        (404, "namespaces \"ghost\" not found")
    );

    let (code, reason, _) = api_error(
        Api::<Namespace>::all(client)
            .delete("kube-system", &DeleteParams::default())
            .await,
    );
    assert_eq!((code, reason.as_str()), (403, "Forbidden"));
    sb.shutdown().await;
}

#[tokio::test]
async fn invalid_objects_are_422() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "v").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "v");
    let pp = PostParams::default();
    let invalid = |r: Result<Secret, kube::Error>| {
        let (code, reason, message) = api_error(r);
        assert_eq!((code, reason.as_str()), (422, "Invalid"), "{message}");
        message
    };

    let m = invalid(
        secrets
            .create(&pp, &secret("Bad_Name", json!({}), json!({})))
            .await,
    );
    assert!(m.starts_with("Secret \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of"), "{m}");
    let m = invalid(secrets.create(&pp, &secret("", json!({}), json!({}))).await);
    assert!(
        m.ends_with("metadata.name: Required value: name or generateName is required"),
        "{m}"
    );
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "a.b"}})).unwrap();
    let (code, _, m) = api_error(Api::<Namespace>::all(client.clone()).create(&pp, &ns).await);
    assert_eq!(code, 422);
    assert!(
        m.contains("a lowercase RFC 1123 label must consist of"),
        "{m}"
    );

    let docker = "kubernetes.io/dockerconfigjson";
    let m = invalid(secrets.create(&pp, &typed("d1", docker, json!({}))).await);
    assert!(
        m.ends_with("data[.dockerconfigjson]: Required value"),
        "{m}"
    );
    let m = invalid(
        secrets
            .create(
                &pp,
                &typed("d2", docker, json!({".dockerconfigjson": "not json"})),
            )
            .await,
    );
    assert!(
        m.contains("data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\""),
        "{m}"
    );
    let m = invalid(
        secrets
            .create(
                &pp,
                &typed("d3", "kubernetes.io/dockercfg", json!({".dockercfg": "{"})),
            )
            .await,
    );
    assert!(m.contains("data[.dockercfg]: Invalid value"), "{m}");
    let m = invalid(
        secrets
            .create(
                &pp,
                &typed("t", "kubernetes.io/tls", json!({"tls.crt": "x"})),
            )
            .await,
    );
    assert!(m.ends_with("data[tls.key]: Required value"), "{m}");

    secrets
        .create(&pp, &typed("o", "Opaque", json!({"a": "b"})))
        .await
        .unwrap();
    let retype = Patch::Merge(
        json!({"type": "kubernetes.io/tls", "stringData": {"tls.crt": "c", "tls.key": "k"}}),
    );
    let m = invalid(secrets.patch("o", &PatchParams::default(), &retype).await);
    assert!(
        m.ends_with("type: Invalid value: \"kubernetes.io/tls\": field is immutable"),
        "{m}"
    );

    let mut frozen = typed("frozen", "Opaque", json!({"a": "b"}));
    frozen.immutable = Some(true);
    secrets.create(&pp, &frozen).await.unwrap();
    let m = invalid(
        secrets
            .patch(
                "frozen",
                &PatchParams::default(),
                &Patch::Merge(json!({"stringData": {"a": "c"}})),
            )
            .await,
    );
    assert!(
        m.contains("data: Forbidden: field is immutable when `immutable` is set"),
        "{m}"
    );
    sb.shutdown().await;
}

/// Raw requests for the statuses kube-rs cannot produce by itself.
#[tokio::test]
async fn bad_requests_wrong_methods_and_media_types() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "r").await;
    let http = |method: &str, path: &str, content_type: &str, body: &str| {
        http::Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", content_type)
            .body(body.as_bytes().to_vec())
            .unwrap()
    };
    let send = |req| {
        let client = client.clone();
        async move { api_error(client.request::<Secret>(req).await) }
    };
    let base = "/api/v1/namespaces/r/secrets";
    let (code, reason, m) = send(http("POST", base, "application/json", "{not json")).await;
    assert_eq!((code, reason.as_str()), (400, "BadRequest"));
    assert!(
        m.starts_with("Secret in version \"v1\" cannot be handled as a Secret:"),
        "{m}"
    );
    let (code, _, m) = send(http(
        "POST",
        base,
        "application/json",
        r#"{"kind":"Pod","metadata":{"name":"p"}}"#,
    ))
    .await;
    assert_eq!(code, 400, "{m}");
    let other_ns = r#"{"metadata":{"name":"x","namespace":"elsewhere"}}"#;
    let (code, _, m) = send(http("POST", base, "application/json", other_ns)).await;
    assert_eq!(
        (code, m.as_str()),
        (
            400,
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    );
    let (code, _, _) = send(http(
        "POST",
        base,
        "application/json",
        r#"{"metadata":{"name":"x"},"data":{"k":"!!"}}"#,
    ))
    .await;
    assert_eq!(code, 400, "invalid base64 in data");

    let (code, reason, _) = send(http(
        "POST",
        &format!("{base}/named"),
        "application/json",
        "{}",
    ))
    .await;
    assert_eq!((code, reason.as_str()), (405, "MethodNotAllowed"));
    let (code, _, _) = send(http("PUT", base, "application/json", "{}")).await;
    assert_eq!(code, 405);

    client
        .request::<Secret>(http(
            "POST",
            base,
            "application/json",
            r#"{"metadata":{"name":"p"}}"#,
        ))
        .await
        .unwrap();
    let (code, reason, _) = send(http(
        "PATCH",
        &format!("{base}/p"),
        "application/apply-patch+cbor",
        "{}",
    ))
    .await;
    assert_eq!((code, reason.as_str()), (415, "UnsupportedMediaType"));
    let (code, reason, m) = send(http(
        "PATCH",
        &format!("{base}/p"),
        "application/apply-patch+yaml",
        "{}",
    ))
    .await;
    assert_eq!(
        (code, reason.as_str(), m.as_str()),
        (422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
    );
    let (code, _, _) = send(http("PATCH", &format!("{base}/p"), "text/plain", "{}")).await;
    assert_eq!(code, 415);
    let (code, _, _) = send(http(
        "GET",
        "/api/v1/secrets?labelSelector=a%20in%20b",
        "",
        "",
    ))
    .await;
    assert_eq!(code, 400);
    let (code, _, m) = send(http(
        "GET",
        "/api/v1/secrets?fieldSelector=spec.foo%3Dx",
        "",
        "",
    ))
    .await;
    assert_eq!(
        (code, m.as_str()),
        (400, "field label not supported: spec.foo")
    );
    let (code, reason, _) = send(http(
        "GET",
        "/api/v1/secrets?limit=1&continue=garbage",
        "",
        "",
    ))
    .await;
    assert_eq!((code, reason.as_str()), (400, "BadRequest"));
    let (code, reason, _) = send(http("GET", "/openapi/v9", "", "")).await;
    assert_eq!((code, reason.as_str()), (404, "NotFound"));

    // dryRun=All validates without persisting.
    let dry = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "r");
    secrets
        .create(&dry, &secret("dry", json!({}), json!({})))
        .await
        .unwrap();
    assert!(secrets.get_opt("dry").await.unwrap().is_none());
    sb.shutdown().await;
}
