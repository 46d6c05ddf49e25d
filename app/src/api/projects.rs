//! Projects: server functions. Admins create and delete projects and move
//! namespaces; owners rename; everyone lists what they reach.

use leptos::prelude::*;

pub use crate::model::projects::*;
use crate::AppError;
#[cfg(feature = "ssr")]
use crate::{api::call, domain::access::Role, domain::scope::Scope};

/// Every project the caller may see: recorded ones and ones that exist only
/// as namespace labels.
#[server(endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectSummary>, AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        let mut list = ctx.services.projects.list().await?;
        list.retain(|p| perms.sees_project(&p.name));
        Ok(list)
    })
    .await
}

/// Creates a project record (admins only).
#[server(endpoint = "create_project")]
pub async fn create_project(
    name: String,
    display_name: String,
    description: String,
) -> Result<(), AppError> {
    call::admin("project.create", "create projects", |ctx| async move {
        let projects = &ctx.services.projects;
        projects
            .create(&ctx.caller, &name, &display_name, &description)
            .await
    })
    .await
}

/// Changes a project's display name and description (its owners).
#[server(endpoint = "rename_project")]
pub async fn rename_project(
    name: String,
    display_name: String,
    description: String,
) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        let scope = Scope::Project {
            project: name.clone(),
        };
        ctx.require(Role::Owner, &scope, "project.update", "rename this project")
            .await?;
        let projects = &ctx.services.projects;
        projects
            .rename(&ctx.caller, &name, &display_name, &description)
            .await
    })
    .await
}

/// Deletes a project (admins only): its registries (and their copies) go,
/// its namespaces leave it. With registries left and `confirm` false,
/// refuses and says how many would be removed.
#[server(endpoint = "delete_project")]
pub async fn delete_project(name: String, confirm: bool) -> Result<(), AppError> {
    call::admin("project.delete", "delete projects", |ctx| async move {
        let projects = &ctx.services.projects;
        projects.delete(&ctx.caller, &name, confirm).await
    })
    .await
}

/// What moving a namespace into `project` (or out, when `None`) would
/// write: the registries it receives and the names already taken there.
#[server(endpoint = "preview_namespace_move")]
pub async fn preview_namespace_move(
    namespace: String,
    project: Option<String>,
) -> Result<MovePreview, AppError> {
    call::admin("project.namespace.preview", MOVE, |ctx| async move {
        let projects = &ctx.services.projects;
        projects
            .preview_namespace_move(&namespace, project.as_deref())
            .await
    })
    .await
}

/// Moves a namespace into `project`, or out of any project when `None`
/// (admins only: it changes who reaches the namespace). When names collide
/// it refuses unless `confirm`; the colliding Secrets stay untouched.
#[server(endpoint = "set_namespace_project")]
pub async fn set_namespace_project(
    namespace: String,
    project: Option<String>,
    #[server(default)] confirm: bool,
) -> Result<(), AppError> {
    call::admin("project.namespace.move", MOVE, |ctx| async move {
        let projects = &ctx.services.projects;
        projects
            .set_namespace_project(&ctx.caller, &namespace, project.as_deref(), confirm)
            .await
    })
    .await
}

/// Accepts a namespace's request to join the project its label names
/// (admins only); collisions need `confirm`, as for a move.
#[server(endpoint = "accept_namespace_join")]
pub async fn accept_namespace_join(
    namespace: String,
    #[server(default)] confirm: bool,
) -> Result<(), AppError> {
    call::admin("project.namespace.accept", MOVE, |ctx| async move {
        let projects = &ctx.services.projects;
        projects.accept_join(&ctx.caller, &namespace, confirm).await
    })
    .await
}

/// Rejects a namespace's request to join a project (admins only): it stays
/// out and is no longer listed as asking.
#[server(endpoint = "reject_namespace_join")]
pub async fn reject_namespace_join(namespace: String) -> Result<(), AppError> {
    call::admin("project.namespace.reject", MOVE, |ctx| async move {
        ctx.services
            .projects
            .reject_join(&ctx.caller, &namespace)
            .await
    })
    .await
}

/// What admins may do with namespaces, as a refusal names it.
#[cfg(feature = "ssr")]
const MOVE: &str = "move namespaces between projects";
