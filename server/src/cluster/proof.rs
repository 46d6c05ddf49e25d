//! Proof of ownership (DESIGN rule 1): every Secret regboard writes carries
//! the annotation `regboard.dev/proof`, an HMAC-SHA256 under a key only
//! regboard holds, over what the Secret is: a namespace registry bound to
//! its namespace and name, a project source bound to the system namespace,
//! project and name, a copy bound to its namespace, name, project and the
//! uid of the source it was made from. Labels and annotations can be copied
//! by anyone; the proof cannot be made without the key, and a copy moved to
//! another namespace or renamed no longer matches its own.
//!
//! ```text
//! key file beside the database ◄──► Secret regboard-ownership-key in the system namespace
//!   (lost database: read back from the Secret; lost Secret: written again from the file;
//!    a second replica: reads the Secret; both lost: proof is lost, admins adopt)
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hmac::{Hmac, Mac};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::ByteString;
use kube::api::{Api, PostParams};
use sha2::Sha256;

use super::ownership::{annotation, label, PROJECT_LABEL, REGISTRY_LABEL, SCOPE_LABEL, SOURCE_UID};
use super::ownership::{DOCKER_CONFIG_JSON, SCOPE_NAMESPACE, SCOPE_PROJECT};
use crate::error::Result;

/// The annotation that carries the proof.
pub const PROOF: &str = "regboard.dev/proof";
/// The Secret that mirrors the key in the system namespace.
pub const KEY_SECRET: &str = "regboard-ownership-key";
/// The data key of [`KEY_SECRET`].
const KEY_DATA: &str = "key";
/// The version prefix of a proof value.
const VERSION: &str = "v1:";

/// What a Secret regboard wrote is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// A namespace registry `name` in `namespace`.
    Namespace {
        /// Its namespace.
        namespace: String,
        /// Its name (the registry's name).
        name: String,
    },
    /// The source of project registry `registry` of `project`, in the
    /// system namespace `namespace`.
    Source {
        /// The system namespace.
        namespace: String,
        /// The project.
        project: String,
        /// The registry's name.
        registry: String,
    },
    /// A copy of project registry `registry` in `namespace`, made from the
    /// source with uid `source_uid`.
    Copy {
        /// Its namespace.
        namespace: String,
        /// The project.
        project: String,
        /// The registry's name (also the copy's name).
        registry: String,
        /// The uid of the source it was made from.
        source_uid: String,
    },
}

impl Claim {
    /// The claim the labels and place of `secret` make; whether it holds is
    /// then [`OwnershipKey::verify`]'s to say.
    pub fn of(secret: &Secret) -> Option<Claim> {
        if secret.type_.as_deref() != Some(DOCKER_CONFIG_JSON) {
            return None;
        }
        let namespace = secret.metadata.namespace.clone()?;
        let name = secret.metadata.name.as_deref()?;
        let registry = label(secret, REGISTRY_LABEL)?.to_owned();
        match label(secret, SCOPE_LABEL)? {
            SCOPE_NAMESPACE => (name == registry).then_some(Claim::Namespace {
                namespace,
                name: registry,
            }),
            SCOPE_PROJECT => {
                let project = label(secret, PROJECT_LABEL)?.to_owned();
                if name == super::ownership::source_name(&project, &registry) {
                    return Some(Claim::Source {
                        namespace,
                        project,
                        registry,
                    });
                }
                let source_uid = annotation(secret, SOURCE_UID)?.to_owned();
                (name == registry).then_some(Claim::Copy {
                    namespace,
                    project,
                    registry,
                    source_uid,
                })
            }
            _ => None,
        }
    }

    /// The text the proof is made over: every field, length-prefixed.
    fn message(&self) -> String {
        let parts: Vec<&str> = match self {
            Claim::Namespace { namespace, name } => vec!["namespace", namespace, name],
            Claim::Source {
                namespace,
                project,
                registry,
            } => vec!["source", namespace, project, registry],
            Claim::Copy {
                namespace,
                project,
                registry,
                source_uid,
            } => vec!["copy", namespace, project, registry, source_uid],
        };
        encode(&parts)
    }
}

/// Parts joined, each length-prefixed, so no two lists give one text.
fn encode(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| format!("{}:{p}", p.len()))
        .collect::<Vec<_>>()
        .join("|")
}

/// The key that makes and checks proofs; cheap to clone.
#[derive(Clone)]
pub struct OwnershipKey(Arc<[u8; 32]>);

impl std::fmt::Debug for OwnershipKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnershipKey(..)")
    }
}

impl OwnershipKey {
    /// A key from its bytes.
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(Arc::new(bytes))
    }

    fn mac(&self, claim: &Claim) -> Hmac<Sha256> {
        self.mac_of(&claim.message())
    }

    fn mac_of(&self, message: &str) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0[..]).expect("HMAC takes any key length");
        mac.update(message.as_bytes());
        mac
    }

    /// A proof over `parts` for a record that is not a Secret's claim (the
    /// first part names the kind of record, distinct from a claim's).
    pub fn sign_parts(&self, parts: &[&str]) -> String {
        let tag = self.mac_of(&encode(parts)).finalize().into_bytes();
        format!("{VERSION}{}", hex::encode(tag))
    }

    /// Whether `proof` is [`OwnershipKey::sign_parts`] of `parts` (constant time).
    pub fn verify_parts(&self, parts: &[&str], proof: &str) -> bool {
        let Some(tag) = proof
            .strip_prefix(VERSION)
            .and_then(|t| hex::decode(t).ok())
        else {
            return false;
        };
        self.mac_of(&encode(parts)).verify_slice(&tag).is_ok()
    }

    /// The proof annotation value for `claim`.
    pub fn sign(&self, claim: &Claim) -> String {
        format!(
            "{VERSION}{}",
            hex::encode(self.mac(claim).finalize().into_bytes())
        )
    }

    /// Sets the proof of `claim` on `secret`.
    pub fn stamp(&self, secret: &mut Secret, claim: &Claim) {
        secret
            .metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(PROOF.to_owned(), self.sign(claim));
    }

    /// Sets on `secret` the proof of what its labels and place claim it
    /// is; false (and nothing set) when they claim nothing.
    pub fn seal(&self, secret: &mut Secret) -> bool {
        match Claim::of(secret) {
            Some(claim) => {
                self.stamp(secret, &claim);
                true
            }
            None => false,
        }
    }

    /// What `secret` is, if regboard wrote it: its claim, checked against
    /// its proof in constant time. `None` for everything else.
    pub fn verify(&self, secret: &Secret) -> Option<Claim> {
        let claim = Claim::of(secret)?;
        let tag = annotation(secret, PROOF)?.strip_prefix(VERSION)?;
        let tag = hex::decode(tag).ok()?;
        self.mac(&claim).verify_slice(&tag).ok()?;
        Some(claim)
    }

    /// Whether regboard wrote `secret`.
    pub fn owns(&self, secret: &Secret) -> bool {
        self.verify(secret).is_some()
    }
}

/// Where the key file of the database at `database` lives.
pub fn key_path(database: &Path) -> PathBuf {
    database.with_extension("ownership-key")
}

/// Loads the key: from the file beside the database; when the file is
/// missing, from the Secret in the system namespace (then the file is
/// written); when both are missing, a new key. The Secret is (re)written
/// from the file when it is missing. A cluster that cannot be reached only
/// delays the mirror: the file is enough to run.
pub async fn load_key(
    database: &Path,
    client: &kube::Client,
    system_namespace: &str,
) -> Result<OwnershipKey> {
    let path = key_path(database);
    let api: Api<Secret> = Api::namespaced(client.clone(), system_namespace);
    let timeout = std::time::Duration::from_secs(5);
    if !path.exists() {
        let mirrored = tokio::time::timeout(timeout, api.get_opt(KEY_SECRET)).await;
        if let Ok(Ok(Some(secret))) = mirrored {
            if let Some(bytes) = key_bytes(&secret) {
                crate::keyfile::write(&path, &bytes).await?;
                tracing::info!(file = %path.display(), "ownership key restored from the cluster");
            }
        }
    }
    let key = crate::keyfile::load_or_create(&path).await?;
    let mirror = async {
        super::errors::ensure_namespace(client, system_namespace).await?;
        api.create(&PostParams::default(), &key_secret(system_namespace, &key))
            .await
            .map(|_| ())
    };
    match tokio::time::timeout(timeout, mirror).await {
        Ok(Ok(())) => tracing::info!("ownership key mirrored into the cluster"),
        Ok(Err(e)) if super::errors::status_code(&e) == Some(409) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %super::describe_kube_error(&e), "cannot mirror the ownership key into the cluster")
        }
        Err(_) => tracing::warn!("cannot mirror the ownership key into the cluster: no answer"),
    }
    Ok(OwnershipKey::new(key))
}

fn key_bytes(secret: &Secret) -> Option<[u8; 32]> {
    let bytes = secret.data.as_ref()?.get(KEY_DATA)?;
    <[u8; 32]>::try_from(bytes.0.as_slice()).ok()
}

fn key_secret(namespace: &str, key: &[u8; 32]) -> Secret {
    let mut secret = Secret::default();
    secret.metadata.name = Some(KEY_SECRET.to_owned());
    secret.metadata.namespace = Some(namespace.to_owned());
    secret.metadata.annotations = Some(
        [(
            "regboard.dev/description".to_owned(),
            "The key of regboard's ownership proof. Keep it: without it regboard treats every Secret it wrote as foreign.".to_owned(),
        )]
        .into(),
    );
    secret.type_ = Some("Opaque".to_owned());
    secret.data = Some([(KEY_DATA.to_owned(), ByteString(key.to_vec()))].into());
    secret
}

#[cfg(test)]
#[path = "proof_tests.rs"]
mod tests;
