//! The effectful half of the reconciler: run a plan's operations against
//! the API server at the pace [`Pace`] sets (calls in flight adapted to the
//! round trips and 429s; 429s waited out and transient failures retried),
//! and report each (registry, namespace) outcome. A 4xx is never treated as
//! success. Every write is registered with the [`Expectations`], so the next
//! pass waits until the watch shows it.

use std::time::Duration;

use futures::{stream, StreamExt};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, PostParams, Preconditions};

use super::expect::Expectations;
use super::paced::Pace;
use super::plan::{Op, RegistryKey};
use super::state::{Action, CopyState};
use crate::cluster::describe_kube_error;
use crate::cluster::errors::status_code;
use crate::cluster::ownership;
use crate::cluster::proof::OwnershipKey;
use crate::registries::objects::copy_of;

/// What happened to one operation.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The registry.
    pub key: RegistryKey,
    /// Whether the outcome is the registry's state in `namespace` (false for
    /// deletions of copies it no longer wants there).
    pub is_state: bool,
    /// Where.
    pub namespace: String,
    /// The resulting state (creates and updates).
    pub state: CopyState,
    /// What was done.
    pub action: Action,
}

/// Runs `ops` with as many calls in flight as `pace` allows.
pub async fn apply(
    client: &kube::Client,
    key: &OwnershipKey,
    ops: Vec<Op>,
    pace: &Pace,
    timeout: Duration,
    expect: &Expectations,
) -> Vec<Outcome> {
    // Up to the pace's upper bound of operations are under way; their calls
    // wait for a seat, of which the pace hands out its current limit.
    let at = Calls { pace, timeout };
    stream::iter(ops)
        .map(|op| apply_one(client.clone(), key, op, at, expect))
        .buffer_unordered(pace.max())
        .collect()
        .await
}

/// How an operation's calls are made: paced, each within `timeout`.
#[derive(Clone, Copy)]
struct Calls<'a> {
    pace: &'a Pace,
    timeout: Duration,
}

impl Calls<'_> {
    async fn run<T, F, Fut>(self, call: F) -> Result<T, kube::Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, kube::Error>>,
    {
        self.pace.call(self.timeout, call).await
    }
}

async fn apply_one(
    client: kube::Client,
    proof: &OwnershipKey,
    op: Op,
    calls: Calls<'_>,
    expect: &Expectations,
) -> Outcome {
    match op {
        Op::Create {
            key,
            namespace,
            source,
        } => {
            let api: Api<Secret> = Api::namespaced(client, &namespace);
            let mut copy = copy_of(&source, &key.0, &key.1, &namespace);
            proof.seal(&mut copy);
            create(&api, key, namespace, &copy, proof, calls, expect).await
        }
        Op::Update {
            key,
            namespace,
            source,
            resource_version,
        } => {
            let api: Api<Secret> = Api::namespaced(client, &namespace);
            let mut copy = copy_of(&source, &key.0, &key.1, &namespace);
            copy.metadata.resource_version = Some(resource_version);
            proof.seal(&mut copy);
            update(&api, key, namespace, &copy, calls, expect).await
        }
        Op::Delete {
            key,
            namespace,
            name,
            uid,
            resource_version,
            ..
        } => {
            let api: Api<Secret> = Api::namespaced(client, &namespace);
            let at = (uid.as_str(), resource_version.as_str());
            delete(&api, key, namespace, &name, at, calls, expect).await
        }
    }
}

async fn create(
    api: &Api<Secret>,
    key: RegistryKey,
    namespace: String,
    copy: &Secret,
    proof: &OwnershipKey,
    calls: Calls<'_>,
    expect: &Expectations,
) -> Outcome {
    let params = PostParams::default();
    expect.begin(&namespace, &key.1);
    let result = calls.run(|| api.create(&params, copy)).await;
    match &result {
        Ok(created) => expect.written(&namespace, &key.1, created),
        Err(_) => expect.forget(&namespace, &key.1),
    }
    match result {
        Ok(_) => written(key, namespace, Action::Created),
        Err(e) if status_code(&e) == Some(409) => {
            already_exists(api, proof, key, namespace, calls).await
        }
        Err(e) => failed(key, namespace, &e),
    }
}

async fn update(
    api: &Api<Secret>,
    key: RegistryKey,
    namespace: String,
    copy: &Secret,
    calls: Calls<'_>,
    expect: &Expectations,
) -> Outcome {
    let params = PostParams::default();
    expect.begin(&namespace, &key.1);
    let result = calls.run(|| api.replace(&key.1, &params, copy)).await;
    match &result {
        Ok(updated) => expect.written(&namespace, &key.1, updated),
        Err(_) => expect.forget(&namespace, &key.1),
    }
    match result {
        Ok(_) => written(key, namespace, Action::Updated),
        // Changed since the snapshot: the next pass sees the new version.
        Err(e) if status_code(&e) == Some(409) => Outcome {
            key,
            is_state: true,
            namespace,
            state: CopyState::Pending,
            action: Action::Retry,
        },
        Err(e) => failed(key, namespace, &e),
    }
}

async fn delete(
    api: &Api<Secret>,
    key: RegistryKey,
    namespace: String,
    name: &str,
    (uid, resource_version): (&str, &str),
    calls: Calls<'_>,
    expect: &Expectations,
) -> Outcome {
    // The copy as planned, or nothing: a copy changed since the snapshot is
    // judged again by the next pass.
    let params = DeleteParams {
        preconditions: Some(Preconditions {
            uid: Some(uid.to_owned()),
            resource_version: Some(resource_version.to_owned()).filter(|rv| !rv.is_empty()),
        }),
        ..DeleteParams::default()
    };
    expect.begin(&namespace, name);
    let result = calls.run(|| api.delete(name, &params)).await;
    match &result {
        Ok(_) => expect.deleted(&namespace, name, uid),
        Err(_) => expect.forget(&namespace, name),
    }
    match result {
        Ok(_) => deleted(key, namespace),
        Err(e) if matches!(status_code(&e), Some(404 | 409)) => deleted(key, namespace),
        Err(e) => Outcome {
            is_state: false,
            ..failed(key, namespace, &e)
        },
    }
}

/// A create found the name taken: ours (made since the snapshot) or foreign.
async fn already_exists(
    api: &Api<Secret>,
    proof: &OwnershipKey,
    key: RegistryKey,
    namespace: String,
    calls: Calls<'_>,
) -> Outcome {
    match calls.run(|| api.get(&key.1)).await {
        Ok(existing) if proof.owns(&existing) => Outcome {
            key,
            is_state: true,
            namespace,
            state: CopyState::Pending,
            action: Action::Retry,
        },
        Ok(existing) => Outcome {
            key,
            is_state: true,
            namespace,
            state: CopyState::Conflict {
                forged: ownership::label(&existing, ownership::MANAGED_BY)
                    == Some(ownership::MANAGER),
                secret_type: existing.type_.unwrap_or_else(|| "Opaque".into()),
            },
            action: Action::Conflict,
        },
        Err(e) => failed(key, namespace, &e),
    }
}

/// Looks up the type of a foreign Secret, for a conflict's message:
/// `Some(None)` when there is no such Secret (any more), `None` when the
/// lookup failed.
pub async fn secret_type(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    timeout: Duration,
) -> Option<Option<String>> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let secret = tokio::time::timeout(timeout, api.get_opt(name))
        .await
        .ok()?
        .ok()?;
    Some(secret.map(|s| s.type_.unwrap_or_else(|| "Opaque".into())))
}

fn written(key: RegistryKey, namespace: String, action: Action) -> Outcome {
    Outcome {
        key,
        is_state: true,
        namespace,
        state: CopyState::Synced,
        action,
    }
}

fn deleted(key: RegistryKey, namespace: String) -> Outcome {
    Outcome {
        key,
        is_state: false,
        namespace,
        state: CopyState::Synced,
        action: Action::Deleted,
    }
}

fn failed(key: RegistryKey, namespace: String, err: &kube::Error) -> Outcome {
    let message = describe_kube_error(err);
    tracing::warn!(%namespace, error = %message, "reconcile operation failed");
    Outcome {
        key,
        is_state: true,
        namespace,
        state: CopyState::Error { message },
        action: Action::Failed,
    }
}
