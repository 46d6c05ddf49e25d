//! The preview of a registry change (issue 13, item 8): what create, edit,
//! delete or rotate would write where, computed without writing anything.
//!
//! ```text
//! stores now (reconciler's managed Secrets, inventory: namespaces, Secret
//!   names, ServiceAccounts; membership; attachment settings)
//!   └─► the world after the change (the source added, rewritten or gone,
//!       the setting changed, the deletion recorded) ─┐
//!        reconcile::plan (pure) ─► per namespace: create / update / delete /
//!                                  unchanged / collision (type, forged)
//!        attach::plan (pure) over the copies the pass would leave
//!                                ─► ServiceAccounts whose imagePullSecrets change
//!        workloads::references ─► pods that pull with the Secret now
//! ```
//!
//! The same planners the reconciler and the attacher run, so the preview
//! says what the next pass will do. The refusals of the write itself (a
//! name taken somewhere in the scope, a missing namespace) are named in
//! `refused`. Not audited: nothing is written and nothing secret is read
//! back. An edit's new content is not computed here (the form's fields are
//! the write's business), so every copy of an edited project registry is
//! shown as rewritten; a rotation's content is computed exactly.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use kube::api::Api;
use regboard_app::model::changes::{
    AccountChange, ChangePreview, NamespaceChange, PodUse, RegistryChange, SecretAction,
};
use regboard_app::model::registries::{Attachment, Scope, SyncState};
use regboard_app::AppError;

use super::objects::copy_of;
use super::service::KubeRegistries;
use crate::attach::{plan as attach_plan, RegistryId};
use crate::cluster::ownership::{self, source_name, DATA_KEY, DOCKER_CONFIG_JSON};
use crate::membership::Removals;
use crate::reconcile::{self, Op, RegistryKey, Snapshot};

/// What the stores hold now, and what they would hold after the change.
#[derive(Clone)]
pub(super) struct World {
    pub(super) members: BTreeMap<String, String>,
    pub(super) removals: Removals,
    pub(super) namespaces: Vec<Arc<Namespace>>,
    pub(super) managed: Vec<Arc<Secret>>,
    pub(super) secret_names: HashSet<(String, String)>,
    pub(super) settings: BTreeMap<RegistryId, Attachment>,
    pub(super) accounts: Vec<Arc<ServiceAccount>>,
}

impl World {
    /// `managed` without the Secret `namespace/name`.
    fn without(&mut self, namespace: &str, name: &str) {
        self.managed.retain(|s| {
            s.metadata.namespace.as_deref() != Some(namespace)
                || s.metadata.name.as_deref() != Some(name)
        });
    }

    /// `managed` with `secret` in place of any Secret at its place.
    fn with(&mut self, secret: Secret) {
        let ns = secret.metadata.namespace.clone().unwrap_or_default();
        let name = secret.metadata.name.clone().unwrap_or_default();
        self.without(&ns, &name);
        self.secret_names.insert((ns, name));
        self.managed.push(Arc::new(secret));
    }
}

/// The source (or namespace Secret) after the change: `None` when deleted.
pub(super) enum After {
    /// This Secret (created or rewritten).
    Written(Box<Secret>),
    /// Deleted.
    Deleted,
}

/// A registry Secret as regboard would write it, sealed, with `data`.
fn planned_secret(
    name: &str,
    namespace: &str,
    labels: BTreeMap<String, String>,
    data: Option<BTreeMap<String, ByteString>>,
) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(namespace.to_owned()),
            labels: Some(labels),
            // Copies name their source by uid; a source not created yet has none.
            uid: Some("uid-not-yet-assigned".to_owned()),
            ..ObjectMeta::default()
        },
        type_: Some(DOCKER_CONFIG_JSON.to_owned()),
        data,
        ..Secret::default()
    }
}

/// `secret` with its docker config replaced by a different one (an edit
/// whose content the preview does not compute).
fn rewritten(secret: &Secret) -> Secret {
    let mut next = secret.clone();
    let mut bytes = ownership::content_hash(secret)
        .unwrap_or_default()
        .into_bytes();
    bytes.extend_from_slice(b" (edited)");
    next.data = Some(BTreeMap::from([(DATA_KEY.to_owned(), ByteString(bytes))]));
    next
}

impl KubeRegistries {
    /// The stores as they are now.
    pub(super) fn world(&self) -> World {
        World {
            members: self.inventory.membership().members(),
            removals: self.inventory.membership().removals(),
            namespaces: self.inventory.namespaces(),
            managed: self.reconciler.managed(),
            secret_names: self.inventory.secret_names(),
            settings: self.reconciler.attacher().attachments().all(),
            accounts: self.inventory.service_accounts(),
        }
    }

    /// What `change` would write; nothing is written.
    pub(super) async fn preview_change(
        &self,
        change: &RegistryChange,
    ) -> Result<ChangePreview, AppError> {
        let (scope, name) = change.registry();
        let world = self.world();
        let (mut hosts, mut tested) = (Vec::new(), Vec::new());
        let (after, setting, mut refused) = match change {
            RegistryChange::Create(input) => {
                let (secret, refused) = self.planned_create(&world, scope, name).await?;
                let setting = Some(input.attachment.clone());
                (After::Written(Box::new(secret)), setting, refused)
            }
            RegistryChange::Update(input) => {
                let (_, current) = self.registry_secret(scope, name).await?;
                let setting = Some(input.attachment.clone());
                (After::Written(Box::new(rewritten(&current))), setting, None)
            }
            RegistryChange::Delete { .. } => {
                self.registry_secret(scope, name).await?;
                (After::Deleted, None, None)
            }
            RegistryChange::Rotate(input) => {
                let (_, current) = self.registry_secret(scope, name).await?;
                let (next, rotated) = super::rotate::rotated_secret(&current, input)?;
                tested = self.test_rotation(input, &rotated).await?;
                hosts = rotated.into_iter().map(|r| r.host).collect();
                let setting = world
                    .settings
                    .get(&(scope.clone(), name.to_owned()))
                    .cloned();
                (After::Written(Box::new(next)), setting, None)
            }
        };
        let mut preview = self
            .preview_of(world, (scope, name), after, setting)
            .await?;
        if matches!(change, RegistryChange::Create(_)) && refused.is_none() {
            // Rule 2: the create is refused over any name taken in its scope.
            refused = preview.namespaces.iter().find_map(|n| match &n.action {
                SecretAction::Collision { secret_type, .. } => Some(format!(
                    "A Secret named {name} already exists in namespace {} (type {secret_type}); choose another name.",
                    n.namespace
                )),
                _ => None,
            });
        }
        preview.change = change.label().to_owned();
        preview.refused = refused;
        preview.hosts = hosts;
        preview.tested = tested;
        if !matches!(change, RegistryChange::Create(_)) {
            self.fill_pods(&mut preview).await?;
        }
        Ok(preview)
    }

    /// The Secret a create would write (its content left out) and the
    /// refusal the write would answer before looking at other namespaces.
    async fn planned_create(
        &self,
        world: &World,
        scope: &Scope,
        name: &str,
    ) -> Result<(Secret, Option<String>), AppError> {
        match scope {
            Scope::Namespace { namespace } => {
                let exists = world
                    .namespaces
                    .iter()
                    .any(|ns| ns.metadata.name.as_deref() == Some(namespace.as_str()));
                let project = world.members.get(namespace);
                let project_has = project.is_some_and(|p| {
                    let source = source_name(p, name);
                    world.managed.iter().any(|s| {
                        s.metadata.namespace.as_deref() == Some(&self.system_namespace)
                            && s.metadata.name.as_deref() == Some(&source)
                            && self.key.owns(s)
                    })
                });
                let refused = if !exists {
                    Some(format!("Namespace {namespace} does not exist."))
                } else if project_has {
                    Some(format!(
                        "Project {} has a registry named {name} that reaches namespace {namespace}; choose another name.",
                        project.map(String::as_str).unwrap_or_default()
                    ))
                } else {
                    None
                };
                let labels = ownership::namespace_labels(name);
                let mut secret = planned_secret(name, namespace, labels, None);
                self.key.seal(&mut secret);
                Ok((secret, refused))
            }
            Scope::Project { project } => {
                let source = source_name(project, name);
                let taken = world.managed.iter().any(|s| {
                    s.metadata.namespace.as_deref() == Some(&self.system_namespace)
                        && s.metadata.name.as_deref() == Some(&source)
                });
                let has_members = world.members.values().any(|p| p == project);
                let recorded =
                    has_members || crate::projects::project_recorded(&self.db, project).await?;
                let refused = if taken {
                    Some(format!("Project {project} already has a registry named {name}; choose another name."))
                } else if !recorded {
                    Some(format!("There is no project named {project}; create it on the Projects page first."))
                } else {
                    None
                };
                let labels = ownership::project_labels(project, name);
                let mut secret = planned_secret(&source, &self.system_namespace, labels, None);
                self.key.seal(&mut secret);
                Ok((secret, refused))
            }
        }
    }

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
        let mut accounts = self.account_changes(&next, name);
        let namespaces = actions
            .into_iter()
            .map(|(namespace, action)| NamespaceChange {
                accounts: accounts.remove(&namespace).unwrap_or_default(),
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
        let existed = next.managed.iter().any(|s| {
            s.metadata.namespace.as_deref() == Some(&self.system_namespace)
                && s.metadata.name.as_deref() == Some(&source_at)
        });
        let source_action = match (after, existed) {
            (After::Deleted, _) => SecretAction::Delete,
            (After::Written(_), true) => SecretAction::Update,
            (After::Written(_), false) => SecretAction::Create,
        };
        match after {
            After::Written(s) => next.with((**s).clone()),
            After::Deleted => {
                next.without(&self.system_namespace, &source_at);
                next.removals.registries.insert(key.clone());
            }
        }
        let snapshot = Snapshot {
            system_namespace: self.system_namespace.clone(),
            key: self.key.clone(),
            members: next.members.clone(),
            removals: next.removals.clone(),
            namespaces: next.namespaces.clone(),
            managed: next.managed.clone(),
            secret_names: next.secret_names.clone(),
        };
        let plan = reconcile::plan(&snapshot, &HashMap::new());
        let mut actions: BTreeMap<String, SecretAction> = BTreeMap::new();
        for (ns, state) in plan.status.get(&key).into_iter().flatten() {
            let state = SyncState::from(state);
            let action = match state {
                SyncState::Conflict {
                    secret_type,
                    forged,
                } => SecretAction::Collision {
                    secret_type,
                    forged,
                },
                // Pending without an operation: another registry's copy a
                // recorded removal takes away first; then this one is created.
                _ => SecretAction::Create,
            };
            actions.insert(ns.clone(), action);
        }
        for op in plan.ops.iter() {
            let (op_key, ns, action) = match op {
                Op::Create { key, namespace, .. } => (key, namespace, SecretAction::Create),
                Op::Update { key, namespace, .. } => (key, namespace, SecretAction::Update),
                Op::Delete { key, namespace, .. } => (key, namespace, SecretAction::Delete),
            };
            if *op_key == key {
                actions.insert(ns.clone(), action);
            }
        }
        let status = plan.status.get(&key);
        for (ns, action) in actions.iter_mut() {
            let synced =
                status.and_then(|s| s.get(ns)).map(SyncState::from) == Some(SyncState::Synced);
            if synced && !action.writes() {
                *action = SecretAction::Unchanged;
            }
        }
        self.converge(next, &key, after, &actions);
        let source = NamespaceChange {
            namespace: self.system_namespace.clone(),
            secret: source_at,
            action: source_action,
            accounts: Vec::new(),
            pods: Vec::new(),
        };
        (Some(source), actions)
    }

    /// `next.managed` as the pass would leave it: this registry's copies
    /// where it creates, rewrites or keeps them, none where it deletes them.
    fn converge(
        &self,
        next: &mut World,
        (project, name): &RegistryKey,
        after: &After,
        actions: &BTreeMap<String, SecretAction>,
    ) {
        for (ns, action) in actions {
            match (action, after) {
                (SecretAction::Delete, _) => next.without(ns, name),
                (
                    SecretAction::Create | SecretAction::Update | SecretAction::Unchanged,
                    After::Written(source),
                ) => {
                    let mut copy = copy_of(source, project, name, ns);
                    self.key.seal(&mut copy);
                    next.with(copy);
                }
                _ => {}
            }
        }
    }

    /// A namespace registry's action in `namespace`.
    fn namespace_action(
        &self,
        now: &World,
        namespace: &str,
        name: &str,
        after: &After,
    ) -> SecretAction {
        let here = now.managed.iter().find(|s| {
            s.metadata.namespace.as_deref() == Some(namespace)
                && s.metadata.name.as_deref() == Some(name)
        });
        match (after, here) {
            (After::Deleted, _) => SecretAction::Delete,
            (After::Written(_), Some(s))
                if self.key.owns(s)
                    && ownership::label(s, ownership::SCOPE_LABEL)
                        == Some(ownership::SCOPE_NAMESPACE) =>
            {
                SecretAction::Update
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

    /// The ServiceAccounts whose `imagePullSecrets` the attacher would
    /// change for Secret `name` in the world `next`, by namespace.
    fn account_changes(&self, next: &World, name: &str) -> BTreeMap<String, Vec<AccountChange>> {
        let wanted = attach_plan::wanted(&self.key, &next.managed, &next.members, &next.settings);
        let mut out: BTreeMap<String, Vec<AccountChange>> = BTreeMap::new();
        for change in attach_plan::plan(&self.key, &next.accounts, &wanted) {
            let adds = change.added.iter().any(|n| n == name);
            let removes = change.removed.iter().any(|n| n == name);
            if adds || removes {
                out.entry(change.namespace.clone())
                    .or_default()
                    .push(AccountChange {
                        name: change.account.clone(),
                        adds,
                    });
            }
        }
        out
    }

    /// The pods that pull with the Secret now, in each namespace it is in.
    async fn fill_pods(&self, preview: &mut ChangePreview) -> Result<(), AppError> {
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
