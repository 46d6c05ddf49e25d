//! The registry form's inputs as signals, and what they submit.

use leptos::prelude::*;

use super::form::FormMode;
use super::host_rows::HostRow;
use crate::api::registries::{Attachment, RegistryInput, Scope};
use crate::domain::hosts::validate_server;
use crate::AppError;

/// The form's inputs.
#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) scope_kind: RwSignal<String>,
    pub(super) project: RwSignal<String>,
    pub(super) namespace: RwSignal<String>,
    pub(super) name: RwSignal<String>,
    pub(super) hosts: RwSignal<Vec<HostRow>>,
    pub(super) description: RwSignal<String>,
    pub(super) attach_mode: RwSignal<String>,
    pub(super) attach_names: RwSignal<String>,
}

impl Fields {
    /// Empty, or filled from the registry being edited.
    pub(super) fn new(mode: &FormMode) -> Self {
        let fields = Fields {
            scope_kind: RwSignal::new("namespace".to_owned()),
            project: RwSignal::default(),
            namespace: RwSignal::default(),
            name: RwSignal::default(),
            hosts: RwSignal::default(),
            description: RwSignal::default(),
            // A new registry makes pods pull: most pods use `default`.
            attach_mode: RwSignal::new("default".to_owned()),
            attach_names: RwSignal::default(),
        };
        match mode {
            FormMode::Create {
                initial, prefill, ..
            } => {
                let (host, name) = prefill;
                // A fix names the host as an image does: write it as docker does.
                if let Some(server) = host.as_deref().and_then(|h| validate_server(h).ok()) {
                    fields.hosts.set(vec![HostRow::new(server, String::new())]);
                }
                if let Some(name) = name {
                    fields.name.set(name.clone());
                }
                match initial {
                    Some(Scope::Project { project }) => {
                        fields.scope_kind.set("project".to_owned());
                        fields.project.set(project.clone());
                    }
                    Some(Scope::Namespace { namespace }) => fields.namespace.set(namespace.clone()),
                    None => {}
                }
            }
            FormMode::Edit(detail) => {
                let s = &detail.summary;
                fields.name.set(s.name.clone());
                fields
                    .hosts
                    .set(s.host_details.iter().map(HostRow::loaded).collect());
                fields.description.set(s.description.clone());
                fields.attach_mode.set(detail.attachment.mode().to_owned());
                if let Attachment::Named { accounts } = &detail.attachment {
                    fields.attach_names.set(accounts.join(", "));
                }
            }
        }
        fields
    }

    /// The scope chosen in the create form, or a message for the scope field.
    pub(super) fn chosen_scope(&self) -> Result<Scope, AppError> {
        let invalid = |message: &str| AppError::Invalid {
            field: Some("scope".to_owned()),
            message: message.to_owned(),
        };
        if self.scope_kind.get_untracked() == "project" {
            let project = self.project.get_untracked();
            if project.is_empty() {
                return Err(invalid("Choose the project this registry is for."));
            }
            Ok(Scope::Project { project })
        } else {
            let namespace = self.namespace.get_untracked();
            if namespace.is_empty() {
                return Err(invalid("Choose the namespace this registry is for."));
            }
            Ok(Scope::Namespace { namespace })
        }
    }

    /// Clears every typed password (after a refused save).
    pub(super) fn clear_passwords(&self) {
        self.hosts
            .with_untracked(|rows| rows.iter().for_each(|r| r.password.set(String::new())));
    }

    /// What the form submits for `scope`.
    pub(super) fn input(&self, scope: Scope) -> RegistryInput {
        RegistryInput {
            scope,
            name: self.name.get_untracked().trim().to_owned(),
            credentials: self
                .hosts
                .with_untracked(|rows| rows.iter().map(HostRow::credential).collect()),
            description: self.description.get_untracked().trim().to_owned(),
            attachment: Attachment::from_form(
                &self.attach_mode.get_untracked(),
                &self.attach_names.get_untracked(),
            ),
            test_credential: true,
        }
    }
}
