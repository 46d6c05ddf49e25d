//! The credential test against a real Distribution registry (Debian's
//! `docker-registry`, started here) in htpasswd (Basic) and token mode: at
//! save time (a rejected credential refuses the save until "save anyway"),
//! on demand (`test_registry_credential`, audited as `registry.test`), and
//! periodically, with the last verdict in the list and the detail; a
//! stopped registry is unreachable (refused), a silent one times out; a
//! canary password never reaches the log, the audit rows or a response.

use std::time::Duration;

use regboard_app::model::credentials::{CredentialCheck, Unreachable, Verdict};
use regboard_app::model::registries::{
    HostCredential, RegistryDetail, RegistryInput, RegistrySummary, Scope,
};
use regboard_app::AppError;
use serde::Serialize;

use crate::helpers::{spawn_configured, TestApp};
use crate::registry_harness::{docker_registry, silent_listener, Registry};
use crate::registry_helpers::{call, create, ns_input};

const USER: &str = "puller";
const RIGHT: &str = "right-Pa55-for-registry";
const WRONG: &str = "wrong-Pa55-for-registry";
const NAMESPACE: &str = "payments-dev";

/// The app, told that `plain` hosts speak plain HTTP; requests time out
/// after 2 seconds; periodic tests every `periodic` when given.
async fn app_for(plain: Vec<String>, periodic: Option<Duration>) -> TestApp {
    spawn_configured(|o| {
        o.credential_check.plain_http = plain;
        o.credential_check.timeout = Duration::from_secs(2);
        o.credential_check.interval = periodic;
    })
    .await
}

fn input(name: &str, host: &str, password: &str, test: bool) -> RegistryInput {
    RegistryInput {
        credentials: vec![HostCredential::new(host, USER, password)],
        test_credential: test,
        ..ns_input(NAMESPACE, name, password)
    }
}

fn scope() -> Scope {
    Scope::Namespace {
        namespace: NAMESPACE.into(),
    }
}

#[derive(Serialize)]
struct TestArgs<'a> {
    scope: Scope,
    name: &'a str,
    host: Option<&'a str>,
}

/// `test_registry_credential` of registry `name` (every host).
async fn test_now(app: &TestApp, name: &str) -> Result<Vec<CredentialCheck>, AppError> {
    let args = TestArgs {
        scope: scope(),
        name,
        host: None,
    };
    call(app, "test_registry_credential", &args).await
}

async fn detail(app: &TestApp, name: &str) -> Result<RegistryDetail, AppError> {
    #[derive(Serialize)]
    struct Args<'a> {
        scope: Scope,
        name: &'a str,
    }
    call(
        app,
        "get_registry",
        &Args {
            scope: scope(),
            name,
        },
    )
    .await
}

fn only(checks: &[CredentialCheck]) -> &Verdict {
    assert_eq!(checks.len(), 1, "{checks:?}");
    &checks[0].verdict
}

/// Right accepted at save; wrong refused at save with `refusal` in the
/// message and nothing written, saved anyway, then rejected on demand.
async fn right_and_wrong(registry: &Registry, refusal: &str) {
    let app = app_for(registry.plain_http_hosts(), None).await;
    let saved = create(&app, input("good", &registry.host, RIGHT, true))
        .await
        .unwrap();
    assert_eq!(only(&saved.credential_checks), &Verdict::Accepted);
    let list: Vec<RegistrySummary> = call(&app, "list_registries", &serde_json::json!({}))
        .await
        .unwrap();
    let row = list.iter().find(|r| r.name == "good").unwrap();
    assert_eq!(
        only(&row.credential_checks),
        &Verdict::Accepted,
        "the list shows the verdict"
    );

    let refused = create(&app, input("bad", &registry.host, WRONG, true))
        .await
        .unwrap_err();
    match &refused {
        AppError::Invalid { field, message } => {
            assert_eq!(field.as_deref(), Some("credential"));
            assert!(
                message.contains("rejected the credential (HTTP 401)"),
                "{message}"
            );
            assert!(
                message.contains(refusal),
                "the registry's own words: {message}"
            );
        }
        other => panic!("not refused as a credential: {other:?}"),
    }
    assert!(
        matches!(detail(&app, "bad").await, Err(AppError::NotFound(_))),
        "nothing written"
    );
    create(&app, input("bad", &registry.host, WRONG, false))
        .await
        .expect("save anyway");

    let checks = test_now(&app, "bad").await.unwrap();
    match only(&checks) {
        Verdict::Rejected {
            status: 401,
            message,
        } => assert!(message.contains(refusal), "{message}"),
        other => panic!("not rejected: {other:?}"),
    }
    let shown = detail(&app, "bad").await.unwrap();
    assert_eq!(
        shown.summary.credential_checks, checks,
        "the detail shows the last verdict"
    );
    let (outcome, details): (String, String) = sqlx::query_as(
        "SELECT outcome, details FROM audit_events WHERE action = 'registry.test' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(outcome, "success");
    assert!(
        details.contains("rejected") && !details.contains(WRONG),
        "{details}"
    );
    // The pages show the verdicts: the list per registry, the detail per host.
    let (_, list) = app.get("/registries").await;
    assert!(list.contains(r#"data-verdict="accepted""#), "{list}");
    let (_, page) = app.get(&format!("/registries/ns/{NAMESPACE}/bad")).await;
    assert!(page.contains(r#"data-testid="test-credential""#), "{page}");
    assert!(
        page.contains("rejected the credential (HTTP 401)"),
        "{page}"
    );
}

#[tokio::test]
async fn basic_mode_accepts_the_right_credential_and_rejects_a_wrong_one() {
    let Some(bin) = docker_registry() else { return };
    let registry = Registry::basic(&bin, USER, RIGHT).await;
    right_and_wrong(&registry, "authentication required").await;
}

#[tokio::test]
async fn token_mode_accepts_the_right_credential_and_rejects_a_wrong_one() {
    let Some(bin) = docker_registry() else { return };
    let registry = Registry::token(&bin, USER, RIGHT, None).await;
    right_and_wrong(&registry, "incorrect username or password").await;
}

/// Saved while the registry runs, then stopped: refused (and a save then
/// goes through: an unreachable registry does not refuse it).
async fn stopped_is_refused(mut registry: Registry) {
    let app = app_for(registry.plain_http_hosts(), None).await;
    create(&app, input("stopped", &registry.host, RIGHT, true))
        .await
        .unwrap();
    registry.stop();
    let checks = test_now(&app, "stopped").await.unwrap();
    assert!(
        matches!(
            only(&checks),
            Verdict::Unreachable {
                cause: Unreachable::Refused,
                ..
            }
        ),
        "{checks:?}"
    );
    let saved = create(&app, input("later", &registry.host, RIGHT, true))
        .await
        .unwrap();
    assert!(matches!(
        only(&saved.credential_checks),
        Verdict::Unreachable { .. }
    ));
}

#[tokio::test]
async fn a_stopped_registry_is_unreachable_refused_in_both_modes() {
    let Some(bin) = docker_registry() else { return };
    stopped_is_refused(Registry::basic(&bin, USER, RIGHT).await).await;
    stopped_is_refused(Registry::token(&bin, USER, RIGHT, None).await).await;
}

#[tokio::test]
async fn a_silent_registry_or_token_service_times_out() {
    let Some(bin) = docker_registry() else { return };
    // A registry that accepts connections and never answers.
    let silent = silent_listener().await.to_string();
    // A token-mode registry whose token service never answers.
    let realm_host = silent_listener().await.to_string();
    let registry = Registry::token(
        &bin,
        USER,
        RIGHT,
        Some(&format!("http://{realm_host}/token")),
    )
    .await;
    let plain = vec![silent.clone(), registry.host.clone(), realm_host];
    let app = app_for(plain, None).await;
    for (name, host) in [
        ("silent", silent.as_str()),
        ("slow-token", registry.host.as_str()),
    ] {
        create(&app, input(name, host, RIGHT, false)).await.unwrap();
        let checks = test_now(&app, name).await.unwrap();
        match only(&checks) {
            Verdict::Unreachable {
                cause: Unreachable::Timeout,
                detail,
            } => {
                assert!(detail.contains("no answer within 2 seconds"), "{detail}")
            }
            other => panic!("{name}: not a timeout: {other:?}"),
        }
    }
}

#[tokio::test]
async fn plain_http_is_used_only_for_hosts_marked_so() {
    let Some(bin) = docker_registry() else { return };
    let registry = Registry::basic(&bin, USER, RIGHT).await;
    let app = app_for(Vec::new(), None).await; // nothing marked plain HTTP
    create(&app, input("unmarked", &registry.host, RIGHT, false))
        .await
        .unwrap();
    let checks = test_now(&app, "unmarked").await.unwrap();
    assert!(
        matches!(
            only(&checks),
            Verdict::Unreachable {
                cause: Unreachable::Tls,
                ..
            }
        ),
        "HTTPS to a plain-HTTP registry fails its handshake: {checks:?}"
    );
}

#[tokio::test]
async fn the_periodic_test_records_the_verdict_shown_in_the_list() {
    let Some(bin) = docker_registry() else { return };
    let registry = Registry::basic(&bin, USER, RIGHT).await;
    let app = app_for(registry.plain_http_hosts(), Some(Duration::from_secs(1))).await;
    create(&app, input("periodic", &registry.host, WRONG, false))
        .await
        .unwrap();
    for _ in 0..60 {
        let list: Vec<RegistrySummary> = call(&app, "list_registries", &serde_json::json!({}))
            .await
            .unwrap();
        let row = list.iter().find(|r| r.name == "periodic").unwrap();
        if let Some(check) = row.credential_checks.first() {
            assert!(
                matches!(check.verdict, Verdict::Rejected { status: 401, .. }),
                "{check:?}"
            );
            assert!(check.checked_unix > 0);
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("no periodic verdict was recorded");
}

/// Creates pod `name` in [`NAMESPACE`] pulling `image` with pull Secret `secret`.
async fn make_pod(app: &TestApp, name: &str, image: &str, secret: &str) {
    let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "app", "image": image}],
                 "imagePullSecrets": [{"name": secret}]},
    }))
    .unwrap();
    kube::Api::namespaced(app.kube(), NAMESPACE)
        .create(&kube::api::PostParams::default(), &pod)
        .await
        .unwrap();
}

#[tokio::test]
async fn check_three_of_a_pull_diagnosis_shows_the_last_verdict() {
    use regboard_app::model::workloads::{Diagnosis, Verdict as Check};
    let Some(bin) = docker_registry() else { return };
    let registry = Registry::basic(&bin, USER, RIGHT).await;
    let app = app_for(registry.plain_http_hosts(), None).await;
    create(&app, input("good", &registry.host, RIGHT, true))
        .await
        .unwrap();
    create(&app, input("bad", &registry.host, WRONG, false))
        .await
        .unwrap();
    let image = format!("{}/acme/app:1", registry.host);
    make_pod(&app, "with-good", &image, "good").await;
    make_pod(&app, "with-bad", &image, "bad").await;
    let diagnose = |name: &'static str| {
        let args = serde_json::json!({"namespace": NAMESPACE, "name": name});
        let app = &app;
        async move {
            call::<_, Diagnosis>(app, "diagnose_pod", &args)
                .await
                .unwrap()
        }
    };
    let before = diagnose("with-bad").await;
    assert_eq!(before.checks[2].verdict, Check::Unknown, "never tested yet");
    test_now(&app, "bad").await.unwrap();
    let bad = diagnose("with-bad").await;
    assert_eq!(
        bad.checks[2].verdict,
        Check::Fail,
        "{:?}",
        bad.checks[2].evidence
    );
    assert!(
        bad.checks[2]
            .evidence
            .iter()
            .any(|e| e.contains("rejected the credential (HTTP 401)")),
        "{:?}",
        bad.checks[2].evidence
    );
    let good = diagnose("with-good").await;
    assert_eq!(
        good.checks[2].verdict,
        Check::Pass,
        "{:?}",
        good.checks[2].evidence
    );
}

#[tokio::test]
async fn with_an_image_the_token_is_asked_for_its_pull_scope() {
    let Some(bin) = docker_registry() else { return };
    let registry = Registry::token(&bin, USER, RIGHT, None).await;
    let app = app_for(registry.plain_http_hosts(), None).await;
    create(&app, input("scoped", &registry.host, RIGHT, false))
        .await
        .unwrap();
    let image = format!("{}/acme/app:1", registry.host);
    let args = serde_json::json!({"scope": scope(), "name": "scoped", "image": image});
    let checks: Vec<CredentialCheck> = call(&app, "test_registry_credential", &args).await.unwrap();
    assert_eq!(only(&checks), &Verdict::Accepted);
    let issuer = registry.issuer.as_ref().unwrap();
    assert_eq!(
        issuer.last_scope().as_deref(),
        Some("repository:acme/app:pull")
    );
}
