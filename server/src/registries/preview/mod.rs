//! The preview of a registry change (issue 13, item 8): what create, edit,
//! delete or rotate would write where, computed without writing anything.
//!
//! ```text
//! the change ─► the Secret it writes, built as the write builds it
//!   (create: validate + new_secret; edit: validate + edited_secret;
//!    rotate: rotated_secret; delete: none) and the refusal the write
//!   would answer (rule 2's own checks)
//!   └─► plan.rs: the stores after the change ─► reconcile::plan and
//!       attach::plan (pure) ─► per namespace the Secret's action
//!       (create / update / delete / unchanged / collision with the
//!       foreign type), the ServiceAccounts that change, the pods using it
//! ```
//!
//! The same validation, builders and planners as the write, the reconciler
//! and the attacher, so the preview says what the write and the next pass
//! will do: a bad field is the same field-named error, a taken name the
//! same refusal (in `refused`, beside the table of collisions), and an edit
//! that changes nothing shows every Secret unchanged. Not audited: nothing
//! is written and nothing secret is read back.

mod plan;
pub(crate) mod world;

use k8s_openapi::api::core::v1::Secret;
use regboard_app::model::changes::{ChangePreview, RegistryChange};
use regboard_app::model::registries::Scope;
use regboard_app::AppError;

use plan::After;
use world::World;

use super::service::KubeRegistries;
use super::validate::validate;
use super::write::edited_secret;

/// What the change writes: the Secret after it, the attachment setting
/// after it, and the refusal the write would answer.
struct Planned {
    after: After,
    setting: Option<regboard_app::model::registries::Attachment>,
    refused: Option<AppError>,
}

/// Whether `error` is the write refusing this change (a taken name, a
/// missing namespace or project), as opposed to failing to look.
fn is_refusal(error: &AppError) -> bool {
    matches!(error, AppError::Conflict(_) | AppError::Invalid { .. })
}

impl KubeRegistries {
    /// What `change` would write; nothing is written.
    pub(super) async fn preview_change(
        &self,
        change: &RegistryChange,
    ) -> Result<ChangePreview, AppError> {
        let (scope, name) = change.registry();
        let world = World::now(&self.inventory, &self.reconciler);
        let (mut hosts, mut tested) = (Vec::new(), Vec::new());
        let planned = match change {
            RegistryChange::Create(input) => self.planned_create(input).await?,
            RegistryChange::Update(input) => {
                let valid = validate(input.clone(), true, chrono::Utc::now().timestamp())?;
                let (_, current) = self.registry_secret(scope, name).await?;
                let edited = edited_secret(&valid, &current)?;
                Planned {
                    after: After::Written(Box::new(edited.secret)),
                    setting: Some(input.attachment.clone()),
                    refused: None,
                }
            }
            RegistryChange::Delete { .. } => {
                self.registry_secret(scope, name).await?;
                Planned {
                    after: After::Deleted,
                    setting: None,
                    refused: None,
                }
            }
            RegistryChange::Rotate(input) => {
                let (_, current) = self.registry_secret(scope, name).await?;
                let now = chrono::Utc::now().timestamp();
                let (next, rotated) = super::rotate::rotated_secret(&current, input, now)?;
                tested = self.test_rotation(input, &rotated).await?;
                hosts = rotated.into_iter().map(|r| r.host).collect();
                let id = (scope.clone(), name.to_owned());
                Planned {
                    after: After::Written(Box::new(next)),
                    setting: world.settings.get(&id).cloned(),
                    refused: None,
                }
            }
        };
        let mut preview = self
            .preview_of(world, (scope, name), planned.after, planned.setting)
            .await?;
        preview.change = change.label().to_owned();
        preview.refused = planned.refused;
        preview.hosts = hosts;
        preview.tested = tested;
        if !matches!(change, RegistryChange::Create(_)) {
            self.fill_pods(&mut preview).await?;
        }
        Ok(preview)
    }

    /// A create: the form validated as the create validates it (a bad
    /// field is an error, as there), the Secret it writes, and rule 2's
    /// refusal if the name is taken in the scope.
    async fn planned_create(
        &self,
        input: &regboard_app::model::registries::RegistryInput,
    ) -> Result<Planned, AppError> {
        let valid = validate(input.clone(), false, chrono::Utc::now().timestamp())?;
        let check = match &valid.scope {
            Scope::Namespace { namespace } => {
                self.check_namespace_name_free(namespace, &valid.name).await
            }
            Scope::Project { project } => self
                .check_project_name_free(project, &valid.name)
                .await
                .map(|_| ()),
        };
        let refused = match check {
            Ok(()) => None,
            Err(e) if is_refusal(&e) => Some(e),
            Err(e) => return Err(e),
        };
        let mut secret: Secret = self.new_secret(&valid)?;
        // Copies name their source by uid; a source not created yet has none.
        secret.metadata.uid = Some("uid-not-yet-assigned".to_owned());
        Ok(Planned {
            after: After::Written(Box::new(secret)),
            setting: Some(input.attachment.clone()),
            refused,
        })
    }
}
