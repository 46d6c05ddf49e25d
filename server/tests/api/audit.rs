//! The audit log: append-only, hash-chained, filtered, paged, exported,
//! and never holding a credential.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use regboard_app::api::audit::{AuditFilter, AuditScope};
use regboard_app::services::Caller;
use regboard_server::audit::{Actor, AuditLog, AuditTarget, NewEvent, Outcome, Problem};
use serde_json::json;
use sqlx::SqlitePool;
use tempfile::TempDir;

use crate::helpers::spawn_app;

/// A log over a fresh database file, without a server.
async fn fresh_log() -> (AuditLog, SqlitePool, std::path::PathBuf, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regboard.db");
    let db = regboard_server::db::open(&path).await.unwrap();
    let log = AuditLog::open(db.clone(), &AuditLog::key_path(&path))
        .await
        .unwrap();
    (log, db, path, dir)
}

/// A registry event with the given parts.
fn event(
    actor: Actor,
    action: &str,
    outcome: Outcome,
    project: Option<&str>,
    namespace: Option<&str>,
    name: &str,
) -> NewEvent {
    NewEvent {
        actor,
        caller: Caller {
            request_id: Some(format!("req-{action}-{name}")),
            source_addr: Some("10.0.0.7".into()),
            user_agent: Some("test-agent/1".into()),
        },
        action: action.into(),
        target: AuditTarget::registry(project, namespace, name),
        outcome,
        status_code: (outcome == Outcome::Conflict).then_some(409),
        details: json!({"after": {"hosts": [format!("{name}.example.io")], "username": "bot"}}),
    }
}

fn user(name: &str) -> Actor {
    Actor::User {
        id: name.len() as i64,
        name: name.into(),
    }
}

async fn append_n(log: &AuditLog, n: usize) {
    for i in 0..n {
        log.append(event(
            Actor::Anonymous,
            "registry.update",
            Outcome::Success,
            None,
            Some("ns"),
            &format!("r{i}"),
        ))
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn the_table_refuses_update_and_delete() {
    let (log, db, _, _dir) = fresh_log().await;
    append_n(&log, 2).await;
    let update = sqlx::query("UPDATE audit_events SET outcome = 'error' WHERE id = 1")
        .execute(&db)
        .await
        .unwrap_err()
        .to_string();
    assert!(update.contains("append-only"), "{update}");
    let delete = sqlx::query("DELETE FROM audit_events WHERE id = 2")
        .execute(&db)
        .await
        .unwrap_err()
        .to_string();
    assert!(delete.contains("append-only"), "{delete}");
    let report = log.verify().await.unwrap();
    assert!(report.is_ok());
    assert_eq!(report.rows, 2);
}

#[tokio::test]
async fn verify_names_a_changed_row() {
    let (log, db, path, _dir) = fresh_log().await;
    append_n(&log, 10).await;
    let head_before = log.latest_hash().await.unwrap().unwrap();
    sqlx::query("DROP TRIGGER audit_events_no_update")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE audit_events SET details = '{\"after\":{\"username\":\"mallory\"}}' WHERE id = 4",
    )
    .execute(&db)
    .await
    .unwrap();
    let report = log.verify().await.unwrap();
    let bad = report.first_bad.clone().expect("the change is caught");
    assert_eq!((bad.id, bad.problem), (4, Problem::Altered));
    assert_eq!(report.latest_hash(), Some(head_before.as_str()));

    // The CLI says the same, in one sentence, with exit code 1.
    db.close().await;
    let out = regboard(&["audit", "verify", "--database", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("row 4 was changed"), "{stderr}");
}

#[tokio::test]
async fn verify_names_a_deleted_row() {
    let (log, db, path, _dir) = fresh_log().await;
    append_n(&log, 10).await;
    sqlx::query("DROP TRIGGER audit_events_no_delete")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_events WHERE id = 6")
        .execute(&db)
        .await
        .unwrap();
    let bad = log.verify().await.unwrap().first_bad.expect("caught");
    assert_eq!((bad.id, bad.problem), (6, Problem::Missing { last: 6 }));

    // Removing the first rows is caught as well.
    sqlx::query("DELETE FROM audit_events WHERE id <= 2")
        .execute(&db)
        .await
        .unwrap();
    let bad = log.verify().await.unwrap().first_bad.expect("caught");
    assert_eq!((bad.id, bad.problem), (1, Problem::Missing { last: 2 }));
    db.close().await;
    let out = regboard(&["audit", "verify", "--database", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rows 1 to 2 are missing"));
}

#[tokio::test]
async fn removing_the_newest_rows_is_caught_by_the_head_kept_elsewhere() {
    let (log, db, path, _dir) = fresh_log().await;
    append_n(&log, 5).await;
    let kept = log.latest_hash().await.unwrap().unwrap();
    let path = path.to_str().unwrap().to_owned();
    let ok = regboard(&[
        "audit",
        "verify",
        "--database",
        &path,
        "--expect-head",
        &kept,
    ]);
    assert!(ok.status.success());
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(stdout.contains(&format!("latest: 5 {kept}")), "{stdout}");
    sqlx::query("DROP TRIGGER audit_events_no_delete")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_events WHERE id = 5")
        .execute(&db)
        .await
        .unwrap();
    assert!(log.verify().await.unwrap().is_ok(), "the rest still chains");
    db.close().await;
    let out = regboard(&[
        "audit",
        "verify",
        "--database",
        &path,
        "--expect-head",
        &kept,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not contain the expected head"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_writers_leave_one_valid_chain() {
    let (log, db, _, _dir) = fresh_log().await;
    let writers = (0..50).map(|w| {
        let log = log.clone();
        tokio::spawn(async move {
            for i in 0..4 {
                log.append(event(
                    Actor::System("system:reconciler".into()),
                    "registry.sync",
                    Outcome::Success,
                    Some("p"),
                    Some(&format!("ns{w}")),
                    &format!("r{i}"),
                ))
                .await
                .map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(())
        })
    });
    for result in futures::future::join_all(writers).await {
        if let Err(e) = result.unwrap() {
            panic!("a writer failed: {e}");
        }
    }
    let report = log.verify().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.first_bad);
    assert_eq!(report.rows, 200);
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_events ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(ids, (1..=200).collect::<Vec<_>>());
}

/// The events of `filter_and_page_return_exactly_the_matching_rows`.
fn corpus() -> Vec<NewEvent> {
    let mut events = Vec::new();
    let actors = [
        user("alice"),
        user("bob"),
        Actor::System("system:reconciler".into()),
    ];
    let actions = [
        "registry.create",
        "registry.update",
        "registry.delete",
        "registry.sync",
    ];
    let outcomes = [Outcome::Success, Outcome::Conflict, Outcome::Denied];
    for i in 0..36usize {
        let (project, namespace) = match i % 3 {
            0 => (Some("payments"), None),
            1 => (None, Some("team-a")),
            _ => (Some("search"), Some("search-dev")),
        };
        events.push(event(
            actors[i % 3].clone(),
            actions[i % 4],
            outcomes[i % 3 / 2 + (i % 5 == 0) as usize],
            project,
            namespace,
            ["ghcr", "quay", "harbor"][(i / 2) % 3],
        ));
    }
    events.push(NewEvent {
        actor: Actor::Anonymous,
        caller: Caller::default(),
        action: "session.login.failed".into(),
        target: AuditTarget {
            kind: "session".into(),
            ..Default::default()
        },
        outcome: Outcome::Denied,
        status_code: None,
        details: json!({"username": "eve"}),
    });
    events
}

/// All ids (newest first) of `filter` by walking pages of `size`.
async fn walk(log: &AuditLog, scope: &AuditScope, filter: &AuditFilter, size: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut before = None;
    loop {
        let page = log.page(scope, filter, before, size).await.unwrap();
        assert!(page.events.len() <= size as usize);
        ids.extend(page.events.iter().map(|e| e.id));
        match page.next_before {
            Some(b) => before = Some(b),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn filters_and_pages_return_exactly_the_matching_rows() {
    let (log, _db, _, _dir) = fresh_log().await;
    let events = corpus();
    let first_half = events.len() / 2;
    let mut boundary = String::new();
    for (i, e) in events.iter().cloned().enumerate() {
        if i == first_half {
            tokio::time::sleep(Duration::from_millis(20)).await;
            boundary = chrono::Utc::now()
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        log.append(e).await.unwrap();
    }
    let n = events.len() as i64;
    let expect = |keep: &dyn Fn(&NewEvent) -> bool| -> Vec<i64> {
        let mut ids: Vec<i64> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| keep(e))
            .map(|(i, _)| i as i64 + 1)
            .collect();
        ids.reverse();
        ids
    };
    let f = |pairs: &[(&str, &str)]| AuditFilter::from_pairs(pairs.iter().copied());
    let cases: Vec<(AuditFilter, Vec<i64>)> = vec![
        (f(&[]), (1..=n).rev().collect()),
        (
            f(&[("actor", "alice")]),
            expect(&|e| matches!(&e.actor, Actor::User { name, .. } if name == "alice")),
        ),
        (
            f(&[("action", "registry.sync")]),
            expect(&|e| e.action == "registry.sync"),
        ),
        (
            f(&[("action", "registry.*")]),
            expect(&|e| e.action.starts_with("registry.")),
        ),
        (
            f(&[("outcome", "conflict")]),
            expect(&|e| e.outcome == Outcome::Conflict),
        ),
        (
            f(&[("project", "payments")]),
            expect(&|e| e.target.project.as_deref() == Some("payments")),
        ),
        (
            f(&[("namespace", "search-dev")]),
            expect(&|e| e.target.namespace.as_deref() == Some("search-dev")),
        ),
        (
            f(&[("registry", "quay"), ("namespace", "team-a")]),
            expect(&|e| {
                e.target.name.as_deref() == Some("quay")
                    && e.target.namespace.as_deref() == Some("team-a")
            }),
        ),
        (
            f(&[("q", "HARBOR.example")]),
            expect(&|e| e.target.name.as_deref() == Some("harbor")),
        ),
        (f(&[("q", "eve")]), vec![n]),
        (f(&[("q", "%")]), vec![]),
        (
            f(&[("to", &boundary)]),
            (1..=first_half as i64).rev().collect(),
        ),
        (f(&[("from", &boundary), ("actor", "bob")]), {
            expect(&|e| matches!(&e.actor, Actor::User { name, .. } if name == "bob"))
                .into_iter()
                .filter(|id| *id > first_half as i64)
                .collect()
        }),
    ];
    for (filter, expected) in cases {
        assert!(
            !expected.is_empty() || filter.q.is_some(),
            "a case that tests nothing: {filter:?}"
        );
        for size in [1, 4, 50] {
            let got = walk(&log, &AuditScope::All, &filter, size).await;
            assert_eq!(got, expected, "{filter:?} in pages of {size}");
        }
    }

    // A scope keeps only its projects and namespaces; events without a
    // project or namespace are for admins only.
    let scope = AuditScope::Within {
        projects: vec!["payments".into()],
        namespaces: vec!["team-a".into()],
    };
    let got = walk(&log, &scope, &AuditFilter::default(), 7).await;
    let expected = expect(&|e| {
        e.target.project.as_deref() == Some("payments")
            || e.target.namespace.as_deref() == Some("team-a")
    });
    assert_eq!(got, expected);
    assert!(
        log.event(&scope, n).await.unwrap().is_none(),
        "the login event is out of scope"
    );
    assert!(log.event(&AuditScope::All, n).await.unwrap().is_some());

    let bad = log
        .page(&AuditScope::All, &f(&[("from", "last tuesday")]), None, 10)
        .await;
    assert!(bad.unwrap_err().to_string().contains("from filter"));
}

/// Collects everything logged on this thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const CANARY: &str = "canary-Pa55w0rd-7f3a9c";

#[tokio::test]
async fn a_canary_password_never_appears_in_the_database_export_pages_or_logs() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // This test runs on one thread, as does the server it spawns.
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = spawn_app().await;

    // A registry created through the real server function.
    let body = format!(
        "input[scope][kind]=namespace&input[scope][namespace]=payments-dev&input[name]=canary-reg\
         &input[hosts][0]=ghcr.io&input[username]=bot&input[password]={CANARY}&input[description]=x"
    );
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
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logged.contains("audit event appended"), "the capture works");
    seen.push(logged);
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
        e.caller.user_agent = Some("=HYPERLINK(\"http://evil\")".into());
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
    assert!(
        lines[1].starts_with("1,") && lines[3].starts_with("3,"),
        "oldest first"
    );
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
    app.audit
        .append(event(
            user("alice"),
            "registry.create",
            Outcome::Success,
            Some("payments"),
            None,
            "ghcr",
        ))
        .await
        .unwrap();
    app.audit
        .append(event(
            user("bob"),
            "registry.delete",
            Outcome::Conflict,
            None,
            Some("team-a"),
            "quay",
        ))
        .await
        .unwrap();
    let head = app.audit.latest_hash().await.unwrap().unwrap();
    let (status, html) = app.get("/audit?outcome=conflict").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("data-event-id=\"2\""),
        "the conflict is listed"
    );
    assert!(
        !html.contains("data-event-id=\"1\""),
        "the success is filtered out"
    );
    assert!(html.contains("conflict (409)"));
    assert!(html.contains("href=\"/audit/2\""));
    assert!(html.contains(&head), "the latest hash is shown");
    assert!(html.contains("/audit/export?outcome=conflict&amp;format=csv"));

    let (status, html) = app.get("/audit/1").await;
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

fn regboard(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_regboard"))
        .args(args)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}
