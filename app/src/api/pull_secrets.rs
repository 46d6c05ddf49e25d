//! Pull Secrets in and out: exporting a registry as a manifest or a
//! kustomize `secretGenerator` (editors; the credential only with the
//! caller's own password), and the pull Secrets regboard did not write,
//! listed for viewers and adopted by editors.

use leptos::prelude::*;

pub use crate::model::export::*;
pub use crate::model::registries::RegistrySummary;
pub use crate::model::unmanaged::*;
use crate::AppError;
#[cfg(feature = "ssr")]
use crate::{api::call, domain::access::Role::Editor};

/// What editors may do, as a refusal names it.
#[cfg(feature = "ssr")]
const MANAGE: &str = "manage registries in this scope";

/// A registry as files for `kubectl apply -f` or kustomize (editors;
/// audited as `registry.export`). The credential is left out unless asked
/// for and confirmed with the caller's own password.
#[server(endpoint = "export_registry")]
pub async fn export_registry(request: ExportRequest) -> Result<RegistryExport, AppError> {
    call::signed_in(|ctx| async move {
        ctx.require(Editor, &request.scope, "registry.export", MANAGE)
            .await?;
        let password = request.own_password.as_ref();
        let access = &ctx.services.access;
        let own_password_ok = access
            .check_own_password(&ctx.caller, &ctx.user, password)
            .await?;
        let pull_secrets = &ctx.services.pull_secrets;
        pull_secrets
            .export(&ctx.caller, &request, own_password_ok)
            .await
    })
    .await
}

/// The pull Secrets regboard did not write in `namespace` (or in every
/// namespace the caller sees), with hosts and usernames only.
#[server(endpoint = "list_unmanaged_secrets")]
pub async fn list_unmanaged_secrets(
    #[server(default)] namespace: Option<String>,
) -> Result<Vec<UnmanagedSecret>, AppError> {
    call::signed_in(|ctx| async move {
        let perms = ctx.permissions().await?;
        let mut namespaces: Vec<String> = ctx
            .services
            .cluster
            .namespaces()
            .await?
            .into_iter()
            .filter(|r| namespace.as_ref().is_none_or(|want| *want == r.name))
            .filter(|r| perms.sees_namespace(&r.name, r.project.as_deref()))
            .map(|r| r.name)
            .collect();
        namespaces.sort();
        let mut rows = ctx.services.pull_secrets.unmanaged(&namespaces).await?;
        for row in &mut rows {
            let scope = Scope::Namespace {
                namespace: row.namespace.clone(),
            };
            row.may_adopt = ctx.allows(&perms, Editor, &scope);
            row.may_adopt_to_project = row
                .project
                .clone()
                .is_some_and(|project| ctx.allows(&perms, Editor, &Scope::Project { project }));
        }
        Ok(rows)
    })
    .await
}

/// Makes an unmanaged pull Secret a registry: in place or under another
/// name (editors of its namespace), or a registry of its project (editors
/// of the project); audited as `registry.adopt`.
#[server(endpoint = "adopt_unmanaged_secret")]
pub async fn adopt_unmanaged_secret(request: AdoptRequest) -> Result<RegistrySummary, AppError> {
    call::signed_in(|ctx| async move {
        // A project registry needs an editor of the namespace's project;
        // a namespace outside any project is refused by the service.
        let scope = match (&request.adopt_as, ctx.project_of(&request.namespace)) {
            (AdoptAs::Project { .. }, Some(project)) => Scope::Project { project },
            _ => Scope::Namespace {
                namespace: request.namespace.clone(),
            },
        };
        ctx.require(Editor, &scope, "registry.adopt", MANAGE)
            .await?;
        let pull_secrets = &ctx.services.pull_secrets;
        pull_secrets.adopt_unmanaged(&ctx.caller, &request).await
    })
    .await
}
