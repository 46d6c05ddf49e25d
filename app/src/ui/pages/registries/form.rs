//! The registry form, shared by create and edit.
//!
//! Every input is a signal, so when the server refuses the submission the
//! form keeps what the person typed (except the password, which is cleared)
//! and shows the message next to the field it names. The submission goes
//! through an [`Action`] calling `create_registry` or `update_registry`.
//! The server tests the credential first; when the registry rejects it the
//! form keeps everything (the password too) and offers "Save anyway".

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::attach::AttachmentFields;
use super::credential::CredentialWarning;
use super::fields::Fields;
use super::host_rows::HOST_FIELDS;
use super::hosts::{HostDraft, HostPicker};
use super::{detail_href, LIST};
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

/// Creates or updates the registry; on success goes to its detail page,
/// on failure clears the password (everything else typed stays).
fn use_save(
    editing: bool,
    fields: Fields,
) -> Action<RegistryInput, Result<RegistrySummary, AppError>> {
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
    let navigate = use_navigate();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => navigate(
            &detail_href(&saved.scope, &saved.name),
            NavigateOptions::default(),
        ),
        // A failed credential test keeps the password for "Save anyway".
        Some(Err(AppError::Invalid { field: Some(f), .. })) if f == "credential" => {}
        Some(Err(_)) => fields.clear_passwords(),
        None => {}
    });
    save
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
    let save = use_save(editing, fields);
    let local_error = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        local_error
            .get()
            .or_else(|| save.value().get().and_then(Result::err))
    });
    let cancel_href = fixed_scope.as_ref().map_or_else(
        || LIST.to_owned(),
        |s| detail_href(s, &fields.name.get_untracked()),
    );
    // Submits the form; `test` asks the server to test the credential first.
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
                save.dispatch(input);
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
    view! {
        <form class="registry-form" method="post" novalidate=true on:submit=on_submit data-testid="registry-form">
            <ErrorNotice error=errors.general() testid="form-error"/>
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
            <CredentialWarning message=errors.field("credential") pending=save.pending().into() save_anyway/>
            <div class="actions">
                <SubmitButton testid="save-registry" pending=save.pending()
                    label=if editing { "Save changes" } else { "Create registry" } busy="Saving…"/>
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
