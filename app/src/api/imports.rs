//! Importing a docker `config.json`: a preview of its entries (hosts,
//! usernames and why some cannot be used), then the chosen entries as a new
//! registry or as new hosts on an existing one. The file is parsed on each
//! call and never stored, logged or sent back; the registry is created or
//! edited by the registry service (tested, audited) like a form would.

use leptos::prelude::*;

pub use crate::model::imports::*;
pub use crate::model::registries::RegistrySummary;
use crate::AppError;
#[cfg(feature = "ssr")]
use crate::{
    api::call,
    domain::access::Role::Editor,
    domain::docker_config::import::{read_config_json, Imported},
    model::changes::RegistryChange,
    model::registries::{Attachment, HostCredential, RegistryDetail, RegistryInput},
};

/// The entries of a `config.json` (anyone signed in: nothing is read from
/// the cluster and nothing of the file's credentials comes back).
#[server(endpoint = "preview_import")]
pub async fn preview_import(
    config: crate::domain::secret::Password,
) -> Result<ImportPreview, AppError> {
    call::signed_in(|_ctx| async move {
        let imported = read(&config)?;
        Ok(ImportPreview {
            hosts: imported
                .entries
                .into_iter()
                .map(|e| ImportedHost {
                    key: e.key,
                    server: e.server,
                    username: e.username,
                    refusal: e.refusal,
                })
                .collect(),
            helpers: imported.helpers,
        })
    })
    .await
}

/// Imports the chosen entries (editors of the target's scope).
#[server(endpoint = "import_registry")]
pub async fn import_registry(request: ImportRequest) -> Result<RegistrySummary, AppError> {
    call::signed_in(|ctx| async move {
        let change = import_change(&ctx, &request, "registry.import").await?;
        let registries = &ctx.services.registries;
        match change {
            RegistryChange::Create(input) => registries.create(&ctx.caller, input).await,
            RegistryChange::Update(input) => registries.update(&ctx.caller, input).await,
            _ => unreachable!("an import creates or edits"),
        }
    })
    .await
}

/// What importing the chosen entries would write where (the registry
/// preview of the create or edit it amounts to); writes nothing.
#[server(endpoint = "preview_import_change")]
pub async fn preview_import_change(
    request: ImportRequest,
) -> Result<crate::model::changes::ChangePreview, AppError> {
    call::signed_in(|ctx| async move {
        let change = import_change(&ctx, &request, "registry.preview").await?;
        ctx.services.changes.preview(&change).await
    })
    .await
}

/// The create (a new registry) or edit (new hosts on an existing one) an
/// import amounts to, for editors of the target's scope.
#[cfg(feature = "ssr")]
async fn import_change(
    ctx: &crate::api::authz::Ctx,
    request: &ImportRequest,
    action: &str,
) -> Result<RegistryChange, AppError> {
    let scope = request.target.scope().clone();
    let what = "manage registries in this scope";
    ctx.require(Editor, &scope, action, what).await?;
    let imported = read(&request.config)?;
    match &request.target {
        ImportTarget::New { .. } => Ok(RegistryChange::Create(import_input(
            &imported, request, None,
        )?)),
        ImportTarget::Existing { scope, name } => {
            let existing = ctx.services.registries.get(scope, name).await?;
            let input = import_input(&imported, request, Some(&existing))?;
            Ok(RegistryChange::Update(input))
        }
    }
}

#[cfg(feature = "ssr")]
fn read(config: &crate::domain::secret::Password) -> Result<Imported, AppError> {
    read_config_json(config.expose().as_bytes()).map_err(|e| AppError::Invalid {
        field: Some("config".into()),
        message: e.to_string(),
    })
}

#[cfg(feature = "ssr")]
fn refused(message: String) -> AppError {
    AppError::Invalid {
        field: Some("keys".into()),
        message,
    }
}

/// The registry form an import amounts to: the chosen entries as host rows,
/// after the existing registry's own rows (kept as they are) when adding.
#[cfg(feature = "ssr")]
fn import_input(
    imported: &Imported,
    request: &ImportRequest,
    existing: Option<&RegistryDetail>,
) -> Result<RegistryInput, AppError> {
    use crate::domain::credential::expiry::format_rfc3339;
    use crate::domain::hosts::same_registry;
    if request.keys.is_empty() {
        return Err(refused("Choose at least one entry to import.".into()));
    }
    let mut rows: Vec<HostCredential> = existing
        .map(|d| {
            d.summary
                .host_details
                .iter()
                .map(|h| HostCredential {
                    host: h.host.clone(),
                    username: h.username.clone().unwrap_or_default(),
                    password: Default::default(),
                    email: h.email.clone(),
                    valid_until: h.valid_until.map(format_rfc3339),
                })
                .collect()
        })
        .unwrap_or_default();
    for key in &request.keys {
        let entry = imported.entries.iter().find(|e| &e.key == key);
        let Some(entry) = entry else {
            return Err(refused(format!("The file has no entry '{key}'.")));
        };
        if let Some(why) = &entry.refusal {
            return Err(refused(format!("{key}: {why}")));
        }
        let server = entry.server.clone().unwrap_or_else(|| key.clone());
        if rows.iter().any(|r| same_registry(&r.host, &server)) {
            return Err(refused(format!(
                "{server} is already in this registry; edit it there to change its login."
            )));
        }
        let Some((username, password)) = imported.config.username_password(key) else {
            return Err(refused(format!("{key} holds no username and password.")));
        };
        rows.push(HostCredential {
            host: server,
            username,
            password,
            email: imported.config.auths.get(key).and_then(|e| e.email.clone()),
            valid_until: None,
        });
    }
    let (scope, name, description) = match &request.target {
        ImportTarget::New {
            scope,
            name,
            description,
        } => (scope, name, description.clone()),
        ImportTarget::Existing { scope, name } => (scope, name, String::new()),
    };
    // Adding keeps the registry's description and attachment; a new one
    // attaches to `default`, as the form starts.
    let (description, attachment) = match existing {
        Some(d) => (d.summary.description.clone(), d.attachment.clone()),
        None => (description, Attachment::Default),
    };
    Ok(RegistryInput {
        scope: scope.clone(),
        name: name.clone(),
        credentials: rows,
        description,
        attachment,
        test_credential: request.test_credential,
    })
}
