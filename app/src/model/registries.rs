//! Registries: the wire types of their server functions.
//!
//! A registry is a `kubernetes.io/dockerconfigjson` Secret regboard owns,
//! scoped to one namespace or to a project (a source Secret in the system
//! namespace, copied into every namespace of the project by the reconciler).
//! The password travels only from the browser to the server, never back.

use serde::{Deserialize, Serialize};

use crate::domain::secret::Password;

pub use crate::domain::attachment::Attachment;
pub use crate::domain::scope::Scope;

/// One host of a registry and its own credential, as the form sends it (a
/// docker config holds one entry per host).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostCredential {
    /// The registry server, as written into the Secret (e.g. `ghcr.io`).
    pub host: String,
    /// The username.
    pub username: String,
    /// The password or token; on edit, empty keeps this host's current one.
    pub password: Password,
    /// An optional email, as `kubectl create secret docker-registry` allows.
    #[serde(default)]
    pub email: Option<String>,
    /// When the credential stops working, as typed (`YYYY-MM-DD` or
    /// `YYYY-MM-DD HH:MM`, UTC); empty for none. An ECR host saved with a
    /// new token and no date gets save time + 12 hours.
    #[serde(default)]
    pub valid_until: Option<String>,
}

impl HostCredential {
    /// `host` with `username` and `password`, no email and no expiry.
    pub fn new(host: &str, username: &str, password: &str) -> Self {
        HostCredential {
            host: host.to_owned(),
            username: username.to_owned(),
            password: Password::new(password),
            email: None,
            valid_until: None,
        }
    }
}

/// What a person submits to create or edit a registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryInput {
    /// The scope (fixed after creation).
    pub scope: Scope,
    /// The Secret name (fixed after creation).
    pub name: String,
    /// The hosts, each with its credential. On edit, hosts left out are
    /// removed and the others' unknown fields are kept.
    pub credentials: Vec<HostCredential>,
    /// A free-text description.
    pub description: String,
    /// The ServiceAccounts the Secret is added to in every namespace it reaches.
    #[serde(default)]
    pub attachment: Attachment,
    /// Test the credential against each host before saving (on unless the
    /// person chose "Save anyway"): a rejected credential or an unexpected
    /// answer refuses the save with the verdict; an unreachable registry
    /// does not (the verdict is recorded and shown).
    #[serde(default = "yes")]
    pub test_credential: bool,
}

impl RegistryInput {
    /// A registry whose every host has the same credential (what
    /// `kubectl create secret docker-registry` makes), described by nothing
    /// and attached to `default`.
    pub fn same_login(
        scope: Scope,
        name: &str,
        hosts: &[&str],
        username: &str,
        password: &str,
    ) -> Self {
        RegistryInput {
            scope,
            name: name.to_owned(),
            credentials: hosts
                .iter()
                .map(|h| HostCredential::new(h, username, password))
                .collect(),
            description: String::new(),
            attachment: Attachment::default(),
            test_credential: true,
        }
    }

    /// The hosts, in the order given.
    pub fn hosts(&self) -> Vec<String> {
        self.credentials.iter().map(|c| c.host.clone()).collect()
    }
}

/// The non-secret facts of one host of a registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HostFacts {
    /// The docker config key.
    pub host: String,
    /// The username kubelet would use (decoded from `auth` when that is all).
    pub username: Option<String>,
    /// The email, if any.
    pub email: Option<String>,
    /// "Valid until", seconds since the Unix epoch.
    pub valid_until: Option<i64>,
    /// How that stands now, against the server's warning thresholds.
    pub expiry: Option<crate::domain::credential::expiry::Expiry>,
}

fn yes() -> bool {
    true
}

/// How one namespace stands for a project registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// The copy exists and matches the source.
    Synced,
    /// The copy is not there yet (or not updated yet).
    Pending,
    /// A Secret regboard does not own has the name; it is left untouched.
    Conflict {
        /// The foreign Secret's type, e.g. `kubernetes.io/tls`.
        secret_type: String,
        /// It carries regboard's labels but regboard did not write it
        /// (copied or renamed by hand, or labelled to look like regboard's).
        #[serde(default)]
        forged: bool,
    },
    /// The last attempt failed.
    Error {
        /// What went wrong, as a sentence.
        message: String,
    },
}

impl SyncState {
    /// A one-word label: synced, pending, conflict, error.
    pub fn label(&self) -> &'static str {
        match self {
            SyncState::Synced => "synced",
            SyncState::Pending => "pending",
            SyncState::Conflict { .. } => "conflict",
            SyncState::Error { .. } => "error",
        }
    }
}

/// Counts of namespaces per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SyncSummary {
    /// Namespaces with a matching copy.
    pub synced: u32,
    /// Namespaces waiting for a copy.
    pub pending: u32,
    /// Namespaces where a foreign Secret holds the name.
    pub conflict: u32,
    /// Namespaces where the last attempt failed.
    pub error: u32,
}

impl SyncSummary {
    /// Every namespace the registry should reach.
    pub fn total(&self) -> u32 {
        self.synced + self.pending + self.conflict + self.error
    }
}

/// One row of the registries list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegistrySummary {
    /// Its scope.
    pub scope: Scope,
    /// Its name (the Secret name in every namespace it reaches).
    pub name: String,
    /// The registry servers it holds credentials for.
    pub hosts: Vec<String>,
    /// The username, when every host has the same one.
    pub username: Option<String>,
    /// The description.
    pub description: String,
    /// Per-state namespace counts.
    pub sync: SyncSummary,
    /// Creation time, seconds since the Unix epoch.
    pub created_unix: Option<i64>,
    /// A project registry whose source Secret is missing while copies of it
    /// remain (nothing deleted it through regboard): nothing is deleted, and
    /// an admin can restore the source from a copy.
    #[serde(default)]
    pub source_lost: bool,
    /// The last credential test of each host (none before the first).
    #[serde(default)]
    pub credential_checks: Vec<crate::model::credentials::CredentialCheck>,
    /// Each host's username, email and expiry.
    #[serde(default)]
    pub host_details: Vec<HostFacts>,
}

impl RegistrySummary {
    /// The most urgent expiry among its hosts (expired first, then the
    /// soonest), if any host has a "valid until".
    pub fn worst_expiry(&self) -> Option<crate::domain::credential::expiry::Expiry> {
        use crate::domain::credential::expiry::Expiry;
        self.host_details
            .iter()
            .filter_map(|h| h.expiry)
            .min_by_key(Expiry::urgency)
    }
}

/// How the attachment to ServiceAccounts stands in one namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AttachState {
    /// Every matching ServiceAccount lists the Secret.
    Attached,
    /// Not yet: the Secret is not in the namespace yet, or the next pass adds it.
    Pending,
    /// ServiceAccounts the setting names do not exist in the namespace.
    AccountMissing {
        /// Their names.
        accounts: Vec<String>,
    },
    /// The last attempt to change a ServiceAccount failed.
    Error {
        /// What went wrong, as a sentence.
        message: String,
    },
}

impl AttachState {
    /// A short label: attached, pending, ServiceAccount missing, error.
    pub fn label(&self) -> &'static str {
        match self {
            AttachState::Attached => "attached",
            AttachState::Pending => "pending",
            AttachState::AccountMissing { .. } => "ServiceAccount missing",
            AttachState::Error { .. } => "error",
        }
    }
}

/// A pod that does not pull with the registry's Secret although its
/// ServiceAccount now lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StalePod {
    /// The pod's name.
    pub name: String,
    /// Its ServiceAccount.
    pub account: String,
    /// The pod names pull Secrets of its own, so a restart does not help:
    /// its template must list the Secret.
    pub own_list: bool,
}

/// The attachment in one namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamespaceAttachment {
    /// How it stands.
    pub state: AttachState,
    /// ServiceAccounts that list the Secret now.
    pub accounts: Vec<String>,
    /// Pods created before the attachment (Kubernetes copies a
    /// ServiceAccount's pull Secrets into a pod only when it is created).
    pub stale_pods: Vec<StalePod>,
}

/// One namespace's status for a registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamespaceSync {
    /// The namespace.
    pub namespace: String,
    /// Its state.
    pub state: SyncState,
    /// The ServiceAccount attachment there; `None` when the registry attaches to none.
    #[serde(default)]
    pub attachment: Option<NamespaceAttachment>,
}

/// A workload object that pulls with the registry's Secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SecretReference {
    /// "Pod" or "ServiceAccount".
    pub kind: String,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// For pods: a waiting reason such as `ImagePullBackOff`, if any.
    pub problem: Option<String>,
}

/// Everything the detail page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryDetail {
    /// The list row.
    pub summary: RegistrySummary,
    /// The email, if set.
    pub email: Option<String>,
    /// The ServiceAccounts it is attached to.
    #[serde(default)]
    pub attachment: Attachment,
    /// Per-namespace status, sorted by namespace.
    pub namespaces: Vec<NamespaceSync>,
    /// Pods and ServiceAccounts that reference the Secret.
    pub references: Vec<SecretReference>,
}

/// Filters and order of the registries list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryFilter {
    /// Only registries of this project (project-scoped, or namespace-scoped
    /// in one of its namespaces).
    pub project: Option<String>,
    /// Only registries that reach this namespace.
    pub namespace: Option<String>,
    /// Only registries holding a host that contains this text.
    pub host: Option<String>,
    /// Sort key: "name" (default), "scope", "created", "status".
    pub sort: Option<String>,
}

/// A Secret that carries regboard's labels without regboard's proof: copied
/// or labelled by hand, or written before proofs existed and not matching
/// regboard's records. regboard leaves it alone; an admin may adopt it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnprovenSecret {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// What its labels claim it is, e.g. "copy of project registry payments/ghcr".
    pub claims: String,
}

/// A host whose credential has expired or expires soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringHost {
    /// The registry's scope.
    pub scope: Scope,
    /// The registry's name.
    pub name: String,
    /// The host.
    pub host: String,
    /// How it stands.
    pub expiry: crate::domain::credential::expiry::Expiry,
}

/// Every host of `rows` that has expired or expires soon, expired first,
/// then by time left.
pub fn expiring(rows: &[RegistrySummary]) -> Vec<ExpiringHost> {
    use crate::domain::credential::expiry::Expiry;
    let mut out: Vec<ExpiringHost> = rows
        .iter()
        .flat_map(|r| {
            r.host_details.iter().filter_map(|h| match h.expiry? {
                e @ (Expiry::Soon { .. } | Expiry::Expired { .. }) => Some(ExpiringHost {
                    scope: r.scope.clone(),
                    name: r.name.clone(),
                    host: h.host.clone(),
                    expiry: e,
                }),
                Expiry::Valid { .. } => None,
            })
        })
        .collect();
    out.sort_by_key(|h| h.expiry.urgency());
    out
}
