//! The hosts part of the registry form: a preset select (with the inputs
//! some presets need) that adds servers to the list of hosts.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::host_rows::{HostRow, HostRows};
use crate::domain::hosts::{all_kinds, same_registry, HostKind, HostPreset};
use crate::ui::components::FieldError;

/// The preset being composed, before it is added to the hosts list.
#[derive(Clone, Copy)]
pub(super) struct HostDraft {
    /// The chosen [`HostKind::id`].
    kind: RwSignal<String>,
    /// ECR account id.
    account: RwSignal<String>,
    /// ECR region.
    region: RwSignal<String>,
    /// Artifact Registry location.
    location: RwSignal<String>,
    /// ACR registry name.
    acr_name: RwSignal<String>,
    /// `host[:port]` of self-hosted and custom registries.
    host: RwSignal<String>,
    /// Why the last attempt to add the preset failed.
    pub(super) error: RwSignal<Option<String>>,
}

impl HostDraft {
    /// An empty draft on Docker Hub.
    pub(super) fn new() -> Self {
        Self {
            kind: RwSignal::new(HostKind::DockerHub.id().to_owned()),
            account: RwSignal::default(),
            region: RwSignal::default(),
            location: RwSignal::default(),
            acr_name: RwSignal::default(),
            host: RwSignal::default(),
            error: RwSignal::default(),
        }
    }

    fn kind(&self) -> HostKind {
        HostKind::from_id(&self.kind.get()).unwrap_or(HostKind::DockerHub)
    }

    /// The preset as currently filled in (tracks the signals).
    fn preset(&self) -> HostPreset {
        match self.kind() {
            HostKind::DockerHub => HostPreset::DockerHub,
            HostKind::Quay => HostPreset::Quay,
            HostKind::Ghcr => HostPreset::Ghcr,
            HostKind::GitLab => HostPreset::GitLab,
            HostKind::Gcr => HostPreset::Gcr,
            HostKind::Ecr => HostPreset::Ecr {
                account: self.account.get(),
                region: self.region.get(),
            },
            HostKind::ArtifactRegistry => HostPreset::ArtifactRegistry {
                location: self.location.get(),
            },
            HostKind::Acr => HostPreset::Acr {
                name: self.acr_name.get(),
            },
            HostKind::Harbor => HostPreset::Harbor {
                host: self.host.get(),
            },
            HostKind::Nexus => HostPreset::Nexus {
                host: self.host.get(),
            },
            HostKind::Artifactory => HostPreset::Artifactory {
                host: self.host.get(),
            },
            HostKind::Custom => HostPreset::Custom {
                host: self.host.get(),
            },
        }
    }

    /// Validates the preset and appends its server to `hosts`; on failure
    /// sets [`HostDraft::error`] and returns `false`.
    pub(super) fn add_to(&self, hosts: RwSignal<Vec<HostRow>>) -> bool {
        let result = untrack(|| self.preset().server());
        match result {
            Ok(server) => {
                if hosts.with_untracked(|h| h.iter().any(|r| same_registry(&r.host(), &server))) {
                    self.error
                        .set(Some(format!("{server} is already in the list.")));
                    return false;
                }
                // Most hosts of one registry share a login: start from the last one's.
                let username = hosts
                    .with_untracked(|h| h.last().map(|r| r.username.get_untracked()))
                    .unwrap_or_default();
                hosts.update(|h| h.push(HostRow::new(server, username)));
                for field in [
                    self.account,
                    self.region,
                    self.location,
                    self.acr_name,
                    self.host,
                ] {
                    field.set(String::new());
                }
                self.error.set(None);
                true
            }
            Err(e) => {
                self.error.set(Some(e.to_string()));
                false
            }
        }
    }
}

/// The host rows, and the preset chooser that adds to them.
/// `server_error` is the server's message for the `hosts` field, `messages`
/// those for each row.
#[component]
pub(super) fn HostPicker(
    hosts: RwSignal<Vec<HostRow>>,
    draft: HostDraft,
    #[prop(into)] server_error: Signal<Option<String>>,
    messages: [Signal<Option<String>>; 20],
    editing: bool,
) -> impl IntoView {
    let message = Signal::derive(move || draft.error.get().or_else(|| server_error.get()));
    let invalid = move || message.get().is_some().to_string();
    let described = move || message.get().map(|_| "hosts-error");
    let add = move |_| {
        draft.add_to(hosts);
    };
    // Enter in a preset input adds the host instead of submitting the form.
    let add_on_enter = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            draft.add_to(hosts);
        }
    };
    let preview = move || draft.preset().server().ok();
    let text_input = move |label: &'static str,
                           testid: &'static str,
                           hint: &'static str,
                           value: RwSignal<String>| {
        view! {
            <label>
                {label}
                <input type="text" data-testid=testid placeholder=hint autocomplete="off" spellcheck="false"
                    aria-invalid=invalid aria-describedby=described
                    value=move || value.get() bind:value=value on:keydown=add_on_enter/>
            </label>
        }
    };
    view! {
        <fieldset class="hosts" data-testid="hosts">
            <legend>"Registry hosts"</legend>
            <p class="muted hint">"The servers this registry holds credentials for, each with its own login as a docker config holds them; pick a registry and add it."</p>
            <HostRows hosts messages editing/>
            <div class="host-preset">
                <label>
                    "Registry"
                    <select data-testid="host-kind" on:change=move |ev| {
                        draft.kind.set(event_target_value(&ev));
                        draft.error.set(None);
                    }>
                        {all_kinds().iter().map(|k| {
                            let id = k.id();
                            let selected = move || draft.kind.get() == id;
                            view! { <option value=id selected=selected prop:selected=selected>{k.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {move || match draft.kind() {
                    HostKind::Ecr => view! {
                        {text_input("AWS account ID", "host-account", "123456789012", draft.account)}
                        {text_input("Region", "host-region", "eu-west-1", draft.region)}
                    }.into_any(),
                    HostKind::ArtifactRegistry => text_input("Location", "host-location", "europe-west1", draft.location).into_any(),
                    HostKind::Acr => text_input("Registry name", "host-acr-name", "myregistry", draft.acr_name).into_any(),
                    HostKind::Harbor | HostKind::Nexus | HostKind::Artifactory | HostKind::Custom =>
                        text_input("Host[:port]", "host-address", "registry.example.com:5000", draft.host).into_any(),
                    _ => ().into_any(),
                }}
                <button type="button" class="secondary" data-testid="add-host" on:click=add>"Add host"</button>
            </div>
            <p class="muted hint" aria-live="polite">
                {move || preview().map(|s| view! { "Adds "<code>{s}</code> })}
            </p>
            <FieldError id="hosts-error" message/>
        </fieldset>
    }
    .into_any()
}
