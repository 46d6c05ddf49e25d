//! Grants: who may give or take away a role on a scope (the delegation
//! rules of `domain::access`), checked against the caller's own grants.
//! Replacing an existing grant takes it away, so it also needs the right to
//! revoke the grant it replaces. Every outcome is audited.

use regboard_app::context::Caller;
use regboard_app::domain::access::{DelegationRefusal, Permissions, Role, Subject};
use regboard_app::domain::names::validate_namespace_name;
use regboard_app::domain::scope::Scope;
use regboard_app::services::AccessService;
use regboard_app::AppError;
use serde_json::json;

use super::store::GrantWrite;
use super::{store, target, Access};
use crate::error::internal;

impl Access {
    pub(super) async fn grant(
        &self,
        caller: &Caller,
        perms: &Permissions,
        subject: Subject,
        role: Role,
        scope: Scope,
    ) -> Result<(), AppError> {
        let (kind, name) = store::scope_columns(&scope);
        // Project and namespace names are both DNS-1123 labels.
        validate_namespace_name(name).map_err(|e| AppError::Invalid {
            field: Some("scope".into()),
            message: format!("The {kind} name is not valid: {e}"),
        })?;
        let subject_name = self.subject_name(subject).await?;
        let grantor = caller.user.as_ref().ok_or_else(AppError::sign_in)?;
        self.delegation(caller, perms, "grant.create", (subject, role, &scope))
            .await?;
        // Replacing a grant takes it away: that needs the right to revoke it.
        // An unknown stored role counts as the highest (fail closed).
        let may_replace = |old: &str| {
            let old = Role::parse(old).unwrap_or(Role::Owner);
            self.delegation_refusal(perms, (subject, old, &scope))
                .is_none()
        };
        let written = store::upsert_grant(
            &self.db,
            (subject, role, &scope),
            (grantor.id, &grantor.name),
            may_replace,
        )
        .await
        .map_err(internal);
        let result = match written {
            Ok(GrantWrite::Written { before, .. }) => Ok(before),
            Ok(GrantWrite::Kept { role: old }) => {
                let old = Role::parse(&old).unwrap_or(Role::Owner);
                Err(self.replace_refusal(perms, (subject, old, &scope), &subject_name))
            }
            Err(e) => Err(e),
        };
        let before = result.as_ref().ok().cloned().flatten();
        self.record(
            caller,
            "grant.create",
            target("grant", Some(&subject_name), Some(&scope)),
            &result,
            json!({ "subject": subject_name, "role": role.as_str(), "scope": kind, "previous_role": before }),
        )
        .await;
        result.map(|_| ())
    }

    /// The refusal to replace `old`, which `perms` could not revoke, held by
    /// `subject_name`.
    fn replace_refusal(
        &self,
        perms: &Permissions,
        old: (Subject, Role, &Scope),
        subject_name: &str,
    ) -> AppError {
        let why = self
            .delegation_refusal(perms, old)
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        AppError::NotAllowed(format!(
            "{subject_name} already holds {} on {}, and replacing a grant needs the right to revoke it.{why}",
            old.1.as_str(),
            old.2.describe(),
        ))
    }

    pub(super) async fn revoke(
        &self,
        caller: &Caller,
        perms: &Permissions,
        grant_id: i64,
    ) -> Result<(), AppError> {
        let grant = store::grant_by_id(&self.db, grant_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound("That grant does not exist (any more).".into()))?;
        let scope = grant.scope();
        self.delegation(
            caller,
            perms,
            "grant.revoke",
            (grant.subject(), grant.role(), &scope),
        )
        .await?;
        let result = store::delete_grant(&self.db, grant_id)
            .await
            .map(|_| ())
            .map_err(internal);
        self.record(
            caller,
            "grant.revoke",
            target("grant", Some(&grant.subject_name), Some(&scope)),
            &result,
            json!({ "subject": grant.subject_name, "role": grant.role, "scope": grant.scope_kind }),
        )
        .await;
        result
    }

    pub(super) async fn subject_name(&self, subject: Subject) -> Result<String, AppError> {
        let missing = |what: &str| AppError::Invalid {
            field: Some("subject".into()),
            message: format!("That {what} does not exist."),
        };
        match subject {
            Subject::User(id) => Ok(store::user_by_id(&self.db, id)
                .await
                .map_err(internal)?
                .ok_or_else(|| missing("user"))?
                .name),
            Subject::Team(id) => Ok(store::team_by_id(&self.db, id)
                .await
                .map_err(internal)?
                .ok_or_else(|| missing("team"))?
                .name),
        }
    }

    /// Why `perms` may not give (or take away) `grant`, or `None` when they
    /// may: the one delegation check behind granting, replacing, revoking and
    /// handing out a team's grants with a new member.
    pub(super) fn delegation_refusal(
        &self,
        perms: &Permissions,
        (subject, role, scope): (Subject, Role, &Scope),
    ) -> Option<DelegationRefusal> {
        perms
            .may_grant(subject, role, scope, &|ns| self.project_of(ns))
            .err()
    }

    /// Whether `perms` may give (or take away) `grant`; the refusal of
    /// `action` is audited.
    pub(super) async fn delegation(
        &self,
        caller: &Caller,
        perms: &Permissions,
        action: &str,
        grant: (Subject, Role, &Scope),
    ) -> Result<(), AppError> {
        let Some(refusal) = self.delegation_refusal(perms, grant) else {
            return Ok(());
        };
        let error = AppError::NotAllowed(refusal.to_string());
        self.record_denial(caller, action, Some(grant.2), &error)
            .await;
        Err(error)
    }
}
