//! Killing regboard in the middle of a fan-out and starting it again
//! converges with no lost and no duplicate copies (DESIGN rule 3).

use std::time::Duration;

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, ListParams, PostParams};
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;
use regboard_sandbox::{Sandbox, SandboxOptions, Seed};
use regboard_server::cluster::{ownership, proof};
use regboard_server::registries::objects::{registry_secret, Contents};

use crate::process::Regboard;

const NAMESPACES: usize = 60;

async fn copies(client: &kube::Client) -> Vec<Secret> {
    let api: Api<Secret> = Api::all(client.clone());
    let selector = format!(
        "{},{}=project",
        ownership::managed_selector(),
        ownership::SCOPE_LABEL
    );
    api.list(&ListParams::default().labels(&selector))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|s| s.metadata.namespace.as_deref() != Some("regboard-system"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_converges_on_restart_with_no_lost_or_duplicate_copies() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        Seed::Empty,
    ))
    .await
    .unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, sandbox.kubeconfig_yaml()).unwrap();
    let client = sandbox.client().unwrap();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    for i in 0..NAMESPACES {
        let ns: Namespace = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("big-{i:03}"), "labels": {"regboard.dev/project": "big"}}
        }))
        .unwrap();
        namespaces
            .create(&PostParams::default(), &ns)
            .await
            .unwrap();
    }
    let system: Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "regboard-system"}}))
            .unwrap();
    namespaces
        .create(&PostParams::default(), &system)
        .await
        .unwrap();
    // The desired state, as the registry service writes it: one source
    // Secret, sealed with the key the server will find beside its database.
    let db = dir.path().join("regboard.db");
    let key = regboard_server::keyfile::load_or_create(&proof::key_path(&db))
        .await
        .map(proof::OwnershipKey::new)
        .unwrap();
    let config =
        DockerConfig::for_hosts(&["ghcr.io".into()], "bot", &Password::new("crash-pw"), None);
    let mut source = registry_secret(
        "big.pull",
        "regboard-system",
        ownership::project_labels("big", "pull"),
        &Contents {
            config: &config,
            description: "",
            valid_until: Default::default(),
        },
    );
    key.seal(&mut source);
    let source = Api::<Secret>::namespaced(client.clone(), "regboard-system")
        .create(&PostParams::default(), &source)
        .await
        .unwrap();

    // Slow the API down so the fan-out is caught in the middle.
    sandbox.faults().set_latency(Duration::from_millis(40));
    let first = Regboard::start(&kubeconfig, &db, &["--reconcile-concurrency", "2"]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let made = loop {
        let n = copies(&client).await.len();
        if n >= 5 {
            break n;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fan-out never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    first.kill();
    let after_kill = copies(&client).await.len();
    assert!(
        after_kill < NAMESPACES,
        "killed mid-way ({made} then {after_kill} of {NAMESPACES})"
    );

    sandbox.faults().clear();
    let second = Regboard::start(&kubeconfig, &db, &[]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while copies(&client).await.len() < NAMESPACES {
        assert!(tokio::time::Instant::now() < deadline, "did not converge");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = copies(&client).await;
    assert_eq!(all.len(), NAMESPACES, "exactly one copy per namespace");
    let mut seen: Vec<_> = all
        .iter()
        .map(|s| s.metadata.namespace.clone().unwrap())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), NAMESPACES, "no namespace has two");
    for copy in &all {
        assert_eq!(copy.metadata.name.as_deref(), Some("pull"));
        assert_eq!(copy.data, source.data);
        assert_eq!(
            ownership::annotation(copy, ownership::SOURCE_UID),
            source.metadata.uid.as_deref()
        );
    }
    second.stop();
}
