//! Delegation that cannot escalate, through the server functions a team
//! admin's browser calls: replacing a grant needs the right to revoke it,
//! only admins change who administers a team, and adding someone to a team
//! needs the right to give them each of the team's grants. Every refusal
//! leaves the grants and memberships as they were and is audited once.

use serde_json::{json, Value};

use crate::authz::post;
use crate::helpers::{spawn_app, TestApp, PASSWORD};

/// A team `web` administered by `lead` (editor on project payments), with
/// `dev` as a plain member; the admin's client set it up.
struct Team {
    app: TestApp,
    lead: reqwest::Client,
    team_id: i64,
    dev: i64,
}

async fn team_with_lead() -> Team {
    let app = spawn_app().await;
    let lead = app.create_user("lead", false).await;
    let dev = app.create_user("dev", false).await;
    as_admin(&app, "create_team", json!({"name": "web"})).await;
    let team_id: i64 = sqlx::query_scalar("SELECT id FROM teams WHERE name = 'web'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    for (user, team_admin) in [("lead", true), ("dev", false)] {
        let args = json!({"team_id": team_id, "user": user, "team_admin": team_admin});
        as_admin(&app, "add_team_member", args).await;
    }
    admin_grants(&app, user(lead), "editor", project("payments")).await;
    let lead = app.login("lead", PASSWORD).await;
    Team {
        app,
        lead,
        team_id,
        dev,
    }
}

/// Calls `endpoint` as the admin and insists it works.
async fn as_admin(app: &TestApp, endpoint: &str, args: Value) {
    let (status, body) = post(app, &app.client, endpoint, &args).await;
    assert_eq!(status, 200, "{endpoint} as admin: {body}");
}

/// The admin gives `subject` `role` on `scope`.
async fn admin_grants(app: &TestApp, subject: Value, role: &str, scope: Value) {
    as_admin(app, "create_grant", grant(subject, role, scope)).await;
}

/// Asks, as `client`, to add `name` to team `team_id` as a plain member.
async fn add_plain(
    app: &TestApp,
    client: &reqwest::Client,
    team_id: i64,
    name: &str,
) -> (u16, String) {
    post(
        app,
        client,
        "add_team_member",
        &member(team_id, name, false),
    )
    .await
}

fn user(id: i64) -> Value {
    json!({"kind": "user", "id": id})
}

fn team(id: i64) -> Value {
    json!({"kind": "team", "id": id})
}

fn project(name: &str) -> Value {
    json!({"kind": "project", "project": name})
}

fn namespace(name: &str) -> Value {
    json!({"kind": "namespace", "namespace": name})
}

fn grant(subject: Value, role: &str, scope: Value) -> Value {
    json!({"subject": subject, "role": role, "scope": scope})
}

fn member(team_id: i64, name: &str, team_admin: bool) -> Value {
    json!({"team_id": team_id, "user": name, "team_admin": team_admin})
}

/// Every grant and membership, as rows to compare before and after.
async fn rows(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT 'grant ' || id || ' ' || coalesce(user_id, '-') || ' ' || coalesce(team_id, '-') \
                || ' ' || role || ' ' || scope_kind || ' ' || scope_name || ' ' || granted_by_name \
         FROM grants \
         UNION ALL SELECT 'member ' || team_id || ' ' || user_id || ' ' || team_admin \
         FROM team_members ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// The role `user_id` holds on the namespace `ns`, as stored.
async fn role_of(app: &TestApp, user_id: i64, ns: &str) -> Option<String> {
    sqlx::query_scalar("SELECT role FROM grants WHERE user_id = ? AND scope_name = ?")
        .bind(user_id)
        .bind(ns)
        .fetch_optional(&app.db)
        .await
        .unwrap()
}

/// Whether `name` administers team `team_id` (`None`: not a member).
async fn team_admin_flag(app: &TestApp, team_id: i64, name: &str) -> Option<bool> {
    sqlx::query_scalar(
        "SELECT m.team_admin FROM team_members m JOIN users u ON u.id = m.user_id \
         WHERE m.team_id = ? AND u.name = ?",
    )
    .bind(team_id)
    .bind(name)
    .fetch_optional(&app.db)
    .await
    .unwrap()
}

/// Calls `endpoint` as `client`, expecting a refusal (403 `NotAllowed`)
/// whose sentence contains `sentence`, that changes no grant or membership
/// and is audited exactly once as denied for `action`.
async fn assert_refused(
    app: &TestApp,
    client: &reqwest::Client,
    (endpoint, args): (&str, Value),
    action: &str,
    sentence: &str,
) {
    let before = rows(app).await;
    assert!(
        before.iter().any(|r| r.starts_with("member ")),
        "{before:?}"
    );
    assert!(before.iter().any(|r| r.starts_with("grant ")), "{before:?}");
    let audited_before = denials(app, action).await;
    let (status, body) = post(app, client, endpoint, &args).await;
    assert_eq!(status, 403, "{endpoint} {args}: {body}");
    assert!(body.contains("NotAllowed"), "{body}");
    assert!(body.contains(sentence), "{body} should say {sentence:?}");
    assert_eq!(rows(app).await, before, "{endpoint} refused, yet changed");
    assert_eq!(
        denials(app, action).await,
        audited_before + 1,
        "{action}: one audited refusal"
    );
}

/// Denied audit rows for `action` (403, with the sentence in the details).
async fn denials(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = ? AND outcome = 'denied' \
         AND status_code = 403 AND json_extract(details, '$.message') IS NOT NULL",
    )
    .bind(action)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_team_admin_replaces_only_a_grant_they_could_revoke() {
    let Team { app, lead, dev, .. } = team_with_lead().await;
    // Owner on payments-dev is beyond the lead's editor: they cannot revoke it.
    admin_grants(&app, user(dev), "owner", namespace("payments-dev")).await;
    admin_grants(&app, user(dev), "viewer", namespace("payments-prod")).await;
    // The lead may give dev viewer on payments-dev, but not over dev's owner.
    assert_refused(
        &app,
        &lead,
        ("create_grant", grant(user(dev), "viewer", namespace("payments-dev"))),
        "grant.create",
        "dev already holds owner on namespace payments-dev, and replacing a grant needs the right to revoke it.",
    )
    .await;
    assert_eq!(
        role_of(&app, dev, "payments-dev").await.as_deref(),
        Some("owner")
    );

    // Viewer on payments-prod is within the lead's reach: replaced both ways.
    for role in ["editor", "viewer"] {
        let args = grant(user(dev), role, namespace("payments-prod"));
        let (status, body) = post(&app, &lead, "create_grant", &args).await;
        assert_eq!(status, 200, "{role}: {body}");
        assert_eq!(
            role_of(&app, dev, "payments-prod").await.as_deref(),
            Some(role)
        );
    }
    // The admin may replace anything.
    admin_grants(&app, user(dev), "viewer", namespace("payments-dev")).await;
    assert_eq!(
        role_of(&app, dev, "payments-dev").await.as_deref(),
        Some("viewer")
    );
}

#[tokio::test]
async fn a_team_admin_neither_demotes_nor_promotes_members_and_an_admin_does_both() {
    let Team {
        app, lead, team_id, ..
    } = team_with_lead().await;
    app.create_user("co", false).await;
    app.create_user("newcomer", false).await;
    as_admin(&app, "add_team_member", member(team_id, "co", true)).await;

    assert_refused(
        &app,
        &lead,
        ("add_team_member", member(team_id, "co", false)),
        "team.member.add",
        "co is already a team admin of web; only an admin can make them a plain member.",
    )
    .await;
    assert_refused(
        &app,
        &lead,
        ("add_team_member", member(team_id, "dev", true)),
        "team.member.add",
        "You do not have permission to appoint team admins.",
    )
    .await;
    assert_eq!(team_admin_flag(&app, team_id, "co").await, Some(true));
    assert_eq!(team_admin_flag(&app, team_id, "dev").await, Some(false));

    // Adding a plain member again changes nothing, and says so.
    let before = rows(&app).await;
    let (status, body) = add_plain(&app, &lead, team_id, "dev").await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body.contains("dev is already a member of team web."),
        "{body}"
    );
    assert_eq!(rows(&app).await, before);
    // A new member is the team admin's to add.
    let (status, body) = add_plain(&app, &lead, team_id, "newcomer").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        team_admin_flag(&app, team_id, "newcomer").await,
        Some(false)
    );

    // The admin demotes and promotes through the same call.
    as_admin(&app, "add_team_member", member(team_id, "co", false)).await;
    as_admin(&app, "add_team_member", member(team_id, "dev", true)).await;
    assert_eq!(team_admin_flag(&app, team_id, "co").await, Some(false));
    assert_eq!(team_admin_flag(&app, team_id, "dev").await, Some(true));
}

#[tokio::test]
async fn a_team_admin_adds_members_only_when_they_could_give_them_the_teams_grants() {
    let Team {
        app, lead, team_id, ..
    } = team_with_lead().await;
    app.create_user("newbie", false).await;
    app.create_user("other", false).await;
    // The team holds editor on the whole of payments (the lead holds only
    // editor there: project scope is the owners' to give) and viewer on
    // search-dev (the lead holds it through the team: theirs to give).
    admin_grants(&app, team(team_id), "editor", project("payments")).await;
    admin_grants(&app, team(team_id), "viewer", namespace("search-dev")).await;

    assert_refused(
        &app,
        &lead,
        ("add_team_member", member(team_id, "newbie", false)),
        "team.member.add",
        "Adding newbie to team web would give them editor on project payments, which you cannot grant. \
         Only admins and owners of project payments can grant roles on the whole project.",
    )
    .await;
    assert_eq!(team_admin_flag(&app, team_id, "newbie").await, None);
    let newbie_client = app.login("newbie", PASSWORD).await;
    let (_, list) = post(&app, &newbie_client, "list_namespaces", &json!({})).await;
    assert!(!list.contains("payments-dev"), "{list}");

    // The admin may hand out anything.
    as_admin(&app, "add_team_member", member(team_id, "other", false)).await;
    // An owner of payments may give the team's grants, so may add to it.
    let lead_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE name = 'lead'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    admin_grants(&app, user(lead_id), "owner", project("payments")).await;
    let (status, body) = add_plain(&app, &lead, team_id, "newbie").await;
    assert_eq!(status, 200, "{body}");
    let (_, list) = post(&app, &newbie_client, "list_namespaces", &json!({})).await;
    assert!(
        list.contains("payments-dev"),
        "newbie got the team's grant: {list}"
    );
}
