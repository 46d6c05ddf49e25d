//! Authorization inside server functions (server side only): who is
//! calling, what they hold, and the audited refusal when it is not enough.
//!
//! The HTTP layer has already applied the coarse [`super::policy`] (public,
//! signed in, admin); these helpers apply the fine-grained rule of each
//! function — the role on the scope named in its arguments — before the
//! function reaches a service. Both fail closed.

use crate::context::{Caller, Principal, RequestSession};
use crate::domain::access::{Permissions, Role};
use crate::domain::scope::Scope;
use crate::services::Services;
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

/// Any caller, signed in or not, with the services and the session of the
/// request (for signing in and out).
#[derive(Clone)]
pub struct Anyone {
    /// The services.
    pub services: Services,
    /// The request's caller.
    pub caller: Caller,
    /// The request's session extensions.
    pub session: RequestSession,
}

/// The caller of the current request, whoever it is.
pub fn anyone(caller: Caller) -> Result<Anyone, AppError> {
    Ok(Anyone {
        services: crate::services::services()?,
        caller,
        session: crate::context::request_session(),
    })
}

/// `caller` if signed in, or [`AppError::Unauthenticated`].
pub fn signed_in(caller: Caller) -> Result<Ctx, AppError> {
    let services = crate::services::services()?;
    let user = caller.user.clone().ok_or_else(AppError::sign_in)?;
    Ok(Ctx {
        services,
        caller,
        user,
    })
}

/// `caller` if they are a global admin; otherwise the refusal (audited as
/// `action`, described as "permission to `what`").
pub async fn admin(caller: Caller, action: &str, what: &str) -> Result<Ctx, AppError> {
    let ctx = signed_in(caller)?;
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

    /// The project a namespace belongs to, as regboard records it now.
    pub fn project_of(&self, namespace: &str) -> Option<String> {
        self.services.access.project_of(namespace)
    }

    /// Whether `perms` hold at least `need` on `scope`.
    pub fn allows(&self, perms: &Permissions, need: Role, scope: &Scope) -> bool {
        perms.allows(need, scope, &|ns| self.project_of(ns))
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
        if self.allows(&perms, need, scope) {
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

    /// The request's session extensions (for changing the own password).
    pub fn session(&self) -> RequestSession {
        crate::context::request_session()
    }
}
