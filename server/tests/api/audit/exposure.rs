//! What leaves the audit log: pages, exports, the CLI and the server log —
//! and that a credential never does.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regboard_app::model::audit::{AuditFilter, AuditScope};
use regboard_server::audit::{Actor, NewEvent, Outcome};
use serde_json::json;

use super::{append_n, event, fresh_log, regboard, user};
use crate::helpers::spawn_app;

const CANARY: &str = "canary-Pa55w0rd-7f3a9c";

#[tokio::test]
async fn a_canary_password_never_appears_in_the_database_export_or_pages() {
    let app = spawn_app().await;

    // A registry created through the real server function.
    let body = create_registry_form("payments-dev", "canary-reg", CANARY);
    let response = app
        .client
        .post(app.url("/api/create_registry"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", "<script>alert(1)</script>")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        response.text().await.unwrap()
    );
    // A careless caller putting the password into details gets it redacted.
    let careless = app
        .audit
        .append(NewEvent {
            details: json!({"after": {"password": CANARY, "auths": {"ghcr.io": {"auth": CANARY}}}}),
            ..event(
                Actor::Anonymous,
                "registry.update",
                Outcome::Success,
                None,
                Some("payments-dev"),
                "canary-reg",
            )
        })
        .await
        .unwrap();

    let page = app
        .audit
        .page(
            &AuditScope::All,
            &AuditFilter::from_pairs([("registry", "canary-reg")]),
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(page.events.len(), 2, "{page:?}");
    let created = page
        .events
        .iter()
        .find(|e| e.action == "registry.create")
        .unwrap();
    assert_eq!(created.outcome, "success");
    let fingerprint = app.audit.fingerprint(CANARY.as_bytes());
    assert!(
        created.details.contains(&fingerprint),
        "{}",
        created.details
    );
    assert!(created.details.contains("ghcr.io"));

    let mut seen = Vec::new();
    for path in [
        "/audit",
        &format!("/audit/{}", created.id),
        &format!("/audit/{}", careless.id),
    ] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        seen.push(html);
    }
    assert!(
        seen[1].contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the user agent shows, escaped"
    );
    assert!(!seen[1].contains("<script>alert(1)"), "and never as markup");
    for format in ["csv", "jsonl"] {
        let (status, body) = app.get(&format!("/audit/export?format={format}")).await;
        assert_eq!(status, 200);
        assert!(body.contains(&fingerprint), "{format}");
        seen.push(body);
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&app.db)
        .await
        .unwrap();
    for entry in std::fs::read_dir(app.db_path.parent().unwrap()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        seen.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    for (i, text) in seen.iter().enumerate() {
        assert!(!text.contains(CANARY), "the canary leaked into item {i}");
    }
}

#[tokio::test]
async fn the_export_streams_the_filter_as_csv_and_json_lines_and_is_audited() {
    let app = spawn_app().await;
    for i in 0..3 {
        let mut e = event(
            user("alice"),
            "registry.create",
            Outcome::Success,
            None,
            Some("team-a"),
            &format!("r{i}"),
        );
        e.origin.user_agent = Some("=HYPERLINK(\"http://evil\")".into());
        app.audit.append(e).await.unwrap();
    }
    app.audit
        .append(event(
            user("bob"),
            "registry.delete",
            Outcome::Denied,
            None,
            Some("team-a"),
            "r0",
        ))
        .await
        .unwrap();

    let response = app
        .client
        .get(app.url("/audit/export?format=csv&actor=alice"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"regboard-audit-")
            && disposition.ends_with(".csv\"")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "header and three rows: {csv}");
    assert!(lines[0].starts_with("id,at,actor_kind"));
    let ids: Vec<i64> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "formula neutralised: {csv}"
    );

    let (status, jsonl) = app.get("/audit/export?format=jsonl&outcome=denied").await;
    assert_eq!(status, 200);
    let rows: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["actor_name"], "bob");
    assert_eq!(rows[0]["hash"].as_str().unwrap().len(), 64);

    let (status, body) = app.get("/audit/export?format=xml").await;
    assert_eq!(
        (status, body.trim()),
        (400, "the format filter must be csv or jsonl")
    );
    let (status, body) = app.get("/audit/export?format=csv&from=soon").await;
    assert_eq!(status, 400);
    assert!(body.contains("from filter"), "{body}");

    let exports = app
        .audit
        .page(
            &AuditScope::All,
            &AuditFilter::from_pairs([("action", "audit.export")]),
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(exports.events.len(), 2, "each served export is recorded");
    assert!(exports.events[1].details.contains("\"actor\":\"alice\""));
    assert!(app.audit.verify().await.unwrap().is_ok());
}

#[tokio::test]
async fn the_page_filters_and_links_each_event_to_its_detail() {
    let app = spawn_app().await;
    let created = app
        .audit
        .append(event(
            user("alice"),
            "registry.create",
            Outcome::Success,
            Some("payments"),
            None,
            "ghcr",
        ))
        .await
        .unwrap()
        .id;
    let conflict = app
        .audit
        .append(event(
            user("bob"),
            "registry.delete",
            Outcome::Conflict,
            None,
            Some("team-a"),
            "quay",
        ))
        .await
        .unwrap()
        .id;
    let head = app.audit.latest_hash().await.unwrap().unwrap();
    let (status, html) = app.get("/audit?outcome=conflict").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("data-event-id=\"{conflict}\"")),
        "the conflict is listed"
    );
    assert!(
        !html.contains(&format!("data-event-id=\"{created}\"")),
        "the success is filtered out"
    );
    assert!(html.contains("conflict (409)"));
    assert!(html.contains(&format!("href=\"/audit/{conflict}\"")));
    assert!(html.contains(&head), "the latest hash is shown");
    assert!(html.contains("/audit/export?outcome=conflict&amp;format=csv"));

    let (status, html) = app.get(&format!("/audit/{created}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("registry.create") && html.contains("alice (user 5)"));
    assert!(html.contains("ghcr.example.io"));

    let (_, html) = app.get("/audit?from=nonsense").await;
    assert!(
        html.contains("The from filter is not a date or time"),
        "a bad filter is explained"
    );
}

#[tokio::test]
async fn the_cli_exports_and_prints_the_head() {
    let (log, db, path, _dir) = fresh_log().await;
    append_n(&log, 3).await;
    log.append(event(
        user("alice"),
        "registry.delete",
        Outcome::Error,
        None,
        Some("x"),
        "gone",
    ))
    .await
    .unwrap();
    let head = log.latest_hash().await.unwrap().unwrap();
    db.close().await;
    let path = path.to_str().unwrap();
    let out = regboard(&[
        "audit",
        "export",
        "--format",
        "jsonl",
        "--database",
        path,
        "--action",
        "registry.update",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<i64> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
    let out = regboard(&[
        "audit",
        "export",
        "--format",
        "csv",
        "--database",
        path,
        "--outcome",
        "error",
    ]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    let out = regboard(&["audit", "head", "--database", path]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("events: 4\nlatest: {head}\n")
    );
    let missing = regboard(&["audit", "verify", "--database", "/nonexistent/regboard.db"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(!std::path::Path::new("/nonexistent/regboard.db").exists());
}

/// The body of a `create_registry` server-function call for a namespace
/// registry `name` in `namespace` with `password`.
fn create_registry_form(namespace: &str, name: &str, password: &str) -> String {
    format!(
        "input[scope][kind]=namespace&input[scope][namespace]={namespace}&input[name]={name}\
         &input[credentials][0][host]=ghcr.io&input[credentials][0][username]=bot\
         &input[credentials][0][password]={password}&input[description]=x"
    )
}

#[tokio::test]
async fn a_canary_password_never_reaches_the_server_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("regboard.db");
    // The admin signs in with the canary too: neither password may be logged.
    crate::process::create_admin(&db, "admin", CANARY);
    let mut child = Command::new(env!("CARGO_BIN_EXE_regboard"))
        .args([
            "serve",
            "--sandbox",
            "--listen",
            "127.0.0.1:0",
            "--database",
        ])
        .arg(&db)
        .env("RUST_LOG", "trace")
        .env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let sink = log.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.split("listening on http://").nth(1) {
                let _ = addr_tx.send(addr.trim().to_owned());
            }
            let mut log = sink.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server started");
    let client = crate::process::sign_in(&format!("http://{addr}"), "admin", CANARY).await;
    let response = client
        .post(format!("http://{addr}/api/create_registry"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(create_registry_form("payments-dev", "canary-log", CANARY))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let export = client
        .get(format!(
            "http://{addr}/audit/export?format=jsonl&registry=canary-log"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(export.contains("\"outcome\":\"success\""), "{export}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    let log = log.lock().unwrap();
    assert!(
        log.contains("audit event appended"),
        "the audit path logged at trace level"
    );
    assert!(log.contains("/api/create_registry"));
    assert!(!log.contains(CANARY), "the canary reached the server log");
}
