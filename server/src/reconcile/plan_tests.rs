//! The planner against hand-built snapshots: the collision matrix at the
//! level of decisions, without a cluster.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::state::CopyState;
use k8s_openapi::api::core::v1::{Namespace, NamespaceStatus, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use regboard_app::domain::docker_config::DockerConfig;
use regboard_app::domain::secret::Password;

use super::plan::{plan, Op, Reason, Snapshot};
use crate::cluster::ownership::{self, source_name};
use crate::cluster::proof::OwnershipKey;
use crate::membership::Removals;
use crate::registries::objects::{copy_of, registry_secret, Contents};

const SYSTEM: &str = "regboard-system";

fn proof_key() -> OwnershipKey {
    OwnershipKey::new([9; 32])
}

fn namespace(name: &str, project: Option<&str>) -> Arc<Namespace> {
    let labels =
        project.map(|p| BTreeMap::from([(ownership::PROJECT_LABEL.to_owned(), p.to_owned())]));
    Arc::new(Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels,
            ..ObjectMeta::default()
        },
        status: Some(NamespaceStatus {
            phase: Some("Active".into()),
            ..NamespaceStatus::default()
        }),
        ..Namespace::default()
    })
}

fn source(project: &str, name: &str, password: &str) -> Arc<Secret> {
    let config =
        DockerConfig::for_hosts(&["ghcr.io".into()], "bot", &Password::new(password), None);
    let mut s = registry_secret(
        &source_name(project, name),
        SYSTEM,
        ownership::project_labels(project, name),
        &Contents {
            config: &config,
            description: "",
            valid_until: Default::default(),
        },
    );
    s.metadata.uid = Some(format!("uid-{project}-{name}-{password}"));
    proof_key().seal(&mut s);
    Arc::new(s)
}

fn copy(src: &Secret, project: &str, name: &str, ns: &str) -> Arc<Secret> {
    let mut c = copy_of(src, project, name, ns);
    c.metadata.uid = Some(format!("copy-{ns}"));
    c.metadata.resource_version = Some("7".into());
    proof_key().seal(&mut c);
    Arc::new(c)
}

fn snapshot(
    namespaces: Vec<Arc<Namespace>>,
    managed: Vec<Arc<Secret>>,
    foreign: &[(&str, &str)],
) -> Snapshot {
    with_removals(namespaces, managed, foreign, Removals::default())
}

/// A snapshot where each namespace's label is what regboard recorded.
fn with_removals(
    namespaces: Vec<Arc<Namespace>>,
    managed: Vec<Arc<Secret>>,
    foreign: &[(&str, &str)],
    removals: Removals,
) -> Snapshot {
    let members = namespaces
        .iter()
        .filter_map(|ns| {
            let project = ns.metadata.labels.as_ref()?.get(ownership::PROJECT_LABEL)?;
            Some((ns.metadata.name.clone()?, project.clone()))
        })
        .collect();
    let mut secret_names: HashSet<(String, String)> = foreign
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    for s in &managed {
        secret_names.insert((
            s.metadata.namespace.clone().unwrap(),
            s.metadata.name.clone().unwrap(),
        ));
    }
    Snapshot {
        system_namespace: SYSTEM.into(),
        key: proof_key(),
        members,
        removals,
        namespaces,
        managed,
        secret_names,
    }
}

fn key(p: &str, n: &str) -> (String, String) {
    (p.into(), n.into())
}

#[test]
fn a_new_source_creates_a_copy_in_every_project_namespace_only() {
    let src = source("pay", "hub", "pw");
    let snap = snapshot(
        vec![
            namespace("pay-dev", Some("pay")),
            namespace("pay-prod", Some("pay")),
            namespace("other", None),
            namespace(SYSTEM, None),
        ],
        vec![src],
        &[],
    );
    let plan = plan(&snap, &HashMap::new());
    let created: Vec<_> = plan
        .ops
        .iter()
        .map(|op| match op {
            Op::Create { namespace, .. } => namespace.as_str(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(created, ["pay-dev", "pay-prod"]);
    let status = &plan.status[&key("pay", "hub")];
    assert!(status.values().all(|s| *s == CopyState::Pending));
}

#[test]
fn matching_copies_are_synced_and_produce_no_work() {
    let src = source("pay", "hub", "pw");
    let c = copy(&src, "pay", "hub", "pay-dev");
    let snap = snapshot(vec![namespace("pay-dev", Some("pay"))], vec![src, c], &[]);
    let plan = plan(&snap, &HashMap::new());
    assert!(plan.ops.is_empty(), "{:?}", plan.ops);
    assert_eq!(
        plan.status[&key("pay", "hub")]["pay-dev"],
        CopyState::Synced
    );
}

#[test]
fn a_new_description_or_valid_until_on_the_source_reaches_the_copies() {
    let old = source("pay", "hub", "pw");
    let copy = copy(&old, "pay", "hub", "pay-dev");
    for key in [ownership::DESCRIPTION, ownership::VALID_UNTIL] {
        let mut new = (*old).clone();
        let annotations = new.metadata.annotations.get_or_insert_default();
        annotations.insert(key.into(), "changed".into());
        let snap = snapshot(
            vec![namespace("pay-dev", Some("pay"))],
            vec![Arc::new(new), copy.clone()],
            &[],
        );
        let plan = plan(&snap, &HashMap::new());
        assert!(
            matches!(plan.ops.as_slice(), [Op::Update { namespace, .. }] if namespace == "pay-dev"),
            "{key}: {:?}",
            plan.ops
        );
    }
}

#[test]
fn a_changed_source_or_a_hand_edited_copy_is_updated() {
    let old = source("pay", "hub", "old");
    let mut new = (*source("pay", "hub", "new")).clone();
    new.metadata.uid = old.metadata.uid.clone();
    let stale = copy(&old, "pay", "hub", "pay-dev");
    let mut edited = (*copy(&new, "pay", "hub", "pay-prod")).clone();
    edited.data.as_mut().unwrap().insert(
        ownership::DATA_KEY.into(),
        k8s_openapi::ByteString(b"{}".to_vec()),
    );
    let snap = snapshot(
        vec![
            namespace("pay-dev", Some("pay")),
            namespace("pay-prod", Some("pay")),
        ],
        vec![Arc::new(new), stale, Arc::new(edited)],
        &[],
    );
    let plan = plan(&snap, &HashMap::new());
    let updated: HashSet<_> = plan
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Update {
                namespace,
                resource_version,
                ..
            } => {
                assert_eq!(resource_version, "7");
                Some(namespace.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(updated, HashSet::from(["pay-dev", "pay-prod"]));
}

#[test]
fn a_foreign_secret_of_the_same_name_is_a_conflict_and_never_touched() {
    let src = source("pay", "hub", "pw");
    let snap = snapshot(
        vec![namespace("pay-dev", Some("pay"))],
        vec![src],
        &[("pay-dev", "hub")],
    );
    let types = HashMap::from([(
        ("pay-dev".to_owned(), "hub".to_owned()),
        "kubernetes.io/tls".to_owned(),
    )]);
    let plan = plan(&snap, &types);
    assert!(plan.ops.is_empty(), "{:?}", plan.ops);
    assert_eq!(
        plan.status[&key("pay", "hub")]["pay-dev"],
        CopyState::Conflict {
            secret_type: "kubernetes.io/tls".into(),
            forged: false,
        }
    );
    let unknown = plan_without_types(&snap);
    assert_eq!(unknown, vec![(key("pay", "hub"), "pay-dev".to_owned())]);
}

fn plan_without_types(snap: &Snapshot) -> Vec<((String, String), String)> {
    plan(snap, &HashMap::new()).unknown_conflicts
}

#[test]
fn a_namespace_registry_of_the_same_name_is_a_conflict() {
    let src = source("pay", "hub", "pw");
    let config = DockerConfig::for_hosts(&["quay.io".into()], "u", &Password::new("p"), None);
    let mut own = registry_secret(
        "hub",
        "pay-dev",
        ownership::namespace_labels("hub"),
        &Contents {
            config: &config,
            description: "",
            valid_until: Default::default(),
        },
    );
    own.metadata.uid = Some("ns-reg".into());
    proof_key().seal(&mut own);
    let snap = snapshot(
        vec![namespace("pay-dev", Some("pay"))],
        vec![src, Arc::new(own)],
        &[],
    );
    let plan = plan(&snap, &HashMap::new());
    assert!(plan.ops.is_empty(), "{:?}", plan.ops);
    assert!(matches!(
        plan.status[&key("pay", "hub")]["pay-dev"],
        CopyState::Conflict { .. }
    ));
}

fn removals(registries: &[(&str, &str)], namespaces: &[(&str, &str)]) -> Removals {
    let pairs = |list: &[(&str, &str)]| list.iter().map(|(a, b)| key(a, b)).collect();
    Removals {
        registries: pairs(registries),
        namespaces: pairs(namespaces),
    }
}

#[test]
fn copies_are_deleted_only_when_a_recorded_removal_explains_it() {
    let src = source("pay", "hub", "pw");
    let left = copy(&src, "pay", "hub", "left-project");
    let orphan_src = source("pay", "gone", "pw");
    let orphan = copy(&orphan_src, "pay", "gone", "pay-dev");
    let kept = copy(&src, "pay", "hub", "pay-dev");
    let namespaces = vec![
        namespace("pay-dev", Some("pay")),
        namespace("left-project", Some("search")),
    ];
    let managed = vec![src, left, orphan, kept];
    let explained = removals(&[("pay", "gone")], &[("pay", "left-project")]);
    let snap = with_removals(namespaces.clone(), managed.clone(), &[], explained);
    let plan = plan(&snap, &HashMap::new());
    let deleted: HashSet<_> = plan
        .ops
        .iter()
        .map(|op| match op {
            Op::Delete {
                namespace,
                name,
                uid,
                resource_version,
                reason,
                ..
            } => {
                assert_eq!(uid, &format!("copy-{namespace}"));
                assert_eq!(resource_version, "7");
                (namespace.as_str(), name.as_str(), *reason)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        deleted,
        HashSet::from([
            ("left-project", "hub", Reason::NamespaceLeft),
            ("pay-dev", "gone", Reason::RegistryDeleted)
        ])
    );

    // The same cluster with nothing recorded: nothing is deleted; the
    // registry without a source is lost, the other copy unexplained.
    let plan = super::plan::plan(&snapshot(namespaces, managed, &[]), &HashMap::new());
    assert!(plan.ops.is_empty(), "{:?}", plan.ops);
    assert_eq!(plan.lost[&key("pay", "gone")], ["pay-dev"]);
    assert_eq!(plan.unexplained, [("left-project".into(), "hub".into())]);
}

#[test]
fn labels_without_proof_are_foreign_never_updated_nor_deleted() {
    let src = source("pay", "hub", "pw");
    let mut unsigned = (*copy(&src, "pay", "hub", "pay-dev")).clone();
    unsigned
        .metadata
        .annotations
        .as_mut()
        .unwrap()
        .remove(crate::cluster::proof::PROOF);
    let snap = with_removals(
        vec![namespace("pay-dev", Some("pay"))],
        vec![src, Arc::new(unsigned)],
        &[],
        removals(&[("pay", "hub")], &[("pay", "pay-dev")]),
    );
    let plan = plan(&snap, &HashMap::new());
    assert!(plan.ops.is_empty(), "{:?}", plan.ops);
    assert_eq!(
        plan.status[&key("pay", "hub")]["pay-dev"],
        CopyState::Conflict {
            secret_type: ownership::DOCKER_CONFIG_JSON.into(),
            forged: true
        }
    );
}

#[test]
fn a_namespace_moving_between_projects_swaps_copies() {
    let a = source("a", "hub", "pw");
    let b = source("b", "hub", "pw2");
    let old = copy(&a, "a", "hub", "moved");
    let snap = with_removals(
        vec![namespace("moved", Some("b"))],
        vec![a, b, old],
        &[],
        removals(&[], &[("a", "moved")]),
    );
    let plan = plan(&snap, &HashMap::new());
    assert!(plan
        .ops
        .iter()
        .any(|op| matches!(op, Op::Delete { namespace, .. } if namespace == "moved")));
    assert_eq!(plan.status[&key("b", "hub")]["moved"], CopyState::Pending);
}

#[test]
fn terminating_namespaces_get_no_copies() {
    let src = source("pay", "hub", "pw");
    let mut ns = (*namespace("pay-old", Some("pay"))).clone();
    ns.status.as_mut().unwrap().phase = Some("Terminating".into());
    let snap = snapshot(vec![Arc::new(ns)], vec![src], &[]);
    assert!(plan(&snap, &HashMap::new()).ops.is_empty());
}
