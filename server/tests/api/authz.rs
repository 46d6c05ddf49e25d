//! Every registered server function, three ways: anonymous, signed in with
//! no grant, signed in with the right scope. A function without a policy
//! entry, or without a case here, fails the test.

use regboard_app::api::policy::{policy_for, Policy};
use regboard_app::domain::access::{Role, Subject};
use regboard_app::domain::scope::Scope;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, ADMIN, PASSWORD};

/// Who may make the "right scope" call.
#[derive(Clone, Copy, Debug)]
enum Who {
    /// The user holding `owner` on project payments.
    Owner,
    /// The global admin.
    Admin,
    /// The user without grants (self-service functions).
    Nobody,
    /// No session (signing in).
    Anonymous,
    /// A session of its own, to end (signing out).
    Fresh,
}

/// What the user without grants gets.
#[derive(Clone, Copy, Debug)]
enum NoScope {
    /// 403 with the permission sentence.
    Denied,
    /// Through the policy (whatever the function then answers).
    Allowed,
    /// 200 with nothing in it: the list is filtered to nothing.
    Empty(&'static str),
}

/// One function's case: the right caller with its arguments, and the
/// arguments and expectation for the caller without grants.
struct Case {
    endpoint: &'static str,
    who: Who,
    args: Value,
    no_scope_args: Value,
    no_scope: NoScope,
    /// When the function itself refuses these arguments whoever calls
    /// (a used setup link, a wrong current password): its status and
    /// sentence, proving the call got past authorization to the service.
    answer: Option<(u16, &'static str)>,
}

fn case(endpoint: &'static str, who: Who, args: Value, no_scope: NoScope) -> Case {
    Case {
        endpoint,
        who,
        no_scope_args: args.clone(),
        args,
        no_scope,
        answer: None,
    }
}

/// A case whose arguments the function refuses for everyone who gets
/// through authorization, with `status` and a body containing `text`.
fn answered(
    endpoint: &'static str,
    who: Who,
    args: Value,
    status: u16,
    text: &'static str,
) -> Case {
    Case {
        answer: Some((status, text)),
        ..case(endpoint, who, args, NoScope::Allowed)
    }
}

/// An admin-only case whose arguments the function itself refuses (there is
/// nothing to accept, restore or adopt in the demo cluster).
fn admin_answered(endpoint: &'static str, args: Value, status: u16, text: &'static str) -> Case {
    Case {
        answer: Some((status, text)),
        ..case(endpoint, Who::Admin, args, NoScope::Denied)
    }
}

/// Asserts the outcome of a call that authorization let through.
fn assert_done(c: &Case, status: u16, body: &str, as_whom: &str) {
    let path = c.endpoint;
    match c.answer {
        Some((code, text)) => {
            assert_eq!(status, code, "{path} as {as_whom}: {body}");
            assert!(body.contains(text), "{path} as {as_whom}: {body}");
        }
        // Allowed means done: neither refused nor failed (a 500 is no pass).
        None => assert_eq!(status, 200, "{path} as {as_whom}: {body}"),
    }
}

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

fn registry(name: &str) -> Value {
    json!({"input": {
        "scope": {"kind": "namespace", "namespace": "payments-dev"},
        "name": name, "hosts": ["ghcr.io"], "username": "bot",
        "password": "a-registry-token-1", "description": "x"}})
}

fn scope_name(name: &str) -> Value {
    json!({"scope": {"kind": "namespace", "namespace": "payments-dev"}, "name": name})
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

    let ns_grant = json!({"subject": {"kind": "user", "id": spare_id}, "role": "editor",
                          "scope": {"kind": "namespace", "namespace": "payments-prod"}});
    let cases = vec![
        case("current_user", Who::Nobody, json!({}), NoScope::Allowed),
        case(
            "login",
            Who::Anonymous,
            json!({"name": "spare", "password": PASSWORD}),
            NoScope::Allowed,
        ),
        case("logout", Who::Fresh, json!({}), NoScope::Allowed),
        answered(
            "complete_setup",
            Who::Nobody,
            json!({"token": "not-a-token", "name": "x", "password": "long enough pw"}),
            401,
            "This setup link does not work",
        ),
        answered(
            "change_password",
            Who::Nobody,
            json!({"current": "wrong-current-pw", "new": "another long one"}),
            422,
            "This is not your current password.",
        ),
        case("access_overview", Who::Nobody, json!({}), NoScope::Allowed),
        case(
            "create_user",
            Who::Admin,
            json!({"name": "made", "password": "a fine long password", "admin": false}),
            NoScope::Denied,
        ),
        case(
            "set_user_disabled",
            Who::Admin,
            json!({"user_id": spare_id, "disabled": false}),
            NoScope::Denied,
        ),
        case(
            "set_user_admin",
            Who::Admin,
            json!({"user_id": spare_id, "admin": false}),
            NoScope::Denied,
        ),
        Case {
            endpoint: "end_user_sessions",
            who: Who::Admin,
            args: json!({"user_id": spare_id}),
            no_scope_args: json!({"user_id": admin_id}),
            no_scope: NoScope::Denied,
            answer: None,
        },
        case(
            "create_team",
            Who::Admin,
            json!({"name": "made-team"}),
            NoScope::Denied,
        ),
        case(
            "add_team_member",
            Who::Admin,
            json!({"team_id": team_id, "user": "spare", "team_admin": false}),
            NoScope::Denied,
        ),
        case(
            "remove_team_member",
            Who::Admin,
            json!({"team_id": team_id, "user_id": spare_id}),
            NoScope::Denied,
        ),
        case(
            "delete_team",
            Who::Admin,
            json!({"team_id": team_id}),
            NoScope::Denied,
        ),
        case("create_grant", Who::Owner, ns_grant, NoScope::Denied),
        case(
            "revoke_grant",
            Who::Owner,
            json!({"grant_id": grant_id}),
            NoScope::Denied,
        ),
        case("cluster_status", Who::Nobody, json!({}), NoScope::Allowed),
        case(
            "list_namespaces",
            Who::Owner,
            json!({}),
            NoScope::Empty(r#""rows":[]"#),
        ),
        case("list_projects", Who::Owner, json!({}), NoScope::Empty("[]")),
        case(
            "create_project",
            Who::Admin,
            json!({"name": "made", "display_name": "Made", "description": ""}),
            NoScope::Denied,
        ),
        case(
            "rename_project",
            Who::Owner,
            json!({"name": "payments", "display_name": "Payments", "description": "cards"}),
            NoScope::Denied,
        ),
        case(
            "set_namespace_project",
            Who::Admin,
            json!({"namespace": "sandbox-scratch"}),
            NoScope::Denied,
        ),
        case(
            "preview_namespace_move",
            Who::Admin,
            json!({"namespace": "sandbox-scratch", "project": "payments"}),
            NoScope::Denied,
        ),
        admin_answered(
            "accept_namespace_join",
            json!({"namespace": "sandbox-scratch"}),
            404,
            "is not asking to join a project",
        ),
        admin_answered(
            "reject_namespace_join",
            json!({"namespace": "sandbox-scratch"}),
            404,
            "is not asking to join a project",
        ),
        admin_answered(
            "restore_registry",
            json!({"project": "payments", "name": "made"}),
            404,
            "has no lost source to restore",
        ),
        case(
            "list_unproven_secrets",
            Who::Admin,
            json!({}),
            NoScope::Denied,
        ),
        admin_answered(
            "adopt_secret",
            json!({"namespace": "payments-dev", "name": "no-such-secret"}),
            404,
            "does not exist",
        ),
        case(
            "delete_project",
            Who::Admin,
            json!({"name": "made", "confirm": true}),
            NoScope::Denied,
        ),
        case(
            "list_registries",
            Who::Owner,
            json!({}),
            NoScope::Empty("[]"),
        ),
        case(
            "get_registry",
            Who::Owner,
            scope_name("seen"),
            NoScope::Denied,
        ),
        case(
            "create_registry",
            Who::Owner,
            registry("made"),
            NoScope::Denied,
        ),
        case(
            "update_registry",
            Who::Owner,
            registry("made"),
            NoScope::Denied,
        ),
        case(
            "resync_registry",
            Who::Owner,
            scope_name("made"),
            NoScope::Denied,
        ),
        case(
            "delete_registry",
            Who::Owner,
            scope_name("made"),
            NoScope::Denied,
        ),
        case(
            "audit_page",
            Who::Owner,
            json!({}),
            NoScope::Empty(r#""events":[]"#),
        ),
        case(
            "audit_event",
            Who::Owner,
            json!({"id": event_id}),
            NoScope::Empty("null"),
        ),
        case("audit_head", Who::Nobody, json!({}), NoScope::Allowed),
    ];

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

async fn grant(
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
