//! Projects: groups of namespaces (label `regboard.dev/project`) with a
//! display name and description kept by regboard.

use serde::{Deserialize, Serialize};

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
