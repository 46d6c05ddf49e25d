//! A project registry reaching 500 namespaces on the sandbox — time until
//! every copy is synced — against, in the same run and on the same sandbox,
//! the same 500 Secrets created by `kubectl create -f` from one
//! multi-document file. Prints both, the ratio, and what bounds the ratio.
//!
//! Run: `cargo bench -p regboard-server --bench fanout`. Environment:
//! `FANOUT_NAMESPACES=N` (500), `FANOUT_RUNS=R` runs per row, medians shown
//! (3), `FANOUT_ROWS=0:16,5:64` (latency ms:concurrency pairs),
//! `FANOUT_LOG=regboard_server::reconcile=debug` (a tracing filter: pass timings).
//!
//! Fairness. Both sides start from the same sandbox (fresh per run: the
//! namespaces, nothing else) and get the same injected latency per request.
//! regboard runs as a server does: on its own runtime, watches primed before
//! the clock starts; the clock covers the source POST (what the registry
//! service does), the reconciler's reaction and every create, and stops when
//! the status reports every namespace synced (each copy answered 201). That
//! runtime is shut down before kubectl runs, so kubectl never shares the CPU
//! with regboard's watches. kubectl's clock covers what a user waits for:
//! process start, kubeconfig, discovery (cold cache), 500 serial POSTs.
//!
//! Columns beyond the ratio, to read it:
//! - `rtt ms`: one create's round trip as a client sees it (median of 15
//!   serial dry-run POSTs at that latency);
//! - `floor s`: the least time regboard could take here — the larger of the
//!   latency bound, (1 + ⌈N / concurrency⌉) × rtt (the source POST, then
//!   waves of `concurrency` creates), and the CPU bound, the CPU the fan-out
//!   used (regboard and sandbox, same process) / cores;
//! - `max x`: kubectl s / floor s, the best ratio this row allows;
//! - `cpu rb/sb ms`: CPU used during the fan-out by regboard's threads and by
//!   the sandbox's (and the bench's) threads;
//! - `passes`, `reqs`: reconcile passes finished and API requests made
//!   during the fan-out.

use std::collections::HashMap;
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
use regboard_server::reconcile::{ReconcileOptions, Reconciler};
use regboard_server::registries::objects::registry_secret;

#[path = "fanout/cluster.rs"]
mod cluster;
use cluster::{create_namespaces, create_round_trip, kubectl_create, kubectl_startup, which};

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
    let rows: Vec<(u64, usize)> = std::env::var("FANOUT_ROWS")
        .ok()
        .map(|rows| {
            rows.split(',')
                .filter_map(|r| {
                    let (l, c) = r.split_once(':')?;
                    Some((l.trim().parse().ok()?, c.trim().parse().ok()?))
                })
                .collect()
        })
        .unwrap_or_else(|| vec![(0, 16), (0, 64), (5, 16), (5, 64)]);
    let kubectl = which("kubectl");
    match &kubectl {
        None => {
            println!("kubectl peer: SKIPPED (kubectl not found on PATH); regboard figures only")
        }
        Some(k) => println!(
            "kubectl start-up alone (`kubectl version --client`): {:.3} s",
            kubectl_startup(k).await
        ),
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "{count} namespaces, {cores} cores; each run is a fresh sandbox; latency is added by the sandbox to every request (both sides); median of {runs} runs"
    );
    println!(
        "{:>8} {:>5} {:>11} {:>10} {:>7} {:>7} {:>8} {:>6} {:>13} {:>6} {:>5}",
        "latency",
        "conc",
        "regboard s",
        "kubectl s",
        "ratio",
        "rtt ms",
        "floor s",
        "max x",
        "cpu rb/sb ms",
        "passes",
        "reqs"
    );
    for (latency_ms, concurrency) in rows {
        let latency = Duration::from_millis(latency_ms);
        let mut samples = Vec::new();
        for _ in 0..runs {
            samples.push(scenario(count, concurrency, latency, kubectl.as_deref(), cores).await);
        }
        samples.sort_by_key(|s| s.regboard);
        let mid = &samples[samples.len() / 2];
        let mut peers: Vec<Duration> = samples.iter().filter_map(|s| s.kubectl).collect();
        peers.sort();
        let peer = peers.get(peers.len() / 2).copied();
        let secs = |d: Duration| format!("{:.3}", d.as_secs_f64());
        let times = |p: Duration, r: Duration| format!("{:.1}x", p.as_secs_f64() / r.as_secs_f64());
        println!(
            "{:>6}ms {:>5} {:>11} {:>10} {:>7} {:>7.2} {:>8} {:>6} {:>13} {:>6} {:>5}",
            latency_ms,
            concurrency,
            secs(mid.regboard),
            peer.map_or("-".into(), secs),
            peer.map_or("-".into(), |p| times(p, mid.regboard)),
            mid.rtt.as_secs_f64() * 1e3,
            secs(mid.floor),
            peer.map_or("-".into(), |p| times(p, mid.floor)),
            format!(
                "{:.0}/{:.0}",
                mid.cpu_regboard.as_secs_f64() * 1e3,
                mid.cpu_sandbox.as_secs_f64() * 1e3
            ),
            mid.passes,
            mid.requests,
        );
    }
}

/// What one run measured.
struct Sample {
    regboard: Duration,
    kubectl: Option<Duration>,
    rtt: Duration,
    floor: Duration,
    cpu_regboard: Duration,
    cpu_sandbox: Duration,
    passes: u64,
    requests: u64,
}

/// One run: fan out to `count` namespaces, then kubectl-create the same
/// number of Secrets on the same sandbox.
async fn scenario(
    count: usize,
    concurrency: usize,
    latency: Duration,
    kubectl: Option<&std::path::Path>,
    cores: usize,
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
        concurrency,
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

    let waves = 1 + count.div_ceil(concurrency.max(1)) as u32;
    let cpu_floor = (run.cpu_regboard + run.cpu_sandbox) / cores as u32;
    let floor = (rtt * waves).max(cpu_floor);
    let peer = match kubectl {
        Some(kubectl) => Some(kubectl_create(&sandbox, kubectl, count, latency).await),
        None => None,
    };
    sandbox.shutdown().await;
    Sample {
        regboard: run.elapsed,
        kubectl: peer,
        rtt,
        floor,
        cpu_regboard: run.cpu_regboard,
        cpu_sandbox: run.cpu_sandbox,
        passes: run.passes,
        requests: run.requests,
    }
}

/// What regboard's side measured.
struct FanOut {
    elapsed: Duration,
    cpu_regboard: Duration,
    cpu_sandbox: Duration,
    passes: u64,
    requests: u64,
}

/// Starts regboard's watches and reconciler, then times one project registry
/// from its source POST until every namespace reports synced.
async fn regboard_fan_out(
    config: kube::Config,
    faults: Faults,
    count: usize,
    concurrency: usize,
    latency: Duration,
) -> FanOut {
    let client = regboard_server::cluster::client(config).unwrap();
    let options = ReconcileOptions {
        system_namespace: "regboard-system".into(),
        concurrency,
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
        &config,
        "",
    );
    key.seal(&mut source);
    let mut passes = reconciler.passes();
    let passes_before = *passes.borrow_and_update();
    let cpu_before = thread_cpu();
    let started = Instant::now();
    Api::<Secret>::namespaced(client.clone(), "regboard-system")
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
        cpu_regboard: used(true),
        cpu_sandbox: used(false),
        passes: (passes_after - passes_before).div_ceil(2),
        requests: requests.get(),
    }
}

/// (summed over threads of the same name), from `/proc/self/task`.
fn thread_cpu() -> HashMap<String, Duration> {
    let mut used: HashMap<String, Duration> = HashMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return used;
    };
    for task in tasks.flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let tid = task.file_name().to_string_lossy().into_owned();
        let on_cpu = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0);
        // Threads come and go: key by name and id so a thread counts once.
        *used.entry(format!("{}#{tid}", name.trim())).or_default() += Duration::from_nanos(on_cpu);
    }
    used
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
