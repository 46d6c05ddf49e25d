//! Creating, editing and deleting registries, with the uniqueness and
//! ownership rules (DESIGN rules 1–2). Each check is made before writing and
//! the API enforces it again: a create with a taken name fails with 409, so
//! of two people creating the same name at once exactly one wins.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, PostParams, Preconditions};
use regboard_app::domain::docker_config::{ConfigError, DockerConfig, HostEdit};
use regboard_app::model::registries::{RegistryInput, RegistrySummary, Scope, SyncSummary};
use regboard_app::AppError;
use serde_json::{json, Value};

use super::objects::{
    docker_config, registry_secret, set_contents, summary, valid_until, Contents,
};
use super::service::KubeRegistries;
use super::uniqueness::taken;
use super::validate::{host_field, validate, Valid};
use crate::cluster::errors::{app_error, ensure_namespace, status_code};
use crate::cluster::ownership::{self, source_name};
use crate::cluster::proof::Claim;
use crate::reconcile::shown::Expect;

/// The non-secret fields of a form, for the audit log: per host its
/// username, email and "valid until" as typed, never a password.
pub fn public_fields(input: &RegistryInput) -> Value {
    let hosts: Vec<Value> = input
        .credentials
        .iter()
        .map(|c| json!({"host": c.host, "username": c.username, "email": c.email, "valid_until": c.valid_until}))
        .collect();
    json!({
        "scope": input.scope,
        "hosts": hosts,
        "description": input.description,
        "attachment": input.attachment,
    })
}

/// The non-secret facts of a config's hosts, for the audit log.
fn audited_hosts(config: &DockerConfig) -> Value {
    config
        .auths
        .iter()
        .map(|(host, e)| {
            (
                host.clone(),
                json!({"username": e.effective_username(), "email": e.email}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The config, description and expiry a validated form writes over `base`.
fn contents_of(
    valid: &Valid,
    base: &DockerConfig,
) -> Result<(DockerConfig, BTreeMap<String, i64>), AppError> {
    let mut config = base.clone();
    let rows: Vec<HostEdit> = valid.hosts.iter().map(|h| h.edit.clone()).collect();
    config.apply_hosts(&rows).map_err(|e| {
        let i = match &e {
            ConfigError::NoPasswordToKeep { host } => rows.iter().position(|r| &r.host == host),
            _ => None,
        };
        AppError::Invalid {
            field: Some(i.map_or_else(|| "hosts".to_owned(), host_field)),
            message: e.to_string(),
        }
    })?;
    let until = valid
        .hosts
        .iter()
        .filter_map(|h| Some((h.edit.host.clone(), h.valid_until?)))
        .collect();
    Ok((config, until))
}

/// What an edit writes over a registry's current Secret.
pub(super) struct Edited {
    /// The Secret to write (the current one with the new contents).
    pub(super) secret: Secret,
    /// The docker config before the edit.
    pub(super) before: DockerConfig,
    /// The docker config after it.
    pub(super) config: DockerConfig,
    /// Each host's "valid until" written.
    pub(super) until: BTreeMap<String, i64>,
}

/// The edit of `current` that the validated form `valid` writes: the update
/// and its preview both build it here.
pub(super) fn edited_secret(valid: &Valid, current: &Secret) -> Result<Edited, AppError> {
    let before = docker_config(current).unwrap_or_default();
    let (config, until) = contents_of(valid, &before)?;
    let mut secret = current.clone();
    set_contents(
        &mut secret,
        &Contents {
            config: &config,
            description: &valid.description,
            valid_until: until.clone(),
        },
    );
    Ok(Edited {
        secret,
        before,
        config,
        until,
    })
}

impl KubeRegistries {
    /// The sealed Secret a create of `valid` writes: the namespace Secret,
    /// or the project's source in the system namespace. The create and its
    /// preview both build it here.
    pub(super) fn new_secret(&self, valid: &Valid) -> Result<Secret, AppError> {
        let (config, valid_until) = contents_of(valid, &DockerConfig::default())?;
        let contents = Contents {
            config: &config,
            description: &valid.description,
            valid_until,
        };
        let (name, namespace, labels) = match &valid.scope {
            Scope::Namespace { namespace } => (
                valid.name.clone(),
                namespace.clone(),
                ownership::namespace_labels(&valid.name),
            ),
            Scope::Project { project } => (
                source_name(project, &valid.name),
                self.system_namespace.clone(),
                ownership::project_labels(project, &valid.name),
            ),
        };
        let mut secret = registry_secret(&name, &namespace, labels, &contents);
        self.key.seal(&mut secret);
        Ok(secret)
    }

    pub(super) async fn create_registry(
        &self,
        input: RegistryInput,
    ) -> Result<RegistrySummary, AppError> {
        let valid = validate(input, false, chrono::Utc::now().timestamp())?;
        let secret = self.new_secret(&valid)?;
        let secrets = valid.passwords();
        match &valid.scope {
            Scope::Namespace { namespace } => {
                self.check_namespace_name_free(namespace, &valid.name)
                    .await?;
                let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
                match api.create(&PostParams::default(), &secret).await {
                    Ok(created) => Ok(summary(
                        &self.shown(namespace, created).await,
                        valid.scope.clone(),
                        &valid.name,
                        SyncSummary {
                            synced: 1,
                            ..SyncSummary::default()
                        },
                    )),
                    Err(e) if status_code(&e) == Some(409) => Err(taken(
                        &valid.name,
                        namespace,
                        &self.type_of(namespace, &valid.name).await,
                    )),
                    Err(e) => Err(app_error(
                        &e,
                        &format!("the Secret {} in namespace {namespace}", valid.name),
                        &secrets,
                    )),
                }
            }
            Scope::Project { project } => {
                let members = self.check_project_name_free(project, &valid.name).await?;
                self.ensure_system_namespace().await?;
                let api: Api<Secret> = Api::namespaced(self.client.clone(), &self.system_namespace);
                match api.create(&PostParams::default(), &secret).await {
                    Ok(created) => {
                        let created = self.shown(&self.system_namespace, created).await;
                        // Its copies are wanted again, whatever an earlier
                        // registry of this name left behind.
                        let membership = self.inventory.membership();
                        if let Err(e) = membership.registry_created(project, &valid.name).await {
                            return Err(crate::error::internal(e));
                        }
                        self.reconciler.trigger();
                        let sync = SyncSummary {
                            pending: members,
                            ..SyncSummary::default()
                        };
                        Ok(summary(&created, valid.scope.clone(), &valid.name, sync))
                    }
                    Err(e) if status_code(&e) == Some(409) => Err(AppError::Conflict(format!(
                        "Project {project} already has a registry named {}; choose another name.",
                        valid.name
                    ))),
                    Err(e) => Err(app_error(
                        &e,
                        &format!("the registry {} of project {project}", valid.name),
                        &secrets,
                    )),
                }
            }
        }
    }

    /// `written` once the reconciler's store shows it, so that the next list
    /// (served from that store) has it: read your own writes.
    pub(super) async fn shown(&self, namespace: &str, written: Secret) -> Secret {
        let name = written.metadata.name.as_deref().unwrap_or_default();
        self.reconciler
            .shown(namespace, name, Expect::Version(&written))
            .await;
        written
    }

    pub(super) async fn ensure_system_namespace(&self) -> Result<(), AppError> {
        ensure_namespace(&self.client, &self.system_namespace)
            .await
            .map_err(|e| {
                app_error(
                    &e,
                    &format!("the system namespace {}", self.system_namespace),
                    &[],
                )
            })
    }

    /// The source Secret of project registry `name`, if it exists and is ours.
    pub(super) async fn source(
        &self,
        project: &str,
        name: &str,
    ) -> Result<Option<Secret>, AppError> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &self.system_namespace);
        let found = api
            .get_opt(&source_name(project, name))
            .await
            .map_err(|e| app_error(&e, &format!("registry {name} of project {project}"), &[]))?;
        Ok(found.filter(|s| matches!(self.key.verify(s), Some(Claim::Source { .. }))))
    }

    /// The Secret behind a registry (the namespace Secret, or the project
    /// source), refusing a Secret regboard does not own.
    pub(super) async fn registry_secret(
        &self,
        scope: &Scope,
        name: &str,
    ) -> Result<(Api<Secret>, Secret), AppError> {
        let not_found = || {
            AppError::NotFound(format!(
                "There is no registry named {name} in {}.",
                scope.describe()
            ))
        };
        match scope {
            Scope::Project { project } => {
                let secret = self.source(project, name).await?.ok_or_else(not_found)?;
                Ok((
                    Api::namespaced(self.client.clone(), &self.system_namespace),
                    secret,
                ))
            }
            Scope::Namespace { namespace } => {
                let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
                let secret = api
                    .get_opt(name)
                    .await
                    .map_err(|e| app_error(&e, &format!("registry {name}"), &[]))?
                    .filter(|s| matches!(self.key.verify(s), Some(Claim::Namespace { .. })))
                    .ok_or_else(not_found)?;
                Ok((api, secret))
            }
        }
    }

    pub(super) async fn update_registry(
        &self,
        input: RegistryInput,
    ) -> Result<(RegistrySummary, Value), AppError> {
        let valid: Valid = validate(input, true, chrono::Utc::now().timestamp())?;
        let (api, current) = self.registry_secret(&valid.scope, &valid.name).await?;
        let before_until = valid_until(&current);
        let Edited {
            secret,
            before,
            config,
            until,
        } = edited_secret(&valid, &current)?;
        let changed: Vec<&String> = valid
            .hosts
            .iter()
            .filter(|h| h.edit.password.is_some())
            .map(|h| &h.edit.host)
            .collect();
        let secret_name = secret.metadata.name.clone().unwrap_or_default();
        let secrets = valid.passwords();
        let updated = api
            .replace(&secret_name, &PostParams::default(), &secret)
            .await
            .map_err(|e| app_error(&e, &format!("registry {}", valid.name), &secrets))?;
        let namespace = secret.metadata.namespace.clone().unwrap_or_default();
        let updated = self.shown(&namespace, updated).await;
        if matches!(valid.scope, Scope::Project { .. }) {
            self.reconciler.trigger();
        }
        let fingerprints: BTreeMap<&String, String> = valid
            .hosts
            .iter()
            .filter_map(|h| {
                Some((
                    &h.edit.host,
                    self.audit
                        .fingerprint(h.edit.password.as_ref()?.expose().as_bytes()),
                ))
            })
            .collect();
        let details = json!({
            "before": {"hosts": audited_hosts(&before), "valid_until": before_until},
            "after": {"hosts": audited_hosts(&config), "valid_until": until, "description": valid.description},
            "password_changed": changed,
            "credential": fingerprints,
        });
        let sync = self.sync_summary(&valid.scope, &valid.name);
        Ok((
            summary(&updated, valid.scope.clone(), &valid.name, sync),
            details,
        ))
    }

    pub(super) async fn delete_registry(&self, scope: &Scope, name: &str) -> Result<(), AppError> {
        let (api, secret) = self.registry_secret(scope, name).await?;
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: secret.metadata.uid.clone(),
                resource_version: secret.metadata.resource_version.clone(),
            }),
            ..DeleteParams::default()
        };
        if let Scope::Project { project } = scope {
            // Recorded first: the reason its copies may go (DESIGN rule 3).
            let membership = self.inventory.membership();
            membership
                .registry_deleted(project, name)
                .await
                .map_err(crate::error::internal)?;
        }
        let secret_name = secret.metadata.name.clone().unwrap_or_default();
        api.delete(&secret_name, &params)
            .await
            .map_err(|e| app_error(&e, &format!("registry {name}"), &[]))?;
        let namespace = secret.metadata.namespace.as_deref().unwrap_or_default();
        let uid = secret.metadata.uid.as_deref().unwrap_or_default();
        self.reconciler
            .shown(namespace, &secret_name, Expect::Deleted { uid })
            .await;
        if matches!(scope, Scope::Project { .. }) {
            self.reconciler.trigger();
        }
        Ok(())
    }

    pub(super) async fn resync_registry(&self, scope: &Scope, name: &str) -> Result<(), AppError> {
        self.registry_secret(scope, name).await?;
        if matches!(scope, Scope::Project { .. }) {
            let _ =
                tokio::time::timeout(Duration::from_secs(15), self.reconciler.next_pass()).await;
        }
        Ok(())
    }
}
