//! Importing a docker `config.json`: the wire types. The file travels from
//! the browser to the server (as a [`Password`], so no `Debug` shows it) and
//! is never sent back, stored or logged; a preview carries hosts, usernames
//! and sentences only.

use serde::{Deserialize, Serialize};

use crate::domain::secret::Password;
use crate::model::registries::Scope;

/// One `auths` entry of the file, as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedHost {
    /// The key as written in the file.
    pub key: String,
    /// The server as regboard would write it.
    pub server: Option<String>,
    /// The username in the entry.
    pub username: Option<String>,
    /// Why it cannot be imported; `None` when it can.
    pub refusal: Option<String>,
}

/// What a `config.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// Every `auths` entry.
    pub hosts: Vec<ImportedHost>,
    /// Each credential helper (`credsStore`, `credHelpers`), explained.
    pub helpers: Vec<String>,
}

/// Where the chosen entries go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportTarget {
    /// A new registry.
    New {
        /// Its scope.
        scope: Scope,
        /// Its name.
        name: String,
        /// Its description.
        #[serde(default)]
        description: String,
    },
    /// New hosts on an existing registry (its own hosts stay as they are).
    Existing {
        /// Its scope.
        scope: Scope,
        /// Its name.
        name: String,
    },
}

impl ImportTarget {
    /// The registry's scope.
    pub fn scope(&self) -> &Scope {
        match self {
            ImportTarget::New { scope, .. } | ImportTarget::Existing { scope, .. } => scope,
        }
    }
}

/// An import: the file again, the entries chosen (their keys) and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRequest {
    /// The `config.json` text.
    pub config: Password,
    /// The `auths` keys to take (an empty list is sent as nothing).
    #[serde(default)]
    pub keys: Vec<String>,
    /// The registry they go to.
    pub target: ImportTarget,
    /// Test each credential before saving (see `RegistryInput::test_credential`).
    #[serde(default = "yes")]
    pub test_credential: bool,
}

fn yes() -> bool {
    true
}
