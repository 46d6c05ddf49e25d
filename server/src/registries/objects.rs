//! Building registry Secrets, and reading the non-secret facts back out.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use regboard_app::domain::credential::expiry::{format_rfc3339, parse_valid_until};
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::model::registries::{HostFacts, RegistrySummary, Scope, SyncSummary};

use crate::cluster::ownership::{self, DATA_KEY, DESCRIPTION, DOCKER_CONFIG_JSON, VALID_UNTIL};

/// A registry Secret as regboard writes it: type, data and our labels.
pub fn registry_secret(
    name: &str,
    namespace: &str,
    labels: BTreeMap<String, String>,
    contents: &Contents,
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
    set_contents(&mut secret, contents);
    secret
}

/// What regboard writes into a registry Secret.
pub struct Contents<'a> {
    /// The docker config.
    pub config: &'a DockerConfig,
    /// The description (none when empty).
    pub description: &'a str,
    /// Each host's "valid until", seconds since the epoch.
    pub valid_until: BTreeMap<String, i64>,
}

/// Sets a registry Secret's data to the contents' config and its
/// description and valid-until annotations (each removed when empty);
/// other metadata stays.
pub fn set_contents(secret: &mut Secret, contents: &Contents) {
    secret.data = Some(BTreeMap::from([(
        DATA_KEY.to_owned(),
        ByteString(contents.config.to_json().into_bytes()),
    )]));
    let annotations = secret
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new);
    let mut set = |key: &str, value: String| {
        if value.is_empty() {
            annotations.remove(key);
        } else {
            annotations.insert(key.to_owned(), value);
        }
    };
    set(DESCRIPTION, contents.description.to_owned());
    set_valid_until(secret, &contents.valid_until, contents.config);
}

/// Sets the "valid until" annotation to `until`, for the hosts `config`
/// holds (removed when none has one).
pub fn set_valid_until(secret: &mut Secret, until: &BTreeMap<String, i64>, config: &DockerConfig) {
    let until: BTreeMap<&String, String> = until
        .iter()
        .filter(|(host, _)| config.auths.contains_key(*host))
        .map(|(host, t)| (host, format_rfc3339(*t)))
        .collect();
    let annotations = secret
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new);
    if until.is_empty() {
        annotations.remove(VALID_UNTIL);
    } else {
        let text = serde_json::to_string(&until).expect("a map of strings serialises");
        annotations.insert(VALID_UNTIL.to_owned(), text);
    }
}

/// Each host's "valid until" as annotated (unreadable entries are ignored).
pub fn valid_until(secret: &Secret) -> BTreeMap<String, i64> {
    ownership::annotation(secret, VALID_UNTIL)
        .and_then(|text| serde_json::from_str::<BTreeMap<String, String>>(text).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(host, t)| Some((host, parse_valid_until(&t).ok()?)))
        .collect()
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
    for key in [DESCRIPTION, VALID_UNTIL] {
        if let Some(value) = ownership::annotation(source, key) {
            annotations.insert(key.to_owned(), value.to_owned());
        }
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

/// Each host's username, email and "valid until" (the expiry is filled in
/// by the service, which knows the time and the thresholds).
pub fn host_facts(config: &DockerConfig, valid_until: &BTreeMap<String, i64>) -> Vec<HostFacts> {
    config
        .auths
        .iter()
        .map(|(host, entry)| HostFacts {
            host: host.clone(),
            username: entry.effective_username(),
            email: entry.email.clone(),
            valid_until: valid_until.get(host).copied(),
            expiry: None,
        })
        .collect()
}

/// The list row of a registry Secret (a namespace registry, or a source).
pub fn summary(secret: &Secret, scope: Scope, name: &str, sync: SyncSummary) -> RegistrySummary {
    let config = docker_config(secret);
    RegistrySummary {
        scope,
        name: name.to_owned(),
        hosts: config.as_ref().map(DockerConfig::hosts).unwrap_or_default(),
        host_details: config
            .as_ref()
            .map(|c| host_facts(c, &valid_until(secret)))
            .unwrap_or_default(),
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
