//! Building registry Secrets, and reading the non-secret facts back out.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::model::registries::{RegistrySummary, Scope, SyncSummary};

use crate::cluster::ownership::{self, DATA_KEY, DESCRIPTION, DOCKER_CONFIG_JSON};

/// A registry Secret as regboard writes it: type, data and our labels.
pub fn registry_secret(
    name: &str,
    namespace: &str,
    labels: BTreeMap<String, String>,
    config: &DockerConfig,
    description: &str,
) -> Secret {
    let mut secret = Secret {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(namespace.to_owned()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        type_: Some(DOCKER_CONFIG_JSON.to_owned()),
        ..Secret::default()
    };
    set_contents(&mut secret, config, description);
    secret
}

/// Sets a registry Secret's data to `config` and its description
/// annotation to `description` (removed when empty); other metadata stays.
pub fn set_contents(secret: &mut Secret, config: &DockerConfig, description: &str) {
    secret.data = Some(BTreeMap::from([(
        DATA_KEY.to_owned(),
        ByteString(config.to_json().into_bytes()),
    )]));
    let annotations = secret
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new);
    if description.is_empty() {
        annotations.remove(DESCRIPTION);
    } else {
        annotations.insert(DESCRIPTION.to_owned(), description.to_owned());
    }
}

/// The copy of `source` for `namespace`: same data, type and description,
/// labelled as a project copy, annotated with the source uid and content hash.
pub fn copy_of(source: &Secret, project: &str, name: &str, namespace: &str) -> Secret {
    let mut annotations = BTreeMap::new();
    if let Some(uid) = &source.metadata.uid {
        annotations.insert(ownership::SOURCE_UID.to_owned(), uid.clone());
    }
    if let Some(hash) = ownership::content_hash(source) {
        annotations.insert(ownership::CONTENT_HASH.to_owned(), hash);
    }
    if let Some(description) = ownership::annotation(source, DESCRIPTION) {
        annotations.insert(DESCRIPTION.to_owned(), description.to_owned());
    }
    Secret {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(namespace.to_owned()),
            labels: Some(ownership::project_labels(project, name)),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        },
        type_: Some(DOCKER_CONFIG_JSON.to_owned()),
        data: source.data.clone(),
        ..Secret::default()
    }
}

/// The docker config held by a registry Secret, if it parses.
pub fn docker_config(secret: &Secret) -> Option<DockerConfig> {
    let bytes = secret.data.as_ref()?.get(DATA_KEY)?;
    DockerConfig::parse_dockerconfigjson(&bytes.0).ok()
}

/// The list row of a registry Secret (a namespace registry, or a source).
pub fn summary(secret: &Secret, scope: Scope, name: &str, sync: SyncSummary) -> RegistrySummary {
    let config = docker_config(secret);
    RegistrySummary {
        scope,
        name: name.to_owned(),
        hosts: config.as_ref().map(DockerConfig::hosts).unwrap_or_default(),
        username: config.as_ref().and_then(DockerConfig::username),
        description: ownership::annotation(secret, DESCRIPTION)
            .unwrap_or_default()
            .to_owned(),
        sync,
        created_unix: secret
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.as_second()),
        source_lost: false,
        credential_checks: Vec::new(),
    }
}
