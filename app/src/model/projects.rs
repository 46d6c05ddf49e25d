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
    /// Its namespaces (recorded by regboard), sorted.
    pub namespaces: Vec<String>,
    /// Namespaces whose `regboard.dev/project` label, set outside regboard,
    /// asks to join: they receive nothing and give no project roles until an
    /// admin accepts.
    #[serde(default)]
    pub requested: Vec<String>,
    /// How many project registries it has.
    pub registries: u32,
    /// Whether regboard has a record of it (a label alone makes a project
    /// visible; creating it here adds the display name and description).
    pub recorded: bool,
}

/// A name a namespace already uses that a registry of the project it would
/// join also uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MoveCollision {
    /// The Secret's (and registry's) name.
    pub name: String,
    /// The type of the Secret already there.
    pub secret_type: String,
    /// It carries regboard's labels without regboard's proof (copied by
    /// hand or by a tool): still not regboard's, and left untouched.
    #[serde(default)]
    pub forged: bool,
}

/// What moving a namespace into a project would write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MovePreview {
    /// The project registries it would receive a copy of.
    pub registries: Vec<String>,
    /// Names already taken there: those registries do not reach it.
    pub collisions: Vec<MoveCollision>,
    /// What the move writes in the namespace, one row per project registry
    /// (the namespace is each row's `namespace`): its copy created, deleted
    /// (leaving) or kept, or a collision; and the ServiceAccounts whose
    /// `imagePullSecrets` the attacher then changes.
    #[serde(default)]
    pub changes: Vec<crate::model::changes::NamespaceChange>,
}
