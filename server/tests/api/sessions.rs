//! Signing in and out over HTTP: cookie flags, a new id at login, logout
//! on the server, throttling, no user enumeration, ended sessions,
//! the setup link, and revocation on the next request.

use serde_json::json;

use crate::authz::post;
use crate::helpers::{client_with_cookie, session_cookie, spawn_app, TestApp, PASSWORD};

const SIGN_IN: &str = r#"{"Unauthenticated":"Sign in to continue."}"#;

async fn whoami(app: &TestApp, client: &reqwest::Client) -> (u16, String) {
    post(app, client, "access_overview", &json!({})).await
}

#[tokio::test]
async fn the_session_cookie_is_strict_and_gets_a_new_id_at_each_sign_in() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let response = app
        .anonymous
        .post(app.url("/api/login"))
        .form(&[("name", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(set_cookie.contains(flag), "{flag} missing: {set_cookie}");
    }
    let first = session_cookie(response.headers()).unwrap();

    // Signing in again from that session issues a different id and the
    // old one stops working.
    let response = client_with_cookie(&first)
        .post(app.url("/api/login"))
        .form(&[("name", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let second = session_cookie(response.headers()).unwrap();
    assert_ne!(first, second, "a new session id at login");
    assert_eq!(
        whoami(&app, &client_with_cookie(&first)).await,
        (401, SIGN_IN.into())
    );
    assert_eq!(whoami(&app, &client_with_cookie(&second)).await.0, 200);
}

#[tokio::test]
async fn logout_removes_the_session_on_the_server() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let (_, cookie, _) = app.try_login("alice", PASSWORD).await;
    let alice = client_with_cookie(&cookie.clone().unwrap());
    assert_eq!(whoami(&app, &alice).await.0, 200);
    let sessions = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM tower_sessions")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    let before = sessions().await;
    assert_eq!(post(&app, &alice, "logout", &json!({})).await.0, 200);
    assert_eq!(
        sessions().await,
        before - 1,
        "the stored session is deleted"
    );
    // The same cookie, replayed, is worth nothing.
    assert_eq!(whoami(&app, &alice).await, (401, SIGN_IN.into()));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE actor_name = 'alice' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(actions, ["session.login", "session.logout"]);
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer_then_both_are_throttled() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let wrong = app.try_login("alice", "not her password").await;
    let unknown = app.try_login("mallory", "not her password").await;
    assert_eq!(wrong.0, 401);
    assert_eq!(
        (wrong.0, &wrong.2),
        (unknown.0, &unknown.2),
        "same status, same body"
    );
    assert!(
        wrong.1.is_none() && unknown.1.is_none(),
        "no session either way"
    );

    for _ in 0..3 {
        assert_eq!(app.try_login("alice", "still wrong").await.0, 401);
    }
    // Five failures from this address in five minutes: even the right
    // password waits now (per-account limits are unit-tested in auth::throttle).
    let response = app
        .anonymous
        .post(app.url("/api/login"))
        .form(&[("name", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
    let body = response.text().await.unwrap();
    assert!(body.contains("TooManyAttempts"), "{body}");
    // An unknown name waits the same.
    assert_eq!(app.try_login("mallory", "guess").await.0, 429);

    let failed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'session.login.failed' AND outcome = 'denied'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(failed, 7, "every failed sign-in is audited");
}

#[tokio::test]
async fn disabling_a_user_or_ending_their_sessions_signs_them_out_everywhere() {
    let app = spawn_app().await;
    let alice_id = app.create_user("alice", false).await;
    let laptop = app.login("alice", PASSWORD).await;
    let phone = app.login("alice", PASSWORD).await;
    let args = json!({"user_id": alice_id});
    assert_eq!(
        post(&app, &app.client, "end_user_sessions", &args).await.0,
        200
    );
    assert_eq!(whoami(&app, &laptop).await.0, 401);
    assert_eq!(whoami(&app, &phone).await.0, 401);

    let again = app.login("alice", PASSWORD).await;
    assert_eq!(whoami(&app, &again).await.0, 200);
    let args = json!({"user_id": alice_id, "disabled": true});
    assert_eq!(
        post(&app, &app.client, "set_user_disabled", &args).await.0,
        200
    );
    assert_eq!(whoami(&app, &again).await.0, 401);
    assert_eq!(
        app.try_login("alice", PASSWORD).await.0,
        401,
        "a disabled user cannot sign in"
    );
}

#[tokio::test]
async fn a_revoked_grant_applies_on_the_very_next_request() {
    let app = spawn_app().await;
    let bob = app.create_user("bob", false).await;
    let bob_client = app.login("bob", PASSWORD).await;
    let grant = json!({"subject": {"kind": "user", "id": bob}, "role": "viewer",
                       "scope": {"kind": "namespace", "namespace": "payments-dev"}});
    assert_eq!(post(&app, &app.client, "create_grant", &grant).await.0, 200);
    let (_, list) = post(&app, &bob_client, "list_namespaces", &json!({})).await;
    assert!(
        list.contains("\"payments-dev\"") && !list.contains("payments-prod"),
        "{list}"
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM grants WHERE user_id = ?")
        .bind(bob)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        post(&app, &app.client, "revoke_grant", &json!({"grant_id": id}))
            .await
            .0,
        200
    );
    let (_, list) = post(&app, &bob_client, "list_namespaces", &json!({})).await;
    assert!(!list.contains("payments-dev"), "{list}");
}

#[tokio::test]
async fn a_team_admin_delegates_inside_their_own_reach_and_no_further() {
    let app = spawn_app().await;
    let lead = app.create_user("lead", false).await;
    let dev = app.create_user("dev", false).await;
    app.create_user("outsider", false).await;
    for (endpoint, args) in [
        ("create_team", json!({"name": "web"})),
        (
            "add_team_member",
            json!({"team_id": 1, "user": "lead", "team_admin": true}),
        ),
        (
            "add_team_member",
            json!({"team_id": 1, "user": "dev", "team_admin": false}),
        ),
        (
            "create_grant",
            json!({"subject": {"kind": "user", "id": lead}, "role": "editor",
                   "scope": {"kind": "project", "project": "payments"}}),
        ),
    ] {
        let (status, body) = post(&app, &app.client, endpoint, &args).await;
        assert_eq!(status, 200, "{endpoint}: {body}");
    }
    let lead_client = app.login("lead", PASSWORD).await;
    let to_dev = |role: &str, ns: &str| {
        json!({"subject": {"kind": "user", "id": dev}, "role": role,
               "scope": {"kind": "namespace", "namespace": ns}})
    };
    let (status, body) = post(
        &app,
        &lead_client,
        "create_grant",
        &to_dev("viewer", "payments-dev"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let dev_client = app.login("dev", PASSWORD).await;
    let (_, list) = post(&app, &dev_client, "list_namespaces", &json!({})).await;
    assert!(
        list.contains("payments-dev") && !list.contains("payments-prod"),
        "{list}"
    );

    for (args, why) in [
        (
            to_dev("owner", "payments-dev"),
            "beyond the lead's own role",
        ),
        (to_dev("viewer", "search-dev"), "outside the lead's reach"),
        (
            json!({"subject": {"kind": "user", "id": dev}, "role": "viewer",
                   "scope": {"kind": "project", "project": "payments"}}),
            "project scope",
        ),
    ] {
        let (status, body) = post(&app, &lead_client, "create_grant", &args).await;
        assert_eq!(status, 403, "{why}: {body}");
    }
    let outsider = json!({"subject": {"kind": "user", "id": 4}, "role": "viewer",
                          "scope": {"kind": "namespace", "namespace": "payments-dev"}});
    assert_eq!(
        post(&app, &lead_client, "create_grant", &outsider).await.0,
        403,
        "not a member"
    );
    let appoint = json!({"team_id": 1, "user": "outsider", "team_admin": true});
    assert_eq!(
        post(&app, &lead_client, "add_team_member", &appoint)
            .await
            .0,
        403,
        "only admins appoint team admins"
    );
}

#[tokio::test]
async fn the_setup_link_creates_the_first_admin_once() {
    let app = spawn_app().await;
    sqlx::query("DELETE FROM users")
        .execute(&app.db)
        .await
        .unwrap();
    let token = app
        .access
        .setup_token_if_no_users()
        .await
        .unwrap()
        .expect("a token");
    let form =
        |token: &str, password: &str| json!({"token": token, "name": "root", "password": password});
    let (status, body) = post(
        &app,
        &app.anonymous,
        "complete_setup",
        &form("wrong", "a long password here"),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = post(
        &app,
        &app.anonymous,
        "complete_setup",
        &form(&token, "password"),
    )
    .await;
    assert_eq!(status, 422, "a bad password leaves the link usable: {body}");
    let response = app
        .anonymous
        .post(app.url("/api/complete_setup"))
        .form(&[
            ("token", token.as_str()),
            ("name", "root"),
            ("password", "a long password here"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let root = client_with_cookie(&session_cookie(response.headers()).expect("signed in"));
    let (_, overview) = whoami(&app, &root).await;
    assert!(overview.contains("\"admin\":true"), "{overview}");
    let (status, _) = post(
        &app,
        &app.anonymous,
        "complete_setup",
        &form(&token, "another long password"),
    )
    .await;
    assert_eq!(status, 401, "the link works once");
    assert!(app
        .access
        .setup_token_if_no_users()
        .await
        .unwrap()
        .is_none());
}
