//! Projects: membership is the namespace label `regboard.dev/project`;
//! display name and description are rows in SQLite.
//!
//! ```text
//! ProjectService for KubeProjects (this file: records, audit per outcome)
//!   ├─ list       summaries.rs   SQLite rows + namespace labels + source counts
//!   └─ move ns    membership.rs  label the namespace; the reconciler fans out
//! ```

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, Preconditions};
use regboard_app::context::Caller;
use regboard_app::domain::names::validate_project_name;
use regboard_app::model::projects::{MovePreview, ProjectSummary};
use regboard_app::services::ProjectService;
use regboard_app::AppError;
use serde_json::json;
use sqlx::SqlitePool;

use crate::audit::{AuditLog, AuditTarget};
use crate::cluster::errors::{answer_within, app_error, status_code};
use crate::cluster::ownership::{self, SCOPE_LABEL, SCOPE_PROJECT};

mod membership;
mod move_plan;
mod summaries;
use crate::cluster::proof::{Claim, OwnershipKey};
use crate::cluster::{Inventory, PROJECT_LABEL};
use crate::error::internal;
use crate::reconcile::shown::Expect;
use crate::reconcile::Reconciler;

/// The project service.
#[derive(Clone)]
pub struct KubeProjects {
    client: kube::Client,
    key: OwnershipKey,
    db: SqlitePool,
    inventory: Inventory,
    reconciler: Reconciler,
    audit: AuditLog,
    system_namespace: String,
}

impl KubeProjects {
    /// The service over `client` and `db`.
    pub fn new(
        client: kube::Client,
        key: OwnershipKey,
        db: SqlitePool,
        inventory: Inventory,
        reconciler: Reconciler,
        audit: AuditLog,
        system_namespace: String,
    ) -> Self {
        Self {
            client,
            key,
            db,
            inventory,
            reconciler,
            audit,
            system_namespace,
        }
    }

    /// The sources of project registries: of `project`, or of every project.
    async fn sources(&self, project: Option<&str>) -> Result<Vec<Secret>, AppError> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &self.system_namespace);
        let mut selector = format!(
            "{},{SCOPE_LABEL}={SCOPE_PROJECT}",
            ownership::managed_selector()
        );
        if let Some(project) = project {
            selector.push_str(&format!(",{PROJECT_LABEL}={project}"));
        }
        let list = api
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| app_error(&e, "the registry list", &[]))?;
        Ok(list
            .items
            .into_iter()
            .filter(|s| matches!(self.key.verify(s), Some(Claim::Source { .. })))
            .collect())
    }

    /// The project `namespace`'s label asks to join, or a refusal.
    fn requested(&self, namespace: &str) -> Result<String, AppError> {
        self.inventory
            .namespaces()
            .iter()
            .find(|ns| ns.metadata.name.as_deref() == Some(namespace))
            .and_then(|ns| self.inventory.requested_project(ns))
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "Namespace {namespace} is not asking to join a project."
                ))
            })
    }

    /// The namespaces regboard recorded in `project`, sorted.
    fn members(&self, project: &str) -> Vec<String> {
        let members = self.inventory.membership().members();
        members
            .into_iter()
            .filter(|(_, p)| p == project)
            .map(|(ns, _)| ns)
            .collect()
    }

    async fn do_create(
        &self,
        name: &str,
        display_name: &str,
        description: &str,
    ) -> Result<(), AppError> {
        validate_project_name(name).map_err(|e| AppError::Invalid {
            field: Some("name".into()),
            message: e.to_string(),
        })?;
        let display = display_name.trim();
        let display = if display.is_empty() { name } else { display };
        let result =
            sqlx::query("INSERT INTO projects (name, display_name, description) VALUES (?, ?, ?)")
                .bind(name)
                .bind(display)
                .bind(description.trim())
                .execute(&self.db)
                .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(AppError::Conflict(
                format!("A project named {name} already exists."),
            )),
            Err(e) => Err(internal(e)),
        }
    }

    async fn do_rename(
        &self,
        name: &str,
        display_name: &str,
        description: &str,
    ) -> Result<(), AppError> {
        let display = display_name.trim();
        if display.is_empty() {
            return Err(AppError::Invalid {
                field: Some("display_name".into()),
                message: "The display name is empty.".into(),
            });
        }
        let done = sqlx::query("UPDATE projects SET display_name = ?, description = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?")
            .bind(display)
            .bind(description.trim())
            .bind(name)
            .execute(&self.db)
            .await
            .map_err(internal)?;
        if done.rows_affected() == 0 {
            // A project known only from namespace labels gets a record now.
            self.do_create(name, display, description).await?;
        }
        Ok(())
    }

    async fn do_delete(&self, name: &str, confirm: bool) -> Result<(), AppError> {
        let sources = self.sources(Some(name)).await?;
        let members = self.members(name);
        if !sources.is_empty() && !confirm {
            let names: Vec<String> = sources
                .iter()
                .filter_map(|s| ownership::label(s, ownership::REGISTRY_LABEL).map(str::to_owned))
                .collect();
            return Err(AppError::Conflict(format!(
                "Project {name} still has {} registr{} ({}); deleting it removes them and their copies in {} namespace{}.",
                names.len(),
                if names.len() == 1 { "y" } else { "ies" },
                names.join(", "),
                members.len(),
                if members.len() == 1 { "" } else { "s" },
            )));
        }
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &self.system_namespace);
        let membership = self.inventory.membership();
        for source in &sources {
            let source_name = source.metadata.name.clone().unwrap_or_default();
            let registry = ownership::label(source, ownership::REGISTRY_LABEL).unwrap_or_default();
            membership
                .registry_deleted(name, registry)
                .await
                .map_err(internal)?;
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    uid: source.metadata.uid.clone(),
                    resource_version: source.metadata.resource_version.clone(),
                }),
                ..DeleteParams::default()
            };
            match api.delete(&source_name, &params).await {
                // The registry list reads the reconciler's store: wait
                // until it has seen the deletion.
                Ok(_) => {
                    let uid = source.metadata.uid.as_deref().unwrap_or_default();
                    let gone = Expect::Deleted { uid };
                    let system = &self.system_namespace;
                    self.reconciler.shown(system, &source_name, gone).await;
                }
                Err(e) if status_code(&e) == Some(404) => {}
                Err(e) => return Err(app_error(&e, &format!("registry {source_name}"), &[])),
            }
        }
        for ns in &members {
            self.label_namespace(ns, None).await?;
            membership.leave(ns).await.map_err(internal)?;
        }
        sqlx::query("DELETE FROM projects WHERE name = ?")
            .bind(name)
            .execute(&self.db)
            .await
            .map_err(internal)?;
        self.reconciler.trigger();
        Ok(())
    }

    async fn label_namespace(
        &self,
        namespace: &str,
        project: Option<&str>,
    ) -> Result<(), AppError> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        let patch = json!({ "metadata": { "labels": { PROJECT_LABEL: project } } });
        api.patch(namespace, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(|e| app_error(&e, &format!("namespace {namespace}"), &[]))?;
        Ok(())
    }

    async fn project_exists(&self, project: &str) -> Result<bool, AppError> {
        Ok(project_recorded(&self.db, project).await? || !self.members(project).is_empty())
    }
}

#[async_trait::async_trait]
impl ProjectService for KubeProjects {
    async fn list(&self) -> Result<Vec<ProjectSummary>, AppError> {
        answer_within(self.summaries()).await
    }

    async fn create(
        &self,
        caller: &Caller,
        name: &str,
        display_name: &str,
        description: &str,
    ) -> Result<(), AppError> {
        let result = answer_within(self.do_create(name, display_name, description)).await;
        let target = project_target(name);
        self.audit
            .record_result(
                caller,
                "project.create",
                target,
                &result,
                json!({"display_name": display_name, "description": description}),
            )
            .await;
        result
    }

    async fn rename(
        &self,
        caller: &Caller,
        name: &str,
        display_name: &str,
        description: &str,
    ) -> Result<(), AppError> {
        let result = answer_within(self.do_rename(name, display_name, description)).await;
        let target = project_target(name);
        self.audit
            .record_result(
                caller,
                "project.update",
                target,
                &result,
                json!({"display_name": display_name, "description": description}),
            )
            .await;
        result
    }

    async fn delete(&self, caller: &Caller, name: &str, confirm: bool) -> Result<(), AppError> {
        let result = answer_within(self.do_delete(name, confirm)).await;
        let target = project_target(name);
        self.audit
            .record_result(
                caller,
                "project.delete",
                target,
                &result,
                json!({"confirm": confirm}),
            )
            .await;
        result
    }

    async fn preview_namespace_move(
        &self,
        namespace: &str,
        project: Option<&str>,
    ) -> Result<MovePreview, AppError> {
        answer_within(self.preview_move(namespace, project)).await
    }

    async fn set_namespace_project(
        &self,
        caller: &Caller,
        namespace: &str,
        project: Option<&str>,
        confirm: bool,
    ) -> Result<(), AppError> {
        self.move_namespace(caller, (namespace, project), confirm, None)
            .await
    }

    async fn accept_join(
        &self,
        caller: &Caller,
        namespace: &str,
        confirm: bool,
    ) -> Result<(), AppError> {
        let project = self.requested(namespace)?;
        let action = Some("project.namespace.accept");
        self.move_namespace(caller, (namespace, Some(&project)), confirm, action)
            .await
    }

    async fn reject_join(&self, caller: &Caller, namespace: &str) -> Result<(), AppError> {
        let project = self.requested(namespace)?;
        KubeProjects::reject_join(self, caller, namespace, &project).await
    }
}

/// The audit target of project `name`.
fn project_target(name: &str) -> AuditTarget {
    AuditTarget {
        kind: "project".into(),
        project: Some(name.into()),
        ..AuditTarget::default()
    }
}

/// Whether SQLite holds a record of `project`.
pub async fn project_recorded(db: &SqlitePool, project: &str) -> Result<bool, AppError> {
    let row: Option<i64> = sqlx::query_scalar("SELECT 1 FROM projects WHERE name = ?")
        .bind(project)
        .fetch_optional(db)
        .await
        .map_err(internal)?;
    Ok(row.is_some())
}
