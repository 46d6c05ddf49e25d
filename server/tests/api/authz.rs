//! Every registered server function, three ways: anonymous, signed in with
//! no grant, signed in with the right scope. A function without a policy
//! entry, or without a case here, fails the test.

use regboard_app::api::policy::{policy_for, Policy};
use regboard_app::domain::access::{Role, Subject};
use regboard_app::domain::scope::Scope;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp, ADMIN, PASSWORD};

mod cases;

use cases::{all, assert_done, registry, Ids, NoScope, Who};

/// POSTs `args` form-encoded to `/api/<endpoint>` with `client`.
pub async fn post<A: serde::Serialize>(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    args: &A,
) -> (u16, String) {
    let body = serde_qs::to_string(args).unwrap();
    let response = client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

const SIGN_IN: &str = r#"{"Unauthenticated":"Sign in to continue."}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_is_refused_without_the_right_scope_and_allowed_with_it() {
    let app = spawn_app().await;
    let owner_id = app.create_user("owner", false).await;
    app.create_user("nobody", false).await;
    let spare_id = app.create_user("spare", false).await;
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE name = ?")
        .bind(ADMIN)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let payments = Scope::Project {
        project: "payments".into(),
    };
    let admin_perms = app.access.permissions_of(admin_id, true).await.unwrap();
    grant(
        &app,
        &admin_perms,
        Subject::User(owner_id),
        Role::Owner,
        payments,
    )
    .await;
    // Something to see and something to revoke.
    let (status, body) = post(&app, &app.client, "create_registry", &registry("seen")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(&app, &app.client, "create_team", &json!({"name": "ops"})).await;
    assert_eq!(status, 200, "{body}");
    let team_id: i64 = sqlx::query_scalar("SELECT id FROM teams WHERE name = 'ops'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (status, body) = post(
        &app,
        &app.client,
        "create_grant",
        &json!({"subject": {"kind": "user", "id": spare_id}, "role": "viewer",
                "scope": {"kind": "namespace", "namespace": "payments-dev"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let grant_id: i64 = sqlx::query_scalar("SELECT id FROM grants WHERE user_id = ?")
        .bind(spare_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let event_id: i64 = sqlx::query_scalar(
        "SELECT max(id) FROM audit_events WHERE target_namespace = 'payments-dev'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();

    let cases = all(&Ids {
        admin_id,
        spare_id,
        team_id,
        grant_id,
        event_id,
    });

    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    assert!(registered.len() >= cases.len(), "{registered:?}");
    for path in &registered {
        let endpoint = path.trim_start_matches("/api/");
        assert!(policy_for(path).is_some(), "{path} has no policy entry");
        assert!(
            cases.iter().any(|c| c.endpoint == endpoint),
            "{path} has no case in this test"
        );
    }

    let owner = app.login("owner", PASSWORD).await;
    let denied_before = denials(&app).await;
    let mut expected_denials = 0;
    for c in &cases {
        let path = format!("/api/{}", c.endpoint);
        assert!(
            registered.contains(&path),
            "{path} is not a registered server function"
        );
        let policy = policy_for(&path).unwrap();

        let (status, body) = post(&app, &app.anonymous, c.endpoint, &c.no_scope_args).await;
        if policy == Policy::Public {
            assert_ne!(body, SIGN_IN, "{path}: public, yet refused anonymously");
        } else {
            assert_eq!((status, body.as_str()), (401, SIGN_IN), "{path} anonymous");
        }

        // A session of its own each time: signing in or out replaces it.
        let nobody = app.login("nobody", PASSWORD).await;
        let (status, body) = post(&app, &nobody, c.endpoint, &c.no_scope_args).await;
        let nobody_saw = body.clone();
        match c.no_scope {
            NoScope::Denied => {
                assert_eq!(status, 403, "{path} without scope: {body}");
                assert!(body.contains("NotAllowed"), "{path}: {body}");
                expected_denials += 1;
            }
            NoScope::Allowed => assert_done(c, status, &body, "a user without grants"),
            NoScope::Empty(empty) => {
                assert_eq!(status, 200, "{path} without scope: {body}");
                assert!(
                    body.contains(empty),
                    "{path} shows nothing without scope: {body}"
                );
            }
        }

        let fresh;
        let client = match c.who {
            Who::Owner => &owner,
            Who::Admin => &app.client,
            Who::Nobody => &nobody,
            Who::Anonymous => &app.anonymous,
            Who::Fresh => {
                fresh = app.login("spare", PASSWORD).await;
                &fresh
            }
        };
        let (status, body) = post(&app, client, c.endpoint, &c.args).await;
        assert_done(c, status, &body, &format!("{:?}", c.who));
        if let NoScope::Empty(_) = c.no_scope {
            assert_ne!(body, nobody_saw, "{path} as {:?} sees something", c.who);
        }
    }
    assert_eq!(
        denials(&app).await - denied_before,
        expected_denials,
        "every refusal is audited once"
    );
}

pub(crate) async fn grant(
    app: &TestApp,
    perms: &regboard_app::domain::access::Permissions,
    subject: Subject,
    role: Role,
    scope: Scope,
) {
    use regboard_app::context::{Caller, Principal};
    use regboard_app::services::AccessService;
    let caller = Caller {
        user: Some(Principal {
            id: perms.user_id,
            name: ADMIN.into(),
            admin: true,
        }),
        ..Default::default()
    };
    app.access
        .create_grant(&caller, perms, subject, role, scope)
        .await
        .unwrap();
}

async fn denials(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE outcome = 'denied' AND status_code = 403",
    )
    .fetch_one(&app.db)
    .await
    .unwrap()
}
