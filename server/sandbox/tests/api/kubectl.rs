//! The real kubectl against the sandbox (skipped, with a message, when kubectl is absent;
//! under `CI=true` a missing kubectl fails instead). `KUBECTL` names another binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use regboard_sandbox::{Sandbox, Seed};

use crate::sandbox;

/// The kubectl binary: `$KUBECTL`, or `kubectl` on the PATH.
fn kubectl_binary() -> String {
    std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl".to_owned())
}

pub(crate) struct Kubectl {
    binary: String,
    _dir: tempfile::TempDir,
    kubeconfig: PathBuf,
    cache: PathBuf,
}

impl Kubectl {
    /// A kubectl configured for `sb`, or `None` (after saying so) when kubectl is
    /// missing; panics instead under `CI=true`, so CI never passes a test that did not run.
    pub(crate) fn new(sb: &Sandbox) -> Option<Kubectl> {
        let binary = kubectl_binary();
        let found = Command::new(&binary)
            .arg("version")
            .arg("--client")
            .output()
            .is_ok();
        if !found {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "kubectl is required under CI=true: {binary} could not be run \
                 (install kubectl or set KUBECTL to its path)"
            );
            eprintln!("SKIPPED: kubectl ({binary}) is not installed; the kubectl fidelity test did not run");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(&kubeconfig, sb.kubeconfig_yaml()).unwrap();
        let cache = dir.path().join("cache");
        Some(Kubectl {
            binary,
            _dir: dir,
            kubeconfig,
            cache,
        })
    }

    /// Runs kubectl on a blocking thread; returns (success, stdout, stderr).
    pub(crate) async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let (config, cache) = (self.kubeconfig.clone(), self.cache.clone());
        let binary = self.binary.clone();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let out = tokio::task::spawn_blocking(move || {
            Command::new(&binary)
                .arg("--kubeconfig")
                .arg(&config)
                .arg("--cache-dir")
                .arg(&cache)
                .args(&args)
                .env_remove("KUBECONFIG")
                .output()
        })
        .await
        .unwrap()
        .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    }

    pub(crate) async fn ok(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.run(args).await;
        assert!(ok, "kubectl {args:?} failed:\n{out}\n{err}");
        out
    }

    pub(crate) fn dir(&self) -> &Path {
        self.kubeconfig.parent().unwrap()
    }
}

#[tokio::test]
async fn kubectl_drives_the_sandbox() {
    let sb = sandbox(Seed::Demo).await;
    let Some(k) = Kubectl::new(&sb) else { return };

    let version = k.ok(&["version", "-o", "json"]).await;
    assert!(version.contains("v1.33.0-sandbox"), "{version}");

    let namespaces = k.ok(&["get", "namespaces"]).await;
    let header = namespaces.lines().next().unwrap();
    assert!(
        header.starts_with("NAME") && header.contains("STATUS") && header.contains("AGE"),
        "{namespaces}"
    );
    for ns in [
        "default",
        "kube-system",
        "regboard-system",
        "payments-dev",
        "search-prod",
        "data-pipeline",
    ] {
        assert!(
            namespaces
                .lines()
                .any(|l| l.split_whitespace().next() == Some(ns)),
            "{ns} missing:\n{namespaces}"
        );
    }

    let manifest = k.dir().join("secret.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: from-file\n  namespace: sandbox-scratch\nstringData:\n  k: v\n",
    )
    .unwrap();
    let created = k
        .ok(&[
            "create",
            "-f",
            manifest.to_str().unwrap(),
            "--validate=false",
        ])
        .await;
    assert_eq!(created.trim(), "secret/from-file created");

    let created = k
        .ok(&[
            "create",
            "secret",
            "docker-registry",
            "regcred",
            "--docker-server=registry.example.com",
            "--docker-username=robot",
            "--docker-password=s3cret",
            "-n",
            "sandbox-scratch",
        ])
        .await;
    assert_eq!(created.trim(), "secret/regcred created");
    let json = k
        .ok(&[
            "get",
            "secret",
            "regcred",
            "-n",
            "sandbox-scratch",
            "-o",
            "json",
        ])
        .await;
    let secret: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(secret["type"], "kubernetes.io/dockerconfigjson");
    use base64::Engine as _;
    let raw = secret["data"][".dockerconfigjson"].as_str().unwrap();
    let config: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(raw)
            .unwrap(),
    )
    .unwrap();
    let auth = &config["auths"]["registry.example.com"];
    assert_eq!(
        (auth["username"].as_str(), auth["password"].as_str()),
        (Some("robot"), Some("s3cret"))
    );

    let labelled = k
        .ok(&[
            "label",
            "secret",
            "regcred",
            "team=platform",
            "-n",
            "sandbox-scratch",
        ])
        .await;
    assert_eq!(labelled.trim(), "secret/regcred labeled");
    let shown = k
        .ok(&[
            "get",
            "secrets",
            "-n",
            "sandbox-scratch",
            "-l",
            "team=platform",
            "-o",
            "name",
        ])
        .await;
    assert_eq!(shown.trim(), "secret/regcred");

    let all = k.ok(&["get", "secrets", "-A"]).await;
    assert!(
        all.lines().next().unwrap().starts_with("NAMESPACE"),
        "{all}"
    );
    assert!(
        all.contains("kubernetes.io/dockerconfigjson") && all.contains("regcred"),
        "{all}"
    );

    let deleted = k
        .ok(&["delete", "secret", "regcred", "-n", "sandbox-scratch"])
        .await;
    assert_eq!(deleted.trim(), "secret \"regcred\" deleted");
    let (ok, _, err) = k
        .run(&["get", "secret", "regcred", "-n", "sandbox-scratch"])
        .await;
    assert!(
        !ok && err.contains("secrets \"regcred\" not found"),
        "{err}"
    );

    let pods = k.ok(&["get", "pods", "-n", "payments-staging"]).await;
    assert!(
        pods.contains("ImagePullBackOff") && pods.contains("0/1"),
        "{pods}"
    );
    let events = k.ok(&["get", "events", "-n", "payments-staging"]).await;
    assert!(
        events.contains("BackOff") && events.contains("pod/checkout-"),
        "{events}"
    );
    let described = k.ok(&["describe", "pod", "-n", "payments-staging"]).await;
    assert!(described.contains("Error: ImagePullBackOff"), "{described}");

    let (ok, _, err) = k.run(&["create", "namespace", "Bad_Name"]).await;
    assert!(
        !ok && err.contains("is invalid: metadata.name: Invalid value: \"Bad_Name\""),
        "{err}"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn kubectl_sees_service_accounts_admission_and_image_pulls() {
    let sb = sandbox(Seed::Demo).await;
    let Some(k) = Kubectl::new(&sb) else { return };
    assert_eq!(
        k.ok(&["create", "namespace", "x"]).await.trim(),
        "namespace/x created"
    );
    let sas = k.ok(&["get", "sa", "-n", "x"]).await;
    assert!(
        sas.lines().next().unwrap().starts_with("NAME")
            && sas.lines().any(|l| l.starts_with("default ")),
        "{sas}"
    );
    let manifest = k.dir().join("pods.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: private\n  namespace: x\nspec:\n  containers:\n  - name: app\n    image: ghcr.io/acme/app:1.0\n\
         ---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: public\n  namespace: x\nspec:\n  containers:\n  - name: web\n    image: nginx\n",
    )
    .unwrap();
    let created = k
        .ok(&[
            "create",
            "-f",
            manifest.to_str().unwrap(),
            "--validate=false",
        ])
        .await;
    assert_eq!(created.trim(), "pod/private created\npod/public created");
    let mut pods = String::new();
    for _ in 0..100 {
        pods = k.ok(&["get", "pods", "-n", "x"]).await;
        if pods.contains("ImagePullBackOff") && pods.contains("Running") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let row = |name: &str| {
        pods.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or("")
            .to_string()
    };
    assert!(
        row("private ").contains("0/1") && row("private ").contains("ImagePullBackOff"),
        "{pods}"
    );
    assert!(
        row("public ").contains("1/1") && row("public ").contains("Running"),
        "{pods}"
    );
    let described = k.ok(&["describe", "pod", "private", "-n", "x"]).await;
    for want in [
        "Failed to pull image \"ghcr.io/acme/app:1.0\"",
        "Error: ErrImagePull",
        "Back-off pulling image",
        "Service Account:  default",
    ] {
        assert!(described.contains(want), "{want} missing:\n{described}");
    }
    let robot = k.dir().join("robot.yaml");
    std::fs::write(
        &robot,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: robot\n  namespace: x\nspec:\n  serviceAccountName: robot\n  containers:\n  - name: app\n    image: nginx\n",
    )
    .unwrap();
    let (ok, _, err) = k
        .run(&["create", "-f", robot.to_str().unwrap(), "--validate=false"])
        .await;
    assert!(
        !ok && err.contains("Error from server (Forbidden): error when creating")
            && err.contains("pods \"robot\" is forbidden: error looking up service account x/robot: serviceaccount \"robot\" not found"),
        "{err}"
    );
    let demo = k.ok(&["get", "pods", "-A"]).await;
    assert!(
        demo.contains("ImagePullBackOff") && demo.contains("Running"),
        "{demo}"
    );
    sb.shutdown().await;
}
