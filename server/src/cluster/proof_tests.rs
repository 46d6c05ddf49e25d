use k8s_openapi::api::core::v1::Secret;

use super::*;
use crate::cluster::ownership;

fn key(byte: u8) -> OwnershipKey {
    OwnershipKey::new([byte; 32])
}

fn copy(namespace: &str, name: &str, source_uid: &str) -> Secret {
    let mut s = Secret::default();
    s.metadata.namespace = Some(namespace.into());
    s.metadata.name = Some(name.into());
    s.metadata.labels = Some(ownership::project_labels("payments", name));
    s.metadata.annotations = Some([(SOURCE_UID.to_owned(), source_uid.to_owned())].into());
    s.type_ = Some(DOCKER_CONFIG_JSON.into());
    s
}

fn signed(key: &OwnershipKey, mut s: Secret) -> Secret {
    let claim = Claim::of(&s).expect("a claim");
    key.stamp(&mut s, &claim);
    s
}

#[test]
fn a_signed_copy_verifies_and_says_what_it_is() {
    let k = key(1);
    let s = signed(&k, copy("pay-dev", "ghcr", "uid-1"));
    assert_eq!(
        k.verify(&s),
        Some(Claim::Copy {
            namespace: "pay-dev".into(),
            project: "payments".into(),
            registry: "ghcr".into(),
            source_uid: "uid-1".into(),
        })
    );
}

#[test]
fn labels_alone_another_key_a_move_a_rename_or_another_source_are_not_proof() {
    let k = key(1);
    assert!(!k.owns(&copy("pay-dev", "ghcr", "uid-1")), "labels alone");
    let s = signed(&k, copy("pay-dev", "ghcr", "uid-1"));
    assert!(!key(2).owns(&s), "another key");
    let mut moved = s.clone();
    moved.metadata.namespace = Some("elsewhere".into());
    assert!(!k.owns(&moved), "copied to another namespace");
    let mut renamed = s.clone();
    renamed.metadata.name = Some("ghcr2".into());
    renamed.metadata.labels = Some(ownership::project_labels("payments", "ghcr2"));
    assert!(!k.owns(&renamed), "renamed, labels and all");
    let mut other_source = s.clone();
    other_source
        .metadata
        .annotations
        .as_mut()
        .unwrap()
        .insert(SOURCE_UID.into(), "uid-2".into());
    assert!(!k.owns(&other_source), "pointed at another source");
    let mut opaque = s;
    opaque.type_ = Some("Opaque".into());
    assert!(!k.owns(&opaque), "another type");
}

#[test]
fn namespace_registries_and_sources_are_bound_to_their_place() {
    let k = key(7);
    let mut ns_reg = Secret::default();
    ns_reg.metadata.namespace = Some("team-a".into());
    ns_reg.metadata.name = Some("quay".into());
    ns_reg.metadata.labels = Some(ownership::namespace_labels("quay"));
    ns_reg.type_ = Some(DOCKER_CONFIG_JSON.into());
    let ns_reg = signed(&k, ns_reg);
    assert!(matches!(k.verify(&ns_reg), Some(Claim::Namespace { .. })));
    let mut source = Secret::default();
    source.metadata.namespace = Some("regboard-system".into());
    source.metadata.name = Some(ownership::source_name("payments", "ghcr"));
    source.metadata.labels = Some(ownership::project_labels("payments", "ghcr"));
    source.type_ = Some(DOCKER_CONFIG_JSON.into());
    let source = signed(&k, source);
    assert!(matches!(k.verify(&source), Some(Claim::Source { .. })));
    let mut elsewhere = source;
    elsewhere.metadata.namespace = Some("other-system".into());
    assert!(
        !k.owns(&elsewhere),
        "a source is bound to its system namespace"
    );
}
