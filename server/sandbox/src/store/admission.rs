//! The `default` ServiceAccount of every namespace (kept by kube-controller-manager's
//! serviceaccounts controller: created with the namespace, re-created when deleted) and
//! the admission that kube-apiserver runs on every Pod create, done under the store's write
//! lock so it sees the same state as the write:
//!
//! ```text
//!  POST pods ─▶ ServiceAccount admission
//!                 spec.serviceAccountName ""  ─▶ "default"
//!                 ServiceAccount missing      ─▶ 403 pods "x" is forbidden: error looking up
//!                                                service account NS/NAME: serviceaccount "NAME" not found
//!                 spec.imagePullSecrets empty ─▶ copied from the ServiceAccount's imagePullSecrets
//! ```
//!
//! Wording from kubernetes/kubernetes plugin/pkg/admission/serviceaccount/admission.go
//! (`admission.NewForbidden(a, fmt.Errorf("error looking up service account %s/%s: %w", …))`
//! wrapping `errors.NewNotFound(api.Resource("serviceaccount"), name)`).

use serde_json::{json, Value};

use super::{key, State, Store};
use crate::object;
use crate::resource::Resource;
use crate::status::ApiStatus;

/// The ServiceAccount a pod runs as when it names none.
pub(crate) const DEFAULT_SERVICE_ACCOUNT: &str = "default";

/// 403 as `admission.NewForbidden` renders it for pods (no quoted name when it is empty).
fn forbidden(pod: &str, why: &str) -> ApiStatus {
    let message = if pod.is_empty() {
        format!("pods is forbidden: {why}")
    } else {
        format!("pods {pod:?} is forbidden: {why}")
    };
    let mut status = ApiStatus::new(403, "Forbidden", message);
    let details = status.details_mut();
    details.kind = Some("pods".into());
    details.name = Some(pod.to_string());
    status
}

impl State {
    /// Creates namespace `ns`'s `default` ServiceAccount, as its own write and watch event.
    pub(super) fn create_default_account(
        &mut self,
        store: &Store,
        ns: &str,
    ) -> Result<(), ApiStatus> {
        let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
                        "metadata": {"name": DEFAULT_SERVICE_ACCOUNT, "namespace": ns}});
        self.create_locked(store, Resource::ServiceAccount, sa, false)?;
        Ok(())
    }

    /// After a delete: a deleted `default` ServiceAccount comes back while its namespace lives.
    pub(super) fn restore_default_account(
        &mut self,
        store: &Store,
        resource: Resource,
        deleted: &Value,
    ) {
        let ns = object::namespace(deleted).to_string();
        let is_default = object::name(deleted) == DEFAULT_SERVICE_ACCOUNT;
        if resource == Resource::ServiceAccount && is_default && self.namespace_exists(&ns) {
            if let Err(e) = self.create_default_account(store, &ns) {
                tracing::warn!(namespace = %ns, error = %e, "could not re-create the default ServiceAccount");
            }
        }
    }

    /// The ServiceAccount admission plugin's mutation and check of a new pod.
    pub(super) fn admit_pod(&self, pod: &mut Value) -> Result<(), ApiStatus> {
        let ns = object::namespace(pod).to_string();
        let name = object::name(pod).to_string();
        let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
            return Err(ApiStatus::bad_request("Pod in version \"v1\" has no spec"));
        };
        let account = match spec.get("serviceAccountName").and_then(Value::as_str) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => DEFAULT_SERVICE_ACCOUNT.to_string(),
        };
        spec.insert("serviceAccountName".into(), json!(account));
        // The deprecated alias, as the v1 conversion fills it in.
        spec.insert("serviceAccount".into(), json!(account));
        let Some(sa) = self
            .objects
            .get(&key(Resource::ServiceAccount, &ns, &account))
        else {
            let why = format!(
                "error looking up service account {ns}/{account}: serviceaccount {account:?} not found"
            );
            return Err(forbidden(&name, &why));
        };
        let has_own = spec
            .get("imagePullSecrets")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if !has_own {
            let inherited: Vec<Value> = sa
                .get("imagePullSecrets")
                .and_then(Value::as_array)
                .map(|refs| {
                    refs.iter()
                        .map(|r| json!({"name": r.get("name").cloned().unwrap_or(json!(""))}))
                        .collect()
                })
                .unwrap_or_default();
            if inherited.is_empty() {
                spec.remove("imagePullSecrets");
            } else {
                spec.insert("imagePullSecrets".into(), Value::Array(inherited));
            }
        }
        Ok(())
    }
}
