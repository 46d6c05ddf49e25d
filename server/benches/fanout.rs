//! A project registry reaching 500 namespaces on the sandbox — time until
//! every copy is synced — at regboard's default settings (the adaptive
//! pace), against two peers measured in the same run on the same sandbox:
//! the floor (the bench's own kube client making the same 500 creates with
//! the concurrency regboard's pace ended at, as fast as it can) and
//! `kubectl create -f` of the same 500 Secrets from one multi-document file.
//!
//! Run: `cargo bench -p regboard-server --bench fanout`. Environment:
//! `FANOUT_NAMESPACES=N` (500), `FANOUT_RUNS=R` runs per row, medians shown
//! (3), `FANOUT_LATENCIES=0,5` (injected latency per request, ms, one row
//! each), `FANOUT_BOUNDS=min:start:max` (the pace's bounds; default
//! regboard's defaults), `FANOUT_LOG=regboard_server::reconcile=debug` (a
//! tracing filter: pass timings).
//!
//! Fairness. Every side runs on the same sandbox (fresh per run: the
//! namespaces, nothing else) with the same injected latency per request.
//! regboard runs as a server does: on its own runtime, watches primed
//! before the clock starts; the clock covers the source POST (what the
//! registry service does), the reconciler's reaction and every create, and
//! stops when the status reports every namespace synced (each copy answered
//! 201). That runtime is shut down before the peers run, so they never
//! share the CPU with regboard's watches. The floor's clock covers its
//! creates only (bodies built and sealed beforehand, connections opened by
//! the clock's first wave, as regboard's are); kubectl's covers what a user
//! waits for: process start, kubeconfig, discovery (cold cache), 500 serial
//! POSTs.
//!
//! Columns:
//! - `conc`: the pace's limit when regboard finished (the floor runs at it);
//!   `floor@max s`: the floor again at the pace's upper bound;
//! - `rb/floor`: regboard s / floor s (target ≤ 1.3); `kubectl/rb`:
//!   kubectl s / regboard s (target ≥ 20 at 5 ms);
//! - `rtt ms`: one create's round trip as a client sees it (median of 15
//!   serial dry-run POSTs at that latency);
//! - `cpu rb/sb ms`: CPU used during regboard's fan-out by regboard's threads
//!   and by the sandbox's (and the bench's) threads, and `cpu fl ms` during
//!   the floor (all threads): on 2 cores, CPU / 2 bounds any side's time;
//! - `passes`, `reqs`, `429s`: reconcile passes finished, API requests and
//!   throttled answers during regboard's fan-out.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams, PostParams};
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;
use regboard_app::model::registries::SyncState;
use regboard_sandbox::{Faults, RequestMatch, Sandbox, SandboxOptions, Seed};
use regboard_server::attach::Attachments;
use regboard_server::cluster::ownership;
use regboard_server::cluster::proof::OwnershipKey;
use regboard_server::cluster::Inventory;
use regboard_server::membership::Membership;
use regboard_server::reconcile::{Bounds, ReconcileOptions, Reconciler};
use regboard_server::registries::objects::{registry_secret, Contents};

#[path = "fanout/cluster.rs"]
mod cluster;
use cluster::{
    create_namespaces, create_round_trip, floor_create, kubectl_create, kubectl_startup,
    thread_cpu, timed_cpu, which,
};

/// The name regboard's runtime gives its threads, to tell their CPU apart.
const REGBOARD_THREAD: &str = "regboard-rt";

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if let Ok(filter) = std::env::var("FANOUT_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_timer(tracing_subscriber::fmt::time::uptime())
            .init();
    }
    let count: usize = env_or("FANOUT_NAMESPACES", 500);
    let runs: usize = env_or("FANOUT_RUNS", 3).max(1);
    let latencies: Vec<u64> = std::env::var("FANOUT_LATENCIES")
        .ok()
        .map(|l| l.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![0, 5]);
    let bounds = std::env::var("FANOUT_BOUNDS")
        .ok()
        .and_then(|b| {
            let v: Vec<usize> = b.split(':').filter_map(|n| n.trim().parse().ok()).collect();
            (v.len() == 3).then(|| Bounds::new(v[0], v[1], v[2]))
        })
        .unwrap_or_else(Bounds::defaults);
    let kubectl = which("kubectl");
    match &kubectl {
        None => println!("kubectl peer: SKIPPED (kubectl not found on PATH)"),
        Some(k) => println!(
            "kubectl start-up alone (`kubectl version --client`): {:.3} s",
            kubectl_startup(k).await
        ),
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "{count} namespaces, {cores} cores, pace min {} start {} max {}; each run a fresh sandbox; latency added by the sandbox to every request (every side); median of {runs} runs",
        bounds.min, bounds.start, bounds.max
    );
    println!(
        "{:>7} {:>10} {:>4} {:>7} {:>11} {:>8} {:>9} {:>10} {:>6} {:>13} {:>9} {:>6} {:>5} {:>4}",
        "latency",
        "regboard s",
        "conc",
        "floor s",
        "floor@max s",
        "rb/floor",
        "kubectl s",
        "kubectl/rb",
        "rtt ms",
        "cpu rb/sb ms",
        "cpu fl ms",
        "passes",
        "reqs",
        "429s"
    );
    for latency_ms in latencies {
        let latency = Duration::from_millis(latency_ms);
        let mut samples = Vec::new();
        for _ in 0..runs {
            samples.push(scenario(count, bounds, latency, kubectl.as_deref()).await);
        }
        print_row(latency_ms, &mut samples);
    }
}

/// Prints the median run of a row (by regboard's time; peers by their own medians).
fn print_row(latency_ms: u64, samples: &mut [Sample]) {
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v.get(v.len() / 2).copied()
    };
    let floor = median(samples.iter().map(|s| s.floor).collect()).unwrap_or_default();
    let floor_max = median(samples.iter().map(|s| s.floor_max).collect()).unwrap_or_default();
    let peer = median(samples.iter().filter_map(|s| s.kubectl).collect());
    samples.sort_by_key(|s| s.regboard);
    let mid = &samples[samples.len() / 2];
    let secs = |d: Duration| format!("{:.3}", d.as_secs_f64());
    let ratio = |a: Duration, b: Duration| format!("{:.2}", a.as_secs_f64() / b.as_secs_f64());
    println!(
        "{:>5}ms {:>10} {:>4} {:>7} {:>11} {:>8} {:>9} {:>10} {:>6.2} {:>13} {:>9.0} {:>6} {:>5} {:>4}",
        latency_ms,
        secs(mid.regboard),
        mid.concurrency,
        secs(floor),
        secs(floor_max),
        ratio(mid.regboard, floor),
        peer.map_or("-".into(), secs),
        peer.map_or("-".into(), |p| ratio(p, mid.regboard)),
        mid.rtt.as_secs_f64() * 1e3,
        format!(
            "{:.0}/{:.0}",
            mid.cpu_regboard.as_secs_f64() * 1e3,
            mid.cpu_sandbox.as_secs_f64() * 1e3
        ),
        mid.cpu_floor.as_secs_f64() * 1e3,
        mid.passes,
        mid.requests,
        mid.throttled,
    );
}

/// What one run measured.
struct Sample {
    regboard: Duration,
    concurrency: usize,
    floor: Duration,
    floor_max: Duration,
    kubectl: Option<Duration>,
    rtt: Duration,
    cpu_regboard: Duration,
    cpu_sandbox: Duration,
    cpu_floor: Duration,
    passes: u64,
    requests: u64,
    throttled: u64,
}

/// One run: fan out to `count` namespaces; then, on the same sandbox, the
/// floor at the pace's final limit and at its maximum, then kubectl.
async fn scenario(
    count: usize,
    bounds: Bounds,
    latency: Duration,
    kubectl: Option<&std::path::Path>,
) -> Sample {
    let sandbox = Sandbox::start(SandboxOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        Seed::Empty,
    ))
    .await
    .unwrap();
    let client = sandbox.client().unwrap();
    create_namespaces(&client, count).await;
    sandbox.faults().set_latency(latency);
    let rtt = create_round_trip(&client).await;
    sandbox.faults().set_latency(Duration::ZERO);

    // regboard, on a runtime of its own, as in a server process.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name(REGBOARD_THREAD)
        .enable_all()
        .build()
        .unwrap();
    let fan_out = runtime.spawn(regboard_fan_out(
        sandbox.kube_config(),
        sandbox.faults().clone(),
        count,
        bounds,
        latency,
    ));
    let run = fan_out.await.unwrap();
    runtime.shutdown_background();
    sandbox.faults().set_latency(Duration::ZERO);
    let copies = Api::<Secret>::all(client.clone())
        .list(&ListParams::default().labels("regboard.dev/registry=pull"))
        .await
        .unwrap()
        .items
        .len();
    assert_eq!(copies, count + 1, "the source and one copy per namespace");

    let (floor, cpu_floor) = timed_cpu(floor_create(
        &sandbox,
        &run.source,
        count,
        run.concurrency,
        latency,
        "floor",
    ))
    .await;
    let floor_max = floor_create(
        &sandbox,
        &run.source,
        count,
        bounds.max,
        latency,
        "floor-max",
    )
    .await;
    let peer = match kubectl {
        Some(kubectl) => Some(kubectl_create(&sandbox, kubectl, count, latency).await),
        None => None,
    };
    sandbox.shutdown().await;
    Sample {
        regboard: run.elapsed,
        concurrency: run.concurrency,
        floor,
        floor_max,
        kubectl: peer,
        rtt,
        cpu_regboard: run.cpu_regboard,
        cpu_sandbox: run.cpu_sandbox,
        cpu_floor,
        passes: run.passes,
        requests: run.requests,
        throttled: run.throttled,
    }
}

/// What regboard's side measured.
struct FanOut {
    elapsed: Duration,
    /// The pace's limit at the end.
    concurrency: usize,
    /// The source Secret as created (the copies' content comes from it).
    source: Secret,
    cpu_regboard: Duration,
    cpu_sandbox: Duration,
    passes: u64,
    requests: u64,
    throttled: u64,
}

/// Starts regboard's watches and reconciler, then times one project registry
/// from its source POST until every namespace reports synced.
async fn regboard_fan_out(
    config: kube::Config,
    faults: Faults,
    count: usize,
    bounds: Bounds,
    latency: Duration,
) -> FanOut {
    let client = regboard_server::cluster::client(config).unwrap();
    let options = ReconcileOptions {
        system_namespace: "regboard-system".into(),
        concurrency: bounds,
        resync_interval: Duration::from_secs(300),
        call_timeout: Duration::from_secs(10),
    };
    // regboard's records: every bench namespace moved into the project
    // through regboard, and the key that proves what it writes.
    let dir = tempfile::tempdir().unwrap();
    let db = regboard_server::db::open(&dir.path().join("bench.db"))
        .await
        .unwrap();
    let membership = Membership::load(db.clone()).await.unwrap();
    let attachments = Attachments::load(db).await.unwrap();
    for i in 0..count {
        let ns = format!("bench-{i:04}");
        membership.join(&ns, "bench", "bench").await.unwrap();
    }
    let key = OwnershipKey::new(rand::random());
    let inventory = Inventory::start(client.clone(), membership);
    let reconciler = Reconciler::start(
        client.clone(),
        inventory.clone(),
        (key.clone(), attachments),
        options,
        None,
    );
    reconciler.next_pass().await; // watches primed, nothing to do yet
    faults.set_latency(latency);
    let requests = faults.counter(RequestMatch::any());
    let throttled_before = faults.throttled();

    let source = bench_source(&key);
    let mut passes = reconciler.passes();
    let passes_before = *passes.borrow_and_update();
    let cpu_before = thread_cpu();
    let started = Instant::now();
    let source = Api::<Secret>::namespaced(client.clone(), "regboard-system")
        .create(&PostParams::default(), &source)
        .await
        .unwrap();
    reconciler.trigger();
    loop {
        let synced = reconciler
            .status_of("bench", "pull")
            .map(|s| s.values().filter(|st| **st == SyncState::Synced).count())
            .unwrap_or(0);
        if synced == count {
            break;
        }
        passes.changed().await.unwrap();
    }
    let elapsed = started.elapsed();
    let cpu = thread_cpu();
    let passes_after = *passes.borrow();
    let used = |regboard: bool| {
        cpu.iter()
            .filter(|(name, _)| name.starts_with(REGBOARD_THREAD) == regboard)
            .map(|(name, t)| t.saturating_sub(cpu_before.get(name).copied().unwrap_or_default()))
            .sum()
    };
    FanOut {
        elapsed,
        concurrency: reconciler.pace().limit(),
        source,
        cpu_regboard: used(true),
        cpu_sandbox: used(false),
        passes: (passes_after - passes_before).div_ceil(2),
        requests: requests.get(),
        throttled: faults.throttled() - throttled_before,
    }
}

/// The project registry's source Secret, sealed.
fn bench_source(key: &OwnershipKey) -> Secret {
    let config = DockerConfig::for_hosts(
        &["ghcr.io".into()],
        "bench-bot",
        &Password::new("bench-pw"),
        None,
    );
    let mut source = registry_secret(
        "bench.pull",
        "regboard-system",
        ownership::project_labels("bench", "pull"),
        &Contents {
            config: &config,
            description: "",
            valid_until: Default::default(),
        },
    );
    key.seal(&mut source);
    source
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
