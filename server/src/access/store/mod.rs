//! The SQLite side of access (migrations/0003_access.sql): users here,
//! teams and memberships in [`teams`], grants in [`grants`]. Plain queries;
//! the service decides who may call them.

mod grants;
mod teams;

pub use grants::*;
pub use teams::*;

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
