//! The SQLite side of access: users, teams, memberships and grants
//! (migrations/0003_access.sql). Plain queries; the service decides who
//! may call them.

use regboard_app::domain::access::{Role, Subject};
use regboard_app::domain::scope::Scope;
use sqlx::{FromRow, SqlitePool};

/// One account as stored (the hash never leaves the server).
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    /// The id.
    pub id: i64,
    /// The name, unique without regard to case.
    pub name: String,
    /// The argon2id PHC string.
    pub password_hash: String,
    /// Global admin.
    pub admin: bool,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
    /// Sessions issued under an older epoch are void.
    pub session_epoch: i64,
    /// Creation time (UTC, RFC 3339).
    pub created_at: String,
}

const USER_COLUMNS: &str = "id, name, password_hash, admin, disabled, session_epoch, created_at";

/// The user named `name` (any case).
pub async fn user_by_name(db: &SqlitePool, name: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?"))
        .bind(name)
        .fetch_optional(db)
        .await
}

/// The user with `id`.
pub async fn user_by_id(db: &SqlitePool, id: i64) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Every user, by name.
pub async fn users(db: &SqlitePool) -> sqlx::Result<Vec<UserRow>> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"))
        .fetch_all(db)
        .await
}

/// How many users exist.
pub async fn count_users(db: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(db)
        .await
}

/// Adds a user; a taken name is a unique violation.
pub async fn insert_user(
    db: &SqlitePool,
    name: &str,
    hash: &str,
    admin: bool,
) -> sqlx::Result<i64> {
    let done = sqlx::query("INSERT INTO users (name, password_hash, admin) VALUES (?, ?, ?)")
        .bind(name)
        .bind(hash)
        .bind(admin)
        .execute(db)
        .await?;
    Ok(done.last_insert_rowid())
}

/// Adds an admin only while no user exists (one statement, so two setups
/// racing make one admin). `None` when a user already existed.
pub async fn insert_first_admin(
    db: &SqlitePool,
    name: &str,
    hash: &str,
) -> sqlx::Result<Option<i64>> {
    let done = sqlx::query(
        "INSERT INTO users (name, password_hash, admin) \
         SELECT ?, ?, 1 WHERE NOT EXISTS (SELECT 1 FROM users)",
    )
    .bind(name)
    .bind(hash)
    .execute(db)
    .await?;
    Ok((done.rows_affected() == 1).then(|| done.last_insert_rowid()))
}

/// Replaces a user's password hash.
pub async fn set_password(db: &SqlitePool, id: i64, hash: &str) -> sqlx::Result<bool> {
    update_user(db, "password_hash = ?", id, hash.to_owned()).await
}

/// Disables (voiding every session) or enables a user.
pub async fn set_disabled(db: &SqlitePool, id: i64, disabled: bool) -> sqlx::Result<bool> {
    let set = if disabled {
        "disabled = ?, session_epoch = session_epoch + 1"
    } else {
        "disabled = ?"
    };
    update_user(db, set, id, disabled).await
}

/// Grants or removes global admin.
pub async fn set_admin(db: &SqlitePool, id: i64, admin: bool) -> sqlx::Result<bool> {
    update_user(db, "admin = ?", id, admin).await
}

/// Voids every session of a user.
pub async fn end_sessions(db: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    update_user(db, "session_epoch = session_epoch + ?", id, 1).await
}

async fn update_user<T>(db: &SqlitePool, set: &str, id: i64, value: T) -> sqlx::Result<bool>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
{
    let sql = format!(
        "UPDATE users SET {set}, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"
    );
    let done = sqlx::query(&sql).bind(value).bind(id).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

/// A team.
#[derive(Debug, Clone, FromRow)]
pub struct TeamRow {
    /// The id.
    pub id: i64,
    /// The name.
    pub name: String,
}

/// One membership, with the member's name.
#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    /// The team.
    pub team_id: i64,
    /// The member.
    pub user_id: i64,
    /// The member's name.
    pub name: String,
    /// Whether they administer the team.
    pub team_admin: bool,
}

/// Every team, by name.
pub async fn teams(db: &SqlitePool) -> sqlx::Result<Vec<TeamRow>> {
    sqlx::query_as("SELECT id, name FROM teams ORDER BY name")
        .fetch_all(db)
        .await
}

/// The team with `id`.
pub async fn team_by_id(db: &SqlitePool, id: i64) -> sqlx::Result<Option<TeamRow>> {
    sqlx::query_as("SELECT id, name FROM teams WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await
}

const MEMBER_SELECT: &str = "SELECT m.team_id, m.user_id, u.name, m.team_admin \
     FROM team_members m JOIN users u ON u.id = m.user_id";

/// Every membership, by team and member name.
pub async fn members(db: &SqlitePool) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as(&format!("{MEMBER_SELECT} ORDER BY m.team_id, u.name"))
        .fetch_all(db)
        .await
}

/// The memberships of every team `user_id` belongs to (theirs included).
pub async fn members_beside(db: &SqlitePool, user_id: i64) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as(&format!(
        "{MEMBER_SELECT} WHERE m.team_id IN \
         (SELECT team_id FROM team_members WHERE user_id = ?) ORDER BY m.team_id, u.name"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// The membership of `user_id` in `team_id`, if any.
pub async fn member(
    db: &SqlitePool,
    team_id: i64,
    user_id: i64,
) -> sqlx::Result<Option<MemberRow>> {
    sqlx::query_as(&format!(
        "{MEMBER_SELECT} WHERE m.team_id = ? AND m.user_id = ?"
    ))
    .bind(team_id)
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// Adds a team; a taken name is a unique violation.
pub async fn insert_team(db: &SqlitePool, name: &str) -> sqlx::Result<i64> {
    let done = sqlx::query("INSERT INTO teams (name) VALUES (?)")
        .bind(name)
        .execute(db)
        .await?;
    Ok(done.last_insert_rowid())
}

/// Deletes a team; its memberships and grants go with it.
pub async fn delete_team(db: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM teams WHERE id = ?")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds a member or changes their team-admin flag.
pub async fn upsert_member(
    db: &SqlitePool,
    team_id: i64,
    user_id: i64,
    team_admin: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO team_members (team_id, user_id, team_admin) VALUES (?, ?, ?) \
         ON CONFLICT (team_id, user_id) DO UPDATE SET team_admin = excluded.team_admin",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(team_admin)
    .execute(db)
    .await?;
    Ok(())
}

/// Removes a member; false when they were not one.
pub async fn remove_member(db: &SqlitePool, team_id: i64, user_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM team_members WHERE team_id = ? AND user_id = ?")
        .bind(team_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

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

/// Gives `subject` `role` on `scope` (changing the role of an existing
/// grant); returns the grant's id and the role it had before, if any.
pub async fn upsert_grant(
    db: &SqlitePool,
    subject: Subject,
    role: Role,
    scope: &Scope,
    granted_by: (i64, &str),
) -> sqlx::Result<(i64, Option<String>)> {
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
    Ok((id, before.map(|(_, role)| role)))
}

/// Deletes a grant; false when it did not exist.
pub async fn delete_grant(db: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM grants WHERE id = ?")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
