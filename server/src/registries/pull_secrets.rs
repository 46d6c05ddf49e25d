//! `PullSecretService` over kube-rs: export (export.rs), the unmanaged
//! pull Secrets (unmanaged.rs) and adopting one (adopt.rs), each write or
//! refusal recorded in the audit log with labels only.

use regboard_app::context::Caller;
use regboard_app::model::export::{ExportRequest, RegistryExport};
use regboard_app::model::registries::RegistrySummary;
use regboard_app::model::unmanaged::{AdoptRequest, UnmanagedSecret};
use regboard_app::services::PullSecretService;
use regboard_app::AppError;
use serde_json::json;

use super::adopt::adopted_registry;
use super::service::KubeRegistries;
use crate::cluster::errors::answer_within;

#[async_trait::async_trait]
impl PullSecretService for KubeRegistries {
    async fn export(
        &self,
        caller: &Caller,
        request: &ExportRequest,
        own_password_ok: Option<bool>,
    ) -> Result<RegistryExport, AppError> {
        let result = answer_within(self.export_registry(request, own_password_ok)).await;
        let details = match &result {
            Ok((_, details)) => details.clone(),
            Err(_) => json!({
                "format": request.format,
                "namespace": request.namespace,
                "credential_requested": request.include_credential,
                "own_password_given": own_password_ok.is_some(),
            }),
        };
        let result = result.map(|(export, _)| export);
        let at = (&request.scope, request.name.as_str());
        self.record(caller, "registry.export", at, &result, details)
            .await;
        result
    }

    async fn unmanaged(&self, namespaces: &[String]) -> Result<Vec<UnmanagedSecret>, AppError> {
        answer_within(self.unmanaged_secrets(namespaces)).await
    }

    async fn adopt_unmanaged(
        &self,
        caller: &Caller,
        request: &AdoptRequest,
    ) -> Result<RegistrySummary, AppError> {
        let project = self.inventory.project_of(&request.namespace);
        let (scope, name) = adopted_registry(request, project);
        let result = answer_within(self.adopt_pull_secret(request)).await;
        let details = match &result {
            Ok((_, details)) => details.clone(),
            Err(_) => json!({
                "from": {"namespace": request.namespace, "name": request.name},
                "adopted_as": request.adopt_as,
            }),
        };
        let result: Result<RegistrySummary, AppError> = result.map(|(summary, _)| summary);
        self.record(caller, "registry.adopt", (&scope, &name), &result, details)
            .await;
        result
    }
}
