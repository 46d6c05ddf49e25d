//! The registry rows of the authorization matrix: lists, credentials,
//! import and export, previews and rotation, unmanaged pull Secrets.

use serde_json::{json, Value};

use super::{case, registry, scope_name, Case, NoScope, Who};

/// An import of a one-entry config.json as a new registry `name` in
/// payments-dev.
fn import_request(name: &str) -> Value {
    json!({"request": {
        "config": r#"{"auths":{"ghcr.io":{"auth":"Ym90OnB3"}}}"#,
        "keys": ["ghcr.io"],
        "target": {"kind": "new", "scope": {"kind": "namespace", "namespace": "payments-dev"},
                   "name": name},
        "test_credential": false}})
}

/// One case per registry server function.
pub(super) fn cases() -> Vec<Case> {
    vec![
        case(
            "list_registries",
            Who::Owner,
            json!({}),
            NoScope::Empty("[]"),
        ),
        case(
            "expiring_credentials",
            Who::Owner,
            json!({}),
            NoScope::Empty("[]"),
        ),
        case(
            "preview_import",
            Who::Nobody,
            json!({"config": r#"{"auths":{"ghcr.io":{"auth":"Ym90OnB3"}}}"#}),
            NoScope::Allowed,
        ),
        case(
            "import_registry",
            Who::Owner,
            import_request("imported"),
            NoScope::Denied,
        ),
        case(
            "preview_import_change",
            Who::Owner,
            import_request("imported-preview"),
            NoScope::Denied,
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
            "set_attachment",
            Who::Owner,
            json!({"scope": {"kind": "namespace", "namespace": "payments-dev"}, "name": "made",
                   "attachment": {"mode": "default"}}),
            NoScope::Denied,
        ),
        case(
            "test_registry_credential",
            Who::Owner,
            scope_name("made"),
            NoScope::Denied,
        ),
        case(
            "preview_registry_change",
            Who::Owner,
            json!({"change": {"delete": scope_name("made")}}),
            NoScope::Denied,
        ),
        case(
            "rotate_registry_credential",
            Who::Owner,
            json!({"input": {"scope": {"kind": "namespace", "namespace": "payments-dev"},
                   "name": "made", "password": "a-registry-token-2", "test_credential": false}}),
            NoScope::Denied,
        ),
        case(
            "rotation_progress",
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
            "export_registry",
            Who::Owner,
            json!({"request": scope_name("seen")}),
            NoScope::Denied,
        ),
        case(
            "list_unmanaged_secrets",
            // The demo's hand-made pull Secret is in project search.
            Who::Admin,
            json!({}),
            NoScope::Empty("[]"),
        ),
        Case {
            answer: Some((404, "does not exist")),
            ..case(
                "adopt_unmanaged_secret",
                Who::Owner,
                json!({"request": {"namespace": "payments-dev", "name": "no-such-secret",
                                   "adopt_as": {"kind": "in_place"}}}),
                NoScope::Denied,
            )
        },
    ]
}
