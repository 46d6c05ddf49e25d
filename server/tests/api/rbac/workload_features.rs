//! The workload features of the table: the Workloads and Coverage pages
//! (pods, Secrets and ServiceAccounts listed per namespace) and a pull
//! diagnosis (the pod by `get`, its Events by `list` with a field selector).

use regboard_app::model::workloads::PullState;
use serde_json::json;

use crate::helpers::TestApp;
use crate::workloads::support::{coverage, diagnose, row, workloads, SEARCH_PROD};

pub(super) async fn workloads_and_coverage(app: &TestApp) {
    let list = workloads(app, json!({"namespace": "search-prod"})).await;
    let pod = row(&list, SEARCH_PROD);
    assert!(
        matches!(
            pod.state,
            PullState::ImagePullBackOff | PullState::ErrImagePull
        ),
        "{pod:?}"
    );
    let report = coverage(app, json!({"namespace": "search-prod"})).await;
    assert!(!report.namespaces.is_empty(), "{report:?}");
}

pub(super) async fn pull_diagnosis(app: &TestApp) {
    let diagnosis = diagnose(app, "search-prod", SEARCH_PROD).await;
    assert!(diagnosis.failing, "{diagnosis:?}");
    assert!(!diagnosis.events.is_empty(), "kubelet's Events are read");
}
