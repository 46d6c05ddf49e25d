//! `DockerConfig::for_hosts` writes exactly what `kubectl create secret
//! docker-registry` writes.
//!
//! For each case, runs `kubectl create secret docker-registry … --dry-run=client
//! -o json` and checks that the Secret has type `kubernetes.io/dockerconfigjson`,
//! a single data key `.dockerconfigjson`, and that its decoded JSON equals
//! regboard's document as JSON values (and parses back to the same
//! credentials). Skips with a message when kubectl is not installed, except
//! under `CI=true`, where a missing kubectl fails the test; set `KUBECTL` to
//! use another binary.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;
use serde_json::Value;

struct Case {
    server: &'static str,
    username: &'static str,
    password: &'static str,
    email: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        server: "https://index.docker.io/v1/",
        username: "alice",
        password: "s3cret",
        email: Some("alice@example.com"),
    },
    Case {
        server: "registry.local:5000",
        username: "bot",
        password: "p:a\"ss:word",
        email: None,
    },
    Case {
        server: "10.0.0.7:8443",
        username: "robot$ci",
        password: "<&>\\ üñï€ \u{2028}",
        email: None,
    },
    Case {
        server: "ghcr.io",
        username: "ünïcode",
        password: "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        email: Some(""),
    },
    Case {
        server: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        username: "AWS",
        password: "eyJwYXlsb2FkIjoi==",
        email: Some("ops@example.com"),
    },
];

/// A kubeconfig that points nowhere: client dry-run never contacts it, but
/// kubectl builds a client anyway and, for a user without credentials, asks
/// for a username on stdin (which fails with "error: EOF"), so it has a token.
const KUBECONFIG: &str = "apiVersion: v1
kind: Config
clusters:
- name: none
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: none
  context:
    cluster: none
    user: none
current-context: none
users:
- name: none
  user:
    token: unused
";

fn kubeconfig_path() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("regboard-kubectl-eq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let path = dir.join("kubeconfig");
    std::fs::write(&path, KUBECONFIG).expect("write temp kubeconfig");
    path
}

/// The Secret kubectl would create, or `None` when kubectl is absent.
fn kubectl_secret(kubectl: &str, kubeconfig: &PathBuf, case: &Case) -> Option<Value> {
    let mut cmd = Command::new(kubectl);
    cmd.env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::null())
        .args(["create", "secret", "docker-registry", "regcred"])
        .arg(format!("--docker-server={}", case.server))
        .arg(format!("--docker-username={}", case.username))
        .arg(format!("--docker-password={}", case.password));
    if let Some(email) = case.email {
        cmd.arg(format!("--docker-email={email}"));
    }
    cmd.args(["--dry-run=client", "-o", "json"]);
    let output = match cmd.output() {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => return None,
        Err(e) => panic!("running {kubectl}: {e}"),
    };
    assert!(
        output.status.success(),
        "kubectl failed for server {}: {}",
        case.server,
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("kubectl prints JSON"))
}

#[test]
fn for_hosts_matches_kubectl_create_secret_docker_registry() {
    let kubectl = std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl".to_owned());
    let kubeconfig = kubeconfig_path();
    for case in CASES {
        let Some(secret) = kubectl_secret(&kubectl, &kubeconfig, case) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "kubectl is required under CI=true: {kubectl} was not found \
                 (install kubectl or set KUBECTL to its path)"
            );
            println!("SKIPPED: kubectl not found ({kubectl}); kubectl equivalence not checked");
            return;
        };
        let server = case.server;
        assert_eq!(secret["type"], "kubernetes.io/dockerconfigjson", "{server}");
        let data = secret["data"].as_object().expect("data is an object");
        assert_eq!(
            data.keys().collect::<Vec<_>>(),
            vec![".dockerconfigjson"],
            "{server}"
        );
        let encoded = data[".dockerconfigjson"].as_str().expect("base64 string");
        let kubectl_doc = STANDARD.decode(encoded).expect("valid base64");
        let kubectl_json: Value = serde_json::from_slice(&kubectl_doc).expect("JSON document");

        let password = Password::new(case.password);
        let ours =
            DockerConfig::for_hosts(&[server.to_owned()], case.username, &password, case.email);
        let ours_json: Value = serde_json::from_str(&ours.to_json()).expect("our JSON");
        assert_eq!(ours_json, kubectl_json, "{server}");

        let parsed = DockerConfig::parse_dockerconfigjson(&kubectl_doc)
            .expect("we parse kubectl's document");
        assert_eq!(parsed, ours, "{server}");
        assert_eq!(
            parsed.username_password(server),
            Some((case.username.to_owned(), password.clone())),
            "{server}"
        );
    }
    let _ = std::fs::remove_dir_all(kubeconfig.parent().expect("temp dir"));
    println!("kubectl equivalence checked for {} cases", CASES.len());
}
