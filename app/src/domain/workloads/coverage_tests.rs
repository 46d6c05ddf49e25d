//! Coverage rows and the fix each "not covered" row gives.

use super::*;
use crate::domain::scope::Scope;
use crate::domain::workloads::fix::FixAction;
use crate::domain::workloads::rows::tests::{pod, pull_secret};
use crate::domain::workloads::{AccountFacts, PullState, RegistryRef};

fn ns(pods: Vec<PodFacts>, secrets: Vec<super::super::SecretFacts>) -> NamespaceFacts {
    NamespaceFacts {
        namespace: "shop".into(),
        project: Some("retail".into()),
        pods,
        secrets,
        accounts: vec![AccountFacts {
            name: "default".into(),
            pull_secrets: vec![],
        }],
    }
}

fn registry(name: &str, servers: &[&str]) -> super::super::SecretFacts {
    let mut s = pull_secret(name, servers);
    s.registry = Some(RegistryRef {
        scope: Scope::Project {
            project: "retail".into(),
        },
        name: name.into(),
    });
    s
}

fn sentence(row: &CoverageRow) -> &str {
    &row.fix.as_ref().expect("a fix").sentence
}

#[test]
fn a_host_served_by_the_named_secret_is_covered() {
    let rows = coverage(&ns(
        vec![pod(
            "web",
            &["ghcr.io/acme/web:1"],
            &["ghcr"],
            PullState::Running,
        )],
        vec![pull_secret("ghcr", &["ghcr.io"])],
    ));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].host, "ghcr.io");
    assert_eq!(
        rows[0].status,
        CoverageStatus::Covered {
            secrets: vec!["ghcr".into()]
        }
    );
    assert!(rows[0].fix.is_none());
}

#[test]
fn official_images_are_public_and_pulled_images_pull_without() {
    let rows = coverage(&ns(
        vec![
            pod("web", &["nginx:1.27"], &[], PullState::Running),
            pod("api", &["quay.io/acme/api"], &[], PullState::Running),
        ],
        vec![],
    ));
    assert_eq!(rows[0].host, "docker.io");
    assert_eq!(rows[0].status, CoverageStatus::Public);
    assert_eq!(rows[1].host, "quay.io");
    assert_eq!(rows[1].status, CoverageStatus::PullsWithout);
}

#[test]
fn nothing_for_the_host_means_create_a_registry() {
    let rows = coverage(&ns(
        vec![pod(
            "api",
            &["registry.payments.example.com/payments/checkout:1.4.2"],
            &["payments-registry"],
            PullState::ImagePullBackOff,
        )],
        vec![],
    ));
    let row = &rows[0];
    assert_eq!(row.status, CoverageStatus::NotCovered);
    assert_eq!(row.uncovered, ["api"]);
    assert_eq!(
        sentence(row),
        "create a registry for host registry.payments.example.com"
    );
    assert_eq!(
        row.fix.as_ref().unwrap().action,
        Some(FixAction::CreateRegistry {
            host: "registry.payments.example.com".into(),
            namespace: "shop".into(),
            project: Some("retail".into()),
            name: Some("payments-registry".into()),
        })
    );
}

#[test]
fn a_registry_in_the_namespace_that_no_pod_names_is_attached() {
    let rows = coverage(&ns(
        vec![pod(
            "api",
            &["ghcr.io/acme/api:2"],
            &[],
            PullState::ErrImagePull,
        )],
        vec![registry("ghcr", &["ghcr.io"])],
    ));
    assert_eq!(
        sentence(&rows[0]),
        "attach registry ghcr to ServiceAccount default in namespace shop"
    );
    assert!(matches!(
        &rows[0].fix.as_ref().unwrap().action,
        Some(FixAction::Attach { account, .. }) if account == "default"
    ));
}

#[test]
fn a_foreign_secret_is_added_by_hand_and_a_listed_one_needs_a_restart() {
    let mut facts = ns(
        vec![pod(
            "api",
            &["ghcr.io/acme/api:2"],
            &[],
            PullState::ErrImagePull,
        )],
        vec![pull_secret("hand-made", &["ghcr.io"])],
    );
    assert_eq!(
        sentence(&coverage(&facts)[0]),
        "add Secret hand-made to imagePullSecrets of ServiceAccount default in namespace shop"
    );
    facts.accounts[0].pull_secrets = vec!["hand-made".into()];
    let row = &coverage(&facts)[0];
    assert_eq!(
        sentence(row),
        "restart pod api: ServiceAccount default lists Secret hand-made, but it was created before it did"
    );
    assert_eq!(row.fix.as_ref().unwrap().action, None);
}

#[test]
fn a_named_registry_without_the_host_needs_an_entry() {
    let rows = coverage(&ns(
        vec![pod(
            "api",
            &["app:v1"],
            &["ghcr"],
            PullState::ImagePullBackOff,
        )],
        vec![registry("ghcr", &["ghcr.io"])],
    ));
    assert_eq!(rows[0].host, "docker.io");
    assert_eq!(
        sentence(&rows[0]),
        "registry ghcr has no entry for host docker.io"
    );
    assert!(matches!(
        &rows[0].fix.as_ref().unwrap().action,
        Some(FixAction::EditRegistry { host, .. }) if host == "docker.io"
    ));
}

#[test]
fn some_pods_covered_and_some_not_is_not_covered() {
    let rows = coverage(&ns(
        vec![
            pod("old", &["ghcr.io/a/b"], &[], PullState::ErrImagePull),
            pod("new", &["ghcr.io/a/b"], &["ghcr"], PullState::Running),
        ],
        vec![registry("ghcr", &["ghcr.io"])],
    ));
    assert_eq!(rows[0].pods, ["old", "new"]);
    assert_eq!(rows[0].uncovered, ["old"]);
    assert_eq!(rows[0].status, CoverageStatus::NotCovered);
}
