//! What `kubectl apply` sends: OpenAPI download and server-side field validation,
//! `apply -k` of every stored kind (twice: the second time unchanged), and server-side
//! apply with field managers and kube-apiserver's conflict answer.

use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams};
use regboard_sandbox::{Sandbox, Seed};
use serde_json::{json, Value};

use crate::kubectl::Kubectl;
use crate::sandbox;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kustomize")
}

/// The verbs kubectl printed, one per object (`created`, `unchanged`, ...).
fn outcomes(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn kubectl_apply_k_creates_every_kind_then_is_unchanged() {
    let sb = sandbox(Seed::Empty).await;
    let Some(k) = Kubectl::new(&sb) else { return };
    let dir = fixture();
    let first = k.ok(&["apply", "-k", dir.to_str().unwrap()]).await;
    let created = outcomes(&first);
    assert_eq!(created.len(), 12, "{first}");
    assert!(created.iter().all(|o| o == "created"), "{first}");
    for kind in [
        "deployment.apps/fixture",
        "ingress.networking.k8s.io/fixture",
        "lease.coordination.k8s.io/fixture-leader",
        "clusterrolebinding.rbac.authorization.k8s.io/fixture",
        "persistentvolumeclaim/fixture-data",
        "service/fixture",
    ] {
        assert!(
            first.contains(&format!("{kind} created")),
            "{kind}:\n{first}"
        );
    }
    let second = k.ok(&["apply", "-k", dir.to_str().unwrap()]).await;
    assert_eq!(outcomes(&second), vec!["unchanged"; 12], "{second}");
    let resources = k.ok(&["api-resources", "-o", "name"]).await;
    for name in [
        "deployments.apps",
        "ingresses.networking.k8s.io",
        "leases.coordination.k8s.io",
        "roles.rbac.authorization.k8s.io",
        "persistentvolumeclaims",
        "services",
    ] {
        assert!(
            resources.lines().any(|l| l == name),
            "{name} missing:\n{resources}"
        );
    }
    let service = k
        .ok(&[
            "get",
            "service",
            "fixture",
            "-n",
            "fixture-system",
            "-o",
            "json",
        ])
        .await;
    let service: Value = serde_json::from_str(&service).unwrap();
    assert_eq!(service["spec"]["type"], "ClusterIP");
    assert!(service["spec"]["clusterIP"]
        .as_str()
        .is_some_and(|ip| ip.starts_with("10.96.")));
    sb.shutdown().await;
}

/// The base, then the example overlay over it (kubectl patches the Deployment's
/// container by name), then the overlay again: unchanged.
#[tokio::test]
async fn kubectl_apply_of_the_deploy_base_then_overlay_is_unchanged_the_second_time() {
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    let (base, overlay) = (deploy.join("base"), deploy.join("overlays/example"));
    if !overlay.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} is missing",
            overlay.display()
        );
        eprintln!("SKIPPED: {} does not exist yet", overlay.display());
        return;
    }
    let sb = sandbox(Seed::Demo).await;
    let Some(k) = Kubectl::new(&sb) else { return };
    k.ok(&["apply", "-k", base.to_str().unwrap()]).await;
    let upgraded = k.ok(&["apply", "-k", overlay.to_str().unwrap()]).await;
    assert!(
        upgraded.contains("deployment.apps/regboard configured"),
        "{upgraded}"
    );
    let again = k.ok(&["apply", "-k", overlay.to_str().unwrap()]).await;
    assert!(outcomes(&again).iter().all(|o| o == "unchanged"), "{again}");
    let json = k
        .ok(&[
            "get",
            "deployment",
            "regboard",
            "-n",
            "regboard-system",
            "-o",
            "json",
        ])
        .await;
    let deployment: Value = serde_json::from_str(&json).unwrap();
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert!(
        container["image"].as_str().is_some_and(|i| !i.is_empty()),
        "{container}"
    );
    assert!(
        container["readinessProbe"].is_object(),
        "the patch kept the rest of the container"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn kubectl_validates_through_the_server_and_names_unknown_fields() {
    let sb = sandbox(Seed::Empty).await;
    let Some(k) = Kubectl::new(&sb) else { return };
    let manifest = k.dir().join("typo.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typo\n  namespace: default\nspec:\n  replica: 2\n  \
         selector: {matchLabels: {app: t}}\n  template:\n    metadata: {labels: {app: t}}\n    spec:\n      \
         containers: [{name: app, image: nginx, imagePullPolicyy: Always}]\n",
    )
    .unwrap();
    let path = manifest.to_str().unwrap();
    let (ok, _, err) = k.run(&["apply", "-f", path]).await;
    assert!(!ok);
    assert!(
        err.contains("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: \
                      unknown field \"spec.replica\", unknown field \"spec.template.spec.containers[0].imagePullPolicyy\""),
        "{err}"
    );
    let created = k.ok(&["apply", "-f", path, "--validate=false"]).await;
    assert_eq!(created.trim(), "deployment.apps/typo created");
    sb.shutdown().await;
}

fn config_map(mode: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": mode}})
}

/// PATCHes an apply body as `manager` over plain HTTP: (code, body).
async fn raw_apply(sb: &Sandbox, manager: &str, body: &Value) -> (u16, Value) {
    let url = format!(
        "{}/api/v1/namespaces/default/configmaps/settings?fieldManager={manager}",
        sb.url()
    );
    let response = reqwest::Client::new()
        .patch(url)
        .header("content-type", "application/apply-patch+yaml")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let code = response.status().as_u16();
    (
        code,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

/// `alice` applies `mode` and `owner`, `bob` applies the same `mode`: both own it.
async fn shared_settings(sb: &Sandbox) -> Api<ConfigMap> {
    let maps: Api<ConfigMap> = Api::namespaced(sb.client().unwrap(), "default");
    let mut first = config_map("fast");
    first["data"]["owner"] = json!("alice");
    let alice = PatchParams::apply("alice");
    maps.patch("settings", &alice, &Patch::Apply(&first))
        .await
        .unwrap();
    let bob = PatchParams::apply("bob");
    maps.patch("settings", &bob, &Patch::Apply(&config_map("fast")))
        .await
        .unwrap();
    maps
}

#[tokio::test]
async fn server_side_apply_answers_a_conflict_as_kube_apiserver() {
    let sb = sandbox(Seed::Empty).await;
    shared_settings(&sb).await;
    let (code, body) = raw_apply(&sb, "bob", &config_map("slow")).await;
    let expected = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Apply failed with 1 conflict: conflict with \"alice\": .data.mode", "reason": "Conflict",
        "details": {"causes": [{"reason": "FieldManagerConflict", "message": "conflict with \"alice\"", "field": ".data.mode"}]},
        "code": 409});
    assert_eq!((code, body), (409, expected));
    let (code, body) = raw_apply(&sb, "", &config_map("x")).await;
    assert_eq!(
        (code, body["reason"].as_str()),
        (422, Some("Invalid")),
        "an apply names its manager"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn forced_applies_take_fields_and_an_applier_removes_what_it_stops_applying() {
    let sb = sandbox(Seed::Empty).await;
    let maps = shared_settings(&sb).await;
    let force = PatchParams::apply("bob").force();
    let forced = maps
        .patch("settings", &force, &Patch::Apply(&config_map("slow")))
        .await
        .unwrap();
    assert_eq!(forced.data.unwrap()["mode"], "slow");
    let owners: Vec<(String, Value)> = forced
        .metadata
        .managed_fields
        .unwrap()
        .into_iter()
        .map(|e| (e.manager.unwrap(), e.fields_v1.unwrap().0))
        .collect();
    assert_eq!(
        owners,
        vec![
            ("alice".to_string(), json!({"f:data": {"f:owner": {}}})),
            ("bob".to_string(), json!({"f:data": {"f:mode": {}}})),
        ]
    );
    let nothing =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}});
    let alice = PatchParams::apply("alice");
    let dropped = maps
        .patch("settings", &alice, &Patch::Apply(&nothing))
        .await
        .unwrap();
    assert_eq!(
        dropped.data.unwrap().len(),
        1,
        "alice's field goes when alice stops applying it"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn kubectl_server_side_apply_reports_conflicts_and_forces() {
    let sb = sandbox(Seed::Empty).await;
    let Some(k) = Kubectl::new(&sb) else { return };
    let write = |name: &str, mode: &str| {
        let path = k.dir().join(name);
        std::fs::write(&path, format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  mode: {mode}\n")).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (fast, slow) = (write("fast.yaml", "fast"), write("slow.yaml", "slow"));
    let applied = k
        .ok(&[
            "apply",
            "--server-side",
            "--field-manager=alice",
            "-f",
            &fast,
        ])
        .await;
    assert_eq!(applied.trim(), "configmap/settings serverside-applied");
    let (ok, _, err) = k
        .run(&["apply", "--server-side", "--field-manager=bob", "-f", &slow])
        .await;
    assert!(
        !ok && err.contains("Apply failed with 1 conflict: conflict with \"alice\": .data.mode"),
        "{err}"
    );
    k.ok(&[
        "apply",
        "--server-side",
        "--field-manager=bob",
        "--force-conflicts",
        "-f",
        &slow,
    ])
    .await;
    let mode = k
        .ok(&[
            "get",
            "configmap",
            "settings",
            "-o",
            "jsonpath={.data.mode}",
        ])
        .await;
    assert_eq!(mode, "slow");
    sb.shutdown().await;
}
