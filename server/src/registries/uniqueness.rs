//! Rule 2 (DESIGN): a registry's name is free in its whole scope — no
//! Secret of that name in the namespace (or in any namespace of the
//! project), and no project registry of that name reaching it. Checked
//! before writing; the API's 409 on create stays the final word.

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, ListParams};
use regboard_app::AppError;

use super::service::KubeRegistries;
use crate::cluster::errors::app_error;
use crate::cluster::proof::Claim;

/// The refusal for a name some Secret already holds.
pub(super) fn taken(name: &str, namespace: &str, secret_type: &str) -> AppError {
    AppError::Conflict(format!(
        "A Secret named {name} already exists in namespace {namespace} (type {secret_type}); choose another name."
    ))
}

impl KubeRegistries {
    /// Rule 2 for a namespace registry: no Secret of that name in the
    /// namespace, and no project registry of that name in its project.
    pub(super) async fn check_namespace_name_free(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<(), AppError> {
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        let ns = match namespaces.get_opt(namespace).await {
            Ok(Some(ns)) => ns,
            Ok(None) => {
                return Err(AppError::Invalid {
                    field: Some("scope".into()),
                    message: format!("Namespace {namespace} does not exist."),
                })
            }
            Err(e) => return Err(app_error(&e, &format!("namespace {namespace}"), &[])),
        };
        let secrets: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        if let Some(existing) = secrets
            .get_opt(name)
            .await
            .map_err(|e| app_error(&e, "the Secret list", &[]))?
        {
            return Err(taken(
                name,
                namespace,
                existing.type_.as_deref().unwrap_or("Opaque"),
            ));
        }
        let _ = ns;
        if let Some(project) = self.inventory.project_of(namespace) {
            if self.source(&project, name).await?.is_some() {
                return Err(AppError::Conflict(format!(
                    "Project {project} has a registry named {name} that reaches namespace {namespace}; choose another name."
                )));
            }
        }
        Ok(())
    }

    /// Rule 2 for a project registry: no Secret of that name in any
    /// namespace of the project. Returns how many namespaces it will reach.
    pub(super) async fn check_project_name_free(
        &self,
        project: &str,
        name: &str,
    ) -> Result<u32, AppError> {
        self.project_name_free_except(project, name, None).await
    }

    /// [`Self::check_project_name_free`], except for the Secret of that
    /// name in namespace `except` (an adopted Secret that becomes the copy).
    pub(super) async fn project_name_free_except(
        &self,
        project: &str,
        name: &str,
        except: Option<&str>,
    ) -> Result<u32, AppError> {
        if self.source(project, name).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "Project {project} already has a registry named {name}; choose another name."
            )));
        }
        let member_names: Vec<String> = self
            .inventory
            .membership()
            .members()
            .into_iter()
            .filter(|(_, p)| p == project)
            .map(|(ns, _)| ns)
            .collect();
        if member_names.is_empty() && !crate::projects::project_recorded(&self.db, project).await? {
            return Err(AppError::Invalid {
                field: Some("scope".into()),
                message: format!(
                    "There is no project named {project}; create it on the Projects page first."
                ),
            });
        }
        let same_name: Api<Secret> = Api::all(self.client.clone());
        let holders = same_name
            .list(&ListParams::default().fields(&format!("metadata.name={name}")))
            .await
            .map_err(|e| app_error(&e, "the Secret list", &[]))?;
        // A leftover copy of this very registry (deleted a moment ago, its
        // copies not yet removed) is ours — proven, not labelled: the new
        // source takes it over. Anything else with the name is a clash.
        let own_copy = |s: &Secret| matches!(self.key.verify(s), Some(Claim::Copy { project: p, registry: r, .. }) if p == project && r == name);
        let mut clashes: Vec<String> = holders
            .items
            .iter()
            .filter(|s| !own_copy(s))
            .filter_map(|s| s.metadata.namespace.clone())
            .filter(|ns| member_names.contains(ns) && Some(ns.as_str()) != except)
            .collect();
        clashes.sort();
        if let Some(namespace) = clashes.first() {
            return Err(taken(name, namespace, &self.type_of(namespace, name).await));
        }
        Ok(member_names.len() as u32)
    }

    /// The type of the Secret `namespace/name`, for a conflict message.
    pub(super) async fn type_of(&self, namespace: &str, name: &str) -> String {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        match api.get_opt(name).await {
            Ok(Some(s)) => s.type_.unwrap_or_else(|| "Opaque".into()),
            _ => "unknown".into(),
        }
    }
}
