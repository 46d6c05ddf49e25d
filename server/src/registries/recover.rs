//! The two admin actions for when ownership or a source went missing:
//! restoring a lost source from one of its copies, and adopting a Secret
//! that carries regboard's labels but not its proof (written before proofs
//! existed, or after the key was lost), with the list of such Secrets.
//! Both actions are audited by the service.

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use kube::core::ObjectMeta;
use regboard_app::model::registries::UnprovenSecret;
use regboard_app::AppError;
use serde_json::{json, Value};

use super::service::KubeRegistries;
use crate::cluster::errors::{app_error, ensure_namespace, status_code};
use crate::cluster::ownership::{self, source_name, DESCRIPTION, DOCKER_CONFIG_JSON, SOURCE_UID};
use crate::cluster::proof::Claim;

impl KubeRegistries {
    /// Writes the lost source of `project`/`name` again from a proven copy.
    pub(super) async fn restore_source(
        &self,
        project: &str,
        name: &str,
    ) -> Result<Value, AppError> {
        let key = (project.to_owned(), name.to_owned());
        let namespaces = self.reconciler.lost().remove(&key).ok_or_else(|| {
            AppError::NotFound(format!(
                "Registry {name} of project {project} has no lost source to restore: its source is in place, or no copy of it remains."
            ))
        })?;
        let from = namespaces.first().cloned().unwrap_or_default();
        let copies: Api<Secret> = Api::namespaced(self.client.clone(), &from);
        let copy = copies
            .get(name)
            .await
            .map_err(|e| app_error(&e, &format!("the copy of {name} in namespace {from}"), &[]))?;
        if !matches!(self.key.verify(&copy), Some(Claim::Copy { project: p, registry: r, .. }) if p == project && r == name)
        {
            return Err(AppError::Conflict(format!(
                "The Secret {name} in namespace {from} is no longer a copy regboard wrote; nothing was restored."
            )));
        }
        let mut source = Secret {
            metadata: ObjectMeta {
                name: Some(source_name(project, name)),
                namespace: Some(self.system_namespace.clone()),
                labels: Some(ownership::project_labels(project, name)),
                annotations: ownership::annotation(&copy, DESCRIPTION)
                    .map(|d| [(DESCRIPTION.to_owned(), d.to_owned())].into()),
                ..ObjectMeta::default()
            },
            type_: Some(DOCKER_CONFIG_JSON.to_owned()),
            data: copy.data.clone(),
            ..Secret::default()
        };
        self.key.seal(&mut source);
        ensure_namespace(&self.client, &self.system_namespace)
            .await
            .map_err(|e| {
                app_error(
                    &e,
                    &format!("the system namespace {}", self.system_namespace),
                    &[],
                )
            })?;
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &self.system_namespace);
        match api.create(&PostParams::default(), &source).await {
            Ok(created) => {
                self.shown(&self.system_namespace, created).await;
            }
            Err(e) if status_code(&e) == Some(409) => {
                return Err(AppError::Conflict(format!(
                    "A Secret named {} already exists in namespace {}; nothing was restored.",
                    source_name(project, name),
                    self.system_namespace
                )))
            }
            Err(e) => {
                return Err(app_error(
                    &e,
                    &format!("the source of registry {name}"),
                    &[],
                ))
            }
        }
        self.reconciler.trigger();
        Ok(json!({ "from_namespace": from, "copies": namespaces }))
    }

    /// Every Secret with regboard's labels that regboard cannot prove it
    /// wrote, sorted by namespace and name.
    pub(super) fn unproven_secrets(&self) -> Vec<UnprovenSecret> {
        let mut found: Vec<UnprovenSecret> = self
            .reconciler
            .managed()
            .iter()
            .filter(|s| !self.key.owns(s))
            .map(|s| UnprovenSecret {
                namespace: s.metadata.namespace.clone().unwrap_or_default(),
                name: s.metadata.name.clone().unwrap_or_default(),
                claims: match Claim::of(s) {
                    Some(Claim::Namespace { .. }) => "namespace registry".to_owned(),
                    Some(Claim::Source {
                        project, registry, ..
                    }) => format!("source of project registry {project}/{registry}"),
                    Some(Claim::Copy {
                        project, registry, ..
                    }) => format!("copy of project registry {project}/{registry}"),
                    None => "regboard's labels, on a Secret that is not a registry".to_owned(),
                },
            })
            .collect();
        found.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        found
    }

    /// Gives `namespace`/`name` regboard's proof, when its labels and place
    /// say what regboard would have written there.
    pub(super) async fn adopt_secret(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Value, AppError> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let mut secret = api.get(name).await.map_err(|e| {
            app_error(
                &e,
                &format!("the Secret {name} in namespace {namespace}"),
                &[],
            )
        })?;
        if self.key.owns(&secret) {
            return Err(AppError::Conflict(format!(
                "The Secret {name} in namespace {namespace} is regboard's already."
            )));
        }
        let claim = Claim::of(&secret).ok_or_else(|| AppError::Invalid {
            field: None,
            message: format!(
                "The Secret {name} in namespace {namespace} does not carry regboard's labels for a registry; to manage it, create a registry instead."
            ),
        })?;
        let adopted_as = self.adoptable(&mut secret, &claim).await?;
        self.key.seal(&mut secret);
        let adopted = api
            .replace(name, &PostParams::default(), &secret)
            .await
            .map_err(|e| {
                app_error(
                    &e,
                    &format!("the Secret {name} in namespace {namespace}"),
                    &[],
                )
            })?;
        self.shown(namespace, adopted).await;
        self.reconciler.trigger();
        Ok(json!({ "adopted_as": adopted_as }))
    }

    /// Checks that `claim` fits regboard's records; a copy is pointed at
    /// the current source (the reconciler then brings its content in line).
    async fn adoptable(
        &self,
        secret: &mut Secret,
        claim: &Claim,
    ) -> Result<&'static str, AppError> {
        match claim {
            Claim::Namespace { .. } => Ok("namespace registry"),
            Claim::Source { namespace, .. } if *namespace == self.system_namespace => Ok("source"),
            Claim::Source { .. } => Err(AppError::Invalid {
                field: None,
                message: format!(
                    "Only a Secret in regboard's system namespace {} can be adopted as a project registry's source.",
                    self.system_namespace
                ),
            }),
            Claim::Copy {
                namespace,
                project,
                registry,
                ..
            } => {
                if self.inventory.project_of(namespace).as_deref() != Some(project) {
                    return Err(AppError::Invalid {
                        field: None,
                        message: format!("Namespace {namespace} is not a member of project {project}; a copy there cannot be adopted."),
                    });
                }
                let source = self.source(project, registry).await?.ok_or_else(|| {
                    AppError::NotFound(format!(
                        "Project {project} has no registry named {registry}."
                    ))
                })?;
                let uid = source.metadata.uid.clone().unwrap_or_default();
                secret
                    .metadata
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(SOURCE_UID.to_owned(), uid);
                Ok("copy")
            }
        }
    }
}
