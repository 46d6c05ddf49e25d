//! Workloads, Coverage and "Used by" through the server functions, against
//! the demo seed's pods (failing and running) and pods the tests add.

use kube::api::Api;
use regboard_app::model::registries::Scope;
use regboard_app::model::workloads::{CoverageStatus, FixAction, PullState, Serving};
use regboard_app::AppError;
use regboard_sandbox::RequestMatch;
use serde_json::json;

use crate::authz::post;
use crate::helpers::{spawn_app, PASSWORD};
use crate::registry_helpers::detail;

mod diagnosis;
mod real_registry;
pub(crate) mod support;

use support::*;

#[tokio::test]
async fn each_pod_shows_its_images_hosts_serving_secret_and_state() {
    let app = spawn_app().await;
    let list = workloads(&app, json!({"project": "search"})).await;
    assert_eq!(list.namespaces, ["search-dev", "search-prod"]);
    assert_eq!(list.total, 2);
    assert_eq!(list.hosts, ["ghcr.io"]);

    let running = row(&list, SEARCH_DEV);
    assert_eq!(running.owner.kind, "Deployment");
    assert_eq!(running.owner.name, "search-api");
    assert_eq!(running.state, PullState::Running);
    let c = &running.containers[0];
    assert_eq!(
        c.reference.as_deref(),
        Some("ghcr.io/acme/search-api:2.4.0-rc1")
    );
    assert_eq!(c.host.as_deref(), Some("ghcr.io"));
    assert_eq!(
        c.serving,
        Serving::Secret {
            secret: "legacy-ghcr-pull".into(),
            server: "ghcr.io".into()
        }
    );
    let failing = row(&list, SEARCH_PROD);
    assert_eq!(failing.state, PullState::ImagePullBackOff);
    assert_eq!(failing.containers[0].serving, Serving::Missing);

    let data = workloads(&app, json!({"project": "data"})).await;
    let ingest = &row(&data, INGEST).containers[0];
    assert_eq!(
        ingest.reference.as_deref(),
        Some("docker.io/library/nginx:1.27")
    );
    assert_eq!(ingest.serving, Serving::Public);
}

#[tokio::test]
async fn filters_and_search_narrow_the_rows_and_no_credential_is_sent() {
    let app = spawn_app().await;
    let names = |l: &regboard_app::model::workloads::WorkloadList| {
        l.rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>()
    };
    let failing = workloads(&app, json!({"project": "search", "state": "failing"})).await;
    assert_eq!(names(&failing), [SEARCH_PROD]);
    assert_eq!((failing.matched, failing.total), (1, 2));
    let by_image = json!({"project": "search", "search": "ghcr.io/acme/search-api:2.3.0"});
    assert_eq!(names(&workloads(&app, by_image).await), [SEARCH_PROD]);
    let any_tag = json!({"project": "search", "search": "ghcr.io/acme/search-api"});
    assert_eq!(workloads(&app, any_tag).await.rows.len(), 2);
    let by_host = json!({"project": "payments", "host": "payments.example"});
    assert_eq!(names(&workloads(&app, by_host).await), [CHECKOUT]);
    let sorted = workloads(&app, json!({"project": "search", "sort": "state"})).await;
    assert_eq!(sorted.rows[0].name, SEARCH_PROD);

    // The demo's pull Secret holds the password "not-a-real-password".
    let (status, body) = post(
        &app,
        &app.client,
        "list_workloads",
        &json!({"query": {"namespace": "search-dev"}}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("legacy-ghcr-pull"));
    for secret in [
        "not-a-real-password",
        "ZGVtbzpub3QtYS1yZWFsLXBhc3N3b3Jk",
        "\"demo\"",
    ] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
}

#[tokio::test]
async fn coverage_names_each_host_and_the_exact_fix() {
    let app = spawn_app().await;
    let report = coverage(&app, json!({"project": "search"})).await;
    let at = |ns: &str| report.rows.iter().find(|r| r.namespace == ns).unwrap();
    assert_eq!(
        at("search-dev").status,
        CoverageStatus::Covered {
            secrets: vec!["legacy-ghcr-pull".into()]
        }
    );
    let prod = at("search-prod");
    assert_eq!(
        (prod.host.as_str(), prod.status.clone()),
        ("ghcr.io", CoverageStatus::NotCovered)
    );
    let fix = prod.fix.as_ref().unwrap();
    assert_eq!(fix.sentence, "create a registry for host ghcr.io");
    assert!(fix.allowed, "the admin may create it");
    assert!(
        matches!(&fix.action, Some(FixAction::CreateRegistry { project: Some(p), .. }) if p == "search")
    );

    let payments = coverage(&app, json!({"project": "payments"})).await;
    let checkout = &payments.rows[0];
    assert_eq!(checkout.namespace, "payments-staging");
    assert_eq!(
        checkout.fix.as_ref().unwrap().sentence,
        "create a registry for host registry.payments.example.com"
    );
    let data = coverage(&app, json!({"project": "data"})).await;
    assert_eq!(data.rows[0].status, CoverageStatus::Public);

    // A registry for the host in the namespace, not named by the pod: attach it.
    namespace_registry(&app, "search-prod", "ghcr", "ghcr.io").await;
    let report = coverage(&app, json!({"namespace": "search-prod"})).await;
    let fix = report.rows[0].fix.as_ref().unwrap();
    assert_eq!(
        fix.sentence,
        "attach registry ghcr to ServiceAccount default in namespace search-prod"
    );
    assert!(matches!(&fix.action, Some(FixAction::Attach { account, .. }) if account == "default"));

    // A named registry without the image's host: it needs an entry.
    namespace_registry(&app, "data-pipeline", "hub", "ghcr.io").await;
    make_pod(
        &app,
        "data-pipeline",
        "private-hub",
        "acme/app:v1",
        &["hub"],
    )
    .await;
    backed_off(&app, "data-pipeline", "private-hub").await;
    let report = coverage(&app, json!({"namespace": "data-pipeline"})).await;
    let hub = report
        .rows
        .iter()
        .find(|r| r.uncovered == ["private-hub"])
        .unwrap();
    assert_eq!(hub.host, "docker.io");
    assert_eq!(
        hub.fix.as_ref().unwrap().sentence,
        "registry hub has no entry for host docker.io"
    );
}

#[tokio::test]
async fn a_grant_on_one_namespace_shows_only_that_namespace() {
    let app = spawn_app().await;
    let viewer_id = app.create_user("viewer", false).await;
    let grant = json!({"subject": {"kind": "user", "id": viewer_id}, "role": "viewer",
                       "scope": {"kind": "namespace", "namespace": "search-dev"}});
    let (status, body) = post(&app, &app.client, "create_grant", &grant).await;
    assert_eq!(status, 200, "{body}");
    let viewer = app.login("viewer", PASSWORD).await;

    let project = json!({"query": {"project": "search"}});
    let list: regboard_app::model::workloads::WorkloadList =
        call_as(&app, &viewer, "list_workloads", &project)
            .await
            .unwrap();
    assert_eq!(list.namespaces, ["search-dev"]);
    assert_eq!(list.rows.len(), 1);
    let report: regboard_app::model::workloads::CoverageReport =
        call_as(&app, &viewer, "workload_coverage", &project)
            .await
            .unwrap();
    assert!(report.rows.iter().all(|r| r.namespace == "search-dev"));
    assert!(report
        .rows
        .iter()
        .all(|r| r.fix.as_ref().is_none_or(|f| !f.allowed)));

    for (endpoint, args) in [
        (
            "list_workloads",
            json!({"query": {"namespace": "search-prod"}}),
        ),
        (
            "workload_coverage",
            json!({"query": {"project": "payments"}}),
        ),
        (
            "diagnose_pod",
            json!({"namespace": "search-prod", "name": SEARCH_PROD}),
        ),
    ] {
        let refused: Result<serde_json::Value, AppError> =
            call_as(&app, &viewer, endpoint, &args).await;
        assert!(
            matches!(refused, Err(AppError::NotAllowed(_))),
            "{endpoint}: {refused:?}"
        );
    }
    let own: Result<regboard_app::model::workloads::Diagnosis, AppError> = call_as(
        &app,
        &viewer,
        "diagnose_pod",
        &json!({"namespace": "search-dev", "name": SEARCH_DEV}),
    )
    .await;
    assert!(own.is_ok(), "{own:?}");
}

#[tokio::test]
async fn used_by_lists_the_pods_and_accounts_of_covered_namespaces_read_one_by_one() {
    let app = spawn_app().await;
    namespace_registry(&app, "search-prod", "ghcr", "ghcr.io").await;
    make_pod(
        &app,
        "search-prod",
        "uses-ghcr",
        "ghcr.io/acme/search-api:2.3.0",
        &["ghcr"],
    )
    .await;
    // The same name in another namespace is another Secret.
    make_pod(
        &app,
        "search-dev",
        "other-ghcr",
        "ghcr.io/acme/search-api:2.3.0",
        &["ghcr"],
    )
    .await;
    let cluster_wide = app.sandbox.as_ref().unwrap().faults().counter(
        RequestMatch::any()
            .method("GET")
            .path_contains("/api/v1/pods"),
    );

    let scope = Scope::Namespace {
        namespace: "search-prod".into(),
    };
    let d = detail(&app, &scope, "ghcr").await.unwrap();
    let pods: Vec<(&str, &str)> = d
        .references
        .iter()
        .map(|r| (r.kind.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(pods, [("Pod", "uses-ghcr")]);
    let _ = workloads(&app, json!({"project": "search"})).await;
    let _ = coverage(&app, json!({"project": "search"})).await;
    assert_eq!(
        cluster_wide.get(),
        0,
        "no request lists pods across the cluster"
    );

    // A ServiceAccount naming the Secret is listed too.
    let accounts: Api<k8s_openapi::api::core::v1::ServiceAccount> =
        Api::namespaced(app.kube(), "search-prod");
    let patch = json!({"imagePullSecrets": [{"name": "ghcr"}]});
    accounts
        .patch(
            "default",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(&patch),
        )
        .await
        .unwrap();
    // ServiceAccounts come from the inventory's watch: soon, not at once.
    crate::registry_helpers::eventually("the ServiceAccount is listed", || async {
        let d = detail(&app, &scope, "ghcr").await.unwrap();
        d.references
            .iter()
            .any(|r| r.kind == "ServiceAccount" && r.name == "default")
    })
    .await;
}
