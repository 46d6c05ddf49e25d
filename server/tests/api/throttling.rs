//! The fan-out against an API server that throttles like API Priority and
//! Fairness (429 with Retry-After beyond N requests in flight from one
//! client): regboard's pace shrinks to what the server admits, waits out
//! each Retry-After, and converges with no error shown, its retries counted.

use std::time::Duration;

use regboard_app::model::registries::SyncState;
use regboard_server::metrics::MetricsOptions;

use crate::helpers::{spawn_configured, TestApp};
use crate::registry_helpers::*;

/// Namespaces the registry fans out to (beyond the demo's three).
const NAMESPACES: usize = 60;
/// Requests in flight the sandbox admits from regboard (below the pace's start).
const ADMITTED: usize = 8;

/// The value of `regboard_reconcile_retries_total{reason="…"}` on a scrape.
async fn retries(app: &TestApp, reason: &str) -> f64 {
    let addr = app.metrics_addr.expect("a metrics listener");
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!("regboard_reconcile_retries_total{{reason=\"{reason}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(series.as_str()))
        .unwrap_or_else(|| panic!("no {series} in the scrape"))
        .trim()
        .parse()
        .unwrap()
}

/// `registry.sync` rows of `name` that name an error, and every outcome of
/// the registry's own rows other than success.
async fn audited_errors(app: &TestApp, name: &str) -> (i64, Vec<String>) {
    let errors = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'registry.sync' AND target_name = ? \
         AND json_array_length(details, '$.errors') > 0",
    )
    .bind(name)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let outcomes = sqlx::query_scalar(
        "SELECT action || ' ' || outcome FROM audit_events WHERE target_name = ? \
         AND outcome <> 'success'",
    )
    .bind(name)
    .fetch_all(&app.db)
    .await
    .unwrap();
    (errors, outcomes)
}

#[tokio::test]
async fn a_fan_out_under_apf_throttling_converges_with_no_error_and_counted_retries() {
    let app = spawn_configured(|o| {
        o.metrics = MetricsOptions {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            token: None,
        }
    })
    .await;
    for i in 0..NAMESPACES {
        let ns = format!("fleet-{i:02}");
        make_namespace(&app, &ns, None).await;
        move_namespace(&app, &ns, Some("payments")).await;
    }
    app.reconciler.next_pass().await;
    let faults = app.sandbox.as_ref().unwrap().faults();
    // Each request stays in flight a little, so the pace's first wave of
    // 16 meets the cap of 8.
    faults.set_latency(Duration::from_millis(5));
    faults.throttle_in_flight(ADMITTED, 1);

    let scope = create(&app, project_input("payments", "fleet", "pw"))
        .await
        .expect("the source write is admitted")
        .scope;
    eventually("every namespace has its copy", || async {
        app.reconciler
            .status_of("payments", "fleet")
            .is_some_and(|s| {
                s.len() == NAMESPACES + 3 && s.values().all(|st| *st == SyncState::Synced)
            })
    })
    .await;

    assert!(faults.throttled() > 0, "the sandbox refused some writes");
    assert!(
        retries(&app, "throttled").await >= 1.0,
        "each refused write was made again and counted"
    );
    let d = detail(&app, &scope, "fleet").await.unwrap();
    let shown: Vec<_> = d
        .namespaces
        .iter()
        .filter(|n| n.state != SyncState::Synced)
        .collect();
    assert!(shown.is_empty(), "nothing but synced is shown: {shown:?}");
    assert_eq!(d.summary.sync.synced as usize, NAMESPACES + 3);
    for i in [0, NAMESPACES - 1] {
        let ns = format!("fleet-{i:02}");
        assert!(secret(&app, &ns, "fleet").await.is_some(), "{ns}");
    }
    let (errors, outcomes) = audited_errors(&app, "fleet").await;
    assert_eq!(errors, 0, "no pass recorded an error");
    assert!(outcomes.is_empty(), "{outcomes:?}");
}
