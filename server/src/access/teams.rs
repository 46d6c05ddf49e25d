//! Teams and their members: admins create and delete teams; admins and a
//! team's admins add and remove members. Only admins change who administers
//! a team; a team admin adds a member only when they could give that member
//! each of the team's grants. Every outcome is audited.

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
            self.join(perms, &team, &row, team_admin).await
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

    /// Makes `user` a member of `team`. Admins add anyone and set the
    /// team-admin flag of anyone. Others never change an existing member,
    /// and add a new one only when they could give each of the team's
    /// grants themselves (the new member receives them all).
    async fn join(
        &self,
        perms: &Permissions,
        team: &store::TeamRow,
        user: &store::UserRow,
        team_admin: bool,
    ) -> Result<(), AppError> {
        let existing = store::member(&self.db, team.id, user.id)
            .await
            .map_err(internal)?;
        match existing {
            Some(member) if !perms.admin => return Err(already_member(&member, team)),
            Some(_) => {}
            None => self.may_hand_out(perms, team, &user.name).await?,
        }
        if perms.admin {
            return store::upsert_member(&self.db, team.id, user.id, team_admin)
                .await
                .map_err(internal);
        }
        let added = store::insert_member(&self.db, team.id, user.id, team_admin)
            .await
            .map_err(internal)?;
        if added {
            Ok(())
        } else {
            let message = format!("{} is already a member of team {}.", user.name, team.name);
            Err(AppError::Conflict(message))
        }
    }

    /// Refuses adding `user` to `team` when the team holds grants `perms`
    /// could not give; the sentence names each of them.
    async fn may_hand_out(
        &self,
        perms: &Permissions,
        team: &store::TeamRow,
        user: &str,
    ) -> Result<(), AppError> {
        let grants = store::grants_of_team(&self.db, team.id)
            .await
            .map_err(internal)?;
        let mut beyond = Vec::new();
        let mut reasons: Vec<String> = Vec::new();
        for grant in &grants {
            let scope = grant.scope();
            let Some(refusal) =
                self.delegation_refusal(perms, (grant.subject(), grant.role(), &scope))
            else {
                continue;
            };
            beyond.push(format!("{} on {}", grant.role().as_str(), scope.describe()));
            let reason = refusal.to_string();
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
        if beyond.is_empty() {
            return Ok(());
        }
        Err(AppError::NotAllowed(format!(
            "Adding {user} to team {} would give them {}, which you cannot grant. {}",
            team.name,
            and_list(&beyond),
            reasons.join(" "),
        )))
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

/// The answer to someone who is not an admin adding `member` again (as a
/// plain member): nothing changes, and the sentence says why.
fn already_member(member: &store::MemberRow, team: &store::TeamRow) -> AppError {
    let (name, team) = (&member.name, &team.name);
    if member.team_admin {
        AppError::NotAllowed(format!(
            "{name} is already a team admin of {team}; only an admin can make them a plain member."
        ))
    } else {
        AppError::Conflict(format!("{name} is already a member of team {team}."))
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
