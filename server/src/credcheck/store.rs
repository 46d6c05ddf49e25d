//! The last verdict per registry host (migrations/0007): verdict, time and
//! host only — never a credential.

use std::collections::BTreeMap;

use regboard_app::model::credentials::{CredentialCheck, Verdict};
use regboard_app::model::registries::Scope;
use sqlx::SqlitePool;

use crate::error::Result;

/// A registry: its scope and name.
pub type RegistryId = (Scope, String);

fn scope_columns(scope: &Scope) -> (&'static str, &str) {
    match scope {
        Scope::Project { project } => ("project", project),
        Scope::Namespace { namespace } => ("namespace", namespace),
    }
}

fn scope_of(kind: &str, name: String) -> Scope {
    match kind {
        "project" => Scope::Project { project: name },
        _ => Scope::Namespace { namespace: name },
    }
}

/// Records `check` as the last test of its host of registry `id`.
pub async fn record(db: &SqlitePool, id: &RegistryId, check: &CredentialCheck) -> Result<()> {
    let (kind, scope_name) = scope_columns(&id.0);
    let verdict = serde_json::to_string(&check.verdict).unwrap_or_default();
    sqlx::query(
        "INSERT INTO credential_checks (scope, scope_name, registry, host, verdict, checked_unix)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, scope_name, registry, host)
         DO UPDATE SET verdict = excluded.verdict, checked_unix = excluded.checked_unix",
    )
    .bind(kind)
    .bind(scope_name)
    .bind(&id.1)
    .bind(&check.host)
    .bind(verdict)
    .bind(check.checked_unix)
    .execute(db)
    .await?;
    Ok(())
}

/// The last test of each host of registry `id`, by host.
pub async fn of(db: &SqlitePool, id: &RegistryId) -> Result<Vec<CredentialCheck>> {
    let (kind, scope_name) = scope_columns(&id.0);
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT host, verdict, checked_unix FROM credential_checks
         WHERE scope = ? AND scope_name = ? AND registry = ? ORDER BY host",
    )
    .bind(kind)
    .bind(scope_name)
    .bind(&id.1)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().filter_map(check_of).collect())
}

/// Every recorded test, by registry.
pub async fn all(db: &SqlitePool) -> Result<BTreeMap<RegistryId, Vec<CredentialCheck>>> {
    let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT scope, scope_name, registry, host, verdict, checked_unix
         FROM credential_checks ORDER BY host",
    )
    .fetch_all(db)
    .await?;
    let mut out: BTreeMap<RegistryId, Vec<CredentialCheck>> = BTreeMap::new();
    for (kind, scope_name, registry, host, verdict, at) in rows {
        if let Some(check) = check_of((host, verdict, at)) {
            out.entry((scope_of(&kind, scope_name), registry))
                .or_default()
                .push(check);
        }
    }
    Ok(out)
}

/// Forgets every test of registry `id` (it was deleted).
pub async fn forget(db: &SqlitePool, id: &RegistryId) -> Result<()> {
    let (kind, scope_name) = scope_columns(&id.0);
    sqlx::query(
        "DELETE FROM credential_checks WHERE scope = ? AND scope_name = ? AND registry = ?",
    )
    .bind(kind)
    .bind(scope_name)
    .bind(&id.1)
    .execute(db)
    .await?;
    Ok(())
}

/// A row as a check; a verdict that no longer parses is skipped.
fn check_of((host, verdict, checked_unix): (String, String, i64)) -> Option<CredentialCheck> {
    let verdict: Verdict = serde_json::from_str(&verdict).ok()?;
    Some(CredentialCheck {
        host,
        verdict,
        checked_unix,
    })
}
