//! A project registry reaching 500 namespaces on the sandbox — time until
//! every copy is synced — against, in the same run and on the same sandbox,
//! the same 500 Secrets created by `kubectl create -f` from one
//! multi-document file. Prints both and the ratio.
//!
//! Run: `cargo bench -p regboard-server --bench fanout`
//! (`FANOUT_NAMESPACES=N` changes the size).

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, ListParams, PostParams};
use regboard_app::api::registries::SyncState;
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;
use regboard_sandbox::{Sandbox, SandboxOptions, Seed};
use regboard_server::cluster::Inventory;
use regboard_server::reconcile::{ReconcileOptions, Reconciler};
use regboard_server::registries::labels;
use regboard_server::registries::objects::registry_secret;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let count: usize = std::env::var("FANOUT_NAMESPACES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    let kubectl = which("kubectl");
    if kubectl.is_none() {
        println!("kubectl peer: SKIPPED (kubectl not found on PATH); regboard figures only");
    }
    println!("{count} namespaces; each row is a fresh sandbox; latency is added by the sandbox to every request (both sides)");
    println!(
        "{:>10} {:>12} {:>12} {:>12} {:>8}",
        "latency", "concurrency", "regboard s", "kubectl s", "ratio"
    );
    for (latency_ms, concurrency) in [(0, 16), (0, 64), (5, 16), (5, 64)] {
        let (regboard, peer) = scenario(
            count,
            concurrency,
            Duration::from_millis(latency_ms),
            kubectl.as_deref(),
        )
        .await;
        let peer_text = peer.map_or("-".to_owned(), |p| format!("{:.3}", p.as_secs_f64()));
        let ratio = peer.map_or("-".to_owned(), |p| {
            format!("{:.1}x", p.as_secs_f64() / regboard.as_secs_f64())
        });
        println!(
            "{:>8}ms {:>12} {:>12.3} {:>12} {:>8}",
            latency_ms,
            concurrency,
            regboard.as_secs_f64(),
            peer_text,
            ratio
        );
    }
}

/// One run: fan out to `count` namespaces, then kubectl-create the same
/// number of Secrets on the same sandbox.
async fn scenario(
    count: usize,
    concurrency: usize,
    latency: Duration,
    kubectl: Option<&std::path::Path>,
) -> (Duration, Option<Duration>) {
    let sandbox = Sandbox::start(SandboxOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        Seed::Empty,
    ))
    .await
    .unwrap();
    let client = sandbox.client().unwrap();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    for name in std::iter::once("regboard-system".to_owned())
        .chain((0..count).map(|i| format!("bench-{i:04}")))
    {
        let labels = if name == "regboard-system" {
            serde_json::json!({})
        } else {
            serde_json::json!({"regboard.dev/project": "bench"})
        };
        let ns: Namespace = serde_json::from_value(
            serde_json::json!({"metadata": {"name": name, "labels": labels}}),
        )
        .unwrap();
        namespaces
            .create(&PostParams::default(), &ns)
            .await
            .unwrap();
    }
    let options = ReconcileOptions {
        system_namespace: "regboard-system".into(),
        concurrency,
        resync_interval: Duration::from_secs(300),
        call_timeout: Duration::from_secs(10),
    };
    let inventory = Inventory::start(client.clone());
    let reconciler = Reconciler::start(client.clone(), inventory.clone(), options, None);
    reconciler.next_pass().await; // watches primed, nothing to do yet
    sandbox.faults().set_latency(latency);

    let config = DockerConfig::for_hosts(
        &["ghcr.io".into()],
        "bench-bot",
        &Password::new("bench-pw"),
        None,
    );
    let source = registry_secret(
        "bench.pull",
        "regboard-system",
        labels::project_labels("bench", "pull"),
        &config,
        "",
    );
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
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let regboard = started.elapsed();
    sandbox.faults().set_latency(Duration::ZERO);
    let copies = Api::<Secret>::all(client.clone())
        .list(&ListParams::default().labels("regboard.dev/registry=pull"))
        .await
        .unwrap()
        .items
        .len();
    assert_eq!(copies, count + 1, "the source and one copy per namespace");

    let Some(kubectl) = kubectl else {
        return (regboard, None);
    };
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, sandbox.kubeconfig_yaml()).unwrap();
    let mut docs = String::new();
    let dockerconfig = base64_encode(config.to_json().as_bytes());
    for i in 0..count {
        docs += &format!(
            "---\napiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\nmetadata:\n  name: pull-kubectl\n  namespace: bench-{i:04}\ndata:\n  .dockerconfigjson: {dockerconfig}\n"
        );
    }
    let file = dir.path().join("secrets.yaml");
    std::fs::write(&file, docs).unwrap();
    sandbox.faults().set_latency(latency);
    let started = Instant::now();
    let out = tokio::process::Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["create", "--validate=false", "-f"])
        .arg(&file)
        .output()
        .await
        .unwrap();
    let peer = started.elapsed();
    assert!(
        out.status.success(),
        "kubectl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("created"))
        .count();
    assert_eq!(created, count, "kubectl created every Secret");
    sandbox.shutdown().await;
    (regboard, Some(peer))
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(program))
        .find(|p| p.is_file())
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
