//! Pages at 50 clients, with `/healthz` of the same server in the same run
//! as the ceiling (issue #15's table), and the time one client waits.
//!
//! Run: `cargo bench -p regboard-server --bench pages` (needs `wrk` on PATH;
//! `./dev bench` installs it). Environment: `PAGES_REGISTRIES=N` namespace
//! registries over 20 namespaces (1000), `PAGES_NAMESPACES=N` namespaces in
//! the cluster for the namespace pages (10000), `PAGES_CONNECTIONS=C` (50),
//! `PAGES_SECONDS=S` per wrk run (10).
//!
//! The server is the one the integration tests start (`startup::start`,
//! release-optimised here, on an in-process sandbox with the demo seed,
//! as `regboard serve --sandbox` runs); wrk is a separate process on the
//! same 2 cores, signed in with the admin's session cookie. The registries
//! are created through `create_registry`, the namespaces straight in the
//! sandbox; each phase waits until regboard's reflectors show them.
//! Columns: requests per second, latency p50 and p99 as wrk reports them,
//! and the share of `/healthz`'s throughput measured in the same phase.
//! Then `1 client ms`: the median of 50 sequential requests by one client.

use std::process::Command;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ObjectMeta, PostParams};
use regboard_app::domain::attachment::Attachment;
use regboard_app::model::registries::{HostCredential, RegistryInput, Scope};

mod common;
#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

/// Namespaces the registries are spread over.
const REGISTRY_NAMESPACES: usize = 20;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let registries: usize = env_or("PAGES_REGISTRIES", 1000);
    let namespaces: usize = env_or("PAGES_NAMESPACES", 10_000);
    let wrk = Wrk {
        connections: env_or("PAGES_CONNECTIONS", 50),
        seconds: env_or("PAGES_SECONDS", 10),
        cookie: String::new(),
    };
    if Command::new("wrk").arg("--version").output().is_err() {
        panic!("wrk is not on PATH (./dev bench installs it: Debian package wrk)");
    }
    let app = helpers::spawn_app().await;
    let (_, cookie, _) = app.try_login(helpers::ADMIN, helpers::PASSWORD).await;
    let wrk = Wrk {
        cookie: cookie.expect("a session cookie"),
        ..wrk
    };
    let started = Instant::now();
    create_registries(&app, registries).await;
    println!(
        "{registries} namespace registries over {REGISTRY_NAMESPACES} namespaces created in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "\n{:<24} {:>9} {:>9} {:>9} {:>8} {:>12}",
        "target", "req/s", "p50 ms", "p99 ms", "share", "1 client ms"
    );
    phase(&app, &wrk, &["/registries", "/api/list_registries"]).await;

    let started = Instant::now();
    let total = create_namespaces(&app, namespaces).await;
    println!(
        "\n{total} namespaces in the cluster ({:.1} s to create and see them)",
        started.elapsed().as_secs_f64()
    );
    phase(&app, &wrk, &["/namespaces", "/api/list_namespaces"]).await;
}

/// `/healthz`, then each target, at `wrk.connections`; one row each.
async fn phase(app: &helpers::TestApp, wrk: &Wrk, targets: &[&str]) {
    let ceiling = wrk.run(app, "/healthz");
    ceiling.print("/healthz", 1.0, single(app, "/healthz").await);
    for target in targets {
        let row = wrk.run(app, target);
        let share = row.rps / ceiling.rps;
        row.print(target, share, single(app, target).await);
    }
}

/// One wrk run's figures.
struct Row {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl Row {
    fn print(&self, target: &str, share: f64, single_ms: f64) {
        println!(
            "{target:<24} {:>9.0} {:>9.2} {:>9.2} {share:>8.3} {single_ms:>12.2}",
            self.rps, self.p50_ms, self.p99_ms
        );
    }
}

struct Wrk {
    connections: usize,
    seconds: u64,
    cookie: String,
}

impl Wrk {
    /// Runs wrk against `target` (a POST with an empty form for `/api/…`,
    /// as the browser calls a server function; a GET otherwise).
    fn run(&self, app: &helpers::TestApp, target: &str) -> Row {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("request.lua");
        let method = if target.starts_with("/api/") {
            "wrk.method = \"POST\"\nwrk.body = \"\"\n\
             wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n"
        } else {
            ""
        };
        std::fs::write(&script, method).unwrap();
        let output = Command::new("wrk")
            .args(["-t", "2", "-c", &self.connections.to_string()])
            .args(["-d", &format!("{}s", self.seconds), "--latency"])
            .args(["-H", &format!("Cookie: {}", self.cookie)])
            .args(["-s", script.to_str().unwrap()])
            .arg(app.url(target))
            .output()
            .expect("wrk runs");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            !text.contains("Non-2xx"),
            "{target} answered errors under load:\n{text}"
        );
        parse_wrk(&text).unwrap_or_else(|| panic!("wrk's output for {target}:\n{text}"))
    }
}

/// Requests/sec and the 50 % and 99 % latencies from `wrk --latency`.
fn parse_wrk(text: &str) -> Option<Row> {
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().last())
    };
    Some(Row {
        rps: field("Requests/sec:")?.parse().ok()?,
        p50_ms: duration_ms(field("50%")?)?,
        p99_ms: duration_ms(field("99%")?)?,
    })
}

/// wrk's `812.00us`, `4.80ms`, `1.22s` in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 1e-3)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60e3)
    } else {
        (text.strip_suffix('s')?, 1e3)
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

/// The median of 50 sequential requests to `target` by one client.
async fn single(app: &helpers::TestApp, target: &str) -> f64 {
    let mut times = Vec::new();
    for _ in 0..50 {
        let request = if target.starts_with("/api/") {
            app.client
                .post(app.url(target))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("")
        } else {
            app.client.get(app.url(target))
        };
        let started = Instant::now();
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "{target}");
        response.bytes().await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Creates `count` namespace registries `bench-<i>` over
/// [`REGISTRY_NAMESPACES`] new namespaces, 8 at a time.
async fn create_registries(app: &helpers::TestApp, count: usize) {
    let api = Api::<Namespace>::all(app.kube());
    for n in 0..REGISTRY_NAMESPACES {
        create_namespace(&api, &format!("bench-reg-{n:02}")).await;
    }
    wait_for_namespaces(app, REGISTRY_NAMESPACES).await;
    let jobs = (0..count).map(|i| async move {
        let input = RegistryInput {
            scope: Scope::Namespace {
                namespace: format!("bench-reg-{:02}", i % REGISTRY_NAMESPACES),
            },
            name: format!("bench-{i}"),
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
    });
    futures::stream::iter(jobs)
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
}

/// Tops the cluster up to `total` namespaces (32 creates at a time) and
/// waits until regboard's namespace list holds them; returns the count.
async fn create_namespaces(app: &helpers::TestApp, total: usize) -> usize {
    let api = Api::<Namespace>::all(app.kube());
    let have = api.list(&Default::default()).await.unwrap().items.len();
    let missing = total.saturating_sub(have);
    futures::stream::iter((0..missing).map(|i| {
        let api = api.clone();
        async move { create_namespace(&api, &format!("bench-ns-{i:05}")).await }
    }))
    .buffer_unordered(32)
    .collect::<Vec<_>>()
    .await;
    wait_for_namespaces(app, have + missing).await
}

async fn create_namespace(api: &Api<Namespace>, name: &str) {
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            ..Default::default()
        },
        ..Default::default()
    };
    api.create(&PostParams::default(), &namespace)
        .await
        .unwrap();
}

/// Waits until `list_namespaces` shows at least `count` namespaces.
async fn wait_for_namespaces(app: &helpers::TestApp, count: usize) -> usize {
    let api = Api::<Namespace>::all(app.kube());
    let want = api
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .len()
        .max(count);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let response = app
            .client
            .post(app.url("/api/list_namespaces"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        let list: serde_json::Value = response.json().await.unwrap();
        let seen = list["rows"].as_array().map_or(0, Vec::len);
        if seen >= want {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "regboard shows {seen} of {want} namespaces"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
