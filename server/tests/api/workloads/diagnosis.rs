//! The pull diagnosis for each cause of a failed pull: a missing named
//! Secret (and one that exists elsewhere), an Opaque Secret, an image that
//! names another host, a public image, an unreachable and a reachable registry.

use regboard_app::model::workloads::{Check, FixAction, Verdict};
use serde_json::json;

use super::support::*;
use crate::helpers::spawn_app;

use Verdict::{Fail, Pass, Unknown};

fn verdicts(checks: &[Check]) -> Vec<Verdict> {
    checks.iter().map(|c| c.verdict).collect()
}

fn says(check: &Check, text: &str) -> bool {
    check.evidence.iter().any(|e| e.contains(text))
}

#[tokio::test]
async fn a_missing_named_secret_fails_check_one_with_kubelets_event_and_where_it_exists() {
    let app = spawn_app().await;
    let d = diagnose(&app, "payments-staging", CHECKOUT).await;
    assert!(d.failing);
    assert_eq!(d.project.as_deref(), Some("payments"));
    assert_eq!(d.checks.len(), 5);
    assert_eq!(verdicts(&d.checks)[..4], [Fail, Unknown, Unknown, Unknown]);
    let one = &d.checks[0];
    assert!(says(
        one,
        "Secret payments-registry does not exist in namespace payments-staging"
    ));
    assert!(says(one, "kubelet (FailedToRetrieveImagePullSecret): Unable to retrieve some image pull secrets (payments-registry)"));
    assert_eq!(
        one.fix.as_ref().unwrap().sentence,
        "create a registry named payments-registry for host registry.payments.example.com"
    );
    assert!(says(
        &d.checks[2],
        "No credential test of this login is recorded"
    ));
    assert!(d.events.iter().any(|e| e.reason == "BackOff"));

    // The same name in another namespace of the project: say where, offer project scope.
    make_secret(
        &app,
        "payments-dev",
        "payments-registry",
        "kubernetes.io/dockerconfigjson",
        docker_config("registry.payments.example.com"),
    )
    .await;
    eventually_elsewhere(&app).await;
    let d = diagnosis_now(&app).await;
    let one = &d.checks[0];
    assert!(says(
        one,
        "A Secret named payments-registry exists in namespace payments-dev"
    ));
    let fix = one.fix.as_ref().unwrap();
    assert!(
        fix.sentence
            .contains("create registry payments-registry for project payments"),
        "{}",
        fix.sentence
    );
    assert!(fix.allowed);
    assert!(
        matches!(&fix.action, Some(FixAction::CreateRegistry { project: Some(p), name: Some(n), .. }) if p == "payments" && n == "payments-registry")
    );
}

async fn diagnosis_now(app: &crate::helpers::TestApp) -> regboard_app::model::workloads::Diagnosis {
    diagnose(app, "payments-staging", CHECKOUT).await
}

/// The Secret-name inventory (a watch) shows the new Secret shortly.
async fn eventually_elsewhere(app: &crate::helpers::TestApp) {
    crate::registry_helpers::eventually("the Secret in payments-dev is seen", || async {
        diagnosis_now(app).await.checks[0].evidence.len() > 1
    })
    .await;
}

#[tokio::test]
async fn an_opaque_secret_fails_check_two() {
    let app = spawn_app().await;
    make_secret(
        &app,
        "sandbox-scratch",
        "opaque-pull",
        "Opaque",
        docker_config("ghcr.io"),
    )
    .await;
    make_pod(
        &app,
        "sandbox-scratch",
        "opaque-user",
        "ghcr.io/acme/api:1",
        &["opaque-pull"],
    )
    .await;
    backed_off(&app, "sandbox-scratch", "opaque-user").await;
    let d = diagnose(&app, "sandbox-scratch", "opaque-user").await;
    assert_eq!(verdicts(&d.checks)[..2], [Pass, Fail]);
    assert!(says(&d.checks[1], "Secret opaque-pull is of type Opaque"));
    assert!(d.checks[1]
        .fix
        .as_ref()
        .unwrap()
        .sentence
        .starts_with("replace Secret opaque-pull (type Opaque) with a pull Secret"));
}

#[tokio::test]
async fn an_image_without_its_host_means_docker_hub_and_fails_check_four() {
    let app = spawn_app().await;
    make_pod(
        &app,
        "search-dev",
        "bare-name",
        "acme/search-api:2.4.0",
        &["legacy-ghcr-pull"],
    )
    .await;
    backed_off(&app, "search-dev", "bare-name").await;
    let d = diagnose(&app, "search-dev", "bare-name").await;
    assert_eq!(verdicts(&d.checks)[..4], [Pass, Pass, Unknown, Fail]);
    let four = &d.checks[3];
    assert!(says(
        four,
        "acme/search-api:2.4.0 means docker.io/acme/search-api:2.4.0 (Docker Hub)"
    ));
    assert!(says(
        four,
        "entries only for ghcr.io (Secret legacy-ghcr-pull)"
    ));
    assert_eq!(
        four.fix.as_ref().unwrap().sentence,
        "the image names Docker Hub; if it is on ghcr.io, write its full name, e.g. ghcr.io/acme/search-api:2.4.0"
    );
}

#[tokio::test]
async fn a_public_image_needs_no_secret() {
    let app = spawn_app().await;
    let d = diagnose(&app, "data-pipeline", INGEST).await;
    assert!(!d.failing);
    assert_eq!(verdicts(&d.checks)[..4], [Pass, Pass, Unknown, Pass]);
    assert!(says(
        &d.checks[3],
        "an official Docker Hub image, which pulls without a login"
    ));
}

#[tokio::test]
async fn the_reach_check_tells_an_unreachable_registry_from_one_that_asks_for_a_login() {
    let app = spawn_app().await;
    let closed = format!("127.0.0.1:{}/acme/app:1", closed_port());
    make_pod(&app, "sandbox-scratch", "unreachable", &closed, &[]).await;
    let registry = fake_registry().await;
    make_pod(
        &app,
        "sandbox-scratch",
        "reachable",
        &format!("{registry}/acme/app:1"),
        &[],
    )
    .await;
    backed_off(&app, "sandbox-scratch", "unreachable").await;
    backed_off(&app, "sandbox-scratch", "reachable").await;

    let five = diagnose(&app, "sandbox-scratch", "unreachable")
        .await
        .checks[4]
        .clone();
    assert_eq!(five.verdict, Fail, "{:?}", five.evidence);
    assert!(
        five.evidence[0].to_lowercase().contains("refused"),
        "{:?}",
        five.evidence
    );
    assert!(says(&five, "nodes may reach the registry differently"));
    assert!(five.fix.is_some());

    let d = diagnose(&app, "sandbox-scratch", "reachable").await;
    let five = &d.checks[4];
    assert_eq!(five.verdict, Pass, "{:?}", five.evidence);
    assert!(says(
        five,
        &format!("GET http://{registry}/v2/ answered 401")
    ));
    // No Secret at all for a private host: check 4 gives the coverage fix.
    assert_eq!(
        d.checks[3].fix.as_ref().unwrap().sentence,
        format!("create a registry for host {registry}")
    );
    assert_eq!(json!(d.checks[3].verdict), json!("fail"));
}
