//! The attach plan: what is added, what is removed, what is left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{LocalObjectReference, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use regboard_app::model::registries::{Attachment, Scope};

use super::plan::{change_for, desired_for, plan, Change, Desired, Wanted};
use super::record;
use crate::cluster::proof::OwnershipKey;

fn key() -> OwnershipKey {
    OwnershipKey::new([3; 32])
}

fn account(ns: &str, name: &str, list: &[&str], added: &[&str]) -> ServiceAccount {
    let added: BTreeSet<String> = added.iter().map(|s| s.to_string()).collect();
    let annotations = record::annotations(&key(), ns, name, &added)
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    ServiceAccount {
        metadata: ObjectMeta {
            namespace: Some(ns.into()),
            name: Some(name.into()),
            resource_version: Some("7".into()),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        },
        image_pull_secrets: Some(
            list.iter()
                .map(|n| LocalObjectReference {
                    name: n.to_string(),
                })
                .collect(),
        ),
        ..ServiceAccount::default()
    }
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn change(a: &ServiceAccount, desired: &[&str]) -> Option<Change> {
    let desired = Desired {
        list: set(desired),
        hold: BTreeSet::new(),
    };
    change_for(&key(), a, &desired)
}

#[test]
fn attaching_appends_and_records_the_name() {
    let c = change(&account("prod", "default", &["theirs"], &[]), &["ghcr"]).unwrap();
    assert_eq!(c.list, ["theirs", "ghcr"]);
    assert_eq!(c.record, set(&["ghcr"]));
    assert_eq!(c.added, ["ghcr"]);
    assert_eq!(c.resource_version.as_deref(), Some("7"));
}

#[test]
fn an_attached_account_needs_nothing() {
    let a = account("prod", "default", &["ghcr", "theirs"], &["ghcr"]);
    assert_eq!(change(&a, &["ghcr"]), None);
    assert_eq!(
        change(&account("prod", "default", &["theirs"], &[]), &[]),
        None
    );
}

#[test]
fn detaching_removes_only_what_regboard_added_and_keeps_the_order() {
    let a = account(
        "prod",
        "default",
        &["a", "ghcr", "b", "quay"],
        &["ghcr", "quay"],
    );
    let c = change(&a, &["quay"]).unwrap();
    assert_eq!(c.list, ["a", "b", "quay"]);
    assert_eq!(c.removed, ["ghcr"]);
    assert_eq!(c.record, set(&["quay"]));
    let c = change(&a, &[]).unwrap();
    assert_eq!(c.list, ["a", "b"]);
    assert!(c.record.is_empty());
}

#[test]
fn an_entry_added_by_hand_is_never_recorded_nor_removed() {
    // Somebody listed ghcr before regboard was asked to attach it.
    let a = account("prod", "default", &["ghcr"], &[]);
    assert_eq!(change(&a, &["ghcr"]), None);
    // Detaching later leaves it.
    assert_eq!(change(&a, &[]), None);
}

#[test]
fn a_forged_record_removes_nothing() {
    let mut a = account("prod", "default", &["theirs"], &[]);
    let notes = a.metadata.annotations.get_or_insert_with(BTreeMap::new);
    notes.insert(record::ADDED.into(), "theirs".into());
    notes.insert(record::ADDED_PROOF.into(), "v1:00".into());
    assert_eq!(change(&a, &[]), None);
    // Attaching replaces the forged record with regboard's own.
    let c = change(&a, &["ghcr"]).unwrap();
    assert_eq!(c.list, ["theirs", "ghcr"]);
    assert_eq!(c.record, set(&["ghcr"]));
}

#[test]
fn an_entry_removed_by_hand_is_added_again_while_wanted() {
    let a = account("prod", "default", &["theirs"], &["ghcr"]);
    let c = change(&a, &["ghcr"]).unwrap();
    assert_eq!(c.list, ["theirs", "ghcr"]);
    // Not wanted any more: the record is dropped, nothing to remove.
    let c = change(&a, &[]).unwrap();
    assert_eq!(c.list, ["theirs"]);
    assert!(c.record.is_empty() && c.removed.is_empty());
}

#[test]
fn two_registries_on_one_account() {
    let a = account("prod", "default", &[], &[]);
    let c = change(&a, &["ghcr", "quay"]).unwrap();
    assert_eq!(c.list, ["ghcr", "quay"]);
    let a = account("prod", "default", &["ghcr", "quay"], &["ghcr", "quay"]);
    assert_eq!(change(&a, &["ghcr"]).unwrap().list, ["ghcr"]);
}

#[test]
fn the_setting_decides_which_accounts_of_a_namespace_are_planned() {
    let scope = Scope::Namespace {
        namespace: "prod".into(),
    };
    let mut wanted = Wanted::new();
    wanted.entry("prod".into()).or_default().insert(
        "ghcr".into(),
        ((scope.clone(), "ghcr".into()), Some(Attachment::Default)),
    );
    let named = Attachment::Named {
        accounts: vec!["ci".into()],
    };
    wanted
        .entry("prod".into())
        .or_default()
        .insert("quay".into(), ((scope.clone(), "quay".into()), Some(named)));
    wanted
        .entry("prod".into())
        .or_default()
        .insert("old".into(), ((scope, "old".into()), None));
    assert_eq!(desired_for(&wanted, "prod", "default").list, set(&["ghcr"]));
    assert_eq!(desired_for(&wanted, "prod", "ci").list, set(&["quay"]));
    assert_eq!(desired_for(&wanted, "prod", "ci").hold, set(&["old"]));
    assert_eq!(desired_for(&wanted, "dev", "default"), Desired::default());
    let accounts = [
        Arc::new(account("prod", "default", &[], &[])),
        Arc::new(account("prod", "other", &[], &[])),
        Arc::new(account("dev", "default", &[], &[])),
    ];
    let changes = plan(&key(), &accounts, &wanted);
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].namespace.as_str(), changes[0].account.as_str()),
        ("prod", "default")
    );
}

#[test]
fn a_registry_without_a_recorded_setting_is_held_not_detached() {
    // A lost database: the Secret is still there, its setting is not.
    let a = account("prod", "default", &["ghcr", "quay"], &["ghcr", "quay"]);
    let desired = Desired {
        list: set(&["quay"]),
        hold: set(&["ghcr"]),
    };
    assert_eq!(change_for(&key(), &a, &desired), None);
    // Nor is anything added for it.
    let bare = account("prod", "default", &[], &[]);
    let held = Desired {
        list: BTreeSet::new(),
        hold: set(&["ghcr"]),
    };
    assert_eq!(change_for(&key(), &bare, &held), None);
}
