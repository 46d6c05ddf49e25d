//! Writing one event: make it safe to store, then link it to the chain
//! and add it to the free-text index.

use serde_json::Value;
use sqlx::SqliteConnection;

use super::chain::{ChainRow, Hasher, GENESIS};
use super::{Actor, AppendedEvent, NewEvent};
use crate::error::Result;

/// Longest stored untrusted text in bytes (source address, user agent,
/// request id), after escaping.
const MAX_UNTRUSTED: usize = 512;
/// Longest stored actor name, action and target kind, in bytes.
const MAX_WORD: usize = 128;
/// Longest stored target project, namespace or name, in bytes (Kubernetes
/// names have at most 253).
const MAX_NAME: usize = 256;
/// Longest stored details JSON as a whole, in bytes.
pub const MAX_DETAILS: usize = 8 * 1024;
/// What ends a stored text that was cut to its cap.
pub const CUT: &str = "…";
/// The most one stored row's text can take: every capped column at its cap.
#[cfg(test)]
pub const MAX_ROW_TEXT: usize = 3 * MAX_UNTRUSTED + 3 * MAX_WORD + 3 * MAX_NAME + MAX_DETAILS;
/// What replaces a secret-looking value in details.
pub const REDACTED: &str = "[redacted]";

/// An event ready to insert: every column but id, time and hashes.
#[derive(Debug, Clone)]
pub struct Prepared {
    actor_kind: &'static str,
    actor_id: Option<i64>,
    actor_name: String,
    source_addr: Option<String>,
    user_agent: Option<String>,
    request_id: Option<String>,
    action: String,
    target_kind: String,
    target_project: Option<String>,
    target_namespace: Option<String>,
    target_name: Option<String>,
    outcome: &'static str,
    status_code: Option<i64>,
    details: String,
}

impl Prepared {
    /// What the free-text index (`audit_search`, migration 0004) holds for
    /// this event: the columns of `query::SEARCHED`, NULLs left out, joined
    /// by newlines, as the migration's `concat_ws(char(10), …)` builds it.
    fn searchable_text(&self) -> String {
        [
            Some(&self.actor_name),
            Some(&self.action),
            self.target_project.as_ref(),
            self.target_namespace.as_ref(),
            self.target_name.as_ref(),
            self.request_id.as_ref(),
            self.source_addr.as_ref(),
            self.user_agent.as_ref(),
            Some(&self.details),
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n")
    }
}

/// Redacts and escapes `event` into the columns to store.
pub fn prepare(event: NewEvent) -> Prepared {
    let (actor_kind, actor_id, actor_name) = match event.actor {
        Actor::User { id, name } => ("user", Some(id), name),
        Actor::System(name) => ("system", None, name),
        Actor::Anonymous => ("anonymous", None, "anonymous".to_owned()),
    };
    let mut details = match event.details {
        Value::Null => Value::Object(Default::default()),
        v @ Value::Object(_) => v,
        other => serde_json::json!({ "value": other }),
    };
    let redacted = redact(&mut details);
    if redacted > 0 {
        // A caller bug: say so without the value.
        tracing::warn!(action = %event.action, redacted, "secret-looking keys were removed from audit details");
    }
    let name = |n: Option<String>| n.map(|n| cap(&n, MAX_NAME));
    Prepared {
        actor_kind,
        actor_id,
        actor_name: cap(&actor_name, MAX_WORD),
        source_addr: event.origin.source_addr.as_deref().map(untrusted),
        user_agent: event.origin.user_agent.as_deref().map(untrusted),
        request_id: event.origin.request_id.as_deref().map(untrusted),
        action: cap(&event.action, MAX_WORD),
        target_kind: cap(&event.target.kind, MAX_WORD),
        target_project: name(event.target.project),
        target_namespace: name(event.target.namespace),
        target_name: name(event.target.name),
        outcome: event.outcome.as_str(),
        status_code: event.status_code.map(i64::from),
        details: capped_details(&details),
    }
}

/// `text` if it fits in `max` bytes, else its longest prefix (cut on a
/// character boundary) that fits with [`CUT`] after it.
pub fn cap(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max.saturating_sub(CUT.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{CUT}", &text[..end])
}

/// The details as JSON text of at most [`MAX_DETAILS`] bytes: whole when
/// they fit, else an object saying they were cut, with how long they were
/// and as much of their text as fits.
fn capped_details(details: &Value) -> String {
    let text = details.to_string();
    if text.len() <= MAX_DETAILS {
        return text;
    }
    let mut keep = MAX_DETAILS / 2;
    loop {
        let cut = serde_json::json!({
            "cut": true,
            "bytes": text.len(),
            "text": cap(&text, keep),
        })
        .to_string();
        // Escaping can lengthen the kept text; keep less until it fits.
        if cut.len() <= MAX_DETAILS || keep == 0 {
            return cut;
        }
        keep /= 2;
    }
}

/// Inserts `event` after the newest row; `conn` must hold the write lock
/// (a transaction begun with `crate::db::begin_write`).
pub async fn insert(conn: &mut SqliteConnection, event: &Prepared) -> Result<AppendedEvent> {
    let (id, prev_hash, at) = next_link(conn).await?;
    let row: ChainRow<'_> = ChainRow {
        id,
        at: &at,
        actor_kind: event.actor_kind,
        actor_id: event.actor_id,
        actor_name: &event.actor_name,
        source_addr: event.source_addr.as_deref(),
        user_agent: event.user_agent.as_deref(),
        request_id: event.request_id.as_deref(),
        action: &event.action,
        target_kind: &event.target_kind,
        target_project: event.target_project.as_deref(),
        target_namespace: event.target_namespace.as_deref(),
        target_name: event.target_name.as_deref(),
        outcome: event.outcome,
        status_code: event.status_code,
        details: &event.details,
        prev_hash: &prev_hash,
    };
    let hash = Hasher::default().hash(&row);
    // One round trip for both statements (sqlx runs each in turn; the
    // numbered parameters let the second reuse ?1): a round trip to sqlx's
    // worker thread costs more than either insert. The index row is a
    // statement of its own, not a trigger: FTS5 writes its pending rows out
    // at every statement savepoint, which an INSERT with a trigger opens,
    // so a trigger cost 85 µs per event in a 10,000-event transaction
    // against 16 µs this way (one write-out per transaction).
    sqlx::query(
        "INSERT INTO audit_events (id, at, actor_kind, actor_id, actor_name, \
         untrusted_source_addr, untrusted_user_agent, request_id, action, target_kind, \
         target_project, target_namespace, target_name, outcome, status_code, details, \
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, \
         ?14, ?15, ?16, ?17, ?18); \
         INSERT INTO audit_search (rowid, text) VALUES (?1, ?19)",
    )
    .bind(id)
    .bind(&at)
    .bind(event.actor_kind)
    .bind(event.actor_id)
    .bind(&event.actor_name)
    .bind(&event.source_addr)
    .bind(&event.user_agent)
    .bind(&event.request_id)
    .bind(&event.action)
    .bind(&event.target_kind)
    .bind(&event.target_project)
    .bind(&event.target_namespace)
    .bind(&event.target_name)
    .bind(event.outcome)
    .bind(event.status_code)
    .bind(&event.details)
    .bind(&prev_hash)
    .bind(&hash)
    .bind(event.searchable_text())
    .execute(&mut *conn)
    .await?;
    tracing::debug!(id, action = %event.action, outcome = event.outcome, "audit event appended");
    Ok(AppendedEvent { id, hash })
}

/// The next event's id, the hash it chains to, and its time (taken under
/// the write lock, so times follow ids).
async fn next_link(conn: &mut SqliteConnection) -> Result<(i64, String, String)> {
    let newest: Option<(i64, String)> =
        sqlx::query_as("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (id, prev_hash) = match newest {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let at = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    Ok((id, prev_hash, at))
}

/// Client-supplied text made safe to store and print: control characters
/// escaped (`\n`, `\u{1b}`), at most [`MAX_UNTRUSTED`] bytes (marked with
/// [`CUT`] when cut).
pub fn untrusted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_UNTRUSTED + 8));
    for c in text.chars() {
        if c.is_control() || c == '\\' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        if out.len() > MAX_UNTRUSTED {
            break;
        }
    }
    cap(&out, MAX_UNTRUSTED)
}

/// Replaces the value of every key that looks like it holds a secret;
/// returns how many were replaced.
pub fn redact(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => map
            .iter_mut()
            .map(|(k, v)| {
                if is_secret_key(k) && *v != Value::String(REDACTED.into()) {
                    *v = Value::String(REDACTED.into());
                    1
                } else {
                    redact(v)
                }
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(redact).sum(),
        _ => 0,
    }
}

fn is_secret_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    matches!(
        k.as_str(),
        "password"
            | "passwd"
            | "pass"
            | "secret"
            | "token"
            | "auth"
            | "auths"
            | "dockerconfigjson"
            | "stringdata"
            | "apikey"
            | "privatekey"
    ) || k.ends_with("password")
        || k.ends_with("token")
        || k.ends_with("secretvalue")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_looking_keys_are_redacted_at_any_depth() {
        let mut v = json!({
            "before": {"username": "bob", "password": "p1", "hosts": ["ghcr.io"]},
            "after": {"auths": {"ghcr.io": {"auth": "eA=="}}, "Access-Token": "t"},
            "list": [{"registryPassword": "p2"}],
            "credential": "hmac-sha256:0011223344556677",
        });
        assert_eq!(redact(&mut v), 4);
        let text = v.to_string();
        for secret in ["p1", "eA==", "\"t\"", "p2"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("bob") && text.contains("ghcr.io") && text.contains("hmac-sha256"));
    }

    #[test]
    fn untrusted_text_has_control_characters_escaped_and_is_capped() {
        assert_eq!(
            untrusted("curl/8\n\u{1b}[31mred"),
            "curl/8\\n\\u{1b}[31mred"
        );
        assert_eq!(
            untrusted("<script>"),
            "<script>",
            "HTML is escaped when rendered"
        );
        let long = untrusted(&"x".repeat(2000));
        assert!(long.len() <= MAX_UNTRUSTED && long.ends_with(CUT), "{long}");
        let escaped = untrusted(&"\u{1b}".repeat(2000));
        assert!(escaped.len() <= MAX_UNTRUSTED, "{}", escaped.len());
    }

    #[test]
    fn texts_are_cut_on_a_character_boundary_and_marked() {
        assert_eq!(cap("short", 10), "short");
        let cut = cap(&"é".repeat(100), 64);
        assert!(cut.len() <= 64 && cut.ends_with(CUT), "{cut}");
        assert!(cut.trim_end_matches(CUT).chars().all(|c| c == 'é'));
    }

    #[test]
    fn every_column_of_a_huge_event_is_capped() {
        let huge = "\u{1}é".repeat(400_000);
        let event = NewEvent {
            actor: Actor::User {
                id: 1,
                name: huge.clone(),
            },
            origin: super::super::Origin {
                request_id: Some(huge.clone()),
                source_addr: Some(huge.clone()),
                user_agent: Some(huge.clone()),
            },
            action: huge.clone(),
            target: super::super::AuditTarget {
                kind: huge.clone(),
                project: Some(huge.clone()),
                namespace: Some(huge.clone()),
                name: Some(huge.clone()),
            },
            outcome: super::super::Outcome::Denied,
            status_code: Some(401),
            details: serde_json::json!({ "name": huge, "list": [huge] }),
        };
        let row = prepare(event);
        let total = row.searchable_text().len();
        assert!(total <= MAX_ROW_TEXT + 16, "{total} bytes");
        let details: Value = serde_json::from_str(&row.details).unwrap();
        assert_eq!(details["cut"], true, "{details}");
        assert!(row.details.len() <= MAX_DETAILS);
    }
}
