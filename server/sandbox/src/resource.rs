//! The resources the sandbox serves, with their discovery facts: core/v1 (namespaces,
//! configmaps, secrets, serviceaccounts, pods, events, services, persistentvolumeclaims),
//! apps/v1 deployments, networking.k8s.io/v1 ingresses, rbac.authorization.k8s.io/v1
//! roles and bindings, coordination.k8s.io/v1 leases.

use std::fmt;

/// A resource served by the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    /// `namespaces` (cluster-scoped).
    Namespace,
    /// `secrets`.
    Secret,
    /// `serviceaccounts`.
    ServiceAccount,
    /// `pods`.
    Pod,
    /// `events`.
    Event,
    /// `configmaps`.
    ConfigMap,
    /// `services`.
    Service,
    /// `persistentvolumeclaims`.
    PersistentVolumeClaim,
    /// `deployments.apps`.
    Deployment,
    /// `ingresses.networking.k8s.io`.
    Ingress,
    /// `leases.coordination.k8s.io`.
    Lease,
    /// `roles.rbac.authorization.k8s.io`.
    Role,
    /// `rolebindings.rbac.authorization.k8s.io`.
    RoleBinding,
    /// `clusterroles.rbac.authorization.k8s.io` (cluster-scoped).
    ClusterRole,
    /// `clusterrolebindings.rbac.authorization.k8s.io` (cluster-scoped).
    ClusterRoleBinding,
}

/// The static facts of one resource.
struct Facts {
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    categories: &'static [&'static str],
}

const fn facts(
    group: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
) -> Facts {
    Facts {
        group,
        version: "v1",
        plural,
        singular,
        kind,
        namespaced,
        short_names,
        categories: &[],
    }
}

const RBAC: &str = "rbac.authorization.k8s.io";

const NAMESPACE: Facts = facts("", "namespaces", "namespace", "Namespace", false, &["ns"]);
const SECRET: Facts = facts("", "secrets", "secret", "Secret", true, &[]);
const SERVICE_ACCOUNT: Facts = facts(
    "",
    "serviceaccounts",
    "serviceaccount",
    "ServiceAccount",
    true,
    &["sa"],
);
const POD: Facts = Facts {
    categories: &["all"],
    ..facts("", "pods", "pod", "Pod", true, &["po"])
};
const EVENT: Facts = facts("", "events", "event", "Event", true, &["ev"]);
const CONFIG_MAP: Facts = facts("", "configmaps", "configmap", "ConfigMap", true, &["cm"]);
const SERVICE: Facts = Facts {
    categories: &["all"],
    ..facts("", "services", "service", "Service", true, &["svc"])
};
const PVC: Facts = facts(
    "",
    "persistentvolumeclaims",
    "persistentvolumeclaim",
    "PersistentVolumeClaim",
    true,
    &["pvc"],
);
const DEPLOYMENT: Facts = Facts {
    categories: &["all"],
    ..facts(
        "apps",
        "deployments",
        "deployment",
        "Deployment",
        true,
        &["deploy"],
    )
};
const INGRESS: Facts = facts(
    "networking.k8s.io",
    "ingresses",
    "ingress",
    "Ingress",
    true,
    &["ing"],
);
const LEASE: Facts = facts("coordination.k8s.io", "leases", "lease", "Lease", true, &[]);
const ROLE: Facts = facts(RBAC, "roles", "role", "Role", true, &[]);
const ROLE_BINDING: Facts = facts(
    RBAC,
    "rolebindings",
    "rolebinding",
    "RoleBinding",
    true,
    &[],
);
const CLUSTER_ROLE: Facts = facts(
    RBAC,
    "clusterroles",
    "clusterrole",
    "ClusterRole",
    false,
    &[],
);
const CLUSTER_ROLE_BINDING: Facts = facts(
    RBAC,
    "clusterrolebindings",
    "clusterrolebinding",
    "ClusterRoleBinding",
    false,
    &[],
);

impl Resource {
    /// Every served resource, in discovery order (core first, then by group).
    pub const ALL: [Resource; 15] = [
        Resource::ConfigMap,
        Resource::Event,
        Resource::Namespace,
        Resource::PersistentVolumeClaim,
        Resource::Pod,
        Resource::Secret,
        Resource::ServiceAccount,
        Resource::Service,
        Resource::Deployment,
        Resource::Ingress,
        Resource::Lease,
        Resource::ClusterRoleBinding,
        Resource::ClusterRole,
        Resource::RoleBinding,
        Resource::Role,
    ];

    fn facts(self) -> &'static Facts {
        match self {
            Resource::Namespace => &NAMESPACE,
            Resource::Secret => &SECRET,
            Resource::ServiceAccount => &SERVICE_ACCOUNT,
            Resource::Pod => &POD,
            Resource::Event => &EVENT,
            Resource::ConfigMap => &CONFIG_MAP,
            Resource::Service => &SERVICE,
            Resource::PersistentVolumeClaim => &PVC,
            Resource::Deployment => &DEPLOYMENT,
            Resource::Ingress => &INGRESS,
            Resource::Lease => &LEASE,
            Resource::Role => &ROLE,
            Resource::RoleBinding => &ROLE_BINDING,
            Resource::ClusterRole => &CLUSTER_ROLE,
            Resource::ClusterRoleBinding => &CLUSTER_ROLE_BINDING,
        }
    }

    /// The API group (`""` for core, `apps`, `rbac.authorization.k8s.io`, ...).
    pub fn group(self) -> &'static str {
        self.facts().group
    }

    /// The version within the group (always `v1` here).
    pub fn version(self) -> &'static str {
        self.facts().version
    }

    /// The `apiVersion` of objects: `v1` or `group/v1`.
    pub fn api_version(self) -> String {
        match self.group() {
            "" => self.version().to_string(),
            group => format!("{group}/{}", self.version()),
        }
    }

    /// The plural URL segment, e.g. `secrets`.
    pub fn plural(self) -> &'static str {
        self.facts().plural
    }

    /// The plural qualified by its group as kube-apiserver prints it in errors
    /// (`secrets`, `deployments.apps`).
    pub fn qualified(self) -> String {
        match self.group() {
            "" => self.plural().to_string(),
            group => format!("{}.{group}", self.plural()),
        }
    }

    /// The Kind qualified by its group (`Secret`, `Deployment.apps`), as in `Invalid` errors.
    pub fn qualified_kind(self) -> String {
        match self.group() {
            "" => self.kind().to_string(),
            group => format!("{}.{group}", self.kind()),
        }
    }

    /// The singular name, e.g. `secret`.
    pub fn singular(self) -> &'static str {
        self.facts().singular
    }

    /// The Kind, e.g. `Secret`.
    pub fn kind(self) -> &'static str {
        self.facts().kind
    }

    /// Whether objects live inside a namespace.
    pub fn namespaced(self) -> bool {
        self.facts().namespaced
    }

    /// Short names advertised in discovery.
    pub fn short_names(self) -> &'static [&'static str] {
        self.facts().short_names
    }

    /// Categories advertised in discovery (`all` for what `kubectl get all` shows).
    pub fn categories(self) -> &'static [&'static str] {
        self.facts().categories
    }

    /// Verbs advertised in discovery.
    pub fn verbs(self) -> &'static [&'static str] {
        match self {
            Resource::Namespace => &[
                "create", "delete", "get", "list", "patch", "update", "watch",
            ],
            _ => &[
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ],
        }
    }

    /// The resource served at `plural` in `group`/`version`.
    pub fn lookup(group: &str, version: &str, plural: &str) -> Option<Resource> {
        Resource::ALL
            .into_iter()
            .find(|r| r.group() == group && r.version() == version && r.plural() == plural)
    }

    /// The resource of a Kind in an `apiVersion` (`v1`, `apps/v1`).
    pub fn of_kind(api_version: &str, kind: &str) -> Option<Resource> {
        Resource::ALL
            .into_iter()
            .find(|r| r.api_version() == api_version && r.kind() == kind)
    }

    /// The named API groups served, each once, in discovery order.
    pub fn groups() -> Vec<&'static str> {
        let mut groups: Vec<&'static str> = Vec::new();
        for r in Resource::ALL {
            if !r.group().is_empty() && !groups.contains(&r.group()) {
                groups.push(r.group());
            }
        }
        groups
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.plural())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(
            Resource::lookup("apps", "v1", "deployments"),
            Some(Resource::Deployment)
        );
        assert_eq!(Resource::lookup("", "v1", "deployments"), None);
        assert_eq!(
            Resource::of_kind("rbac.authorization.k8s.io/v1", "ClusterRole"),
            Some(Resource::ClusterRole)
        );
        assert_eq!(Resource::Deployment.qualified(), "deployments.apps");
        assert_eq!(Resource::Secret.qualified(), "secrets");
        assert_eq!(
            Resource::groups(),
            [
                "apps",
                "networking.k8s.io",
                "coordination.k8s.io",
                "rbac.authorization.k8s.io"
            ]
        );
    }
}
