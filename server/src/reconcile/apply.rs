//! The effectful half of the reconciler: run a plan's operations against
//! the API server with bounded concurrency, retrying transient failures with
//! backoff, and report each (registry, namespace) outcome. A 4xx is never
//! treated as success. Every write is registered with the [`Expectations`],
//! so the next pass waits until the watch shows it.

use std::time::Duration;

use futures::{stream, StreamExt};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, PostParams, Preconditions};

use super::expect::Expectations;
use super::plan::{Op, RegistryKey};
use super::state::{Action, CopyState};
use crate::cluster::describe_kube_error;
use crate::cluster::errors::{is_transient, retry_after, status_code};
use crate::cluster::ownership;
use crate::cluster::proof::OwnershipKey;
use crate::registries::objects::copy_of;

/// Attempts per operation (the first try plus retries).
const ATTEMPTS: u32 = 4;
/// The first retry delay; doubled each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest Retry-After a pass waits out before retrying an operation.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);

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

/// Runs `ops` with at most `concurrency` in flight.
pub async fn apply(
    client: &kube::Client,
    key: &OwnershipKey,
    ops: Vec<Op>,
    concurrency: usize,
    timeout: Duration,
    expect: &Expectations,
) -> Vec<Outcome> {
    stream::iter(ops)
        .map(|op| apply_one(client.clone(), key, op, timeout, expect))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

async fn apply_one(
    client: kube::Client,
    proof: &OwnershipKey,
    op: Op,
    timeout: Duration,
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
            create(&api, key, namespace, &copy, proof, timeout, expect).await
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
            update(&api, key, namespace, &copy, timeout, expect).await
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
            delete(&api, key, namespace, &name, at, timeout, expect).await
        }
    }
}

async fn create(
    api: &Api<Secret>,
    key: RegistryKey,
    namespace: String,
    copy: &Secret,
    proof: &OwnershipKey,
    timeout: Duration,
    expect: &Expectations,
) -> Outcome {
    let params = PostParams::default();
    expect.begin(&namespace, &key.1);
    let result = with_retry(timeout, || api.create(&params, copy)).await;
    match &result {
        Ok(created) => expect.written(&namespace, &key.1, created),
        Err(_) => expect.forget(&namespace, &key.1),
    }
    match result {
        Ok(_) => written(key, namespace, Action::Created),
        Err(e) if status_code(&e) == Some(409) => already_exists(api, proof, key, namespace).await,
        Err(e) => failed(key, namespace, &e),
    }
}

async fn update(
    api: &Api<Secret>,
    key: RegistryKey,
    namespace: String,
    copy: &Secret,
    timeout: Duration,
    expect: &Expectations,
) -> Outcome {
    let params = PostParams::default();
    expect.begin(&namespace, &key.1);
    let result = with_retry(timeout, || api.replace(&key.1, &params, copy)).await;
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
    timeout: Duration,
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
    let result = with_retry(timeout, || api.delete(name, &params)).await;
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
) -> Outcome {
    match api.get(&key.1).await {
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

async fn with_retry<T, F, Fut>(timeout: Duration, mut call: F) -> Result<T, kube::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, kube::Error>>,
{
    let mut delay = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        let result = match tokio::time::timeout(timeout, call()).await {
            Ok(result) => result,
            Err(_) => Err(timeout_error(timeout)),
        };
        match result {
            Err(e) if attempt < ATTEMPTS && is_transient(&e) => {
                // A 429 says how long to wait; past MAX_RETRY_AFTER the
                // operation fails this pass and the next pass tries again.
                let wait = match retry_after(&e) {
                    Some(asked) if asked > MAX_RETRY_AFTER => return Err(e),
                    Some(asked) => asked.max(delay),
                    None => delay,
                };
                tracing::debug!(attempt, ?wait, error = %describe_kube_error(&e), "transient failure; retrying");
                tokio::time::sleep(wait).await;
                delay *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn timeout_error(timeout: Duration) -> kube::Error {
    kube::Error::Api(
        kube::core::Status::failure(
            &format!("no answer within {:.1} s", timeout.as_secs_f64()),
            "Timeout",
        )
        .with_code(504)
        .boxed(),
    )
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
