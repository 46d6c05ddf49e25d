//! A credential per host (issue #13 item 4) and its expiry (item 2): each
//! host of a registry keeps its own login; editing one leaves the others
//! exactly as they were; a "valid until" is stored, shown with how it
//! stands, raised in the header's list and counted nowhere with a secret.

use k8s_openapi::api::core::v1::Secret;
use regboard_app::domain::credential::expiry::Expiry;
use regboard_app::model::registries::{ExpiringHost, HostCredential, Scope};
use regboard_app::AppError;
use serde_json::Value;

use crate::helpers::spawn_app;
use crate::registry_helpers::{call, create, detail, ns_input, secret, update};

const NAMESPACE: &str = "payments-dev";

fn entries(secret: &Secret) -> Value {
    let bytes = &secret.data.as_ref().unwrap()[".dockerconfigjson"].0;
    serde_json::from_slice::<Value>(bytes).unwrap()["auths"].clone()
}

fn scope() -> Scope {
    Scope::Namespace {
        namespace: NAMESPACE.into(),
    }
}

#[tokio::test]
async fn each_host_keeps_its_own_login_and_an_edit_of_one_leaves_the_other_byte_for_byte() {
    let app = spawn_app().await;
    let mut input = ns_input(NAMESPACE, "two-logins", "ghcr-token");
    input.credentials.push(HostCredential {
        email: Some("ops@example.com".into()),
        ..HostCredential::new("quay.io", "quay+robot", "quay-token")
    });
    create(&app, input).await.unwrap();
    let before = entries(&secret(&app, NAMESPACE, "two-logins").await.unwrap());
    assert_eq!(before["ghcr.io"]["username"], "ci-bot");
    assert_eq!(before["ghcr.io"]["password"], "ghcr-token");
    assert_eq!(before["quay.io"]["username"], "quay+robot");
    assert_eq!(before["quay.io"]["password"], "quay-token");
    assert_eq!(before["quay.io"]["email"], "ops@example.com");
    let shown = detail(&app, &scope(), "two-logins").await.unwrap();
    assert_eq!(shown.summary.username, None, "the hosts do not share one");
    let usernames: Vec<_> = shown
        .summary
        .host_details
        .iter()
        .map(|h| (h.host.as_str(), h.username.as_deref()))
        .collect();
    assert_eq!(
        usernames,
        [("ghcr.io", Some("ci-bot")), ("quay.io", Some("quay+robot"))]
    );

    // A new token for ghcr.io only; quay.io's row is sent as shown (no password).
    let mut edit = ns_input(NAMESPACE, "two-logins", "new-ghcr-token");
    edit.credentials.push(HostCredential {
        email: Some("ops@example.com".into()),
        ..HostCredential::new("quay.io", "quay+robot", "")
    });
    update(&app, edit).await.unwrap();
    let after = entries(&secret(&app, NAMESPACE, "two-logins").await.unwrap());
    assert_eq!(after["ghcr.io"]["password"], "new-ghcr-token");
    assert_eq!(
        after["quay.io"], before["quay.io"],
        "untouched, auth included"
    );

    // Removing a row removes that host only.
    let edit = ns_input(NAMESPACE, "two-logins", "");
    update(&app, edit).await.unwrap();
    let last = entries(&secret(&app, NAMESPACE, "two-logins").await.unwrap());
    assert_eq!(last.as_object().unwrap().len(), 1);
    assert_eq!(last["ghcr.io"]["password"], "new-ghcr-token");
}

#[tokio::test]
async fn a_bad_row_is_named_by_its_position_and_nothing_is_written() {
    let app = spawn_app().await;
    let mut input = ns_input(NAMESPACE, "bad-row", "pw");
    input
        .credentials
        .push(HostCredential::new("quay.io", "a:b", "pw"));
    match create(&app, input).await.unwrap_err() {
        AppError::Invalid { field, message } => {
            assert_eq!(field.as_deref(), Some("host-1"));
            assert!(message.starts_with("quay.io: "), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(secret(&app, NAMESPACE, "bad-row").await.is_none());
}

#[tokio::test]
async fn valid_until_is_stored_shown_and_raised_when_it_passes() {
    let app = spawn_app().await;
    let mut input = ns_input(NAMESPACE, "dated", "pw");
    input.credentials[0].valid_until = Some("2000-01-01 00:00".into());
    input.credentials.push(HostCredential {
        valid_until: Some("2999-12-31".into()),
        ..HostCredential::new("quay.io", "q", "pw")
    });
    create(&app, input).await.unwrap();
    let s = secret(&app, NAMESPACE, "dated").await.unwrap();
    let annotation = &s.metadata.annotations.as_ref().unwrap()["regboard.dev/valid-until"];
    assert_eq!(
        serde_json::from_str::<Value>(annotation).unwrap(),
        serde_json::json!({"ghcr.io": "2000-01-01T00:00:00Z", "quay.io": "2999-12-31T23:59:59Z"})
    );
    let shown = detail(&app, &scope(), "dated").await.unwrap();
    let ghcr = &shown.summary.host_details[0];
    assert!(
        matches!(ghcr.expiry, Some(Expiry::Expired { .. })),
        "{ghcr:?}"
    );
    assert!(matches!(
        shown.summary.host_details[1].expiry,
        Some(Expiry::Valid { .. })
    ));
    assert!(shown.summary.worst_expiry().unwrap().is_expired());
    let expiring: Vec<ExpiringHost> = call(&app, "expiring_credentials", &serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(expiring.len(), 1, "{expiring:?}");
    assert_eq!(
        (expiring[0].name.as_str(), expiring[0].host.as_str()),
        ("dated", "ghcr.io")
    );

    // Cleared on edit: no date, no warning.
    let mut edit = ns_input(NAMESPACE, "dated", "");
    edit.credentials
        .push(HostCredential::new("quay.io", "q", ""));
    update(&app, edit).await.unwrap();
    let s = secret(&app, NAMESPACE, "dated").await.unwrap();
    assert!(!s
        .metadata
        .annotations
        .unwrap()
        .contains_key("regboard.dev/valid-until"));
    let expiring: Vec<ExpiringHost> = call(&app, "expiring_credentials", &serde_json::json!({}))
        .await
        .unwrap();
    assert!(expiring.is_empty());
}

#[tokio::test]
async fn an_ecr_token_is_valid_for_twelve_hours_from_its_save() {
    let app = spawn_app().await;
    let mut input = ns_input(NAMESPACE, "ecr", "ecr-token");
    input.credentials[0].host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com".into();
    input.credentials[0].username = "AWS".into();
    let saved_at = chrono::Utc::now().timestamp();
    create(&app, input).await.unwrap();
    let shown = detail(&app, &scope(), "ecr").await.unwrap();
    let until = shown.summary.host_details[0].valid_until.unwrap();
    let twelve_hours = 12 * 3600;
    assert!(
        (saved_at + twelve_hours - 5..=saved_at + twelve_hours + 60).contains(&until),
        "valid until {until}, saved at {saved_at}"
    );
    // Within the default one-day warning.
    assert!(matches!(
        shown.summary.host_details[0].expiry,
        Some(Expiry::Soon { within: 86_400, .. })
    ));
}
