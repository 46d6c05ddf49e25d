//! Writes: create, update, patch, delete, with the apiserver's concurrency rules.

use std::sync::Arc;

use serde_json::{json, Value};

use super::prepare::{allocate, keep_allocated, now, place, prepare_create, random_suffix};
use super::{key, Change, ChangeType, State, Store};
use crate::managed;
use crate::object::{self, remove_meta, set_meta};
use crate::patch::{self, PatchType};
use crate::resource::Resource;
use crate::status::ApiStatus;
use crate::validate;

/// Options every write accepts.
#[derive(Debug, Clone, Default)]
pub(crate) struct WriteOptions {
    /// `dryRun=All`: validate and compute the result, persist nothing.
    pub dry_run: bool,
    /// Keep `status` on create (seeding); the API resets it like the apiserver.
    pub keep_status: bool,
    /// The field manager whose Update is recorded in managedFields (`None`: the
    /// managedFields were already computed, by server-side apply).
    pub manager: Option<String>,
    /// `fieldValidation=Strict`: unknown fields are a 400 instead of being dropped.
    pub strict: bool,
}

/// `DeleteOptions.preconditions`.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeleteOptions {
    /// Required `metadata.uid`.
    pub uid: Option<String>,
    /// Required `metadata.resourceVersion`.
    pub resource_version: Option<String>,
}

/// Namespaces the apiserver refuses to delete.
const UNDELETABLE: [&str; 3] = ["default", "kube-system", "kube-public"];

impl State {
    pub(super) fn commit(&mut self, store: &Store, change: Change) {
        let change = Arc::new(change);
        let k = key(
            change.resource,
            object::namespace(&change.object),
            object::name(&change.object),
        );
        if change.kind == ChangeType::Deleted {
            self.objects.remove(&k);
        } else {
            self.objects.insert(k, change.object.clone());
        }
        self.history.push_back(change.clone());
        self.trim_history();
        // No receivers is fine: nobody is watching.
        let _ = store.events.send(change);
    }

    pub(super) fn next_rv(&mut self, object: &mut Value) -> u64 {
        self.rv += 1;
        set_meta(object, "resourceVersion", json!(self.rv.to_string()));
        self.rv
    }

    pub(super) fn namespace_exists(&self, namespace: &str) -> bool {
        self.objects
            .contains_key(&key(Resource::Namespace, "", namespace))
    }

    pub(super) fn create_locked(
        &mut self,
        store: &Store,
        resource: Resource,
        mut object: Value,
        dry_run: bool,
    ) -> Result<Value, ApiStatus> {
        let ns = object::namespace(&object).to_string();
        if resource.namespaced() && !self.namespace_exists(&ns) {
            return Err(ApiStatus::not_found(Resource::Namespace, &ns));
        }
        let name = object::name(&object).to_string();
        if resource == Resource::Pod {
            self.admit_pod(&mut object)?;
        }
        if self.objects.contains_key(&key(resource, &ns, &name)) {
            return Err(ApiStatus::already_exists(resource, &name));
        }
        set_meta(&mut object, "uid", json!(uuid::Uuid::new_v4().to_string()));
        set_meta(&mut object, "creationTimestamp", now());
        allocate(resource, &mut object);
        if dry_run {
            return Ok(object);
        }
        let rv = self.next_rv(&mut object);
        let object = Arc::new(object);
        self.commit(
            store,
            Change {
                rv,
                resource,
                kind: ChangeType::Added,
                object: object.clone(),
                previous: None,
            },
        );
        if resource == Resource::Namespace {
            self.create_default_account(store, &name)?;
        }
        Ok((*object).clone())
    }

    /// Shared tail of update, patch and apply: concurrency checks, managedFields,
    /// validation, commit.
    pub(super) fn replace_locked(
        &mut self,
        store: &Store,
        resource: Resource,
        old: Arc<Value>,
        mut new: Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiStatus> {
        let name = object::name(&old).to_string();
        let rv = object::resource_version(&new);
        if !rv.is_empty() && rv != object::resource_version(&old) {
            return Err(ApiStatus::stale(resource, &name));
        }
        let (new_uid, old_uid) = (object::uid(&new), object::uid(&old));
        if !new_uid.is_empty() && new_uid != old_uid {
            let why = format!("Precondition failed: UID in precondition: {new_uid}, UID in object meta: {old_uid}");
            return Err(ApiStatus::conflict(resource, &name, &why));
        }
        for field in ["uid", "creationTimestamp", "resourceVersion"] {
            let value = old
                .pointer(&format!("/metadata/{field}"))
                .cloned()
                .unwrap_or(Value::Null);
            set_meta(&mut new, field, value);
        }
        if matches!(resource, Resource::Namespace | Resource::Pod) {
            new["status"] = old.get("status").cloned().unwrap_or(json!({}));
        }
        keep_allocated(resource, &old, &mut new);
        if let Some(manager) = &opts.manager {
            managed::track_update(resource, Some(&old), &mut new, manager);
        }
        validate::validate(resource, &new, Some(&old))?;
        if new == *old || opts.dry_run {
            return Ok(new);
        }
        let rv = self.next_rv(&mut new);
        let object = Arc::new(new);
        self.commit(
            store,
            Change {
                rv,
                resource,
                kind: ChangeType::Modified,
                object: object.clone(),
                previous: Some(old),
            },
        );
        Ok((*object).clone())
    }

    pub(super) fn delete_locked(
        &mut self,
        store: &Store,
        resource: Resource,
        old: Arc<Value>,
    ) -> Value {
        if resource == Resource::Namespace {
            let ns = object::name(&old).to_string();
            let contained: Vec<(Resource, Arc<Value>)> = Resource::ALL
                .into_iter()
                .filter(|r| r.namespaced())
                .flat_map(|r| {
                    self.scan(r, Some(&ns))
                        .map(move |(_, o)| (r, o.clone()))
                        .collect::<Vec<_>>()
                })
                .collect();
            for (r, object) in contained {
                self.delete_locked(store, r, object);
            }
        }
        let mut last = (*old).clone();
        let rv = self.next_rv(&mut last);
        let object = Arc::new(last.clone());
        self.commit(
            store,
            Change {
                rv,
                resource,
                kind: ChangeType::Deleted,
                object,
                previous: Some(old),
            },
        );
        last
    }
}

impl Store {
    /// Creates an object (POST).
    pub(crate) fn create(
        &self,
        resource: Resource,
        namespace: Option<&str>,
        body: Value,
        opts: WriteOptions,
    ) -> Result<Value, ApiStatus> {
        let (mut object, generate) = prepare_create(resource, namespace, body, &opts)?;
        for _attempt in 0..8 {
            if !generate.is_empty() {
                set_meta(
                    &mut object,
                    "name",
                    json!(format!("{generate}{}", random_suffix())),
                );
            }
            validate::validate(resource, &object, None)?;
            let mut state = self.write();
            match state.create_locked(self, resource, object.clone(), opts.dry_run) {
                Err(e) if !generate.is_empty() && e.reason == "AlreadyExists" => continue,
                other => return other,
            }
        }
        Err(ApiStatus::new(
            500,
            "InternalError",
            "could not find a free generated name",
        ))
    }

    /// Replaces an object (PUT), honouring optimistic concurrency.
    pub(crate) fn update(
        &self,
        resource: Resource,
        namespace: Option<&str>,
        name: &str,
        body: Value,
        opts: WriteOptions,
    ) -> Result<Value, ApiStatus> {
        if opts.strict {
            object::reject_unknown_fields(resource, &body)?;
        }
        let mut object = object::normalize(resource, body)?;
        let body_name = object::name(&object);
        if body_name != name {
            return Err(ApiStatus::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        place(resource, namespace, &mut object)?;
        let mut state = self.write();
        let old = state
            .objects
            .get(&key(resource, namespace.unwrap_or(""), name))
            .cloned()
            .ok_or_else(|| ApiStatus::not_found(resource, name))?;
        state.replace_locked(self, resource, old, object, &opts)
    }

    /// Patches an object (PATCH) under the write lock, so concurrent patches never lose updates.
    pub(crate) fn patch(
        &self,
        resource: Resource,
        namespace: Option<&str>,
        name: &str,
        patch_type: PatchType,
        body: &[u8],
        opts: WriteOptions,
    ) -> Result<Value, ApiStatus> {
        let mut state = self.write();
        let old = state
            .objects
            .get(&key(resource, namespace.unwrap_or(""), name))
            .cloned()
            .ok_or_else(|| ApiStatus::not_found(resource, name))?;
        let patched = patch::apply(resource, patch_type, &old, body)?;
        if opts.strict {
            object::reject_unknown_fields(resource, &patched)?;
        }
        let mut object = object::normalize(resource, patched)?;
        if object::name(&object) != name
            || (resource.namespaced() && object::namespace(&object) != object::namespace(&old))
        {
            return Err(ApiStatus::bad_request(
                "metadata.name and metadata.namespace cannot be changed by a patch",
            ));
        }
        if resource == Resource::Namespace {
            remove_meta(&mut object, "namespace");
        }
        state.replace_locked(self, resource, old, object, &opts)
    }

    /// Deletes an object (DELETE), checking preconditions; returns its last state.
    pub(crate) fn delete(
        &self,
        resource: Resource,
        namespace: Option<&str>,
        name: &str,
        pre: &DeleteOptions,
        opts: WriteOptions,
    ) -> Result<Value, ApiStatus> {
        if resource == Resource::Namespace && UNDELETABLE.contains(&name) {
            return Err(ApiStatus::forbidden(
                resource,
                name,
                "this namespace may not be deleted",
            ));
        }
        let mut state = self.write();
        let old = state
            .objects
            .get(&key(resource, namespace.unwrap_or(""), name))
            .cloned()
            .ok_or_else(|| ApiStatus::not_found(resource, name))?;
        if let Some(uid) = pre.uid.as_deref().filter(|u| *u != object::uid(&old)) {
            let why = format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                object::uid(&old)
            );
            return Err(ApiStatus::conflict(resource, name, &why));
        }
        if let Some(rv) = pre
            .resource_version
            .as_deref()
            .filter(|rv| *rv != object::resource_version(&old))
        {
            let why = format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                object::resource_version(&old)
            );
            return Err(ApiStatus::conflict(resource, name, &why));
        }
        if opts.dry_run {
            return Ok((*old).clone());
        }
        let last = state.delete_locked(self, resource, old);
        state.restore_default_account(self, resource, &last);
        Ok(last)
    }
}
