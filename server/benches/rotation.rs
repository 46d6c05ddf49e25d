//! Rotating the credential of a project registry that reaches 500
//! namespaces on the sandbox: the time from the `rotate_registry_credential`
//! call until every copy carries the new credential, against a floor
//! measured in the same run on the same sandbox: the bench's own kube
//! client making 500 PUTs of a Secret of the same size, one after another
//! (and, second floor, 16 at a time).
//!
//! Run: `cargo bench -p regboard-server --bench rotation`. Environment:
//! `ROTATION_NAMESPACES=N` (500), `ROTATION_RUNS=R` rotations timed (3,
//! medians shown).
//!
//! The server is the one the integration tests start (`startup::start` on
//! a demo sandbox). The namespaces join project `bench` through
//! `set_namespace_project`, the registry is created through
//! `create_registry` and synced before the clock starts. "Carries" is
//! read from the sandbox itself: a poller lists the copies every
//! [`POLL`] and stops the clock when all hold the new password; the call's
//! own answer (which also lists the pods of every namespace for the
//! report) is timed apart.

use std::time::{Duration, Instant};

use futures::{stream, StreamExt};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, ListParams, PostParams};
use regboard_app::domain::attachment::Attachment;
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;
use regboard_app::model::changes::RotationInput;
use regboard_app::model::registries::{HostCredential, RegistryInput, Scope};
use serde::Serialize;
use serde_json::json;

mod common;
#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

const PROJECT: &str = "bench";
const NAME: &str = "rotated";
/// How often the poller lists the copies.
const POLL: Duration = Duration::from_millis(20);

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let count: usize = env_or("ROTATION_NAMESPACES", 500);
    let runs: usize = env_or("ROTATION_RUNS", 3).max(1);
    let app = helpers::spawn_app().await;
    let base = app.url("");
    let started = Instant::now();
    prepare(&app, count).await;
    println!(
        "{count} namespaces in project {PROJECT}, registry synced in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let kube = app.kube();
    let mut carried = Vec::new();
    let mut answered = Vec::new();
    for run in 0..runs {
        let password = format!("rotated password {run}");
        let input = RotationInput {
            scope: Scope::Project {
                project: PROJECT.into(),
            },
            name: NAME.into(),
            host: None,
            username: None,
            password: Password::new(&password),
            valid_until: None,
            test_credential: false,
        };
        let clock = Instant::now();
        let poller = tokio::spawn(until_all_carry(kube.clone(), count, password.clone()));
        #[derive(Serialize)]
        struct Args {
            input: RotationInput,
        }
        common::call(
            &app.client,
            &base,
            "rotate_registry_credential",
            &Args { input },
        )
        .await;
        answered.push(clock.elapsed());
        carried.push(poller.await.unwrap() - clock);
    }
    let serial = floor(&kube, count, 1).await;
    let parallel = floor(&kube, count, 16).await;
    let carried = median(carried);
    println!(
        "\n{:<58} {:>9} {:>9}",
        "figure (median of runs)", "ms", "x floor"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let row = |label: &str, d: Duration| {
        println!("{label:<58} {:>9.0} {:>9.2}", ms(d), ms(d) / ms(serial));
    };
    row(
        "rotate call → every copy carries the new credential",
        carried,
    );
    row(
        "rotate call answered (with the report's pod lists)",
        median(answered),
    );
    row("floor: 500 sequential PUTs, one kube client", serial);
    row("floor: the same PUTs, 16 at a time", parallel);
    println!(
        "\nregboard / sequential floor: {:.2}; regboard / 16-wide floor: {:.2}",
        ms(carried) / ms(serial),
        ms(carried) / ms(parallel)
    );
}

/// Namespaces `bench-NNNNN` joined to project `bench`, the registry created
/// and synced, and a plain Secret `floor` in each for the floor's PUTs.
async fn prepare(app: &helpers::TestApp, count: usize) {
    let base = app.url("");
    let project = json!({"name": PROJECT, "display_name": "Bench", "description": ""});
    common::call(&app.client, &base, "create_project", &project).await;
    let namespaces: Api<Namespace> = Api::all(app.kube());
    for i in 0..count {
        let name = format!("bench-{i:05}");
        let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
        namespaces
            .create(&PostParams::default(), &ns)
            .await
            .unwrap();
        let args = json!({"namespace": name, "project": PROJECT, "confirm": true});
        common::call(&app.client, &base, "set_namespace_project", &args).await;
        let floor: Secret = serde_json::from_value(json!({
            "metadata": {"name": "floor"}, "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": "eyJhdXRocyI6e319"}
        }))
        .unwrap();
        Api::<Secret>::namespaced(app.kube(), &name)
            .create(&PostParams::default(), &floor)
            .await
            .unwrap();
    }
    #[derive(Serialize)]
    struct Input {
        input: RegistryInput,
    }
    let input = RegistryInput {
        scope: Scope::Project {
            project: PROJECT.into(),
        },
        name: NAME.into(),
        credentials: vec![HostCredential::new("ghcr.io", "ci-bot", "first password")],
        description: String::new(),
        attachment: Attachment::None,
        test_credential: false,
    };
    common::call(&app.client, &base, "create_registry", &Input { input }).await;
    until_all_carry(app.kube(), count, "first password".into()).await;
}

/// When every copy of the registry in the cluster holds `password`.
async fn until_all_carry(kube: kube::Client, count: usize, password: String) -> Instant {
    let api: Api<Secret> = Api::all(kube);
    let params = ListParams::default().fields(&format!("metadata.name={NAME}"));
    loop {
        let copies = api.list(&params).await.unwrap().items;
        let carrying = copies
            .iter()
            .filter(|s| s.metadata.namespace.as_deref() != Some("regboard-system"))
            .filter(|s| password_of(s).as_deref() == Some(password.as_str()))
            .count();
        if carrying == count {
            return Instant::now();
        }
        tokio::time::sleep(POLL).await;
    }
}

fn password_of(secret: &Secret) -> Option<String> {
    let bytes = &secret.data.as_ref()?.get(".dockerconfigjson")?.0;
    let config = DockerConfig::parse_dockerconfigjson(bytes).ok()?;
    Some(config.username_password("ghcr.io")?.1.expose().to_owned())
}

/// 500 PUTs of Secret `floor` (as large as a copy), `width` at a time.
async fn floor(kube: &kube::Client, count: usize, width: usize) -> Duration {
    let mut bodies = Vec::with_capacity(count);
    for i in 0..count {
        let ns = format!("bench-{i:05}");
        let api: Api<Secret> = Api::namespaced(kube.clone(), &ns);
        let mut secret = api.get("floor").await.unwrap();
        let config = DockerConfig::for_hosts(
            &["ghcr.io".to_owned()],
            "ci-bot",
            &Password::new(format!("floor {width}")),
            None,
        );
        secret.data = Some(
            [(
                ".dockerconfigjson".to_owned(),
                k8s_openapi::ByteString(config.to_json().into_bytes()),
            )]
            .into(),
        );
        bodies.push((api, secret));
    }
    let clock = Instant::now();
    stream::iter(bodies)
        .map(|(api, secret)| async move {
            api.replace("floor", &PostParams::default(), &secret)
                .await
                .unwrap();
        })
        .buffer_unordered(width)
        .collect::<Vec<_>>()
        .await;
    clock.elapsed()
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
