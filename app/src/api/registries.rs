//! Registries: server functions. Viewers read, editors change; the password
//! travels only from the browser to the server, never back.

use leptos::prelude::*;

pub use crate::model::credentials::CredentialCheck;
pub use crate::model::registries::*;
use crate::AppError;
#[cfg(feature = "ssr")]
use crate::{
    api::call,
    domain::access::Role::{Editor, Viewer},
};

/// What editors may do, as a refusal names it.
#[cfg(feature = "ssr")]
const MANAGE: &str = "manage registries in this scope";

/// Registries matching `filter` that the caller may see.
#[server(endpoint = "list_registries")]
pub async fn list_registries(
    // An all-empty filter is sent as nothing at all; default it.
    #[server(default)] filter: RegistryFilter,
) -> Result<Vec<RegistrySummary>, AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        let mut list = ctx.services.registries.list(&filter).await?;
        list.retain(|r| ctx.allows(&perms, Viewer, &r.scope));
        Ok(list)
    })
    .await
}

/// One registry with its per-namespace status and references.
#[server(endpoint = "get_registry")]
pub async fn get_registry(scope: Scope, name: String) -> Result<RegistryDetail, AppError> {
    call::signed_in(|ctx| async move {
        let what = "see registries in this scope";
        ctx.require(Viewer, &scope, "registry.read", what).await?;
        ctx.services.registries.get(&scope, &name).await
    })
    .await
}

/// Creates a registry; refuses a name already used in its scope.
#[server(endpoint = "create_registry")]
pub async fn create_registry(input: RegistryInput) -> Result<RegistrySummary, AppError> {
    call::signed_in(|ctx| async move {
        ctx.require(Editor, &input.scope, "registry.create", MANAGE)
            .await?;
        ctx.services.registries.create(&ctx.caller, input).await
    })
    .await
}

/// Edits hosts, username, password (empty keeps it), email and description.
#[server(endpoint = "update_registry")]
pub async fn update_registry(input: RegistryInput) -> Result<RegistrySummary, AppError> {
    call::signed_in(|ctx| async move {
        ctx.require(Editor, &input.scope, "registry.update", MANAGE)
            .await?;
        ctx.services.registries.update(&ctx.caller, input).await
    })
    .await
}

/// Deletes a registry and, for a project registry, all of its copies.
#[server(endpoint = "delete_registry")]
pub async fn delete_registry(scope: Scope, name: String) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        ctx.require(Editor, &scope, "registry.delete", MANAGE)
            .await?;
        let registries = &ctx.services.registries;
        registries.delete(&ctx.caller, &scope, &name).await
    })
    .await
}

/// Changes which ServiceAccounts a registry's Secret is attached to in every
/// namespace it reaches (editors; the next reconcile pass writes them).
#[server(endpoint = "set_attachment")]
pub async fn set_attachment(
    scope: Scope,
    name: String,
    attachment: Attachment,
) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        ctx.require(Editor, &scope, "registry.attachment", MANAGE)
            .await?;
        let registries = &ctx.services.registries;
        registries
            .set_attachment(&ctx.caller, &scope, &name, attachment)
            .await
    })
    .await
}

/// Asks the reconciler to bring a registry's copies up to date now.
#[server(endpoint = "resync_registry")]
pub async fn resync_registry(scope: Scope, name: String) -> Result<(), AppError> {
    call::signed_in(|ctx| async move {
        ctx.require(Editor, &scope, "registry.resync", MANAGE)
            .await?;
        let registries = &ctx.services.registries;
        registries.resync(&ctx.caller, &scope, &name).await
    })
    .await
}

/// Writes the lost source of project registry `name` again from one of its
/// copies (admins only); the copies then follow the new source.
#[server(endpoint = "restore_registry")]
pub async fn restore_registry(project: String, name: String) -> Result<(), AppError> {
    let what = "restore registries";
    call::admin("registry.restore", what, |ctx| async move {
        let registries = &ctx.services.registries;
        registries.restore(&ctx.caller, &project, &name).await
    })
    .await
}

/// Tests the registry's stored credential against the registry itself
/// (editors; audited as `registry.test` with the verdict labels): every
/// host, or only `host`; with `image`, the token asked for has that
/// repository's pull scope. Answers the verdicts, never the credential.
#[server(endpoint = "test_registry_credential")]
pub async fn test_registry_credential(
    scope: Scope,
    name: String,
    #[server(default)] host: Option<String>,
    #[server(default)] image: Option<String>,
) -> Result<Vec<CredentialCheck>, AppError> {
    call::signed_in(|ctx| async move {
        ctx.require(Editor, &scope, "registry.test", MANAGE).await?;
        let registries = &ctx.services.registries;
        registries
            .test_credential(
                &ctx.caller,
                (&scope, &name),
                host.as_deref(),
                image.as_deref(),
            )
            .await
    })
    .await
}

/// Takes over a Secret that carries regboard's labels but not its proof
/// (admins only; audited): for the rare case where the proof was lost.
#[server(endpoint = "adopt_secret")]
pub async fn adopt_secret(namespace: String, name: String) -> Result<(), AppError> {
    call::admin("registry.adopt", "adopt Secrets", |ctx| async move {
        let registries = &ctx.services.registries;
        registries.adopt(&ctx.caller, &namespace, &name).await
    })
    .await
}

/// Secrets that carry regboard's labels but not its proof (admins only):
/// regboard leaves them alone until an admin adopts one.
#[server(endpoint = "list_unproven_secrets")]
pub async fn list_unproven_secrets() -> Result<Vec<UnprovenSecret>, AppError> {
    call::admin("registry.unproven", "adopt Secrets", |ctx| async move {
        ctx.services.registries.unproven().await
    })
    .await
}

/// The hosts whose credential has expired or expires soon, in registries
/// the caller may see, most urgent first (the header's warning).
#[server(endpoint = "expiring_credentials")]
pub async fn expiring_credentials() -> Result<Vec<ExpiringHost>, AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        let mut list = ctx
            .services
            .registries
            .list(&RegistryFilter::default())
            .await?;
        list.retain(|r| ctx.allows(&perms, Viewer, &r.scope));
        Ok(expiring(&list))
    })
    .await
}
