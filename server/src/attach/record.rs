//! What regboard added to a ServiceAccount's `imagePullSecrets`, recorded
//! on the ServiceAccount itself: the annotation `regboard.dev/pull-secrets`
//! (the names, sorted, comma-separated) and `regboard.dev/pull-secrets-proof`
//! (an HMAC under the ownership key over the namespace, the account and the
//! names). Anyone can write an annotation; only a record with a valid proof
//! counts, so regboard never removes an entry because somebody wrote its
//! name there.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::ServiceAccount;

use crate::cluster::proof::OwnershipKey;

/// The names regboard added.
pub const ADDED: &str = "regboard.dev/pull-secrets";
/// Their proof.
pub const ADDED_PROOF: &str = "regboard.dev/pull-secrets-proof";
/// The first part of the proven text: a kind no Secret claim uses.
const RECORD_KIND: &str = "serviceaccount-pull-secrets";

fn parts<'a>(namespace: &'a str, account: &'a str, joined: &'a str) -> [&'a str; 4] {
    [RECORD_KIND, namespace, account, joined]
}

fn join(names: &BTreeSet<String>) -> String {
    names.iter().cloned().collect::<Vec<_>>().join(",")
}

/// The names regboard recorded adding to `account`; empty when there is no
/// record or its proof does not hold (then nothing there is regboard's).
pub fn recorded(key: &OwnershipKey, account: &ServiceAccount) -> BTreeSet<String> {
    let annotations = account.metadata.annotations.as_ref();
    let (Some(joined), Some(proof)) = (
        annotations.and_then(|a| a.get(ADDED)),
        annotations.and_then(|a| a.get(ADDED_PROOF)),
    ) else {
        return BTreeSet::new();
    };
    let namespace = account.metadata.namespace.as_deref().unwrap_or_default();
    let name = account.metadata.name.as_deref().unwrap_or_default();
    if !key.verify_parts(&parts(namespace, name, joined), proof) {
        return BTreeSet::new();
    }
    joined
        .split(',')
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The two annotations that record `names` on `account` in `namespace`, as
/// merge-patch values: `null` removes them when nothing is recorded.
pub fn annotations(
    key: &OwnershipKey,
    namespace: &str,
    account: &str,
    names: &BTreeSet<String>,
) -> BTreeMap<String, Option<String>> {
    if names.is_empty() {
        return BTreeMap::from([(ADDED.to_owned(), None), (ADDED_PROOF.to_owned(), None)]);
    }
    let joined = join(names);
    let proof = key.sign_parts(&parts(namespace, account, &joined));
    BTreeMap::from([
        (ADDED.to_owned(), Some(joined)),
        (ADDED_PROOF.to_owned(), Some(proof)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn account(ns: &str, name: &str, notes: BTreeMap<String, Option<String>>) -> ServiceAccount {
        let annotations = notes
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect();
        ServiceAccount {
            metadata: ObjectMeta {
                namespace: Some(ns.into()),
                name: Some(name.into()),
                annotations: Some(annotations),
                ..ObjectMeta::default()
            },
            ..ServiceAccount::default()
        }
    }

    #[test]
    fn a_record_reads_back_only_where_it_was_made() {
        let key = OwnershipKey::new([7; 32]);
        let names = BTreeSet::from(["ghcr".to_owned(), "quay".to_owned()]);
        let notes = annotations(&key, "prod", "default", &names);
        assert_eq!(
            recorded(&key, &account("prod", "default", notes.clone())),
            names
        );
        // Copied to another account or namespace, or made with another key: not ours.
        assert!(recorded(&key, &account("prod", "builder", notes.clone())).is_empty());
        assert!(recorded(&key, &account("dev", "default", notes.clone())).is_empty());
        let other = OwnershipKey::new([8; 32]);
        assert!(recorded(&other, &account("prod", "default", notes)).is_empty());
    }

    #[test]
    fn a_widened_list_loses_its_proof() {
        let key = OwnershipKey::new([7; 32]);
        let mut notes = annotations(&key, "prod", "default", &BTreeSet::from(["ghcr".into()]));
        notes.insert(ADDED.into(), Some("ghcr,someone-elses".into()));
        assert!(recorded(&key, &account("prod", "default", notes)).is_empty());
    }

    #[test]
    fn an_empty_record_removes_both_annotations() {
        let key = OwnershipKey::new([7; 32]);
        let notes = annotations(&key, "prod", "default", &BTreeSet::new());
        assert_eq!(notes.len(), 2);
        assert!(notes.values().all(Option::is_none));
    }
}
