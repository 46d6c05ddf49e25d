//! The registry list is read from memory: the reconciler's watch-fed store
//! of managed Secrets, never a cluster-wide Secret list per request; and a
//! change made through regboard is in the very next list (read your own
//! writes), because each write waits until the store shows it.

use regboard_app::model::registries::{RegistrySummary, Scope};
use regboard_sandbox::RequestMatch;
use serde_json::json;

use crate::helpers::spawn_app;
use crate::registry_helpers::{call, create, delete, ns_input, update};

async fn names(app: &crate::helpers::TestApp) -> Vec<String> {
    let list: Vec<RegistrySummary> = call(app, "list_registries", &json!({})).await.unwrap();
    list.into_iter().map(|r| r.name).collect()
}

#[tokio::test]
async fn the_registry_list_needs_no_secret_list_from_the_cluster() {
    let app = spawn_app().await;
    create(&app, ns_input("payments-dev", "from-memory", "pw-1"))
        .await
        .unwrap();
    // From now on every cluster-wide Secret list (and watch) fails.
    let faults = app.sandbox.as_ref().unwrap().faults();
    let across = RequestMatch::any()
        .method("GET")
        .path_contains("/api/v1/secrets?");
    let counter = faults.counter(across.clone());
    faults.fail_fraction(across, 1.0, 7, 500);
    for _ in 0..5 {
        assert!(names(&app).await.contains(&"from-memory".to_owned()));
    }
    assert_eq!(
        counter.get(),
        0,
        "no Secret list across the cluster per request"
    );
}

#[tokio::test]
async fn a_change_made_through_regboard_is_in_the_next_list() {
    let app = spawn_app().await;
    let scope = Scope::Namespace {
        namespace: "payments-dev".into(),
    };
    for i in 0..10 {
        let name = format!("own-write-{i}");
        create(&app, ns_input("payments-dev", &name, "pw-1"))
            .await
            .unwrap();
        assert!(names(&app).await.contains(&name), "{name} after create");

        let mut edit = ns_input("payments-dev", &name, "");
        edit.description = format!("edited {i}");
        update(&app, edit).await.unwrap();
        let list: Vec<RegistrySummary> = call(&app, "list_registries", &json!({})).await.unwrap();
        let row = list.iter().find(|r| r.name == name).unwrap();
        assert_eq!(row.description, format!("edited {i}"), "{name} after edit");

        delete(&app, &scope, &name).await.unwrap();
        assert!(!names(&app).await.contains(&name), "{name} after delete");
    }
}
