//! The regboard sandbox: an in-process emulation of the Kubernetes API (core/v1
//! namespaces, configmaps, secrets, serviceaccounts, pods, events, services,
//! persistentvolumeclaims; apps/v1 deployments; networking.k8s.io/v1 ingresses;
//! coordination.k8s.io/v1 leases; rbac.authorization.k8s.io/v1 roles and bindings),
//! served over HTTP on a loopback port so that kube-rs and the real `kubectl` talk to it
//! as to a cluster.
//!
//! ```text
//!  kube-rs / kubectl ──HTTP──▶ axum fallback `http::dispatch`
//!                               │ Target::parse(path)         (/version, /api, /apis/{g}/{v}, /openapi/*,
//!                               │                              /api[s/{g}]/{v}/[namespaces/{ns}/]{res}[/{name}])
//!                               │ Faults::consult             (latency, hang, fail Nth / fraction)
//!                               │ Faults::admit (throttle)    (429 beyond N in flight per client, as APF)
//!                               │ auth::Gate::check           (bearer token → identity → RBAC, 401/403,
//!                               │                              every decision to the Recorder)
//!                               ├─ discovery documents, OpenAPI v2/v3 (openapi)
//!                               ├─ http::handlers  ── GET/list ─▶ Store::list (selectors, limit/continue)
//!                               │    POST/PUT/PATCH/DELETE ─────▶ Store::{create,update,patch,delete}
//!                               │    PATCH apply-patch+yaml ────▶ Store::apply (managed: field owners, 409)
//!                               │       object::decode_body → object::normalize → validate
//!                               │       write lock: rv+1, commit Change → history + broadcast
//!                               │    Accept: as=Table ─────────▶ http::table (kubectl printing)
//!                               │    Accept: as=PartialObjectMetadata[List] ─▶ metadata only
//!                               └─ watch::serve ─▶ Store::watch (replay) + broadcast ─▶ NDJSON stream
//!  Store broadcast (Pod ADDED) ─▶ kubelet: pull images ─▶ pod status + Events
//! ```
//!
//! Errors are Kubernetes `Status` bodies ([`status::ApiStatus`]) worded like kube-apiserver
//! (except the throttle's 429, plain text as kube-apiserver's).

pub mod auth;
pub mod error;
pub mod faults;
mod http;
pub mod kubelet;
mod lists;
mod managed;
mod object;
mod openapi;
mod patch;
mod proto;
pub mod resource;
mod seed;
mod selector;
pub mod status;
pub mod store;
mod throttle;
mod validate;
mod watch;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::sync::watch as signal;
use tokio::task::JoinHandle;

pub use auth::recorder::{unused_grants, Access, Grant, Recorder};
pub use auth::{Authorization, Identity};
pub use error::Error;
pub use faults::{Counter, Faults, RequestMatch};
pub use kubelet::pull::Registries;
pub use resource::Resource;
pub use seed::{docker_config_json, Seed, DEMO_REGISTRY, PROJECT_LABEL};
pub use store::Store;

/// The Kubernetes version the sandbox claims to be.
pub const VERSION: &str = "v1.33.0-sandbox";
/// The name of the kubeconfig cluster, context and user written by [`Sandbox::kubeconfig_yaml`].
pub const KUBECONFIG_NAME: &str = "regboard-sandbox";
/// Default interval between watch BOOKMARK events.
pub const DEFAULT_BOOKMARK_INTERVAL: Duration = Duration::from_secs(30);

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The initial contents.
    pub seed: Seed,
    /// Which registries the simulated kubelet treats as public, and which logins it
    /// checks against a real registry.
    pub registries: Registries,
    /// Delay between a pod's `ErrImagePull` and its `ImagePullBackOff`.
    pub pull_backoff: Duration,
    /// `Some`: requests need a bearer token and pass RBAC (see [`Authorization`]);
    /// `None` (the default): everything is allowed.
    pub authorization: Option<Authorization>,
}

impl SandboxOptions {
    /// Options listening on `listen` with `seed`.
    pub fn new(listen: SocketAddr, seed: Seed) -> Self {
        SandboxOptions {
            listen,
            seed,
            registries: Registries::default(),
            pull_backoff: kubelet::DEFAULT_PULL_BACKOFF,
            authorization: None,
        }
    }

    /// These options with authorization on.
    pub fn with_authorization(mut self, authorization: Authorization) -> Self {
        self.authorization = Some(authorization);
        self
    }
}

impl Default for SandboxOptions {
    /// `127.0.0.1:0` with the demo seed.
    fn default() -> Self {
        SandboxOptions::new(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), Seed::Demo)
    }
}

/// A running sandbox API server. Dropping it stops the server; prefer [`Sandbox::shutdown`].
pub struct Sandbox {
    addr: SocketAddr,
    store: Arc<Store>,
    faults: Faults,
    bookmark_ms: Arc<AtomicU64>,
    gate: Arc<auth::Gate>,
    admin_token: Option<String>,
    stop: signal::Sender<bool>,
    task: Option<JoinHandle<()>>,
    kubelet: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Seeds the store, binds `opts.listen` and serves the API on a spawned task.
    pub async fn start(opts: SandboxOptions) -> Result<Sandbox, Error> {
        let store = Arc::new(Store::new());
        seed::apply(&store, opts.seed)?;
        let (gate, admin_token) = authorize(&store, opts.authorization.as_ref())?;
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: opts.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: opts.listen,
            source,
        })?;
        let (stop, stopped) = signal::channel(false);
        let faults = Faults::default();
        let bookmark_ms = Arc::new(AtomicU64::new(DEFAULT_BOOKMARK_INTERVAL.as_millis() as u64));
        let app = http::App {
            store: store.clone(),
            faults: faults.clone(),
            version: Arc::from(VERSION),
            bookmark_ms: bookmark_ms.clone(),
            shutdown: stopped.clone(),
            gate: gate.clone(),
        };
        let router = http::router(app);
        let node = kubelet::Kubelet {
            store: store.clone(),
            registries: Arc::new(opts.registries.clone()),
            backoff: opts.pull_backoff,
            shutdown: stopped.clone(),
        };
        let kubelet = node.start().await;
        // kube-apiserver (Go's net package) sets TCP_NODELAY on every connection. Without
        // it, Nagle's algorithm holds each small watch event until the client's delayed
        // ACK (up to 40 ms on Linux), so watchers see changes tens of milliseconds late.
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let mut until = stopped;
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = until.wait_for(|stop| *stop).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the sandbox API server stopped with an error");
            }
        });
        tracing::info!(%addr, seed = %opts.seed, "sandbox Kubernetes API listening");
        Ok(Sandbox {
            addr,
            store,
            faults,
            bookmark_ms,
            gate,
            admin_token,
            stop,
            task: Some(task),
            kubelet: Some(kubelet),
        })
    }

    /// The bound address (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (a wildcard listen address is reached over loopback).
    pub fn url(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// A kube config for this sandbox: 5 s connect timeout, no read timeout (watches are
    /// long-lived), namespace `default`; with authorization on, as the admin.
    pub fn kube_config(&self) -> kube::Config {
        self.kube_config_with(self.admin_token.as_deref())
    }

    /// A kube config that presents bearer `token` (see [`Authorization::token`]).
    pub fn kube_config_as(&self, token: &str) -> kube::Config {
        self.kube_config_with(Some(token))
    }

    fn kube_config_with(&self, token: Option<&str>) -> kube::Config {
        let uri = self
            .url()
            .parse()
            .unwrap_or_else(|_| ::http::Uri::from_static("http://127.0.0.1/"));
        let mut config = kube::Config::new(uri);
        config.connect_timeout = Some(Duration::from_secs(5));
        config.read_timeout = None;
        config.write_timeout = Some(Duration::from_secs(30));
        config.auth_info.token = token.map(|t| t.to_string().into());
        config
    }

    /// A kube client for this sandbox (the admin when authorization is on).
    pub fn client(&self) -> Result<kube::Client, Error> {
        Ok(kube::Client::try_from(self.kube_config())?)
    }

    /// A kube client presenting bearer `token`.
    pub fn client_as(&self, token: &str) -> Result<kube::Client, Error> {
        Ok(kube::Client::try_from(self.kube_config_as(token))?)
    }

    /// A kubeconfig whose cluster, context and user are all named `regboard-sandbox`
    /// (with the admin token when authorization is on).
    pub fn kubeconfig_yaml(&self) -> String {
        self.kubeconfig_yaml_with(self.admin_token.as_deref())
    }

    /// [`Sandbox::kubeconfig_yaml`] whose user presents bearer `token`.
    pub fn kubeconfig_yaml_as(&self, token: &str) -> String {
        self.kubeconfig_yaml_with(Some(token))
    }

    fn kubeconfig_yaml_with(&self, token: Option<&str>) -> String {
        let user = match token {
            Some(token) => format!("\n    token: {token}\n"),
            None => " {}\n".to_string(),
        };
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {n}\n  cluster:\n    server: {url}\n\
             contexts:\n- name: {n}\n  context:\n    cluster: {n}\n    user: {n}\n    namespace: default\n\
             current-context: {n}\nusers:\n- name: {n}\n  user:{user}preferences: {{}}\n",
            n = KUBECONFIG_NAME,
            url = self.url()
        )
    }

    /// The token of the `system:masters` user `kubernetes-admin`, when authorization is on.
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    /// Every authorization decision so far, per identity.
    pub fn recorder(&self) -> &Recorder {
        &self.gate.recorder
    }

    /// The `gitVersion` served at `/version`.
    pub fn version(&self) -> &str {
        VERSION
    }

    /// Latency and fault injection control.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The cluster state, for seeding and inspection in tests.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Retains only the last `limit` changes for watch resumption (default 10 000), so
    /// tests can provoke `410 Expired`.
    pub fn set_history_limit(&self, limit: usize) {
        self.store.set_history_limit(limit);
    }

    /// Sets the interval between BOOKMARK events on watches started from now on.
    pub fn set_bookmark_interval(&self, interval: Duration) {
        self.bookmark_ms
            .store(interval.as_millis().max(10) as u64, Ordering::Relaxed);
    }

    /// Stops accepting requests, ends open watches and waits (up to 5 s) for the server.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
        if let Some(kubelet) = self.kubelet.take() {
            kubelet.abort();
        }
    }
}

/// The gate requests pass and the admin token (authorization on: after the given
/// manifests are loaded into `store`).
fn authorize(
    store: &Store,
    authorization: Option<&Authorization>,
) -> Result<(Arc<auth::Gate>, Option<String>), Error> {
    let admin_token = authorization.map(|_| uuid::Uuid::new_v4().simple().to_string());
    let gate = auth::Gate::new(authorization, admin_token.as_deref().unwrap_or(""));
    for manifest in authorization.iter().flat_map(|a| a.manifests()) {
        store.upsert(manifest.clone())?;
    }
    Ok((Arc::new(gate), admin_token))
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(kubelet) = self.kubelet.take() {
            kubelet.abort();
        }
    }
}
