//! The cases of the authorization matrix: for each server function, who
//! makes the "right scope" call, its arguments, and what a signed-in user
//! without grants gets.

use serde_json::{json, Value};

use crate::helpers::PASSWORD;

mod registries;

/// Who may make the "right scope" call.
#[derive(Clone, Copy, Debug)]
pub(super) enum Who {
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
pub(super) enum NoScope {
    /// 403 with the permission sentence.
    Denied,
    /// Through the policy (whatever the function then answers).
    Allowed,
    /// 200 with nothing in it: the list is filtered to nothing.
    Empty(&'static str),
}

/// One function's case: the right caller with its arguments, and the
/// arguments and expectation for the caller without grants.
pub(super) struct Case {
    pub(super) endpoint: &'static str,
    pub(super) who: Who,
    pub(super) args: Value,
    pub(super) no_scope_args: Value,
    pub(super) no_scope: NoScope,
    /// When the function itself refuses these arguments whoever calls
    /// (a used setup link, a wrong current password): its status and
    /// sentence, proving the call got past authorization to the service.
    pub(super) answer: Option<(u16, &'static str)>,
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
pub(super) fn assert_done(c: &Case, status: u16, body: &str, as_whom: &str) {
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

pub(super) fn registry(name: &str) -> Value {
    json!({"input": {
        "scope": {"kind": "namespace", "namespace": "payments-dev"},
        "name": name, "credentials": [{"host": "ghcr.io", "username": "bot",
        "password": "a-registry-token-1", "valid_until": "2001-01-01"}], "description": "x"}})
}

fn scope_name(name: &str) -> Value {
    json!({"scope": {"kind": "namespace", "namespace": "payments-dev"}, "name": name})
}

/// The ids of what the test made before the calls.
#[derive(Clone, Copy)]
pub(super) struct Ids {
    pub(super) admin_id: i64,
    pub(super) spare_id: i64,
    pub(super) team_id: i64,
    pub(super) grant_id: i64,
    pub(super) event_id: i64,
}

/// One case per registered server function.
pub(super) fn all(ids: &Ids) -> Vec<Case> {
    let Ids {
        admin_id,
        spare_id,
        team_id,
        grant_id,
        event_id,
    } = *ids;
    let ns_grant = json!({"subject": {"kind": "user", "id": spare_id}, "role": "editor",
                          "scope": {"kind": "namespace", "namespace": "payments-prod"}});
    let mut cases = vec![
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
        // The registry functions: cases/registries.rs.
        case(
            "list_workloads",
            Who::Owner,
            json!({"query": {"project": "payments"}}),
            NoScope::Denied,
        ),
        case(
            "workload_coverage",
            Who::Owner,
            json!({"query": {"namespace": "payments-staging"}}),
            NoScope::Denied,
        ),
        case(
            "diagnose_pod",
            Who::Owner,
            json!({"namespace": "payments-staging", "name": "checkout-7d9f8b6c5-x2x7k"}),
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
    cases.extend(registries::cases());
    cases
}
