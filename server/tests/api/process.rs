//! Running the real `regboard serve` binary against a sandbox the test owns,
//! with its stderr (the log) captured.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running `regboard serve`.
pub struct Regboard {
    /// Its base URL.
    pub url: String,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Regboard {
    /// Starts `regboard serve --kubeconfig <kubeconfig> --database <db>` plus
    /// `extra` flags, and waits until it listens.
    pub fn start(kubeconfig: &Path, db: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_regboard"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--database")
            .arg(db)
            .args(extra)
            .env("RUST_LOG", "debug")
            .env_remove("KUBECONFIG")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    // Up to the end of the URL: the rest of a text line, or
                    // the closing quote of a JSON message.
                    let url = rest.split(['"', ' ']).next().unwrap_or_default();
                    let _ = tx.send(url.trim().to_owned());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("regboard listens");
        Self { url, child, log }
    }

    /// Kills the process without warning (SIGKILL).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the process gracefully and returns its whole log.
    pub fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        self.log.lock().unwrap().join("\n")
    }
}

/// A demo sandbox, a kubeconfig pointing at it in `dir`, and the path of a
/// fresh database there: what a `regboard serve` process test starts from.
pub async fn demo_cluster(
    dir: &Path,
) -> (
    regboard_sandbox::Sandbox,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    use regboard_sandbox::{Sandbox, SandboxOptions, Seed};
    let sandbox = Sandbox::start(SandboxOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        Seed::Demo,
    ))
    .await
    .unwrap();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, sandbox.kubeconfig_yaml()).unwrap();
    (sandbox, kubeconfig, dir.join("regboard.db"))
}

/// Creates an admin in the database `db` with `regboard admin create-user
/// --admin`, the password on stdin as a script would pass it.
pub fn create_admin(db: &Path, name: &str, password: &str) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_regboard"))
        .args(["admin", "create-user", "--admin", name, "--database"])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "create-user failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Signs in at the server `url`; a client that sends the session cookie.
pub async fn sign_in(url: &str, name: &str, password: &str) -> reqwest::Client {
    let response = reqwest::Client::new()
        .post(format!("{url}/api/login"))
        .form(&[("name", name), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "sign in as {name}");
    let cookie = crate::helpers::session_cookie(response.headers()).expect("a session cookie");
    crate::helpers::client_with_cookie(&cookie)
}
