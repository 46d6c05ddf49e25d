//! The cluster state: every object, the resourceVersion counter and the watch history.
//!
//! One `RwLock<State>` guards everything and is never held across an `.await`. Every
//! write bumps the cluster-wide resourceVersion, appends a [`Change`] to a bounded
//! history (for watches resuming from a resourceVersion) and publishes it on a
//! broadcast channel (for live watches) while still holding the lock, so history
//! order, broadcast order and resourceVersion order are the same.

mod admission;
mod apply;
mod list;
mod node;
mod prepare;
mod write;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::Value;
use tokio::sync::broadcast;

pub(crate) use apply::ApplyOptions;
pub(crate) use list::ListPage;
pub(crate) use list::ListQuery;
pub(crate) use write::{DeleteOptions, WriteOptions};

use crate::object;
use crate::resource::Resource;
use crate::status::ApiStatus;
use crate::Error;

/// The field manager of objects created through [`Store::insert`].
pub const SEED_MANAGER: &str = "regboard-sandbox";
/// Default number of changes retained for watches resuming from a resourceVersion.
pub const DEFAULT_HISTORY_LIMIT: usize = 10_000;
/// Capacity of the live-change broadcast; a watcher lagging further gets 410 Expired.
const BROADCAST_CAPACITY: usize = 4_096;

type Key = (Resource, String, String);

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    /// Created.
    Added,
    /// Updated or patched.
    Modified,
    /// Deleted.
    Deleted,
}

/// One committed write, as recorded in the history and sent to watchers.
#[derive(Debug)]
pub struct Change {
    /// The resourceVersion the write produced.
    pub rv: u64,
    /// The resource written.
    pub resource: Resource,
    /// The change type.
    pub kind: ChangeType,
    /// The object after the change (for deletions: the last state, with the deletion rv).
    pub object: Arc<Value>,
    /// The object before the change, for modifications and deletions.
    pub previous: Option<Arc<Value>>,
}

struct State {
    objects: BTreeMap<Key, Arc<Value>>,
    rv: u64,
    history: VecDeque<Arc<Change>>,
    history_limit: usize,
    /// The highest resourceVersion no longer covered by `history`.
    compacted: u64,
}

/// How a watch starts.
pub(crate) struct WatchStart {
    /// Changes to replay before the live ones (synthesized ADDED events or history).
    pub initial: Vec<Arc<Change>>,
    /// Live changes after `initial`.
    pub live: broadcast::Receiver<Arc<Change>>,
    /// The resourceVersion the replay brings the watcher up to.
    pub rv: u64,
}

/// The in-memory cluster state shared by every request.
pub struct Store {
    state: RwLock<State>,
    events: broadcast::Sender<Arc<Change>>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    /// An empty store (no namespaces at all).
    pub fn new() -> Store {
        let (events, _) = broadcast::channel(BROADCAST_CAPACITY);
        Store {
            state: RwLock::new(State {
                objects: BTreeMap::new(),
                rv: 0,
                history: VecDeque::new(),
                history_limit: DEFAULT_HISTORY_LIMIT,
                compacted: 0,
            }),
            events,
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The current cluster-wide resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.read().rv
    }

    /// Sets how many changes are retained for watch resumption (minimum 1), compacting
    /// immediately; a watch from an older resourceVersion then gets 410 Expired.
    pub fn set_history_limit(&self, limit: usize) {
        let mut state = self.write();
        state.history_limit = limit.max(1);
        state.trim_history();
    }

    /// A copy of one object, if it exists (`namespace` is ignored for namespaces).
    pub fn get(&self, resource: Resource, namespace: &str, name: &str) -> Option<Value> {
        let key = key(resource, namespace, name);
        self.read().objects.get(&key).map(|o| (**o).clone())
    }

    /// Names of the objects of `resource`, optionally within one namespace, sorted.
    pub fn names(&self, resource: Resource, namespace: Option<&str>) -> Vec<String> {
        self.read()
            .objects
            .iter()
            .filter(|((r, ns, _), _)| *r == resource && namespace.is_none_or(|n| n == ns))
            .map(|((_, _, name), _)| name.clone())
            .collect()
    }

    /// Creates an object directly (its namespace taken from `metadata.namespace`), keeping
    /// any `status` it carries; used for seeding and by tests.
    pub fn insert(&self, resource: Resource, object: Value) -> Result<Value, Error> {
        let namespace = object::namespace(&object).to_string();
        let ns = resource.namespaced().then_some(namespace.as_str());
        let opts = WriteOptions {
            keep_status: true,
            manager: Some(SEED_MANAGER.into()),
            ..WriteOptions::default()
        };
        Ok(self.create(resource, ns, object, opts)?)
    }

    /// The stored objects of `resource`, optionally within one namespace, in key order.
    pub(crate) fn objects(&self, resource: Resource, namespace: Option<&str>) -> Vec<Arc<Value>> {
        self.read()
            .scan(resource, namespace)
            .map(|(_, o)| o.clone())
            .collect()
    }

    /// Starts a watch: replays state or history, then hands over a live receiver.
    ///
    /// `from` = `None` replays the current objects as ADDED; `Some(rv)` replays the
    /// retained history after `rv`, or fails with 410 Expired when it is compacted.
    pub(crate) fn watch(
        &self,
        resource: Resource,
        namespace: Option<&str>,
        from: Option<u64>,
    ) -> Result<WatchStart, ApiStatus> {
        let state = self.read();
        let initial = match from {
            None => state
                .scan(resource, namespace)
                .map(|(_, object)| {
                    Arc::new(Change {
                        rv: object::resource_version(object).parse().unwrap_or(0),
                        resource,
                        kind: ChangeType::Added,
                        object: object.clone(),
                        previous: None,
                    })
                })
                .collect(),
            Some(rv) if rv < state.compacted => {
                return Err(ApiStatus::expired(format!(
                    "too old resource version: {rv} ({})",
                    state.compacted + 1
                )));
            }
            Some(rv) => state
                .history
                .iter()
                .filter(|c| c.rv > rv)
                .cloned()
                .collect(),
        };
        Ok(WatchStart {
            initial,
            live: self.events.subscribe(),
            rv: state.rv,
        })
    }
}

impl State {
    fn trim_history(&mut self) {
        while self.history.len() > self.history_limit {
            if let Some(old) = self.history.pop_front() {
                self.compacted = old.rv;
            }
        }
    }

    /// Objects of `resource` (optionally in one namespace), in key order.
    fn scan<'a>(
        &'a self,
        resource: Resource,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a Key, &'a Arc<Value>)> + 'a {
        let start = (resource, namespace.unwrap_or("").to_string(), String::new());
        self.objects
            .range(start..)
            .take_while(move |((r, ns, _), _)| *r == resource && namespace.is_none_or(|n| n == ns))
    }
}

/// The map key of an object.
fn key(resource: Resource, namespace: &str, name: &str) -> Key {
    let namespace = if resource.namespaced() { namespace } else { "" };
    (resource, namespace.to_string(), name.to_string())
}
