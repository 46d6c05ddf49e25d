//! A real Distribution registry (Debian's `docker-registry`, started by the
//! test on a free port with a config written to a tempdir), in htpasswd
//! (Basic) mode or token mode with a token issuer run in-process: an axum
//! handler that checks the Basic login and issues Distribution-compatible
//! JWTs (ES256, with the signing certificate in the `x5c` header; the same
//! self-signed certificate is the registry's `auth.token.rootcertbundle`).
//! Also a "silent" registry: a TCP listener that accepts and never answers.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;

/// The token service name the registry and the issuer agree on.
const SERVICE: &str = "regboard-test-registry";
/// The issuer the registry trusts.
const ISSUER: &str = "regboard-test-issuer";

/// Where Debian's `docker-registry` is. Panics when it is missing under CI
/// (`CI=true`): the credential tests must fail there, not skip.
pub fn docker_registry() -> Option<PathBuf> {
    let found = ["/usr/bin/docker-registry", "/usr/sbin/docker-registry"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "docker-registry is not installed (./dev install puts Debian's docker-registry in place)"
        );
        eprintln!("skipped: docker-registry is not installed (apt-get install docker-registry)");
    }
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `docker-registry`; killed when dropped.
pub struct Registry {
    /// `127.0.0.1:<port>`.
    pub host: String,
    child: Option<Child>,
    dir: tempfile::TempDir,
    /// The token issuer, in token mode.
    pub issuer: Option<Issuer>,
}

impl Registry {
    /// A registry asking HTTP Basic for `username` / `password` (htpasswd).
    pub async fn basic(binary: &Path, username: &str, password: &str) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let hash = bcrypt::hash(password, 5).unwrap();
        let htpasswd = dir.path().join("htpasswd");
        std::fs::write(&htpasswd, format!("{username}:{hash}\n")).unwrap();
        let auth = format!(
            "  htpasswd:\n    realm: regboard-test\n    path: {}\n",
            htpasswd.display()
        );
        Registry::start(binary, dir, &auth, None).await
    }

    /// A registry in token mode whose realm is an in-process issuer that
    /// accepts `username` / `password`; `realm` overrides the issuer's URL.
    pub async fn token(
        binary: &Path,
        username: &str,
        password: &str,
        realm: Option<&str>,
    ) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let issuer = Issuer::start(username, password).await;
        let bundle = dir.path().join("root.pem");
        std::fs::write(&bundle, &issuer.cert_pem).unwrap();
        let realm = realm.map_or_else(|| issuer.realm(), str::to_owned);
        let auth = format!(
            "  token:\n    realm: {realm}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
            bundle.display()
        );
        Registry::start(binary, dir, &auth, Some(issuer)).await
    }

    async fn start(
        binary: &Path,
        dir: tempfile::TempDir,
        auth: &str,
        issuer: Option<Issuer>,
    ) -> Registry {
        let port = free_port();
        let config = dir.path().join("config.yml");
        let storage = dir.path().join("storage");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
                 http:\n  addr: 127.0.0.1:{port}\n  secret: regboard-test-secret\nauth:\n{auth}",
                storage.display()
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(binary)
            .arg("serve")
            .arg(&config)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let registry = Registry {
            host: format!("127.0.0.1:{port}"),
            child: Some(child),
            dir,
            issuer,
        };
        registry.wait_listening().await;
        registry
    }

    async fn wait_listening(&self) {
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(&self.host).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let log = std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default();
        panic!("docker-registry did not listen on {}:\n{log}", self.host);
    }

    /// The hosts the credential test must be told speak plain HTTP.
    pub fn plain_http_hosts(&self) -> Vec<String> {
        let mut hosts = vec![self.host.clone()];
        hosts.extend(self.issuer.as_ref().map(|i| i.addr.to_string()));
        hosts
    }

    /// Stops the registry (its port then refuses connections).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A listener that accepts connections and never answers; its address.
pub async fn silent_listener() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket); // kept open, never written to
        }
    });
    addr
}

/// The in-process token issuer.
pub struct Issuer {
    /// Where it listens.
    pub addr: SocketAddr,
    cert_pem: String,
    scopes: std::sync::Arc<std::sync::Mutex<Vec<Option<String>>>>,
}

#[derive(Clone)]
struct IssuerState {
    /// The `scope` of each token request, in order.
    scopes: std::sync::Arc<std::sync::Mutex<Vec<Option<String>>>>,
    login: (String, String),
    key: jsonwebtoken::EncodingKey,
    cert_der: String,
}

impl Issuer {
    async fn start(username: &str, password: &str) -> Issuer {
        let key = rcgen::KeyPair::generate().unwrap(); // ECDSA P-256
        let params = rcgen::CertificateParams::new(vec![ISSUER.to_owned()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        let scopes = std::sync::Arc::default();
        let state = IssuerState {
            scopes: std::sync::Arc::clone(&scopes),
            login: (username.to_owned(), password.to_owned()),
            key: jsonwebtoken::EncodingKey::from_ec_pem(key.serialize_pem().as_bytes()).unwrap(),
            cert_der: base64::engine::general_purpose::STANDARD.encode(cert.der()),
        };
        let app = axum::Router::new()
            .route("/token", axum::routing::get(issue))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Issuer {
            addr,
            cert_pem: cert.pem(),
            scopes,
        }
    }

    /// The `scope` parameter of the last token request, if any.
    pub fn last_scope(&self) -> Option<String> {
        self.scopes.lock().unwrap().last().cloned().flatten()
    }

    /// The realm URL the registry sends clients to.
    pub fn realm(&self) -> String {
        format!("http://{}/token", self.addr)
    }
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    service: Option<String>,
    scope: Option<String>,
}

/// `GET /token?service=…&scope=…` with HTTP Basic: a JWT for the login it
/// knows, 401 with a Docker-Hub-like error body otherwise.
async fn issue(
    State(state): State<IssuerState>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let login = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    state.scopes.lock().unwrap().push(q.scope.clone());
    let expected = format!("{}:{}", state.login.0, state.login.1);
    if login.as_deref() != Some(expected.as_str()) || q.service.as_deref() != Some(SERVICE) {
        let body = r#"{"details":"incorrect username or password"}"#;
        return (
            StatusCode::UNAUTHORIZED,
            [("content-type", "application/json")],
            body,
        )
            .into_response();
    }
    let access: Vec<serde_json::Value> = q
        .scope
        .iter()
        .filter_map(|s| {
            let mut parts = s.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            Some(serde_json::json!({"type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
        })
        .collect();
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": state.login.0, "aud": SERVICE,
        "exp": now + 300, "nbf": now - 10, "iat": now - 10,
        "jti": uuid::Uuid::new_v4().to_string(), "access": access,
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.x5c = Some(vec![state.cert_der.clone()]);
    let token = jsonwebtoken::encode(&header, &claims, &state.key).unwrap();
    axum::Json(serde_json::json!({"token": token, "access_token": token, "expires_in": 300}))
        .into_response()
}
