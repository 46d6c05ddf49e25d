//! `RegistryService` over kube-rs: dispatches to reads and writes and
//! records every outcome.

use regboard_app::context::Caller;
use regboard_app::model::credentials::CredentialCheck;
use regboard_app::model::registries::{
    Attachment, RegistryDetail, RegistryFilter, RegistryInput, RegistrySummary, Scope,
    UnprovenSecret,
};
use regboard_app::services::RegistryService;
use regboard_app::AppError;
use serde_json::{json, Value};
use sqlx::SqlitePool;

use crate::audit::{AuditLog, AuditTarget};
use crate::cluster::errors::answer_within;
use crate::cluster::proof::OwnershipKey;
use crate::cluster::Inventory;
use crate::credcheck::CredentialChecks;
use crate::reconcile::Reconciler;

/// The registry service.
#[derive(Clone)]
pub struct KubeRegistries {
    pub(super) client: kube::Client,
    pub(super) system_namespace: String,
    pub(super) reconciler: Reconciler,
    pub(super) inventory: Inventory,
    pub(super) key: OwnershipKey,
    pub(super) db: SqlitePool,
    pub(super) audit: AuditLog,
    pub(super) checks: CredentialChecks,
}

impl KubeRegistries {
    /// The service over `client`; project sources live in `system_namespace`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        client: kube::Client,
        system_namespace: String,
        reconciler: Reconciler,
        inventory: Inventory,
        key: OwnershipKey,
        db: SqlitePool,
        audit: AuditLog,
        checks: CredentialChecks,
    ) -> Self {
        Self {
            client,
            system_namespace,
            reconciler,
            inventory,
            key,
            db,
            audit,
            checks,
        }
    }

    /// Records the outcome of `action` on registry `name` in `scope`.
    pub(super) async fn record<T>(
        &self,
        caller: &Caller,
        action: &str,
        (scope, name): (&Scope, &str),
        result: &Result<T, AppError>,
        details: Value,
    ) {
        let (project, namespace) = match scope {
            Scope::Project { project } => (Some(project.as_str()), None),
            Scope::Namespace { namespace } => (None, Some(namespace.as_str())),
        };
        let target = AuditTarget::registry(project, namespace, name);
        self.audit
            .record_result(caller, action, target, result, details)
            .await;
    }

    /// Creates a registry and records its attachment setting, after the
    /// credential test (outside the cluster timeout: it has its own).
    async fn create_attached(&self, input: RegistryInput) -> Result<RegistrySummary, AppError> {
        let attachment = super::attach::checked(input.attachment.clone())?;
        let checks = self.test_before_save(&input, false).await?;
        let (scope, name) = (input.scope.clone(), input.name.clone());
        let mut created = answer_within(self.create_registry(input)).await?;
        self.save_attachment(&scope, &name, &attachment).await?;
        self.record_checks(&scope, &name, &checks).await;
        created.credential_checks = checks;
        Ok(created)
    }

    /// Edits a registry and its attachment setting; the audit details carry both.
    async fn update_attached(
        &self,
        input: RegistryInput,
    ) -> Result<(RegistrySummary, Value), AppError> {
        let attachment = super::attach::checked(input.attachment.clone())?;
        let checks = self.test_before_save(&input, true).await?;
        let (scope, name) = (input.scope.clone(), input.name.clone());
        let before = self.attachment_of(&scope, &name);
        let (mut summary, mut details) = answer_within(self.update_registry(input)).await?;
        self.save_attachment(&scope, &name, &attachment).await?;
        details["attachment"] = json!({"before": before, "after": attachment});
        self.record_checks(&scope, &name, &checks).await;
        summary.credential_checks = checks;
        Ok((summary, details))
    }

    /// Records an action whose success carries its own audit details
    /// (what was restored or adopted), and answers without them.
    async fn record_detailed(
        &self,
        caller: &Caller,
        action: &str,
        at: (&Scope, &str),
        result: Result<Value, AppError>,
    ) -> Result<(), AppError> {
        let details = result.as_ref().cloned().unwrap_or(Value::Null);
        let result = result.map(|_| ());
        self.record(caller, action, at, &result, details).await;
        result
    }
}

#[async_trait::async_trait]
impl RegistryService for KubeRegistries {
    async fn list(&self, filter: &RegistryFilter) -> Result<Vec<RegistrySummary>, AppError> {
        let mut rows = answer_within(self.list_registries(filter)).await?;
        self.fill_checks(&mut rows).await;
        Ok(rows)
    }

    async fn get(&self, scope: &Scope, name: &str) -> Result<RegistryDetail, AppError> {
        let mut detail = answer_within(self.registry_detail(scope, name)).await?;
        self.fill_checks(std::slice::from_mut(&mut detail.summary))
            .await;
        Ok(detail)
    }

    async fn create(
        &self,
        caller: &Caller,
        input: RegistryInput,
    ) -> Result<RegistrySummary, AppError> {
        let (scope, name) = (input.scope.clone(), input.name.clone());
        let mut details = super::write::public_fields(&input);
        details["credential"] = input
            .credentials
            .iter()
            .filter(|c| !c.password.is_empty())
            .map(|c| {
                let print = self.audit.fingerprint(c.password.expose().as_bytes());
                (c.host.clone(), json!(print))
            })
            .collect::<serde_json::Map<_, _>>()
            .into();
        let result = self.create_attached(input).await;
        self.record(caller, "registry.create", (&scope, &name), &result, details)
            .await;
        result
    }

    async fn update(
        &self,
        caller: &Caller,
        input: RegistryInput,
    ) -> Result<RegistrySummary, AppError> {
        let (scope, name) = (input.scope.clone(), input.name.clone());
        let result = self.update_attached(input).await;
        let details = match &result {
            Ok((_, details)) => details.clone(),
            Err(_) => Value::Null,
        };
        let result = result.map(|(summary, _)| summary);
        self.record(caller, "registry.update", (&scope, &name), &result, details)
            .await;
        result
    }

    async fn delete(&self, caller: &Caller, scope: &Scope, name: &str) -> Result<(), AppError> {
        let result = answer_within(self.delete_registry(scope, name)).await;
        let result = match result {
            // Its accounts are detached by the next pass, as its Secrets go.
            Ok(()) => {
                let id = (scope.clone(), name.to_owned());
                if let Err(e) = self.checks.forget(&id).await {
                    tracing::warn!(error = %e, registry = %name, "credential verdicts not forgotten");
                }
                self.forget_attachment(scope, name).await
            }
            Err(e) => Err(e),
        };
        self.record(
            caller,
            "registry.delete",
            (scope, name),
            &result,
            Value::Null,
        )
        .await;
        result
    }

    async fn resync(&self, caller: &Caller, scope: &Scope, name: &str) -> Result<(), AppError> {
        let result = answer_within(self.resync_registry(scope, name)).await;
        self.record(caller, "registry.sync", (scope, name), &result, Value::Null)
            .await;
        result
    }

    async fn restore(&self, caller: &Caller, project: &str, name: &str) -> Result<(), AppError> {
        let result = answer_within(self.restore_source(project, name)).await;
        let scope = Scope::Project {
            project: project.to_owned(),
        };
        self.record_detailed(caller, "registry.restore", (&scope, name), result)
            .await
    }

    async fn set_attachment(
        &self,
        caller: &Caller,
        scope: &Scope,
        name: &str,
        attachment: Attachment,
    ) -> Result<(), AppError> {
        let result = answer_within(self.set_registry_attachment(scope, name, attachment)).await;
        self.record_detailed(caller, "registry.attachment", (scope, name), result)
            .await
    }

    async fn test_credential(
        &self,
        caller: &Caller,
        (scope, name): (&Scope, &str),
        host: Option<&str>,
        image: Option<&str>,
    ) -> Result<Vec<CredentialCheck>, AppError> {
        let result = self.test_registry(scope, name, host, image).await;
        // The verdict labels only: no registry text, never the credential.
        let details = match &result {
            Ok(checks) => json!({"verdicts": checks.iter()
                .map(|c| (c.host.clone(), c.verdict.label()))
                .collect::<std::collections::BTreeMap<_, _>>()}),
            Err(_) => json!({"host": host}),
        };
        self.record(caller, "registry.test", (scope, name), &result, details)
            .await;
        result
    }

    async fn unproven(&self) -> Result<Vec<UnprovenSecret>, AppError> {
        Ok(self.unproven_secrets())
    }

    async fn adopt(&self, caller: &Caller, namespace: &str, name: &str) -> Result<(), AppError> {
        let result = answer_within(self.adopt_secret(namespace, name)).await;
        let scope = Scope::Namespace {
            namespace: namespace.to_owned(),
        };
        self.record_detailed(caller, "registry.adopt", (&scope, name), result)
            .await
    }
}
