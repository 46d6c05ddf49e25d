//! Rotating a registry's credential (issue 13, item 3) and the preview of
//! registry changes (item 8): a project registry rotated over its
//! namespaces (every copy carries the new credential, the other host is
//! untouched, one audit row with two different fingerprints and no
//! password), a new credential the real registry rejects (nothing written
//! until "rotate anyway"), a namespace whose write fails (reported as
//! failed), and the rotation's preview compared with what it then did.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;
use regboard_app::model::changes::{
    CopyProgress, RegistryChange, RotationInput, RotationReport, SecretAction,
};
use regboard_app::model::registries::{HostCredential, RegistryInput, Scope};
use regboard_app::AppError;
use regboard_sandbox::RequestMatch;
use serde::Serialize;

use crate::helpers::{spawn_app, spawn_configured, TestApp};
use crate::previews::{actions, preview};
use crate::registry_harness::{docker_registry, Registry};
use crate::registry_helpers::{all_synced, call, create, ns_input, project_input, secret};

const PAYMENTS: [&str; 3] = ["payments-dev", "payments-prod", "payments-staging"];
const OLD: &str = "old-Pa55-of-ghcr";
const NEW: &str = "new-Pa55-of-ghcr";
const QUAY: &str = "quay-Pa55-kept";

fn payments() -> Scope {
    Scope::Project {
        project: "payments".into(),
    }
}

/// A payments registry with two hosts, each its own login.
fn two_hosts(name: &str) -> RegistryInput {
    RegistryInput {
        credentials: vec![
            HostCredential::new("ghcr.io", "ci-bot", OLD),
            HostCredential::new("quay.io", "quay-bot", QUAY),
        ],
        ..project_input("payments", name, OLD)
    }
}

fn rotation(scope: Scope, name: &str, host: Option<&str>, password: &str) -> RotationInput {
    RotationInput {
        scope,
        name: name.into(),
        host: host.map(str::to_owned),
        username: None,
        password: Password::new(password),
        valid_until: None,
        // ghcr.io is not reachable from the tests; the real registry below is.
        test_credential: false,
    }
}

/// `rotate_registry_credential`.
pub async fn rotate(app: &TestApp, input: RotationInput) -> Result<RotationReport, AppError> {
    #[derive(Serialize)]
    struct Args {
        input: RotationInput,
    }
    call(app, "rotate_registry_credential", &Args { input }).await
}

fn config_of(secret: &Secret) -> DockerConfig {
    let bytes = &secret.data.as_ref().unwrap()[".dockerconfigjson"].0;
    DockerConfig::parse_dockerconfigjson(bytes).unwrap()
}

/// The details of the `registry.rotate` rows, oldest first.
async fn rotate_rows(app: &TestApp) -> Vec<(String, serde_json::Value)> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT outcome, details FROM audit_events WHERE action = 'registry.rotate' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(o, d)| (o, serde_json::from_str(&d).unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_one_host_reaches_every_copy_leaves_the_other_host_and_is_audited_once() {
    let app = spawn_app().await;
    create(&app, two_hosts("hub")).await.unwrap();
    all_synced(&app, &payments(), "hub").await;
    let before = config_of(&secret(&app, "payments-dev", "hub").await.unwrap());

    let input = rotation(payments(), "hub", Some("ghcr.io"), NEW);
    let planned = preview(&app, RegistryChange::Rotate(input.clone()))
        .await
        .unwrap();
    assert_eq!(planned.hosts, ["ghcr.io"]);
    assert_eq!(
        planned.source.as_ref().unwrap().action,
        SecretAction::Update
    );
    let expected: BTreeMap<String, String> = PAYMENTS
        .iter()
        .map(|n| (n.to_string(), "update".into()))
        .collect();
    assert_eq!(actions(&planned), expected);
    assert!(
        secret(&app, "payments-dev", "hub")
            .await
            .map(|s| config_of(&s))
            == Some(before.clone()),
        "a preview writes nothing"
    );

    let report = rotate(&app, input).await.unwrap();
    assert_eq!(report.hosts, ["ghcr.io"]);
    assert_eq!((report.progress.updated, report.progress.total), (3, 3));
    for ns in PAYMENTS {
        let config = config_of(&secret(&app, ns, "hub").await.unwrap());
        let (user, pw) = config.username_password("ghcr.io").unwrap();
        assert_eq!((user.as_str(), pw.expose()), ("ci-bot", NEW), "{ns}");
        assert_eq!(
            config.auths["quay.io"], before.auths["quay.io"],
            "{ns}: quay.io untouched"
        );
    }

    let rows = rotate_rows(&app).await;
    assert_eq!(rows.len(), 1, "one rotation, one row: {rows:?}");
    let (outcome, details) = &rows[0];
    assert_eq!(outcome, "success");
    let fp = &details["hosts"]["ghcr.io"]["fingerprint"];
    let (old_fp, new_fp) = (
        fp["before"].as_str().unwrap(),
        fp["after"].as_str().unwrap(),
    );
    assert!(old_fp.starts_with("hmac-sha256:") && new_fp.starts_with("hmac-sha256:"));
    assert_ne!(old_fp, new_fp);
    assert!(details["hosts"].get("quay.io").is_none());
    assert_eq!(details["namespaces"]["updated"], 3);
    let text = details.to_string();
    for secret in [OLD, NEW, QUAY, "Y2ktYm90"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_whose_write_fails_is_reported_as_failed() {
    let app = spawn_app().await;
    create(&app, project_input("payments", "guarded", OLD))
        .await
        .unwrap();
    all_synced(&app, &payments(), "guarded").await;
    let faults = app.sandbox.as_ref().unwrap().faults();
    let puts = RequestMatch::any()
        .method("PUT")
        .resource("secrets")
        .path_contains("/namespaces/payments-prod/");
    faults.fail_fraction(puts, 1.0, 1, 403);

    let report = rotate(&app, rotation(payments(), "guarded", None, NEW))
        .await
        .unwrap();
    let failed = report.progress.failed();
    assert_eq!(failed.len(), 1, "{:?}", report.progress);
    assert_eq!(failed[0].0, "payments-prod");
    assert!(!failed[0].1.is_empty());
    assert_eq!((report.progress.updated, report.progress.total), (2, 3));
    let prod = config_of(&secret(&app, "payments-prod", "guarded").await.unwrap());
    assert_eq!(prod.username_password("ghcr.io").unwrap().1.expose(), OLD);
    let rows = rotate_rows(&app).await;
    assert_eq!(
        rows[0].1["namespaces"]["failed"],
        serde_json::json!(["payments-prod"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_credential_the_registry_rejects_stops_with_nothing_written() {
    let Some(binary) = docker_registry() else {
        return;
    };
    let registry = Registry::basic(&binary, "puller", "right-Pa55").await;
    let plain = registry.plain_http_hosts();
    let app = spawn_configured(|o| o.credential_check.plain_http = plain).await;
    let input = RegistryInput {
        credentials: vec![HostCredential::new(&registry.host, "puller", "right-Pa55")],
        ..ns_input("payments-dev", "own", "right-Pa55")
    };
    create(&app, input).await.unwrap();
    let scope = Scope::Namespace {
        namespace: "payments-dev".into(),
    };
    let before = secret(&app, "payments-dev", "own").await.unwrap();

    let mut wrong = rotation(scope.clone(), "own", None, "wrong-Pa55");
    wrong.test_credential = true;
    for refused in [
        preview(&app, RegistryChange::Rotate(wrong.clone()))
            .await
            .unwrap_err(),
        rotate(&app, wrong.clone()).await.unwrap_err(),
    ] {
        match refused {
            AppError::Invalid { field, message } => {
                assert_eq!(field.as_deref(), Some("credential"));
                assert!(
                    message.contains("rejected the credential (HTTP 401)"),
                    "{message}"
                );
                assert!(!message.contains("wrong-Pa55"));
            }
            other => panic!("not refused as a credential: {other:?}"),
        }
    }
    let after = secret(&app, "payments-dev", "own").await.unwrap();
    assert_eq!(after.data, before.data, "nothing written");
    assert_eq!(
        after.metadata.resource_version,
        before.metadata.resource_version
    );
    assert_eq!(rotate_rows(&app).await[0].0, "invalid");

    // The right one is accepted and written; "rotate anyway" writes a wrong one.
    let mut right = rotation(scope.clone(), "own", None, "right-Pa55");
    right.test_credential = true;
    let report = rotate(&app, right).await.unwrap();
    assert_eq!(report.tested.len(), 1, "{:?}", report.tested);
    wrong.test_credential = false;
    rotate(&app, wrong).await.expect("rotate anyway");
    let config = config_of(&secret(&app, "payments-dev", "own").await.unwrap());
    assert_eq!(
        config.username_password(&registry.host).unwrap().1.expose(),
        "wrong-Pa55"
    );
}

#[tokio::test]
async fn progress_counts_the_namespaces_carrying_the_current_credential() {
    let app = spawn_app().await;
    create(&app, project_input("payments", "counted", OLD))
        .await
        .unwrap();
    all_synced(&app, &payments(), "counted").await;
    #[derive(Serialize)]
    struct Args {
        scope: Scope,
        name: &'static str,
    }
    let progress: regboard_app::model::changes::RotationProgress = call(
        &app,
        "rotation_progress",
        &Args {
            scope: payments(),
            name: "counted",
        },
    )
    .await
    .unwrap();
    assert_eq!((progress.updated, progress.total), (3, 3));
    assert!(progress
        .namespaces
        .iter()
        .all(|n| n.state == CopyProgress::Updated));
    assert!(!progress.revision.is_empty());
}

/// Each host's "valid until" as the detail page shows it.
async fn valid_untils(app: &TestApp, scope: &Scope, name: &str) -> BTreeMap<String, Option<i64>> {
    let shown = crate::registry_helpers::detail(app, scope, name)
        .await
        .unwrap();
    let hosts = shown.summary.host_details.into_iter();
    hosts.map(|h| (h.host, h.valid_until)).collect()
}

#[tokio::test]
async fn a_rotation_restarts_an_ecr_token_sets_a_typed_date_and_drops_the_old_one() {
    let app = spawn_app().await;
    const ECR: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    let scope = Scope::Namespace {
        namespace: "payments-dev".into(),
    };
    let mut input = ns_input("payments-dev", "aged", OLD);
    input.credentials = vec![
        HostCredential::new(ECR, "AWS", OLD),
        HostCredential::new("ghcr.io", "ci-bot", OLD),
    ];
    input.credentials[0].valid_until = Some("2030-01-01".into());
    input.credentials[1].valid_until = Some("2030-01-01".into());
    create(&app, input).await.unwrap();

    let rotated_at = chrono::Utc::now().timestamp();
    rotate(&app, rotation(scope.clone(), "aged", Some(ECR), NEW))
        .await
        .unwrap();
    let until = valid_untils(&app, &scope, "aged").await;
    let ecr = until[ECR].unwrap();
    assert!(
        (rotated_at + 12 * 3600 - 5..=rotated_at + 12 * 3600 + 60).contains(&ecr),
        "ECR valid until {ecr}, rotated at {rotated_at}"
    );
    let untouched = regboard_app::domain::credential::expiry::parse_valid_until("2030-01-01");
    assert_eq!(
        until["ghcr.io"],
        untouched.ok(),
        "the other host keeps its date"
    );

    let mut typed = rotation(scope.clone(), "aged", Some("ghcr.io"), NEW);
    typed.valid_until = Some("2031-06-30 12:00".into());
    rotate(&app, typed).await.unwrap();
    let until = valid_untils(&app, &scope, "aged").await;
    let expected = regboard_app::domain::credential::expiry::parse_valid_until("2031-06-30 12:00");
    assert_eq!(until["ghcr.io"], expected.ok());

    rotate(&app, rotation(scope.clone(), "aged", Some("ghcr.io"), OLD))
        .await
        .unwrap();
    let until = valid_untils(&app, &scope, "aged").await;
    assert_eq!(
        until["ghcr.io"], None,
        "the old credential's date is dropped"
    );

    let mut bad = rotation(scope.clone(), "aged", Some("ghcr.io"), NEW);
    bad.valid_until = Some("next tuesday".into());
    let refused = rotate(&app, bad).await;
    assert!(
        matches!(&refused, Err(AppError::Invalid { field: Some(f), .. }) if f == "valid_until"),
        "{refused:?}"
    );
}
