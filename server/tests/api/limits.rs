//! Limits at the HTTP edge: request bodies past the cap are refused with
//! 413 before anything is written, whether their length is declared or
//! not; and the per-address login throttle keys on the client a trusted
//! proxy names, never on an `X-Forwarded-For` a stranger wrote.

use regboard_app::domain::secret::Password;
use regboard_app::model::registries::{Attachment, HostCredential, RegistryInput, Scope};
use regboard_app::AppError;
use regboard_sandbox::RequestMatch;
use regboard_server::http::{TrustedProxies, MAX_BODY};

use crate::helpers::{spawn_app, spawn_configured, TestApp};
use crate::registry_helpers::{create, detail, ns_input};

/// A namespace outside every project: only a registry created through
/// regboard writes Secrets there.
const NAMESPACE: &str = "sandbox-scratch";

/// The sentence a refused body gets.
const TOO_LARGE: &str = "The request is too large: regboard accepts at most 256 KiB per request.";

async fn audit_rows(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM audit_events")
        .fetch_one(&app.db)
        .await
        .unwrap();
    n
}

/// POSTs `body` (form-encoded) to `/api/<endpoint>` as the admin.
async fn post_body(app: &TestApp, endpoint: &str, body: reqwest::Body) -> (u16, String) {
    let response = app
        .client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The arguments of create_registry, form-encoded as the browser sends them.
fn registry_form(input: RegistryInput) -> String {
    #[derive(serde::Serialize)]
    struct Args {
        input: RegistryInput,
    }
    serde_qs::to_string(&Args { input }).unwrap()
}

fn assert_too_large(status: u16, body: &str) {
    assert_eq!(status, 413, "{body}");
    let error: AppError = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(error.to_string(), TOO_LARGE);
}

#[tokio::test]
async fn a_10_mb_registry_form_gets_413_and_writes_nothing() {
    let app = spawn_app().await;
    let posts = app.sandbox.as_ref().unwrap().faults().counter(
        RequestMatch::any()
            .method("POST")
            .path_contains(&format!("/namespaces/{NAMESPACE}/secrets")),
    );
    let before = audit_rows(&app).await;
    // Passwords have no length limit of their own: without the cap this
    // form would be a valid registry.
    let input = ns_input(NAMESPACE, "huge", &"p".repeat(10 * 1024 * 1024));
    let (status, body) = post_body(&app, "create_registry", registry_form(input).into()).await;
    assert_too_large(status, &body);
    assert_eq!(audit_rows(&app).await, before, "no audit row");
    assert_eq!(posts.get(), 0, "no Secret was written");
    let scope = Scope::Namespace {
        namespace: NAMESPACE.into(),
    };
    assert!(matches!(
        detail(&app, &scope, "huge").await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_chunked_login_without_content_length_past_the_cap_gets_413_and_no_audit_row() {
    let app = spawn_app().await;
    let before = audit_rows(&app).await;
    // 10 MiB in 64 KiB chunks: no Content-Length, so the cap is found by
    // reading, and a failed login (which is always audited) never runs.
    let chunk = bytes::Bytes::from(vec![b'n'; 64 * 1024]);
    let mut chunks = vec![Ok::<_, std::io::Error>(bytes::Bytes::from_static(
        b"password=wrong&name=",
    ))];
    chunks.extend((0..160).map(|_| Ok(chunk.clone())));
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let (status, text) = post_body(&app, "login", body).await;
    assert_too_large(status, &text);
    assert_eq!(audit_rows(&app).await, before, "no audit row");
}

/// A registry form as large as validation allows: 20 long hosts, a service
/// account key as password, a 500 character description of 4-byte
/// characters and the longest email.
fn largest_legitimate_form() -> RegistryInput {
    let label = "r".repeat(60);
    let hosts: Vec<String> = (0..20)
        .map(|i| format!("https://{i:02}{label}.{label}.{label}.{label}:65535/"))
        .collect();
    let key = format!(
        "{{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\", \"client_email\": \"puller@p.iam.gserviceaccount.com\"}}",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC+/=".repeat(50)
    );
    RegistryInput {
        scope: Scope::Namespace {
            namespace: NAMESPACE.into(),
        },
        name: "largest".into(),
        credentials: hosts
            .into_iter()
            .map(|host| HostCredential {
                host,
                username: "_json_key".into(),
                password: Password::new(&key),
                email: Some(format!("{}@example.com", "e".repeat(242))),
                valid_until: Some("2099-12-31 23:59".into()),
            })
            .collect(),
        description: "😀".repeat(500),
        attachment: Attachment::Named {
            accounts: (0..20)
                .map(|i| format!("{i:02}{}", "a".repeat(251)))
                .collect(),
        },
        test_credential: false,
    }
}

#[tokio::test]
async fn the_largest_legitimate_registry_form_fits_under_the_cap_and_is_created() {
    let app = spawn_app().await;
    let form = registry_form(largest_legitimate_form());
    eprintln!(
        "largest legitimate registry form: {} bytes form-encoded (cap {MAX_BODY})",
        form.len()
    );
    assert!(form.len() * 2 <= MAX_BODY, "{} bytes", form.len());
    let (status, body) = post_body(&app, "create_registry", form.into()).await;
    assert_eq!(status, 200, "{body}");
    create(&app, ns_input(NAMESPACE, "small", "a-registry-token"))
        .await
        .unwrap();
}

/// Wrong logins as distinct unknown names (so only the per-address key can
/// lock), each with `forwarded` as X-Forwarded-For; the statuses.
async fn wrong_logins(app: &TestApp, forwarded: &[&str]) -> Vec<u16> {
    let mut statuses = Vec::new();
    for xff in forwarded {
        let name = format!("nobody-{}", uuid::Uuid::new_v4().simple());
        let response = app
            .anonymous
            .post(app.url("/api/login"))
            .header("x-forwarded-for", *xff)
            .form(&[("name", name.as_str()), ("password", "a wrong guess")])
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn without_a_trusted_proxy_rotating_x_forwarded_for_does_not_escape_the_address_throttle() {
    let app = spawn_app().await;
    let rotating: Vec<String> = (1..=6).map(|i| format!("198.51.100.{i}")).collect();
    let rotating: Vec<&str> = rotating.iter().map(String::as_str).collect();
    let statuses = wrong_logins(&app, &rotating).await;
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_throttled_on_its_own() {
    let app = spawn_configured(|options| {
        options.trusted_proxies = TrustedProxies::new(["127.0.0.1".parse().unwrap()]);
    })
    .await;
    let client = "203.0.113.9";
    assert_eq!(
        wrong_logins(&app, &[client; 6]).await,
        [401, 401, 401, 401, 401, 429]
    );
    // Another client behind the same proxy is not locked out with it.
    assert_eq!(wrong_logins(&app, &["203.0.113.10"]).await, [401]);
    // A left-most entry the client wrote itself changes nothing.
    let spoofed = ["198.51.100.1, 203.0.113.9", "10.9.8.7, 203.0.113.9"];
    assert_eq!(wrong_logins(&app, &spoofed).await, [429, 429]);
    let (address,): (String,) = sqlx::query_as(
        "SELECT untrusted_source_addr FROM audit_events \
         WHERE action = 'session.login.failed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(address, client, "the audit row names the forwarded client");
}
