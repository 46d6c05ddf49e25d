//! kube-rs round trips: create/get/list/replace/patch/delete, selectors, pagination.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Namespace, Pod, Secret, ServiceAccount};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::ResourceExt;
use regboard_sandbox::Seed;
use serde_json::json;

use crate::{create_namespace, sandbox, secret};

#[tokio::test]
async fn secret_round_trip_with_every_patch_type() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "team-a").await;
    let secrets: Api<Secret> = Api::namespaced(client, "team-a");

    let created = secrets
        .create(
            &PostParams::default(),
            &secret("creds", json!({"app": "web"}), json!({"user": "demo"})),
        )
        .await
        .unwrap();
    assert_eq!(created.type_.as_deref(), Some("Opaque"));
    assert!(
        created.string_data.is_none(),
        "stringData is folded into data"
    );
    assert_eq!(created.data.as_ref().unwrap()["user"].0, b"demo");
    assert_eq!(created.metadata.namespace.as_deref(), Some("team-a"));
    assert!(created.metadata.uid.is_some() && created.metadata.creation_timestamp.is_some());
    let rv1: u64 = created.resource_version().unwrap().parse().unwrap();

    let fetched = secrets.get("creds").await.unwrap();
    assert_eq!(fetched, created);

    let mut replaced = fetched.clone();
    replaced.labels_mut().insert("tier".into(), "back".into());
    let replaced = secrets
        .replace("creds", &PostParams::default(), &replaced)
        .await
        .unwrap();
    let rv2: u64 = replaced.resource_version().unwrap().parse().unwrap();
    assert!(rv2 > rv1, "resourceVersion is monotonic");

    let pp = PatchParams::default();
    let merged = secrets
        .patch(
            "creds",
            &pp,
            &Patch::Merge(
                json!({"metadata": {"labels": {"app": null}}, "stringData": {"pw": "x"}}),
            ),
        )
        .await
        .unwrap();
    assert!(!merged.labels().contains_key("app"));
    assert_eq!(merged.data.as_ref().unwrap()["pw"].0, b"x");

    let json_patch: json_patch::Patch =
        serde_json::from_value(json!([{"op": "add", "path": "/metadata/labels/j", "value": "1"}]))
            .unwrap();
    let jsoned = secrets
        .patch("creds", &pp, &Patch::<()>::Json(json_patch))
        .await
        .unwrap();
    assert_eq!(jsoned.labels()["j"], "1");

    let strategic = secrets
        .patch(
            "creds",
            &pp,
            &Patch::Strategic(
                json!({"metadata": {"labels": {"j": {"$patch": "delete"}, "s": "2"}}}),
            ),
        )
        .await
        .unwrap();
    assert!(!strategic.labels().contains_key("j"));
    assert_eq!(strategic.labels()["s"], "2");

    // A no-op patch does not bump the resourceVersion, as on a real apiserver.
    let same = secrets
        .patch("creds", &pp, &Patch::Merge(json!({})))
        .await
        .unwrap();
    assert_eq!(same.resource_version(), strategic.resource_version());

    // dryRun does not persist.
    let dry = PatchParams {
        dry_run: true,
        ..Default::default()
    };
    secrets
        .patch(
            "creds",
            &dry,
            &Patch::Merge(json!({"metadata": {"labels": {"dry": "1"}}})),
        )
        .await
        .unwrap();
    assert!(!secrets
        .get("creds")
        .await
        .unwrap()
        .labels()
        .contains_key("dry"));

    secrets
        .delete("creds", &DeleteParams::default())
        .await
        .unwrap();
    assert!(secrets.get_opt("creds").await.unwrap().is_none());
    sb.shutdown().await;
}

#[tokio::test]
async fn label_field_selectors_and_pagination() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    for ns in ["a", "b"] {
        create_namespace(&client, ns).await;
        let api: Api<Secret> = Api::namespaced(client.clone(), ns);
        for i in 0..5 {
            let env = if i % 2 == 0 { "prod" } else { "dev" };
            api.create(
                &PostParams::default(),
                &secret(&format!("s{i}"), json!({"env": env}), json!({"k": "v"})),
            )
            .await
            .unwrap();
        }
    }
    let all: Api<Secret> = Api::all(client.clone());
    let names = |list: &kube::api::ObjectList<Secret>| {
        list.items
            .iter()
            .map(|s| format!("{}/{}", s.namespace().unwrap(), s.name_any()))
            .collect::<Vec<_>>()
    };
    let prod = all
        .list(&ListParams::default().labels("env=prod"))
        .await
        .unwrap();
    assert_eq!(
        names(&prod),
        ["a/s0", "a/s2", "a/s4", "b/s0", "b/s2", "b/s4"]
    );
    let set = all
        .list(&ListParams::default().labels("env in (dev),env notin (prod),!missing"))
        .await
        .unwrap();
    assert_eq!(set.items.len(), 4);
    let field = all
        .list(&ListParams::default().fields("metadata.namespace=b,metadata.name!=s0"))
        .await
        .unwrap();
    assert_eq!(names(&field), ["b/s1", "b/s2", "b/s3", "b/s4"]);
    let typed = all
        .list(&ListParams::default().fields("type=Opaque"))
        .await
        .unwrap();
    assert_eq!(typed.items.len(), 10);
    assert_eq!(
        typed.metadata.resource_version.unwrap(),
        sb.store().resource_version().to_string()
    );

    let mut seen = Vec::new();
    let mut params = ListParams::default().limit(3);
    loop {
        let page = all.list(&params).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(names(&page));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => break,
        }
    }
    assert_eq!(seen.len(), 10);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(
        seen, sorted,
        "items are sorted by namespace, name across pages"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn namespaces_service_accounts_and_cascade() {
    let sb = sandbox(Seed::Empty).await;
    let client = sb.client().unwrap();
    create_namespace(&client, "doomed").await;
    let ns = Api::<Namespace>::all(client.clone())
        .get("doomed")
        .await
        .unwrap();
    assert_eq!(ns.labels()["kubernetes.io/metadata.name"], "doomed");
    assert_eq!(ns.status.unwrap().phase.as_deref(), Some("Active"));

    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), "doomed");
    assert!(
        sas.get("default").await.is_ok(),
        "a namespace comes with its default ServiceAccount"
    );
    let generated: ServiceAccount =
        serde_json::from_value(json!({"metadata": {"generateName": "bot-"}})).unwrap();
    let bot = sas
        .create(&PostParams::default(), &generated)
        .await
        .unwrap();
    assert!(bot.name_any().starts_with("bot-") && bot.name_any().len() == 9);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "doomed");
    secrets
        .create(
            &PostParams::default(),
            &secret("x", json!({}), json!({"a": "b"})),
        )
        .await
        .unwrap();

    Api::<Namespace>::all(client.clone())
        .delete("doomed", &DeleteParams::default())
        .await
        .unwrap();
    assert!(Api::<Namespace>::all(client.clone())
        .get_opt("doomed")
        .await
        .unwrap()
        .is_none());
    let leftovers = Api::<Secret>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(leftovers
        .items
        .iter()
        .all(|s| s.namespace().as_deref() != Some("doomed")));
    assert!(sb
        .store()
        .names(regboard_sandbox::Resource::ServiceAccount, Some("doomed"))
        .is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn demo_seed_is_browsable() {
    let sb = sandbox(Seed::Demo).await;
    let client = sb.client().unwrap();
    let namespaces = Api::<Namespace>::all(client.clone());
    let payments = namespaces
        .list(&ListParams::default().labels("regboard.dev/project=payments"))
        .await
        .unwrap();
    let names: BTreeSet<String> = payments.items.iter().map(|n| n.name_any()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "payments-dev".into(),
            "payments-prod".into(),
            "payments-staging".into()
        ])
    );
    let pods: Api<Pod> = Api::namespaced(client.clone(), "payments-staging");
    let pod = &pods.list(&ListParams::default()).await.unwrap().items[0];
    let waiting = pod
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0]
        .state
        .as_ref()
        .unwrap();
    assert_eq!(
        waiting.waiting.as_ref().unwrap().reason.as_deref(),
        Some("ImagePullBackOff")
    );
    let docker = Api::<Secret>::all(client.clone())
        .list(&ListParams::default().fields("type=kubernetes.io/dockerconfigjson"))
        .await
        .unwrap();
    let config: serde_json::Value =
        serde_json::from_slice(&docker.items[0].data.as_ref().unwrap()[".dockerconfigjson"].0)
            .unwrap();
    assert_eq!(config["auths"]["ghcr.io"]["username"], "demo");
    let events: Api<k8s_openapi::api::core::v1::Event> =
        Api::namespaced(client, "payments-staging");
    let backoff = events
        .list(&ListParams::default().fields("reason=BackOff"))
        .await
        .unwrap();
    assert_eq!(
        backoff.items[0].involved_object.name.as_deref(),
        Some(pod.name_any().as_str())
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn expired_continue_token_is_410() {
    let sb = sandbox(Seed::Empty).await;
    sb.set_history_limit(1);
    let client = sb.client().unwrap();
    let namespaces = Api::<Namespace>::all(client.clone());
    let first = namespaces
        .list(&ListParams::default().limit(1))
        .await
        .unwrap();
    let token = first.metadata.continue_.expect("more pages");
    create_namespace(&client, "churn-a").await;
    create_namespace(&client, "churn-b").await;
    let (code, reason, message) = crate::api_error(
        namespaces
            .list(&ListParams::default().limit(1).continue_token(&token))
            .await,
    );
    assert_eq!((code, reason.as_str()), (410, "Expired"));
    assert!(
        message.starts_with("The provided continue parameter is too old"),
        "{message}"
    );
    sb.shutdown().await;
}
