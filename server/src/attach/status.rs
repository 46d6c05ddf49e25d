//! How a registry's attachment stands in one namespace, derived when a page
//! asks from the ServiceAccounts the watch shows, the last failures, and the
//! namespace's pods: attached, pending, ServiceAccount missing, or error, and
//! which pods were created before the attachment (Kubernetes copies an
//! account's pull Secrets into a pod only when the pod is created).

use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use regboard_app::model::registries::{AttachState, Attachment, NamespaceAttachment, StalePod};

use super::plan::listed;
use super::settings::Attachments;

/// What one namespace holds that the attachment status is made from.
pub struct InNamespace<'a> {
    /// The namespace.
    pub namespace: &'a str,
    /// Whether regboard's Secret of the registry is there.
    pub present: bool,
    /// The namespace's ServiceAccounts.
    pub accounts: &'a [&'a ServiceAccount],
    /// The namespace's pods.
    pub pods: &'a [Pod],
}

fn name(account: &ServiceAccount) -> &str {
    account.metadata.name.as_deref().unwrap_or_default()
}

/// The attachment of registry `registry` (setting `setting`) in `ns`.
pub fn namespace_attachment(
    attachments: &Attachments,
    setting: &Attachment,
    registry: &str,
    ns: &InNamespace<'_>,
) -> NamespaceAttachment {
    let matching: Vec<&ServiceAccount> = ns
        .accounts
        .iter()
        .copied()
        .filter(|a| setting.matches(name(a)))
        .collect();
    let listing: Vec<&ServiceAccount> = matching
        .iter()
        .copied()
        .filter(|a| listed(a).iter().any(|n| n == registry))
        .collect();
    let missing: Vec<String> = setting
        .required()
        .into_iter()
        .filter(|r| !ns.accounts.iter().any(|a| name(a) == *r))
        .map(str::to_owned)
        .collect();
    let failure = matching.iter().find_map(|a| {
        attachments.failure(&(ns.namespace.to_owned(), name(a).to_owned()), registry)
    });
    let state = if let Some(message) = failure {
        AttachState::Error { message }
    } else if !missing.is_empty() {
        AttachState::AccountMissing { accounts: missing }
    } else if !ns.present || listing.len() < matching.len() {
        AttachState::Pending
    } else {
        AttachState::Attached
    };
    NamespaceAttachment {
        state,
        accounts: listing.iter().map(|a| name(a).to_owned()).collect(),
        stale_pods: stale_pods(registry, &listing, ns.pods),
    }
}

/// Running or waiting pods of an account that lists `registry` while the
/// pod does not.
fn stale_pods(registry: &str, listing: &[&ServiceAccount], pods: &[Pod]) -> Vec<StalePod> {
    let mut stale: Vec<StalePod> = pods
        .iter()
        .filter_map(|pod| {
            let spec = pod.spec.as_ref()?;
            let account_name = spec.service_account_name.as_deref().unwrap_or("default");
            let account = listing.iter().find(|a| name(a) == account_name)?;
            let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
            if matches!(phase, Some("Succeeded" | "Failed")) {
                return None;
            }
            let own: Vec<&str> = spec
                .image_pull_secrets
                .iter()
                .flatten()
                .map(|r| r.name.as_str())
                .collect();
            if own.contains(&registry) {
                return None;
            }
            let inherited = listed(account);
            Some(StalePod {
                name: pod.metadata.name.clone()?,
                account: account_name.to_owned(),
                own_list: own.iter().any(|n| !inherited.iter().any(|i| i == n)),
            })
        })
        .collect();
    stale.sort_by(|a, b| a.name.cmp(&b.name));
    stale
}
