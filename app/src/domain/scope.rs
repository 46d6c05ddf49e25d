//! Where a registry applies and where a grant reaches: one project (all of
//! its namespaces, including ones that join later) or one namespace.

use serde::{Deserialize, Serialize};

/// Where a registry applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Every namespace of a project, including ones that join later.
    Project {
        /// The project's name.
        project: String,
    },
    /// One namespace.
    Namespace {
        /// The namespace's name.
        namespace: String,
    },
}

impl Scope {
    /// "project payments" / "namespace payments-dev".
    pub fn describe(&self) -> String {
        match self {
            Scope::Project { project } => format!("project {project}"),
            Scope::Namespace { namespace } => format!("namespace {namespace}"),
        }
    }

    /// The URL path segment pair identifying the scope: ("p", name) or ("ns", name).
    pub fn path(&self) -> String {
        match self {
            Scope::Project { project } => format!("/registries/p/{project}"),
            Scope::Namespace { namespace } => format!("/registries/ns/{namespace}"),
        }
    }
}
