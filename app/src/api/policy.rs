//! The coarse policy of every server function, applied by the server's HTTP
//! layer before the function runs: who may call it at all. A server function
//! missing from [`POLICIES`] is refused to everyone (fail closed), and the
//! authorization test fails until it gets an entry.
//!
//! The fine-grained rule (the role needed on the scope in the arguments) is
//! applied inside each function through [`super::authz`].

/// Who may call a server function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, signed in or not (signing in, the first-admin setup, the
    /// cluster banner).
    Public,
    /// Any signed-in user; the function itself checks the role on the scope
    /// and lists only what the user may see.
    SignedIn,
    /// Global admins only.
    Admin,
}

/// Every server function by endpoint name, with its policy.
pub const POLICIES: &[(&str, Policy)] = &[
    // session and account
    ("current_user", Policy::Public),
    ("login", Policy::Public),
    ("logout", Policy::Public),
    ("complete_setup", Policy::Public),
    ("change_password", Policy::SignedIn),
    // access management
    ("access_overview", Policy::SignedIn),
    ("create_user", Policy::Admin),
    ("set_user_disabled", Policy::Admin),
    ("set_user_admin", Policy::Admin),
    ("end_user_sessions", Policy::SignedIn),
    ("create_team", Policy::Admin),
    ("delete_team", Policy::Admin),
    ("add_team_member", Policy::SignedIn),
    ("remove_team_member", Policy::SignedIn),
    ("create_grant", Policy::SignedIn),
    ("revoke_grant", Policy::SignedIn),
    // cluster
    ("cluster_status", Policy::Public),
    ("list_namespaces", Policy::SignedIn),
    // projects
    ("list_projects", Policy::SignedIn),
    ("create_project", Policy::Admin),
    ("rename_project", Policy::SignedIn),
    ("delete_project", Policy::Admin),
    ("set_namespace_project", Policy::Admin),
    ("preview_namespace_move", Policy::Admin),
    ("accept_namespace_join", Policy::Admin),
    ("reject_namespace_join", Policy::Admin),
    // registries
    ("list_registries", Policy::SignedIn),
    ("get_registry", Policy::SignedIn),
    ("create_registry", Policy::SignedIn),
    ("update_registry", Policy::SignedIn),
    ("delete_registry", Policy::SignedIn),
    ("resync_registry", Policy::SignedIn),
    ("set_attachment", Policy::SignedIn),
    ("test_registry_credential", Policy::SignedIn),
    ("expiring_credentials", Policy::SignedIn),
    ("preview_import", Policy::SignedIn),
    ("import_registry", Policy::SignedIn),
    ("preview_import_change", Policy::SignedIn),
    ("restore_registry", Policy::Admin),
    ("adopt_secret", Policy::Admin),
    ("list_unproven_secrets", Policy::Admin),
    ("export_registry", Policy::SignedIn),
    ("list_unmanaged_secrets", Policy::SignedIn),
    ("adopt_unmanaged_secret", Policy::SignedIn),
    ("preview_registry_change", Policy::SignedIn),
    ("rotate_registry_credential", Policy::SignedIn),
    ("rotation_progress", Policy::SignedIn),
    // workloads
    ("list_workloads", Policy::SignedIn),
    ("workload_coverage", Policy::SignedIn),
    ("diagnose_pod", Policy::SignedIn),
    // audit
    ("audit_page", Policy::SignedIn),
    ("audit_event", Policy::SignedIn),
    ("audit_head", Policy::SignedIn),
];

/// The policy of the server function at `path` (`/api/<endpoint>`), or
/// `None` when it has none.
pub fn policy_for(path: &str) -> Option<Policy> {
    let endpoint = path.strip_prefix("/api/")?;
    POLICIES
        .iter()
        .find(|(name, _)| *name == endpoint)
        .map(|(_, policy)| *policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_need_the_exact_endpoint_under_api() {
        assert_eq!(policy_for("/api/login"), Some(Policy::Public));
        assert_eq!(policy_for("/api/create_user"), Some(Policy::Admin));
        assert_eq!(policy_for("/api/unknown"), None);
        assert_eq!(policy_for("/login"), None);
        assert_eq!(policy_for("/api/login/extra"), None);
    }

    #[test]
    fn every_endpoint_appears_once() {
        let mut names: Vec<&str> = POLICIES.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
