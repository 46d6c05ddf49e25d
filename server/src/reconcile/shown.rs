//! Reading your own writes from the managed-Secret store.
//!
//! Lists of registries are served from the reconciler's watch-fed store of
//! managed Secrets rather than by listing Secrets from the API server on
//! every request. The store trails the API by the watch delay, so a write
//! made through regboard waits (bounded) until the store shows it before
//! answering: the next page load then sees it.
//!
//! ```text
//! write ─► API answers (uid, resourceVersion) ─► shown(…) polls the store
//!          until that version, or the deletion, is there (≤ SHOWN_WAIT)
//! list  ─► managed_ready()? (the watch's first list is in) ─► managed(),
//!          else a list from the API server
//! ```

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::runtime::reflector::ObjectRef;

use super::Reconciler;

/// The longest a write waits for the watch to show it (the watch delay is
/// milliseconds; past this the answer goes out anyway).
pub const SHOWN_WAIT: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(2);

/// What the store should show for a Secret after a write.
#[derive(Debug, Clone, Copy)]
pub enum Expect<'a> {
    /// Present with this resourceVersion (or a later one).
    Version(&'a Secret),
    /// Gone (or replaced by an object with another uid).
    Deleted {
        /// The uid of the deleted object.
        uid: &'a str,
    },
}

impl Reconciler {
    /// Waits until the managed-Secret store shows `namespace/name` as
    /// `expect` says, at most [`SHOWN_WAIT`]; false if it did not.
    pub async fn shown(&self, namespace: &str, name: &str, expect: Expect<'_>) -> bool {
        let key = ObjectRef::<Secret>::new(name).within(namespace);
        let deadline = Instant::now() + SHOWN_WAIT;
        loop {
            let current = self.managed.get(&key);
            if is_shown(current.as_deref(), expect) {
                return true;
            }
            if Instant::now() >= deadline {
                tracing::debug!(namespace, name, "the watch has not shown the write yet");
                return false;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Whether the managed-Secret store has had its first list, now (a
    /// list asked for before then reads the API server instead).
    pub async fn managed_ready(&self) -> bool {
        // A zero timeout polls the wait once: ready, or not yet.
        tokio::time::timeout(Duration::ZERO, self.managed.wait_until_ready())
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

/// Whether `current` (the store's object) is what `expect` wants. Versions
/// compare by uid and then as the numbers etcd issues (a later write by
/// someone else also counts as shown).
fn is_shown(current: Option<&Secret>, expect: Expect<'_>) -> bool {
    match expect {
        Expect::Version(written) => current.is_some_and(|c| {
            c.metadata.uid == written.metadata.uid && version(c) >= version(written)
        }),
        Expect::Deleted { uid } => current.is_none_or(|c| c.metadata.uid.as_deref() != Some(uid)),
    }
}

fn version(secret: &Secret) -> u64 {
    secret
        .metadata
        .resource_version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::api::ObjectMeta;

    fn secret(uid: &str, rv: &str) -> Secret {
        Secret {
            metadata: ObjectMeta {
                uid: Some(uid.into()),
                resource_version: Some(rv.into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn a_write_is_shown_by_its_version_or_a_later_one_of_the_same_object() {
        let written = secret("u1", "10");
        assert!(!is_shown(None, Expect::Version(&written)));
        assert!(!is_shown(
            Some(&secret("u1", "9")),
            Expect::Version(&written)
        ));
        assert!(is_shown(
            Some(&secret("u1", "10")),
            Expect::Version(&written)
        ));
        assert!(is_shown(
            Some(&secret("u1", "12")),
            Expect::Version(&written)
        ));
        assert!(!is_shown(
            Some(&secret("u2", "12")),
            Expect::Version(&written)
        ));
    }

    #[test]
    fn a_deletion_is_shown_when_that_object_is_gone() {
        let deleted = Expect::Deleted { uid: "u1" };
        assert!(is_shown(None, deleted));
        assert!(!is_shown(Some(&secret("u1", "10")), deleted));
        assert!(is_shown(Some(&secret("u2", "11")), deleted));
    }
}
