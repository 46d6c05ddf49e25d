//! Free text (`q`) goes through the trigram index but finds exactly what
//! LIKE finds: the same events, page after page, with every other filter
//! and the scope.

use regboard_app::model::audit::{AuditEventView, AuditFilter, AuditScope};
use regboard_server::audit::{Actor, AuditLog, AuditTarget, NewEvent, Origin, Outcome};
use serde_json::json;
use sqlx::SqlitePool;

use super::{fresh_log, user, walk};

/// An event whose searchable text is given piece by piece.
fn text_event(actor: &str, project: Option<&str>, name: &str, detail: &str) -> NewEvent {
    NewEvent {
        actor: user(actor),
        origin: Origin {
            request_id: Some(format!("Req-{name}")),
            source_addr: Some("10.1.2.3".into()),
            user_agent: Some("curl/8.0\nnext".into()),
        },
        action: "registry.update".into(),
        target: AuditTarget::registry(project, Some("team-a"), name),
        outcome: Outcome::Success,
        status_code: None,
        details: json!({"note": detail}),
    }
}

async fn append_all(log: &AuditLog, db: &SqlitePool, events: Vec<NewEvent>) {
    let mut tx = regboard_server::db::begin_write(db).await.unwrap();
    for e in events {
        log.append_in(&mut tx, e).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Every stored event, newest first.
async fn everything(log: &AuditLog) -> Vec<AuditEventView> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = log
            .page(&AuditScope::All, &AuditFilter::default(), before, 200)
            .await
            .unwrap();
        all.extend(page.events);
        match page.next_before {
            Some(b) => before = Some(b),
            None => return all,
        }
    }
}

/// SQLite's `LIKE '%q%'`: a substring, case folded for ASCII letters only,
/// in any one of the searched columns.
fn like(e: &AuditEventView, q: &str) -> bool {
    let q = q.to_ascii_lowercase();
    [
        Some(&e.actor_name),
        Some(&e.action),
        e.target_project.as_ref(),
        e.target_namespace.as_ref(),
        e.target_name.as_ref(),
        e.request_id.as_ref(),
        e.untrusted_source_addr.as_ref(),
        e.untrusted_user_agent.as_ref(),
        Some(&e.details),
    ]
    .into_iter()
    .flatten()
    .any(|column| column.to_ascii_lowercase().contains(&q))
}

fn q(text: &str) -> AuditFilter {
    AuditFilter {
        q: Some(text.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn free_text_finds_exactly_what_like_finds() {
    let (log, db, _, _dir) = fresh_log().await;
    let mut events = Vec::new();
    for i in 0..60 {
        let (actor, project, name, detail) = match i % 6 {
            0 => ("Alice", Some("payments"), "ghcr", "hello world"),
            1 => ("Émile", None, "quay-io", "Straße (paren) x*y^z:w"),
            2 => (
                "émile",
                Some("search"),
                "50%_off",
                "say \"quoted\" AND OR NOT",
            ),
            3 => ("bob", Some("payments"), "GHCR-mirror", "back\\slash"),
            4 => ("carol", None, "harbor", "tab\there"),
            _ => ("dave", Some("search"), "reg-4242", "ci-bot"),
        };
        events.push(text_event(
            actor,
            project,
            &format!("{name}-{}", i / 6),
            detail,
        ));
    }
    append_all(&log, &db, events).await;
    let all = everything(&log).await;
    assert_eq!(all.len(), 60);

    let texts = [
        "ghcr",
        "GHCR",
        "hello world",
        "lo wo",
        "o w",
        "Émile",
        "émile",
        "ÉMILE",
        "Straße",
        "STRASSE",
        "x*y^z:w",
        "(paren)",
        "\"quoted\"",
        "\" AND OR NOT",
        "AND OR",
        "50%_",
        "%_o",
        "0%",
        "back\\sl",
        "\\t",
        "curl/8.0\\nnext",
        "req-GHCR",
        "ghcr quay",
        "gh",
        "é",
        "e",
        "reg-4242-1",
        "nothing-like-this",
        "{\"note\":\"ci",
    ];
    let found = texts
        .iter()
        .filter(|t| all.iter().any(|e| like(e, t)))
        .count();
    assert!(found >= 20, "most cases find something: {found}");
    for text in texts {
        let expected: Vec<i64> = all.iter().filter(|e| like(e, text)).map(|e| e.id).collect();
        for size in [1, 7, 50] {
            let got = walk(&log, &AuditScope::All, &q(text), size).await;
            assert_eq!(got, expected, "q = {text:?} in pages of {size}");
        }
    }

    // Combined with other filters and a scope: still the LIKE answer.
    let scope = AuditScope::Within {
        projects: vec!["payments".into()],
        namespaces: vec![],
    };
    for text in ["ghcr", "hello", "Émile", "nothing-like-this"] {
        let expected: Vec<i64> = all
            .iter()
            .filter(|e| like(e, text) && e.target_project.as_deref() == Some("payments"))
            .map(|e| e.id)
            .collect();
        let got = walk(&log, &scope, &q(text), 3).await;
        assert_eq!(got, expected, "q = {text:?} within payments");
        let nowhere = AuditScope::Within {
            projects: vec![],
            namespaces: vec![],
        };
        assert!(walk(&log, &nowhere, &q(text), 3).await.is_empty());
        let filter = AuditFilter {
            actor: Some("bob".into()),
            ..q(text)
        };
        let expected: Vec<i64> = all
            .iter()
            .filter(|e| like(e, text) && e.actor_name == "bob")
            .map(|e| e.id)
            .collect();
        assert_eq!(walk(&log, &AuditScope::All, &filter, 2).await, expected);
    }
}

#[tokio::test]
async fn free_text_with_many_matches_outside_the_filters_still_finds_the_old_ones() {
    let (log, db, _, _dir) = fresh_log().await;
    // Five old events in scope, then more events holding the text outside
    // it than the index hands over before the filters take the lead.
    let mut events: Vec<NewEvent> = (0..5)
        .map(|i| text_event("alice", Some("payments"), &format!("ghcr-{i}"), "old"))
        .collect();
    events
        .extend((0..1_100).map(|i| text_event("bob", Some("search"), &format!("ghcr-{i}"), "new")));
    events.push(text_event("alice", Some("payments"), "ghcr-new", "newest"));
    append_all(&log, &db, events).await;

    let scope = AuditScope::Within {
        projects: vec!["payments".into()],
        namespaces: vec![],
    };
    let expected = vec![1106, 5, 4, 3, 2, 1];
    for size in [1, 2, 50] {
        assert_eq!(walk(&log, &scope, &q("ghcr"), size).await, expected);
    }
    let by_actor = AuditFilter {
        actor: Some("alice".into()),
        ..q("GHCR-")
    };
    assert_eq!(walk(&log, &AuditScope::All, &by_actor, 4).await, expected);
    // Without other filters every text match is a result.
    let page = log
        .page(&AuditScope::All, &q("ghcr"), None, 3)
        .await
        .unwrap();
    let ids: Vec<i64> = page.events.iter().map(|e| e.id).collect();
    assert_eq!(
        (ids, page.next_before),
        (vec![1106, 1105, 1104], Some(1104))
    );
}

#[tokio::test]
async fn a_word_in_a_few_rows_is_found_among_words_in_all_of_them() {
    // `reg` and `eg-` are in every row, `-42` in a few: the search leaves
    // the common trigrams out of the lookup and must still be exact.
    let (log, db, _, _dir) = fresh_log().await;
    let events = (0..400)
        .map(|i| text_event("alice", None, &format!("reg-{i}"), "x"))
        .collect();
    append_all(&log, &db, events).await;
    let all = everything(&log).await;
    for text in ["reg-42", "reg-4", "reg-", "eg-399", "reg-4000"] {
        let expected: Vec<i64> = all.iter().filter(|e| like(e, text)).map(|e| e.id).collect();
        assert_eq!(
            walk(&log, &AuditScope::All, &q(text), 10).await,
            expected,
            "{text}"
        );
    }
}

#[tokio::test]
async fn the_index_is_what_answers_and_it_covers_events_logged_before_it() {
    let (log, db, path, _dir) = fresh_log().await;
    append_all(&log, &db, vec![text_event("alice", None, "ghcr", "a")]).await;
    let indexed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_search WHERE audit_search MATCH '\"ghc\"'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(indexed, 1, "each appended event is indexed");

    // Back to the schema before migration 0004, with events it never saw.
    for sql in [
        "DROP TABLE audit_search",
        "DELETE FROM _sqlx_migrations WHERE version = 4",
    ] {
        sqlx::query(sql).execute(&db).await.unwrap();
    }
    // Appending needs the index (it fails, all or nothing), so the event
    // the index never saw is written by hand.
    let mut tx = regboard_server::db::begin_write(&db).await.unwrap();
    let appended = log
        .append_in(&mut tx, text_event("bob", None, "quay", "b"))
        .await;
    assert!(appended.is_err());
    drop(tx);
    sqlx::query(
        "INSERT INTO audit_events SELECT 2, at, actor_kind, actor_id, 'bob', \
         untrusted_source_addr, untrusted_user_agent, 'req-quay', action, target_kind, \
         target_project, target_namespace, 'quay', outcome, status_code, details, hash, \
         CASE substr(hash, 1, 1) WHEN 'f' THEN '0' ELSE 'f' END || substr(hash, 2) \
         FROM audit_events WHERE id = 1",
    )
    .execute(&db)
    .await
    .unwrap();
    db.close().await;
    let db = regboard_server::db::open(&path).await.unwrap();
    let log = AuditLog::open(db.clone(), &AuditLog::key_path(&path))
        .await
        .unwrap();
    assert_eq!(walk(&log, &AuditScope::All, &q("ghcr"), 5).await, vec![1]);
    assert_eq!(walk(&log, &AuditScope::All, &q("quay"), 5).await, vec![2]);

    // Emptied, the index finds nothing of three characters or more, while
    // shorter text still goes through LIKE alone.
    sqlx::query("INSERT INTO audit_search (audit_search) VALUES ('delete-all')")
        .execute(&db)
        .await
        .unwrap();
    assert!(walk(&log, &AuditScope::All, &q("quay"), 5).await.is_empty());
    assert_eq!(walk(&log, &AuditScope::All, &q("qu"), 5).await, vec![2]);
}

#[tokio::test]
async fn every_searched_column_is_indexed() {
    let (log, db, _, _dir) = fresh_log().await;
    let marked = NewEvent {
        actor: user("actor-aaa"),
        origin: Origin {
            request_id: Some("rid-fff".into()),
            source_addr: Some("src-ggg".into()),
            user_agent: Some("ua-hhh".into()),
        },
        action: "act.bbb".into(),
        target: AuditTarget {
            kind: "registry".into(),
            project: Some("proj-ccc".into()),
            namespace: Some("ns-ddd".into()),
            name: Some("name-eee".into()),
        },
        outcome: Outcome::Success,
        status_code: None,
        details: json!({"note": "det-iii"}),
    };
    let plain = text_event("someone", None, "other", "x");
    append_all(&log, &db, vec![plain.clone(), marked, plain]).await;
    for marker in [
        "actor-aaa",
        "act.bbb",
        "proj-ccc",
        "ns-ddd",
        "name-eee",
        "rid-fff",
        "src-ggg",
        "ua-hhh",
        "det-iii",
    ] {
        assert_eq!(
            walk(&log, &AuditScope::All, &q(marker), 5).await,
            vec![2],
            "{marker}"
        );
    }
}

#[tokio::test]
async fn free_text_and_an_actor_name_are_not_confused_with_fts_syntax() {
    let (log, db, _, _dir) = fresh_log().await;
    let tricky = [
        "a\"b\"c",
        "NEAR(x y)",
        "col:umn",
        "^start",
        "star*",
        "-dash-",
    ];
    let events = tricky
        .iter()
        .map(|t| NewEvent {
            actor: Actor::System((*t).into()),
            origin: Origin::default(),
            action: "grant.create".into(),
            target: AuditTarget::default(),
            outcome: Outcome::Denied,
            status_code: None,
            details: json!({}),
        })
        .collect();
    append_all(&log, &db, events).await;
    for (i, t) in tricky.iter().enumerate() {
        let got = walk(&log, &AuditScope::All, &q(t), 5).await;
        assert_eq!(got, vec![i as i64 + 1], "q = {t:?}");
    }
}
