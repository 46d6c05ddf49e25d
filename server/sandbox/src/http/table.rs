//! Server-side printing: `meta.k8s.io/v1` Tables, as kubectl requests with
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use http::{header, HeaderMap};
use serde_json::{json, Value};

use crate::object;
use crate::resource::Resource;

/// How a response should be rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableMode {
    /// The plain object or list.
    Plain,
    /// `meta.k8s.io/v1` PartialObjectMetadata (a list: PartialObjectMetadataList): the
    /// object's metadata only, as kube-rs and client-go metadata clients ask for.
    Metadata,
    /// A Table of the given `meta.k8s.io` version, with rows carrying the object as asked.
    Table {
        version: &'static str,
        include: Include,
    },
}

/// `includeObject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Include {
    None,
    Metadata,
    Object,
}

impl TableMode {
    /// Picks the first acceptable rendering from `Accept` and `includeObject`.
    pub fn negotiate(headers: &HeaderMap, include_object: Option<&str>) -> TableMode {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let include = match include_object {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        };
        for entry in accept.split(',') {
            let mut parts = entry.split(';').map(str::trim);
            let media = parts.next().unwrap_or("");
            let params: Vec<&str> = parts.collect();
            let is_table = params.contains(&"as=Table") && params.contains(&"g=meta.k8s.io");
            let is_metadata = (params.contains(&"as=PartialObjectMetadata")
                || params.contains(&"as=PartialObjectMetadataList"))
                && params.contains(&"g=meta.k8s.io")
                && params.contains(&"v=v1");
            if media == "application/json" && is_metadata {
                return TableMode::Metadata;
            }
            if media == "application/json" && is_table {
                if params.contains(&"v=v1") {
                    return TableMode::Table {
                        version: "meta.k8s.io/v1",
                        include,
                    };
                }
                if params.contains(&"v=v1beta1") {
                    return TableMode::Table {
                        version: "meta.k8s.io/v1beta1",
                        include,
                    };
                }
            } else if !params.iter().any(|p| p.starts_with("as=")) {
                return TableMode::Plain;
            }
        }
        TableMode::Plain
    }
}

/// Kubernetes' short human durations (`45s`, `3m12s`, `5h`, `12d`).
pub fn human_age(created: Option<&str>, now: DateTime<Utc>) -> String {
    let Some(created) = created.and_then(|c| DateTime::parse_from_rfc3339(c).ok()) else {
        return "<unknown>".into();
    };
    let secs = (now - created.with_timezone(&Utc)).num_seconds().max(0);
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86_400);
    match secs {
        s if s < 120 => format!("{s}s"),
        _ if m < 10 => match secs % 60 {
            0 => format!("{m}m"),
            s => format!("{m}m{s}s"),
        },
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 => match m % 60 {
            0 => format!("{h}h"),
            mm => format!("{h}h{mm}m"),
        },
        _ if h < 48 => format!("{h}h"),
        _ if h < 192 => match h % 24 {
            0 => format!("{d}d"),
            hh => format!("{d}d{hh}h"),
        },
        _ if d < 365 * 2 => format!("{d}d"),
        _ => format!("{}y{}d", d / 365, d % 365),
    }
}

fn column(name: &str, kind: &str, format: &str, priority: u8, description: &str) -> Value {
    json!({"name": name, "type": kind, "format": format, "description": description, "priority": priority})
}

fn columns(resource: Resource) -> Vec<Value> {
    let name = column(
        "Name",
        "string",
        "name",
        0,
        "Name must be unique within a namespace.",
    );
    let age = column("Age", "string", "", 0, "CreationTimestamp is a timestamp representing the server time when this object was created.");
    match resource {
        Resource::Namespace => vec![
            name,
            column("Status", "string", "", 0, "The status of the namespace"),
            age,
        ],
        Resource::Secret => vec![
            name,
            column(
                "Type",
                "string",
                "",
                0,
                "Used to facilitate programmatic handling of secret data.",
            ),
            column("Data", "string", "", 0, "Data contains the secret data."),
            age,
        ],
        Resource::ServiceAccount => vec![
            name,
            column(
                "Secrets",
                "string",
                "",
                0,
                "Secrets is a list of the secrets in the same namespace.",
            ),
            age,
        ],
        Resource::Pod => vec![
            name,
            column(
                "Ready",
                "string",
                "",
                0,
                "The aggregate readiness state of this pod for accepting traffic.",
            ),
            column(
                "Status",
                "string",
                "",
                0,
                "The aggregate status of the containers in this pod.",
            ),
            column(
                "Restarts",
                "string",
                "",
                0,
                "The number of times the containers in this pod have been restarted.",
            ),
            age,
            column("IP", "string", "", 1, "IP address allocated to the pod."),
            column(
                "Node",
                "string",
                "",
                1,
                "Name of the Node this pod is assigned to.",
            ),
        ],
        Resource::Event => vec![
            column(
                "Last Seen",
                "string",
                "",
                0,
                "The time at which the most recent occurrence of this event was recorded.",
            ),
            column(
                "Type",
                "string",
                "",
                0,
                "Type of this event (Normal, Warning).",
            ),
            column(
                "Reason",
                "string",
                "",
                0,
                "This should be a short, machine understandable string.",
            ),
            column(
                "Object",
                "string",
                "",
                0,
                "The object that this event is about.",
            ),
            column(
                "Message",
                "string",
                "",
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
            column(
                "Name",
                "string",
                "name",
                1,
                "Name must be unique within a namespace.",
            ),
        ],
    }
}

fn count(value: Option<&Value>) -> usize {
    match value {
        Some(Value::Object(m)) => m.len(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

fn cells(resource: Resource, o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let s = |p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let age = human_age(
        o.pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str),
        now,
    );
    let name = object::name(o).to_string();
    match resource {
        Resource::Namespace => vec![json!(name), json!(s("/status/phase")), json!(age)],
        Resource::Secret => vec![
            json!(name),
            json!(s("/type")),
            json!(count(o.get("data"))),
            json!(age),
        ],
        Resource::ServiceAccount => vec![json!(name), json!(count(o.get("secrets"))), json!(age)],
        Resource::Pod => {
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
            let phase = s("/status/phase");
            let status = waiting.map_or(phase, str::to_string);
            let node = Some(s("/spec/nodeName"))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "<none>".into());
            let ip = Some(s("/status/podIP"))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "<none>".into());
            vec![
                json!(name),
                json!(format!("{ready}/{total}")),
                json!(status),
                json!(restarts.to_string()),
                json!(age),
                json!(ip),
                json!(node),
            ]
        }
        Resource::Event => {
            let last = o.get("lastTimestamp").and_then(Value::as_str).or_else(|| {
                o.pointer("/metadata/creationTimestamp")
                    .and_then(Value::as_str)
            });
            let involved = format!(
                "{}/{}",
                s("/involvedObject/kind").to_ascii_lowercase(),
                s("/involvedObject/name")
            );
            vec![
                json!(human_age(last, now)),
                json!(s("/type")),
                json!(s("/reason")),
                json!(involved),
                json!(s("/message")),
                json!(o.get("count").and_then(Value::as_i64).unwrap_or(1)),
                json!(name),
            ]
        }
    }
}

/// An object's `meta.k8s.io/v1` PartialObjectMetadata: kind, apiVersion and metadata only.
pub(crate) fn partial_metadata(object: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": object.get("metadata").cloned().unwrap_or(json!({})),
    })
}

/// Renders objects as a Table of `resource`; `list_meta` becomes the Table's metadata.
pub(crate) fn render(
    resource: Resource,
    items: &[Arc<Value>],
    list_meta: Value,
    mode: TableMode,
) -> Value {
    let (version, include) = match mode {
        TableMode::Table { version, include } => (version, include),
        TableMode::Plain | TableMode::Metadata => ("meta.k8s.io/v1", Include::Metadata),
    };
    let now = Utc::now();
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let mut row = json!({"cells": cells(resource, o, now)});
            match include {
                Include::None => {}
                Include::Object => row["object"] = (**o).clone(),
                Include::Metadata => row["object"] = partial_metadata(o),
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": version,
        "metadata": list_meta,
        "columnDefinitions": columns(resource),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn ages() {
        let now = DateTime::parse_from_rfc3339("2025-01-10T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let age = |ts: &str| human_age(Some(ts), now);
        assert_eq!(age("2025-01-09T23:59:15Z"), "45s");
        assert_eq!(age("2025-01-09T23:56:48Z"), "3m12s");
        assert_eq!(age("2025-01-09T19:00:00Z"), "5h");
        assert_eq!(age("2024-12-29T00:00:00Z"), "12d");
        assert_eq!(human_age(None, now), "<unknown>");
    }

    #[test]
    fn negotiation() {
        let mut headers = HeaderMap::new();
        assert_eq!(TableMode::negotiate(&headers, None), TableMode::Plain);
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"),
        );
        assert_eq!(
            TableMode::negotiate(&headers, None),
            TableMode::Table {
                version: "meta.k8s.io/v1",
                include: Include::Metadata
            }
        );
        for accept in [
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        ] {
            headers.insert(header::ACCEPT, HeaderValue::from_static(accept));
            assert_eq!(TableMode::negotiate(&headers, None), TableMode::Metadata);
        }
    }
}
