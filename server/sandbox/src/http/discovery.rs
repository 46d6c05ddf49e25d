//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/{group}[/{version}]`.
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

/// `/api/v1` or `/apis/{group}/{version}`: the resources served there, if any.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let resources: Vec<Value> = Resource::ALL
        .iter()
        .filter(|r| r.group() == group && r.version() == version)
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
            if !r.categories().is_empty() {
                entry["categories"] = json!(r.categories());
            }
            entry
        })
        .collect();
    if resources.is_empty() && !(group == "authorization.k8s.io" && version == "v1") {
        return None;
    }
    let group_version = match group {
        "" => version.to_string(),
        g => format!("{g}/{version}"),
    };
    let mut list =
        json!({"kind": "APIResourceList", "groupVersion": group_version, "resources": resources});
    if !group.is_empty() {
        list["apiVersion"] = json!("v1");
    }
    if group == "authorization.k8s.io" {
        list["resources"] = json!([{
            "name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
            "namespaced": false, "kind": "SelfSubjectAccessReview", "verbs": ["create"],
        }]);
    }
    Some(list)
}

/// The groups served under `/apis`, with `authorization.k8s.io` for access reviews.
fn group_names() -> Vec<&'static str> {
    let mut groups = Resource::groups();
    groups.push("authorization.k8s.io");
    groups
}

fn group_entry(group: &str) -> Value {
    let preferred = json!({"groupVersion": format!("{group}/v1"), "version": "v1"});
    json!({"name": group, "versions": [preferred.clone()], "preferredVersion": preferred})
}

/// `/apis`: every named group, each with its one version `v1`.
pub fn group_list() -> Value {
    let groups: Vec<Value> = group_names().into_iter().map(group_entry).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`, if the group is served.
pub fn group(group: &str) -> Option<Value> {
    group_names().contains(&group).then(|| {
        let mut entry = group_entry(group);
        entry["kind"] = json!("APIGroup");
        entry["apiVersion"] = json!("v1");
        entry
    })
}
