//! The bench's cluster side: the namespaces it fans out to, one create's
//! round trip, and the peers: the floor (the bench's own client creating
//! the same copies at a given concurrency) and kubectl.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::{stream, StreamExt};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, PostParams};
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;
use regboard_sandbox::Sandbox;

pub(super) async fn create_namespaces(client: &kube::Client, count: usize) {
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
}

/// The median round trip of a Secret create (dry run, so nothing is kept).
pub(super) async fn create_round_trip(client: &kube::Client) -> Duration {
    let api: Api<Secret> = Api::namespaced(client.clone(), "bench-0000");
    let secret: Secret = serde_json::from_value(
        serde_json::json!({"metadata": {"name": "probe"}, "stringData": {"k": "v"}}),
    )
    .unwrap();
    let params = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let mut times = Vec::new();
    for _ in 0..15 {
        let started = Instant::now();
        api.create(&params, &secret).await.unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

/// The floor: a fresh client of the bench (built as regboard builds its
/// own) creating a copy of `source` named `name` in each of the `count`
/// namespaces, `concurrency` at a time, as fast as it can; the time from
/// the first POST to the last answer.
pub(super) async fn floor_create(
    sandbox: &Sandbox,
    source: &Secret,
    count: usize,
    concurrency: usize,
    latency: Duration,
    name: &str,
) -> Duration {
    let client = regboard_server::cluster::client(sandbox.kube_config()).unwrap();
    let key = regboard_server::cluster::proof::OwnershipKey::new(rand::random());
    let copies: Vec<(Api<Secret>, Secret)> = (0..count)
        .map(|i| {
            let ns = format!("bench-{i:04}");
            let mut copy =
                regboard_server::registries::objects::copy_of(source, "bench", name, &ns);
            key.seal(&mut copy);
            (Api::namespaced(client.clone(), &ns), copy)
        })
        .collect();
    sandbox.faults().set_latency(latency);
    let started = Instant::now();
    let created = stream::iter(&copies)
        .map(|(api, copy)| async move { api.create(&PostParams::default(), copy).await })
        .buffer_unordered(concurrency.max(1))
        .filter(|r| std::future::ready(r.is_ok()))
        .count()
        .await;
    let elapsed = started.elapsed();
    sandbox.faults().set_latency(Duration::ZERO);
    assert_eq!(created, count, "the floor created every copy");
    elapsed
}

pub(super) async fn kubectl_create(
    sandbox: &Sandbox,
    kubectl: &std::path::Path,
    count: usize,
    latency: Duration,
) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, sandbox.kubeconfig_yaml()).unwrap();
    let config = DockerConfig::for_hosts(
        &["ghcr.io".into()],
        "bench-bot",
        &Password::new("bench-pw"),
        None,
    );
    let dockerconfig = base64_encode(config.to_json().as_bytes());
    let mut docs = String::new();
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
        .arg("--cache-dir")
        .arg(dir.path().join("cache"))
        .args(["create", "--validate=false", "-f"])
        .arg(&file)
        .output()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    sandbox.faults().set_latency(Duration::ZERO);
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
    elapsed
}

pub(super) async fn kubectl_startup(kubectl: &std::path::Path) -> f64 {
    let started = Instant::now();
    let _ = tokio::process::Command::new(kubectl)
        .args(["version", "--client"])
        .output()
        .await;
    started.elapsed().as_secs_f64()
}

/// The path of `program` on `PATH`, if there.
pub(super) fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(program))
        .find(|p| p.is_file())
}

pub(super) fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `work`'s result and the CPU every thread of the process used meanwhile.
pub(super) async fn timed_cpu<T>(work: impl std::future::Future<Output = T>) -> (T, Duration) {
    let before = thread_cpu();
    let out = work.await;
    let after = thread_cpu();
    let used = after
        .iter()
        .map(|(name, t)| t.saturating_sub(before.get(name).copied().unwrap_or_default()))
        .sum();
    (out, used)
}

/// CPU time used so far by each thread of this process, by thread name
/// and id, from `/proc/self/task`.
pub(super) fn thread_cpu() -> HashMap<String, Duration> {
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
