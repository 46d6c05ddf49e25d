//! The permission the cluster refused regboard, in the one sentence the UI,
//! `/readyz`, an action's error and its audit row all show:
//!
//! ```text
//! regboard may not list secrets at the cluster scope (API group ""):
//!   grant it in the ClusterRole "regboard" (deploy/base/rbac.yaml).
//! ```
//!
//! Two ways in: a 403 from the API (its kube-apiserver message names the
//! verb, resource, group and scope: [`Permission::refused_by`], used by
//! [`super::describe_kube_error`] for every call), and, for what regboard
//! needs before it can show anything at all ([`NEEDED_AT_START`]: the
//! reflectors' list and watch), a SelfSubjectAccessReview per permission on
//! each status check ([`refused_at_start`], as `kubectl auth can-i` asks),
//! so readiness falls and recovers with the ClusterRole itself.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

/// The ClusterRole the manifests give regboard.
pub const CLUSTER_ROLE: &str = "regboard";
/// The file in the repository that holds it.
pub const RBAC_MANIFEST: &str = "deploy/base/rbac.yaml";

/// What regboard needs from its first second: the inventory's and the
/// reconciler's reflectors list and watch every namespace and every Secret.
/// A new reflector adds its (verb, API group, resource) here.
pub const NEEDED_AT_START: &[(&str, &str, &str)] = &[
    ("list", "", "namespaces"),
    ("watch", "", "namespaces"),
    ("list", "", "secrets"),
    ("watch", "", "secrets"),
    ("list", "", "serviceaccounts"),
    ("watch", "", "serviceaccounts"),
];

/// One verb on one resource at one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, ….
    pub verb: String,
    /// The API group (`""` for core).
    pub group: String,
    /// The resource (`resource/subresource` for a subresource).
    pub resource: String,
    /// The namespace, or `None` at the cluster scope.
    pub namespace: Option<String>,
}

impl Permission {
    /// `verb` on `resource` of `group` at the cluster scope.
    pub fn cluster(verb: &str, group: &str, resource: &str) -> Self {
        Self {
            verb: verb.to_owned(),
            group: group.to_owned(),
            resource: resource.to_owned(),
            namespace: None,
        }
    }

    /// The permission a kube-apiserver 403 message names: `… is forbidden:
    /// User "…" cannot VERB resource "R" in API group "G"` then `at the
    /// cluster scope` or `in the namespace "N"` (and maybe `: reason`).
    /// `None` for any other text (a webhook's own words, a path refusal).
    pub fn refused_by(message: &str) -> Option<Self> {
        let (_, rest) = message.split_once(" is forbidden: User \"")?;
        let (_, rest) = rest.split_once("\" cannot ")?;
        let (verb, rest) = rest.split_once(" resource \"")?;
        let (resource, rest) = rest.split_once("\" in API group \"")?;
        let (group, rest) = rest.split_once('"')?;
        let namespace = if rest.starts_with(" at the cluster scope") {
            None
        } else {
            let rest = rest.strip_prefix(" in the namespace \"")?;
            Some(rest.split_once('"')?.0.to_owned())
        };
        let word = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
        (word(verb) && word(resource)).then(|| Self {
            verb: verb.to_owned(),
            group: group.to_owned(),
            resource: resource.to_owned(),
            namespace,
        })
    }

    /// `list secrets at the cluster scope (API group "")`.
    fn phrase(&self) -> String {
        let scope = match &self.namespace {
            None => "at the cluster scope".to_owned(),
            Some(ns) => format!("in the namespace {ns:?}"),
        };
        format!(
            "{} {} {scope} (API group {:?})",
            self.verb, self.resource, self.group
        )
    }
}

/// The one sentence that names every permission in `refused` and where to
/// grant it (empty `refused`: an empty string).
pub fn refusal_sentence(refused: &[Permission]) -> String {
    if refused.is_empty() {
        return String::new();
    }
    let phrases: Vec<String> = refused.iter().map(Permission::phrase).collect();
    let what = if refused.len() == 1 { "it" } else { "them" };
    format!(
        "regboard may not {}: grant {what} in the ClusterRole {CLUSTER_ROLE:?} ({RBAC_MANIFEST}).",
        phrases.join(" nor ")
    )
}

/// The permissions of [`NEEDED_AT_START`] the cluster says regboard lacks.
/// A review the cluster cannot answer counts as granted: the reflectors'
/// own errors are then in the log, and nothing is claimed that the cluster
/// did not say.
pub async fn refused_at_start(client: &kube::Client) -> Vec<Permission> {
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let asks = NEEDED_AT_START.iter().map(|(verb, group, resource)| {
        let reviews = reviews.clone();
        async move {
            let permission = Permission::cluster(verb, group, resource);
            let review = SelfSubjectAccessReview {
                spec: SelfSubjectAccessReviewSpec {
                    resource_attributes: Some(ResourceAttributes {
                        verb: Some(permission.verb.clone()),
                        group: Some(permission.group.clone()),
                        resource: Some(permission.resource.clone()),
                        ..ResourceAttributes::default()
                    }),
                    ..SelfSubjectAccessReviewSpec::default()
                },
                ..SelfSubjectAccessReview::default()
            };
            match reviews.create(&PostParams::default(), &review).await {
                Ok(answer) => answer
                    .status
                    .is_some_and(|s| !s.allowed)
                    .then_some(permission),
                Err(e) => {
                    tracing::debug!(error = %super::describe_kube_error(&e), "the cluster cannot review regboard's access");
                    None
                }
            }
        }
    });
    futures::future::join_all(asks)
        .await
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "User \"system:serviceaccount:regboard-system:regboard\"";

    #[test]
    fn a_kube_apiserver_refusal_reads_as_the_permission_and_where_to_grant_it() {
        let cluster = format!("secrets is forbidden: {USER} cannot list resource \"secrets\" in API group \"\" at the cluster scope");
        assert_eq!(
            refusal_sentence(&[Permission::refused_by(&cluster).unwrap()]),
            "regboard may not list secrets at the cluster scope (API group \"\"): grant it in the ClusterRole \"regboard\" (deploy/base/rbac.yaml)."
        );
        let namespaced = format!("deployments.apps \"web\" is forbidden: {USER} cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"team-a\": RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found");
        assert_eq!(
            Permission::refused_by(&namespaced).unwrap(),
            Permission {
                verb: "patch".into(),
                group: "apps".into(),
                resource: "deployments/scale".into(),
                namespace: Some("team-a".into()),
            }
        );
    }

    #[test]
    fn other_texts_name_no_permission() {
        for text in [
            format!("forbidden: {USER} cannot get path \"/metrics\""),
            "admission webhook \"policy\" denied the request".to_owned(),
            String::new(),
        ] {
            assert_eq!(Permission::refused_by(&text), None, "{text}");
        }
    }

    #[test]
    fn several_refusals_make_one_sentence() {
        let both = [
            Permission::cluster("watch", "", "secrets"),
            Permission::cluster("list", "", "namespaces"),
        ];
        assert_eq!(
            refusal_sentence(&both),
            "regboard may not watch secrets at the cluster scope (API group \"\") nor list namespaces at the cluster scope (API group \"\"): grant them in the ClusterRole \"regboard\" (deploy/base/rbac.yaml)."
        );
    }
}
