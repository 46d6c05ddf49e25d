//! The time of a `/metrics` scrape with 1,000 project registries (about
//! 2,000 copies over the demo's projects), against `/healthz` on the same
//! server in the same run: the HTTP round trip that any scrape costs.
//!
//! Run: `cargo bench -p regboard-server --bench metrics`. Environment:
//! `METRICS_REGISTRIES=N` (1000), `METRICS_SCRAPES=S` scrapes timed per
//! format (50). The server is the one the integration tests start
//! (`startup::start` on a demo sandbox, `--metrics-listen` on port 0); the
//! registries are created through the `create_registry` server function,
//! then the bench waits until the reconciler has synced every copy, so a
//! scrape reads a full status map. A namespace holding foreign Secrets
//! named like a quarter of the payments registries then joins payments, so
//! the per-registry unhealthy series are there too.

use std::time::{Duration, Instant};

use futures::StreamExt;
use regboard_app::domain::attachment::Attachment;
use regboard_app::model::registries::{HostCredential, RegistryInput, Scope};

mod common;
#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

/// The demo's projects and how many namespaces each has.
const PROJECTS: [(&str, usize); 3] = [("payments", 3), ("search", 2), ("data", 1)];

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let registries: usize = env_or("METRICS_REGISTRIES", 1000);
    let scrapes: usize = env_or("METRICS_SCRAPES", 50);
    let app = helpers::spawn_configured(|o| {
        o.metrics.listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let started = Instant::now();
    let copies =
        create_registries(&app, registries).await + join_with_conflicts(&app, registries).await;
    let created = started.elapsed();
    wait_until_reconciled(&app, registries, copies).await;
    println!(
        "{registries} project registries, {copies} copies: created in {:.1} s, reconciled in {:.1} s",
        created.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let metrics = format!("http://{}/metrics", app.metrics_addr.unwrap());
    let floor = timed(scrapes, || get(app.url("/healthz"), "*/*")).await;
    println!(
        "\n{:<24} {:>9} {:>9} {:>9} {:>8} {:>8}",
        "request", "median ms", "p95 ms", "bytes", "series", "x floor"
    );
    row("GET /healthz (floor)", &floor, floor.median);
    for (label, accept) in [
        ("/metrics Prometheus text", "text/plain"),
        ("/metrics OpenMetrics", "application/openmetrics-text"),
    ] {
        let scrape = timed(scrapes, || get(metrics.clone(), accept)).await;
        row(label, &scrape, floor.median);
    }
}

/// Creates `count` project registries `bench-<i>` over [`PROJECTS`] (8 at
/// a time); returns the copies they need.
async fn create_registries(app: &helpers::TestApp, count: usize) -> usize {
    let jobs = (0..count).map(|i| {
        let (project, namespaces) = PROJECTS[i % PROJECTS.len()];
        let name = format!("bench-{i}");
        async move {
            let input = RegistryInput {
                scope: Scope::Project {
                    project: project.into(),
                },
                name,
                credentials: vec![HostCredential::new("ghcr.io", "ci-bot", "bench password")],
                description: String::new(),
                attachment: Attachment::None,
                test_credential: false,
            };
            #[derive(serde::Serialize)]
            struct Args {
                input: RegistryInput,
            }
            common::call(
                &app.client,
                &app.url(""),
                "create_registry",
                &Args { input },
            )
            .await;
            namespaces
        }
    });
    futures::stream::iter(jobs)
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .sum()
}

/// Moves a new namespace into payments that holds a foreign Secret named
/// like every fourth payments registry (each a conflict there); returns the
/// copies the move adds (one per payments registry).
async fn join_with_conflicts(app: &helpers::TestApp, count: usize) -> usize {
    use k8s_openapi::api::core::v1::Namespace;
    let kube = app.kube();
    let ns: Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "bench-joiner"}})).unwrap();
    kube::Api::<Namespace>::all(kube.clone())
        .create(&Default::default(), &ns)
        .await
        .unwrap();
    let payments: Vec<usize> = (0..count).filter(|i| i % PROJECTS.len() == 0).collect();
    for i in payments.iter().filter(|i| *i % 4 == 0) {
        foreign_secret(&kube, "bench-joiner", &format!("bench-{i}")).await;
    }
    let args =
        serde_json::json!({"namespace": "bench-joiner", "project": "payments", "confirm": true});
    common::call(&app.client, &app.url(""), "set_namespace_project", &args).await;
    payments.len()
}

/// A TLS Secret named `name` in `namespace`, not regboard's.
async fn foreign_secret(kube: &kube::Client, namespace: &str, name: &str) {
    use k8s_openapi::api::core::v1::Secret;
    let secret: Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name}, "type": "kubernetes.io/tls",
        "data": {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}
    }))
    .unwrap();
    kube::Api::<Secret>::namespaced(kube.clone(), namespace)
        .create(&Default::default(), &secret)
        .await
        .unwrap();
}

/// Waits until the reconciler's status covers every registry and no copy
/// is pending (3 minutes at most).
async fn wait_until_reconciled(app: &helpers::TestApp, registries: usize, copies: usize) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        app.reconciler.next_pass().await;
        let summaries = app.reconciler.copy_summaries();
        let states: usize = summaries.iter().map(|(_, s)| s.total() as usize).sum();
        let pending: u32 = summaries.iter().map(|(_, s)| s.pending).sum();
        if summaries.len() >= registries && states >= copies && pending == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not reconciled: {} registries, {pending} pending",
            summaries.len()
        );
    }
}

/// Body size and line count of one answer.
struct Answer {
    bytes: usize,
    series: usize,
}

async fn get(url: String, accept: &str) -> Answer {
    let response = reqwest::Client::new()
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let text = response.text().await.unwrap();
    let series = text.lines().filter(|l| !l.starts_with('#')).count();
    Answer {
        bytes: text.len(),
        series,
    }
}

/// The median and 95th percentile of `n` timed runs (after 5 untimed).
struct Timing {
    median: Duration,
    p95: Duration,
    last: Answer,
}

async fn timed<F, Fut>(n: usize, mut request: F) -> Timing
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    for _ in 0..5 {
        request().await;
    }
    let mut times = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n {
        let start = Instant::now();
        last = Some(request().await);
        times.push(start.elapsed());
    }
    times.sort();
    Timing {
        median: times[n / 2],
        p95: times[(n * 95 / 100).min(n - 1)],
        last: last.unwrap(),
    }
}

fn row(label: &str, t: &Timing, floor: Duration) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<24} {:>9.2} {:>9.2} {:>9} {:>8} {:>8.1}",
        ms(t.median),
        ms(t.p95),
        t.last.bytes,
        t.last.series,
        t.median.as_secs_f64() / floor.as_secs_f64()
    );
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
