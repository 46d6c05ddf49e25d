//! Managing users, teams and grants, and what the Access page shows.
//!
//! The server functions have already checked the coarse policy (admin-only
//! functions reach here only for admins); the rules that depend on the data
//! (delegation, team administration, the last admin) are checked here, and
//! every outcome is audited.

use regboard_app::context::Caller;
use regboard_app::domain::access::{Permissions, Subject};
use regboard_app::domain::secret::Password;
use regboard_app::model::access::{AccessOverview, GrantView, MemberView, TeamView, UserView};
use regboard_app::services::AccessService;
use regboard_app::AppError;
use serde_json::json;

use super::{current, store, target, valid_name, Access};
use crate::auth::check_new_password;
use crate::error::{conflict_or_internal, internal};

impl Access {
    /// What the Access page shows the holder of `perms`.
    pub(super) async fn overview_for(
        &self,
        caller: &Caller,
        perms: &Permissions,
    ) -> Result<AccessOverview, AppError> {
        let me = caller.user.as_ref().ok_or_else(AppError::sign_in)?;
        let users = store::users(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|u| perms.manages_anything() || u.id == me.id)
            .map(|u| UserView {
                id: u.id,
                name: u.name,
                admin: u.admin,
                disabled: u.disabled,
                created_at: u.created_at,
            })
            .collect();
        Ok(AccessOverview {
            me: current(me, perms),
            users,
            teams: self.visible_teams(perms).await?,
            grants: self.visible_grants(me.id, perms).await?,
        })
    }

    /// Every team for admins, else the caller's own, with members.
    async fn visible_teams(&self, perms: &Permissions) -> Result<Vec<TeamView>, AppError> {
        let members = store::members(&self.db).await.map_err(internal)?;
        let teams = store::teams(&self.db).await.map_err(internal)?;
        Ok(teams
            .into_iter()
            .filter(|t| perms.admin || perms.teams.contains(&t.id))
            .map(|t| TeamView {
                members: members
                    .iter()
                    .filter(|m| m.team_id == t.id)
                    .map(|m| MemberView {
                        user_id: m.user_id,
                        name: m.name.clone(),
                        team_admin: m.team_admin,
                    })
                    .collect(),
                id: t.id,
                name: t.name,
            })
            .collect())
    }

    /// The caller's own grants and those they may revoke.
    async fn visible_grants(
        &self,
        me: i64,
        perms: &Permissions,
    ) -> Result<Vec<GrantView>, AppError> {
        let project_of = |ns: &str| self.project_of(ns);
        let grants = store::grants(&self.db).await.map_err(internal)?;
        Ok(grants
            .into_iter()
            .filter_map(|g| {
                let subject = g.subject();
                let scope = g.scope();
                let revocable = perms
                    .may_grant(subject, g.role(), &scope, &project_of)
                    .is_ok();
                let own = match subject {
                    Subject::User(id) => id == me,
                    Subject::Team(id) => perms.teams.contains(&id),
                };
                (revocable || own).then(|| GrantView {
                    id: g.id,
                    subject,
                    subject_name: g.subject_name.clone(),
                    role: g.role(),
                    scope,
                    granted_by: g.granted_by_name.clone(),
                    created_at: g.created_at.clone(),
                    revocable,
                })
            })
            .collect())
    }

    pub(super) async fn add_user(
        &self,
        caller: &Caller,
        name: &str,
        password: &Password,
        admin: bool,
    ) -> Result<(), AppError> {
        let name = name.trim();
        let result = async {
            valid_name(name)?;
            check_new_password(name, password, "password")?;
            let hash = self.passwords.hash(password).await?;
            store::insert_user(&self.db, name, &hash, admin)
                .await
                .map_err(|e| {
                    conflict_or_internal(e, format!("A user named {name} already exists."))
                })?;
            Ok(())
        }
        .await;
        self.record(
            caller,
            "user.create",
            target("user", Some(name), None),
            &result,
            json!({ "name": name, "admin": admin }),
        )
        .await;
        result
    }

    pub(super) async fn disable_user(
        &self,
        caller: &Caller,
        user_id: i64,
        disabled: bool,
    ) -> Result<(), AppError> {
        let (action, name, result) = async {
            let user = self.user(user_id).await?;
            let action = if disabled {
                "user.disable"
            } else {
                "user.enable"
            };
            let result = async {
                if disabled && user.admin && !user.disabled {
                    self.keep_an_admin(user_id).await?;
                }
                store::set_disabled(&self.db, user_id, disabled)
                    .await
                    .map_err(internal)?;
                Ok(())
            }
            .await;
            Ok::<_, AppError>((action, user.name, result))
        }
        .await?;
        self.record(
            caller,
            action,
            target("user", Some(&name), None),
            &result,
            json!({ "disabled": disabled }),
        )
        .await;
        result
    }

    pub(super) async fn make_admin(
        &self,
        caller: &Caller,
        user_id: i64,
        admin: bool,
    ) -> Result<(), AppError> {
        let user = self.user(user_id).await?;
        let result = async {
            if !admin && user.admin && !user.disabled {
                self.keep_an_admin(user_id).await?;
            }
            store::set_admin(&self.db, user_id, admin)
                .await
                .map_err(internal)?;
            Ok(())
        }
        .await;
        let action = if admin {
            "user.admin.grant"
        } else {
            "user.admin.revoke"
        };
        self.record(
            caller,
            action,
            target("user", Some(&user.name), None),
            &result,
            json!({ "admin": admin }),
        )
        .await;
        result
    }

    pub(super) async fn end_all_sessions(
        &self,
        caller: &Caller,
        user_id: i64,
    ) -> Result<(), AppError> {
        let user = self.user(user_id).await?;
        let result = store::end_sessions(&self.db, user_id)
            .await
            .map(|_| ())
            .map_err(internal);
        self.record(
            caller,
            "user.sessions.end",
            target("user", Some(&user.name), None),
            &result,
            json!({}),
        )
        .await;
        result
    }

    pub(super) async fn user(&self, id: i64) -> Result<store::UserRow, AppError> {
        store::user_by_id(&self.db, id)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound("That user does not exist.".into()))
    }

    /// Refuses to take away the last active admin.
    pub(super) async fn keep_an_admin(&self, leaving: i64) -> Result<(), AppError> {
        let others = store::users(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .any(|u| u.admin && !u.disabled && u.id != leaving);
        if others {
            Ok(())
        } else {
            Err(AppError::Conflict(
                "This is the last active admin; make someone else an admin first.".into(),
            ))
        }
    }

    /// Audits and returns a refusal to do `what`.
    pub(super) async fn refuse(&self, caller: &Caller, action: &str, what: &str) -> AppError {
        let error = AppError::not_allowed(what);
        self.record_denial(caller, action, None, &error).await;
        error
    }
}
