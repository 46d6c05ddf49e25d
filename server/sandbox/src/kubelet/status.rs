//! The Pod status and Events kubelet writes, as the API shows them.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{json, Value};

/// The node every sandbox pod is scheduled to.
pub const NODE_NAME: &str = "sandbox-node-1";
/// The node's address.
pub const HOST_IP: &str = "172.18.0.2";

/// Where one container's image pull ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Pulled and started (init containers: ran to completion).
    Running,
    /// Waiting with a reason (`ErrImagePull`, `ImagePullBackOff`, `InvalidImageName`,
    /// `PodInitializing`) and a message.
    Waiting { reason: String, message: String },
}

/// One container (or init container) and its outcome.
#[derive(Debug, Clone)]
pub struct ContainerResult {
    /// `spec.containers[].name`.
    pub name: String,
    /// The image as written in the spec.
    pub image: String,
    /// The normalized `host/repository` (for `imageID`), when the image parsed.
    pub full_name: Option<String>,
    /// Whether it is an init container.
    pub init: bool,
    /// What happened.
    pub outcome: Outcome,
}

/// 64 hex digits derived from `seed` (stable for the same input).
pub fn hex64(seed: &str) -> String {
    (0..4u8)
        .map(|i| {
            let mut h = DefaultHasher::new();
            (seed, i).hash(&mut h);
            format!("{:016x}", h.finish())
        })
        .collect()
}

/// A stable pod IP in 10.244.0.0/24 for a pod uid.
pub fn pod_ip(uid: &str) -> String {
    let mut h = DefaultHasher::new();
    uid.hash(&mut h);
    format!("10.244.0.{}", 2 + h.finish() % 250)
}

fn container_status(c: &ContainerResult, now: &str) -> Value {
    let mut status = json!({
        "name": c.name, "image": c.image, "imageID": "", "ready": false, "started": false,
        "restartCount": 0,
    });
    match &c.outcome {
        Outcome::Running => {
            let id = hex64(&format!("{}{}{now}", c.name, c.image));
            status["containerID"] = json!(format!("containerd://{id}"));
            let name = c.full_name.clone().unwrap_or_else(|| c.image.clone());
            status["imageID"] = json!(format!("{name}@sha256:{}", hex64(&c.image)));
            if c.init {
                status["ready"] = json!(true);
                status["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed",
                                                         "startedAt": now, "finishedAt": now,
                                                         "containerID": format!("containerd://{id}")}});
            } else {
                status["ready"] = json!(true);
                status["started"] = json!(true);
                status["state"] = json!({"running": {"startedAt": now}});
            }
        }
        Outcome::Waiting { reason, message } => {
            let mut waiting = json!({"reason": reason});
            if !message.is_empty() {
                waiting["message"] = json!(message);
            }
            status["state"] = json!({"waiting": waiting});
        }
    }
    status
}

fn condition(kind: &str, ok: bool, reason: &str, message: &str, now: &str) -> Value {
    let mut c = json!({"type": kind, "status": if ok { "True" } else { "False" },
                       "lastProbeTime": null, "lastTransitionTime": now});
    if !ok {
        c["reason"] = json!(reason);
        c["message"] = json!(message);
    }
    c
}

/// The whole `status` of a pod whose containers ended as `results`.
pub fn pod_status(uid: &str, results: &[ContainerResult], now: &str) -> Value {
    let unready = |init: bool| -> Vec<&str> {
        results
            .iter()
            .filter(|c| c.init == init && c.outcome != Outcome::Running)
            .map(|c| c.name.as_str())
            .collect()
    };
    let (init_waiting, waiting) = (unready(true), unready(false));
    let running = init_waiting.is_empty() && waiting.is_empty();
    let list = |names: &[&str]| format!("[{}]", names.join(" "));
    let ip = pod_ip(uid);
    let statuses = |init: bool| -> Vec<Value> {
        results
            .iter()
            .filter(|c| c.init == init)
            .map(|c| container_status(c, now))
            .collect()
    };
    let mut status = json!({
        "phase": if running { "Running" } else { "Pending" },
        "conditions": [
            condition("PodReadyToStartContainers", true, "", "", now),
            condition("Initialized", init_waiting.is_empty(), "ContainersNotInitialized",
                      &format!("containers with incomplete status: {}", list(&init_waiting)), now),
            condition("Ready", running, "ContainersNotReady",
                      &format!("containers with unready status: {}", list(&waiting)), now),
            condition("ContainersReady", running, "ContainersNotReady",
                      &format!("containers with unready status: {}", list(&waiting)), now),
            condition("PodScheduled", true, "", "", now),
        ],
        "hostIP": HOST_IP, "hostIPs": [{"ip": HOST_IP}],
        "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": now,
        "containerStatuses": statuses(false),
        "qosClass": "BestEffort",
    });
    let init = statuses(true);
    if !init.is_empty() {
        status["initContainerStatuses"] = Value::Array(init);
    }
    status
}

/// What an Event is about and says.
#[derive(Debug, Clone)]
pub struct EventSpec<'a> {
    /// `Normal` or `Warning`.
    pub kind: &'a str,
    /// e.g. `Failed`, `BackOff`.
    pub reason: &'a str,
    /// The human message.
    pub message: String,
    /// `spec.containers{name}`, or `None` for the pod itself.
    pub field_path: Option<String>,
    /// `kubelet` or `default-scheduler`.
    pub component: &'a str,
}

/// A core/v1 Event about pod `pod` (its metadata: namespace, name, uid, resourceVersion).
pub fn event(pod: &Value, spec: EventSpec<'_>, name: String, now: &str) -> Value {
    let meta = &pod["metadata"];
    let mut involved = json!({"kind": "Pod", "apiVersion": "v1", "namespace": meta["namespace"],
                              "name": meta["name"], "uid": meta["uid"]});
    if let Some(path) = spec.field_path {
        involved["fieldPath"] = json!(path);
    }
    let host = if spec.component == "kubelet" {
        json!(NODE_NAME)
    } else {
        json!("")
    };
    json!({
        "metadata": {"name": name, "namespace": meta["namespace"]},
        "involvedObject": involved,
        "reason": spec.reason, "type": spec.kind, "message": spec.message, "count": 1,
        "source": {"component": spec.component, "host": host},
        "firstTimestamp": now, "lastTimestamp": now,
        "reportingComponent": spec.component,
        "reportingInstance": if spec.component == "kubelet" { NODE_NAME } else { "" },
    })
}
