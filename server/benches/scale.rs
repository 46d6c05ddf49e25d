//! regboard at cluster scale (issue #15 item 5): 10,000 namespaces and
//! 50,000 Secrets, most of them foreign and some large with kubectl's
//! last-applied annotation, plus 20 project registries over 500 namespaces.
//!
//! Run: `cargo bench -p regboard-server --bench scale`. Environment:
//! `SCALE_NAMESPACES` (10000), `SCALE_SECRETS_PER_NAMESPACE` (5),
//! `SCALE_PROJECT_NAMESPACES` (500), `SCALE_REGISTRIES` (20),
//! `SCALE_JOINS` (50).
//!
//! The sandbox runs in this process; regboard runs as its own process (the
//! `regboard` binary cargo built with this bench), connected by kubeconfig,
//! so its RSS is its own. Printed:
//! - RSS once `/readyz` answers (the watches' first lists are in), and
//!   again with every copy written;
//! - API requests regboard makes while idle for 10 s, and for one change
//!   (one registry's password changed: 500 copies to update), against
//!   the floor of that change (the source's update, then one update per
//!   copy);
//! - copies of a namespace joining the project: time from the join call to
//!   all 20 copies in the store, p50 and p99 over `SCALE_JOINS` joins.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use regboard_app::domain::attachment::Attachment;
use regboard_app::domain::secret::Password;
use regboard_app::model::registries::{HostCredential, RegistryInput, Scope};
use regboard_sandbox::resource::Resource;
use regboard_sandbox::{RequestMatch, Sandbox, SandboxOptions, Seed};
use serde_json::json;

const PROJECT: &str = "scale";

/// The argument of `create_registry` and `update_registry`.
#[derive(serde::Serialize)]
struct Input {
    input: RegistryInput,
}
const ADMIN: &str = "bench-admin";
const PASSWORD: &str = "bench password that is long";

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let namespaces: usize = env_or("SCALE_NAMESPACES", 10_000);
    let per_namespace: usize = env_or("SCALE_SECRETS_PER_NAMESPACE", 5);
    let members: usize = env_or("SCALE_PROJECT_NAMESPACES", 500);
    let registries: usize = env_or("SCALE_REGISTRIES", 20);
    let joins: usize = env_or("SCALE_JOINS", 50);

    let sandbox = Sandbox::start(SandboxOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        Seed::Empty,
    ))
    .await
    .unwrap();
    let started = Instant::now();
    let bytes = seed(&sandbox, namespaces, per_namespace);
    println!(
        "seeded {namespaces} namespaces, {} Secrets ({:.0} MiB of JSON) in {:.1} s",
        namespaces * per_namespace,
        bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );

    let server = Server::start(&sandbox).await;
    println!("\n{:<52} {:>12}", "figure", "value");
    row("cold start to /readyz (ms)", server.ready_ms);
    row("RSS, caches primed (MiB)", server.rss_mib());

    let client = server.signed_in().await;
    server
        .call(
            &client,
            "create_project",
            &json!({"name": PROJECT, "display_name": "Scale", "description": ""}),
        )
        .await;
    for i in 0..members {
        join(&server, &client, &format!("scale-{i:05}")).await;
    }
    let started = Instant::now();
    for r in 0..registries {
        let input = registry_input(&format!("pull-{r:02}"), "");
        server
            .call(&client, "create_registry", &Input { input })
            .await;
    }
    let copies = registries * members;
    wait_for_copies(&sandbox, members, registries).await;
    row(
        &format!("{registries} registries × {members} namespaces: {copies} copies (s)"),
        started.elapsed().as_secs_f64(),
    );
    row("RSS, every copy written (MiB)", server.rss_mib());

    let faults = sandbox.faults();
    let idle = faults.counter(RequestMatch::any());
    tokio::time::sleep(Duration::from_secs(10)).await;
    row("API requests while idle for 10 s", idle.get() as f64);

    let change = faults.counter(RequestMatch::any());
    let writes = faults.counter(RequestMatch::any().method("PUT"));
    let old = copy_data(&sandbox, "scale-00000").unwrap();
    let mut input = registry_input("pull-00", "");
    input.credentials[0].password = Password::new("rotated bench password");
    server
        .call(&client, "update_registry", &Input { input })
        .await;
    wait_for_new_data(&sandbox, members, &old).await;
    tokio::time::sleep(Duration::from_secs(2)).await; // the passes after
    row(
        &format!(
            "API requests for one password change ({members} copies; floor {})",
            members + 1
        ),
        change.get() as f64,
    );
    row("  of which updates (PUT)", writes.get() as f64);

    let mut times = Vec::new();
    for j in 0..joins {
        let ns = format!("scale-{:05}", members + j);
        let started = Instant::now();
        join(&server, &client, &ns).await;
        wait_for_namespace_copies(&sandbox, &ns, registries).await;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    row(
        &format!("join to all {registries} copies, p50 of {joins} (ms)"),
        times[joins / 2],
    );
    row(
        &format!("join to all {registries} copies, p99 of {joins} (ms)"),
        times[(joins * 99).div_ceil(100) - 1],
    );
    row("RSS at the end (MiB)", server.rss_mib());
}

fn row(label: &str, value: f64) {
    println!("{label:<52} {value:>12.1}");
}

/// Namespaces `scale-NNNNN`, each with `per_namespace` foreign Secrets:
/// Opaque and small, and in every tenth namespace one 64 KiB Secret with a
/// last-applied annotation holding it again (as `kubectl apply` leaves).
/// Returns the bytes of JSON stored.
fn seed(sandbox: &Sandbox, namespaces: usize, per_namespace: usize) -> usize {
    let store = sandbox.store();
    let large = "A".repeat(64 * 1024);
    let mut bytes = 0;
    for n in 0..namespaces {
        let ns = format!("scale-{n:05}");
        store
            .insert(
                Resource::Namespace,
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            )
            .unwrap();
        for s in 0..per_namespace {
            let big = s == 0 && n % 10 == 0;
            let data = if big { large.as_str() } else { "c2VjcmV0" };
            let mut secret = json!({
                "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": format!("app-{s}"), "namespace": ns,
                             "labels": {"app": format!("app-{s}")}},
                "data": {"value": data},
            });
            if big {
                let applied = secret.to_string();
                secret["metadata"]["annotations"] =
                    json!({"kubectl.kubernetes.io/last-applied-configuration": applied});
            }
            bytes += secret.to_string().len();
            store.insert(Resource::Secret, secret).unwrap();
        }
    }
    bytes
}

fn registry_input(name: &str, description: &str) -> RegistryInput {
    RegistryInput {
        scope: Scope::Project {
            project: PROJECT.into(),
        },
        name: name.into(),
        credentials: vec![HostCredential::new("ghcr.io", "ci-bot", "bench password")],
        description: description.into(),
        attachment: Attachment::None,
        test_credential: false,
    }
}

async fn join(server: &Server, client: &reqwest::Client, namespace: &str) {
    let args = json!({"namespace": namespace, "project": PROJECT, "confirm": true});
    server.call(client, "set_namespace_project", &args).await;
}

/// The names of regboard's copies in `namespace` (Secrets named `pull-NN`).
fn copies_in(sandbox: &Sandbox, namespace: &str) -> usize {
    let names = sandbox.store().names(Resource::Secret, Some(namespace));
    names.iter().filter(|n| n.starts_with("pull-")).count()
}

async fn wait_for_copies(sandbox: &Sandbox, members: usize, registries: usize) {
    poll(Duration::from_secs(600), Duration::from_millis(100), || {
        (0..members).all(|i| copies_in(sandbox, &format!("scale-{i:05}")) == registries)
    })
    .await;
}

async fn wait_for_namespace_copies(sandbox: &Sandbox, namespace: &str, registries: usize) {
    poll(Duration::from_secs(30), Duration::from_millis(1), || {
        copies_in(sandbox, namespace) == registries
    })
    .await;
}

/// The `.dockerconfigjson` of the copy of `pull-00` in `namespace`.
fn copy_data(sandbox: &Sandbox, namespace: &str) -> Option<String> {
    let copy = sandbox
        .store()
        .get(Resource::Secret, namespace, "pull-00")?;
    copy["data"][".dockerconfigjson"]
        .as_str()
        .map(str::to_owned)
}

/// Waits until no copy of `pull-00` in the first `members` namespaces
/// holds `old` any more.
async fn wait_for_new_data(sandbox: &Sandbox, members: usize, old: &str) {
    poll(Duration::from_secs(120), Duration::from_millis(20), || {
        (0..members).all(|i| copy_data(sandbox, &format!("scale-{i:05}")).is_some_and(|d| d != old))
    })
    .await;
}

async fn poll(limit: Duration, every: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out after {limit:?}");
        tokio::time::sleep(every).await;
    }
}

/// regboard as its own process on the sandbox.
struct Server {
    child: Child,
    url: String,
    ready_ms: f64,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(sandbox: &Sandbox) -> Server {
        let bin = env!("CARGO_BIN_EXE_regboard");
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(&kubeconfig, sandbox.kubeconfig_yaml()).unwrap();
        let database = dir.path().join("regboard.db");
        let mut create = Command::new(bin)
            .args(["admin", "create-user", "--admin", ADMIN, "--database"])
            .arg(&database)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        writeln!(create.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        assert!(create.wait().unwrap().success(), "admin create-user");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let started = Instant::now();
        let child = Command::new(bin)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--kubeconfig",
            ])
            .arg(&kubeconfig)
            .arg("--database")
            .arg(&database)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let probe = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(300);
        while !probe
            .get(format!("{url}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            assert!(Instant::now() < deadline, "regboard did not become ready");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let ready_ms = started.elapsed().as_secs_f64() * 1e3;
        Server {
            child,
            url,
            ready_ms,
            _dir: dir,
        }
    }

    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        kb / 1024.0
    }

    async fn signed_in(&self) -> reqwest::Client {
        let response = reqwest::Client::new()
            .post(format!("{}/api/login", self.url))
            .form(&[("name", ADMIN), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "login");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("regboard_session="))
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_owned();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("cookie", cookie.parse().unwrap());
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap()
    }

    async fn call(&self, client: &reqwest::Client, endpoint: &str, args: &impl serde::Serialize) {
        let response = client
            .post(format!("{}/api/{endpoint}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_qs::to_string(args).unwrap())
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status.is_success(),
            "{endpoint}: {}",
            response.text().await.unwrap()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
