//! Where a request path leads: discovery, OpenAPI, a collection or an object.

use crate::resource::Resource;

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Version,
    /// `/api`.
    Api,
    /// `/apis`.
    Apis,
    /// `/api/v1` or `/apis/{group}/{version}`: the resources of one group version.
    GroupVersion {
        group: String,
        version: String,
    },
    /// `/apis/{group}`.
    Group {
        group: String,
    },
    /// `/openapi/v2`.
    OpenApiV2,
    /// `/openapi/v3`.
    OpenApiV3,
    /// `/openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}`.
    OpenApiV3Doc {
        group: String,
        version: String,
    },
    /// `/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`.
    SelfSubjectAccessReview,
    /// `/api/v1/{resource}` or `/api/v1/namespaces/{ns}/{resource}` (or under `/apis/{g}/{v}`).
    Collection {
        resource: Resource,
        namespace: Option<String>,
    },
    /// `/api/v1/namespaces/{name}` or `.../{resource}/{name}`.
    Object {
        resource: Resource,
        namespace: Option<String>,
        name: String,
    },
    Unknown,
}

impl Target {
    /// Parses a request path.
    pub fn parse(path: &str) -> Target {
        let trimmed = path.trim_end_matches('/');
        let segments: Vec<&str> = trimmed.split('/').skip(1).collect();
        match segments.as_slice() {
            ["version"] => Target::Version,
            ["api"] => Target::Api,
            ["apis"] => Target::Apis,
            ["openapi", "v2"] => Target::OpenApiV2,
            ["openapi", "v3"] => Target::OpenApiV3,
            ["openapi", "v3", "api", "v1"] => Target::OpenApiV3Doc {
                group: String::new(),
                version: "v1".into(),
            },
            ["openapi", "v3", "apis", group, version] => Target::OpenApiV3Doc {
                group: group.to_string(),
                version: version.to_string(),
            },
            ["api", "v1", rest @ ..] => Target::resource_path("", "v1", rest),
            ["apis", group] => Target::Group {
                group: group.to_string(),
            },
            ["apis", "authorization.k8s.io", "v1", "selfsubjectaccessreviews"] => {
                Target::SelfSubjectAccessReview
            }
            ["apis", group, version, rest @ ..] => Target::resource_path(group, version, rest),
            _ => Target::Unknown,
        }
    }

    /// The part after `/api/v1` or `/apis/{group}/{version}`.
    fn resource_path(group: &str, version: &str, rest: &[&str]) -> Target {
        let res = |plural: &str| Resource::lookup(group, version, plural);
        let ns_resource = res("namespaces");
        match rest {
            [] => Target::GroupVersion {
                group: group.to_string(),
                version: version.to_string(),
            },
            [r] => res(r).map_or(Target::Unknown, |resource| Target::Collection {
                resource,
                namespace: None,
            }),
            ["namespaces", name] if !name.is_empty() && ns_resource.is_some() => Target::Object {
                resource: Resource::Namespace,
                namespace: None,
                name: name.to_string(),
            },
            ["namespaces", ns, r] => match res(r) {
                Some(resource) if resource.namespaced() && !ns.is_empty() => Target::Collection {
                    resource,
                    namespace: Some(ns.to_string()),
                },
                _ => Target::Unknown,
            },
            ["namespaces", ns, r, name] if !name.is_empty() => match res(r) {
                Some(resource) if resource.namespaced() => Target::Object {
                    resource,
                    namespace: Some(ns.to_string()),
                    name: name.to_string(),
                },
                _ => Target::Unknown,
            },
            [r, name] if !name.is_empty() => match res(r) {
                Some(resource) if !resource.namespaced() => Target::Object {
                    resource,
                    namespace: None,
                    name: name.to_string(),
                },
                _ => Target::Unknown,
            },
            _ => Target::Unknown,
        }
    }

    /// The resource a collection or object path names.
    pub fn resource(&self) -> Option<Resource> {
        match self {
            Target::Collection { resource, .. } | Target::Object { resource, .. } => {
                Some(*resource)
            }
            _ => None,
        }
    }

    /// Whether this is a read-only document (discovery or OpenAPI).
    pub fn is_document(&self) -> bool {
        matches!(
            self,
            Target::Version
                | Target::Api
                | Target::Apis
                | Target::Group { .. }
                | Target::GroupVersion { .. }
                | Target::OpenApiV2
                | Target::OpenApiV3
                | Target::OpenApiV3Doc { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            Target::parse("/api/v1/secrets"),
            Target::Collection {
                resource: Resource::Secret,
                namespace: None
            }
        );
        assert_eq!(
            Target::parse("/api/v1/namespaces/a/secrets/b"),
            Target::Object {
                resource: Resource::Secret,
                namespace: Some("a".into()),
                name: "b".into()
            }
        );
        assert_eq!(
            Target::parse("/api/v1/namespaces/a"),
            Target::Object {
                resource: Resource::Namespace,
                namespace: None,
                name: "a".into()
            }
        );
        assert_eq!(
            Target::parse("/api/v1/namespaces/a/namespaces"),
            Target::Unknown
        );
        assert_eq!(
            Target::parse("/api/v1/namespaces/a/pods/b/log"),
            Target::Unknown
        );
        assert_eq!(Target::parse("/openapi/v2"), Target::OpenApiV2);
        assert_eq!(Target::parse("/api/v1/nodes"), Target::Unknown);
        assert_eq!(Target::parse("/api/v1/secrets/x"), Target::Unknown);
    }

    #[test]
    fn group_paths() {
        assert_eq!(
            Target::parse("/apis/apps/v1/namespaces/a/deployments/d"),
            Target::Object {
                resource: Resource::Deployment,
                namespace: Some("a".into()),
                name: "d".into()
            }
        );
        assert_eq!(
            Target::parse("/apis/rbac.authorization.k8s.io/v1/clusterroles/view"),
            Target::Object {
                resource: Resource::ClusterRole,
                namespace: None,
                name: "view".into()
            }
        );
        assert_eq!(
            Target::parse("/apis/apps/v1"),
            Target::GroupVersion {
                group: "apps".into(),
                version: "v1".into()
            }
        );
        assert_eq!(Target::parse("/apis/apps/v1/namespaces/a"), Target::Unknown);
        assert_eq!(
            Target::parse("/openapi/v3/apis/apps/v1"),
            Target::OpenApiV3Doc {
                group: "apps".into(),
                version: "v1".into()
            }
        );
    }
}
