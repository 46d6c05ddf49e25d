//! The service traits that server functions call, implemented by the server
//! crate and handed to every request through Leptos context.
//!
//! They speak the wire types of [`crate::model`] and the request context of
//! [`crate::context`]; neither depends on this module, so data flows one
//! way: `api` → `services` → (server crate).

use std::sync::Arc;

use crate::context::{Caller, Principal, RequestSession};
use crate::domain::access::{Permissions, Role, Subject};
use crate::domain::scope::Scope as GrantScope;
use crate::domain::secret::Password;
use crate::model::access::{AccessOverview, CurrentUser};
use crate::model::audit::{AuditEventPage, AuditEventView, AuditFilter, AuditScope, ChainHead};
use crate::model::changes::{
    ChangePreview, RegistryChange, RotationInput, RotationProgress, RotationReport,
};
use crate::model::cluster::{ClusterStatus, NamespaceRow};
use crate::model::credentials::CredentialCheck;
use crate::model::export::{ExportRequest, RegistryExport};
use crate::model::projects::{MovePreview, ProjectSummary};
use crate::model::registries::{
    Attachment, RegistryDetail, RegistryFilter, RegistryInput, RegistrySummary, Scope,
    UnprovenSecret,
};
use crate::model::unmanaged::{AdoptRequest, UnmanagedSecret};
use crate::model::workloads::{CoverageReport, Diagnosis, WorkloadList, WorkloadQuery};
use crate::AppError;

/// Read access to the connected cluster.
#[async_trait::async_trait]
pub trait ClusterService: Send + Sync {
    /// How regboard is connected and whether the cluster answers.
    async fn status(&self) -> ClusterStatus;
    /// Every namespace with its project label and number of Secrets.
    async fn namespaces(&self) -> Result<Vec<NamespaceRow>, AppError>;
}

/// Registry credentials: create, read, edit, delete, resync.
#[async_trait::async_trait]
pub trait RegistryService: Send + Sync {
    /// Registries matching `filter`.
    async fn list(&self, filter: &RegistryFilter) -> Result<Vec<RegistrySummary>, AppError>;
    /// One registry in detail.
    async fn get(&self, scope: &Scope, name: &str) -> Result<RegistryDetail, AppError>;
    /// Creates a registry.
    async fn create(
        &self,
        caller: &Caller,
        input: RegistryInput,
    ) -> Result<RegistrySummary, AppError>;
    /// Edits a registry.
    async fn update(
        &self,
        caller: &Caller,
        input: RegistryInput,
    ) -> Result<RegistrySummary, AppError>;
    /// Deletes a registry.
    async fn delete(&self, caller: &Caller, scope: &Scope, name: &str) -> Result<(), AppError>;
    /// Reconciles a registry now.
    async fn resync(&self, caller: &Caller, scope: &Scope, name: &str) -> Result<(), AppError>;
    /// Writes the lost source of project registry `name` again from one of
    /// its copies.
    async fn restore(&self, caller: &Caller, project: &str, name: &str) -> Result<(), AppError>;
    /// Takes over a Secret that carries regboard's labels without its proof
    /// (written before proofs existed, or whose proof was lost).
    async fn adopt(&self, caller: &Caller, namespace: &str, name: &str) -> Result<(), AppError>;
    /// Changes which ServiceAccounts the registry is attached to.
    async fn set_attachment(
        &self,
        caller: &Caller,
        scope: &Scope,
        name: &str,
        attachment: Attachment,
    ) -> Result<(), AppError>;
    /// Secrets carrying regboard's labels without its proof, for an admin
    /// to adopt or leave.
    async fn unproven(&self) -> Result<Vec<UnprovenSecret>, AppError>;
    /// Tests the stored credential of `host` (every host when `None`)
    /// against the registry — with `image`, for pulling that repository —
    /// records and answers the verdicts.
    async fn test_credential(
        &self,
        caller: &Caller,
        registry: (&Scope, &str),
        host: Option<&str>,
        image: Option<&str>,
    ) -> Result<Vec<CredentialCheck>, AppError>;
}

/// Pull Secrets going out of regboard (export) and coming in (adopting
/// the ones regboard did not write).
#[async_trait::async_trait]
pub trait PullSecretService: Send + Sync {
    /// A registry as files to apply or build elsewhere. The credential is
    /// in them only when `request.include_credential` and `own_password_ok`
    /// is `Some(true)` (the caller's own password, checked by
    /// [`AccessService::check_own_password`]); audited either way.
    async fn export(
        &self,
        caller: &Caller,
        request: &ExportRequest,
        own_password_ok: Option<bool>,
    ) -> Result<RegistryExport, AppError>;
    /// The pull Secrets of `namespaces` regboard did not write (no valid
    /// proof), with hosts and usernames only.
    async fn unmanaged(&self, namespaces: &[String]) -> Result<Vec<UnmanagedSecret>, AppError>;
    /// Makes an unmanaged pull Secret a registry (audited as `registry.adopt`).
    async fn adopt_unmanaged(
        &self,
        caller: &Caller,
        request: &AdoptRequest,
    ) -> Result<RegistrySummary, AppError>;
}

/// Projects and namespace membership.
#[async_trait::async_trait]
pub trait ProjectService: Send + Sync {
    /// Every project.
    async fn list(&self) -> Result<Vec<ProjectSummary>, AppError>;
    /// Records a project.
    async fn create(
        &self,
        caller: &Caller,
        name: &str,
        display_name: &str,
        description: &str,
    ) -> Result<(), AppError>;
    /// Changes display name and description.
    async fn rename(
        &self,
        caller: &Caller,
        name: &str,
        display_name: &str,
        description: &str,
    ) -> Result<(), AppError>;
    /// Deletes a project (see `delete_project`).
    async fn delete(&self, caller: &Caller, name: &str, confirm: bool) -> Result<(), AppError>;
    /// What moving a namespace into `project` (or out, `None`) would write
    /// and what it collides with.
    async fn preview_namespace_move(
        &self,
        namespace: &str,
        project: Option<&str>,
    ) -> Result<MovePreview, AppError>;
    /// Moves a namespace into a project or out of any; over collisions only
    /// when `confirm`.
    async fn set_namespace_project(
        &self,
        caller: &Caller,
        namespace: &str,
        project: Option<&str>,
        confirm: bool,
    ) -> Result<(), AppError>;
    /// Accepts a namespace's request (its label) to join a project.
    async fn accept_join(
        &self,
        caller: &Caller,
        namespace: &str,
        confirm: bool,
    ) -> Result<(), AppError>;
    /// Rejects a namespace's request to join a project.
    async fn reject_join(&self, caller: &Caller, namespace: &str) -> Result<(), AppError>;
}

/// Registry changes before and while they are written: the preview (dry
/// run) and the rotation of a credential.
#[async_trait::async_trait]
pub trait ChangeService: Send + Sync {
    /// What `change` would write where; writes nothing.
    async fn preview(&self, change: &RegistryChange) -> Result<ChangePreview, AppError>;
    /// Tests (unless told not to) and writes a new credential, waits
    /// (bounded) until the copies carry it, audits one `registry.rotate`.
    async fn rotate(
        &self,
        caller: &Caller,
        input: RotationInput,
    ) -> Result<RotationReport, AppError>;
    /// How far the registry's current credential has reached.
    async fn progress(&self, scope: &Scope, name: &str) -> Result<RotationProgress, AppError>;
}

/// Pods, their images and the pull Secrets that serve them: read per
/// namespace, only in the namespaces the server function names (those the
/// caller sees).
#[async_trait::async_trait]
pub trait WorkloadService: Send + Sync {
    /// The pods of `namespaces` as Workloads rows, filtered and sorted by `query`.
    async fn list(
        &self,
        namespaces: &[String],
        query: &WorkloadQuery,
    ) -> Result<WorkloadList, AppError>;
    /// Every registry host the pods of `namespaces` use, and what covers it.
    async fn coverage(&self, namespaces: &[String]) -> Result<CoverageReport, AppError>;
    /// The five checks of pod `name` in `namespace`; a missing Secret is
    /// looked for in `visible` (the namespaces the caller sees).
    async fn diagnose(
        &self,
        namespace: &str,
        name: &str,
        visible: &[String],
    ) -> Result<Diagnosis, AppError>;
}

/// Reading the audit log; writing it is the server's business.
#[async_trait::async_trait]
pub trait AuditService: Send + Sync {
    /// Up to `limit` events inside `scope` matching `filter`, newest first,
    /// older than the event `before` when given.
    async fn page(
        &self,
        scope: &AuditScope,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditEventPage, AppError>;
    /// One event, if it exists inside `scope`.
    async fn event(&self, scope: &AuditScope, id: i64) -> Result<Option<AuditEventView>, AppError>;
    /// The number of events and the newest hash.
    async fn head(&self) -> Result<ChainHead, AppError>;
}

/// Accounts, sessions, teams and grants.
///
/// Methods that change something check the caller's right to do it from
/// `perms` (delegation rules in `domain::access`) and audit every outcome.
#[async_trait::async_trait]
pub trait AccessService: Send + Sync {
    /// The signed-in user of `caller`, if any.
    async fn current_user(&self, caller: &Caller) -> Result<Option<CurrentUser>, AppError>;
    /// The grants that reach `user`, read fresh from the store.
    async fn permissions(&self, user: &Principal) -> Result<Permissions, AppError>;
    /// The project of `namespace`, as the cluster labels it now.
    fn project_of(&self, namespace: &str) -> Option<String>;
    /// The audit events `user` may see (all for admins).
    async fn audit_scope(&self, user: &Principal) -> Result<AuditScope, AppError>;
    /// Audits an authorization refusal of `action`.
    async fn record_denial(
        &self,
        caller: &Caller,
        action: &str,
        scope: Option<&GrantScope>,
        error: &AppError,
    );
    /// Checks a name and password (throttled) and starts a new session.
    async fn login(
        &self,
        caller: &Caller,
        session: &RequestSession,
        name: &str,
        password: &Password,
    ) -> Result<CurrentUser, AppError>;
    /// Whether `password` is `user`'s own (`None` when none was given), to
    /// confirm a sensitive action; throttled like signing in.
    async fn check_own_password(
        &self,
        caller: &Caller,
        user: &Principal,
        password: Option<&Password>,
    ) -> Result<Option<bool>, AppError>;
    /// Ends the session on the server.
    async fn logout(&self, caller: &Caller, session: &RequestSession) -> Result<(), AppError>;
    /// Creates the first admin with the one-time setup token, and signs in.
    async fn complete_setup(
        &self,
        caller: &Caller,
        session: &RequestSession,
        token: &str,
        name: &str,
        password: &Password,
    ) -> Result<CurrentUser, AppError>;
    /// Changes `user`'s own password after checking the current one; every
    /// other session of the user ends, `session` is renewed.
    async fn change_password(
        &self,
        caller: &Caller,
        session: &RequestSession,
        user: &Principal,
        current: &Password,
        new: &Password,
    ) -> Result<(), AppError>;
    /// What the Access page shows the holder of `perms`.
    async fn overview(
        &self,
        caller: &Caller,
        perms: &Permissions,
    ) -> Result<AccessOverview, AppError>;
    /// Creates an account (the caller is an admin).
    async fn create_user(
        &self,
        caller: &Caller,
        name: &str,
        password: &Password,
        admin: bool,
    ) -> Result<(), AppError>;
    /// Disables (and signs out everywhere) or enables a user (the caller is an admin).
    async fn set_user_disabled(
        &self,
        caller: &Caller,
        user_id: i64,
        disabled: bool,
    ) -> Result<(), AppError>;
    /// Grants or removes global admin (the caller is an admin).
    async fn set_user_admin(
        &self,
        caller: &Caller,
        user_id: i64,
        admin: bool,
    ) -> Result<(), AppError>;
    /// Ends every session of a user (the caller is an admin or that user).
    async fn end_sessions(&self, caller: &Caller, user_id: i64) -> Result<(), AppError>;
    /// Creates a team (the caller is an admin).
    async fn create_team(&self, caller: &Caller, name: &str) -> Result<(), AppError>;
    /// Deletes a team, its memberships and its grants (the caller is an admin).
    async fn delete_team(&self, caller: &Caller, team_id: i64) -> Result<(), AppError>;
    /// Adds a member to a team or changes their team-admin flag.
    async fn add_team_member(
        &self,
        caller: &Caller,
        perms: &Permissions,
        team_id: i64,
        user: &str,
        team_admin: bool,
    ) -> Result<(), AppError>;
    /// Removes a member from a team.
    async fn remove_team_member(
        &self,
        caller: &Caller,
        perms: &Permissions,
        team_id: i64,
        user_id: i64,
    ) -> Result<(), AppError>;
    /// Gives `subject` `role` on `scope`, if `perms` may delegate it.
    async fn create_grant(
        &self,
        caller: &Caller,
        perms: &Permissions,
        subject: Subject,
        role: Role,
        scope: GrantScope,
    ) -> Result<(), AppError>;
    /// Revokes a grant, if `perms` may delegate it.
    async fn revoke_grant(
        &self,
        caller: &Caller,
        perms: &Permissions,
        grant_id: i64,
    ) -> Result<(), AppError>;
}

/// Every service a server function may reach; cheap to clone.
#[derive(Clone)]
pub struct Services {
    /// The cluster.
    pub cluster: Arc<dyn ClusterService>,
    /// The audit log.
    pub audit: Arc<dyn AuditService>,
    /// Registries.
    pub registries: Arc<dyn RegistryService>,
    /// Export and adoption of pull Secrets.
    pub pull_secrets: Arc<dyn PullSecretService>,
    /// Previews and rotations of registry changes.
    pub changes: Arc<dyn ChangeService>,
    /// Projects.
    pub projects: Arc<dyn ProjectService>,
    /// Accounts, sessions, teams and grants.
    pub access: Arc<dyn AccessService>,
    /// Pods, images and their pull Secrets.
    pub workloads: Arc<dyn WorkloadService>,
}

/// The services of the current request.
///
/// The server provides them as Leptos context for every request. Under load
/// Leptos has been seen to lose a request's context
/// (leptos-rs/leptos#4698, "expected context … to be present"); that request
/// then fails with a logged internal error instead of a panic that drops the
/// connection.
pub fn services() -> Result<Services, crate::AppError> {
    leptos::prelude::use_context::<Services>().ok_or_else(|| {
        let request_id = crate::context::caller().request_id.unwrap_or_default();
        leptos::logging::error!("request {request_id}: the services context is missing");
        crate::AppError::Internal { request_id }
    })
}
