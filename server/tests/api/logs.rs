//! `regboard serve --log-format json`, as a cluster's log shipper reads it:
//! every line is one JSON object with a timestamp, level and message; each
//! request's line carries its id (the one in `x-request-id`), route and
//! status; a password sent to regboard is in none of them.

use serde_json::{Map, Value};

use crate::process::Regboard;
use crate::registry_helpers::ns_input;

const CANARY: &str = "canary-Js0n-Log-Pw-91b2";
const LOGIN_CANARY: &str = "canary-Js0n-L0gin-6e0f";

type Line = Map<String, Value>;

fn parse(log: &str) -> Vec<Line> {
    log.lines()
        .map(|l| match serde_json::from_str(l) {
            Ok(Value::Object(line)) => line,
            _ => panic!("a log line that is not one JSON object: {l:?}"),
        })
        .collect()
}

/// The access-log line of the request whose response had `id`.
fn request_line<'a>(lines: &'a [Line], id: &str) -> &'a Line {
    lines
        .iter()
        .find(|l| l["message"] == "request" && l["request_id"] == id)
        .unwrap_or_else(|| panic!("no access-log line for request {id}"))
}

async fn get(client: &reqwest::Client, url: &str, path: &str) -> String {
    let response = client.get(format!("{url}{path}")).send().await.unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    id.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_carry_request_id_route_and_status_and_never_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, kubeconfig, db) = crate::process::demo_cluster(dir.path()).await;
    crate::process::create_admin(&db, "admin", LOGIN_CANARY);
    let server = Regboard::start(&kubeconfig, &db, &["--log-format", "json"]);
    let url = server.url.clone();
    let client = crate::process::sign_in(&url, "admin", LOGIN_CANARY).await;
    let refused = reqwest::Client::new()
        .post(format!("{url}/api/login"))
        .form(&[("name", "admin"), ("password", &format!("{LOGIN_CANARY}x"))])
        .send()
        .await
        .unwrap();
    let refused_id = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let input = ns_input("payments-dev", "json-log", CANARY);
    let created = client
        .post(format!("{url}/api/create_registry"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_qs::to_string(&serde_json::json!({ "input": input })).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200, "the registry is created");
    let health = get(&client, &url, "/healthz").await;
    let page = get(&client, &url, "/registries/ns/payments-dev/json-log").await;
    let missing = get(&client, &url, "/no/such/page").await;
    let log = server.stop();

    let lines = parse(&log);
    assert!(lines.len() > 5, "the log was captured: {log}");
    for line in &lines {
        let stamp = line["timestamp"].as_str().expect("a timestamp");
        chrono::DateTime::parse_from_rfc3339(stamp).expect("an RFC 3339 timestamp");
        let level = line["level"].as_str().expect("a level");
        assert!(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level));
        assert!(
            line.get("message").is_some_and(Value::is_string),
            "a message: {line:?}"
        );
    }
    let health = request_line(&lines, &health);
    assert_eq!(
        (&health["route"], &health["status"], &health["method"]),
        (&"/healthz".into(), &200.into(), &"GET".into())
    );
    let page = request_line(&lines, &page);
    assert_eq!(page["status"], 200);
    assert_eq!(page["path"], "/registries/ns/payments-dev/json-log");
    assert_ne!(
        page["route"], page["path"],
        "the route is the pattern, not the path"
    );
    let missing = request_line(&lines, &missing);
    assert_eq!(
        (&missing["route"], &missing["status"]),
        (&"fallback".into(), &404.into())
    );
    let refused = request_line(&lines, &refused_id);
    assert_eq!(refused["route"], "/api/login");
    assert!(
        lines.iter().any(|l| l["message"]
            .as_str()
            .is_some_and(|m| m.contains("listening on"))),
        "start-up lines are JSON too"
    );
    for canary in [CANARY, LOGIN_CANARY] {
        assert!(!log.contains(canary), "{canary} leaked into the JSON log");
    }
}
