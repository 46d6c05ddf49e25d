//! How regboard marks the Secrets it owns, and how it recognises them.
//!
//! Ownership (DESIGN rule 1) = our labels, plus for copies the uid of the
//! current source Secret. Anything else with the same name is foreign and is
//! never touched.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use sha2::{Digest, Sha256};

/// The namespace label that makes a namespace a member of a project.
pub const PROJECT_LABEL: &str = "regboard.dev/project";

/// `app.kubernetes.io/managed-by`.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// Our value of [`MANAGED_BY`].
pub const MANAGER: &str = "regboard";
/// The registry's name.
pub const REGISTRY_LABEL: &str = "regboard.dev/registry";
/// `namespace` or `project`.
pub const SCOPE_LABEL: &str = "regboard.dev/scope";
/// On a copy: the uid of the source Secret it was made from.
pub const SOURCE_UID: &str = "regboard.dev/source-uid";
/// On a copy: the SHA-256 of the source's `.dockerconfigjson`.
pub const CONTENT_HASH: &str = "regboard.dev/content-hash";
/// The registry's description.
pub const DESCRIPTION: &str = "regboard.dev/description";
/// Annotation with each host's "valid until": a JSON object from docker
/// config key to RFC 3339 time (UTC). Not a secret; only shown.
pub const VALID_UNTIL: &str = "regboard.dev/valid-until";
/// The Secret type of a registry.
pub const DOCKER_CONFIG_JSON: &str = "kubernetes.io/dockerconfigjson";
/// The data key of a registry Secret.
pub const DATA_KEY: &str = ".dockerconfigjson";
/// Scope label value of a namespace registry.
pub const SCOPE_NAMESPACE: &str = "namespace";
/// Scope label value of a project registry (source and copies).
pub const SCOPE_PROJECT: &str = "project";

/// Label selector for every Secret regboard manages.
pub fn managed_selector() -> String {
    format!("{MANAGED_BY}={MANAGER}")
}

/// The name of a project registry's source Secret in the system namespace.
/// Project names have no dots, so the first dot separates the two parts.
pub fn source_name(project: &str, registry: &str) -> String {
    format!("{project}.{registry}")
}

/// The value of label `key` on `secret`.
pub fn label<'a>(secret: &'a Secret, key: &str) -> Option<&'a str> {
    secret
        .metadata
        .labels
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

/// The value of annotation `key` on `secret`.
pub fn annotation<'a>(secret: &'a Secret, key: &str) -> Option<&'a str> {
    secret
        .metadata
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

/// Whether `secret` carries our labels for a registry named like itself.
pub fn is_ours(secret: &Secret) -> bool {
    label(secret, MANAGED_BY) == Some(MANAGER)
        && label(secret, REGISTRY_LABEL).is_some()
        && secret.type_.as_deref() == Some(DOCKER_CONFIG_JSON)
}

/// The SHA-256 (hex) of a registry Secret's `.dockerconfigjson` bytes.
pub fn content_hash(secret: &Secret) -> Option<String> {
    let bytes = secret.data.as_ref()?.get(DATA_KEY)?;
    Some(hex::encode(Sha256::digest(&bytes.0)))
}

/// The labels of a namespace registry named `name`.
pub fn namespace_labels(name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.to_owned(), MANAGER.to_owned()),
        (REGISTRY_LABEL.to_owned(), name.to_owned()),
        (SCOPE_LABEL.to_owned(), SCOPE_NAMESPACE.to_owned()),
    ])
}

/// The labels of a project registry's source and copies.
pub fn project_labels(project: &str, name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.to_owned(), MANAGER.to_owned()),
        (REGISTRY_LABEL.to_owned(), name.to_owned()),
        (SCOPE_LABEL.to_owned(), SCOPE_PROJECT.to_owned()),
        (PROJECT_LABEL.to_owned(), project.to_owned()),
    ])
}
