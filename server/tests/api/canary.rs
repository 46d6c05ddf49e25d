//! A canary password goes through every path a credential can take —
//! create, edit, a refused create, a conflict — and must never come back:
//! not in responses, HTML, the audit export, the log, or the SQLite files.

use base64::Engine;
use regboard_app::model::registries::{RegistryInput, Scope};
use serde::Serialize;

use crate::process::Regboard;
use crate::registry_helpers::{ns_input, project_input};

const CANARY: &str = "canary-Pa55w0rd-7f3e9b";
/// The admin's sign-in password.
const LOGIN_CANARY: &str = "canary-L0gin-Pw-4d1c2a";

#[derive(Serialize)]
struct Input<'a> {
    input: &'a RegistryInput,
}

#[derive(Serialize)]
struct ScopeName<'a> {
    scope: &'a Scope,
    name: &'a str,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canary_password_never_appears_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, kubeconfig, db) = crate::process::demo_cluster(dir.path()).await;
    let mut seen = String::new();
    // The admin's own password is a second canary: it crosses the same
    // surfaces (CLI, login form, session) and must not stay anywhere either.
    crate::process::create_admin(&db, "admin", LOGIN_CANARY);
    let server = Regboard::start(&kubeconfig, &db, &[]);
    let url = server.url.clone();
    let client = crate::process::sign_in(&url, "admin", LOGIN_CANARY).await;
    seen += &post(
        &reqwest::Client::new(),
        &url,
        "login",
        &serde_json::json!({"name": "admin", "password": format!("{LOGIN_CANARY}x")}),
    )
    .await
    .1;

    let ns = ns_input("payments-dev", "canary-ns", CANARY);
    let project = project_input("payments", "canary-proj", CANARY);
    for input in [&ns, &project] {
        let (status, body) = post(&client, &url, "create_registry", &Input { input }).await;
        assert_eq!(status, 200, "{body}");
        seen += &body;
    }
    // A conflict, an invalid form and an edit, each carrying the canary.
    seen += &post(&client, &url, "create_registry", &Input { input: &ns })
        .await
        .1;
    let mut invalid = ns.clone();
    invalid.credentials[0].host = "not a host".into();
    seen += &post(&client, &url, "create_registry", &Input { input: &invalid })
        .await
        .1;
    let mut edit = project.clone();
    edit.credentials[0].username = "rotated-bot".into();
    let (status, body) = post(&client, &url, "update_registry", &Input { input: &edit }).await;
    assert_eq!(status, 200, "{body}");
    seen += &body;
    for (scope, name) in [(&ns.scope, "canary-ns"), (&project.scope, "canary-proj")] {
        seen += &post(&client, &url, "get_registry", &ScopeName { scope, name })
            .await
            .1;
    }
    seen += &post(
        &client,
        &url,
        "list_registries",
        &serde_json::json!({"filter": {}}),
    )
    .await
    .1;
    for path in [
        "/",
        "/registries/ns/payments-dev/canary-ns",
        "/registries/p/payments/canary-proj",
        "/registries/p/payments/canary-proj/edit",
        "/audit",
        "/audit/export?format=csv",
        "/audit/export?format=jsonl",
    ] {
        seen += &get(&client, &url, path).await;
    }
    let export = get(&client, &url, "/audit/export?format=jsonl").await;
    assert!(
        export.contains("registry.create") && export.contains("canary-proj"),
        "events were recorded: {export}"
    );
    // The database files while running (with the WAL) and after shutdown.
    let mut files = database_files(dir.path());
    assert!(files.len() >= 2, "the database and its WAL were read");
    let log = server.stop();
    files.extend(database_files(dir.path()));

    let auth = base64::engine::general_purpose::STANDARD.encode(format!("ci-bot:{CANARY}"));
    for (place, text) in [("responses and pages", &seen), ("log", &log)]
        .into_iter()
        .chain(files.iter().map(|f| ("SQLite", f)))
    {
        for canary in [CANARY, LOGIN_CANARY] {
            if let Some(at) = text.find(canary) {
                let context = &text[at.saturating_sub(300)..(at + 100).min(text.len())];
                panic!("the canary {canary} leaked into the {place}: …{context}…");
            }
        }
        assert!(
            !text.contains(&auth),
            "the auth value leaked into the {place}"
        );
    }
    assert!(
        log.contains("registry event") || log.contains("request"),
        "the log was captured"
    );
}

fn database_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("regboard.db")
        })
        .map(|path| String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned())
        .collect()
}
