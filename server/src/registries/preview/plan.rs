//! The planning half of the registry preview: the stores after the change
//! and the planners run over them (`world.rs`), read as one row per
//! namespace the registry reaches (see `mod.rs`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use regboard_app::model::changes::{ChangePreview, NamespaceChange, PodUse, SecretAction};
use regboard_app::model::registries::{Attachment, Scope};
use regboard_app::AppError;

use super::world::{planned_actions, World};
use crate::attach::RegistryId;
use crate::cluster::ownership::{self, source_name};
use crate::reconcile::RegistryKey;
use crate::registries::service::KubeRegistries;

/// The source (or namespace Secret) after the change: `None` when deleted.
pub(super) enum After {
    /// This Secret (created or rewritten).
    Written(Box<Secret>),
    /// Deleted.
    Deleted,
}

/// Whether writing `next` over `current` changes nothing (an edit that
/// keeps every field: the API answers it without a new version).
fn same_contents(next: &Secret, current: &Secret) -> bool {
    next.data == current.data && next.metadata.annotations == current.metadata.annotations
}

impl KubeRegistries {
    /// The preview of the registry's Secret becoming `after`, with its
    /// attachment `setting` (`None`: the setting is removed).
    pub(super) async fn preview_of(
        &self,
        now: World,
        (scope, name): (&Scope, &str),
        after: After,
        setting: Option<Attachment>,
    ) -> Result<ChangePreview, AppError> {
        let id: RegistryId = (scope.clone(), name.to_owned());
        let mut next = now.clone();
        match &setting {
            Some(s) => next.settings.insert(id.clone(), s.clone()),
            None => next.settings.remove(&id),
        };
        let (source, mut actions) = match scope {
            Scope::Project { project } => self.project_actions(&mut next, project, name, &after),
            Scope::Namespace { namespace } => {
                let action = self.namespace_action(&now, namespace, name, &after);
                match &after {
                    After::Written(s) => next.with((**s).clone()),
                    After::Deleted => next.without(namespace, name),
                }
                (None, BTreeMap::from([(namespace.clone(), action)]))
            }
        };
        self.name_foreign_types(name, &mut actions).await;
        let mut accounts = next.account_changes(&self.key);
        let namespaces = actions
            .into_iter()
            .map(|(namespace, action)| NamespaceChange {
                accounts: accounts
                    .remove(&(namespace.clone(), name.to_owned()))
                    .unwrap_or_default(),
                secret: name.to_owned(),
                pods: Vec::new(),
                namespace,
                action,
            })
            .collect();
        Ok(ChangePreview {
            change: String::new(),
            scope: scope.clone(),
            name: name.to_owned(),
            source,
            namespaces,
            hosts: Vec::new(),
            tested: Vec::new(),
            refused: None,
        })
    }

    /// A project registry: the source's action and each member namespace's,
    /// as the reconciler would plan them from the world after the change;
    /// `next.managed` becomes what the pass leaves.
    fn project_actions(
        &self,
        next: &mut World,
        project: &str,
        name: &str,
        after: &After,
    ) -> (Option<NamespaceChange>, BTreeMap<String, SecretAction>) {
        let key: RegistryKey = (project.to_owned(), name.to_owned());
        let source_at = source_name(project, name);
        let existing = next.managed_at(&self.system_namespace, &source_at);
        let source_action = match (after, existing) {
            (After::Deleted, _) => SecretAction::Delete,
            (After::Written(s), Some(e)) if same_contents(s, e) => SecretAction::Unchanged,
            (After::Written(_), Some(_)) => SecretAction::Update,
            (After::Written(_), None) => SecretAction::Create,
        };
        match after {
            After::Written(s) => next.with((**s).clone()),
            After::Deleted => {
                next.without(&self.system_namespace, &source_at);
                next.removals.registries.insert(key.clone());
            }
        }
        let planned = planned_actions(next, &self.system_namespace, &self.key);
        next.converge(&self.system_namespace, &self.key, &planned);
        let actions = planned
            .into_iter()
            .filter(|((k, _), _)| *k == key)
            .map(|((_, ns), action)| (ns, action))
            .collect();
        let source = NamespaceChange {
            namespace: self.system_namespace.clone(),
            secret: source_at,
            action: source_action,
            accounts: Vec::new(),
            pods: Vec::new(),
        };
        (Some(source), actions)
    }

    /// A namespace registry's action in `namespace`.
    fn namespace_action(
        &self,
        now: &World,
        namespace: &str,
        name: &str,
        after: &After,
    ) -> SecretAction {
        let here = now.managed_at(namespace, name);
        match (after, here) {
            (After::Deleted, _) => SecretAction::Delete,
            (After::Written(next), Some(s))
                if self.key.owns(s)
                    && ownership::label(s, ownership::SCOPE_LABEL)
                        == Some(ownership::SCOPE_NAMESPACE) =>
            {
                if same_contents(next, s) {
                    SecretAction::Unchanged
                } else {
                    SecretAction::Update
                }
            }
            (After::Written(_), Some(s)) => SecretAction::Collision {
                secret_type: s.type_.clone().unwrap_or_else(|| "Opaque".into()),
                forged: !self.key.owns(s),
            },
            (After::Written(_), None)
                if now
                    .secret_names
                    .contains(&(namespace.to_owned(), name.to_owned())) =>
            {
                SecretAction::Collision {
                    secret_type: "unknown".into(),
                    forged: false,
                }
            }
            (After::Written(_), None) => SecretAction::Create,
        }
    }

    /// Reads the type of each foreign Secret the planners could not name
    /// (the inventory holds Secret metadata only).
    async fn name_foreign_types(&self, name: &str, actions: &mut BTreeMap<String, SecretAction>) {
        for (ns, action) in actions.iter_mut() {
            if let SecretAction::Collision { secret_type, .. } = action {
                if secret_type == "unknown" {
                    let api: Api<Secret> = Api::namespaced(self.client.clone(), ns);
                    if let Ok(Some(found)) = api.get_opt(name).await {
                        *secret_type = found.type_.unwrap_or_else(|| "Opaque".into());
                    }
                }
            }
        }
    }

    /// The pods that pull with the Secret now, in each namespace it is in.
    pub(super) async fn fill_pods(&self, preview: &mut ChangePreview) -> Result<(), AppError> {
        let namespaces: Vec<String> = preview
            .namespaces
            .iter()
            .filter(|n| {
                !matches!(
                    n.action,
                    SecretAction::Collision { .. } | SecretAction::Create
                )
            })
            .map(|n| n.namespace.clone())
            .collect();
        let refs = crate::workloads::references::references(
            &self.client,
            &self.inventory,
            &preview.name,
            &namespaces,
        )
        .await?;
        for r in refs.into_iter().filter(|r| r.kind == "Pod") {
            if let Some(row) = preview
                .namespaces
                .iter_mut()
                .find(|n| n.namespace == r.namespace)
            {
                row.pods.push(PodUse {
                    name: r.name,
                    problem: r.problem,
                });
            }
        }
        Ok(())
    }
}
