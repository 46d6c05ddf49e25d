//! Pull Secrets regboard did not write ("unmanaged"), and adopting one:
//! the wire types of `list_unmanaged_secrets` and `adopt_unmanaged_secret`.
//! Only hosts and usernames cross the wire, never a password or `auth`.

use serde::{Deserialize, Serialize};

/// The Secret type of a registry.
pub const DOCKER_CONFIG_JSON: &str = "kubernetes.io/dockerconfigjson";
/// The legacy Secret type (`.dockercfg`, the hosts at the top level).
pub const DOCKERCFG: &str = "kubernetes.io/dockercfg";

/// A pull Secret without regboard's proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmanagedSecret {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// `kubernetes.io/dockerconfigjson` or `kubernetes.io/dockercfg`.
    pub secret_type: String,
    /// The registry hosts of its config, sorted.
    pub hosts: Vec<String>,
    /// The usernames of its entries (decoded from `auth` when that is all
    /// an entry has), sorted, without repeats.
    pub usernames: Vec<String>,
    /// Why it cannot be adopted at all (its config does not parse), if so.
    #[serde(default)]
    pub unreadable: Option<String>,
    /// The project of its namespace, if it is a member of one.
    #[serde(default)]
    pub project: Option<String>,
    /// Whether the caller may adopt it as a namespace registry (editor of
    /// the namespace).
    #[serde(default)]
    pub may_adopt: bool,
    /// Whether the caller may adopt it as a project registry (editor of
    /// its project).
    #[serde(default)]
    pub may_adopt_to_project: bool,
}

impl UnmanagedSecret {
    /// Whether it is the legacy type, which cannot become a registry in
    /// place (a Secret's type cannot be changed).
    pub fn legacy(&self) -> bool {
        self.secret_type == DOCKERCFG
    }
}

/// What an adopted Secret becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdoptAs {
    /// A namespace registry: the Secret itself, its data unchanged, gets
    /// regboard's labels and proof (not for the legacy type).
    InPlace,
    /// A namespace registry named `name` beside the Secret, with the same
    /// credentials as `.dockerconfigjson`; the Secret stays as it is.
    Renamed {
        /// The new registry's name.
        name: String,
    },
    /// A registry of the namespace's project named `name`: a source with
    /// the same credentials; a dockerconfigjson Secret of that name becomes
    /// the project's copy in its namespace, any other stays as it is.
    Project {
        /// The project registry's name.
        name: String,
    },
}

/// Adopting the unmanaged Secret `namespace/name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptRequest {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// What it becomes.
    pub adopt_as: AdoptAs,
}
