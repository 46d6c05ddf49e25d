//! One Workloads row per pod: each container's image normalised by Docker's
//! rules, its registry host, and which of the pod's own pull Secrets serves
//! that host (kubelet reads only the Secrets the pod names, in its own
//! namespace, of a pull-Secret type).

use serde::{Deserialize, Serialize};

use super::{NamespaceFacts, Owner, PodFacts, PullState, SecretFacts};
use crate::domain::hosts::normalize_host;
use crate::domain::image_ref::ImageRef;

/// Which credential an image pulls with.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Serving {
    /// The pod's pull Secret `secret`, by its `auths` key `server`.
    Secret {
        /// The Secret's name.
        secret: String,
        /// The matching `auths` key.
        server: String,
    },
    /// No pull Secret of the pod serves it, and none is needed: one of
    /// Docker Hub's official images (that did not fail to pull).
    Public,
    /// No pull Secret of the pod serves the image's host.
    Missing,
    /// The image reference cannot be parsed, so no host is known.
    Invalid,
}

/// One container of a Workloads row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContainerRow {
    /// The container's name.
    pub name: String,
    /// Whether it is an init container.
    pub init: bool,
    /// The image as written.
    pub image: String,
    /// The fully-qualified reference, when it parses.
    pub reference: Option<String>,
    /// Why it does not parse.
    pub reference_error: Option<String>,
    /// The registry host (canonical: Docker Hub is `docker.io`).
    pub host: Option<String>,
    /// The credential it pulls with.
    pub serving: Serving,
    /// Its pull state.
    pub state: PullState,
    /// The runtime's message (a pull error), if any.
    pub message: Option<String>,
}

/// One pod on the Workloads page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PodRow {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The workload that owns it.
    pub owner: Owner,
    /// Its ServiceAccount.
    pub service_account: String,
    /// The pull Secrets it names.
    pub pull_secrets: Vec<String>,
    /// Its worst container's state.
    pub state: PullState,
    /// Init containers first, then containers.
    pub containers: Vec<ContainerRow>,
    /// Creation time, seconds since the Unix epoch.
    pub created_unix: Option<i64>,
}

impl PodRow {
    /// Every registry host its containers use, without repeats.
    pub fn hosts(&self) -> Vec<&str> {
        let mut hosts: Vec<&str> = self
            .containers
            .iter()
            .filter_map(|c| c.host.as_deref())
            .collect();
        hosts.sort_unstable();
        hosts.dedup();
        hosts
    }
}

/// The Secret of the pod's own list that serves `image` (kubelet tries
/// them in the pod's order), given the Secrets of the pod's namespace.
pub fn serving<'a>(
    image: &ImageRef,
    pull_secrets: &[String],
    secrets: &'a [SecretFacts],
) -> Option<(&'a SecretFacts, &'a str)> {
    pull_secrets.iter().find_map(|name| {
        let secret = secrets.iter().find(|s| &s.name == name)?;
        Some((secret, secret.server_for(image)?))
    })
}

/// The credential `image` (as written) pulls with for a pod naming
/// `pull_secrets`; an official Docker Hub image that `failed` to pull is
/// not called public (it may not exist: `app:v1` means
/// `docker.io/library/app:v1`).
pub fn serving_of(
    image: &str,
    pull_secrets: &[String],
    secrets: &[SecretFacts],
    failed: bool,
) -> Serving {
    let Ok(reference) = ImageRef::parse(image) else {
        return Serving::Invalid;
    };
    match serving(&reference, pull_secrets, secrets) {
        Some((secret, server)) => Serving::Secret {
            secret: secret.name.clone(),
            server: server.to_owned(),
        },
        None if reference.is_docker_official() && !failed => Serving::Public,
        None => Serving::Missing,
    }
}

/// The canonical registry host of an image as written, if it parses.
pub fn host_of(image: &str) -> Option<String> {
    ImageRef::parse(image)
        .ok()
        .map(|r| normalize_host(r.registry()))
}

/// The Workloads row of `pod`, whose namespace is `ns`.
pub fn pod_row(pod: &PodFacts, ns: &NamespaceFacts) -> PodRow {
    let containers: Vec<ContainerRow> = pod
        .containers
        .iter()
        .map(|c| {
            let parsed = ImageRef::parse(&c.image);
            ContainerRow {
                name: c.name.clone(),
                init: c.init,
                image: c.image.clone(),
                reference: parsed.as_ref().ok().map(ToString::to_string),
                reference_error: parsed.as_ref().err().map(ToString::to_string),
                host: parsed.as_ref().ok().map(|r| normalize_host(r.registry())),
                serving: serving_of(
                    &c.image,
                    &pod.pull_secrets,
                    &ns.secrets,
                    c.state.is_pull_failure(),
                ),
                state: c.state.clone(),
                message: c.message.clone(),
            }
        })
        .collect();
    PodRow {
        namespace: pod.namespace.clone(),
        name: pod.name.clone(),
        owner: pod.owner.clone(),
        service_account: pod.service_account.clone(),
        pull_secrets: pod.pull_secrets.clone(),
        state: PullState::worst(containers.iter().map(|c| &c.state)),
        containers,
        created_unix: pod.created_unix,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::workloads::{ContainerFacts, DOCKER_CONFIG_JSON};

    /// A pull Secret `name` with logins for `servers`.
    pub(crate) fn pull_secret(name: &str, servers: &[&str]) -> SecretFacts {
        SecretFacts {
            name: name.into(),
            secret_type: DOCKER_CONFIG_JSON.into(),
            servers: Some(servers.iter().map(|s| s.to_string()).collect()),
            registry: None,
            valid_until: Default::default(),
        }
    }

    /// A pod of `images` naming `secrets`, every container in `state`.
    pub(crate) fn pod(name: &str, images: &[&str], secrets: &[&str], state: PullState) -> PodFacts {
        PodFacts {
            namespace: "shop".into(),
            name: name.into(),
            owner: Owner {
                kind: "Pod".into(),
                name: name.into(),
            },
            service_account: "default".into(),
            pull_secrets: secrets.iter().map(|s| s.to_string()).collect(),
            containers: images
                .iter()
                .enumerate()
                .map(|(i, image)| ContainerFacts {
                    name: format!("c{i}"),
                    image: image.to_string(),
                    init: false,
                    state: state.clone(),
                    message: None,
                })
                .collect(),
            created_unix: None,
        }
    }

    #[test]
    fn each_image_gets_its_host_and_the_secret_that_serves_it() {
        let ns = NamespaceFacts {
            namespace: "shop".into(),
            secrets: vec![
                pull_secret("hub", &["https://index.docker.io/v1/"]),
                pull_secret("ghcr", &["ghcr.io"]),
            ],
            ..Default::default()
        };
        let p = pod(
            "web",
            &[
                "app:v1",
                "ghcr.io/acme/api:2",
                "quay.io/x/y",
                "nginx",
                "Bad",
            ],
            &["ghcr", "hub"],
            PullState::Running,
        );
        let row = pod_row(&p, &ns);
        let c = &row.containers;
        assert_eq!(c[0].reference.as_deref(), Some("docker.io/library/app:v1"));
        assert_eq!(c[0].host.as_deref(), Some("docker.io"));
        assert_eq!(
            c[0].serving,
            Serving::Secret {
                secret: "hub".into(),
                server: "https://index.docker.io/v1/".into()
            }
        );
        assert!(matches!(&c[1].serving, Serving::Secret { secret, .. } if secret == "ghcr"));
        assert_eq!(c[2].serving, Serving::Missing);
        assert_eq!(c[2].host.as_deref(), Some("quay.io"));
        assert!(matches!(&c[3].serving, Serving::Secret { secret, .. } if secret == "hub"));
        assert_eq!(c[4].serving, Serving::Invalid);
        assert!(c[4]
            .reference_error
            .as_deref()
            .unwrap()
            .contains("lowercase"));
        assert_eq!(row.hosts(), ["docker.io", "ghcr.io", "quay.io"]);
    }

    #[test]
    fn only_named_pull_typed_secrets_serve() {
        let mut opaque = pull_secret("opaque", &["ghcr.io"]);
        opaque.secret_type = "Opaque".into();
        let secrets = vec![opaque, pull_secret("unnamed", &["ghcr.io"])];
        let names = vec!["opaque".to_owned(), "missing".to_owned()];
        assert_eq!(
            serving_of("ghcr.io/a/b", &names, &secrets, false),
            Serving::Missing
        );
        assert_eq!(
            serving_of("nginx:1.27", &names, &secrets, false),
            Serving::Public
        );
        assert_eq!(
            serving_of("app:v1", &names, &secrets, true),
            Serving::Missing
        );
        assert_eq!(
            serving_of("user/app", &names, &secrets, false),
            Serving::Missing
        );
        assert_eq!(
            host_of("registry.local:5000/a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").as_deref(),
            Some("registry.local:5000")
        );
    }
}
