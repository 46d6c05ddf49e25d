//! Registry changes before and while they are written: the preview (a dry
//! run that writes nothing), the rotation of a credential, its progress
//! and its report. The password travels only from the browser to the
//! server, never back.

use serde::{Deserialize, Serialize};

use crate::domain::secret::Password;
use crate::model::registries::{RegistryInput, Scope};

/// A change to preview: what the registry server functions would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryChange {
    /// `create_registry` with this input.
    Create(RegistryInput),
    /// `update_registry` with this input.
    Update(RegistryInput),
    /// `delete_registry` of this registry.
    Delete {
        /// Its scope.
        scope: Scope,
        /// Its name.
        name: String,
    },
    /// `rotate_registry_credential` with this input.
    Rotate(RotationInput),
}

impl RegistryChange {
    /// The registry the change is about.
    pub fn registry(&self) -> (&Scope, &str) {
        match self {
            RegistryChange::Create(i) | RegistryChange::Update(i) => (&i.scope, &i.name),
            RegistryChange::Delete { scope, name } => (scope, name),
            RegistryChange::Rotate(r) => (&r.scope, &r.name),
        }
    }

    /// A one-word label: create, update, delete, rotate.
    pub fn label(&self) -> &'static str {
        match self {
            RegistryChange::Create(_) => "create",
            RegistryChange::Update(_) => "update",
            RegistryChange::Delete { .. } => "delete",
            RegistryChange::Rotate(_) => "rotate",
        }
    }
}

/// A new credential for a registry: one host, or every host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationInput {
    /// The registry's scope.
    pub scope: Scope,
    /// The registry's name.
    pub name: String,
    /// The host to rotate; `None` (or empty) rotates every host.
    #[serde(default)]
    pub host: Option<String>,
    /// The new username; `None` (or empty) keeps each host's current one.
    #[serde(default)]
    pub username: Option<String>,
    /// The new password or token.
    pub password: Password,
    /// When the new credential stops working, as typed (`YYYY-MM-DD`, or
    /// with a time, UTC unless an offset is given). Empty: an ECR host's
    /// token is valid for twelve hours from the rotation; any other host's
    /// earlier "valid until" is dropped (it described the old credential).
    #[serde(default)]
    pub valid_until: Option<String>,
    /// Test the new credential first (on unless the person chose "Rotate
    /// anyway"): a rejected credential stops the rotation with its verdict.
    #[serde(default = "yes")]
    pub test_credential: bool,
}

fn yes() -> bool {
    true
}

/// What happens to the registry's Secret in one namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SecretAction {
    /// The Secret is created.
    Create,
    /// The Secret is rewritten.
    Update,
    /// The Secret is deleted.
    Delete,
    /// The Secret stays as it is.
    Unchanged,
    /// A Secret regboard did not write holds the name: left untouched, and
    /// the registry does not reach this namespace.
    Collision {
        /// The foreign Secret's type, e.g. `kubernetes.io/tls`.
        secret_type: String,
        /// It carries regboard's labels without regboard's proof.
        forged: bool,
    },
}

impl SecretAction {
    /// A short label: create, update, delete, unchanged, collision.
    pub fn label(&self) -> &'static str {
        match self {
            SecretAction::Create => "create",
            SecretAction::Update => "update",
            SecretAction::Delete => "delete",
            SecretAction::Unchanged => "unchanged",
            SecretAction::Collision { .. } => "collision",
        }
    }

    /// Whether the Secret is written (created, rewritten or deleted).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            SecretAction::Create | SecretAction::Update | SecretAction::Delete
        )
    }
}

/// A ServiceAccount whose `imagePullSecrets` the change edits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountChange {
    /// The ServiceAccount's name.
    pub name: String,
    /// Whether the registry's Secret is added (else removed).
    pub adds: bool,
}

/// A pod that pulls with the registry's Secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PodUse {
    /// The pod's name.
    pub name: String,
    /// A waiting reason such as `ImagePullBackOff`, if any.
    pub problem: Option<String>,
}

/// What the change writes in one namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamespaceChange {
    /// The namespace.
    pub namespace: String,
    /// The Secret's name there.
    pub secret: String,
    /// What happens to the Secret.
    pub action: SecretAction,
    /// ServiceAccounts whose `imagePullSecrets` change.
    pub accounts: Vec<AccountChange>,
    /// Pods that pull with the Secret now (update, rotate, delete).
    pub pods: Vec<PodUse>,
}

/// What a change would write where; nothing is written to compute it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePreview {
    /// create, update, delete or rotate.
    pub change: String,
    /// The registry's scope.
    pub scope: Scope,
    /// The registry's name.
    pub name: String,
    /// For a project registry, the source Secret in the system namespace.
    pub source: Option<NamespaceChange>,
    /// Every namespace the change reaches, sorted.
    pub namespaces: Vec<NamespaceChange>,
    /// For a rotation: the hosts whose credential changes.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// For a rotation: the new credential's test, host by host (empty when
    /// the person chose to rotate without a test).
    #[serde(default)]
    pub tested: Vec<crate::model::credentials::CredentialCheck>,
    /// The write would be refused, and why, as the write itself answers:
    /// a name taken in the scope (`Conflict`), a namespace or project that
    /// does not exist (`Invalid`, field `scope`).
    #[serde(default)]
    pub refused: Option<crate::AppError>,
}

impl ChangePreview {
    /// Namespaces whose Secret is written.
    pub fn written(&self) -> usize {
        self.namespaces.iter().filter(|n| n.action.writes()).count()
    }

    /// Namespaces where a foreign Secret holds the name.
    pub fn collisions(&self) -> usize {
        let collision = |n: &&NamespaceChange| matches!(n.action, SecretAction::Collision { .. });
        self.namespaces.iter().filter(collision).count()
    }
}

/// How one namespace stands while a rotation fans out.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CopyProgress {
    /// The Secret carries the new credential.
    Updated,
    /// Not yet.
    Pending,
    /// The last attempt failed.
    Failed {
        /// What went wrong, as a sentence.
        message: String,
    },
    /// A foreign Secret holds the name: the registry does not reach it.
    Collision,
}

/// One namespace's progress.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamespaceProgress {
    /// The namespace.
    pub namespace: String,
    /// How it stands.
    pub state: CopyProgress,
}

/// A rotation's progress: N of M namespaces updated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RotationProgress {
    /// The resourceVersion of the registry's Secret (the source, for a
    /// project registry) the counts are against: it changes when a rotation
    /// writes it.
    pub revision: String,
    /// Namespaces whose Secret carries the registry's current credential.
    pub updated: u32,
    /// Namespaces the registry reaches (collisions excluded).
    pub total: u32,
    /// Each namespace, sorted.
    pub namespaces: Vec<NamespaceProgress>,
}

impl RotationProgress {
    /// Whether every namespace is updated or failed (nothing pending).
    pub fn settled(&self) -> bool {
        !self
            .namespaces
            .iter()
            .any(|n| n.state == CopyProgress::Pending)
    }

    /// The namespaces that failed, with their sentences.
    pub fn failed(&self) -> Vec<(String, String)> {
        self.namespaces
            .iter()
            .filter_map(|n| match &n.state {
                CopyProgress::Failed { message } => Some((n.namespace.clone(), message.clone())),
                _ => None,
            })
            .collect()
    }
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RotationReport {
    /// The hosts whose credential changed.
    pub hosts: Vec<String>,
    /// Where every namespace stood when the rotation answered.
    pub progress: RotationProgress,
    /// Pods in `ImagePullBackOff` / `ErrImagePull` that pull with the
    /// Secret: kubelet retries them with backoff and reads the Secret at
    /// each pull, so they pick up the new credential without a restart.
    pub retrying: Vec<(String, PodUse)>,
    /// The credential test's verdict sentences (empty when skipped).
    pub tested: Vec<String>,
}
