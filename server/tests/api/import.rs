//! Importing a docker `config.json` (issue #13 item 6): the preview shows
//! hosts and usernames only, the chosen entries become a new registry or
//! new hosts on an existing one (whose own hosts stay byte for byte), the
//! docker CLI's shapes are read as docker writes them, the import's change
//! is previewed before it is written, and a 10 MB file is refused before
//! anything is parsed.

use base64::Engine as _;
use regboard_app::domain::secret::Password;
use regboard_app::model::changes::ChangePreview;
use regboard_app::model::imports::{ImportPreview, ImportRequest, ImportTarget};
use regboard_app::model::registries::{RegistrySummary, Scope};
use regboard_app::AppError;
use serde_json::{json, Value};

use crate::helpers::spawn_app;
use crate::registry_helpers::{call, create, ns_input, secret};

const NAMESPACE: &str = "payments-dev";
const CANARY: &str = "imp0rt-canary-pw";

fn auth(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

/// A config.json as the docker CLI leaves it: an auth-only Docker Hub
/// login, ghcr.io with an email, an identity token, a credential store.
fn docker_cli_config() -> String {
    json!({
        "auths": {
            "https://index.docker.io/v1/": {"auth": auth("hubuser", CANARY)},
            "ghcr.io": {"auth": auth("gh-bot", CANARY), "email": "ops@example.com"},
            "myacr.azurecr.io": {"identitytoken": format!("{CANARY}-token")},
            "quay.io": {}
        },
        "credsStore": "desktop",
        "credHelpers": {"gcr.io": "gcloud"}
    })
    .to_string()
}

fn request(keys: &[&str], target: ImportTarget) -> ImportRequest {
    ImportRequest {
        config: Password::new(docker_cli_config()),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        target,
        test_credential: false,
    }
}

fn scope() -> Scope {
    Scope::Namespace {
        namespace: NAMESPACE.into(),
    }
}

fn entries(app_secret: &k8s_openapi::api::core::v1::Secret) -> Value {
    let bytes = &app_secret.data.as_ref().unwrap()[".dockerconfigjson"].0;
    serde_json::from_slice::<Value>(bytes).unwrap()["auths"].clone()
}

#[tokio::test]
async fn the_preview_names_each_entry_and_why_some_cannot_be_used_without_a_secret() {
    let app = spawn_app().await;
    let (status, body) = crate::authz::post(
        &app,
        &app.client,
        "preview_import",
        &json!({"config": docker_cli_config()}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(CANARY), "{body}");
    let preview: ImportPreview = serde_json::from_str(&body).unwrap();
    let by_key = |k: &str| preview.hosts.iter().find(|h| h.key == k).unwrap();
    assert_eq!(
        by_key("https://index.docker.io/v1/").username.as_deref(),
        Some("hubuser")
    );
    assert!(by_key("ghcr.io").refusal.is_none());
    assert!(by_key("myacr.azurecr.io")
        .refusal
        .as_deref()
        .unwrap()
        .contains("identity token"));
    assert!(by_key("quay.io")
        .refusal
        .as_deref()
        .unwrap()
        .contains("credsStore"));
    assert_eq!(preview.helpers.len(), 2, "{:?}", preview.helpers);
}

#[tokio::test]
async fn chosen_entries_become_a_new_registry_or_new_hosts_on_an_existing_one() {
    let app = spawn_app().await;
    let new = ImportTarget::New {
        scope: scope(),
        name: "imported".into(),
        description: String::new(),
    };
    // First its preview: the create it amounts to, and nothing written.
    let args = json!({"request": request(&["ghcr.io"], new.clone())});
    let planned: ChangePreview = call(&app, "preview_import_change", &args).await.unwrap();
    assert_eq!(
        (planned.change.as_str(), &planned.refused),
        ("create", &None)
    );
    let rows: Vec<(&str, &str)> = planned
        .namespaces
        .iter()
        .map(|n| (n.namespace.as_str(), n.action.label()))
        .collect();
    assert_eq!(rows, [(NAMESPACE, "create")]);
    assert!(secret(&app, NAMESPACE, "imported").await.is_none());
    assert!(!serde_json::to_string(&planned).unwrap().contains(CANARY));
    let made: RegistrySummary = call(
        &app,
        "import_registry",
        &json!({"request": request(&["ghcr.io"], new)}),
    )
    .await
    .unwrap();
    assert_eq!(made.hosts, ["ghcr.io"]);
    let s = secret(&app, NAMESPACE, "imported").await.unwrap();
    let auths = entries(&s);
    assert_eq!(auths["ghcr.io"]["username"], "gh-bot");
    assert_eq!(auths["ghcr.io"]["password"], CANARY);
    assert_eq!(auths["ghcr.io"]["email"], "ops@example.com");

    // New hosts on an existing registry: its own host stays as it was.
    create(&app, ns_input(NAMESPACE, "existing", "own-token"))
        .await
        .unwrap();
    let before = entries(&secret(&app, NAMESPACE, "existing").await.unwrap());
    let onto = ImportTarget::Existing {
        scope: scope(),
        name: "existing".into(),
    };
    let keys = ["https://index.docker.io/v1/"];
    let _: RegistrySummary = call(
        &app,
        "import_registry",
        &json!({"request": request(&keys, onto.clone())}),
    )
    .await
    .unwrap();
    let after = entries(&secret(&app, NAMESPACE, "existing").await.unwrap());
    assert_eq!(after["ghcr.io"], before["ghcr.io"]);
    assert_eq!(after["https://index.docker.io/v1/"]["username"], "hubuser");

    // A host it already has, or an entry that cannot be used, is refused.
    for keys in [&["ghcr.io"][..], &["myacr.azurecr.io"][..], &[][..]] {
        let refused = call::<_, RegistrySummary>(
            &app,
            "import_registry",
            &json!({"request": request(keys, onto.clone())}),
        )
        .await
        .unwrap_err();
        match refused {
            AppError::Invalid { field, message } => {
                assert_eq!(field.as_deref(), Some("keys"), "{message}");
                assert!(!message.contains(CANARY));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_10_mb_file_and_a_broken_one_are_refused_with_a_sentence() {
    let app = spawn_app().await;
    let huge = json!({"config": " ".repeat(10 * 1024 * 1024)});
    let (status, body) = crate::authz::post(&app, &app.client, "preview_import", &huge).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("too large"), "{body}");
    let just_over = json!({"config": format!("{{\"auths\":{{}}}}{}", " ".repeat(70 * 1024))});
    let (status, body) = crate::authz::post(&app, &app.client, "preview_import", &just_over).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("at most 64 KiB"), "{body}");
    let broken =
        json!({"config": format!("{{\"auths\": {{\"r.io\": {{\"password\": \"{CANARY}\"")});
    let (status, body) = crate::authz::post(&app, &app.client, "preview_import", &broken).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("not valid JSON") && !body.contains(CANARY),
        "{body}"
    );
}
