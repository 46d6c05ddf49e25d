//! Credential metrics: test verdicts and expiry counts move with what
//! happens, and never name a registry or host.

use super::{scrape, scrape_as, with_listener};

#[tokio::test]
async fn a_credential_test_moves_its_verdict_count() {
    let app = with_listener().await;
    let before = scrape(&app).await;
    // Nothing listens on that port: the save-time test finds it unreachable,
    // and an unreachable registry does not stop the save.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = closed.local_addr().unwrap().to_string();
    drop(closed);
    let mut input = crate::registry_helpers::ns_input("payments-dev", "metrics-tested", "pw-m");
    input.credentials[0].host = host;
    input.test_credential = true;
    crate::registry_helpers::create(&app, input).await.unwrap();
    let after = scrape(&app).await;
    let moved = |verdict| {
        let labels = [("verdict", verdict)];
        after.sum("regboard_credential_tests_total", &labels)
            - before.sum("regboard_credential_tests_total", &labels)
    };
    assert_eq!(moved("unreachable"), 1.0);
    assert_eq!(moved("accepted"), 0.0);
    assert_eq!(moved("rejected"), 0.0);
    let raw = scrape_as(&app, "text/plain").await.1;
    assert!(!raw.contains("metrics-tested"), "no registry or host label");
}

#[tokio::test]
async fn expired_and_valid_credentials_are_counted_without_naming_them() {
    let app = with_listener().await;
    let mut input = crate::registry_helpers::ns_input("payments-dev", "metrics-dated", "pw-d");
    input.credentials[0].valid_until = Some("2001-02-03".into());
    input
        .credentials
        .push(regboard_app::model::registries::HostCredential {
            valid_until: Some("2999-01-01".into()),
            ..regboard_app::model::registries::HostCredential::new("quay.io", "q", "pw-q")
        });
    crate::registry_helpers::create(&app, input).await.unwrap();
    let samples = scrape(&app).await;
    let count = |state| samples.sum("regboard_credential_expiry_hosts", &[("state", state)]);
    assert_eq!(count("expired"), 1.0);
    assert_eq!(count("valid"), 1.0);
    assert_eq!(count("soon"), 0.0);
    let raw = scrape_as(&app, "text/plain").await.1;
    assert!(
        !raw.contains("metrics-dated") && !raw.contains("quay.io"),
        "no registry or host label"
    );
}
