//! The Projects page's rows: the projects regboard records, their recorded
//! namespaces, the namespaces whose label asks to join (set outside
//! regboard: not members until an admin accepts), and how many registries
//! each has.

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
                        requested: vec![],
                        registries: 0,
                        recorded: true,
                    },
                )
            })
            .collect();
        let blank = |project: &str| ProjectSummary {
            name: project.to_owned(),
            display_name: project.to_owned(),
            description: String::new(),
            namespaces: vec![],
            requested: vec![],
            registries: 0,
            recorded: false,
        };
        for (ns, project) in self.inventory.membership().members() {
            let entry = projects.entry(project.clone());
            entry.or_insert_with(|| blank(&project)).namespaces.push(ns);
        }
        for ns in self.inventory.namespaces() {
            let (Some(name), Some(project)) = (
                ns.metadata.name.clone(),
                self.inventory.requested_project(&ns),
            ) else {
                continue;
            };
            if name == self.system_namespace {
                continue;
            }
            let entry = projects.entry(project.clone());
            entry
                .or_insert_with(|| blank(&project))
                .requested
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
            p.requested.sort();
        }
        Ok(list)
    }
}
