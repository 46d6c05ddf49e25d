//! `ChangeService` over the registry service: the preview (dry run, not
//! audited: it writes nothing) and the rotation (audited once as
//! `registry.rotate`, success or failure).

use regboard_app::context::Caller;
use regboard_app::model::changes::{
    ChangePreview, RegistryChange, RotationInput, RotationProgress, RotationReport,
};
use regboard_app::model::registries::Scope;
use regboard_app::services::ChangeService;
use regboard_app::AppError;
use serde_json::json;

use super::service::KubeRegistries;
use crate::audit::AuditTarget;
use crate::cluster::errors::answer_within;

#[async_trait::async_trait]
impl ChangeService for KubeRegistries {
    async fn preview(&self, change: &RegistryChange) -> Result<ChangePreview, AppError> {
        answer_within(self.preview_change(change)).await
    }

    async fn rotate(
        &self,
        caller: &Caller,
        input: RotationInput,
    ) -> Result<RotationReport, AppError> {
        let (scope, name) = (input.scope.clone(), input.name.clone());
        let asked = json!({"host": input.host, "tested": input.test_credential});
        let result = self.rotate_credential(input).await;
        let (result, details) = match result {
            Ok((report, details)) => (Ok(report), details),
            Err(e) => (Err(e), asked),
        };
        let (project, namespace) = match &scope {
            Scope::Project { project } => (Some(project.as_str()), None),
            Scope::Namespace { namespace } => (None, Some(namespace.as_str())),
        };
        let target = AuditTarget::registry(project, namespace, &name);
        self.audit
            .record_result(caller, "registry.rotate", target, &result, details)
            .await;
        result
    }

    async fn progress(&self, scope: &Scope, name: &str) -> Result<RotationProgress, AppError> {
        self.progress_of(scope, name)
    }
}
