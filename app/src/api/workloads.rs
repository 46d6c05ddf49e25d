//! Workloads: server functions for the Workloads, Coverage and diagnosis
//! pages. Viewers of a namespace see its pods; a project page shows the
//! project's namespaces the caller sees. No credential ever leaves the
//! server: rows name Secrets and their `auths` keys, never their values.

use leptos::prelude::*;

pub use crate::model::workloads::*;
use crate::AppError;
#[cfg(feature = "ssr")]
use crate::{api::call, domain::access::Role::Viewer, domain::scope::Scope};

/// What the refusals name.
#[cfg(feature = "ssr")]
const SEE: &str = "see workloads in this scope";

/// The pods of one namespace or project, with their images, hosts,
/// serving pull Secrets and pull states, filtered and sorted by `query`.
#[server(endpoint = "list_workloads")]
pub async fn list_workloads(query: WorkloadQuery) -> Result<WorkloadList, AppError> {
    call::signed_in(|ctx| async move {
        let (namespaces, _) = view::namespaces_in_view(&ctx, &query, "workloads.list").await?;
        ctx.services.workloads.list(&namespaces, &query).await
    })
    .await
}

/// Every registry host the pods of one namespace or project use, whether a
/// pull Secret covers it, and the fix where none does (marked with whether
/// the caller may apply it).
#[server(endpoint = "workload_coverage")]
pub async fn workload_coverage(query: WorkloadQuery) -> Result<CoverageReport, AppError> {
    call::signed_in(|ctx| async move {
        let (namespaces, perms) =
            view::namespaces_in_view(&ctx, &query, "workloads.coverage").await?;
        let mut report = ctx.services.workloads.coverage(&namespaces).await?;
        for fix in report.rows.iter_mut().filter_map(|r| r.fix.as_mut()) {
            view::mark_rights(&ctx, &perms, fix);
        }
        Ok(report)
    })
    .await
}

/// The five checks of pod `name` in `namespace`, with its Events.
#[server(endpoint = "diagnose_pod")]
pub async fn diagnose_pod(namespace: String, name: String) -> Result<Diagnosis, AppError> {
    call::signed_in(|ctx| async move {
        let scope = Scope::Namespace {
            namespace: namespace.clone(),
        };
        let perms = ctx
            .require(Viewer, &scope, "workloads.diagnose", SEE)
            .await?;
        let visible = view::visible_namespaces(&ctx, &perms).await?;
        let workloads = &ctx.services.workloads;
        let mut diagnosis = workloads.diagnose(&namespace, &name, &visible).await?;
        for fix in diagnosis.checks.iter_mut().filter_map(|c| c.fix.as_mut()) {
            view::mark_rights(&ctx, &perms, fix);
        }
        Ok(diagnosis)
    })
    .await
}

/// Which namespaces a page may read, and what the caller may do there.
#[cfg(feature = "ssr")]
mod view {
    use super::SEE;
    use crate::api::authz::Ctx;
    use crate::domain::access::Permissions;
    use crate::domain::access::Role::{Editor, Viewer};
    use crate::domain::scope::Scope;
    use crate::model::workloads::{Fix, FixAction, WorkloadQuery};
    use crate::AppError;

    /// The namespaces `query` names that the caller sees, sorted: the one
    /// namespace (a refusal unless the caller views it), or the project's
    /// namespaces the caller sees (a refusal when that is none and the
    /// caller holds nothing on the project).
    pub(super) async fn namespaces_in_view(
        ctx: &Ctx,
        query: &WorkloadQuery,
        action: &str,
    ) -> Result<(Vec<String>, Permissions), AppError> {
        let perms = ctx.permissions().await?;
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        if let Some(namespace) = blank(&query.namespace) {
            let scope = Scope::Namespace { namespace };
            if !ctx.allows(&perms, Viewer, &scope) {
                return Err(ctx.deny(action, SEE, Some(&scope)).await);
            }
            let Scope::Namespace { namespace } = scope else {
                unreachable!("built as a namespace scope above")
            };
            let rows = ctx.services.cluster.namespaces().await?;
            if !rows.iter().any(|r| r.name == namespace) {
                return Err(AppError::NotFound(format!(
                    "Namespace {namespace} does not exist."
                )));
            }
            return Ok((vec![namespace], perms));
        }
        let Some(project) = blank(&query.project) else {
            return Err(AppError::Invalid {
                field: None,
                message: "Choose a project or a namespace.".into(),
            });
        };
        let rows = ctx.services.cluster.namespaces().await?;
        let namespaces: Vec<String> = rows
            .into_iter()
            .filter(|r| r.project.as_deref() == Some(project.as_str()))
            .filter(|r| perms.sees_namespace(&r.name, r.project.as_deref()))
            .map(|r| r.name)
            .collect();
        if namespaces.is_empty() && !perms.sees_project(&project) {
            let scope = Scope::Project { project };
            return Err(ctx.deny(action, SEE, Some(&scope)).await);
        }
        Ok((namespaces, perms))
    }

    /// Every namespace the caller sees.
    pub(super) async fn visible_namespaces(
        ctx: &Ctx,
        perms: &Permissions,
    ) -> Result<Vec<String>, AppError> {
        let rows = ctx.services.cluster.namespaces().await?;
        Ok(rows
            .into_iter()
            .filter(|r| perms.sees_namespace(&r.name, r.project.as_deref()))
            .map(|r| r.name)
            .collect())
    }

    /// Sets whether the caller may apply `fix`: editors of the registry's
    /// scope attach and edit; a new registry is offered for the project
    /// when the caller edits there, else for the namespace.
    pub(super) fn mark_rights(ctx: &Ctx, perms: &Permissions, fix: &mut Fix) {
        let editor = |scope: &Scope| ctx.allows(perms, Editor, scope);
        fix.allowed = match &mut fix.action {
            None => false,
            Some(FixAction::Attach { registry, .. } | FixAction::EditRegistry { registry, .. }) => {
                editor(&registry.scope)
            }
            Some(FixAction::CreateRegistry {
                namespace, project, ..
            }) => {
                let on_project = project
                    .clone()
                    .is_some_and(|project| editor(&Scope::Project { project }));
                if !on_project {
                    *project = None;
                }
                on_project
                    || editor(&Scope::Namespace {
                        namespace: namespace.clone(),
                    })
            }
        };
    }
}
