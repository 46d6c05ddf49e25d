//! The service traits that server functions call, implemented by the server
//! crate and handed to every request through Leptos context.

use std::sync::Arc;

use crate::api::audit::{AuditEventPage, AuditEventView, AuditFilter, AuditScope, ChainHead};
use crate::api::cluster::{ClusterStatus, NamespaceRow};
use crate::api::projects::ProjectSummary;
use crate::api::registries::{
    RegistryDetail, RegistryFilter, RegistryInput, RegistrySummary, Scope,
};
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
    /// Moves a namespace into a project or out of any.
    async fn set_namespace_project(
        &self,
        caller: &Caller,
        namespace: &str,
        project: Option<&str>,
    ) -> Result<(), AppError>;
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

/// Every service a server function may reach; cheap to clone.
#[derive(Clone)]
pub struct Services {
    /// The cluster.
    pub cluster: Arc<dyn ClusterService>,
    /// The audit log.
    pub audit: Arc<dyn AuditService>,
    /// Registries.
    pub registries: Arc<dyn RegistryService>,
    /// Projects.
    pub projects: Arc<dyn ProjectService>,
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
        let request_id = caller().request_id.unwrap_or_default();
        leptos::logging::error!("request {request_id}: the services context is missing");
        crate::AppError::Internal { request_id }
    })
}

/// Who is calling a server function and from where, for authorization and
/// the audit log. Built from the request the server function serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// The request id set by the server's middleware.
    pub request_id: Option<String>,
    /// The peer address, as the server saw it (untrusted for identity).
    pub source_addr: Option<String>,
    /// The `User-Agent` header (untrusted; store escaped).
    pub user_agent: Option<String>,
}

/// The caller of the current server function.
pub fn caller() -> Caller {
    use axum_parts::caller_from_parts;
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|parts| caller_from_parts(&parts))
        .unwrap_or_default()
}

mod axum_parts {
    use super::Caller;

    /// Reads the request id header, user agent and peer address from `parts`.
    pub fn caller_from_parts(parts: &http::request::Parts) -> Caller {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Caller {
            request_id: header("x-request-id"),
            source_addr: parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
            user_agent: header("user-agent"),
        }
    }
}
