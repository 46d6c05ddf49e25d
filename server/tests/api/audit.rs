//! The audit log: append-only, hash-chained, filtered, paged, exported,
//! and never holding a credential.

use std::time::Duration;

use regboard_app::model::audit::{AuditFilter, AuditScope};
use regboard_server::audit::{Actor, AuditLog, AuditTarget, NewEvent, Origin, Outcome, Problem};
use serde_json::json;
use sqlx::SqlitePool;
use tempfile::TempDir;

mod exposure;
mod search;

/// A log over a fresh database file, without a server.
pub(crate) async fn fresh_log() -> (AuditLog, SqlitePool, std::path::PathBuf, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regboard.db");
    let db = regboard_server::db::open(&path).await.unwrap();
    let log = AuditLog::open(db.clone(), &AuditLog::key_path(&path))
        .await
        .unwrap();
    (log, db, path, dir)
}

/// A registry event with the given parts.
pub(crate) fn event(
    actor: Actor,
    action: &str,
    outcome: Outcome,
    project: Option<&str>,
    namespace: Option<&str>,
    name: &str,
) -> NewEvent {
    NewEvent {
        actor,
        origin: Origin {
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

pub(crate) fn user(name: &str) -> Actor {
    Actor::User {
        id: name.len() as i64,
        name: name.into(),
    }
}

pub(crate) async fn append_n(log: &AuditLog, n: usize) {
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
async fn verify_names_a_row_changed_to_bytes_that_are_not_text() {
    let (log, db, _, _dir) = fresh_log().await;
    append_n(&log, 3).await;
    sqlx::query("DROP TRIGGER audit_events_no_update")
        .execute(&db)
        .await
        .unwrap();
    // SQLite stores any bytes as TEXT; verify hashes bytes, so this is a
    // changed row like any other, not a read error.
    sqlx::query("UPDATE audit_events SET actor_name = CAST(X'FF00FE' AS TEXT) WHERE id = 2")
        .execute(&db)
        .await
        .unwrap();
    let bad = log.verify().await.unwrap().first_bad.expect("caught");
    assert_eq!((bad.id, bad.problem), (2, Problem::Altered));
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
        origin: Origin::default(),
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
            f(&[("registry", "ghcr"), ("namespace", "team-a")]),
            expect(&|e| {
                e.target.name.as_deref() == Some("ghcr")
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

pub(crate) fn regboard(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_regboard"))
        .args(args)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}
