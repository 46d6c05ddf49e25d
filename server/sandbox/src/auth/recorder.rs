//! Every authorization decision the sandbox made, per identity, for tests that prove a
//! role grants exactly what a program uses ([`Recorder::allowed_for`], [`unused_grants`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use k8s_openapi::api::rbac::v1::PolicyRule;

use super::attributes::Attributes;

/// One distinct kind of request an identity made.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Access {
    /// The identity's user name (`system:serviceaccount:<ns>:<name>`, a user, or
    /// `system:unsecured` when authorization is off).
    pub user: String,
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`
    /// (the lower-case HTTP method for a non-resource path).
    pub verb: String,
    /// The API group (`""` for core).
    pub api_group: String,
    /// `resource` or `resource/subresource` (`""` for a non-resource path).
    pub resource: String,
    /// The namespace, or `None` at the cluster scope.
    pub namespace: Option<String>,
    /// The path, for a non-resource request only (`/version`, `/openapi/v3`).
    pub path: Option<String>,
    /// Whether the authorizer allowed it.
    pub allowed: bool,
}

impl Access {
    pub(crate) fn of(user: &str, attrs: &Attributes, allowed: bool) -> Access {
        Access {
            user: user.to_string(),
            verb: attrs.verb.clone(),
            api_group: attrs.api_group.clone(),
            resource: attrs.combined_resource(),
            namespace: Some(attrs.namespace.clone()).filter(|n| !n.is_empty()),
            path: (!attrs.resource_request).then(|| attrs.path.clone()),
            allowed,
        }
    }
}

impl fmt::Display for Access {
    /// `list secrets (core) at the cluster scope`, `get deployments.apps in x`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            return write!(f, "{} {path}", self.verb);
        }
        let group = if self.api_group.is_empty() {
            String::new()
        } else {
            format!(".{}", self.api_group)
        };
        match &self.namespace {
            Some(ns) => write!(f, "{} {}{group} in {ns}", self.verb, self.resource),
            None => write!(
                f,
                "{} {}{group} at the cluster scope",
                self.verb, self.resource
            ),
        }
    }
}

/// The authorization decisions seen so far, with how often each was made.
#[derive(Debug, Default)]
pub struct Recorder {
    seen: Mutex<BTreeMap<Access, u64>>,
}

impl Recorder {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<Access, u64>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn record(&self, access: Access) {
        *self.lock().entry(access).or_default() += 1;
    }

    /// Every distinct access seen (allowed or refused), sorted, with its count.
    pub fn all(&self) -> Vec<(Access, u64)> {
        self.lock().iter().map(|(a, n)| (a.clone(), *n)).collect()
    }

    /// The distinct resource and non-resource requests `user` was allowed, sorted.
    pub fn allowed_for(&self, user: &str) -> Vec<Access> {
        self.filtered(user, true)
    }

    /// The distinct requests `user` was refused (403), sorted.
    pub fn refused_for(&self, user: &str) -> Vec<Access> {
        self.filtered(user, false)
    }

    fn filtered(&self, user: &str, allowed: bool) -> Vec<Access> {
        self.lock()
            .keys()
            .filter(|a| a.user == user && a.allowed == allowed)
            .cloned()
            .collect()
    }

    /// Forgets everything recorded so far.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

/// One (verb, group, resource) a rule grants.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    /// The verb (may be `*`).
    pub verb: String,
    /// The API group (may be `*`).
    pub api_group: String,
    /// The resource or `resource/subresource` (may be `*`), or a non-resource URL.
    pub resource: String,
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} in API group {:?}",
            self.verb, self.resource, self.api_group
        )
    }
}

/// The grants of `rules` that no allowed access in `used` exercised. A wildcard (`*`)
/// verb, group or resource is never exercised exactly, so it is always reported: a
/// least-privilege role names what it needs.
pub fn unused_grants(rules: &[PolicyRule], used: &[Access]) -> Vec<Grant> {
    let mut unused = Vec::new();
    for rule in rules {
        let groups = rule.api_groups.clone().unwrap_or_default();
        let targets: Vec<(String, String)> = match &rule.non_resource_urls {
            Some(urls) if !urls.is_empty() => {
                urls.iter().map(|u| (String::new(), u.clone())).collect()
            }
            _ => groups
                .iter()
                .flat_map(|g| {
                    let resources = rule.resources.clone().unwrap_or_default();
                    resources.into_iter().map(move |r| (g.clone(), r))
                })
                .collect(),
        };
        for verb in &rule.verbs {
            for (api_group, resource) in &targets {
                let exercised = used.iter().any(|a| {
                    a.allowed
                        && a.verb == *verb
                        && match &a.path {
                            Some(path) => path == resource,
                            None => a.api_group == *api_group && a.resource == *resource,
                        }
                });
                if !exercised {
                    unused.push(Grant {
                        verb: verb.clone(),
                        api_group: api_group.clone(),
                        resource: resource.clone(),
                    });
                }
            }
        }
    }
    unused.sort();
    unused.dedup();
    unused
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(verb: &str, resource: &str, ns: Option<&str>) -> Access {
        Access {
            user: "u".into(),
            verb: verb.into(),
            api_group: String::new(),
            resource: resource.into(),
            namespace: ns.map(str::to_string),
            path: None,
            allowed: true,
        }
    }

    #[test]
    fn unused_grants_are_listed() {
        let rule = PolicyRule {
            verbs: vec!["get".into(), "list".into(), "delete".into()],
            api_groups: Some(vec!["".into()]),
            resources: Some(vec!["secrets".into()]),
            ..Default::default()
        };
        let used = [
            access("get", "secrets", Some("a")),
            access("list", "secrets", None),
        ];
        let unused = unused_grants(&[rule], &used);
        assert_eq!(unused.len(), 1);
        assert_eq!(unused[0].to_string(), "delete secrets in API group \"\"");
    }

    #[test]
    fn recorder_counts_and_filters() {
        let recorder = Recorder::default();
        recorder.record(access("get", "secrets", Some("a")));
        recorder.record(access("get", "secrets", Some("a")));
        let mut refused = access("list", "secrets", None);
        refused.allowed = false;
        recorder.record(refused);
        assert_eq!(recorder.all()[0].1, 2);
        assert_eq!(recorder.allowed_for("u").len(), 1);
        assert_eq!(
            recorder.refused_for("u")[0].to_string(),
            "list secrets at the cluster scope"
        );
    }
}
