//! Adopting a pull Secret regboard did not write (issue #13 item 5), as
//! an editor chooses:
//!
//! ```text
//! in place   dockerconfigjson only: the Secret itself, data bytes unchanged,
//!            gets regboard's labels and proof (update with its resourceVersion)
//! renamed    a new namespace registry beside it, the same credentials as
//!            .dockerconfigjson (a legacy .dockercfg converted); it stays as it is
//! project    a source in the system namespace with the same credentials; a
//!            dockerconfigjson Secret of the same name becomes the copy in
//!            its namespace (sealed to that source), anything else stays
//! ```
//!
//! A Secret's type cannot change, so a legacy `kubernetes.io/dockercfg`
//! Secret is never adopted in place and never deleted. A Secret with
//! regboard's labels but no proof is the admins' to adopt (recover.rs).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::ByteString;
use kube::api::{Api, PostParams};
use kube::core::ObjectMeta;
use regboard_app::domain::names::validate_registry_name;
use regboard_app::model::registries::{RegistrySummary, Scope, SyncSummary};
use regboard_app::model::unmanaged::{AdoptAs, AdoptRequest, DOCKERCFG};
use regboard_app::AppError;
use serde_json::{json, Value};

use super::objects::summary;
use super::service::KubeRegistries;
use super::unmanaged::{labelled_as_regboard, pull_config};
use crate::cluster::errors::{app_error, status_code};
use crate::cluster::ownership::{self, source_name, DATA_KEY, DOCKER_CONFIG_JSON};

fn invalid(message: String) -> AppError {
    AppError::Invalid {
        field: None,
        message,
    }
}

/// `extra` added to `labels` (or annotations), the others kept.
fn merged(map: &mut Option<BTreeMap<String, String>>, extra: BTreeMap<String, String>) {
    map.get_or_insert_with(Default::default).extend(extra);
}

/// A new registry Secret holding `data` as its `.dockerconfigjson`.
fn pull_secret(
    name: String,
    namespace: String,
    labels: BTreeMap<String, String>,
    data: Vec<u8>,
) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(namespace),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        type_: Some(DOCKER_CONFIG_JSON.to_owned()),
        data: Some([(DATA_KEY.to_owned(), ByteString(data))].into()),
        ..Secret::default()
    }
}

/// The name a request asks for, checked as a registry name.
fn checked_name(name: &str) -> Result<&str, AppError> {
    validate_registry_name(name).map_err(|e| AppError::Invalid {
        field: Some("name".into()),
        message: format!("Registry name: {e}"),
    })?;
    Ok(name)
}

impl KubeRegistries {
    /// Adopts as `request` asks; answers the registry and the audit details.
    pub(super) async fn adopt_pull_secret(
        &self,
        request: &AdoptRequest,
    ) -> Result<(RegistrySummary, Value), AppError> {
        let (namespace, name) = (request.namespace.as_str(), request.name.as_str());
        let (api, secret) = self.unmanaged_secret(namespace, name).await?;
        let config = pull_config(&secret).map_err(|e| {
            invalid(format!(
                "The Secret {name} in namespace {namespace} cannot be adopted: {e}"
            ))
        })?;
        let secret_type = secret.type_.clone().unwrap_or_default();
        let legacy = secret_type == DOCKERCFG;
        // The credentials as .dockerconfigjson: the same bytes, or the legacy
        // entries converted (DockerConfig writes the .dockerconfigjson shape).
        let data = if legacy {
            config.to_json().into_bytes()
        } else {
            secret
                .data
                .as_ref()
                .and_then(|d| d.get(DATA_KEY))
                .map(|b| b.0.clone())
                .unwrap_or_default()
        };
        let summary = match &request.adopt_as {
            AdoptAs::InPlace if legacy => return Err(invalid(format!(
                "The Secret {name} in namespace {namespace} has the legacy type {DOCKERCFG}. Kubernetes never lets a Secret's type change, so it cannot become a registry in place (and regboard never deletes it): adopt it under another name or as a project registry, which writes the same credentials as .dockerconfigjson beside it."
            ))),
            AdoptAs::InPlace => self.adopt_in_place(&api, secret).await?,
            AdoptAs::Renamed { name: new } => self.adopt_renamed(namespace, checked_name(new)?, data).await?,
            AdoptAs::Project { name: new } => {
                let copy = (!legacy && new == name).then_some((api, secret));
                self.adopt_to_project(namespace, checked_name(new)?, data, copy).await?
            }
        };
        let details = json!({
            "from": {"namespace": namespace, "name": name, "type": secret_type},
            "adopted_as": request.adopt_as,
            "hosts": config.hosts(),
        });
        self.reconciler.trigger();
        Ok((summary, details))
    }

    /// The Secret to adopt, refused when regboard wrote it, when it only
    /// carries regboard's labels, or when it is not a pull Secret.
    async fn unmanaged_secret(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<(Api<Secret>, Secret), AppError> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let what = format!("The Secret {name} in namespace {namespace}");
        let secret = api.get(name).await.map_err(|e| app_error(&e, &what, &[]))?;
        if self.key.owns(&secret) {
            return Err(AppError::Conflict(format!("{what} is regboard's already.")));
        }
        if labelled_as_regboard(&secret) {
            return Err(invalid(format!(
                "{what} carries regboard's labels without its proof; only an admin can adopt it (Registries page, \"Secrets regboard did not prove it wrote\")."
            )));
        }
        if !matches!(
            secret.type_.as_deref(),
            Some(DOCKER_CONFIG_JSON | DOCKERCFG)
        ) {
            return Err(invalid(format!(
                "{what} is not a pull Secret (type {DOCKER_CONFIG_JSON} or {DOCKERCFG})."
            )));
        }
        Ok((api, secret))
    }

    /// The Secret itself becomes a namespace registry: labels and proof
    /// added, data untouched, written only if unchanged since it was read.
    async fn adopt_in_place(
        &self,
        api: &Api<Secret>,
        mut secret: Secret,
    ) -> Result<RegistrySummary, AppError> {
        let name = secret.metadata.name.clone().unwrap_or_default();
        let namespace = secret.metadata.namespace.clone().unwrap_or_default();
        checked_name(&name)?;
        if let Some(project) = self.inventory.project_of(&namespace) {
            if self.source(&project, &name).await?.is_some() {
                return Err(AppError::Conflict(format!(
                    "Project {project} has a registry named {name} that reaches namespace {namespace}; adopt the Secret under another name."
                )));
            }
        }
        merged(
            &mut secret.metadata.labels,
            ownership::namespace_labels(&name),
        );
        self.key.seal(&mut secret);
        // The read resourceVersion travels in the body: a change meanwhile is a 409.
        let what = format!("The Secret {name} in namespace {namespace}");
        let adopted = api
            .replace(&name, &PostParams::default(), &secret)
            .await
            .map_err(|e| app_error(&e, &what, &[]))?;
        let adopted = self.shown(&namespace, adopted).await;
        let scope = Scope::Namespace { namespace };
        Ok(summary(
            &adopted,
            scope,
            &name,
            SyncSummary {
                synced: 1,
                ..SyncSummary::default()
            },
        ))
    }

    /// A new namespace registry `name` beside the Secret, holding `data`.
    async fn adopt_renamed(
        &self,
        namespace: &str,
        name: &str,
        data: Vec<u8>,
    ) -> Result<RegistrySummary, AppError> {
        self.check_namespace_name_free(namespace, name).await?;
        let mut secret = pull_secret(
            name.into(),
            namespace.into(),
            ownership::namespace_labels(name),
            data,
        );
        self.key.seal(&mut secret);
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let created = api.create(&PostParams::default(), &secret).await.map_err(|e| match status_code(&e) {
            Some(409) => AppError::Conflict(format!("A Secret named {name} already exists in namespace {namespace}; choose another name.")),
            _ => app_error(&e, &format!("the Secret {name} in namespace {namespace}"), &[]),
        })?;
        let created = self.shown(namespace, created).await;
        let scope = Scope::Namespace {
            namespace: namespace.into(),
        };
        Ok(summary(
            &created,
            scope,
            name,
            SyncSummary {
                synced: 1,
                ..SyncSummary::default()
            },
        ))
    }

    /// A registry `name` of the namespace's project holding `data`; `copy`
    /// (the adopted Secret, when it has that name and type) becomes the copy
    /// in its namespace.
    async fn adopt_to_project(
        &self,
        namespace: &str,
        name: &str,
        data: Vec<u8>,
        copy: Option<(Api<Secret>, Secret)>,
    ) -> Result<RegistrySummary, AppError> {
        let project = self.inventory.project_of(namespace).ok_or_else(|| {
            invalid(format!("Namespace {namespace} is not in a project; adopt the Secret as a namespace registry instead."))
        })?;
        let members = match &copy {
            Some(_) => {
                self.project_name_free_except(&project, name, Some(namespace))
                    .await?
            }
            None => self.check_project_name_free(&project, name).await?,
        };
        let created = self.create_source(&project, name, data).await?;
        if let Some((api, secret)) = copy {
            self.seal_as_copy(&api, secret, &created, &project).await?;
        }
        let sync = SyncSummary {
            pending: members,
            ..SyncSummary::default()
        };
        Ok(summary(&created, Scope::Project { project }, name, sync))
    }

    /// The source of project registry `name` holding `data`, recorded as
    /// created (its copies are wanted again).
    async fn create_source(
        &self,
        project: &str,
        name: &str,
        data: Vec<u8>,
    ) -> Result<Secret, AppError> {
        self.ensure_system_namespace().await?;
        let labels = ownership::project_labels(project, name);
        let mut source = pull_secret(
            source_name(project, name),
            self.system_namespace.clone(),
            labels,
            data,
        );
        self.key.seal(&mut source);
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &self.system_namespace);
        let created = api
            .create(&PostParams::default(), &source)
            .await
            .map_err(|e| match status_code(&e) {
                Some(409) => AppError::Conflict(format!(
                    "Project {project} already has a registry named {name}; choose another name."
                )),
                _ => app_error(
                    &e,
                    &format!("the registry {name} of project {project}"),
                    &[],
                ),
            })?;
        let created = self.shown(&self.system_namespace, created).await;
        let membership = self.inventory.membership();
        membership
            .registry_created(project, name)
            .await
            .map_err(crate::error::internal)?;
        Ok(created)
    }

    /// Makes `secret` the copy of `source` in its namespace: the project's
    /// labels, the source uid and content hash, sealed; data untouched.
    async fn seal_as_copy(
        &self,
        api: &Api<Secret>,
        mut secret: Secret,
        source: &Secret,
        project: &str,
    ) -> Result<(), AppError> {
        let name = secret.metadata.name.clone().unwrap_or_default();
        let namespace = secret.metadata.namespace.clone().unwrap_or_default();
        merged(
            &mut secret.metadata.labels,
            ownership::project_labels(project, &name),
        );
        let annotations = [
            (
                ownership::SOURCE_UID.to_owned(),
                source.metadata.uid.clone().unwrap_or_default(),
            ),
            (
                ownership::CONTENT_HASH.to_owned(),
                ownership::content_hash(source).unwrap_or_default(),
            ),
        ];
        merged(&mut secret.metadata.annotations, annotations.into());
        self.key.seal(&mut secret);
        let what = format!("Registry {name} of project {project} was created, but the Secret {name} in namespace {namespace}");
        let adopted = api
            .replace(&name, &PostParams::default(), &secret)
            .await
            .map_err(|e| app_error(&e, &what, &[]))?;
        self.shown(&namespace, adopted).await;
        Ok(())
    }
}

/// The audit scope and name of an adoption of `request` (the project of
/// its namespace, for a project registry).
pub(super) fn adopted_registry(request: &AdoptRequest, project: Option<String>) -> (Scope, String) {
    match (&request.adopt_as, project) {
        (AdoptAs::Project { name }, Some(project)) => (Scope::Project { project }, name.clone()),
        (AdoptAs::Renamed { name }, _) | (AdoptAs::Project { name }, None) => (
            Scope::Namespace {
                namespace: request.namespace.clone(),
            },
            name.clone(),
        ),
        (AdoptAs::InPlace, _) => (
            Scope::Namespace {
                namespace: request.namespace.clone(),
            },
            request.name.clone(),
        ),
    }
}
