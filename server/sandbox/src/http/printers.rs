//! The columns kube-apiserver's table printers show for each resource, and the cells of
//! one object's row (what `kubectl get` prints).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::table::human_age;
use crate::object;
use crate::resource::Resource;

const NAME_DOC: &str = "Name must be unique within a namespace.";
const AGE_DOC: &str =
    "CreationTimestamp is a timestamp representing the server time when this object was created.";

/// One `columnDefinitions` entry.
fn column(name: &str, kind: &str, format: &str, priority: u8, description: &str) -> Value {
    json!({"name": name, "type": kind, "format": format, "description": description, "priority": priority})
}

/// A string column with no format.
fn text(name: &str, priority: u8, description: &str) -> Value {
    column(name, "string", "", priority, description)
}

fn name_column() -> Value {
    column("Name", "string", "name", 0, NAME_DOC)
}

fn age_column() -> Value {
    text("Age", 0, AGE_DOC)
}

fn pod_columns() -> Vec<Value> {
    vec![
        name_column(),
        text(
            "Ready",
            0,
            "The aggregate readiness state of this pod for accepting traffic.",
        ),
        text(
            "Status",
            0,
            "The aggregate status of the containers in this pod.",
        ),
        text(
            "Restarts",
            0,
            "The number of times the containers in this pod have been restarted.",
        ),
        age_column(),
        text("IP", 1, "IP address allocated to the pod."),
        text("Node", 1, "Name of the Node this pod is assigned to."),
    ]
}

fn event_columns() -> Vec<Value> {
    vec![
        text(
            "Last Seen",
            0,
            "The time at which the most recent occurrence of this event was recorded.",
        ),
        text("Type", 0, "Type of this event (Normal, Warning)."),
        text(
            "Reason",
            0,
            "This should be a short, machine understandable string.",
        ),
        text("Object", 0, "The object that this event is about."),
        text(
            "Message",
            0,
            "A human-readable description of the status of this operation.",
        ),
        column(
            "Count",
            "integer",
            "",
            1,
            "The number of times this event has occurred.",
        ),
        column("Name", "string", "name", 1, NAME_DOC),
    ]
}

/// The `columnDefinitions` of a Table of `resource`.
pub(super) fn columns(resource: Resource) -> Vec<Value> {
    match resource {
        Resource::Namespace => vec![
            name_column(),
            text("Status", 0, "The status of the namespace"),
            age_column(),
        ],
        Resource::Secret => vec![
            name_column(),
            text(
                "Type",
                0,
                "Used to facilitate programmatic handling of secret data.",
            ),
            text("Data", 0, "Data contains the secret data."),
            age_column(),
        ],
        Resource::ServiceAccount => vec![
            name_column(),
            text(
                "Secrets",
                0,
                "Secrets is a list of the secrets in the same namespace.",
            ),
            age_column(),
        ],
        Resource::Pod => pod_columns(),
        Resource::Event => event_columns(),
        Resource::ConfigMap => vec![
            name_column(),
            text("Data", 0, "Data contains the configuration data."),
            age_column(),
        ],
        Resource::Deployment => vec![
            name_column(),
            text("Ready", 0, "Number of the pod with ready state"),
            text("Up-to-date", 0, "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            text("Available", 0, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
            age_column(),
        ],
        Resource::Service => vec![
            name_column(),
            text("Type", 0, "The type of the service"),
            text("Cluster-IP", 0, "The cluster IP of the service"),
            text("External-IP", 0, "The external IP of the service"),
            text("Port(s)", 0, "The ports of the service"),
            age_column(),
        ],
        _ => vec![name_column(), age_column()],
    }
}

fn deployment_cells(o: &Value, name: String, age: String) -> Vec<Value> {
    let number = |p: &str| o.pointer(p).and_then(Value::as_i64).unwrap_or(0);
    vec![
        json!(name),
        json!(format!(
            "{}/{}",
            number("/status/readyReplicas"),
            number("/spec/replicas")
        )),
        json!(number("/status/updatedReplicas")),
        json!(number("/status/availableReplicas")),
        json!(age),
    ]
}

fn service_cells(o: &Value, name: String, age: String) -> Vec<Value> {
    let ports: Vec<String> = o
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            format!(
                "{}/{protocol}",
                p.get("port").and_then(Value::as_i64).unwrap_or(0)
            )
        })
        .collect();
    vec![
        json!(name),
        json!(string_at(o, "/spec/type")),
        json!(or_none(o, "/spec/clusterIP")),
        json!("<none>"),
        json!(if ports.is_empty() {
            "<none>".to_string()
        } else {
            ports.join(",")
        }),
        json!(age),
    ]
}

fn count(value: Option<&Value>) -> usize {
    match value {
        Some(Value::Object(m)) => m.len(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

/// The string at JSON pointer `p`, or `""`.
fn string_at(o: &Value, p: &str) -> String {
    o.pointer(p)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The string at `p`, or `<none>` when absent or empty.
fn or_none(o: &Value, p: &str) -> String {
    Some(string_at(o, p))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "<none>".into())
}

fn pod_cells(o: &Value, name: String, age: String) -> Vec<Value> {
    let statuses = o
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let total = count(o.pointer("/spec/containers"));
    let ready = statuses
        .iter()
        .filter(|c| c["ready"] == json!(true))
        .count();
    let restarts: i64 = statuses
        .iter()
        .filter_map(|c| c["restartCount"].as_i64())
        .sum();
    let waiting = statuses
        .iter()
        .find_map(|c| c.pointer("/state/waiting/reason").and_then(Value::as_str));
    // kubectl's printer: an init container still waiting shows as `Init:<reason>`.
    let init_waiting = o
        .pointer("/status/initContainerStatuses")
        .and_then(Value::as_array)
        .and_then(|s| s.iter().find_map(|c| c.pointer("/state/waiting/reason")))
        .and_then(Value::as_str)
        .map(|reason| format!("Init:{reason}"));
    let status = init_waiting
        .or_else(|| waiting.map(str::to_string))
        .unwrap_or_else(|| string_at(o, "/status/phase"));
    vec![
        json!(name),
        json!(format!("{ready}/{total}")),
        json!(status),
        json!(restarts.to_string()),
        json!(age),
        json!(or_none(o, "/status/podIP")),
        json!(or_none(o, "/spec/nodeName")),
    ]
}

fn event_cells(o: &Value, name: String, now: DateTime<Utc>) -> Vec<Value> {
    let last = o.get("lastTimestamp").and_then(Value::as_str).or_else(|| {
        o.pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str)
    });
    let involved = format!(
        "{}/{}",
        string_at(o, "/involvedObject/kind").to_ascii_lowercase(),
        string_at(o, "/involvedObject/name")
    );
    vec![
        json!(human_age(last, now)),
        json!(string_at(o, "/type")),
        json!(string_at(o, "/reason")),
        json!(involved),
        json!(string_at(o, "/message")),
        json!(o.get("count").and_then(Value::as_i64).unwrap_or(1)),
        json!(name),
    ]
}

/// The cells of one object's row, in the order of [`columns`].
pub(super) fn cells(resource: Resource, o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let age = human_age(
        o.pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str),
        now,
    );
    let name = object::name(o).to_string();
    match resource {
        Resource::Namespace => vec![
            json!(name),
            json!(string_at(o, "/status/phase")),
            json!(age),
        ],
        Resource::Secret => vec![
            json!(name),
            json!(string_at(o, "/type")),
            json!(count(o.get("data"))),
            json!(age),
        ],
        Resource::ServiceAccount => vec![json!(name), json!(count(o.get("secrets"))), json!(age)],
        Resource::Pod => pod_cells(o, name, age),
        Resource::Event => event_cells(o, name, now),
        Resource::ConfigMap => vec![json!(name), json!(count(o.get("data"))), json!(age)],
        Resource::Deployment => deployment_cells(o, name, age),
        Resource::Service => service_cells(o, name, age),
        _ => vec![json!(name), json!(age)],
    }
}
