//! Server-side apply (`PATCH` with `application/apply-patch+yaml`) under the write lock:
//! the applied configuration is merged into the live object (or creates it), field
//! ownership and conflicts come from [`crate::managed::apply`].

use serde_json::Value;

use super::prepare::{place, prepare_create};
use super::write::WriteOptions;
use super::{key, Store};
use crate::managed;
use crate::object;
use crate::resource::Resource;
use crate::status::ApiStatus;
use crate::validate;

/// What an apply request asks for.
pub(crate) struct ApplyOptions {
    /// The applier (`fieldManager`, required).
    pub manager: String,
    /// `force=true`: take fields other managers own instead of failing with 409.
    pub force: bool,
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `fieldValidation=Strict`.
    pub strict: bool,
}

/// The applied configuration: a YAML (or JSON) object of `resource` named `name`.
fn decode_applied(resource: Resource, name: &str, body: &[u8]) -> Result<Value, ApiStatus> {
    let applied: Value = serde_yaml_ng::from_slice(body)
        .map_err(|e| ApiStatus::bad_request(format!("error decoding YAML: {e}")))?;
    if !applied.is_object() {
        return Err(ApiStatus::bad_request(
            "error decoding YAML: an apply configuration must be an object",
        ));
    }
    for field in ["apiVersion", "kind"] {
        if applied
            .get(field)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(ApiStatus::bad_request(format!(
                "invalid object: {field} must be set in an apply configuration"
            )));
        }
    }
    object::check_type_meta(resource, &applied)?;
    let body_name = object::name(&applied);
    if !body_name.is_empty() && body_name != name {
        return Err(ApiStatus::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    Ok(applied)
}

impl Store {
    /// Applies `body` to object `name` (creating it when absent); returns the object and
    /// whether it was created.
    pub(crate) fn apply(
        &self,
        resource: Resource,
        namespace: Option<&str>,
        name: &str,
        body: &[u8],
        opts: ApplyOptions,
    ) -> Result<(Value, bool), ApiStatus> {
        if opts.manager.is_empty() {
            return Err(ApiStatus::new(
                422,
                "Invalid",
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            ));
        }
        let mut applied = decode_applied(resource, name, body)?;
        object::set_meta(&mut applied, "name", Value::String(name.to_string()));
        place(resource, namespace, &mut applied)?;
        if opts.strict {
            object::reject_unknown_fields(resource, &applied)?;
        }
        // Types are checked on the configuration itself, before anything is merged.
        object::normalize(resource, applied.clone())?;
        let write = WriteOptions {
            dry_run: opts.dry_run,
            manager: None,
            ..WriteOptions::default()
        };
        let mut state = self.write();
        let live = state
            .objects
            .get(&key(resource, namespace.unwrap_or(""), name))
            .cloned();
        let Some(old) = live else {
            let merged = managed::apply(resource, None, &applied, &opts.manager, opts.force)?;
            let (object, _) = prepare_create(resource, namespace, merged, &write)?;
            validate::validate(resource, &object, None)?;
            let created = state.create_locked(self, resource, object, opts.dry_run)?;
            return Ok((created, true));
        };
        let merged = managed::apply(resource, Some(&old), &applied, &opts.manager, opts.force)?;
        let mut object = object::normalize(resource, merged)?;
        if resource == Resource::Namespace {
            object::remove_meta(&mut object, "namespace");
        }
        let updated = state.replace_locked(self, resource, old, object, &write)?;
        Ok((updated, false))
    }

    /// Creates `object` (of the kind its `apiVersion`/`kind` name), or replaces the stored
    /// one of that name: how manifests given at start are loaded.
    pub(crate) fn upsert(&self, object: Value) -> Result<Value, ApiStatus> {
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
        let resource = Resource::of_kind(api_version, kind).ok_or_else(|| {
            ApiStatus::bad_request(format!(
                "the sandbox does not serve kind {kind:?} in {api_version:?}"
            ))
        })?;
        let name = object::name(&object).to_string();
        let namespace = object::namespace(&object).to_string();
        let ns = resource
            .namespaced()
            .then_some(namespace.as_str())
            .filter(|n| !n.is_empty())
            .or(resource.namespaced().then_some("default"));
        let opts = WriteOptions {
            manager: Some(super::SEED_MANAGER.into()),
            ..WriteOptions::default()
        };
        if self.get(resource, ns.unwrap_or(""), &name).is_none() {
            return self.create(resource, ns, object, opts);
        }
        self.update(resource, ns, &name, object, opts)
    }
}
