//! The registry form, shared by create and edit.
//!
//! Every input is a signal, so when the server refuses the submission the
//! form keeps what the person typed (except the password, which is cleared)
//! and shows the message next to the field it names. A submission is
//! previewed first and saved once confirmed (`review.rs`). The server tests
//! the credential at save; when the registry rejects it the form keeps
//! everything (the password too) and offers "Save anyway".

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::attach::AttachmentFields;
use super::credential::CredentialWarning;
use super::fields::Fields;
use super::host_rows::HOST_FIELDS;
use super::hosts::{HostDraft, HostPicker};
use super::preview::ChangePreviewView;
use super::review::Review;
use super::{detail_href, LIST};
use crate::api::changes::{preview_registry_change, RegistryChange};
use crate::api::cluster::NamespaceRow;
use crate::api::registries::{
    create_registry, update_registry, RegistryDetail, RegistryInput, RegistrySummary, Scope,
};
use crate::ui::components::{
    AlsoDescribed, ErrorNotice, FieldError, FormErrors, InputField, ScopeBadge, SubmitButton,
    TextAreaField,
};
use crate::AppError;

/// The fields the server may name in [`AppError::Invalid`].
const FIELDS: [&str; 26] = [
    "scope",
    "name",
    "hosts",
    "description",
    "attachment",
    "credential",
    "host-0",
    "host-1",
    "host-2",
    "host-3",
    "host-4",
    "host-5",
    "host-6",
    "host-7",
    "host-8",
    "host-9",
    "host-10",
    "host-11",
    "host-12",
    "host-13",
    "host-14",
    "host-15",
    "host-16",
    "host-17",
    "host-18",
    "host-19",
];

/// Creating (scope and name chosen here) or editing (both fixed).
#[derive(Debug, Clone)]
pub(super) enum FormMode {
    /// A new registry.
    Create {
        /// Project names for the scope select.
        projects: Vec<String>,
        /// Namespaces for the scope select.
        namespaces: Vec<NamespaceRow>,
        /// The scope to start with (from the page's query).
        initial: Option<Scope>,
        /// A host and a name to start with (`?host=…&name=…`, from a fix).
        prefill: (Option<String>, Option<String>),
    },
    /// An existing registry, as loaded.
    Edit(Box<RegistryDetail>),
}

/// Whether `error` is a failed credential test (field `credential`).
fn credential_failed(error: &AppError) -> bool {
    matches!(error, AppError::Invalid { field: Some(f), .. } if f == "credential")
}

/// The form's preview and save (`create_registry` or `update_registry`); a
/// refusal clears the passwords typed, except a failed credential test,
/// which keeps them for "Save anyway".
fn use_review(editing: bool, fields: Fields) -> Review<RegistryInput> {
    let change = move |input: RegistryInput| {
        if editing {
            RegistryChange::Update(input)
        } else {
            RegistryChange::Create(input)
        }
    };
    let preview =
        Action::new(move |input: &RegistryInput| preview_registry_change(change(input.clone())));
    let save = Action::new(move |input: &RegistryInput| {
        let input = input.clone();
        async move {
            if editing {
                update_registry(input).await
            } else {
                create_registry(input).await
            }
        }
    });
    let refused = Callback::new(move |e: AppError| {
        if !credential_failed(&e) {
            fields.clear_passwords();
        }
    });
    Review::new(preview, save, refused)
}

/// The form; on success it navigates to the registry's detail page.
#[component]
pub(super) fn RegistryForm(mode: FormMode) -> impl IntoView {
    let fields = Fields::new(&mode);
    let draft = HostDraft::new();
    let fixed_scope = match &mode {
        FormMode::Edit(detail) => Some(detail.summary.scope.clone()),
        FormMode::Create { .. } => None,
    };
    let editing = fixed_scope.is_some();
    let review = use_review(editing, fields);
    let local_error = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| local_error.get().or_else(|| review.error()));
    let cancel_href = fixed_scope.as_ref().map_or_else(
        || LIST.to_owned(),
        |s| detail_href(s, &fields.name.get_untracked()),
    );
    // Previews the submission; `test` asks the save to test the credential.
    let submit = move |test: bool| {
        local_error.set(None);
        // A chosen preset that was never "added" is what the person means.
        if fields.hosts.with_untracked(Vec::is_empty) && !draft.add_to(fields.hosts) {
            return;
        }
        match fixed_scope
            .clone()
            .map_or_else(|| fields.chosen_scope(), Ok)
        {
            Ok(scope) => {
                let mut input = fields.input(scope);
                input.test_credential = test;
                review.ask(input);
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    let submit_anyway = submit.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit(true);
    };
    let save_anyway = Callback::new(move |_| submit_anyway(false));
    let errors = FormErrors::new(error, &FIELDS);
    let open = review.open();
    let busy = Signal::derive(move || review.loading().get() || review.saving().get());
    view! {
        <form class="registry-form" method="post" novalidate=true on:submit=on_submit data-testid="registry-form">
            <ErrorNotice error=errors.general() testid="form-error"/>
            <fieldset class="plain" disabled=open>
            {match mode {
                FormMode::Create { projects, namespaces, .. } => view! {
                    <ScopeChooser fields projects namespaces message=errors.field("scope")/>
                    <NameField fields message=errors.field("name") conflict=errors.conflict()/>
                }.into_any(),
                FormMode::Edit(detail) => view! { <FixedScope summary=detail.summary conflict=errors.conflict()/> }.into_any(),
            }}
            <HostPicker hosts=fields.hosts draft server_error=errors.field("hosts")
                messages=HOST_FIELDS.map(|f| errors.field(f)) editing/>
            <TextAreaField label="Description" id="description" value=fields.description
                message=errors.field("description")/>
            <AttachmentFields fields message=errors.field("attachment")/>
            <CredentialWarning message=errors.field("credential") pending=busy save_anyway/>
            </fieldset>
            <ChangePreviewView preview=review.shown() pending=review.loading() busy=review.saving()
                confirm_label=if editing { "Confirm and save" } else { "Confirm and create" }
                note="Nothing is written until you confirm.".to_owned()
                on_confirm=Callback::new(move |_| review.confirm())
                on_cancel=Callback::new(move |_| review.close())/>
            <div class="actions" hidden=open>
                <SubmitButton testid="save-registry" pending=busy
                    label=if editing { "Save changes" } else { "Create registry" } busy="Checking…"/>
                <a href=cancel_href>"Cancel"</a>
            </div>
        </form>
    }
    .into_any()
}

/// On edit: the scope and name, which cannot change.
#[component]
fn FixedScope(summary: RegistrySummary, conflict: Signal<Option<String>>) -> impl IntoView {
    view! {
        <dl class="fixed-fields">
            <dt>"Scope"</dt>
            <dd><ScopeBadge scope=summary.scope.clone()/></dd>
            <dt>"Name"</dt>
            <dd class="mono" data-testid="fixed-name">{summary.name.clone()}</dd>
        </dl>
        <p class="muted hint">"Scope and name cannot change; create another registry to use another name."</p>
        <ErrorNotice error=Signal::derive(move || conflict.get().map(AppError::Conflict)) testid="name-conflict"/>
    }
    .into_any()
}

/// Project or namespace, each with its select.
#[component]
fn ScopeChooser(
    fields: Fields,
    projects: Vec<String>,
    namespaces: Vec<NamespaceRow>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let is_project = move || fields.scope_kind.get() == "project";
    let described = move || message.get().map(|_| "scope-error");
    let radio = move |value: &'static str, label: &'static str, hint: &'static str| {
        let checked = move || fields.scope_kind.get() == value;
        let id = format!("scope-{value}");
        view! {
            <div class="choice">
                <input type="radio" name="scope-kind" value=value id=id.clone() data-testid=id.clone()
                    aria-describedby=format!("{id}-hint")
                    checked=checked prop:checked=checked
                    on:change=move |_| fields.scope_kind.set(value.to_owned())/>
                <label for=id.clone()>{label}</label>
                <span class="muted hint" id=format!("{id}-hint")>" — "{hint}</span>
            </div>
        }
    };
    let option = move |selected_in: RwSignal<String>, value: String, label: String| {
        let key = value.clone();
        let selected = move || selected_in.get() == key;
        view! { <option value=value selected=selected.clone() prop:selected=selected>{label}</option> }
    };
    view! {
        <fieldset class="scope" aria-describedby=described>
            <legend>"Scope"</legend>
            {radio("project", "Project", "every namespace of the project, including ones that join later")}
            <label class="indent">
                "Project"
                <select data-testid="scope-project-select" disabled=move || !is_project()
                    aria-invalid=move || (is_project() && message.get().is_some()).to_string()
                    on:change=move |ev| fields.project.set(event_target_value(&ev))>
                    {option(fields.project, String::new(), "Choose a project…".to_owned())}
                    {projects.into_iter().map(|p| option(fields.project, p.clone(), p)).collect_view()}
                </select>
            </label>
            {radio("namespace", "Namespace", "one namespace only")}
            <label class="indent">
                "Namespace"
                <select data-testid="scope-namespace-select" disabled=is_project
                    aria-invalid=move || (!is_project() && message.get().is_some()).to_string()
                    on:change=move |ev| fields.namespace.set(event_target_value(&ev))>
                    {option(fields.namespace, String::new(), "Choose a namespace…".to_owned())}
                    {namespaces.into_iter().map(|n| {
                        let label = match &n.project {
                            Some(p) => format!("{} (project {p})", n.name),
                            None => n.name.clone(),
                        };
                        option(fields.namespace, n.name, label)
                    }).collect_view()}
                </select>
            </label>
            <FieldError id="scope-error" message/>
        </fieldset>
    }
    .into_any()
}

/// The name, with the server's conflict sentence right under it.
#[component]
fn NameField(
    fields: Fields,
    message: Signal<Option<String>>,
    conflict: Signal<Option<String>>,
) -> impl IntoView {
    let also = AlsoDescribed {
        id: "name-conflict",
        shown: Signal::derive(move || conflict.with(Option::is_some)),
    };
    view! {
        <InputField label="Name" id="name" value=fields.name message also
            hint="The Secret's name in every namespace it reaches: lowercase letters, digits and '-'."/>
        {move || conflict.get().map(|m| view! {
            <div class="notice notice-error conflict" id="name-conflict" role="alert" data-testid="name-conflict">
                <p>{m}</p>
            </div>
        })}
    }
    .into_any()
}
