//! Reading registries: the filtered list, the detail with per-namespace
//! status, and the Pods and ServiceAccounts that pull with a registry.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use regboard_app::domain::hosts::normalize_host;
use regboard_app::model::registries::{
    NamespaceSync, RegistryDetail, RegistryFilter, RegistrySummary, Scope, SecretReference,
    SyncState, SyncSummary,
};
use regboard_app::AppError;

use super::objects::{docker_config, summary};
use super::service::KubeRegistries;
use crate::cluster::errors::app_error;
use crate::cluster::ownership;
use crate::cluster::proof::Claim;

impl KubeRegistries {
    pub(super) async fn list_registries(
        &self,
        filter: &RegistryFilter,
    ) -> Result<Vec<RegistrySummary>, AppError> {
        let managed = self.managed_secrets().await?;
        let project_of = self.project_of_namespaces();
        let mut rows: Vec<RegistrySummary> = managed
            .iter()
            .filter_map(|s| {
                let (scope, name) = match self.key.verify(s)? {
                    Claim::Namespace { namespace, name } => (Scope::Namespace { namespace }, name),
                    Claim::Source {
                        namespace,
                        project,
                        registry,
                    } if namespace == self.system_namespace => {
                        (Scope::Project { project }, registry)
                    }
                    _ => return None, // a copy: listed through its source
                };
                let sync = self.sync_summary(&scope, &name);
                Some(summary(s, scope, &name, sync))
            })
            .chain(self.lost_rows())
            .filter(|row| matches_filter(row, filter, &project_of))
            .collect();
        sort_rows(&mut rows, filter.sort.as_deref());
        Ok(rows)
    }

    /// Every Secret with regboard's labels: from the reconciler's watch-fed
    /// store (writes through regboard wait until it shows them), or, while
    /// its first list is not in, from the API server.
    async fn managed_secrets(&self) -> Result<Vec<Arc<Secret>>, AppError> {
        if self.reconciler.managed_ready().await {
            return Ok(self.reconciler.managed());
        }
        let api: Api<Secret> = Api::all(self.client.clone());
        let listed = api
            .list(&ListParams::default().labels(&ownership::managed_selector()))
            .await
            .map_err(|e| app_error(&e, "the registry list", &[]))?;
        Ok(listed.items.into_iter().map(Arc::new).collect())
    }

    pub(super) async fn registry_detail(
        &self,
        scope: &Scope,
        name: &str,
    ) -> Result<RegistryDetail, AppError> {
        let (secret, source_lost) = match self.registry_secret(scope, name).await {
            Ok((_, secret)) => (secret, false),
            Err(AppError::NotFound(message)) => match self.lost_copy(scope, name) {
                Some(copy) => ((*copy).clone(), true),
                None => return Err(AppError::NotFound(message)),
            },
            Err(e) => return Err(e),
        };
        let mut namespaces = self.namespace_states(scope, name);
        let attachment = self.fill_attachments(scope, name, &mut namespaces).await?;
        let covered: Vec<String> = namespaces.iter().map(|n| n.namespace.clone()).collect();
        let references = self.references(name, &covered).await?;
        let sync = summarize(namespaces.iter().map(|n| &n.state));
        let mut summary = summary(&secret, scope.clone(), name, sync);
        summary.source_lost = source_lost;
        Ok(RegistryDetail {
            summary,
            email: docker_config(&secret).and_then(|c| c.email()),
            attachment,
            namespaces,
            references,
        })
    }

    /// Per-namespace states: one synced namespace for a namespace registry;
    /// the reconciler's view (pending until its first pass) for a project one.
    fn namespace_states(&self, scope: &Scope, name: &str) -> Vec<NamespaceSync> {
        match scope {
            Scope::Namespace { namespace } => vec![NamespaceSync {
                namespace: namespace.clone(),
                state: SyncState::Synced,
                attachment: None,
            }],
            Scope::Project { project } => {
                let mut states: BTreeMap<String, SyncState> = self
                    .project_of_namespaces()
                    .into_iter()
                    .filter(|(ns, p)| p == project && *ns != self.system_namespace)
                    .map(|(ns, _)| (ns, SyncState::Pending))
                    .collect();
                if let Some(known) = self.reconciler.status_of(project, name) {
                    for (ns, state) in known {
                        if let Some(slot) = states.get_mut(&ns) {
                            *slot = state;
                        }
                    }
                }
                states
                    .into_iter()
                    .map(|(namespace, state)| NamespaceSync {
                        namespace,
                        state,
                        attachment: None,
                    })
                    .collect()
            }
        }
    }

    /// The per-state counts of a registry.
    pub(super) fn sync_summary(&self, scope: &Scope, name: &str) -> SyncSummary {
        summarize(self.namespace_states(scope, name).iter().map(|n| &n.state))
    }

    /// namespace → project, as regboard recorded it.
    fn project_of_namespaces(&self) -> BTreeMap<String, String> {
        self.inventory.membership().members()
    }

    /// Rows for project registries whose source is lost, read from one of
    /// the proven copies that remain.
    fn lost_rows(&self) -> Vec<RegistrySummary> {
        let lost = self.reconciler.lost();
        lost.keys()
            .filter_map(|(project, name)| {
                let scope = Scope::Project {
                    project: project.clone(),
                };
                let copy = self.lost_copy(&scope, name)?;
                let sync = self.sync_summary(&scope, name);
                let mut row = summary(&copy, scope, name, sync);
                row.source_lost = true;
                Some(row)
            })
            .collect()
    }

    /// A proven copy of project registry `name` whose source is lost.
    fn lost_copy(&self, scope: &Scope, name: &str) -> Option<Arc<Secret>> {
        let Scope::Project { project } = scope else {
            return None;
        };
        let lost = self.reconciler.lost();
        let namespaces = lost.get(&(project.clone(), name.to_owned()))?;
        self.reconciler.managed().into_iter().find(|s| {
            s.metadata.namespace.as_ref() == namespaces.first()
                && s.metadata.name.as_deref() == Some(name)
                && self.key.owns(s)
        })
    }

    /// The pods and ServiceAccounts naming the Secret, read per covered
    /// namespace (`workloads::references`), never across the cluster.
    async fn references(
        &self,
        secret: &str,
        namespaces: &[String],
    ) -> Result<Vec<SecretReference>, AppError> {
        crate::workloads::references::references(&self.client, &self.inventory, secret, namespaces)
            .await
    }
}

fn summarize<'a>(states: impl Iterator<Item = &'a SyncState>) -> SyncSummary {
    let mut summary = SyncSummary::default();
    for state in states {
        match state {
            SyncState::Synced => summary.synced += 1,
            SyncState::Pending => summary.pending += 1,
            SyncState::Conflict { .. } => summary.conflict += 1,
            SyncState::Error { .. } => summary.error += 1,
        }
    }
    summary
}

fn matches_filter(
    row: &RegistrySummary,
    filter: &RegistryFilter,
    project_of: &BTreeMap<String, String>,
) -> bool {
    let project_ok = filter
        .project
        .as_deref()
        .is_none_or(|want| match &row.scope {
            Scope::Project { project } => project == want,
            Scope::Namespace { namespace } => {
                project_of.get(namespace).map(String::as_str) == Some(want)
            }
        });
    let namespace_ok = filter
        .namespace
        .as_deref()
        .is_none_or(|want| match &row.scope {
            Scope::Namespace { namespace } => namespace == want,
            Scope::Project { project } => project_of.get(want) == Some(project),
        });
    let host_ok = filter
        .host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .is_none_or(|want| {
            let want = want.to_ascii_lowercase();
            row.hosts.iter().any(|h| {
                h.to_ascii_lowercase().contains(&want)
                    || normalize_host(h).contains(&normalize_host(&want))
            })
        });
    project_ok && namespace_ok && host_ok
}

fn sort_rows(rows: &mut [RegistrySummary], sort: Option<&str>) {
    match sort {
        Some("scope") => rows.sort_by(|a, b| (&a.scope, &a.name).cmp(&(&b.scope, &b.name))),
        Some("created") => rows.sort_by(|a, b| {
            b.created_unix
                .cmp(&a.created_unix)
                .then(a.name.cmp(&b.name))
        }),
        Some("status") => rows.sort_by(|a, b| {
            let problems = |r: &RegistrySummary| r.sync.conflict + r.sync.error + r.sync.pending;
            problems(b).cmp(&problems(a)).then(a.name.cmp(&b.name))
        }),
        _ => rows.sort_by(|a, b| (&a.name, &a.scope).cmp(&(&b.name, &b.scope))),
    }
}
