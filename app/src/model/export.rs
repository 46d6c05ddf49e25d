//! Exporting a registry: the wire types of `export_registry`.
//!
//! The answer holds the credential only when the request asked for it and
//! the caller confirmed with their own password; such answers are never
//! cached (every server-fn answer is `no-store`).

use serde::{Deserialize, Serialize};

use crate::domain::secret::Password;

pub use crate::domain::scope::Scope;

/// What the export is written as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// A YAML manifest for `kubectl apply -f`.
    #[default]
    Manifest,
    /// A `kustomization.yaml` with a `secretGenerator` and its config file.
    Kustomize,
}

/// What a person asks to export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRequest {
    /// The registry's scope.
    pub scope: Scope,
    /// The registry's name.
    pub name: String,
    /// One namespace the registry reaches; none: every namespace it reaches.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Manifest or kustomize.
    #[serde(default)]
    pub format: ExportFormat,
    /// Include the credential (then `own_password` must be the caller's).
    #[serde(default)]
    pub include_credential: bool,
    /// The caller's own regboard password, confirming `include_credential`.
    #[serde(default)]
    pub own_password: Option<Password>,
}

/// One exported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFile {
    /// Its name, e.g. `ghcr.yaml` or `kustomization.yaml`.
    pub name: String,
    /// Its text.
    pub content: String,
}

/// The export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryExport {
    /// The files, the one to apply or build first.
    pub files: Vec<ExportFile>,
    /// The namespaces it writes a Secret into.
    pub namespaces: Vec<String>,
    /// Whether the files hold the credential.
    pub credential_included: bool,
}
