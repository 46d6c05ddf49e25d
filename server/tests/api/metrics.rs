//! `/metrics`: what a Prometheus scrape gets (parsed by the reference
//! parser, PyPI `prometheus_client`), that the numbers move with the
//! actions behind them, and who may read them.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use regboard_server::metrics::{MetricsOptions, MetricsToken};

use crate::helpers::{spawn_configured, TestApp};
use crate::registry_helpers::{
    all_synced, create, detail, eventually, make_foreign_secret, make_namespace, move_namespace,
    project_input,
};

/// The token the protected tests configure.
const TOKEN: &str = "metrics-token-for-tests";

/// An app whose metrics are on a listener of their own.
async fn with_listener() -> TestApp {
    spawn_configured(|o| {
        o.metrics = MetricsOptions {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            token: None,
        }
    })
    .await
}

/// The scrape of the metrics listener, in the format `accept` asks for.
async fn scrape_as(app: &TestApp, accept: &str) -> (String, String) {
    let addr = app.metrics_addr.expect("a metrics listener");
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/metrics"))
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, response.text().await.unwrap())
}

/// The Prometheus text scrape of the metrics listener.
async fn scrape(app: &TestApp) -> Samples {
    Samples::parse(&scrape_as(app, "text/plain").await.1)
}

/// The samples of a Prometheus text scrape: (name, labels, value).
struct Samples(Vec<(String, BTreeMap<String, String>, f64)>);

impl Samples {
    /// Reads `name{k="v",…} value` lines (no escapes in the values here).
    fn parse(text: &str) -> Self {
        let mut samples = Vec::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (series, value) = line.rsplit_once(' ').expect("a value");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').expect("label=value");
                    (k.to_owned(), v.trim_matches('"').to_owned())
                })
                .collect();
            samples.push((name.to_owned(), labels, value.parse().expect("a number")));
        }
        Self(samples)
    }

    /// The sum of the samples named `name` that carry every label of `labels`.
    fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0
            .iter()
            .filter(|(n, l, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(v))
            })
            .map(|(_, _, v)| v)
            .sum()
    }
}

/// Parses `text` with the reference parser (`openmetrics` or `prometheus`
/// text); the families as `{name: type}`, or `None` when Python or
/// prometheus_client is missing outside CI (`./dev test` installs it).
fn reference_parse(format: &str, text: &str) -> Option<BTreeMap<String, String>> {
    const SCRIPT: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families as prometheus
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
parse = openmetrics if sys.argv[1] == "openmetrics" else prometheus
print(json.dumps({f.name: f.type for f in parse(sys.stdin.read())}))
"#;
    let probe = Command::new("python3")
        .args(["-c", "import prometheus_client"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        let why = "python3 with prometheus_client is needed (./dev test installs it)";
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{why}");
        eprintln!("SKIPPED: {why}");
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT, format])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the {format} parser refused the scrape: {stderr}\n{text}"
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// Every family regboard exports, with its type.
const FAMILIES: [(&str, &str); 17] = [
    ("regboard_build_info", "gauge"),
    ("regboard_http_requests", "counter"),
    ("regboard_http_request_duration_seconds", "histogram"),
    ("regboard_reconcile_pass_duration_seconds", "histogram"),
    ("regboard_reconcile_operations", "counter"),
    ("regboard_reconcile_retries", "counter"),
    ("regboard_reconcile_concurrency_limit", "gauge"),
    ("regboard_copies", "gauge"),
    ("regboard_registry_unhealthy_copies", "gauge"),
    ("regboard_registries_source_lost", "gauge"),
    ("regboard_signins", "counter"),
    ("regboard_audit_appends", "counter"),
    ("regboard_audit_append_duration_seconds", "histogram"),
    ("regboard_db_pool_connections", "gauge"),
    ("regboard_db_pool_max_connections", "gauge"),
    ("regboard_credential_tests", "counter"),
    ("regboard_credential_expiry_hosts", "gauge"),
];

#[tokio::test]
async fn the_reference_parser_reads_both_formats_and_finds_every_family() {
    let app = with_listener().await;
    app.get("/registries").await;
    app.reconciler.next_pass().await;
    let (om_type, om) = scrape_as(&app, "application/openmetrics-text;version=1.0.0").await;
    let (text_type, text) = scrape_as(&app, "text/plain;version=0.0.4").await;
    assert!(om_type.starts_with("application/openmetrics-text; version=1.0.0"));
    assert!(text_type.starts_with("text/plain; version=0.0.4"));
    assert!(om.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    for (format, body) in [("openmetrics", &om), ("prometheus", &text)] {
        let Some(families) = reference_parse(format, body) else {
            return;
        };
        for (name, kind) in FAMILIES {
            assert_eq!(
                families.get(name).map(String::as_str),
                Some(kind),
                "{format}: {name} in {families:?}"
            );
        }
        // A new family is listed here (and in the README) or this fails.
        let ours = families.keys().filter(|n| n.starts_with("regboard_"));
        assert_eq!(ours.count(), FAMILIES.len(), "{format}: {families:?}");
    }
}

#[tokio::test]
async fn a_wrong_password_moves_the_failure_count_and_the_sixth_is_throttled() {
    let app = with_listener().await;
    let before = scrape(&app).await;
    for _ in 0..6 {
        app.try_login("ghost-user-qz", "not the password").await;
    }
    let after = scrape(&app).await;
    let moved = |outcome| {
        let labels = [("outcome", outcome)];
        after.sum("regboard_signins_total", &labels) - before.sum("regboard_signins_total", &labels)
    };
    assert_eq!(moved("failure"), 5.0);
    assert_eq!(moved("throttled"), 1.0);
    assert_eq!(moved("success"), 0.0);
    let appended = after.sum("regboard_audit_appends_total", &[("result", "ok")])
        - before.sum("regboard_audit_appends_total", &[("result", "ok")]);
    assert!(appended >= 6.0, "each refusal is audited: {appended}");
    let timed = after.sum("regboard_audit_append_duration_seconds_count", &[])
        - before.sum("regboard_audit_append_duration_seconds_count", &[]);
    assert_eq!(timed, appended, "every append is timed");
    let raw = scrape_as(&app, "text/plain").await.1;
    assert!(!raw.contains("ghost-user-qz"), "no user name in a label");
    assert!(!raw.contains("not the password"));
}

#[tokio::test]
async fn a_project_registry_moves_operations_copies_and_unhealthy_copies() {
    let app = with_listener().await;
    app.reconciler.next_pass().await;
    let before = scrape(&app).await;
    let scope = create(&app, project_input("payments", "metrics-hub", "pw-1"))
        .await
        .unwrap()
        .scope;
    let copies = all_synced(&app, &scope, "metrics-hub")
        .await
        .namespaces
        .len() as f64;
    app.reconciler.next_pass().await;
    let after = scrape(&app).await;
    let moved =
        |name: &str, labels: &[(&str, &str)]| after.sum(name, labels) - before.sum(name, labels);
    assert!(copies >= 2.0, "payments has namespaces: {copies}");
    let created = [("outcome", "created")];
    assert_eq!(
        moved("regboard_reconcile_operations_total", &created),
        copies
    );
    assert_eq!(moved("regboard_copies", &[("state", "synced")]), copies);
    assert!(moved("regboard_reconcile_pass_duration_seconds_count", &[]) >= 1.0);

    make_namespace(&app, "metrics-joiner", None).await;
    make_foreign_secret(&app, "metrics-joiner", "metrics-hub", "kubernetes.io/tls").await;
    move_namespace(&app, "metrics-joiner", Some("payments")).await;
    let labels = [
        ("project", "payments"),
        ("registry", "metrics-hub"),
        ("state", "conflict"),
    ];
    eventually("the conflict is counted", || async {
        scrape(&app)
            .await
            .sum("regboard_registry_unhealthy_copies", &labels)
            == 1.0
    })
    .await;
    let d = detail(&app, &scope, "metrics-hub").await.unwrap();
    assert_eq!(
        d.summary.sync.conflict, 1,
        "the page shows the same conflict"
    );
    assert_eq!(
        scrape(&app)
            .await
            .sum("regboard_copies", &[("state", "conflict")]),
        1.0
    );
}

#[tokio::test]
async fn a_request_moves_its_route_pattern_never_its_path() {
    let app = with_listener().await;
    let healthz = [("method", "GET"), ("route", "/healthz"), ("status", "200")];
    let before = scrape(&app)
        .await
        .sum("regboard_http_requests_total", &healthz);
    app.get("/healthz").await;
    app.get("/healthz").await;
    app.get("/no-such-page-qz").await;
    let after = scrape(&app).await;
    assert_eq!(
        after.sum("regboard_http_requests_total", &healthz) - before,
        2.0
    );
    let routed = [("route", "/healthz"), ("method", "GET")];
    assert!(after.sum("regboard_http_request_duration_seconds_count", &routed) >= 2.0);
    assert!(after.sum("regboard_http_requests_total", &[("route", "fallback")]) >= 1.0);
    let raw = scrape_as(&app, "text/plain").await.1;
    assert!(
        !raw.contains("no-such-page-qz"),
        "an unknown path is `fallback`"
    );
    assert!(after.sum("regboard_db_pool_max_connections", &[]) >= 1.0);
}

#[tokio::test]
async fn on_the_main_listener_only_the_bearer_of_the_token_reads_metrics() {
    let app = spawn_configured(|o| o.metrics.token = MetricsToken::new(TOKEN)).await;
    let url = app.url("/metrics");
    let anonymous = app.anonymous.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let session = app.client.get(&url).send().await.unwrap();
    assert_eq!(session.status(), 401, "an admin's session is not the token");
    let wrong = app
        .anonymous
        .get(&url)
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = app
        .anonymous
        .get(&url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    let text = right.text().await.unwrap();
    assert!(
        text.contains("regboard_signins_total{outcome=\"success\"} 1"),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
}

#[tokio::test]
async fn without_a_token_the_main_listener_serves_no_metrics() {
    let app = with_listener().await;
    let (status, _) = app.get("/metrics").await;
    assert_eq!(status, 404, "not on the main listener, even for an admin");
    let addr = app.metrics_addr.unwrap();
    let other = reqwest::get(format!("http://{addr}/registries"))
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        404,
        "the metrics listener serves nothing else"
    );
}

#[tokio::test]
async fn the_binary_serves_metrics_where_its_flags_say() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, kubeconfig, db) = crate::process::demo_cluster(dir.path()).await;
    let token_file = dir.path().join("metrics-token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let flags = ["--metrics-listen", &listen, "--metrics-token-file"];
    let mut extra: Vec<&str> = flags.to_vec();
    extra.push(token_file.to_str().unwrap());
    let server = crate::process::Regboard::start(&kubeconfig, &db, &extra);
    let client = reqwest::Client::new();
    let own = client
        .get(format!("http://{listen}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert!(own.text().await.unwrap().contains("regboard_build_info"));
    let main = format!("{}/metrics", server.url);
    assert_eq!(client.get(&main).send().await.unwrap().status(), 401);
    let with_token = client.get(&main).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(with_token.status(), 200);
    let log = server.stop();
    assert!(
        log.contains(&format!("metrics at http://{listen}/metrics")),
        "{log}"
    );
    assert!(!log.contains(TOKEN), "the token is never logged");
}

#[path = "metrics_credentials.rs"]
mod credentials;
