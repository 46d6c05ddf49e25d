//! Writes made by the simulated node: the scheduler's binding and kubelet's pod status.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::broadcast;

use super::{key, Change, ChangeType, Store};
use crate::object;
use crate::resource::Resource;

impl Store {
    /// Live changes from now on (the kubelet's informer).
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.events.subscribe()
    }

    /// Copies of every object of `resource`, in key order.
    pub(crate) fn all(&self, resource: Resource) -> Vec<Value> {
        self.read()
            .scan(resource, None)
            .map(|(_, o)| (**o).clone())
            .collect()
    }

    /// Binds pod `ns/name` to `node` (when unbound) and replaces its `status`, as one
    /// MODIFIED change; returns the pod, or `None` when it is gone or was re-created
    /// (its uid is no longer `uid`).
    pub(crate) fn set_pod_status(
        &self,
        ns: &str,
        name: &str,
        uid: &str,
        node: &str,
        status: Value,
    ) -> Option<Value> {
        let mut state = self.write();
        let old = state.objects.get(&key(Resource::Pod, ns, name))?.clone();
        if object::uid(&old) != uid {
            return None;
        }
        let mut new = (*old).clone();
        if new
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            new["spec"]["nodeName"] = json!(node);
        }
        new["status"] = status;
        let rv = state.next_rv(&mut new);
        let object = Arc::new(new);
        state.commit(
            self,
            Change {
                rv,
                resource: Resource::Pod,
                kind: ChangeType::Modified,
                object: object.clone(),
                previous: Some(old),
            },
        );
        Some((*object).clone())
    }
}
