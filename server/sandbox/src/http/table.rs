//! Server-side printing: `meta.k8s.io/v1` Tables, as kubectl requests with
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (columns and cells per
//! resource in `printers`, the choice of rendering in `negotiate`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::negotiate::{Include, TableMode};
use super::printers::{cells, columns};
use crate::resource::Resource;

/// Kubernetes' short human durations (`45s`, `3m12s`, `5h`, `12d`).
pub(crate) fn human_age(created: Option<&str>, now: DateTime<Utc>) -> String {
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
}
