//! Authorization inside server functions (server side only): who is
//! calling, what they hold, and the audited refusal when it is not enough.
//!
//! The HTTP layer has already applied the coarse [`super::policy`] (public,
//! signed in, admin); these helpers apply the fine-grained rule of each
//! function — the role on the scope named in its arguments — before the
//! function reaches a service. Both fail closed.

use crate::domain::access::{Permissions, Role};
use crate::domain::scope::Scope;
use crate::services::{caller, services, Caller, Principal, Services};
use crate::AppError;

/// A signed-in caller with the services of the request.
#[derive(Clone)]
pub struct Ctx {
    /// The services.
    pub services: Services,
    /// The request's caller (with `user` set).
    pub caller: Caller,
    /// The signed-in user.
    pub user: Principal,
}

/// The signed-in caller, or [`AppError::Unauthenticated`].
pub fn signed_in() -> Result<Ctx, AppError> {
    let services = services()?;
    let caller = caller();
    let user = caller.user.clone().ok_or_else(AppError::sign_in)?;
    Ok(Ctx {
        services,
        caller,
        user,
    })
}

/// The signed-in caller if they are a global admin; otherwise the refusal
/// (audited as `action`, described as "permission to `what`").
pub async fn admin(action: &str, what: &str) -> Result<Ctx, AppError> {
    let ctx = signed_in()?;
    if !ctx.user.admin {
        return Err(ctx.deny(action, what, None).await);
    }
    Ok(ctx)
}

impl Ctx {
    /// The caller's grants, read fresh (a revocation applies at once).
    pub async fn permissions(&self) -> Result<Permissions, AppError> {
        self.services.access.permissions(&self.user).await
    }

    /// The project a namespace belongs to, as the cluster labels it now.
    pub fn project_of(&self, namespace: &str) -> Option<String> {
        self.services.access.project_of(namespace)
    }

    /// The caller's grants if they hold at least `need` on `scope`;
    /// otherwise the audited refusal.
    pub async fn require(
        &self,
        need: Role,
        scope: &Scope,
        action: &str,
        what: &str,
    ) -> Result<Permissions, AppError> {
        let perms = self.permissions().await?;
        if perms.allows(need, scope, &|ns| self.project_of(ns)) {
            Ok(perms)
        } else {
            Err(self.deny(action, what, Some(scope)).await)
        }
    }

    /// Records the refusal of `action` (on `scope`, when there is one) in
    /// the audit log and returns the error that says "permission to `what`".
    pub async fn deny(&self, action: &str, what: &str, scope: Option<&Scope>) -> AppError {
        let error = AppError::not_allowed(what);
        self.services
            .access
            .record_denial(&self.caller, action, scope, &error)
            .await;
        error
    }
}
