//! The Workloads and Coverage pages of one project with 2,000 pods over 100
//! namespaces, on the sandbox: server time per request (median and p99,
//! measured at the client over loopback, so it includes the HTTP round
//! trip) and the Kubernetes API requests one page view makes. Prints
//! figures; asserts nothing.
//!
//! Run: `cargo bench -p regboard-server --bench workloads`. Environment:
//! `WORKLOADS_NAMESPACES=N` (100), `WORKLOADS_PODS=P` per namespace (20),
//! `WORKLOADS_VIEWS=V` page views per row (60), `WORKLOADS_LATENCY=0,5`
//! (ms the sandbox adds to every API request, one row each).
//!
//! Each namespace holds a pull Secret for ghcr.io, three other Secrets and
//! P pods: most pull from ghcr.io with the Secret (running), some run
//! `nginx` (public), some pull from a private host without a Secret
//! (ImagePullBackOff). The pods are written straight into the sandbox's
//! store and the simulated kubelet settles them before regboard starts.
//! Counts: per page view, the requests for pods, Secrets, ServiceAccounts
//! (all of regboard's, including the background watches and resyncs, which
//! are few at this time scale), and the floor: a namespaced list of pods and
//! of Secrets per namespace (ServiceAccounts come from regboard's reflector).
//! `lists ms` is the peer: the bench's own kube client making those same
//! lists, 8 namespaces at a time, without regboard (median of 20).

use std::time::{Duration, Instant};

use regboard_app::domain::secret::Password;
use regboard_app::model::cluster::ClusterMode;
use regboard_sandbox::{docker_config_json, RequestMatch, Resource, Sandbox, SandboxOptions, Seed};
use regboard_server::access::AccessOptions;
use regboard_server::cluster::Connection;
use regboard_server::reconcile::ReconcileOptions;
use regboard_server::startup::{self, StartOptions};
use serde_json::{json, Value};

const PASSWORD: &str = "bench password that is long";

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let namespaces: usize = env_or("WORKLOADS_NAMESPACES", 100);
    let pods: usize = env_or("WORKLOADS_PODS", 20);
    let views: usize = env_or("WORKLOADS_VIEWS", 60).max(2);
    let latencies: Vec<u64> = std::env::var("WORKLOADS_LATENCY")
        .unwrap_or_else(|_| "0,5".into())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let sandbox = Sandbox::start(SandboxOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        Seed::Empty,
    ))
    .await
    .unwrap();
    let seeded = Instant::now();
    seed(&sandbox, namespaces, pods).await;
    println!(
        "{} pods over {namespaces} namespaces of project bench, seeded and settled in {:.1} s; {cores} cores; \
         regboard reads {} namespaces at a time; {views} page views per row",
        namespaces * pods,
        seeded.elapsed().as_secs_f64(),
        regboard_server::workloads::CONCURRENCY,
    );
    let app = App::start(&sandbox).await;
    println!(
        "{:>8} {:>10} {:>9} {:>9} {:>9} {:>6} {:>7} {:>8} {:>8} {:>6} {:>9} {:>9}",
        "latency",
        "page",
        "median ms",
        "p99 ms",
        "max ms",
        "rows",
        "pods",
        "secrets",
        "accounts",
        "other",
        "floor",
        "lists ms"
    );
    for latency in latencies {
        sandbox.faults().set_latency(Duration::from_millis(latency));
        for (page, endpoint, lists) in [
            ("workloads", "list_workloads", 2),
            ("coverage", "workload_coverage", 2),
        ] {
            let row = measure(&app, &sandbox, endpoint, views).await;
            let peer = raw_lists(&sandbox, namespaces, views.min(20)).await;
            println!(
                "{:>6}ms {:>10} {:>9.1} {:>9.1} {:>9.1} {:>6} {:>7.1} {:>8.1} {:>8.1} {:>6.1} {:>9} {:>9.1}",
                latency,
                page,
                row.median_ms,
                row.p99_ms,
                row.max_ms,
                row.rows,
                row.per_view[0],
                row.per_view[1],
                row.per_view[2],
                row.per_view[3],
                lists * namespaces,
                peer,
            );
        }
    }
    sandbox.faults().clear();
}

/// Namespaces, Secrets and pods, straight into the store; then waits until
/// the kubelet has reported on every pod.
async fn seed(sandbox: &Sandbox, namespaces: usize, pods: usize) {
    let store = sandbox.store();
    let insert = |resource, value: Value| {
        store.insert(resource, value).unwrap();
    };
    insert(
        Resource::Namespace,
        json!({"metadata": {"name": "regboard-system"}}),
    );
    let pull = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        docker_config_json("ghcr.io", "bot", "bench-token"),
    );
    for n in 0..namespaces {
        let ns = format!("bench-{n:03}");
        insert(
            Resource::Namespace,
            json!({"metadata": {"name": ns, "labels": {"regboard.dev/project": "bench"}}}),
        );
        insert(
            Resource::Secret,
            json!({"metadata": {"name": "ghcr-pull", "namespace": ns},
                   "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": pull}}),
        );
        for s in 0..3 {
            insert(
                Resource::Secret,
                json!({"metadata": {"name": format!("app-config-{s}"), "namespace": ns},
                       "type": "Opaque", "stringData": {"k": "v"}}),
            );
        }
        for p in 0..pods {
            let (image, secrets) = match p % 10 {
                0 => (
                    "registry.internal.example:5000/team/job:3".to_owned(),
                    json!([]),
                ),
                1 => ("nginx:1.27".to_owned(), json!([])),
                _ => (
                    format!("ghcr.io/acme/svc-{}:1.{p}", p % 5),
                    json!([{"name": "ghcr-pull"}]),
                ),
            };
            insert(
                Resource::Pod,
                json!({"metadata": {"name": format!("svc-{p:02}-7d9f8b6c5-x{p:02}"), "namespace": ns,
                                    "labels": {"pod-template-hash": "7d9f8b6c5"}},
                       "spec": {"containers": [{"name": "app", "image": image}],
                                "imagePullSecrets": secrets, "nodeName": "sandbox-node-1"}}),
            );
        }
    }
    let total = namespaces * pods;
    let api: kube::Api<k8s_openapi::api::core::v1::Pod> = kube::Api::all(sandbox.client().unwrap());
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let list = api.list(&Default::default()).await.unwrap();
        let settled = list
            .items
            .iter()
            .filter(|p| {
                p.status
                    .as_ref()
                    .is_some_and(|s| s.container_statuses.is_some())
            })
            .count();
        if settled >= total || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// regboard on the sandbox, with a signed-in admin client.
struct App {
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl App {
    async fn start(sandbox: &Sandbox) -> App {
        let dir = tempfile::tempdir().unwrap();
        let connection = Connection {
            client: regboard_server::cluster::client(sandbox.kube_config()).unwrap(),
            mode: ClusterMode::Sandbox,
            server_url: sandbox.url(),
            sandbox: None,
        };
        let options = StartOptions {
            database: dir.path().join("regboard.db"),
            listen: "127.0.0.1:0".parse().unwrap(),
            reconcile: ReconcileOptions {
                system_namespace: "regboard-system".into(),
                concurrency: regboard_server::reconcile::Bounds::defaults(),
                resync_interval: Duration::from_secs(300),
                call_timeout: Duration::from_secs(5),
            },
            access: AccessOptions::default(),
            first_check_wait: Duration::from_secs(10),
            trusted_proxies: Default::default(),
            metrics: Default::default(),
            credential_check: Default::default(),
        };
        let running = startup::start(&connection, options).await.unwrap();
        let state = running.state.clone();
        let hash = state
            .access
            .passwords()
            .hash(&Password::new(PASSWORD))
            .await
            .unwrap();
        regboard_server::access::store::insert_user(&state.db, "admin", &hash, true)
            .await
            .unwrap();
        let listener = running.listener;
        tokio::spawn(async move {
            let app = regboard_server::router(state)
                .into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).await.unwrap();
        });
        let base = format!("http://{}", running.addr);
        let login = reqwest::Client::new()
            .post(format!("{base}/api/login"))
            .form(&[("name", "admin"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        let cookie = login
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("regboard_session="))
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::COOKIE, cookie.parse().unwrap());
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap();
        App {
            base,
            client,
            _dir: dir,
        }
    }

    /// One page view's server function call; the rows it returned.
    async fn view(&self, endpoint: &str) -> usize {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("query[project]=bench")
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{endpoint}: {}",
            response.status()
        );
        let body: Value = response.json().await.unwrap();
        body["rows"].as_array().map_or(0, Vec::len)
    }
}

struct Row {
    median_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    rows: usize,
    /// Per view: pods, Secrets, ServiceAccounts, anything else.
    per_view: [f64; 4],
}

async fn measure(app: &App, sandbox: &Sandbox, endpoint: &str, views: usize) -> Row {
    app.view(endpoint).await; // warm: connection, caches
    let faults = sandbox.faults();
    let counters = ["pods", "secrets", "serviceaccounts"]
        .map(|r| faults.counter(RequestMatch::any().resource(r)));
    let served_before = faults.served();
    let mut times = Vec::with_capacity(views);
    let mut rows = 0;
    for _ in 0..views {
        let started = Instant::now();
        rows = app.view(endpoint).await;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let served = (faults.served() - served_before) as f64;
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let [pods, secrets, accounts] = counters.map(|c| c.get() as f64 / views as f64);
    Row {
        median_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: times[times.len() - 1],
        rows,
        per_view: [
            pods,
            secrets,
            accounts,
            served / views as f64 - pods - secrets - accounts,
        ],
    }
}

/// The median time of the lists one page view needs (pods and Secrets of
/// every namespace), made by the bench's own client 8 namespaces at a time.
async fn raw_lists(sandbox: &Sandbox, namespaces: usize, runs: usize) -> f64 {
    use futures::StreamExt;
    use k8s_openapi::api::core::v1::{Pod, Secret};
    let client = sandbox.client().unwrap();
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        futures::stream::iter((0..namespaces).map(|n| {
            let client = client.clone();
            async move {
                let ns = format!("bench-{n:03}");
                let pods = kube::Api::<Pod>::namespaced(client.clone(), &ns);
                let secrets = kube::Api::<Secret>::namespaced(client, &ns);
                let params = kube::api::ListParams::default();
                let (p, s) = futures::join!(pods.list(&params), secrets.list(&params));
                (p.unwrap().items.len(), s.unwrap().items.len())
            }
        }))
        .buffer_unordered(regboard_server::workloads::CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}
