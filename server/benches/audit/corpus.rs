//! The bench's events and its peer: a varied, realistic event stream, and a
//! plain table of the same shape written and scanned without chaining.

use regboard_server::audit::{Actor, AuditTarget, NewEvent, Origin, Outcome};
use serde_json::json;
use sqlx::SqlitePool;

/// A varied, realistic event: 200 projects, 1,000 namespaces, 5,000
/// registries, 50 actors, 1 error in 100.
pub(super) fn sample(i: usize) -> NewEvent {
    let actions = [
        "registry.create",
        "registry.update",
        "registry.delete",
        "registry.sync",
        "project.namespace.add",
        "grant.create",
        "session.login.failed",
        "registry.update",
    ];
    let outcome = match i % 100 {
        0 => Outcome::Error,
        1..=3 => Outcome::Conflict,
        4..=5 => Outcome::Denied,
        6 => Outcome::Invalid,
        _ => Outcome::Success,
    };
    let actor = match i % 10 {
        0 => Actor::System("system:reconciler".into()),
        _ => Actor::User {
            id: (i % 50) as i64,
            name: format!("user-{}", i % 50),
        },
    };
    let name = format!("reg-{}", i % 5000);
    let host = [
        "ghcr.io",
        "quay.io",
        "registry.gitlab.com",
        "harbor.internal",
    ][i % 4];
    NewEvent {
        actor,
        origin: Origin {
            request_id: Some(format!("{:032x}", i as u128 * 7919)),
            source_addr: Some(format!("10.0.{}.{}", i % 250, i % 200)),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0".into()),
        },
        action: actions[i % actions.len()].into(),
        target: AuditTarget {
            kind: "registry".into(),
            project: Some(format!("project-{}", i % 200)),
            namespace: Some(format!("ns-{}", i % 1000)),
            name: Some(name),
        },
        outcome,
        status_code: (outcome == Outcome::Conflict).then_some(409),
        details: json!({
            "before": {"hosts": [host], "username": "ci-bot"},
            "after": {"hosts": [host], "username": format!("ci-bot-{}", i % 7)},
            "credential": "hmac-sha256:0123456789abcdef",
        }),
    }
}

pub(super) async fn create_plain_table(db: &SqlitePool) {
    let schema: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'audit_events'")
            .fetch_one(db)
            .await
            .unwrap();
    sqlx::query(&schema.replacen("audit_events", "plain_events", 1))
        .execute(db)
        .await
        .unwrap();
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events' AND sql IS NOT NULL",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for sql in indexes {
        let sql = sql.replace("audit_events", "plain_events");
        sqlx::query(&sql).execute(db).await.unwrap();
    }
}

/// The same columns and values an append writes, without reading the
/// previous row or hashing; the peer for the insert rate.
pub(super) async fn insert_plain(conn: &mut sqlx::SqliteConnection, i: usize) {
    let e = sample(i);
    let (kind, id, name) = match e.actor {
        Actor::User { id, name } => ("user", Some(id), name),
        Actor::System(n) => ("system", None, n),
        Actor::Anonymous => ("anonymous", None, "anonymous".into()),
    };
    let fake_hash = format!("{:064x}", i + 1);
    sqlx::query(
        "INSERT INTO plain_events (id, at, actor_kind, actor_id, actor_name, untrusted_source_addr, \
         untrusted_user_agent, request_id, action, target_kind, target_project, target_namespace, \
         target_name, outcome, status_code, details, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(i as i64 + 1)
    .bind(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
    .bind(kind)
    .bind(id)
    .bind(name)
    .bind(e.origin.source_addr)
    .bind(e.origin.user_agent)
    .bind(e.origin.request_id)
    .bind(e.action)
    .bind(e.target.kind)
    .bind(e.target.project)
    .bind(e.target.namespace)
    .bind(e.target.name)
    .bind(e.outcome.as_str())
    .bind(e.status_code.map(i64::from))
    .bind(e.details.to_string())
    .bind(format!("{:064x}", i))
    .bind(fake_hash)
    .execute(conn)
    .await
    .unwrap();
}

/// Reads every column of every plain row, one connection, no hashing.
pub(super) async fn scan_plain(db: &SqlitePool) {
    use futures::TryStreamExt;
    use sqlx::Row;
    let mut rows = sqlx::query("SELECT id, at, actor_kind, actor_id, actor_name, untrusted_source_addr, untrusted_user_agent, request_id, action, target_kind, target_project, target_namespace, target_name, outcome, status_code, details, prev_hash, hash FROM plain_events ORDER BY id")
        .fetch(db);
    let mut bytes = 0usize;
    while let Some(r) = rows.try_next().await.unwrap() {
        let details: &str = r.try_get(15).unwrap();
        bytes += details.len();
    }
    assert!(bytes > 0);
}
