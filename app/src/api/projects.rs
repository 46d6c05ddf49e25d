//! Projects: groups of namespaces (label `regboard.dev/project`) with a
//! display name and description kept by regboard.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// One project as the Projects page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProjectSummary {
    /// The name: the value of the namespace label.
    pub name: String,
    /// The display name.
    pub display_name: String,
    /// The description.
    pub description: String,
    /// Its namespaces, sorted.
    pub namespaces: Vec<String>,
    /// How many project registries it has.
    pub registries: u32,
    /// Whether regboard has a record of it (a label alone makes a project
    /// visible; creating it here adds the display name and description).
    pub recorded: bool,
}

/// Every project the caller may see: recorded ones and ones that exist only
/// as namespace labels.
#[server(endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectSummary>, AppError> {
    let result = async {
        let ctx = crate::api::authz::signed_in()?;
        let perms = ctx.permissions().await?;
        let mut list = ctx.services.projects.list().await?;
        list.retain(|p| perms.sees_project(&p.name));
        Ok(list)
    };
    crate::error::respond(result.await)
}

/// Creates a project record (admins only).
#[server(endpoint = "create_project")]
pub async fn create_project(
    name: String,
    display_name: String,
    description: String,
) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::admin("project.create", "create projects").await?;
        ctx.services
            .projects
            .create(&ctx.caller, &name, &display_name, &description)
            .await
    };
    crate::error::respond(result.await)
}

/// Changes a project's display name and description (its owners).
#[server(endpoint = "rename_project")]
pub async fn rename_project(
    name: String,
    display_name: String,
    description: String,
) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::signed_in()?;
        let scope = crate::domain::scope::Scope::Project {
            project: name.clone(),
        };
        ctx.require(
            crate::domain::access::Role::Owner,
            &scope,
            "project.update",
            "rename this project",
        )
        .await?;
        ctx.services
            .projects
            .rename(&ctx.caller, &name, &display_name, &description)
            .await
    };
    crate::error::respond(result.await)
}

/// Deletes a project (admins only): its registries (and their copies) go,
/// its namespaces leave it. With registries left and `confirm` false,
/// refuses and says how many would be removed.
#[server(endpoint = "delete_project")]
pub async fn delete_project(name: String, confirm: bool) -> Result<(), AppError> {
    let result = async {
        let ctx = crate::api::authz::admin("project.delete", "delete projects").await?;
        ctx.services
            .projects
            .delete(&ctx.caller, &name, confirm)
            .await
    };
    crate::error::respond(result.await)
}

/// Moves a namespace into `project`, or out of any project when `None`
/// (admins only: it changes who reaches the namespace).
#[server(endpoint = "set_namespace_project")]
pub async fn set_namespace_project(
    namespace: String,
    project: Option<String>,
) -> Result<(), AppError> {
    let result = async {
        let ctx =
            crate::api::authz::admin("project.namespace.move", "move namespaces between projects")
                .await?;
        ctx.services
            .projects
            .set_namespace_project(&ctx.caller, &namespace, project.as_deref())
            .await
    };
    crate::error::respond(result.await)
}
