//! The Projects page's rows: the projects regboard records, the projects
//! namespace labels name, their namespaces and how many registries each has.

use std::collections::BTreeMap;

use regboard_app::model::projects::ProjectSummary;
use regboard_app::AppError;

use super::KubeProjects;
use crate::cluster::{ownership, PROJECT_LABEL};
use crate::error::internal;

impl KubeProjects {
    /// Every project: recorded ones and ones that exist only as labels.
    pub(super) async fn summaries(&self) -> Result<Vec<ProjectSummary>, AppError> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT name, display_name, description FROM projects")
                .fetch_all(&self.db)
                .await
                .map_err(internal)?;
        let mut projects: BTreeMap<String, ProjectSummary> = rows
            .into_iter()
            .map(|(name, display_name, description)| {
                (
                    name.clone(),
                    ProjectSummary {
                        name,
                        display_name,
                        description,
                        namespaces: vec![],
                        registries: 0,
                        recorded: true,
                    },
                )
            })
            .collect();
        for ns in self.inventory.namespaces() {
            let (Some(name), Some(project)) = (
                ns.metadata.name.clone(),
                ns.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(PROJECT_LABEL))
                    .cloned(),
            ) else {
                continue;
            };
            projects
                .entry(project.clone())
                .or_insert_with(|| ProjectSummary {
                    name: project.clone(),
                    display_name: project.clone(),
                    description: String::new(),
                    namespaces: vec![],
                    registries: 0,
                    recorded: false,
                })
                .namespaces
                .push(name);
        }
        for source in &self.sources(None).await? {
            if let Some(p) =
                ownership::label(source, PROJECT_LABEL).and_then(|p| projects.get_mut(p))
            {
                p.registries += 1;
            }
        }
        let mut list: Vec<ProjectSummary> = projects.into_values().collect();
        for p in &mut list {
            p.namespaces.sort();
        }
        Ok(list)
    }
}
