//! Least privilege, proven. regboard runs against a sandbox that authorizes
//! every request with the objects `kubectl kustomize deploy/base` renders
//! (the ClusterRole, its binding, the namespace), connected as the
//! ServiceAccount those manifests bind, exactly as in a cluster. Every
//! feature that touches the cluster then runs once, through the server
//! functions as the browser calls them, and checks that it worked. The
//! suite fails
//!
//! - when the cluster refused regboard anything (a 403), naming the case
//!   and the refused (verb, resource, scope), and
//! - when the ClusterRole grants a (verb, group, resource) that no case
//!   used, naming it: a grant nobody needs is a grant to remove.
//!
//! ## Adding a feature that calls the Kubernetes API
//!
//! 1. Add one line to the table `CASES` at the top of `rbac/cases.rs`:
//!    `case("what a person does", |app| Box::pin(your_fn(app)))`, where
//!    `your_fn(app: &TestApp)` uses the feature through its server
//!    functions (see `registry_helpers::call`) and asserts the result. Set
//!    up the cluster around it with `app.kube()` (the sandbox's admin: its
//!    calls are not regboard's and are not counted). Use names of your own
//!    (`rbac-…`): every case shares one app and one cluster, in table order.
//! 2. Run `cargo test -p regboard-server --test api rbac`. It names what
//!    was refused; grant exactly that in `deploy/base/rbac.yaml`, with the
//!    file that needs it in the comment beside the verb.
//! 3. A permission regboard needs from its first second (a new reflector):
//!    also list it in `regboard_server::cluster::permission::NEEDED_AT_START`,
//!    so `/readyz` names it when it is missing.
//!
//! `rbac/refusals.rs` proves the other half: under the manifests' rules
//! minus one verb, `/readyz`, the page and the action's error and audit row
//! name the missing permission in one sentence.

use std::time::Instant;

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};
use regboard_sandbox::{
    unused_grants, Access, Authorization, Identity, Sandbox, SandboxOptions, Seed,
};
use regboard_server::cluster::permission::CLUSTER_ROLE;
use serde_json::Value;

use crate::helpers::{spawn_on_sandbox_as, TestApp};

mod attach_features;
mod cases;
mod project_features;
mod pull_secret_features;
mod refusals;
mod registry_features;
mod workload_features;

/// The bearer token regboard presents: the ServiceAccount's.
pub(crate) const TOKEN: &str = "regboard-token";
/// The user name the sandbox records regboard's requests under.
pub(crate) const SA: &str = "system:serviceaccount:regboard-system:regboard";

/// Every object `kubectl kustomize deploy/base` renders, as JSON values.
pub(crate) fn rendered_manifests() -> Vec<Value> {
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/base");
    let out = std::process::Command::new("kubectl")
        .args(["kustomize", base])
        .output()
        .expect("kubectl renders the manifests (the suite needs kubectl on PATH)");
    assert!(
        out.status.success(),
        "kubectl kustomize {base}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|doc| <Value as serde::Deserialize>::deserialize(doc).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

/// The rules of regboard's ClusterRole among `docs`.
pub(crate) fn cluster_role_rules(docs: &[Value]) -> Vec<PolicyRule> {
    let role = docs
        .iter()
        .find(|d| d["kind"] == "ClusterRole" && d["metadata"]["name"] == CLUSTER_ROLE)
        .unwrap_or_else(|| panic!("the manifests hold a ClusterRole {CLUSTER_ROLE:?}"));
    let role: ClusterRole = serde_json::from_value(role.clone()).unwrap();
    role.rules.unwrap_or_default()
}

/// regboard on a demo sandbox whose authorizer holds `docs` (the
/// manifests, maybe changed), connected as the ServiceAccount.
pub(crate) async fn spawn_under(docs: &[Value]) -> TestApp {
    // JSON documents are YAML documents.
    let yaml: Vec<String> = docs.iter().map(Value::to_string).collect();
    let auth = Authorization::rbac()
        .token(
            TOKEN,
            Identity::service_account("regboard-system", "regboard"),
        )
        .manifests_yaml(&yaml.join("\n---\n"))
        .expect("the manifests load");
    let options =
        SandboxOptions::new("127.0.0.1:0".parse().unwrap(), Seed::Demo).with_authorization(auth);
    let sandbox = Sandbox::start(options).await.unwrap();
    spawn_on_sandbox_as(sandbox, TOKEN).await
}

/// What the sandbox recorded of regboard.
fn recorder(app: &TestApp) -> &regboard_sandbox::Recorder {
    app.sandbox.as_ref().expect("a sandbox").recorder()
}

fn lines(accesses: &[Access]) -> String {
    let lines: Vec<String> = accesses.iter().map(|a| format!("  {a}")).collect();
    lines.join("\n")
}

/// `verb resource.group` at the cluster scope or "in a namespace".
fn shape(a: &Access) -> (String, String, String, bool) {
    let what = a.path.clone().unwrap_or_else(|| a.resource.clone());
    (
        a.verb.clone(),
        a.api_group.clone(),
        what,
        a.namespace.is_some(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_feature_works_under_the_manifests_rbac_and_every_grant_is_used() {
    let started = Instant::now();
    let docs = rendered_manifests();
    let rules = cluster_role_rules(&docs);
    let app = spawn_under(&docs).await;
    for case in cases::all() {
        let before = recorder(&app).refused_for(SA);
        (case.run)(&app).await;
        let refused: Vec<Access> = recorder(&app)
            .refused_for(SA)
            .into_iter()
            .filter(|a| !before.contains(a))
            .collect();
        assert!(
            refused.is_empty(),
            "{}: the cluster refused regboard (grant it in deploy/base/rbac.yaml, or do without):\n{}",
            case.feature,
            lines(&refused)
        );
    }
    let used = recorder(&app).allowed_for(SA);
    let unused = unused_grants(&rules, &used);
    let unused: Vec<String> = unused.iter().map(|g| format!("  {g}")).collect();
    assert!(
        unused.is_empty(),
        "the ClusterRole grants what no feature used (remove it from deploy/base/rbac.yaml, or add the case that needs it):\n{}\nused:\n{}",
        unused.join("\n"),
        lines(&used)
    );
    let mut shapes: Vec<_> = used.iter().map(shape).collect();
    shapes.sort();
    shapes.dedup();
    eprintln!(
        "rbac: {} cases, {} distinct calls ({} by verb, group, resource and cluster/namespace scope), none refused, every grant used, in {:.1} s:\n{}",
        cases::all().len(),
        used.len(),
        shapes.len(),
        started.elapsed().as_secs_f64(),
        lines(&used)
    );
}
