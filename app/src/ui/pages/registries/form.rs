//! The registry form, shared by create and edit.
//!
//! Every input is a signal, so when the server refuses the submission the
//! form keeps what the person typed (except the password, which is cleared)
//! and shows the message next to the field it names. The submission goes
//! through an [`Action`] calling `create_registry` or `update_registry`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::detail_href;
use super::hosts::{HostDraft, HostPicker};
use crate::api::cluster::NamespaceRow;
use crate::api::registries::{
    create_registry, update_registry, RegistryDetail, RegistryInput, Scope,
};
use crate::domain::secret::Password;
use crate::ui::components::{
    field_message, general_error, use_hydrated, ErrorNotice, FieldError, ScopeBadge,
};
use crate::AppError;

/// The fields the server may name in [`AppError::Invalid`].
const FIELDS: [&str; 7] = [
    "scope",
    "name",
    "hosts",
    "username",
    "password",
    "email",
    "description",
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
    },
    /// An existing registry, as loaded.
    Edit(Box<RegistryDetail>),
}

/// The form's inputs.
#[derive(Clone, Copy)]
struct Fields {
    scope_kind: RwSignal<String>,
    project: RwSignal<String>,
    namespace: RwSignal<String>,
    name: RwSignal<String>,
    hosts: RwSignal<Vec<String>>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    email: RwSignal<String>,
    description: RwSignal<String>,
}

impl Fields {
    fn new(mode: &FormMode) -> Self {
        let fields = Fields {
            scope_kind: RwSignal::new("namespace".to_owned()),
            project: RwSignal::default(),
            namespace: RwSignal::default(),
            name: RwSignal::default(),
            hosts: RwSignal::default(),
            username: RwSignal::default(),
            password: RwSignal::default(),
            email: RwSignal::default(),
            description: RwSignal::default(),
        };
        match mode {
            FormMode::Create { initial, .. } => match initial {
                Some(Scope::Project { project }) => {
                    fields.scope_kind.set("project".to_owned());
                    fields.project.set(project.clone());
                }
                Some(Scope::Namespace { namespace }) => fields.namespace.set(namespace.clone()),
                None => {}
            },
            FormMode::Edit(detail) => {
                let s = &detail.summary;
                fields.name.set(s.name.clone());
                fields.hosts.set(s.hosts.clone());
                fields.username.set(s.username.clone().unwrap_or_default());
                fields.email.set(detail.email.clone().unwrap_or_default());
                fields.description.set(s.description.clone());
            }
        }
        fields
    }

    /// The scope chosen in the create form, or a message for the scope field.
    fn chosen_scope(&self) -> Result<Scope, AppError> {
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

    fn input(&self, scope: Scope) -> RegistryInput {
        let email = self.email.get_untracked().trim().to_owned();
        RegistryInput {
            scope,
            name: self.name.get_untracked().trim().to_owned(),
            hosts: self.hosts.get_untracked(),
            username: self.username.get_untracked().trim().to_owned(),
            password: Password::new(self.password.get_untracked()),
            email: (!email.is_empty()).then_some(email),
            description: self.description.get_untracked().trim().to_owned(),
        }
    }
}

/// The form; on success it navigates to the registry's detail page.
#[component]
pub(super) fn RegistryForm(mode: FormMode) -> impl IntoView {
    let fields = Fields::new(&mode);
    let draft = HostDraft::new();
    let hydrated = use_hydrated();
    let fixed_scope = match &mode {
        FormMode::Edit(detail) => Some(detail.summary.scope.clone()),
        FormMode::Create { .. } => None,
    };
    let editing = fixed_scope.is_some();
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
    let local_error = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        local_error
            .get()
            .or_else(|| save.value().get().and_then(Result::err))
    });

    let navigate = use_navigate();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => navigate(
            &detail_href(&saved.scope, &saved.name),
            NavigateOptions::default(),
        ),
        // Everything typed stays, except the password.
        Some(Err(_)) => fields.password.set(String::new()),
        None => {}
    });

    let on_submit = {
        let fixed_scope = fixed_scope.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            local_error.set(None);
            // A chosen preset that was never "added" is what the person means.
            if fields.hosts.with_untracked(Vec::is_empty) && !draft.add_to(fields.hosts) {
                return;
            }
            let scope = match fixed_scope
                .clone()
                .map_or_else(|| fields.chosen_scope(), Ok)
            {
                Ok(scope) => scope,
                Err(e) => return local_error.set(Some(e)),
            };
            save.dispatch(fields.input(scope));
        }
    };

    let msg = move |field: &'static str| {
        Signal::derive(move || error.with(|e| field_message(e.as_ref(), field)))
    };
    let general = Signal::derive(move || error.with(|e| general_error(e.as_ref(), &FIELDS)));
    let conflict = Signal::derive(move || match error.get() {
        Some(AppError::Conflict(m)) => Some(m),
        _ => None,
    });
    let description_message = msg("description");
    let pending = save.pending();
    let cancel_href = fixed_scope.as_ref().map_or_else(
        || "/".to_owned(),
        |s| detail_href(s, &fields.name.get_untracked()),
    );

    view! {
        <form class="registry-form" method="post" novalidate=true on:submit=on_submit data-testid="registry-form">
            <ErrorNotice error=general testid="form-error"/>
            {match mode {
                FormMode::Create { projects, namespaces, .. } => view! {
                    <ScopeChooser fields projects namespaces message=msg("scope")/>
                    <NameField fields message=msg("name") conflict/>
                }.into_any(),
                FormMode::Edit(detail) => view! {
                    <dl class="fixed-fields">
                        <dt>"Scope"</dt>
                        <dd><ScopeBadge scope=detail.summary.scope.clone()/></dd>
                        <dt>"Name"</dt>
                        <dd class="mono" data-testid="fixed-name">{detail.summary.name.clone()}</dd>
                    </dl>
                    <p class="muted hint">"Scope and name cannot change; create another registry to use another name."</p>
                    <ErrorNotice error=Signal::derive(move || conflict.get().map(AppError::Conflict)) testid="name-conflict"/>
                }.into_any(),
            }}
            <HostPicker hosts=fields.hosts draft server_error=msg("hosts")/>
            <TextField label="Username" id="username" value=fields.username message=msg("username")
                autocomplete="off" hint=""/>
            <PasswordField value=fields.password message=msg("password") editing/>
            <TextField label="Email (optional)" id="email" value=fields.email message=msg("email")
                autocomplete="off" hint="Some registries (and older Docker clients) want an email; most do not." kind="email"/>
            <label>
                "Description"
                <textarea id="description" name="description" rows="3" data-testid="description"
                    aria-invalid=move || description_message.get().is_some().to_string()
                    aria-describedby=move || description_message.get().map(|_| "description-error")
                    prop:value=move || fields.description.get()
                    on:input=move |ev| fields.description.set(event_target_value(&ev))>
                    {fields.description.get_untracked()}
                </textarea>
                <FieldError id="description-error" message=description_message/>
            </label>
            <div class="actions">
                <button type="submit" data-testid="save-registry" disabled=move || !hydrated.get() || pending.get()>
                    {move || match (pending.get(), editing) {
                        (true, _) => "Saving…",
                        (false, true) => "Save changes",
                        (false, false) => "Create registry",
                    }}
                </button>
                <a href=cancel_href>"Cancel"</a>
            </div>
        </form>
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
        view! {
            <label class="choice">
                <input type="radio" name="scope-kind" value=value data-testid=format!("scope-{value}")
                    checked=checked prop:checked=checked
                    on:change=move |_| fields.scope_kind.set(value.to_owned())/>
                <span>{label}<span class="muted hint">" — "{hint}</span></span>
            </label>
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
    let described = move || {
        let mut ids = vec!["name-hint"];
        if message.get().is_some() {
            ids.push("name-error");
        }
        if conflict.get().is_some() {
            ids.push("name-conflict");
        }
        ids.join(" ")
    };
    view! {
        <label>
            "Name"
            <input type="text" id="name" name="name" data-testid="name" autocomplete="off" spellcheck="false"
                aria-invalid=move || (message.get().is_some() || conflict.get().is_some()).to_string()
                aria-describedby=described
                value=move || fields.name.get() bind:value=fields.name/>
            <span class="muted hint" id="name-hint">
                "The Secret's name in every namespace it reaches: lowercase letters, digits and '-'."
            </span>
            <FieldError id="name-error" message/>
        </label>
        {move || conflict.get().map(|m| view! {
            <div class="notice notice-error conflict" id="name-conflict" role="alert" data-testid="name-conflict">
                <p>{m}</p>
            </div>
        })}
    }
    .into_any()
}

/// A labelled text input bound to `value`, with its error.
#[component]
fn TextField(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    message: Signal<Option<String>>,
    autocomplete: &'static str,
    hint: &'static str,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    let error_id = match id {
        "username" => "username-error",
        "email" => "email-error",
        _ => "field-error",
    };
    let hint_id = format!("{id}-hint");
    let described = {
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if message.get().is_some() {
                ids.push(error_id.to_owned());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <label>
            {label}
            <input type=kind id=id name=id data-testid=id autocomplete=autocomplete spellcheck="false"
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=described
                value=move || value.get() bind:value=value/>
            {(!hint.is_empty()).then(|| view! { <span class="muted hint" id=hint_id>{hint}</span> })}
            <FieldError id=error_id message/>
        </label>
    }
    .into_any()
}

/// The password: never pre-filled, never echoed; on edit, empty keeps it.
#[component]
fn PasswordField(
    value: RwSignal<String>,
    message: Signal<Option<String>>,
    editing: bool,
) -> impl IntoView {
    let hint = if editing {
        "Leave empty to keep the current password. regboard never shows a stored password."
    } else {
        "Stored only in the Kubernetes Secret; regboard never shows it again."
    };
    let described = move || {
        if message.get().is_some() {
            "password-hint password-error"
        } else {
            "password-hint"
        }
    };
    view! {
        <label>
            {if editing { "New password or token" } else { "Password or token" }}
            <input type="password" id="password" name="password" data-testid="password"
                autocomplete="new-password"
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=described
                bind:value=value/>
            <span class="muted hint" id="password-hint">{hint}</span>
            <FieldError id="password-error" message/>
        </label>
    }
    .into_any()
}
