//! Grants: a role for a user or a team on a project or a namespace.

use regboard_app::domain::access::{Role, Subject};
use regboard_app::domain::scope::Scope;
use sqlx::{FromRow, SqlitePool};

/// One grant with the names of its holder and grantor.
#[derive(Debug, Clone, FromRow)]
pub struct GrantRow {
    /// The id.
    pub id: i64,
    /// The user holding it, for a user grant.
    pub user_id: Option<i64>,
    /// The team holding it, for a team grant.
    pub team_id: Option<i64>,
    /// The holder's name.
    pub subject_name: String,
    /// `viewer`, `editor` or `owner`.
    pub role: String,
    /// `project` or `namespace`.
    pub scope_kind: String,
    /// The project's or namespace's name.
    pub scope_name: String,
    /// Who gave it.
    pub granted_by_name: String,
    /// When (UTC, RFC 3339).
    pub created_at: String,
}

impl GrantRow {
    /// The holder.
    pub fn subject(&self) -> Subject {
        match (self.user_id, self.team_id) {
            (Some(id), _) => Subject::User(id),
            (None, Some(id)) => Subject::Team(id),
            (None, None) => Subject::User(0),
        }
    }

    /// The role (viewer if the stored text were ever unknown: fail low).
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Viewer)
    }

    /// The scope.
    pub fn scope(&self) -> Scope {
        scope_of(&self.scope_kind, &self.scope_name)
    }
}

/// The scope stored as `kind` and `name`.
pub fn scope_of(kind: &str, name: &str) -> Scope {
    if kind == "project" {
        Scope::Project {
            project: name.to_owned(),
        }
    } else {
        Scope::Namespace {
            namespace: name.to_owned(),
        }
    }
}

/// A scope as stored: (`project` | `namespace`, name).
pub fn scope_columns(scope: &Scope) -> (&'static str, &str) {
    match scope {
        Scope::Project { project } => ("project", project),
        Scope::Namespace { namespace } => ("namespace", namespace),
    }
}

const GRANT_SELECT: &str = "SELECT g.id, g.user_id, g.team_id, \
     coalesce(u.name, t.name, '?') AS subject_name, g.role, g.scope_kind, g.scope_name, \
     g.granted_by_name, g.created_at FROM grants g \
     LEFT JOIN users u ON u.id = g.user_id LEFT JOIN teams t ON t.id = g.team_id";

/// Every grant, newest first.
pub async fn grants(db: &SqlitePool) -> sqlx::Result<Vec<GrantRow>> {
    sqlx::query_as(&format!("{GRANT_SELECT} ORDER BY g.id DESC"))
        .fetch_all(db)
        .await
}

/// The grant with `id`.
pub async fn grant_by_id(db: &SqlitePool, id: i64) -> sqlx::Result<Option<GrantRow>> {
    sqlx::query_as(&format!("{GRANT_SELECT} WHERE g.id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The grants of `user_id` and of every team they belong to.
pub async fn grants_reaching(db: &SqlitePool, user_id: i64) -> sqlx::Result<Vec<GrantRow>> {
    sqlx::query_as(&format!(
        "{GRANT_SELECT} WHERE g.user_id = ?1 OR g.team_id IN \
         (SELECT team_id FROM team_members WHERE user_id = ?1)"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// What [`upsert_grant`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantWrite {
    /// The grant `id` was added (`before` is `None`) or its role changed
    /// from `before`.
    Written {
        /// The grant's id.
        id: i64,
        /// The role it had before, as stored.
        before: Option<String>,
    },
    /// An existing grant was left as it was: replacing it was refused.
    Kept {
        /// Its role, as stored.
        role: String,
    },
}

/// Gives `subject` `role` on `scope`. An existing grant of `subject` on
/// `scope` is replaced only when `may_replace` allows its current role;
/// the check and the write are one transaction, so the grant cannot change
/// in between.
pub async fn upsert_grant(
    db: &SqlitePool,
    (subject, role, scope): (Subject, Role, &Scope),
    granted_by: (i64, &str),
    may_replace: impl FnOnce(&str) -> bool + Send,
) -> sqlx::Result<GrantWrite> {
    let (user_id, team_id) = match subject {
        Subject::User(id) => (Some(id), None),
        Subject::Team(id) => (None, Some(id)),
    };
    let (kind, name) = scope_columns(scope);
    let mut tx = crate::db::begin_write(db).await.map_err(|e| match e {
        crate::Error::Database(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    })?;
    let before: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, role FROM grants WHERE coalesce(user_id, 0) = coalesce(?, 0) \
         AND coalesce(team_id, 0) = coalesce(?, 0) AND scope_kind = ? AND scope_name = ?",
    )
    .bind(user_id)
    .bind(team_id)
    .bind(kind)
    .bind(name)
    .fetch_optional(&mut *tx)
    .await?;
    let id = match &before {
        Some((_, old)) if !may_replace(old) => {
            return Ok(GrantWrite::Kept { role: old.clone() });
        }
        Some((id, _)) => {
            sqlx::query("UPDATE grants SET role = ?, granted_by = ?, granted_by_name = ? WHERE id = ?")
                .bind(role.as_str())
                .bind(granted_by.0)
                .bind(granted_by.1)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            *id
        }
        None => sqlx::query(
            "INSERT INTO grants (user_id, team_id, role, scope_kind, scope_name, granted_by, granted_by_name) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(user_id)
        .bind(team_id)
        .bind(role.as_str())
        .bind(kind)
        .bind(name)
        .bind(granted_by.0)
        .bind(granted_by.1)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid(),
    };
    tx.commit().await?;
    Ok(GrantWrite::Written {
        id,
        before: before.map(|(_, role)| role),
    })
}

/// The grants held by team `team_id`, oldest first.
pub async fn grants_of_team(db: &SqlitePool, team_id: i64) -> sqlx::Result<Vec<GrantRow>> {
    sqlx::query_as(&format!("{GRANT_SELECT} WHERE g.team_id = ? ORDER BY g.id"))
        .bind(team_id)
        .fetch_all(db)
        .await
}

/// Deletes a grant; false when it did not exist.
pub async fn delete_grant(db: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM grants WHERE id = ?")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
