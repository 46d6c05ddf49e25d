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

/// Every project: recorded ones and ones that exist only as namespace labels.
#[server(endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectSummary>, AppError> {
    crate::error::respond(crate::services::services()?.projects.list().await)
}

/// Creates a project record.
#[server(endpoint = "create_project")]
pub async fn create_project(
    name: String,
    display_name: String,
    description: String,
) -> Result<(), AppError> {
    let caller = crate::services::caller();
    crate::error::respond(
        crate::services::services()?
            .projects
            .create(&caller, &name, &display_name, &description)
            .await,
    )
}

/// Changes a project's display name and description.
#[server(endpoint = "rename_project")]
pub async fn rename_project(
    name: String,
    display_name: String,
    description: String,
) -> Result<(), AppError> {
    let caller = crate::services::caller();
    crate::error::respond(
        crate::services::services()?
            .projects
            .rename(&caller, &name, &display_name, &description)
            .await,
    )
}

/// Deletes a project: its registries (and their copies) go, its namespaces
/// leave it. With registries left and `confirm` false, refuses and says how
/// many would be removed.
#[server(endpoint = "delete_project")]
pub async fn delete_project(name: String, confirm: bool) -> Result<(), AppError> {
    let caller = crate::services::caller();
    crate::error::respond(
        crate::services::services()?
            .projects
            .delete(&caller, &name, confirm)
            .await,
    )
}

/// Moves a namespace into `project`, or out of any project when `None`.
#[server(endpoint = "set_namespace_project")]
pub async fn set_namespace_project(
    namespace: String,
    project: Option<String>,
) -> Result<(), AppError> {
    let caller = crate::services::caller();
    crate::error::respond(
        crate::services::services()?
            .projects
            .set_namespace_project(&caller, &namespace, project.as_deref())
            .await,
    )
}
