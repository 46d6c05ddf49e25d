//! The one fix for pods of a namespace that have no credential for an
//! image's host, worded as the person applies it:
//!
//! 1. a pull Secret of the namespace serves the host but the pods do not name it:
//!    - their ServiceAccount lists it already → restart the pods (Kubernetes
//!      copies a ServiceAccount's pull Secrets into a pod only when the pod is
//!      created);
//!    - it is a regboard registry → "attach registry X to ServiceAccount S in
//!      namespace Y";
//!    - it is someone else's Secret → add it to the ServiceAccount by hand;
//! 2. the pods name a pull Secret without an entry for the host → "registry X
//!    has no entry for host H";
//! 3. otherwise → "create a registry for host H".

use serde::{Deserialize, Serialize};

use super::{NamespaceFacts, PodFacts, RegistryRef, SecretFacts};
use crate::domain::attachment::Attachment;
use crate::domain::hosts::normalize_host;
use crate::domain::image_ref::ImageRef;

/// What regboard can do about it, with the caller's rights.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FixAction {
    /// Open the new-registry form with these values.
    CreateRegistry {
        /// The registry host.
        host: String,
        /// The namespace the pods run in.
        namespace: String,
        /// Its project, for a project registry.
        project: Option<String>,
        /// The Secret name the pods already name, if any.
        name: Option<String>,
    },
    /// Attach the registry to a ServiceAccount.
    Attach {
        /// The registry.
        registry: RegistryRef,
        /// The ServiceAccount.
        account: String,
    },
    /// Open the registry's edit form (to add a host).
    EditRegistry {
        /// The registry.
        registry: RegistryRef,
        /// The host to add.
        host: String,
    },
}

/// One fix: the sentence, and what regboard can do about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fix {
    /// The fix as a sentence.
    pub sentence: String,
    /// The button or link that applies it, if regboard can.
    pub action: Option<FixAction>,
    /// Whether the caller may apply it (set by the server for the caller).
    #[serde(default)]
    pub allowed: bool,
}

impl Fix {
    /// A fix regboard cannot apply.
    pub fn says(sentence: impl Into<String>) -> Fix {
        Fix {
            sentence: sentence.into(),
            action: None,
            allowed: false,
        }
    }

    fn does(sentence: String, action: FixAction) -> Fix {
        Fix {
            sentence,
            action: Some(action),
            allowed: false,
        }
    }
}

/// "create a registry for host H", opening the form for `ns` (and its project).
pub fn create_registry(host: &str, ns: &NamespaceFacts, name: Option<&str>) -> Fix {
    Fix::does(
        format!("create a registry for host {host}"),
        FixAction::CreateRegistry {
            host: host.to_owned(),
            namespace: ns.namespace.clone(),
            project: ns.project.clone(),
            name: name.map(str::to_owned),
        },
    )
}

/// "registry X has no entry for host H" (or "Secret X …" for one regboard
/// did not write).
pub fn missing_entry(secret: &SecretFacts, host: &str) -> Fix {
    let sentence = format!("{} has no entry for host {host}", secret.describe());
    match &secret.registry {
        Some(registry) => Fix::does(
            sentence,
            FixAction::EditRegistry {
                registry: registry.clone(),
                host: host.to_owned(),
            },
        ),
        None => Fix::says(sentence),
    }
}

/// The fix for `pods` of `ns` that have no credential for `image`.
pub fn host_fix(ns: &NamespaceFacts, image: &ImageRef, pods: &[&PodFacts]) -> Fix {
    let host = normalize_host(image.registry());
    let account = pods
        .first()
        .map_or("default", |p| p.service_account.as_str());
    let serving: Vec<&SecretFacts> = ns
        .secrets
        .iter()
        .filter(|s| s.server_for(image).is_some())
        .collect();
    // A regboard registry first: regboard can attach it.
    let candidate = serving
        .iter()
        .find(|s| s.registry.is_some())
        .or(serving.first());
    if let Some(secret) = candidate {
        return use_existing(ns, secret, account, pods);
    }
    let named = pods
        .iter()
        .flat_map(|p| &p.pull_secrets)
        .filter_map(|n| ns.secret(n))
        .find(|s| s.is_pull_type() && s.servers.is_some());
    if let Some(secret) = named {
        return missing_entry(secret, &host);
    }
    let missing_name = pods
        .iter()
        .flat_map(|p| &p.pull_secrets)
        .find(|n| ns.secret(n).is_none());
    create_registry(&host, ns, missing_name.map(String::as_str))
}

/// Pods that should pull with `secret`, which their namespace holds.
fn use_existing(
    ns: &NamespaceFacts,
    secret: &SecretFacts,
    account: &str,
    pods: &[&PodFacts],
) -> Fix {
    let listed = ns
        .account(account)
        .is_some_and(|a| a.pull_secrets.contains(&secret.name));
    if listed {
        let names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
        let (noun, were) = if names.len() == 1 {
            ("pod", "it was")
        } else {
            ("pods", "they were")
        };
        return Fix::says(format!(
            "restart {noun} {}: ServiceAccount {account} lists Secret {}, but {were} created before it did",
            names.join(", "),
            secret.name
        ));
    }
    let place = format!("ServiceAccount {account} in namespace {}", ns.namespace);
    match &secret.registry {
        Some(registry) => Fix::does(
            format!("attach registry {} to {place}", registry.name),
            FixAction::Attach {
                registry: registry.clone(),
                account: account.to_owned(),
            },
        ),
        None => Fix::says(format!(
            "add Secret {} to imagePullSecrets of {place}",
            secret.name
        )),
    }
}

/// The attachment setting `current` widened to ServiceAccount `account`
/// (what the "attach" fix sets): `none` becomes `default` or that account,
/// `default` becomes the two named, a named list gains it, `all` stays.
pub fn attachment_adding(current: &Attachment, account: &str) -> Attachment {
    let named = |accounts: Vec<String>| Attachment::Named { accounts };
    match current {
        Attachment::All => Attachment::All,
        Attachment::None if account == "default" => Attachment::Default,
        Attachment::None => named(vec![account.to_owned()]),
        Attachment::Default if account == "default" => Attachment::Default,
        Attachment::Default => named(vec!["default".to_owned(), account.to_owned()]),
        Attachment::Named { accounts } if accounts.iter().any(|a| a == account) => current.clone(),
        Attachment::Named { accounts } => {
            let mut accounts = accounts.clone();
            accounts.push(account.to_owned());
            named(accounts)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attaching_widens_the_setting_and_never_narrows_it() {
        let named = |a: &[&str]| Attachment::Named {
            accounts: a.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            attachment_adding(&Attachment::None, "default"),
            Attachment::Default
        );
        assert_eq!(attachment_adding(&Attachment::None, "ci"), named(&["ci"]));
        assert_eq!(
            attachment_adding(&Attachment::Default, "default"),
            Attachment::Default
        );
        assert_eq!(
            attachment_adding(&Attachment::Default, "ci"),
            named(&["default", "ci"])
        );
        assert_eq!(attachment_adding(&named(&["ci"]), "ci"), named(&["ci"]));
        assert_eq!(
            attachment_adding(&named(&["ci"]), "web"),
            named(&["ci", "web"])
        );
        assert_eq!(attachment_adding(&Attachment::All, "web"), Attachment::All);
    }
}
