//! Registry changes before and while they are written: the preview (a dry
//! run for people and automation: it writes nothing and is not audited) and
//! the rotation of a credential with its progress. Editors on the scope,
//! as for the change itself; the password travels only to the server.

use leptos::prelude::*;

pub use crate::model::changes::*;
pub use crate::model::registries::Scope;
use crate::AppError;
#[cfg(feature = "ssr")]
use crate::{
    api::call,
    domain::access::Role::{Editor, Viewer},
};

/// What editors may do, as a refusal names it.
#[cfg(feature = "ssr")]
const MANAGE: &str = "manage registries in this scope";

/// What `change` would write where (per namespace the Secret's action,
/// the ServiceAccounts whose `imagePullSecrets` change, the pods that use
/// the Secret), computed with the rules the write itself uses; writes
/// nothing. The dry run for automation.
#[server(endpoint = "preview_registry_change")]
pub async fn preview_registry_change(change: RegistryChange) -> Result<ChangePreview, AppError> {
    call::signed_in(|ctx| async move {
        let (scope, _) = change.registry();
        ctx.require(Editor, scope, "registry.preview", MANAGE)
            .await?;
        ctx.services.changes.preview(&change).await
    })
    .await
}

/// Rotates a registry's credential (one host or every host): tested first
/// unless `test_credential` is off, then the source (or namespace Secret)
/// is rewritten and the copies follow; answers once every namespace is
/// updated or failed (bounded). Audited once as `registry.rotate` with the
/// old and new fingerprints.
#[server(endpoint = "rotate_registry_credential")]
pub async fn rotate_registry_credential(input: RotationInput) -> Result<RotationReport, AppError> {
    call::signed_in(|ctx| async move {
        ctx.require(Editor, &input.scope, "registry.rotate", MANAGE)
            .await?;
        ctx.services.changes.rotate(&ctx.caller, input).await
    })
    .await
}

/// How far the registry's current credential has reached (endpoint
/// `rotation_progress`): N of M
/// namespaces whose Secret carries it, and the ones that failed.
#[server(endpoint = "rotation_progress")]
pub async fn read_rotation_progress(
    scope: Scope,
    name: String,
) -> Result<RotationProgress, AppError> {
    call::signed_in(|ctx| async move {
        let what = "see registries in this scope";
        ctx.require(Viewer, &scope, "registry.read", what).await?;
        ctx.services.changes.progress(&scope, &name).await
    })
    .await
}
