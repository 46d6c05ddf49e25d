//! Exporting a registry as files for a GitOps repository (issue #13 item 7):
//! a manifest for `kubectl apply -f` or a kustomize `secretGenerator`, for
//! one namespace it reaches or every one, written by `domain::export`.
//!
//! ```text
//! export_registry ─► refuse an unconfirmed credential (own password)
//!                 ─► the registry's Secret (namespace Secret or project source, proven)
//!                 ─► the namespaces it reaches (recorded members of its project)
//!                 ─► placeholders, or the stored bytes ─► manifest | kustomization
//! ```
//!
//! The service records `registry.export` with labels only (format,
//! namespaces, whether the credential was included), never the files.

use regboard_app::domain::export::{self, Subject};
use regboard_app::model::export::{ExportFile, ExportFormat, ExportRequest, RegistryExport, Scope};
use regboard_app::AppError;
use serde_json::{json, Value};

use super::service::KubeRegistries;
use crate::cluster::ownership::DATA_KEY;

/// The refusal of a credential the caller did not confirm.
fn unconfirmed(own_password_ok: Option<bool>) -> AppError {
    let message = match own_password_ok {
        None => "Type your own regboard password to include the credential; nothing was exported.",
        Some(_) => "That is not your regboard password, so the credential was not exported.",
    };
    AppError::Invalid {
        field: Some("own_password".into()),
        message: message.into(),
    }
}

impl KubeRegistries {
    /// The files of `request` and the audit details of the export.
    pub(super) async fn export_registry(
        &self,
        request: &ExportRequest,
        own_password_ok: Option<bool>,
    ) -> Result<(RegistryExport, Value), AppError> {
        if request.include_credential && own_password_ok != Some(true) {
            return Err(unconfirmed(own_password_ok));
        }
        let (_, secret) = self.registry_secret(&request.scope, &request.name).await?;
        let namespaces = self.export_namespaces(request)?;
        let stored = secret
            .data
            .as_ref()
            .and_then(|d| d.get(DATA_KEY))
            .map(|b| b.0.clone())
            .unwrap_or_default();
        let unreadable = || {
            AppError::Invalid {
            field: None,
            message: format!(
                "The Secret of registry {} holds no readable docker config; there is nothing to export.",
                request.name
            ),
        }
        };
        let config = if request.include_credential {
            String::from_utf8(stored).map_err(|_| unreadable())?
        } else {
            export::placeholders_json(&stored).map_err(|_| unreadable())?
        };
        let subject = Subject {
            name: &request.name,
            namespaces: &namespaces,
            config: &config,
            with_credential: request.include_credential,
        };
        let files = match request.format {
            ExportFormat::Manifest => vec![export::manifest(&subject)],
            ExportFormat::Kustomize => export::kustomization(&subject).into(),
        };
        let details = json!({
            "format": request.format,
            "namespaces": namespaces,
            "credential_included": request.include_credential,
        });
        let export = RegistryExport {
            files: files
                .into_iter()
                .map(|f| ExportFile {
                    name: f.name,
                    content: f.content,
                })
                .collect(),
            namespaces,
            credential_included: request.include_credential,
        };
        Ok((export, details))
    }

    /// The namespaces the export writes into: the one asked for, if the
    /// registry reaches it, or every one it reaches.
    fn export_namespaces(&self, request: &ExportRequest) -> Result<Vec<String>, AppError> {
        let reach: Vec<String> = match &request.scope {
            Scope::Namespace { namespace } => vec![namespace.clone()],
            Scope::Project { project } => self
                .inventory
                .membership()
                .members()
                .into_iter()
                .filter(|(ns, p)| p == project && *ns != self.system_namespace)
                .map(|(ns, _)| ns)
                .collect(),
        };
        let chosen = match &request.namespace {
            Some(want) if reach.contains(want) => vec![want.clone()],
            Some(want) => {
                return Err(AppError::Invalid {
                    field: Some("namespace".into()),
                    message: format!(
                        "Registry {} does not reach namespace {want}; choose one of: {}.",
                        request.name,
                        reach.join(", ")
                    ),
                })
            }
            None => reach,
        };
        if chosen.is_empty() {
            return Err(AppError::Invalid {
                field: Some("namespace".into()),
                message: format!(
                    "Registry {} reaches no namespace yet (its project has none); there is nothing to export.",
                    request.name
                ),
            });
        }
        Ok(chosen)
    }
}
