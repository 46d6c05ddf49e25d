//! Initial cluster contents: [`Seed::Demo`] for a newcomer's first look, [`Seed::Empty`]
//! for tests. Every object goes through the same validation as an API create; pods get
//! their status and Events from the simulated kubelet when the sandbox starts.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::resource::Resource;
use crate::store::Store;
use crate::Error;

/// Which objects a new sandbox starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// Projects, namespaces, foreign secrets, pods stuck in ImagePullBackOff and pods running.
    #[default]
    Demo,
    /// Only `default`, `kube-system` and `kube-public`.
    Empty,
}

impl FromStr for Seed {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "demo" => Ok(Seed::Demo),
            "empty" => Ok(Seed::Empty),
            _ => Err(Error::UnknownSeed {
                given: s.to_string(),
            }),
        }
    }
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Seed::Demo => "demo",
            Seed::Empty => "empty",
        })
    }
}

/// The label grouping namespaces into regboard projects.
pub const PROJECT_LABEL: &str = "regboard.dev/project";
/// The demo registry whose pull secret is missing in `payments-staging`.
pub const DEMO_REGISTRY: &str = "registry.payments.example.com";
const DEMO_POD: &str = "checkout-7d9f8b6c5-x2x7k";

fn namespace(name: &str, project: Option<&str>) -> Value {
    let mut ns = json!({"metadata": {"name": name}});
    if let Some(project) = project {
        ns["metadata"]["labels"] = json!({PROJECT_LABEL: project});
    }
    ns
}

/// A `.dockerconfigjson` exactly as `kubectl create secret docker-registry` writes it.
pub fn docker_config_json(server: &str, username: &str, password: &str) -> String {
    let auth = STANDARD.encode(format!("{username}:{password}"));
    json!({"auths": {server: {"username": username, "password": password, "auth": auth}}})
        .to_string()
}

fn demo_secrets() -> Vec<Value> {
    let docker = docker_config_json("ghcr.io", "demo", "not-a-real-password");
    vec![
        json!({"metadata": {"name": "app-config", "namespace": "payments-dev", "labels": {"app": "checkout"}},
               "type": "Opaque", "stringData": {"LOG_LEVEL": "debug", "FEATURE_FLAGS": "fast-checkout"}}),
        json!({"metadata": {"name": "payments-tls", "namespace": "payments-prod"}, "type": "kubernetes.io/tls",
               "stringData": {"tls.crt": "-----BEGIN CERTIFICATE-----\nZGVtbyBjZXJ0aWZpY2F0ZQ==\n-----END CERTIFICATE-----\n",
                              "tls.key": "-----BEGIN PRIVATE KEY-----\nZGVtbyBrZXk=\n-----END PRIVATE KEY-----\n"}}),
        json!({"metadata": {"name": "legacy-ghcr-pull", "namespace": "search-dev"},
               "type": "kubernetes.io/dockerconfigjson",
               "data": {".dockerconfigjson": STANDARD.encode(docker)}}),
    ]
}

/// A Deployment-style pod of `image` in `ns`; the simulated kubelet fills in its status.
fn pod(ns: &str, name: &str, hash: &str, image: &str, pull_secrets: &[&str]) -> Value {
    let app = name.rsplitn(3, '-').last().unwrap_or(name);
    let mut pod = json!({
        "metadata": {"name": name, "namespace": ns,
                     "labels": {"app": app, "pod-template-hash": hash}},
        "spec": {
            "containers": [{"name": app, "image": image, "imagePullPolicy": "IfNotPresent"}],
            "nodeName": "sandbox-node-1",
            "restartPolicy": "Always",
        },
    });
    if !pull_secrets.is_empty() {
        let refs: Vec<Value> = pull_secrets.iter().map(|n| json!({"name": n})).collect();
        pod["spec"]["imagePullSecrets"] = Value::Array(refs);
    }
    pod
}

/// Pods that fail to pull (a named Secret that is missing; a private image with no
/// Secret) beside pods that run (a matching Secret; a public image).
fn demo_pods() -> Vec<Value> {
    let checkout = format!("{DEMO_REGISTRY}/payments/checkout:1.4.2");
    vec![
        pod(
            "payments-staging",
            DEMO_POD,
            "7d9f8b6c5",
            &checkout,
            &["payments-registry"],
        ),
        pod(
            "search-prod",
            "search-api-5c6d7f8b9-q4w2e",
            "5c6d7f8b9",
            "ghcr.io/acme/search-api:2.3.0",
            &[],
        ),
        pod(
            "search-dev",
            "search-api-6b8c9d7f5-h7j3k",
            "6b8c9d7f5",
            "ghcr.io/acme/search-api:2.4.0-rc1",
            &["legacy-ghcr-pull"],
        ),
        pod(
            "data-pipeline",
            "ingest-7f5d8c9b6-m2n4p",
            "7f5d8c9b6",
            "nginx:1.27",
            &[],
        ),
    ]
}

/// Fills `store` with the objects of `seed`.
pub fn apply(store: &Store, seed: Seed) -> Result<(), Error> {
    for name in ["default", "kube-system", "kube-public"] {
        store.insert(Resource::Namespace, namespace(name, None))?;
    }
    if seed == Seed::Empty {
        return Ok(());
    }
    let projects = [
        ("regboard-system", None),
        ("payments-dev", Some("payments")),
        ("payments-staging", Some("payments")),
        ("payments-prod", Some("payments")),
        ("search-dev", Some("search")),
        ("search-prod", Some("search")),
        ("data-pipeline", Some("data")),
        ("sandbox-scratch", None),
    ];
    for (name, project) in projects {
        store.insert(Resource::Namespace, namespace(name, project))?;
    }
    for secret in demo_secrets() {
        store.insert(Resource::Secret, secret)?;
    }
    for pod in demo_pods() {
        store.insert(Resource::Pod, pod)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_and_display() {
        assert_eq!("demo".parse::<Seed>().unwrap(), Seed::Demo);
        assert_eq!("Empty".parse::<Seed>().unwrap().to_string(), "empty");
        assert!("full".parse::<Seed>().is_err());
    }

    #[test]
    fn demo_seed_is_valid() {
        let store = Store::new();
        apply(&store, Seed::Demo).unwrap();
        assert_eq!(store.names(Resource::Namespace, None).len(), 11);
        assert_eq!(store.names(Resource::ServiceAccount, None).len(), 11);
        assert_eq!(store.names(Resource::Pod, None).len(), 4);
    }
}
