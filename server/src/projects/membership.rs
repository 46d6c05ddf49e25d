//! Moving a namespace into a project or out of it (DESIGN rule 2 and the
//! membership rule): regboard records the move, then mirrors it on the
//! namespace label; the reconciler then brings copies in or takes them
//! away. Before a namespace joins, the preview names the registries it will
//! receive and every name already taken there; joining over collisions
//! needs an explicit confirmation and leaves the foreign Secrets untouched.

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use kube::core::PartialObjectMeta;
use regboard_app::context::Caller;
use regboard_app::model::changes::SecretAction;
use regboard_app::model::projects::{MoveCollision, MovePreview};
use regboard_app::AppError;
use serde_json::json;

use super::move_plan::move_changes;
use super::KubeProjects;
use crate::audit::AuditTarget;
use crate::cluster::errors::{answer_within, app_error};
use crate::error::internal;
use crate::registries::preview::world::World;

impl KubeProjects {
    /// What moving `namespace` into `project` (or out, when `None`) would
    /// write there, registry by registry, and what it collides with. The
    /// namespace's Secret names are read live, so a Secret made a moment
    /// ago counts as a collision even before the inventory has it.
    pub(super) async fn preview_move(
        &self,
        namespace: &str,
        project: Option<&str>,
    ) -> Result<MovePreview, AppError> {
        self.check_move(namespace, project).await?;
        let api: Api<PartialObjectMeta<Secret>> = Api::namespaced(self.client.clone(), namespace);
        let present = api
            .list_metadata(&ListParams::default())
            .await
            .map_err(|e| app_error(&e, &format!("the Secrets of namespace {namespace}"), &[]))?;
        let mut world = World::now(&self.inventory, &self.reconciler);
        world.secret_names.retain(|(ns, _)| ns != namespace);
        let names = present.items.iter().filter_map(|s| s.metadata.name.clone());
        world
            .secret_names
            .extend(names.map(|name| (namespace.to_owned(), name)));
        let stores = (self.system_namespace.as_str(), &self.key);
        let mut changes = move_changes(world, stores, namespace, project);
        let mut collisions = Vec::new();
        for row in &mut changes {
            if let SecretAction::Collision {
                secret_type,
                forged,
            } = &mut row.action
            {
                if secret_type == "unknown" {
                    let typed: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
                    if let Ok(Some(s)) = typed.get_opt(&row.secret).await {
                        *secret_type = s.type_.unwrap_or_else(|| "Opaque".into());
                    }
                }
                collisions.push(MoveCollision {
                    name: row.secret.clone(),
                    secret_type: secret_type.clone(),
                    forged: *forged,
                });
            }
        }
        // The registries it ends up receiving: every row but the copies of
        // the project it leaves.
        let registries = changes
            .iter()
            .filter(|row| row.action != SecretAction::Delete)
            .map(|row| row.secret.clone())
            .collect();
        Ok(MovePreview {
            registries,
            collisions,
            changes,
        })
    }

    /// Refuses the system namespace and projects that do not exist.
    async fn check_move(&self, namespace: &str, project: Option<&str>) -> Result<(), AppError> {
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
        Ok(())
    }

    /// Moves `namespace` into `project`, or out of any when `None`; with
    /// collisions, only when `confirm`. Audited as `action`.
    pub(super) async fn move_namespace(
        &self,
        caller: &Caller,
        (namespace, project): (&str, Option<&str>),
        confirm: bool,
        action: Option<&str>,
    ) -> Result<(), AppError> {
        let before = self.inventory.project_of(namespace);
        let mut collisions = vec![];
        let result = answer_within(async {
            let preview = self.preview_move(namespace, project).await?;
            collisions = preview.collisions.clone();
            if !preview.collisions.is_empty() && !confirm {
                return Err(AppError::Conflict(collision_message(namespace, &preview)));
            }
            self.label_namespace(namespace, project).await?;
            let membership = self.inventory.membership();
            let by = caller.user.as_ref().map_or("unknown", |u| u.name.as_str());
            match project {
                Some(p) => membership.join(namespace, p, by).await,
                None => membership.leave(namespace).await.map(|_| ()),
            }
            .map_err(internal)?;
            self.reconciler.trigger();
            Ok(())
        })
        .await;
        let action = action.unwrap_or(if project.is_some() {
            "project.namespace.add"
        } else {
            "project.namespace.remove"
        });
        let target = AuditTarget {
            kind: "namespace".into(),
            project: project.map(str::to_owned).or(before.clone()),
            namespace: Some(namespace.into()),
            name: Some(namespace.into()),
        };
        let collisions: Vec<_> = collisions
            .iter()
            .map(|c| json!({"name": c.name, "type": c.secret_type, "forged": c.forged}))
            .collect();
        let details = json!({"before": {"project": before}, "after": {"project": project}, "collisions": collisions, "confirmed": confirm});
        self.audit
            .record_result(caller, action, target, &result, details)
            .await;
        result
    }

    /// Rejects `namespace`'s request (its label) to join `project`.
    pub(super) async fn reject_join(
        &self,
        caller: &Caller,
        namespace: &str,
        project: &str,
    ) -> Result<(), AppError> {
        let by = caller.user.as_ref().map_or("unknown", |u| u.name.as_str());
        let result = self
            .inventory
            .membership()
            .reject(namespace, project, by)
            .await
            .map_err(internal);
        let target = AuditTarget {
            kind: "namespace".into(),
            project: Some(project.into()),
            namespace: Some(namespace.into()),
            name: Some(namespace.into()),
        };
        self.audit
            .record_result(
                caller,
                "project.namespace.reject",
                target,
                &result,
                json!({}),
            )
            .await;
        result
    }
}

fn collision_message(namespace: &str, preview: &MovePreview) -> String {
    let names: Vec<String> = preview
        .collisions
        .iter()
        .map(|c| format!("{} ({})", c.name, c.secret_type))
        .collect();
    format!(
        "Namespace {namespace} already holds Secrets named like registries of the project: {}. Confirm to join anyway; those Secrets stay untouched and those registries do not reach it.",
        names.join(", ")
    )
}
