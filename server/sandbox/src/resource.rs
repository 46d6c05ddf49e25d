//! The core/v1 resources the sandbox serves, with their discovery facts.

use std::fmt;

/// A core/v1 resource served by the sandbox.
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
}

impl Resource {
    /// Every served resource, in discovery order.
    pub const ALL: [Resource; 5] = [
        Resource::Event,
        Resource::Namespace,
        Resource::Pod,
        Resource::Secret,
        Resource::ServiceAccount,
    ];

    /// The plural URL segment, e.g. `secrets`.
    pub fn plural(self) -> &'static str {
        match self {
            Resource::Namespace => "namespaces",
            Resource::Secret => "secrets",
            Resource::ServiceAccount => "serviceaccounts",
            Resource::Pod => "pods",
            Resource::Event => "events",
        }
    }

    /// The singular name, e.g. `secret`.
    pub fn singular(self) -> &'static str {
        match self {
            Resource::Namespace => "namespace",
            Resource::Secret => "secret",
            Resource::ServiceAccount => "serviceaccount",
            Resource::Pod => "pod",
            Resource::Event => "event",
        }
    }

    /// The Kind, e.g. `Secret`.
    pub fn kind(self) -> &'static str {
        match self {
            Resource::Namespace => "Namespace",
            Resource::Secret => "Secret",
            Resource::ServiceAccount => "ServiceAccount",
            Resource::Pod => "Pod",
            Resource::Event => "Event",
        }
    }

    /// Whether objects live inside a namespace.
    pub fn namespaced(self) -> bool {
        !matches!(self, Resource::Namespace)
    }

    /// Short names advertised in discovery.
    pub fn short_names(self) -> &'static [&'static str] {
        match self {
            Resource::Namespace => &["ns"],
            Resource::Secret => &[],
            Resource::ServiceAccount => &["sa"],
            Resource::Pod => &["po"],
            Resource::Event => &["ev"],
        }
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

    /// The resource for a plural URL segment.
    pub fn from_plural(plural: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.plural() == plural)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.plural())
    }
}
