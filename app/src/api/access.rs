//! Accounts, sessions, teams and grants: server functions.
//!
//! Signing in and out and the first-admin setup are public; everything else
//! needs a signed-in user, and the service checks delegation rules
//! (`domain::access`) against the caller's own grants before any change.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::call;
use crate::domain::access::{Role, Subject};
use crate::domain::scope::Scope;
use crate::domain::secret::Password;
pub use crate::model::access::*;
use crate::AppError;

/// The user signed in on this browser, if any.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    call::anyone(|ctx| async move { ctx.services.access.current_user(&ctx.caller).await }).await
}

/// Signs in: a new session id on success; the same answer for an unknown
/// name and a wrong password.
#[server(endpoint = "login")]
pub async fn login(name: String, password: Password) -> Result<CurrentUser, AppError> {
    call::anyone(|ctx| async move {
        let access = &ctx.services.access;
        access
            .login(&ctx.caller, &ctx.session, &name, &password)
            .await
    })
    .await
}

/// Signs out: the session is removed on the server.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    call::anyone(|ctx| async move { ctx.services.access.logout(&ctx.caller, &ctx.session).await })
        .await
}

/// Creates the first admin with the one-time setup token the server logged,
/// and signs them in.
#[server(endpoint = "complete_setup")]
pub async fn complete_setup(
    token: String,
    name: String,
    password: Password,
) -> Result<CurrentUser, AppError> {
    call::anyone(|ctx| async move {
        let access = &ctx.services.access;
        access
            .complete_setup(&ctx.caller, &ctx.session, &token, &name, &password)
            .await
    })
    .await
}

/// Changes the caller's own password (the current one is asked again).
#[server(endpoint = "change_password")]
pub async fn change_password(current: Password, new: Password) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        let session = ctx.session();
        let access = &ctx.services.access;
        access
            .change_password(&ctx.caller, &session, &ctx.user, &current, &new)
            .await
    })
    .await
}

/// Users, teams and grants the caller may see.
#[server(endpoint = "access_overview")]
pub async fn get_access_overview() -> Result<AccessOverview, AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        ctx.services.access.overview(&ctx.caller, &perms).await
    })
    .await
}

/// Creates an account (admins only).
#[server(endpoint = "create_user")]
pub async fn create_user(name: String, password: Password, admin: bool) -> Result<(), AppError> {
    call::admin("user.create", "create users", |ctx| async move {
        let access = &ctx.services.access;
        access
            .create_user(&ctx.caller, &name, &password, admin)
            .await
    })
    .await
}

/// Disables (signing them out everywhere) or re-enables a user (admins only).
#[server(endpoint = "set_user_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), AppError> {
    call::admin("user.disable", "disable users", |ctx| async move {
        let access = &ctx.services.access;
        access
            .set_user_disabled(&ctx.caller, user_id, disabled)
            .await
    })
    .await
}

/// Makes a user a global admin or takes that away (admins only).
#[server(endpoint = "set_user_admin")]
pub async fn set_user_admin(user_id: i64, admin: bool) -> Result<(), AppError> {
    call::admin("user.admin", "change who is an admin", |ctx| async move {
        let access = &ctx.services.access;
        access.set_user_admin(&ctx.caller, user_id, admin).await
    })
    .await
}

/// Ends every session of a user (admins, or the user themselves).
#[server(endpoint = "end_user_sessions")]
pub async fn end_user_sessions(user_id: i64) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        if ctx.user.id != user_id && !ctx.user.admin {
            let what = "end another user's sessions";
            return Err(ctx.deny("user.sessions.end", what, None).await);
        }
        ctx.services.access.end_sessions(&ctx.caller, user_id).await
    })
    .await
}

/// Creates a team (admins only).
#[server(endpoint = "create_team")]
pub async fn create_team(name: String) -> Result<(), AppError> {
    call::admin("team.create", "create teams", |ctx| async move {
        ctx.services.access.create_team(&ctx.caller, &name).await
    })
    .await
}

/// Deletes a team with its memberships and grants (admins only).
#[server(endpoint = "delete_team")]
pub async fn delete_team(team_id: i64) -> Result<(), AppError> {
    call::admin("team.delete", "delete teams", |ctx| async move {
        ctx.services.access.delete_team(&ctx.caller, team_id).await
    })
    .await
}

/// Adds the user named `user` to a team, or changes their team-admin flag
/// (admins and the team's admins; only admins appoint team admins).
#[server(endpoint = "add_team_member")]
pub async fn add_team_member(team_id: i64, user: String, team_admin: bool) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        let access = &ctx.services.access;
        access
            .add_team_member(&ctx.caller, &perms, team_id, &user, team_admin)
            .await
    })
    .await
}

/// Removes a user from a team (admins and the team's admins).
#[server(endpoint = "remove_team_member")]
pub async fn remove_team_member(team_id: i64, user_id: i64) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        let access = &ctx.services.access;
        access
            .remove_team_member(&ctx.caller, &perms, team_id, user_id)
            .await
    })
    .await
}

/// Gives `subject` the role `role` on `scope`, within the caller's own reach.
#[server(endpoint = "create_grant")]
pub async fn create_grant(subject: Subject, role: Role, scope: Scope) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        let access = &ctx.services.access;
        access
            .create_grant(&ctx.caller, &perms, subject, role, scope)
            .await
    })
    .await
}

/// Takes a grant away, within the caller's own reach; applies on the very
/// next request of its holder.
#[server(endpoint = "revoke_grant")]
pub async fn revoke_grant(grant_id: i64) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        let access = &ctx.services.access;
        access.revoke_grant(&ctx.caller, &perms, grant_id).await
    })
    .await
}
