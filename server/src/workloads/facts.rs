//! Kubernetes objects → the facts the pure analysis reads
//! (`regboard_app::domain::workloads`). A Secret's data is read here and
//! only its `auths` keys come out: no username, password or `auth` value
//! leaves this module.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ContainerStatus, Event, Pod, Secret, ServiceAccount};
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::scope::Scope;
use regboard_app::domain::workloads::diagnosis::EventFacts;
use regboard_app::domain::workloads::owner::owner_of;
use regboard_app::domain::workloads::{
    AccountFacts, ContainerFacts, PodFacts, PullState, RegistryRef, SecretFacts, DOCKER_CFG,
    DOCKER_CONFIG_JSON,
};

use crate::cluster::proof::{Claim, OwnershipKey};

/// The facts of `pod`.
pub fn pod_facts(pod: &Pod) -> PodFacts {
    let meta = &pod.metadata;
    let name = meta.name.clone().unwrap_or_default();
    let labels = meta.labels.clone().unwrap_or_default();
    let mut refs: Vec<(bool, String, String)> = meta
        .owner_references
        .iter()
        .flatten()
        .map(|r| (r.controller != Some(true), r.kind.clone(), r.name.clone()))
        .collect();
    refs.sort();
    let refs: Vec<(String, String)> = refs.into_iter().map(|(_, k, n)| (k, n)).collect();
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let statuses = |list: Option<&Vec<ContainerStatus>>| -> BTreeMap<String, ContainerStatus> {
        list.into_iter()
            .flatten()
            .map(|s| (s.name.clone(), s.clone()))
            .collect()
    };
    let init_status = statuses(status.and_then(|s| s.init_container_statuses.as_ref()));
    let main_status = statuses(status.and_then(|s| s.container_statuses.as_ref()));
    let mut containers = Vec::new();
    for (list, init, known) in [
        (
            spec.and_then(|s| s.init_containers.as_ref()),
            true,
            &init_status,
        ),
        (spec.map(|s| &s.containers), false, &main_status),
    ] {
        for c in list.into_iter().flatten() {
            containers.push(container(
                &c.name,
                c.image.as_deref().unwrap_or(""),
                init,
                known.get(&c.name),
            ));
        }
    }
    PodFacts {
        namespace: meta.namespace.clone().unwrap_or_default(),
        owner: owner_of(&name, &labels, &refs),
        name,
        service_account: spec
            .and_then(|s| s.service_account_name.clone())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "default".to_owned()),
        pull_secrets: spec
            .and_then(|s| s.image_pull_secrets.as_ref())
            .into_iter()
            .flatten()
            .map(|r| r.name.clone())
            .collect(),
        containers,
        created_unix: meta.creation_timestamp.as_ref().map(|t| t.0.as_second()),
    }
}

fn container(
    name: &str,
    image: &str,
    init: bool,
    status: Option<&ContainerStatus>,
) -> ContainerFacts {
    let state = status.and_then(|s| s.state.as_ref());
    let waiting = state.and_then(|s| s.waiting.as_ref());
    let terminated = state.and_then(|s| s.terminated.as_ref());
    ContainerFacts {
        name: name.to_owned(),
        image: image.to_owned(),
        init,
        state: PullState::from_status(
            waiting.map(|w| w.reason.as_deref().unwrap_or("")),
            state.is_some_and(|s| s.running.is_some()),
            terminated.map(|t| t.reason.as_deref().unwrap_or("Error")),
            init,
        ),
        message: waiting.and_then(|w| w.message.clone()),
    }
}

/// The facts of `secret`: its type, the `auths` keys of a readable pull
/// Secret, and the registry it is when `key` proves regboard wrote it.
pub fn secret_facts(secret: &Secret, key: &OwnershipKey) -> SecretFacts {
    let secret_type = secret
        .type_
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Opaque".to_owned());
    let data = |k: &str| {
        secret
            .data
            .as_ref()
            .and_then(|d| d.get(k))
            .map(|b| b.0.as_slice())
    };
    let servers = match secret_type.as_str() {
        DOCKER_CONFIG_JSON => data(".dockerconfigjson")
            .and_then(|b| DockerConfig::parse_dockerconfigjson(b).ok())
            .map(|c| c.hosts()),
        DOCKER_CFG => data(".dockercfg")
            .and_then(|b| DockerConfig::parse_dockercfg(b).ok())
            .map(|c| c.hosts()),
        _ => None,
    };
    let registry = match key.verify(secret) {
        Some(Claim::Namespace { namespace, name }) => Some(RegistryRef {
            scope: Scope::Namespace { namespace },
            name,
        }),
        Some(Claim::Copy {
            project, registry, ..
        }) => Some(RegistryRef {
            scope: Scope::Project { project },
            name: registry,
        }),
        _ => None,
    };
    // Only regboard's own annotation counts, on a Secret it proved.
    let valid_until = match registry {
        Some(_) => crate::registries::objects::valid_until(secret),
        None => Default::default(),
    };
    SecretFacts {
        name: secret.metadata.name.clone().unwrap_or_default(),
        secret_type,
        servers,
        registry,
        valid_until,
    }
}

/// The facts of `account`.
pub fn account_facts(account: &ServiceAccount) -> AccountFacts {
    AccountFacts {
        name: account.metadata.name.clone().unwrap_or_default(),
        pull_secrets: account
            .image_pull_secrets
            .iter()
            .flatten()
            .map(|r| r.name.clone())
            .collect(),
    }
}

/// The facts of `event`.
pub fn event_facts(event: &Event) -> EventFacts {
    let last = event
        .last_timestamp
        .as_ref()
        .map(|t| t.0.as_second())
        .or_else(|| event.event_time.as_ref().map(|t| t.0.as_second()))
        .or_else(|| {
            event
                .metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.as_second())
        });
    EventFacts {
        kind: event.type_.clone().unwrap_or_else(|| "Normal".to_owned()),
        reason: event.reason.clone().unwrap_or_default(),
        message: event.message.clone().unwrap_or_default(),
        count: event.count.map_or(1, |c| c.max(1) as u32),
        last_unix: last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_gives_its_servers_and_never_its_credentials() {
        let doc = r#"{"auths":{"ghcr.io":{"username":"bot","password":"hunter22-secret","auth":"Ym90Omh1bnRlcjIyLXNlY3JldA=="}}}"#;
        let secret: Secret = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "ghcr", "namespace": "shop"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, doc)},
        }))
        .unwrap();
        let facts = secret_facts(&secret, &OwnershipKey::new([7; 32]));
        assert_eq!(facts.servers, Some(vec!["ghcr.io".to_owned()]));
        assert_eq!(facts.registry, None);
        let text = serde_json::to_string(&facts).unwrap();
        assert!(
            !text.contains("hunter22") && !text.contains("Ym90") && !text.contains("bot"),
            "{text}"
        );
    }

    #[test]
    fn an_opaque_secret_has_no_servers() {
        let secret: Secret = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "x"}, "data": {".dockerconfigjson": "e30="},
        }))
        .unwrap();
        let facts = secret_facts(&secret, &OwnershipKey::new([7; 32]));
        assert_eq!(facts.secret_type, "Opaque");
        assert_eq!(facts.servers, None);
    }
}
