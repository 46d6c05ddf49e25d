//! Moving a namespace into a project or out of it: the label on the
//! namespace, checked against the project records and the system namespace;
//! the reconciler then brings copies in or takes them away.

use regboard_app::context::Caller;
use regboard_app::AppError;
use serde_json::json;

use super::KubeProjects;
use crate::audit::AuditTarget;
use crate::cluster::PROJECT_LABEL;

impl KubeProjects {
    /// Moves `namespace` into `project`, or out of any when `None`; audited.
    pub(super) async fn move_namespace(
        &self,
        caller: &Caller,
        namespace: &str,
        project: Option<&str>,
    ) -> Result<(), AppError> {
        let before = self
            .inventory
            .namespaces()
            .iter()
            .find(|ns| ns.metadata.name.as_deref() == Some(namespace))
            .and_then(|ns| ns.metadata.labels.as_ref()?.get(PROJECT_LABEL).cloned());
        let result = async {
            if namespace == self.system_namespace {
                return Err(AppError::Invalid {
                    field: Some("namespace".into()),
                    message: format!(
                        "{namespace} holds regboard's own Secrets and cannot join a project."
                    ),
                });
            }
            if let Some(p) = project {
                if !self.project_exists(p).await? {
                    return Err(AppError::NotFound(format!(
                        "There is no project named {p}; create it first."
                    )));
                }
            }
            self.label_namespace(namespace, project).await?;
            self.reconciler.trigger();
            Ok(())
        }
        .await;
        let action = if project.is_some() {
            "project.namespace.add"
        } else {
            "project.namespace.remove"
        };
        let target = AuditTarget {
            kind: "namespace".into(),
            project: project.map(str::to_owned).or(before.clone()),
            namespace: Some(namespace.into()),
            name: Some(namespace.into()),
        };
        self.audit
            .record_result(
                caller,
                action,
                target,
                &result,
                json!({"before": {"project": before}, "after": {"project": project}}),
            )
            .await;
        result
    }
}
