//! The real kubectl against a test app's sandbox, for the flows a person
//! runs by hand beside regboard (`kubectl create secret docker-registry`,
//! `kubectl apply -f` of an export, `kubectl kustomize`). When kubectl is
//! missing the test says so and does not run; under `CI=true` it fails.
//! `KUBECTL` names another binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::TestApp;

/// kubectl configured for one app's sandbox, with its own cache.
pub struct Kubectl {
    binary: String,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

impl Kubectl {
    /// kubectl for `app`'s sandbox, or `None` (after saying so) when it
    /// cannot be run; panics instead under `CI=true`.
    pub fn for_app(app: &TestApp) -> Option<Kubectl> {
        let binary = std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl".to_owned());
        let found = Command::new(&binary)
            .args(["version", "--client"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "kubectl is required under CI=true: {binary} could not be run"
            );
            eprintln!("SKIPPED: kubectl ({binary}) is not installed; this test did not run");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        let sandbox = app.sandbox.as_ref().expect("a sandbox");
        std::fs::write(&kubeconfig, sandbox.kubeconfig_yaml()).unwrap();
        Some(Kubectl {
            binary,
            dir,
            kubeconfig,
        })
    }

    /// A directory of this kubectl's own, for files to apply or build.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs kubectl with `args` on a blocking thread; panics unless it
    /// succeeds, and returns its standard output.
    pub async fn ok(&self, args: &[&str]) -> String {
        let (binary, config) = (self.binary.clone(), self.kubeconfig.clone());
        let cache = self.dir.path().join("cache");
        let owned: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let out = tokio::task::spawn_blocking(move || {
            Command::new(&binary)
                .arg("--kubeconfig")
                .arg(&config)
                .arg("--cache-dir")
                .arg(&cache)
                .args(&owned)
                .env_remove("KUBECONFIG")
                .output()
        })
        .await
        .unwrap()
        .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        assert!(
            out.status.success(),
            "kubectl {args:?} failed:\n{}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }
}
