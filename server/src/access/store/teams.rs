//! Teams and their members.

use sqlx::{FromRow, SqlitePool};

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

/// Adds a member unless they already are one (their flag stays as it is);
/// false when they were one.
pub async fn insert_member(
    db: &SqlitePool,
    team_id: i64,
    user_id: i64,
    team_admin: bool,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO team_members (team_id, user_id, team_admin) VALUES (?, ?, ?) \
         ON CONFLICT (team_id, user_id) DO NOTHING",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(team_admin)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
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
