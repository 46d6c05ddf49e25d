//! What a write does before it takes the store's lock, and what the apiserver
//! allocates or keeps on objects: placement in the URL's namespace, the status and
//! metadata a create resets, generated names, cluster IPs, generations.

use chrono::{SecondsFormat, Utc};
use rand::Rng;
use serde_json::{json, Value};

use super::write::WriteOptions;
use crate::managed;
use crate::object::{self, remove_meta, set_meta};
use crate::resource::Resource;
use crate::status::ApiStatus;
use crate::validate;

/// Now, as kube-apiserver writes timestamps.
pub(super) fn now() -> Value {
    json!(Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// The five characters appended to a `generateName`.
pub(super) fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::thread_rng();
    (0..5)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// Checks/sets `metadata.namespace` against the URL namespace.
pub(super) fn place(
    resource: Resource,
    namespace: Option<&str>,
    object: &mut Value,
) -> Result<(), ApiStatus> {
    match (resource.namespaced(), namespace) {
        (true, Some(ns)) => {
            let body_ns = object::namespace(object);
            if body_ns.is_empty() {
                set_meta(object, "namespace", json!(ns));
            } else if body_ns != ns {
                return Err(ApiStatus::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            Ok(())
        }
        (true, None) => Err(ApiStatus::method_not_allowed()),
        (false, _) => {
            remove_meta(object, "namespace");
            Ok(())
        }
    }
}

/// What the apiserver allocates on create: a Service's cluster IP, a Deployment's
/// first generation.
pub(super) fn allocate(resource: Resource, object: &mut Value) {
    match resource {
        Resource::Service => {
            let spec = &mut object["spec"];
            let unset = spec
                .get("clusterIP")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty);
            if unset && spec.get("type").and_then(Value::as_str) != Some("ExternalName") {
                let mut rng = rand::thread_rng();
                let ip = format!("10.96.{}.{}", rng.gen_range(0..=255), rng.gen_range(1..255));
                spec["clusterIP"] = json!(ip);
                spec["clusterIPs"] = json!([ip]);
            }
        }
        Resource::Deployment => set_meta(object, "generation", json!(1)),
        _ => {}
    }
}

/// What an update keeps from the stored object: a Service's cluster IPs when the new
/// one has none, a Deployment's generation (bumped when the spec changes).
pub(super) fn keep_allocated(resource: Resource, old: &Value, new: &mut Value) {
    match resource {
        Resource::Service => {
            for field in ["clusterIP", "clusterIPs"] {
                let missing = new
                    .pointer(&format!("/spec/{field}"))
                    .is_none_or(Value::is_null);
                if let (true, Some(value)) = (missing, old.pointer(&format!("/spec/{field}"))) {
                    new["spec"][field] = value.clone();
                }
            }
        }
        Resource::Deployment => {
            let generation = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let bump = i64::from(old.get("spec") != new.get("spec"));
            set_meta(new, "generation", json!(generation + bump));
        }
        _ => {}
    }
}

/// Everything a create does before taking the lock: strict decoding, normalization,
/// placement, the status and metadata the apiserver resets, the creator's managedFields.
/// Returns the object and its `generateName` prefix when a name is to be generated
/// (else `""`).
pub(super) fn prepare_create(
    resource: Resource,
    namespace: Option<&str>,
    body: Value,
    opts: &WriteOptions,
) -> Result<(Value, String), ApiStatus> {
    if opts.strict {
        object::reject_unknown_fields(resource, &body)?;
    }
    let status = body.get("status").cloned();
    let mut object = object::normalize(resource, body)?;
    if !object::resource_version(&object).is_empty() {
        return Err(ApiStatus::new(
            500,
            "InternalError",
            "resourceVersion should not be set on objects to be created",
        ));
    }
    place(resource, namespace, &mut object)?;
    match (opts.keep_status, status, resource) {
        (true, Some(status), _) => object["status"] = status,
        (false, _, Resource::Pod) => {
            object["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"})
        }
        (false, _, Resource::Namespace) => object["status"] = json!({"phase": "Active"}),
        _ => {}
    }
    for field in [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "generation",
    ] {
        remove_meta(&mut object, field);
    }
    let generate = object
        .pointer("/metadata/generateName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let generated = object::name(&object).is_empty() && !generate.is_empty();
    if generated {
        validate::validate_generate_name(resource, &generate)?;
    }
    if let Some(manager) = &opts.manager {
        managed::track_update(resource, None, &mut object, manager);
    }
    Ok((object, if generated { generate } else { String::new() }))
}
