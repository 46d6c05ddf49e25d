//! The workload that owns a pod, as `kubectl` users name it: a pod of
//! ReplicaSet `web-7d9f8b6c5` (label `pod-template-hash=7d9f8b6c5`) belongs
//! to Deployment `web`; Jobs, StatefulSets and DaemonSets own their pods
//! directly; a pod without an owner stands for itself.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The label ReplicaSets of a Deployment put on their pods.
pub const TEMPLATE_HASH: &str = "pod-template-hash";

/// A workload: its kind (`Deployment`, `Job`, `StatefulSet`, `DaemonSet`,
/// `ReplicaSet`, … or `Pod`) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Owner {
    /// The kind.
    pub kind: String,
    /// The name.
    pub name: String,
}

impl Owner {
    fn new(kind: &str, name: &str) -> Owner {
        Owner {
            kind: kind.to_owned(),
            name: name.to_owned(),
        }
    }
}

/// The owner of pod `pod` with `labels` and controller references
/// `refs` (`(kind, name)`, the controller first).
pub fn owner_of(pod: &str, labels: &BTreeMap<String, String>, refs: &[(String, String)]) -> Owner {
    let hash = labels.get(TEMPLATE_HASH).map(String::as_str);
    if let Some((kind, name)) = refs.first() {
        return match (kind.as_str(), hash) {
            ("ReplicaSet", Some(hash)) => match deployment_of(name, hash) {
                Some(deployment) => Owner::new("Deployment", deployment),
                None => Owner::new(kind, name),
            },
            _ => Owner::new(kind, name),
        };
    }
    // No owner reference (a pod written as its controller would): the
    // Deployment's naming still says whose it is.
    if let Some(hash) = hash {
        if let Some(deployment) = pod
            .rsplit_once('-')
            .and_then(|(replica_set, _)| deployment_of(replica_set, hash))
        {
            return Owner::new("Deployment", deployment);
        }
    }
    Owner::new("Pod", pod)
}

/// `web` of ReplicaSet `web-<hash>`.
fn deployment_of<'a>(replica_set: &'a str, hash: &str) -> Option<&'a str> {
    replica_set
        .strip_suffix(hash)?
        .strip_suffix('-')
        .filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(hash: Option<&str>) -> BTreeMap<String, String> {
        hash.map(|h| (TEMPLATE_HASH.to_owned(), h.to_owned()))
            .into_iter()
            .collect()
    }

    fn refs(kind: &str, name: &str) -> Vec<(String, String)> {
        vec![(kind.to_owned(), name.to_owned())]
    }

    #[test]
    fn replica_sets_of_a_deployment_name_the_deployment() {
        let owner = owner_of(
            "checkout-7d9f8b6c5-x2x7k",
            &labels(Some("7d9f8b6c5")),
            &refs("ReplicaSet", "checkout-7d9f8b6c5"),
        );
        assert_eq!(owner, Owner::new("Deployment", "checkout"));
        let bare = owner_of("web-abc-x", &labels(None), &refs("ReplicaSet", "web-abc"));
        assert_eq!(bare, Owner::new("ReplicaSet", "web-abc"));
    }

    #[test]
    fn other_controllers_own_their_pods() {
        for kind in ["Job", "StatefulSet", "DaemonSet"] {
            assert_eq!(
                owner_of("x-0", &labels(None), &refs(kind, "x")),
                Owner::new(kind, "x")
            );
        }
    }

    #[test]
    fn without_references_the_naming_decides() {
        let seeded = owner_of("ingest-7f5d8c9b6-m2n4p", &labels(Some("7f5d8c9b6")), &[]);
        assert_eq!(seeded, Owner::new("Deployment", "ingest"));
        assert_eq!(
            owner_of("lonely", &labels(None), &[]),
            Owner::new("Pod", "lonely")
        );
        assert_eq!(
            owner_of("a-b-c", &labels(Some("zz")), &[]),
            Owner::new("Pod", "a-b-c")
        );
    }
}
