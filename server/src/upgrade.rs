//! One-time steps at the first start of this version over an older one's
//! cluster and database (each recorded in `upgrade_steps`, so it runs once):
//!
//! 1. `membership-v1`: older versions took the namespace label as project
//!    membership, so the namespaces labelled at that first start are
//!    recorded as members. Labels set afterwards are requests to join.
//! 2. `proof-v1`: older versions marked their Secrets with labels only. A
//!    labelled Secret gets its proof when regboard's own records and the
//!    sources say regboard wrote it: a namespace registry or a source whose
//!    creation the audit log recorded, or a copy in a member namespace,
//!    named as its registry, carrying the current (proven) source's uid.
//!    Anything else stays foreign and is listed for an admin to adopt.

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams, PostParams};
use serde_json::json;
use sqlx::SqlitePool;

use crate::audit::{Actor, AuditLog, AuditTarget, NewEvent, Origin, Outcome};
use crate::cluster::ownership::{annotation, managed_selector, SOURCE_UID};
use crate::cluster::proof::{Claim, OwnershipKey};
use crate::cluster::{Inventory, PROJECT_LABEL};
use crate::error::{Error, Result};

/// What the upgrade needs.
pub struct Upgrade {
    /// The cluster.
    pub client: kube::Client,
    /// The database (for the audit log's records of creations).
    pub db: SqlitePool,
    /// Namespaces and recorded membership.
    pub inventory: Inventory,
    /// The proof key.
    pub key: OwnershipKey,
    /// Where the outcome is recorded.
    pub audit: AuditLog,
    /// The system namespace.
    pub system_namespace: String,
}

/// What the proof step did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ProofReport {
    /// `namespace/name` of the Secrets that got their proof.
    pub proven: Vec<String>,
    /// `namespace/name` of labelled Secrets left foreign (for admins to adopt).
    pub foreign: Vec<String>,
}

impl Upgrade {
    /// Runs the steps not yet done, once the namespace list has arrived.
    pub async fn run(&self) -> Result<()> {
        let membership = self.inventory.membership();
        if !membership.step_done("membership-v1").await? {
            self.import_membership().await?;
            membership.mark_step("membership-v1").await?;
        }
        if !membership.step_done("proof-v1").await? {
            let report = self.prove_legacy().await?;
            self.record(&report).await;
            membership.mark_step("proof-v1").await?;
        }
        Ok(())
    }

    async fn import_membership(&self) -> Result<()> {
        for ns in self.inventory.namespaces() {
            let (Some(name), Some(project)) = (
                ns.metadata.name.as_deref(),
                ns.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(PROJECT_LABEL)),
            ) else {
                continue;
            };
            if name != self.system_namespace {
                self.inventory
                    .membership()
                    .join(name, project, "system:upgrade")
                    .await?;
            }
        }
        Ok(())
    }

    /// Gives legacy Secrets their proof where regboard's records vouch for them.
    pub async fn prove_legacy(&self) -> Result<ProofReport> {
        let api: Api<Secret> = Api::all(self.client.clone());
        let managed = api
            .list(&ListParams::default().labels(&managed_selector()))
            .await
            .map_err(|e| Error::Cluster(crate::cluster::describe_kube_error(&e)))?
            .items;
        let mut report = ProofReport::default();
        // Sources first: a copy is vouched for by its (now proven) source.
        let mut order: Vec<&Secret> = managed.iter().collect();
        order.sort_by_key(|s| !matches!(Claim::of(s), Some(Claim::Source { .. })));
        let mut sources: Vec<Secret> = managed
            .iter()
            .filter(|s| matches!(self.key.verify(s), Some(Claim::Source { .. })))
            .cloned()
            .collect();
        for secret in order {
            if self.key.owns(secret) {
                continue;
            }
            let at = format!(
                "{}/{}",
                secret.metadata.namespace.as_deref().unwrap_or_default(),
                secret.metadata.name.as_deref().unwrap_or_default()
            );
            if self.vouched(secret, &sources).await? {
                let mut proven = secret.clone();
                self.key.seal(&mut proven);
                let api: Api<Secret> = Api::namespaced(
                    self.client.clone(),
                    secret.metadata.namespace.as_deref().unwrap_or_default(),
                );
                let name = secret.metadata.name.as_deref().unwrap_or_default();
                let written = api
                    .replace(name, &PostParams::default(), &proven)
                    .await
                    .map_err(|e| Error::Cluster(crate::cluster::describe_kube_error(&e)))?;
                if matches!(Claim::of(&written), Some(Claim::Source { .. })) {
                    sources.push(written);
                }
                report.proven.push(at);
            } else {
                report.foreign.push(at);
            }
        }
        Ok(report)
    }

    /// Whether regboard's records say it wrote `secret`.
    async fn vouched(&self, secret: &Secret, sources: &[Secret]) -> Result<bool> {
        Ok(match Claim::of(secret) {
            Some(Claim::Namespace { namespace, name }) => {
                self.created(None, Some(&namespace), &name).await?
            }
            Some(Claim::Source {
                namespace,
                project,
                registry,
            }) => {
                namespace == self.system_namespace
                    && self.created(Some(&project), None, &registry).await?
            }
            Some(Claim::Copy {
                namespace,
                project,
                registry,
                source_uid,
            }) => {
                self.inventory.project_of(&namespace).as_deref() == Some(project.as_str())
                    && sources.iter().any(|s| {
                        matches!(self.key.verify(s), Some(Claim::Source { project: p, registry: r, .. }) if p == project && r == registry)
                            && s.metadata.uid.as_deref() == Some(source_uid.as_str())
                            && annotation(secret, SOURCE_UID) == Some(source_uid.as_str())
                    })
            }
            None => false,
        })
    }

    /// Whether the audit log recorded the successful creation of registry
    /// `name` in project `project` or namespace `namespace`.
    async fn created(
        &self,
        project: Option<&str>,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM audit_events WHERE action = 'registry.create' AND outcome = 'success' \
             AND target_kind = 'registry' AND target_name = ? \
             AND target_project IS ? AND target_namespace IS ? LIMIT 1",
        )
        .bind(name)
        .bind(project)
        .bind(namespace)
        .fetch_optional(&self.db)
        .await?;
        Ok(found.is_some())
    }

    async fn record(&self, report: &ProofReport) {
        if !report.foreign.is_empty() {
            tracing::warn!(foreign = ?report.foreign, "Secrets with regboard's labels but no record of regboard writing them stay foreign; an admin may adopt them");
        }
        let event = NewEvent {
            actor: Actor::System("system:upgrade".into()),
            origin: Origin::default(),
            action: "registry.upgrade.proof".into(),
            target: AuditTarget {
                kind: "registry".into(),
                ..AuditTarget::default()
            },
            outcome: Outcome::Success,
            status_code: None,
            details: json!({ "proven": report.proven, "left_foreign": report.foreign }),
        };
        if let Err(e) = self.audit.append(event).await {
            tracing::error!(error = %e, "could not record the upgrade");
        }
    }
}
