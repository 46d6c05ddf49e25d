//! Spawning the app for a test: a fresh SQLite file, its own sandbox
//! cluster (or a cluster that cannot be reached), a random port.

use std::net::SocketAddr;
use std::time::Duration;

use regboard_app::domain::secret::Password;
use regboard_app::model::cluster::ClusterMode;
use regboard_sandbox::{Sandbox, SandboxOptions, Seed};
use regboard_server::access::{Access, AccessOptions};
use regboard_server::audit::AuditLog;
use regboard_server::cluster::{Connection, KubeCluster};
use regboard_server::reconcile::ReconcileOptions;
use regboard_server::startup::{self, StartOptions};
use sqlx::SqlitePool;
use tempfile::TempDir;

/// A running server with its own database and cluster.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The state it serves (a test may serve it again, changed).
    pub state: regboard_server::AppState,
    /// Its database pool (shared with the server).
    pub db: SqlitePool,
    /// An HTTP client for the dashboard, signed in as the admin [`ADMIN`].
    pub client: reqwest::Client,
    /// An HTTP client with no session.
    pub anonymous: reqwest::Client,
    /// The sandbox behind it, when there is one.
    pub sandbox: Option<Sandbox>,
    /// The cluster service the server uses.
    pub cluster: KubeCluster,
    /// The audit log the server writes (same database).
    pub audit: AuditLog,
    /// The access service the server uses.
    pub access: Access,
    /// The reconciler the server runs.
    pub reconciler: regboard_server::reconcile::Reconciler,
    /// The database file.
    pub db_path: std::path::PathBuf,
    /// Where the metrics listener listens, when the test asked for one.
    pub metrics_addr: Option<SocketAddr>,
    _dir: TempDir,
}

impl TestApp {
    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// GETs `path` and returns status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// A kube client for the sandbox, to change the cluster behind the app.
    pub fn kube(&self) -> kube::Client {
        self.sandbox.as_ref().expect("a sandbox").client().unwrap()
    }
}

/// Starts the app on its own sandbox with the demo seed.
pub async fn spawn_app() -> TestApp {
    spawn_with_sandbox(Seed::Demo, |_| {}).await
}

/// Starts the app on its own sandbox with `seed`, after `prepare` ran on it
/// (to inject faults before the app's first request).
pub async fn spawn_with_sandbox(seed: Seed, prepare: impl FnOnce(&Sandbox)) -> TestApp {
    spawn_sandboxed(seed, prepare, |_| {}).await
}

/// Starts the app on its own demo sandbox with its start options changed
/// by `configure`.
pub async fn spawn_configured(configure: impl FnOnce(&mut StartOptions)) -> TestApp {
    spawn_sandboxed(Seed::Demo, |_| {}, configure).await
}

async fn spawn_sandboxed(
    seed: Seed,
    prepare: impl FnOnce(&Sandbox),
    configure: impl FnOnce(&mut StartOptions),
) -> TestApp {
    let sandbox = Sandbox::start(SandboxOptions::new("127.0.0.1:0".parse().unwrap(), seed))
        .await
        .unwrap();
    prepare(&sandbox);
    let connection = Connection {
        client: regboard_server::cluster::client(sandbox.kube_config()).unwrap(),
        mode: ClusterMode::Sandbox,
        server_url: sandbox.url(),
        sandbox: None,
    };
    spawn_on(connection, Some(sandbox), configure).await
}

/// Starts the app on `sandbox` (started by the test, e.g. with RBAC
/// authorization on), connected with bearer `token`; [`TestApp::kube`] is
/// then the sandbox's admin.
pub async fn spawn_on_sandbox_as(sandbox: Sandbox, token: &str) -> TestApp {
    let connection = Connection {
        client: regboard_server::cluster::client(sandbox.kube_config_as(token)).unwrap(),
        mode: ClusterMode::Sandbox,
        server_url: sandbox.url(),
        sandbox: None,
    };
    spawn_on(connection, Some(sandbox), |_| {}).await
}

/// Starts the app against an API server address where nothing listens.
pub async fn spawn_unreachable() -> TestApp {
    // Port 1 on loopback: nothing listens there, so every connection is
    // refused at once. A port bound and released here could be taken by a
    // server another test starts meanwhile, which then accepts and hangs.
    let url = "http://127.0.0.1:1".to_owned();
    let config = kube::Config::new(url.parse().unwrap());
    let connection = Connection {
        client: regboard_server::cluster::client(config).unwrap(),
        mode: ClusterMode::Kubeconfig {
            context: "unreachable-test".into(),
        },
        server_url: url,
        sandbox: None,
    };
    spawn_on(connection, None, |_| {}).await
}

async fn spawn_on(
    connection: Connection,
    sandbox: Option<Sandbox>,
    configure: impl FnOnce(&mut StartOptions),
) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("regboard.db");
    let mut options = StartOptions {
        database: db_path.clone(),
        listen: "127.0.0.1:0".parse().unwrap(),
        reconcile: reconcile_options(),
        access: AccessOptions::default(),
        first_check_wait: Duration::from_secs(5),
        trusted_proxies: Default::default(),
        metrics: Default::default(),
        // No periodic tests unless a test asks (it would knock on ghcr.io).
        credential_check: regboard_server::credcheck::CredCheckOptions {
            interval: None,
            ..Default::default()
        },
    };
    configure(&mut options);
    let running = startup::start(&connection, options).await.unwrap();
    let state = running.state.clone();
    let listener = running.listener;
    tokio::spawn(async move {
        let app =
            regboard_server::router(state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });
    let mut app = TestApp {
        addr: running.addr,
        state: running.state.clone(),
        db: running.state.db.clone(),
        client: reqwest::Client::new(),
        anonymous: reqwest::Client::new(),
        sandbox,
        cluster: running.state.cluster.clone(),
        audit: running.state.audit.clone(),
        access: running.state.access.clone(),
        reconciler: running.reconciler.clone(),
        db_path,
        metrics_addr: running.metrics_addr,
        _dir: dir,
    };
    app.create_user(ADMIN, true).await;
    app.client = app.login(ADMIN, PASSWORD).await;
    app
}

/// The admin every test app starts with; `TestApp::client` is signed in as it.
pub const ADMIN: &str = "admin";
/// The password of every user tests create.
pub const PASSWORD: &str = "test password that is long";

impl TestApp {
    /// Creates a user with [`PASSWORD`] straight in the store; returns its id.
    pub async fn create_user(&self, name: &str, admin: bool) -> i64 {
        let hash = self
            .access
            .passwords()
            .hash(&Password::new(PASSWORD))
            .await
            .unwrap();
        regboard_server::access::store::insert_user(&self.db, name, &hash, admin)
            .await
            .unwrap()
    }

    /// Signs in through `/api/login`; panics unless it works.
    pub async fn login(&self, name: &str, password: &str) -> reqwest::Client {
        let (status, cookie, body) = self.try_login(name, password).await;
        assert_eq!(status, 200, "login as {name}: {body}");
        client_with_cookie(&cookie.expect("a session cookie"))
    }

    /// Posts `/api/login`; returns status, the `name=value` of the session
    /// cookie set (if any) and the body.
    pub async fn try_login(&self, name: &str, password: &str) -> (u16, Option<String>, String) {
        let response = self
            .anonymous
            .post(self.url("/api/login"))
            .form(&[("name", name), ("password", password)])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let cookie = session_cookie(response.headers());
        (status, cookie, response.text().await.unwrap())
    }
}

/// The `name=value` part of the `Set-Cookie` for the session, if any.
pub fn session_cookie(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("regboard_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// A client that sends `cookie` (`name=value`) with every request, as a
/// browser would (reqwest's own jar keeps Secure cookies off plain http).
pub fn client_with_cookie(cookie: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        reqwest::header::HeaderValue::from_str(cookie).unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// Reconciler settings for tests: the default concurrency bounds, a short resync.
pub fn reconcile_options() -> ReconcileOptions {
    ReconcileOptions {
        system_namespace: "regboard-system".into(),
        concurrency: regboard_server::reconcile::Bounds::defaults(),
        resync_interval: Duration::from_secs(2),
        call_timeout: Duration::from_secs(1),
    }
}
