//! Teams and their members: admins create and delete teams; admins and a
//! team's admins add and remove members. Every outcome is audited.

use regboard_app::context::Caller;
use regboard_app::domain::access::Permissions;
use regboard_app::AppError;
use serde_json::json;

use super::{store, target, valid_name, Access};
use crate::error::{conflict_or_internal, internal};

impl Access {
    pub(super) async fn add_team(&self, caller: &Caller, name: &str) -> Result<(), AppError> {
        let name = name.trim();
        let result = async {
            valid_name(name)?;
            store::insert_team(&self.db, name).await.map_err(|e| {
                conflict_or_internal(e, format!("A team named {name} already exists."))
            })?;
            Ok(())
        }
        .await;
        self.record(
            caller,
            "team.create",
            target("team", Some(name), None),
            &result,
            json!({}),
        )
        .await;
        result
    }

    pub(super) async fn remove_team(&self, caller: &Caller, team_id: i64) -> Result<(), AppError> {
        let team = self.team(team_id).await?;
        let result = store::delete_team(&self.db, team_id)
            .await
            .map(|_| ())
            .map_err(internal);
        self.record(
            caller,
            "team.delete",
            target("team", Some(&team.name), None),
            &result,
            json!({}),
        )
        .await;
        result
    }

    pub(super) async fn add_member(
        &self,
        caller: &Caller,
        perms: &Permissions,
        team_id: i64,
        user: &str,
        team_admin: bool,
    ) -> Result<(), AppError> {
        let team = self.team(team_id).await?;
        if !perms.manages_team(team_id) {
            return Err(self
                .refuse(caller, "team.member.add", "add members to this team")
                .await);
        }
        if team_admin && !perms.admin {
            return Err(self
                .refuse(caller, "team.member.add", "appoint team admins")
                .await);
        }
        let user = user.trim();
        let result = async {
            let row = store::user_by_name(&self.db, user)
                .await
                .map_err(internal)?;
            let row = row.ok_or_else(|| AppError::Invalid {
                field: Some("user".into()),
                message: format!("There is no user named {user}."),
            })?;
            store::upsert_member(&self.db, team_id, row.id, team_admin)
                .await
                .map_err(internal)
        }
        .await;
        self.record(
            caller,
            "team.member.add",
            target("team", Some(&team.name), None),
            &result,
            json!({ "user": user, "team_admin": team_admin }),
        )
        .await;
        result
    }

    pub(super) async fn remove_member(
        &self,
        caller: &Caller,
        perms: &Permissions,
        team_id: i64,
        user_id: i64,
    ) -> Result<(), AppError> {
        let team = self.team(team_id).await?;
        let member = store::member(&self.db, team_id, user_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                AppError::NotFound(format!("That user is not a member of team {}.", team.name))
            })?;
        if !perms.manages_team(team_id) || (member.team_admin && !perms.admin) {
            return Err(self
                .refuse(caller, "team.member.remove", "remove this member")
                .await);
        }
        let result = store::remove_member(&self.db, team_id, user_id)
            .await
            .map(|_| ())
            .map_err(internal);
        self.record(
            caller,
            "team.member.remove",
            target("team", Some(&team.name), None),
            &result,
            json!({ "user": member.name }),
        )
        .await;
        result
    }

    pub(super) async fn team(&self, id: i64) -> Result<store::TeamRow, AppError> {
        store::team_by_id(&self.db, id)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound("That team does not exist (any more).".into()))
    }
}
