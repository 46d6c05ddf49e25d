//! kube-apiserver's RBAC authorizer over the Roles, ClusterRoles and bindings in the store.
//!
//! ```text
//! user in group system:masters ─────────────────────────────▶ allow (privileged group)
//! built-in bootstrap rules (system:discovery, system:basic-user,
//!   system:public-info-viewer) for system:authenticated ──────▶ allow if a rule matches
//! every ClusterRoleBinding naming the user ─▶ its ClusterRole's rules (any namespace)
//! request in namespace N: every RoleBinding in N naming the user
//!   ─▶ its Role in N, or its ClusterRole, whose rules then apply in N only
//! nothing matched ─▶ deny; reason "RBAC: <why a referenced role could not be read>" or ""
//! ```

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule, Role};
use k8s_openapi::api::rbac::v1::{RoleRef, Subject};

use super::attributes::Attributes;
use super::Identity;
use crate::resource::Resource;
use crate::store::Store;

/// The group whose members every request is allowed to (kube-apiserver's privileged group).
pub const MASTERS_GROUP: &str = "system:masters";
/// The group of every authenticated identity.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";

/// The authorizer's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// Why not, when a referenced role could not be read (`""` otherwise).
    pub reason: String,
}

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], urls: &[&str]) -> PolicyRule {
    let strings = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    PolicyRule {
        verbs: verbs.iter().map(|s| s.to_string()).collect(),
        api_groups: (!groups.is_empty()).then(|| strings(groups)).flatten(),
        resources: (!resources.is_empty())
            .then(|| strings(resources))
            .flatten(),
        non_resource_urls: (!urls.is_empty()).then(|| strings(urls)).flatten(),
        resource_names: None,
    }
}

/// The rules kube-apiserver's bootstrap policy grants every authenticated identity.
fn bootstrap_rules() -> Vec<PolicyRule> {
    vec![
        rule(
            &["get"],
            &[],
            &[],
            &[
                "/api",
                "/api/*",
                "/apis",
                "/apis/*",
                "/healthz",
                "/livez",
                "/openapi",
                "/openapi/*",
                "/readyz",
                "/version",
                "/version/",
            ],
        ),
        rule(
            &["create"],
            &["authorization.k8s.io"],
            &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
            &[],
        ),
        rule(
            &["create"],
            &["authentication.k8s.io"],
            &["selfsubjectreviews"],
            &[],
        ),
    ]
}

fn matches_or_star(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

/// RBAC's `RuleAllows`: verbs, API groups, resources (with `*/sub` and `*`), names, URLs.
pub fn rule_allows(attrs: &Attributes, rule: &PolicyRule) -> bool {
    if !matches_or_star(&rule.verbs, &attrs.verb) {
        return false;
    }
    if !attrs.resource_request {
        return rule.non_resource_urls.iter().flatten().any(|url| {
            url == "*"
                || *url == attrs.path
                || url
                    .strip_suffix('*')
                    .is_some_and(|prefix| attrs.path.starts_with(prefix))
        });
    }
    let groups = rule.api_groups.as_deref().unwrap_or_default();
    let resources = rule.resources.as_deref().unwrap_or_default();
    let combined = attrs.combined_resource();
    let resource_ok = resources.iter().any(|r| {
        r == "*"
            || *r == combined
            || (!attrs.subresource.is_empty()
                && r.strip_prefix("*/") == Some(attrs.subresource.as_str()))
    });
    let names = rule.resource_names.as_deref().unwrap_or_default();
    let name_ok = names.is_empty() || names.contains(&attrs.name);
    matches_or_star(groups, &attrs.api_group) && resource_ok && name_ok
}

/// Whether `subject` names `user`; `namespace` is the binding's (for ServiceAccounts
/// without one).
fn applies_to(subject: &Subject, user: &Identity, namespace: &str) -> bool {
    match subject.kind.as_str() {
        "User" => subject.name == user.name,
        "Group" => user.groups.contains(&subject.name),
        "ServiceAccount" => {
            let ns = subject.namespace.as_deref().filter(|n| !n.is_empty());
            let ns = ns.unwrap_or(namespace);
            !ns.is_empty() && user.name == format!("system:serviceaccount:{ns}:{}", subject.name)
        }
        _ => false,
    }
}

/// What RBAC reads of a RoleBinding or ClusterRoleBinding.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Binding {
    role_ref: RoleRef,
    #[serde(default)]
    subjects: Vec<Subject>,
}

/// The rules a binding's `roleRef` points at, or the lister's not-found wording.
fn role_rules(
    store: &Store,
    role_ref: &RoleRef,
    namespace: &str,
) -> Result<Vec<PolicyRule>, String> {
    let missing = |kind: &str| {
        format!(
            "{kind}.rbac.authorization.k8s.io {:?} not found",
            role_ref.name
        )
    };
    match role_ref.kind.as_str() {
        "ClusterRole" => store
            .get(Resource::ClusterRole, "", &role_ref.name)
            .and_then(|v| serde_json::from_value::<ClusterRole>(v).ok())
            .map(|r| r.rules.unwrap_or_default())
            .ok_or_else(|| missing("clusterrole")),
        "Role" => store
            .get(Resource::Role, namespace, &role_ref.name)
            .and_then(|v| serde_json::from_value::<Role>(v).ok())
            .map(|r| r.rules.unwrap_or_default())
            .ok_or_else(|| missing("role")),
        other => Err(format!("unsupported role reference kind: {other:?}")),
    }
}

/// The rules that apply to `user` for a request in `namespace` (`""`: cluster scope),
/// with the errors met while resolving role references.
pub fn rules_for(
    store: &Store,
    user: &Identity,
    namespace: &str,
) -> (Vec<PolicyRule>, Vec<String>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    if user.groups.iter().any(|g| g == AUTHENTICATED_GROUP) {
        rules.extend(bootstrap_rules());
    }
    let mut take = |role_ref: &RoleRef, ns: &str| match role_rules(store, role_ref, ns) {
        Ok(found) => rules.extend(found),
        Err(e) => errors.push(e),
    };
    let bindings = |resource, ns: &str| -> Vec<Binding> {
        let scope = (!ns.is_empty()).then_some(ns);
        let objects = store.objects(resource, scope);
        objects
            .iter()
            .filter_map(|o| serde_json::from_value((**o).clone()).ok())
            .collect()
    };
    let mut scopes = vec![(Resource::ClusterRoleBinding, "")];
    if !namespace.is_empty() {
        scopes.push((Resource::RoleBinding, namespace));
    }
    for (resource, ns) in scopes {
        for binding in bindings(resource, ns) {
            if binding.subjects.iter().any(|s| applies_to(s, user, ns)) {
                take(&binding.role_ref, ns);
            }
        }
    }
    (rules, errors)
}

/// Authorizes `attrs` for `user` against the RBAC objects in `store`.
pub fn authorize(store: &Store, user: &Identity, attrs: &Attributes) -> Decision {
    if user.groups.iter().any(|g| g == MASTERS_GROUP) {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    let (rules, mut errors) = rules_for(store, user, &attrs.namespace);
    if rules.iter().any(|r| rule_allows(attrs, r)) {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    errors.dedup();
    let reason = match errors.as_slice() {
        [] => String::new(),
        [one] => format!("RBAC: {one}"),
        many => format!("RBAC: [{}]", many.join(", ")),
    };
    Decision {
        allowed: false,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn attrs(method: Method, path: &str) -> Attributes {
        Attributes::of(&method, path, &Default::default())
    }

    #[test]
    fn rule_matching() {
        let secrets = rule(&["get", "list"], &[""], &["secrets"], &[]);
        assert!(rule_allows(
            &attrs(Method::GET, "/api/v1/secrets"),
            &secrets
        ));
        assert!(!rule_allows(
            &attrs(Method::POST, "/api/v1/namespaces/a/secrets"),
            &secrets
        ));
        assert!(!rule_allows(
            &attrs(Method::GET, "/apis/apps/v1/deployments"),
            &secrets
        ));
        let status = rule(&["*"], &["*"], &["*/status"], &[]);
        assert!(rule_allows(
            &attrs(Method::PUT, "/api/v1/namespaces/a/pods/p/status"),
            &status
        ));
        assert!(!rule_allows(
            &attrs(Method::PUT, "/api/v1/namespaces/a/pods/p"),
            &status
        ));
        let mut named = rule(&["get"], &[""], &["secrets"], &[]);
        named.resource_names = Some(vec!["one".into()]);
        assert!(rule_allows(
            &attrs(Method::GET, "/api/v1/namespaces/a/secrets/one"),
            &named
        ));
        assert!(!rule_allows(
            &attrs(Method::GET, "/api/v1/namespaces/a/secrets/two"),
            &named
        ));
        let urls = rule(&["get"], &[], &[], &["/healthz", "/apis/*"]);
        assert!(rule_allows(&attrs(Method::GET, "/apis/apps"), &urls));
        assert!(rule_allows(&attrs(Method::GET, "/healthz"), &urls));
        assert!(!rule_allows(&attrs(Method::GET, "/metrics"), &urls));
    }

    #[test]
    fn subjects() {
        let sa = Identity::service_account("ns", "robot");
        let subject = |kind: &str, name: &str, ns: Option<&str>| Subject {
            kind: kind.into(),
            name: name.into(),
            namespace: ns.map(str::to_string),
            api_group: None,
        };
        assert!(applies_to(
            &subject("ServiceAccount", "robot", Some("ns")),
            &sa,
            ""
        ));
        assert!(applies_to(
            &subject("ServiceAccount", "robot", None),
            &sa,
            "ns"
        ));
        assert!(!applies_to(
            &subject("ServiceAccount", "robot", None),
            &sa,
            ""
        ));
        assert!(applies_to(
            &subject("Group", "system:serviceaccounts:ns", None),
            &sa,
            ""
        ));
        assert!(!applies_to(&subject("User", "robot", None), &sa, ""));
    }
}
