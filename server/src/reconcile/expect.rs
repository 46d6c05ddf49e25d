//! What the reconciler waits to see before it plans again: its own writes,
//! coming back through the watch on managed Secrets.
//!
//! A pass plans from reflector stores, which trail the API server. Planned
//! right after a pass that wrote 500 copies, the next pass could still miss
//! some of them and create them again (409, then a GET each), or find their
//! names in the Secret-metadata store but not in the managed store and show a
//! conflict. So every write registers here, the watch settles it when the
//! written version (or the deletion) shows up, and the loop waits — bounded —
//! until nothing is outstanding.
//!
//! ```text
//! apply:  begin(key) ─► API call ─► written(key, uid, rv) | deleted(key, uid) | forget(key)
//! watch:  observe(event) ─► the written version, or the deletion, settles the key
//! loop:   settled(limit) ─► nothing outstanding (or the limit passed: plan anyway)
//! ```
//!
//! An event can overtake the API's answer, so versions seen while a call is
//! in flight are kept and checked when the answer arrives.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::runtime::watcher::Event;
use tokio::sync::Notify;

/// `(namespace, name)` of a Secret.
type Key = (String, String);

/// One version of a Secret the watch showed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    deleted: bool,
    uid: String,
    resource_version: String,
}

#[derive(Debug)]
enum Slot {
    /// The call is in flight; what the watch showed meanwhile.
    InFlight(Vec<Seen>),
    /// Written: waiting for this version.
    Version {
        uid: String,
        resource_version: String,
    },
    /// Deleted: waiting for the deletion of this uid.
    Gone { uid: String },
}

/// The reconciler's writes its watch has not shown yet.
#[derive(Debug, Default)]
pub struct Expectations {
    slots: Mutex<HashMap<Key, Slot>>,
    changed: Notify,
}

impl Expectations {
    /// A write to `namespace/name` is about to be made.
    pub fn begin(&self, namespace: &str, name: &str) {
        self.lock()
            .insert(key(namespace, name), Slot::InFlight(Vec::new()));
    }

    /// The write to `namespace/name` produced `written`.
    pub fn written(&self, namespace: &str, name: &str, written: &Secret) {
        let uid = written.metadata.uid.clone().unwrap_or_default();
        let resource_version = written
            .metadata
            .resource_version
            .clone()
            .unwrap_or_default();
        let expected = Seen {
            deleted: false,
            uid: uid.clone(),
            resource_version: resource_version.clone(),
        };
        self.answer(
            namespace,
            name,
            |seen| seen.contains(&expected),
            Slot::Version {
                uid,
                resource_version,
            },
        );
    }

    /// The Secret `namespace/name` with `uid` was deleted.
    pub fn deleted(&self, namespace: &str, name: &str, uid: &str) {
        self.answer(
            namespace,
            name,
            |seen| seen.iter().any(|s| s.deleted && s.uid == uid),
            Slot::Gone {
                uid: uid.to_owned(),
            },
        );
    }

    /// The call to `namespace/name` wrote nothing (it failed, or found the
    /// work done): nothing to wait for.
    pub fn forget(&self, namespace: &str, name: &str) {
        self.lock().remove(&key(namespace, name));
        self.changed.notify_waiters();
    }

    /// Settles what `event` shows; a relist (`InitDone`) rebuilt the store
    /// from scratch, so it settles everything.
    pub fn observe(&self, event: &Event<Secret>) {
        let mut slots = self.lock();
        if slots.is_empty() {
            return;
        }
        let (secret, deleted) = match event {
            Event::Apply(s) | Event::InitApply(s) => (s, false),
            Event::Delete(s) => (s, true),
            Event::InitDone => {
                slots.clear();
                drop(slots);
                self.changed.notify_waiters();
                return;
            }
            Event::Init => return,
        };
        let (Some(namespace), Some(name)) = (&secret.metadata.namespace, &secret.metadata.name)
        else {
            return;
        };
        let k = key(namespace, name);
        let Some(slot) = slots.get_mut(&k) else {
            return;
        };
        let seen = Seen {
            deleted,
            uid: secret.metadata.uid.clone().unwrap_or_default(),
            resource_version: secret.metadata.resource_version.clone().unwrap_or_default(),
        };
        let settled = match slot {
            Slot::InFlight(list) => {
                list.push(seen);
                false
            }
            // Deleted after our write: no later version will come.
            Slot::Version { uid, .. } if deleted => *uid == seen.uid,
            Slot::Version {
                resource_version, ..
            } => *resource_version == seen.resource_version,
            // Its deletion, or a new Secret that took the name since.
            Slot::Gone { uid } => (*uid == seen.uid) == deleted,
        };
        if settled {
            slots.remove(&k);
            drop(slots);
            self.changed.notify_waiters();
        }
    }

    /// Waits until nothing is outstanding, at most `limit`; past it, gives
    /// up on what is left (a broken watch must not stop the reconciler) and
    /// returns false.
    pub async fn settled(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let changed = self.changed.notified();
            let outstanding = self.lock().len();
            if outstanding == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                let left = std::mem::take(&mut *self.lock()).len();
                tracing::debug!(
                    writes = left,
                    "the watch has not shown every write yet; planning anyway"
                );
                return false;
            }
        }
    }

    /// How many writes are not settled yet.
    #[cfg(test)]
    pub fn outstanding(&self) -> usize {
        self.lock().len()
    }

    fn answer(
        &self,
        namespace: &str,
        name: &str,
        seen_already: impl Fn(&[Seen]) -> bool,
        then: Slot,
    ) {
        let k = key(namespace, name);
        let mut slots = self.lock();
        let done = match slots.get(&k) {
            Some(Slot::InFlight(seen)) => seen_already(seen),
            // Settled by a relist while the call was in flight.
            None => true,
            Some(_) => false,
        };
        if done {
            slots.remove(&k);
            drop(slots);
            self.changed.notify_waiters();
        } else {
            slots.insert(k, then);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn key(namespace: &str, name: &str) -> Key {
    (namespace.to_owned(), name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(uid: &str, rv: &str) -> Secret {
        serde_json::from_value(serde_json::json!({
            "metadata": {"namespace": "ns", "name": "pull", "uid": uid, "resourceVersion": rv}
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn a_write_settles_when_its_version_comes_back() {
        let e = Expectations::default();
        e.begin("ns", "pull");
        e.written("ns", "pull", &secret("u1", "7"));
        assert_eq!(e.outstanding(), 1);
        e.observe(&Event::Apply(secret("u0", "5")));
        assert_eq!(e.outstanding(), 1, "an older version does not settle it");
        e.observe(&Event::Apply(secret("u1", "7")));
        assert!(e.settled(Duration::ZERO).await);
    }

    #[tokio::test]
    async fn an_event_that_overtakes_the_answer_counts() {
        let e = Expectations::default();
        e.begin("ns", "pull");
        e.observe(&Event::Apply(secret("u1", "7")));
        e.written("ns", "pull", &secret("u1", "7"));
        assert_eq!(e.outstanding(), 0);
    }

    #[tokio::test]
    async fn deletions_failures_and_relists_settle() {
        let e = Expectations::default();
        e.begin("ns", "pull");
        e.deleted("ns", "pull", "u1");
        e.observe(&Event::Delete(secret("u1", "9")));
        assert_eq!(e.outstanding(), 0);

        e.begin("ns", "pull");
        e.forget("ns", "pull");
        assert_eq!(e.outstanding(), 0);

        e.begin("ns", "pull");
        e.written("ns", "pull", &secret("u2", "11"));
        e.observe(&Event::InitDone);
        assert_eq!(e.outstanding(), 0);
    }

    #[tokio::test]
    async fn waiting_is_bounded() {
        let e = Expectations::default();
        e.begin("ns", "pull");
        e.written("ns", "pull", &secret("u1", "7"));
        assert!(!e.settled(Duration::from_millis(20)).await);
        assert_eq!(e.outstanding(), 0, "given up on");
    }

    #[tokio::test]
    async fn a_waiter_wakes_when_the_watch_catches_up() {
        let e = std::sync::Arc::new(Expectations::default());
        e.begin("ns", "pull");
        e.written("ns", "pull", &secret("u1", "7"));
        let watch = e.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            watch.observe(&Event::Apply(secret("u1", "7")));
        });
        assert!(e.settled(Duration::from_secs(5)).await);
    }
}
