//! From pods to credentials, without IO: which registry host each image of
//! a pod pulls from, which of the pod's pull Secrets serves that host,
//! whether every host a namespace's pods use is covered, and the five checks
//! of a failed pull.
//!
//! ```text
//! NamespaceFacts (pods, Secrets as type + auths keys, ServiceAccounts)
//!   ├─ rows::pod_row       image → ImageRef → host → serving Secret, pull state
//!   ├─ filter              host / state / search, sort
//!   ├─ coverage::coverage  host → covered | public | pulls without | not covered + Fix
//!   └─ diagnosis::diagnose the five checks, each pass / fail / unknown + Fix
//! ```
//!
//! The server reads the facts (a Secret's `auths` keys, never its
//! credentials); everything here decides.

pub mod coverage;
pub mod diagnosis;
pub mod filter;
pub mod fix;
pub mod owner;
pub mod rows;
pub mod state;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::image_ref::ImageRef;
use crate::domain::scope::Scope;

pub use owner::Owner;
pub use state::PullState;

/// The Secret type `kubectl create secret docker-registry` writes.
pub const DOCKER_CONFIG_JSON: &str = "kubernetes.io/dockerconfigjson";
/// The legacy pull-Secret type, still read by kubelet.
pub const DOCKER_CFG: &str = "kubernetes.io/dockercfg";

/// One container or init container of a pod, as its spec and status say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerFacts {
    /// The container's name.
    pub name: String,
    /// The image as written in the spec.
    pub image: String,
    /// Whether it is an init container.
    pub init: bool,
    /// Where its image pull stands.
    pub state: PullState,
    /// The status message (the runtime's pull error), if any.
    pub message: Option<String>,
}

/// One pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodFacts {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The workload that owns it (or the pod itself).
    pub owner: Owner,
    /// `spec.serviceAccountName` (`default` when unset).
    pub service_account: String,
    /// `spec.imagePullSecrets`, in order.
    pub pull_secrets: Vec<String>,
    /// Init containers first, then containers.
    pub containers: Vec<ContainerFacts>,
    /// Creation time, seconds since the Unix epoch.
    pub created_unix: Option<i64>,
}

/// A registry regboard wrote, as a Secret of a namespace shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RegistryRef {
    /// The registry's scope.
    pub scope: Scope,
    /// Its name (the Secret's name in every namespace it reaches).
    pub name: String,
}

/// One Secret of a namespace: its type and, for pull Secrets, the servers
/// (`auths` keys) it holds logins for. Never a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretFacts {
    /// Its name.
    pub name: String,
    /// Its type (`Opaque` when unset).
    pub secret_type: String,
    /// The `auths` keys; `None` when it is not a pull Secret or its
    /// document cannot be read.
    pub servers: Option<Vec<String>>,
    /// The regboard registry it is, when regboard's proof holds.
    pub registry: Option<RegistryRef>,
    /// For a regboard registry: each `auths` key's "valid until", seconds
    /// since the Unix epoch.
    pub valid_until: BTreeMap<String, i64>,
}

impl SecretFacts {
    /// Whether kubelet reads it as pull credentials (by its type).
    pub fn is_pull_type(&self) -> bool {
        is_pull_type(&self.secret_type)
    }

    /// The `auths` key that serves `image`, if this is a readable pull
    /// Secret with one.
    pub fn server_for(&self, image: &ImageRef) -> Option<&str> {
        if !self.is_pull_type() {
            return None;
        }
        self.servers
            .as_ref()?
            .iter()
            .find(|s| image.served_by(s))
            .map(String::as_str)
    }

    /// "registry X" for one regboard wrote, "Secret X" otherwise.
    pub fn describe(&self) -> String {
        match &self.registry {
            Some(r) => format!("registry {}", r.name),
            None => format!("Secret {}", self.name),
        }
    }
}

/// Whether `secret_type` is one kubelet reads pull credentials from.
pub fn is_pull_type(secret_type: &str) -> bool {
    secret_type == DOCKER_CONFIG_JSON || secret_type == DOCKER_CFG
}

/// One ServiceAccount: the pull Secrets it hands to pods created with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountFacts {
    /// Its name.
    pub name: String,
    /// Its `imagePullSecrets`, in order.
    pub pull_secrets: Vec<String>,
}

/// Everything about one namespace that the analysis reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceFacts {
    /// The namespace.
    pub namespace: String,
    /// The project regboard recorded it in.
    pub project: Option<String>,
    /// Its pods.
    pub pods: Vec<PodFacts>,
    /// Its Secrets (type and servers only).
    pub secrets: Vec<SecretFacts>,
    /// Its ServiceAccounts.
    pub accounts: Vec<AccountFacts>,
}

impl NamespaceFacts {
    /// The Secret `name` of this namespace.
    pub fn secret(&self, name: &str) -> Option<&SecretFacts> {
        self.secrets.iter().find(|s| s.name == name)
    }

    /// The ServiceAccount `name` of this namespace.
    pub fn account(&self, name: &str) -> Option<&AccountFacts> {
        self.accounts.iter().find(|a| a.name == name)
    }
}

/// The base URL of a registry's API for `host` (an image's registry):
/// Docker Hub's API is served at `registry-1.docker.io`.
pub fn registry_api_base(host: &str) -> String {
    match host {
        "docker.io" | "index.docker.io" => "https://registry-1.docker.io".to_owned(),
        other => format!("https://{other}"),
    }
}

/// "app:v1 means docker.io/library/app:v1 (Docker Hub)" when the image was
/// written without its registry; the normalised form otherwise.
pub fn explain_reference(written: &str, image: &ImageRef) -> String {
    let full = image.to_string();
    if written == full {
        return format!("{written} names host {}", image.registry());
    }
    let hub = if image.registry() == crate::domain::image_ref::DEFAULT_REGISTRY {
        " (Docker Hub)"
    } else {
        ""
    };
    format!("{written} means {full}{hub}")
}
