//! A simulated node: after a pod is created, the "kubelet" pulls each init container's
//! and container's image, then writes the pod's status and Events as a real node would.
//!
//! ```text
//!  Store broadcast (Pod ADDED) ─▶ Kubelet::sync
//!     Scheduled event, pull Secrets read from the pod's namespace
//!       named Secret missing ─▶ Warning FailedToRetrieveImagePullSecret
//!     per image: Registries::pull (public? matching login? real registry accepts it?)
//!       ok   ─▶ Pulling, Pulled, Created, Started        status Running
//!       fail ─▶ Pulling, Failed (CRI error), Failed "Error: ErrImagePull"   status Pending
//!              … back-off later ─▶ BackOff, Failed "Error: ImagePullBackOff"
//! ```
//!
//! A failed pod is retried when it is re-created (delete + create, as a "restart").
//! Wordings from kubernetes/kubernetes pkg/kubelet/images/image_manager.go,
//! pkg/kubelet/kuberuntime/kuberuntime_container.go and pkg/kubelet/kubelet_pods.go.

pub mod credentials;
pub mod image;
pub mod pull;
mod status;
mod sync;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::Value;
use tokio::sync::{broadcast, watch};

use crate::object;
use crate::resource::Resource;
use crate::store::{ChangeType, Store};
use credentials::Credential;
use pull::Registries;
use status::EventSpec;

/// Default delay between `ErrImagePull` and `ImagePullBackOff`.
pub const DEFAULT_PULL_BACKOFF: Duration = Duration::from_secs(2);

/// The simulated node.
#[derive(Clone)]
pub(crate) struct Kubelet {
    pub store: Arc<Store>,
    pub registries: Arc<Registries>,
    pub backoff: Duration,
    pub shutdown: watch::Receiver<bool>,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A container of the spec: (name, image, init).
fn containers(pod: &Value) -> Vec<(String, String, bool)> {
    let list = |field: &str, init: bool| -> Vec<(String, String, bool)> {
        pod.pointer(&format!("/spec/{field}"))
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .map(|c| {
                        let text = |k: &str| c[k].as_str().unwrap_or("").to_string();
                        (text("name"), text("image"), init)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut all = list("initContainers", true);
    all.extend(list("containers", false));
    all
}

fn field_path(name: &str, init: bool) -> String {
    let field = if init { "initContainers" } else { "containers" };
    format!("spec.{field}{{{name}}}")
}

impl Kubelet {
    /// Syncs the pods already stored (the seed) straight to their settled state, then
    /// spawns the loop that syncs new pods until shutdown.
    pub async fn start(self) -> tokio::task::JoinHandle<()> {
        let live = self.store.subscribe();
        let mut seen = HashSet::new();
        for pod in self.unsynced() {
            seen.insert(object::uid(&pod).to_string());
            self.sync(pod, true).await;
        }
        tokio::spawn(self.run(live, seen))
    }

    async fn run(
        self,
        mut live: broadcast::Receiver<Arc<crate::store::Change>>,
        mut seen: HashSet<String>,
    ) {
        let mut shutdown = self.shutdown.clone();
        loop {
            let change = tokio::select! {
                change = live.recv() => change,
                _ = crate::http::stopped(&mut shutdown) => return,
            };
            let pods = match change {
                Ok(c) if c.resource == Resource::Pod && c.kind == ChangeType::Added => {
                    vec![(*c.object).clone()]
                }
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => self.unsynced(),
                Err(broadcast::error::RecvError::Closed) => return,
            };
            for pod in pods {
                if seen.insert(object::uid(&pod).to_string()) {
                    let kubelet = self.clone();
                    tokio::spawn(async move { kubelet.sync(pod, false).await });
                }
            }
        }
    }

    /// Pods that no node has reported on yet.
    fn unsynced(&self) -> Vec<Value> {
        self.store
            .all(Resource::Pod)
            .into_iter()
            .filter(|p| p.pointer("/status/containerStatuses").is_none())
            .collect()
    }

    fn record(&self, pod: &Value, spec: EventSpec<'_>) {
        let base = object::name(pod);
        for attempt in 0..8u64 {
            let nanos = Utc::now().timestamp_nanos_opt().unwrap_or(0) as u64 + attempt;
            let event = status::event(pod, spec.clone(), format!("{base}.{nanos:x}"), &now());
            match self.store.insert(Resource::Event, event) {
                Err(crate::Error::Rejected(s)) if s.reason == "AlreadyExists" => continue,
                _ => return,
            }
        }
    }

    /// The logins of the pod's pull Secrets, after reporting the ones that do not exist.
    fn logins(&self, pod: &Value) -> Vec<Credential> {
        let ns = object::namespace(pod);
        let names: Vec<&str> = pod
            .pointer("/spec/imagePullSecrets")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|r| r["name"].as_str()).collect())
            .unwrap_or_default();
        let mut missing = Vec::new();
        let mut logins = Vec::new();
        for name in names {
            match self.store.get(Resource::Secret, ns, name) {
                Some(secret) => logins.extend(credentials::from_secret(&secret)),
                None => missing.push(name),
            }
        }
        if !missing.is_empty() {
            let message = format!(
                "Unable to retrieve some image pull secrets ({}); attempting to pull the image may not succeed.",
                missing.join(", ")
            );
            let spec = EventSpec {
                kind: "Warning",
                reason: "FailedToRetrieveImagePullSecret",
                message,
                field_path: None,
                component: "kubelet",
            };
            self.record(pod, spec);
        }
        logins
    }
}
