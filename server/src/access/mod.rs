//! Accounts, sessions, teams and grants: regboard_app's `AccessService`.
//!
//! ```text
//! request ─► session layer (tower-sessions, SQLite store)
//!          ─► http::session::resolve ─► Access::resolve: idle/absolute expiry,
//!             disabled user, ended sessions ─► Principal in the request
//!          ─► http::guard: the policy of the route (public, signed in, admin)
//!          ─► server fn ─► api::authz: role on the scope ─► service
//! ```
//!
//! Every change and every refusal is audited. Grants are read fresh on each
//! request, so a revocation applies to the very next one.

mod confirm;
mod grants;
mod manage;
mod sessions;
pub mod store;
mod teams;

use regboard_app::context::{Caller, Principal, RequestSession};
use regboard_app::domain::access::{check_account_name, Permissions, Role, Subject};
use regboard_app::domain::scope::Scope;
use regboard_app::domain::secret::Password;
use regboard_app::model::access::{AccessOverview, CurrentUser};
use regboard_app::model::audit::AuditScope;
use regboard_app::services::AccessService;
use regboard_app::AppError;
use serde_json::json;
use sqlx::SqlitePool;

use crate::audit::{AuditLog, AuditTarget};
use crate::auth::{
    Clock, LoginThrottle, Passwords, SessionPolicy, SetupToken, ThrottleLimits, SETUP_TOKEN_TTL,
};
use crate::cluster::Inventory;
use crate::error::internal;
use crate::metrics::{SignInMetrics, SignInOutcome};
use tower_sessions_sqlx_store::SqliteStore;

pub use sessions::AUTH_KEY;

/// The access service; cheap to clone.
#[derive(Clone)]
pub struct Access {
    db: SqlitePool,
    audit: AuditLog,
    inventory: Option<Inventory>,
    passwords: Passwords,
    throttle: LoginThrottle,
    setup: SetupToken,
    policy: SessionPolicy,
    clock: Clock,
    sessions: SqliteStore,
    metrics: SignInMetrics,
}

/// Session limits and login throttling, from the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessOptions {
    /// Idle and absolute session limits.
    pub session: SessionPolicy,
    /// Login throttling.
    pub throttle: ThrottleLimits,
}

impl Access {
    /// The service over `db` (creating the session table if needed),
    /// auditing into `audit`, reading namespace projects from `inventory`
    /// (none: every namespace is outside projects).
    pub async fn open(
        db: SqlitePool,
        audit: AuditLog,
        inventory: Option<Inventory>,
        options: AccessOptions,
    ) -> crate::Result<Self> {
        let sessions = SqliteStore::new(db.clone());
        sessions.migrate().await?;
        let passwords = tokio::task::spawn_blocking(Passwords::new)
            .await
            .map_err(|e| crate::Error::Bug(format!("cannot prepare password hashing: {e}")))?;
        Ok(Self {
            db,
            audit,
            inventory,
            passwords,
            throttle: LoginThrottle::new(options.throttle),
            setup: SetupToken::default(),
            policy: options.session,
            clock: Clock::new(),
            sessions,
            metrics: SignInMetrics::default(),
        })
    }

    /// The session layer for the router, over the session store.
    pub fn session_layer(&self) -> tower_sessions::SessionManagerLayer<SqliteStore> {
        self.policy.layer(self.sessions.clone())
    }

    /// Removes expired sessions from the store every `period`, forever.
    pub async fn delete_expired_sessions(self, period: std::time::Duration) {
        use tower_sessions::ExpiredDeletion as _;
        if let Err(e) = self.sessions.continuously_delete_expired(period).await {
            tracing::warn!(error = %e, "stopped deleting expired sessions");
        }
    }

    /// Issues the one-time setup link's token when no user exists yet.
    pub async fn setup_token_if_no_users(&self) -> crate::Result<Option<String>> {
        if store::count_users(&self.db).await? > 0 {
            return Ok(None);
        }
        Ok(Some(self.setup.issue(SETUP_TOKEN_TTL)))
    }

    /// The sign-in counts (registered by `crate::metrics`).
    pub fn metrics(&self) -> &SignInMetrics {
        &self.metrics
    }

    /// The password hasher.
    pub fn passwords(&self) -> &Passwords {
        &self.passwords
    }

    /// The grants that reach user `user_id`.
    pub async fn permissions_of(&self, user_id: i64, admin: bool) -> Result<Permissions, AppError> {
        let mut perms = Permissions {
            user_id,
            admin,
            ..Default::default()
        };
        for grant in store::grants_reaching(&self.db, user_id)
            .await
            .map_err(internal)?
        {
            perms.reach.add(&grant.scope(), grant.role());
        }
        let members = store::members_beside(&self.db, user_id)
            .await
            .map_err(internal)?;
        for m in members.iter().filter(|m| m.user_id == user_id) {
            perms.teams.insert(m.team_id);
            if m.team_admin {
                perms.team_admin_of.entry(m.team_id).or_default();
            }
        }
        for m in &members {
            if let Some(team) = perms.team_admin_of.get_mut(&m.team_id) {
                team.insert(m.user_id);
            }
        }
        Ok(perms)
    }

    /// Appends the outcome of an access change.
    async fn record<T>(
        &self,
        caller: &Caller,
        action: &str,
        target: AuditTarget,
        result: &Result<T, AppError>,
        details: serde_json::Value,
    ) {
        self.audit
            .record_result(caller, action, target, result, details)
            .await;
    }
}

/// An audit target of kind `kind` named `name`, inside `scope` when given.
fn target(kind: &str, name: Option<&str>, scope: Option<&Scope>) -> AuditTarget {
    let (project, namespace) = match scope {
        Some(Scope::Project { project }) => (Some(project.clone()), None),
        Some(Scope::Namespace { namespace }) => (None, Some(namespace.clone())),
        None => (None, None),
    };
    AuditTarget {
        kind: kind.to_owned(),
        project,
        namespace,
        name: name.map(str::to_owned),
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a
/// character boundary.
fn capped(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// A user or team name as a field error of the form field `name`.
fn valid_name(name: &str) -> Result<(), AppError> {
    check_account_name(name).map_err(|message| AppError::Invalid {
        field: Some("name".into()),
        message,
    })
}

#[async_trait::async_trait]
impl AccessService for Access {
    async fn current_user(&self, caller: &Caller) -> Result<Option<CurrentUser>, AppError> {
        let Some(user) = &caller.user else {
            return Ok(None);
        };
        let perms = self.permissions(user).await?;
        Ok(Some(current(user, &perms)))
    }

    async fn permissions(&self, user: &Principal) -> Result<Permissions, AppError> {
        self.permissions_of(user.id, user.admin).await
    }

    fn project_of(&self, namespace: &str) -> Option<String> {
        self.inventory.as_ref()?.project_of(namespace)
    }

    async fn audit_scope(&self, user: &Principal) -> Result<AuditScope, AppError> {
        let perms = self.permissions(user).await?;
        let namespaces = match &self.inventory {
            Some(inventory) if !perms.admin && !perms.reach.projects.is_empty() => inventory.rows(),
            _ => Vec::new(),
        };
        Ok(AuditScope::of(&perms, &namespaces))
    }

    async fn record_denial(
        &self,
        caller: &Caller,
        action: &str,
        scope: Option<&Scope>,
        error: &AppError,
    ) {
        let kind = action.split('.').next().unwrap_or(action);
        let result: Result<(), AppError> = Err(error.clone());
        self.record(
            caller,
            action,
            target(kind, None, scope),
            &result,
            json!({}),
        )
        .await;
    }

    async fn login(
        &self,
        caller: &Caller,
        session: &RequestSession,
        name: &str,
        password: &Password,
    ) -> Result<CurrentUser, AppError> {
        let result = self.sign_in(caller, session, name, password).await;
        self.metrics.count(match &result {
            Ok(_) => SignInOutcome::Success,
            Err(e) => SignInOutcome::of_refusal(e),
        });
        result
    }

    async fn check_own_password(
        &self,
        caller: &Caller,
        user: &Principal,
        password: Option<&Password>,
    ) -> Result<Option<bool>, AppError> {
        self.confirm(caller, user, password).await
    }

    async fn logout(&self, caller: &Caller, session: &RequestSession) -> Result<(), AppError> {
        self.sign_out(caller, session).await
    }

    async fn complete_setup(
        &self,
        caller: &Caller,
        session: &RequestSession,
        token: &str,
        name: &str,
        password: &Password,
    ) -> Result<CurrentUser, AppError> {
        self.first_admin(caller, session, token, name, password)
            .await
    }

    async fn change_password(
        &self,
        caller: &Caller,
        session: &RequestSession,
        user: &Principal,
        current: &Password,
        new: &Password,
    ) -> Result<(), AppError> {
        self.new_password(caller, session, user, current, new).await
    }

    async fn overview(
        &self,
        caller: &Caller,
        perms: &Permissions,
    ) -> Result<AccessOverview, AppError> {
        self.overview_for(caller, perms).await
    }

    async fn create_user(
        &self,
        caller: &Caller,
        name: &str,
        password: &Password,
        admin: bool,
    ) -> Result<(), AppError> {
        self.add_user(caller, name, password, admin).await
    }

    async fn set_user_disabled(
        &self,
        caller: &Caller,
        user_id: i64,
        disabled: bool,
    ) -> Result<(), AppError> {
        self.disable_user(caller, user_id, disabled).await
    }

    async fn set_user_admin(
        &self,
        caller: &Caller,
        user_id: i64,
        admin: bool,
    ) -> Result<(), AppError> {
        self.make_admin(caller, user_id, admin).await
    }

    async fn end_sessions(&self, caller: &Caller, user_id: i64) -> Result<(), AppError> {
        self.end_all_sessions(caller, user_id).await
    }

    async fn create_team(&self, caller: &Caller, name: &str) -> Result<(), AppError> {
        self.add_team(caller, name).await
    }

    async fn delete_team(&self, caller: &Caller, team_id: i64) -> Result<(), AppError> {
        self.remove_team(caller, team_id).await
    }

    async fn add_team_member(
        &self,
        caller: &Caller,
        perms: &Permissions,
        team_id: i64,
        user: &str,
        team_admin: bool,
    ) -> Result<(), AppError> {
        self.add_member(caller, perms, team_id, user, team_admin)
            .await
    }

    async fn remove_team_member(
        &self,
        caller: &Caller,
        perms: &Permissions,
        team_id: i64,
        user_id: i64,
    ) -> Result<(), AppError> {
        self.remove_member(caller, perms, team_id, user_id).await
    }

    async fn create_grant(
        &self,
        caller: &Caller,
        perms: &Permissions,
        subject: Subject,
        role: Role,
        scope: Scope,
    ) -> Result<(), AppError> {
        self.grant(caller, perms, subject, role, scope).await
    }

    async fn revoke_grant(
        &self,
        caller: &Caller,
        perms: &Permissions,
        grant_id: i64,
    ) -> Result<(), AppError> {
        self.revoke(caller, perms, grant_id).await
    }
}

/// The browser's view of `user`.
fn current(user: &Principal, perms: &Permissions) -> CurrentUser {
    CurrentUser {
        id: user.id,
        name: user.name.clone(),
        admin: user.admin,
        manages: perms.manages_anything(),
    }
}
