//! Accounts, sessions, teams and grants: wire types and server functions.
//!
//! Signing in and out and the first-admin setup are public; everything else
//! needs a signed-in user, and the service checks delegation rules
//! (`domain::access`) against the caller's own grants before any change.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::access::{Role, Subject};
use crate::domain::scope::Scope;
use crate::domain::secret::Password;
use crate::AppError;

/// The signed-in user as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// The user's id.
    pub id: i64,
    /// The user's name.
    pub name: String,
    /// Global admin: manages users, teams, projects and every grant.
    pub admin: bool,
    /// Whether the user administers a team or owns a scope (and so has
    /// something to do on the Access page beyond reading their grants).
    pub manages: bool,
}

/// One account, as the Access page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    /// The user's id.
    pub id: i64,
    /// The user's name.
    pub name: String,
    /// Global admin.
    pub admin: bool,
    /// Disabled users cannot sign in and have no sessions.
    pub disabled: bool,
    /// When the account was created (UTC, RFC 3339).
    pub created_at: String,
}

/// One member of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// The member's user id.
    pub user_id: i64,
    /// The member's name.
    pub name: String,
    /// Team admins add and remove members and delegate namespace scope to them.
    pub team_admin: bool,
}

/// One team with its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    /// The team's id.
    pub id: i64,
    /// The team's name.
    pub name: String,
    /// Its members, by name.
    pub members: Vec<MemberView>,
}

/// One grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    /// The grant's id.
    pub id: i64,
    /// Who holds it.
    pub subject: Subject,
    /// The user's or team's name.
    pub subject_name: String,
    /// What it allows.
    pub role: Role,
    /// Where.
    pub scope: Scope,
    /// Who gave it.
    pub granted_by: String,
    /// When (UTC, RFC 3339).
    pub created_at: String,
    /// Whether the caller may revoke it.
    pub revocable: bool,
}

/// What the Access page shows the caller: admins see everything; others
/// see their own grants, their teams, and the grants inside what they
/// manage (plus the user names they may grant to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessOverview {
    /// The caller.
    pub me: CurrentUser,
    /// Accounts the caller may see (all for admins and managers, else only
    /// themselves).
    pub users: Vec<UserView>,
    /// Teams the caller may see (all for admins, else their own).
    pub teams: Vec<TeamView>,
    /// Grants the caller may see, newest first.
    pub grants: Vec<GrantView>,
}

/// The user signed in on this browser, if any.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    let caller = crate::services::caller();
    crate::error::respond(
        crate::services::services()?
            .access
            .current_user(&caller)
            .await,
    )
}

/// Signs in: a new session id on success; the same answer for an unknown
/// name and a wrong password.
#[server(endpoint = "login")]
pub async fn login(name: String, password: Password) -> Result<CurrentUser, AppError> {
    let (services, caller, session) = crate::services::with_session()?;
    crate::error::respond(
        services
            .access
            .login(&caller, &session, &name, &password)
            .await,
    )
}

/// Signs out: the session is removed on the server.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let (services, caller, session) = crate::services::with_session()?;
    crate::error::respond(services.access.logout(&caller, &session).await)
}

/// Creates the first admin with the one-time setup token the server logged,
/// and signs them in.
#[server(endpoint = "complete_setup")]
pub async fn complete_setup(
    token: String,
    name: String,
    password: Password,
) -> Result<CurrentUser, AppError> {
    let (services, caller, session) = crate::services::with_session()?;
    crate::error::respond(
        services
            .access
            .complete_setup(&caller, &session, &token, &name, &password)
            .await,
    )
}

/// Changes the caller's own password (the current one is asked again).
#[server(endpoint = "change_password")]
pub async fn change_password(current: Password, new: Password) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::signed_in()?;
        let (_, _, session) = crate::services::with_session()?;
        ctx.services
            .access
            .change_password(&ctx.caller, &session, &ctx.user, &current, &new)
            .await
    };
    crate::error::respond(result.await)
}

/// Users, teams and grants the caller may see.
#[server(endpoint = "access_overview")]
pub async fn get_access_overview() -> Result<AccessOverview, AppError> {
    let ctx = crate::api::authz::signed_in()?;
    let result = async {
        let perms = ctx.permissions().await?;
        ctx.services.access.overview(&ctx.caller, &perms).await
    };
    crate::error::respond(result.await)
}

/// Creates an account (admins only).
#[server(endpoint = "create_user")]
pub async fn create_user(name: String, password: Password, admin: bool) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::admin("user.create", "create users").await?;
        ctx.services
            .access
            .create_user(&ctx.caller, &name, &password, admin)
            .await
    };
    crate::error::respond(result.await)
}

/// Disables (signing them out everywhere) or re-enables a user (admins only).
#[server(endpoint = "set_user_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::admin("user.disable", "disable users").await?;
        ctx.services
            .access
            .set_user_disabled(&ctx.caller, user_id, disabled)
            .await
    };
    crate::error::respond(result.await)
}

/// Makes a user a global admin or takes that away (admins only).
#[server(endpoint = "set_user_admin")]
pub async fn set_user_admin(user_id: i64, admin: bool) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::admin("user.admin", "change who is an admin").await?;
        ctx.services
            .access
            .set_user_admin(&ctx.caller, user_id, admin)
            .await
    };
    crate::error::respond(result.await)
}

/// Ends every session of a user (admins, or the user themselves).
#[server(endpoint = "end_user_sessions")]
pub async fn end_user_sessions(user_id: i64) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::signed_in()?;
        if ctx.user.id != user_id && !ctx.user.admin {
            return Err(ctx
                .deny("user.sessions.end", "end another user's sessions", None)
                .await);
        }
        ctx.services.access.end_sessions(&ctx.caller, user_id).await
    };
    crate::error::respond(result.await)
}

/// Creates a team (admins only).
#[server(endpoint = "create_team")]
pub async fn create_team(name: String) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::admin("team.create", "create teams").await?;
        ctx.services.access.create_team(&ctx.caller, &name).await
    };
    crate::error::respond(result.await)
}

/// Deletes a team with its memberships and grants (admins only).
#[server(endpoint = "delete_team")]
pub async fn delete_team(team_id: i64) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::admin("team.delete", "delete teams").await?;
        ctx.services.access.delete_team(&ctx.caller, team_id).await
    };
    crate::error::respond(result.await)
}

/// Adds the user named `user` to a team, or changes their team-admin flag
/// (admins and the team's admins; only admins appoint team admins).
#[server(endpoint = "add_team_member")]
pub async fn add_team_member(team_id: i64, user: String, team_admin: bool) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::signed_in()?;
        let perms = ctx.permissions().await?;
        ctx.services
            .access
            .add_team_member(&ctx.caller, &perms, team_id, &user, team_admin)
            .await
    };
    crate::error::respond(result.await)
}

/// Removes a user from a team (admins and the team's admins).
#[server(endpoint = "remove_team_member")]
pub async fn remove_team_member(team_id: i64, user_id: i64) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::signed_in()?;
        let perms = ctx.permissions().await?;
        ctx.services
            .access
            .remove_team_member(&ctx.caller, &perms, team_id, user_id)
            .await
    };
    crate::error::respond(result.await)
}

/// Gives `subject` the role `role` on `scope`, within the caller's own reach.
#[server(endpoint = "create_grant")]
pub async fn create_grant(subject: Subject, role: Role, scope: Scope) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::signed_in()?;
        let perms = ctx.permissions().await?;
        ctx.services
            .access
            .create_grant(&ctx.caller, &perms, subject, role, scope)
            .await
    };
    crate::error::respond(result.await)
}

/// Takes a grant away, within the caller's own reach; applies on the very
/// next request of its holder.
#[server(endpoint = "revoke_grant")]
pub async fn revoke_grant(grant_id: i64) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::signed_in()?;
        let perms = ctx.permissions().await?;
        ctx.services
            .access
            .revoke_grant(&ctx.caller, &perms, grant_id)
            .await
    };
    crate::error::respond(result.await)
}
