//! Initial cluster contents: [`Seed::Demo`] for a newcomer's first look, [`Seed::Empty`]
//! for tests. Every object goes through the same validation as an API create.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::resource::Resource;
use crate::store::Store;
use crate::Error;

/// Which objects a new sandbox starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// Projects, namespaces, foreign secrets and a pod stuck in ImagePullBackOff.
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

fn demo_pod() -> Value {
    let image = format!("{DEMO_REGISTRY}/payments/checkout:1.4.2");
    json!({
        "metadata": {"name": DEMO_POD, "namespace": "payments-staging",
                     "labels": {"app": "checkout", "pod-template-hash": "7d9f8b6c5"}},
        "spec": {
            "containers": [{"name": "checkout", "image": image, "imagePullPolicy": "IfNotPresent"}],
            "imagePullSecrets": [{"name": "payments-registry"}],
            "nodeName": "sandbox-node-1",
            "restartPolicy": "Always",
            "serviceAccountName": "default",
        },
        "status": {
            "phase": "Pending",
            "podIP": "10.244.0.17",
            "hostIP": "172.18.0.2",
            "qosClass": "BestEffort",
            "containerStatuses": [{
                "name": "checkout", "image": image, "imageID": "", "ready": false, "started": false,
                "restartCount": 0,
                "state": {"waiting": {"reason": "ImagePullBackOff",
                                       "message": format!("Back-off pulling image \"{image}\"")}},
            }],
        },
    })
}

fn demo_events(pod_uid: &str) -> Vec<Value> {
    let image = format!("{DEMO_REGISTRY}/payments/checkout:1.4.2");
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let denied = format!(
        "Failed to pull image \"{image}\": failed to pull and unpack image \"{image}\": failed to resolve reference \
         \"{image}\": pull access denied, repository does not exist or may require authorization: server message: \
         insufficient_scope: authorization failed"
    );
    let items = [
        (
            "Scheduled",
            "Normal",
            format!("Successfully assigned payments-staging/{DEMO_POD} to sandbox-node-1"),
            1,
            "default-scheduler",
        ),
        (
            "Pulling",
            "Normal",
            format!("Pulling image \"{image}\""),
            4,
            "kubelet",
        ),
        ("Failed", "Warning", denied, 4, "kubelet"),
        (
            "Failed",
            "Warning",
            "Error: ErrImagePull".to_string(),
            4,
            "kubelet",
        ),
        (
            "BackOff",
            "Normal",
            format!("Back-off pulling image \"{image}\""),
            23,
            "kubelet",
        ),
        (
            "Failed",
            "Warning",
            "Error: ImagePullBackOff".to_string(),
            23,
            "kubelet",
        ),
    ];
    items
        .into_iter()
        .enumerate()
        .map(|(i, (reason, kind, message, count, component))| {
            let mut involved = json!({"kind": "Pod", "namespace": "payments-staging", "name": DEMO_POD,
                                      "uid": pod_uid, "apiVersion": "v1"});
            if component == "kubelet" {
                involved["fieldPath"] = json!("spec.containers{checkout}");
            }
            json!({
                "metadata": {"name": format!("{DEMO_POD}.18a3c0f2b1d{i:05x}"), "namespace": "payments-staging"},
                "involvedObject": involved,
                "reason": reason, "type": kind, "message": message, "count": count,
                "source": {"component": component, "host": "sandbox-node-1"},
                "firstTimestamp": now, "lastTimestamp": now,
                "reportingComponent": component, "reportingInstance": "sandbox-node-1",
            })
        })
        .collect()
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
    let pod = store.insert(Resource::Pod, demo_pod())?;
    let pod_uid = crate::object::uid(&pod).to_string();
    for event in demo_events(&pod_uid) {
        store.insert(Resource::Event, event)?;
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
        assert_eq!(
            store.names(Resource::Event, Some("payments-staging")).len(),
            6
        );
    }
}
