//! The effectful half of attaching: each change is a JSON merge patch of the
//! ServiceAccount that carries the resourceVersion it was computed from, so
//! the API server refuses it (409) when somebody changed the account in
//! between; then the account is read again, the change computed again from
//! what it now holds, and written again. Calls are paced by the reconciler's
//! [`Pace`] (which also waits out 429s and retries transient failures); a 404
//! means the account is gone, which is nobody's failure.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::{stream, StreamExt};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{json, Value};

use super::plan::{change_for, desired_for, Change, Wanted};
use super::record;
use crate::cluster::describe_kube_error;
use crate::cluster::errors::status_code;
use crate::cluster::proof::OwnershipKey;
use crate::reconcile::Pace;

/// Writes per account (the first try plus writes again after a 409).
const ATTEMPTS: u32 = 4;

/// How one change ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Written; the resourceVersion it was written over.
    Written {
        /// The precondition of the write that succeeded.
        over: Option<String>,
    },
    /// Read again after a conflict: nothing is left to do.
    Unneeded,
    /// The ServiceAccount is gone.
    Gone,
    /// It failed, with a sentence.
    Failed(String),
}

/// A change and how it ended (the change as last computed).
#[derive(Debug, Clone)]
pub struct Done {
    /// What was (to be) written.
    pub change: Change,
    /// How it ended.
    pub result: Ended,
}

/// Writes `changes` with as many calls in flight as `pace` allows, each
/// within `timeout`.
pub async fn apply(
    client: &kube::Client,
    key: &OwnershipKey,
    changes: Vec<Change>,
    wanted: &Wanted,
    pace: &Pace,
    timeout: Duration,
) -> Vec<Done> {
    stream::iter(changes)
        .map(|c| apply_one(client, key, c, wanted, (pace, timeout)))
        .buffer_unordered(pace.max())
        .collect()
        .await
}

async fn apply_one(
    client: &kube::Client,
    key: &OwnershipKey,
    mut change: Change,
    wanted: &Wanted,
    (pace, timeout): (&Pace, Duration),
) -> Done {
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), &change.namespace);
    for _ in 0..ATTEMPTS {
        let body = patch_body(key, &change);
        let patch = Patch::Merge(&body);
        let params = PatchParams::default();
        let written = pace
            .call(timeout, || api.patch(&change.account, &params, &patch))
            .await;
        let err = match written {
            Ok(_) => {
                let over = change.resource_version.clone();
                return done(change, Ended::Written { over });
            }
            Err(e) => e,
        };
        match status_code(&err) {
            Some(404) => return done(change, Ended::Gone),
            Some(409) => match reread(&api, key, &change, wanted, (pace, timeout)).await {
                Ok(Some(again)) => change = again,
                Ok(None) => return done(change, Ended::Unneeded),
                Err(result) => return done(change, result),
            },
            _ => return done(change, Ended::Failed(describe_kube_error(&err))),
        }
    }
    let last = "The ServiceAccount kept changing while regboard wrote to it.".into();
    done(change, Ended::Failed(last))
}

/// The change computed again from the account as it is now.
async fn reread(
    api: &Api<ServiceAccount>,
    key: &OwnershipKey,
    change: &Change,
    wanted: &Wanted,
    (pace, timeout): (&Pace, Duration),
) -> Result<Option<Change>, Ended> {
    match pace.call(timeout, || api.get_opt(&change.account)).await {
        Ok(Some(account)) => {
            let desired = desired_for(wanted, &change.namespace, &change.account);
            Ok(change_for(key, &account, &desired))
        }
        Ok(None) => Err(Ended::Gone),
        Err(e) => Err(Ended::Failed(describe_kube_error(&e))),
    }
}

fn done(change: Change, result: Ended) -> Done {
    Done { change, result }
}

/// The merge patch: the whole list (a merge patch replaces lists), the
/// record, and the resourceVersion as the precondition.
pub fn patch_body(key: &OwnershipKey, change: &Change) -> Value {
    let record: BTreeSet<String> = change.record.clone();
    let annotations = record::annotations(key, &change.namespace, &change.account, &record);
    let list: Value = if change.list.is_empty() {
        Value::Null
    } else {
        change.list.iter().map(|n| json!({ "name": n })).collect()
    };
    json!({
        "metadata": {
            "resourceVersion": change.resource_version,
            "annotations": annotations,
        },
        "imagePullSecrets": list,
    })
}
