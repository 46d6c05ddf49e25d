//! The real `regboard` binary: startup, clear failures, graceful shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn regboard() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_regboard"));
    cmd.env_remove("RUST_LOG")
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs to completion and returns (exit code, stderr).
fn run_failing(args: &[&str]) -> (i32, String) {
    let out = regboard().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_sentence(stderr: &str) {
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = lines.last().copied().unwrap_or_default();
    assert!(last.starts_with("regboard: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn a_database_path_under_a_file_gives_one_clear_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let db = file.join("regboard.db");
    let (code, stderr) = run_failing(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--database",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_one_sentence(&stderr);
    assert!(stderr.contains("cannot open the database at"), "{stderr}");
    assert!(stderr.contains("is a file, not a directory"), "{stderr}");
}

#[test]
fn a_bad_flag_gives_one_clear_sentence_and_exit_code_2() {
    let (code, stderr) = run_failing(&["serve", "--listen", "not-an-address"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("invalid value 'not-an-address'"),
        "{stderr}"
    );
}

#[test]
fn a_port_in_use_gives_one_clear_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let db = dir.path().join("r.db");
    let (code, stderr) = run_failing(&[
        "serve",
        "--listen",
        &addr,
        "--database",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_one_sentence(&stderr);
    assert!(
        stderr.contains(&format!(
            "cannot listen on {addr}: the address is already in use"
        )),
        "{stderr}"
    );
}

#[test]
fn serve_starts_on_a_random_port_with_a_fresh_database_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh/regboard.db");
    let mut child = regboard()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            db.to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("listening on ").nth(1).map(str::to_owned))
        .expect("the server logs where it listens");
    let body = raw_http::get(&format!("{url}/")).unwrap();
    assert!(
        body.contains("303 See Other") && body.contains("location: /login?next=%2F"),
        "{body}"
    );
    let body = raw_http::get(&format!("{url}/login")).unwrap();
    assert!(
        body.contains("regboard") && body.contains("Sign in"),
        "{body}"
    );
    assert!(db.exists(), "the database and its parent were created");

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = wait_with_timeout(&mut child, Duration::from_secs(20));
    assert_eq!(status, Some(0), "graceful shutdown exits 0");
}

fn wait_with_timeout(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

/// A tiny blocking GET without pulling reqwest's blocking feature.
mod raw_http {
    pub fn get(url: &str) -> std::io::Result<String> {
        use std::io::{Read, Write};
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest
            .split_once('/')
            .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
        let mut stream = std::net::TcpStream::connect(host)?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )?;
        let mut body = String::new();
        stream.read_to_string(&mut body)?;
        Ok(body)
    }
}
