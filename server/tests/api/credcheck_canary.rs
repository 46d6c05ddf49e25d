//! A canary password tested against real registries (Basic and token mode)
//! through every path of the credential test — accepted and refused at
//! save time, saved anyway, tested on demand, tested periodically — must
//! never come back: not in a response or page, the audit export, the log
//! of the `regboard serve` process (at debug level) or the SQLite files.

use base64::Engine;
use regboard_app::model::registries::{HostCredential, RegistryInput, Scope};
use serde::Serialize;

use crate::process::Regboard;
use crate::registry_harness::{docker_registry, Registry};
use crate::registry_helpers::ns_input;

const USER: &str = "puller";
const RIGHT: &str = "canary-Right-9c41e7";
const WRONG: &str = "canary-Wrong-2b8d05";
const NAMESPACE: &str = "payments-dev";

#[derive(Serialize)]
struct Input<'a> {
    input: &'a RegistryInput,
}

async fn post<A: Serialize>(
    client: &reqwest::Client,
    url: &str,
    endpoint: &str,
    args: &A,
) -> (u16, String) {
    let response = client
        .post(format!("{url}/api/{endpoint}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_qs::to_string(args).unwrap())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn get(client: &reqwest::Client, url: &str, path: &str) -> String {
    client
        .get(format!("{url}{path}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn input(name: &str, host: &str, password: &str, test: bool) -> RegistryInput {
    RegistryInput {
        credentials: vec![HostCredential::new(host, USER, password)],
        test_credential: test,
        ..ns_input(NAMESPACE, name, password)
    }
}

/// Every credential-test path against `host`, for registries `<prefix>-…`;
/// what the server answered.
async fn exercise(client: &reqwest::Client, url: &str, host: &str, prefix: &str) -> String {
    let mut seen = String::new();
    let (good, bad) = (format!("{prefix}-good"), format!("{prefix}-bad"));
    let (status, body) = post(
        client,
        url,
        "create_registry",
        &Input {
            input: &input(&good, host, RIGHT, true),
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    seen += &body;
    let (status, body) = post(
        client,
        url,
        "create_registry",
        &Input {
            input: &input(&bad, host, WRONG, true),
        },
    )
    .await;
    assert!(body.contains("rejected the credential"), "{status} {body}");
    seen += &body;
    let (status, body) = post(
        client,
        url,
        "create_registry",
        &Input {
            input: &input(&bad, host, WRONG, false),
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    seen += &body;
    let scope = Scope::Namespace {
        namespace: NAMESPACE.into(),
    };
    for name in [&good, &bad] {
        let args = serde_json::json!({"scope": &scope, "name": name});
        let (status, body) = post(client, url, "test_registry_credential", &args).await;
        assert_eq!(status, 200, "{body}");
        seen += &body;
        seen += &post(client, url, "get_registry", &args).await.1;
        seen += &get(client, url, &format!("/registries/ns/{NAMESPACE}/{name}")).await;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canary_password_tested_against_real_registries_never_appears() {
    let Some(bin) = docker_registry() else { return };
    let basic = Registry::basic(&bin, USER, RIGHT).await;
    let token = Registry::token(&bin, USER, RIGHT, None).await;
    let plain: Vec<String> = basic
        .plain_http_hosts()
        .into_iter()
        .chain(token.plain_http_hosts())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, kubeconfig, db) = crate::process::demo_cluster(dir.path()).await;
    crate::process::create_admin(&db, "admin", "test password that is long");
    let flags = [
        "--credential-check-plain-http",
        &plain.join(","),
        "--credential-check-interval",
        "1s",
    ];
    let server = Regboard::start(&kubeconfig, &db, &flags);
    let url = server.url.clone();
    let client = crate::process::sign_in(&url, "admin", "test password that is long").await;

    let mut seen = exercise(&client, &url, &basic.host, "basic").await;
    seen += &exercise(&client, &url, &token.host, "token").await;
    // Let the periodic test run too (every second here).
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    seen += &post(
        &client,
        &url,
        "list_registries",
        &serde_json::json!({"filter": {}}),
    )
    .await
    .1;
    seen += &get(&client, &url, "/").await;
    let export = get(&client, &url, "/audit/export?format=jsonl").await;
    assert!(
        export.contains("registry.test"),
        "the on-demand tests were audited: {export}"
    );
    let log = server.stop();
    assert!(
        log.contains("credential tested"),
        "the verdicts were logged"
    );
    let files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("regboard.db")
        })
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect();
    let encoded: Vec<String> = [RIGHT, WRONG]
        .iter()
        .map(|p| base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{p}")))
        .collect();
    let places = [
        ("responses and pages", &seen),
        ("audit export", &export),
        ("log", &log),
    ];
    for (place, text) in places
        .into_iter()
        .chain(files.iter().map(|f| ("SQLite", f)))
    {
        for canary in [RIGHT, WRONG]
            .iter()
            .copied()
            .chain(encoded.iter().map(String::as_str))
        {
            if let Some(at) = text.find(canary) {
                let context = &text[at.saturating_sub(200)..(at + 60).min(text.len())];
                panic!("{canary} leaked into the {place}: …{context}…");
            }
        }
    }
}
