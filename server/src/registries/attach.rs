//! A registry's ServiceAccount attachment: the setting (recorded in SQLite
//! by `crate::attach::Attachments`; the reconciler's next pass writes the
//! accounts) and how it stands in each namespace the registry reaches.

use std::collections::BTreeMap;

use futures::{stream, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use kube::api::{Api, ListParams};
use regboard_app::model::registries::{Attachment, NamespaceSync, Scope, SyncState};
use regboard_app::AppError;
use serde_json::{json, Value};

use super::service::KubeRegistries;
use crate::attach::status::{namespace_attachment, InNamespace};
use crate::cluster::errors::app_error;

/// Namespaces whose pods are read at once for a detail page.
const POD_READS: usize = 8;

/// The setting of a form, checked, or the field error.
pub fn checked(attachment: Attachment) -> Result<Attachment, AppError> {
    attachment.checked().map_err(|message| AppError::Invalid {
        field: Some("attachment".into()),
        message,
    })
}

impl KubeRegistries {
    /// The recorded setting of a registry.
    pub(super) fn attachment_of(&self, scope: &Scope, name: &str) -> Attachment {
        self.reconciler.attacher().attachments().get(scope, name)
    }

    /// Records the setting and asks for a pass, which attaches and detaches.
    pub(super) async fn save_attachment(
        &self,
        scope: &Scope,
        name: &str,
        attachment: &Attachment,
    ) -> Result<(), AppError> {
        self.reconciler
            .attacher()
            .attachments()
            .set(scope, name, attachment)
            .await
            .map_err(crate::error::internal)?;
        self.reconciler.trigger();
        Ok(())
    }

    /// Forgets the setting of a deleted registry; the next pass detaches it
    /// wherever its Secrets are gone.
    pub(super) async fn forget_attachment(
        &self,
        scope: &Scope,
        name: &str,
    ) -> Result<(), AppError> {
        self.reconciler
            .attacher()
            .attachments()
            .forget(scope, name)
            .await
            .map_err(crate::error::internal)?;
        self.reconciler.trigger();
        Ok(())
    }

    /// Changes the setting of an existing registry; the audit details say
    /// what it was and what it is.
    pub(super) async fn set_registry_attachment(
        &self,
        scope: &Scope,
        name: &str,
        attachment: Attachment,
    ) -> Result<Value, AppError> {
        let attachment = checked(attachment)?;
        self.registry_secret(scope, name).await?;
        let before = self.attachment_of(scope, name);
        self.save_attachment(scope, name, &attachment).await?;
        Ok(json!({"before": before, "after": attachment}))
    }

    /// Fills in the attachment of each namespace in `rows` (nothing when
    /// the registry attaches to no ServiceAccount); reads the pods of those
    /// namespaces, a few at a time, to find the ones that need a restart.
    pub(super) async fn fill_attachments(
        &self,
        scope: &Scope,
        name: &str,
        rows: &mut [NamespaceSync],
    ) -> Result<Attachment, AppError> {
        let setting = self.attachment_of(scope, name);
        if setting.is_none() || rows.is_empty() {
            return Ok(setting);
        }
        let namespaces: Vec<String> = rows.iter().map(|r| r.namespace.clone()).collect();
        let pods = self.pods_in(&namespaces).await?;
        let all_accounts = self.inventory.service_accounts();
        let mut accounts: BTreeMap<&str, Vec<&ServiceAccount>> = BTreeMap::new();
        for a in &all_accounts {
            if let Some(ns) = a.metadata.namespace.as_deref() {
                accounts.entry(ns).or_default().push(a);
            }
        }
        let attachments = self.reconciler.attacher().attachments();
        for row in rows.iter_mut() {
            let here = InNamespace {
                namespace: &row.namespace,
                present: matches!(row.state, SyncState::Synced),
                accounts: accounts
                    .get(row.namespace.as_str())
                    .map_or(&[], Vec::as_slice),
                pods: pods.get(&row.namespace).map_or(&[], Vec::as_slice),
            };
            row.attachment = Some(namespace_attachment(attachments, &setting, name, &here));
        }
        Ok(setting)
    }

    /// The pods of each of `namespaces`, one list per namespace.
    async fn pods_in(&self, namespaces: &[String]) -> Result<BTreeMap<String, Vec<Pod>>, AppError> {
        stream::iter(namespaces.iter().cloned())
            .map(|ns| async move {
                let api: Api<Pod> = Api::namespaced(self.client.clone(), &ns);
                let what = format!("the pods of namespace {ns}");
                match api.list(&ListParams::default()).await {
                    Ok(list) => Ok((ns, list.items)),
                    Err(e) => Err(app_error(&e, &what, &[])),
                }
            })
            .buffer_unordered(POD_READS)
            .try_collect()
            .await
    }
}
