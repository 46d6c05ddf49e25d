//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`.
//!
//! `/api` and `/apis` always answer with the legacy (unaggregated) documents and
//! `Content-Type: application/json`; clients asking for aggregated discovery
//! (`as=APIGroupDiscoveryList`) see the plain type and fall back to `/api/v1`, as
//! they do against any apiserver older than 1.26.

use http::HeaderMap;
use serde_json::{json, Value};

use crate::resource::Resource;

/// `/version`, from a gitVersion like `v1.33.0-sandbox`.
pub fn version(git_version: &str) -> Value {
    let core = git_version.trim_start_matches('v');
    let mut parts = core.split(['.', '-']);
    let major = parts.next().unwrap_or("1");
    let minor = parts.next().unwrap_or("33");
    json!({
        "major": major,
        "minor": minor,
        "emulationMajor": major,
        "emulationMinor": minor,
        "minCompatibilityMajor": major,
        "minCompatibilityMinor": minor,
        "gitVersion": git_version,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-04-23T00:00:00Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": format!("{}/{}", std::env::consts::OS, go_arch()),
    })
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// `/api`: the core group's versions.
pub fn api_versions(_headers: &HeaderMap) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
    })
}

/// `/api/v1`: the served resources.
pub fn resource_list() -> Value {
    let resources: Vec<Value> = Resource::ALL
        .iter()
        .map(|r| {
            let mut entry = json!({
                "name": r.plural(),
                "singularName": r.singular(),
                "namespaced": r.namespaced(),
                "kind": r.kind(),
                "verbs": r.verbs(),
            });
            if !r.short_names().is_empty() {
                entry["shortNames"] = json!(r.short_names());
            }
            if *r == Resource::Pod {
                entry["categories"] = json!(["all"]);
            }
            entry
        })
        .collect();
    json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": resources})
}

/// `/apis`: no named groups are served.
pub fn group_list() -> Value {
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
}
