//! The form that records a new project.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::OnChanged;
use crate::api::projects::create_project;
use crate::ui::components::{field_message, general_error, use_hydrated, ErrorNotice, FieldError};
use crate::AppError;

const FIELDS: [&str; 3] = ["name", "display_name", "description"];

/// Name, display name and description; clears itself once recorded.
#[component]
pub(super) fn CreateProjectForm(on_changed: OnChanged) -> impl IntoView {
    let hydrated = use_hydrated();
    let name = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let create = Action::new(|(n, d, desc): &(String, String, String)| {
        create_project(n.clone(), d.clone(), desc.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = create.value().get() {
            let created = name.get_untracked();
            for field in [name, display_name, description] {
                field.set(String::new());
            }
            on_changed.run(format!("Project {created} recorded."));
        }
    });
    let error = Memo::new(move |_| create.value().get().and_then(Result::err));
    let msg = move |field: &'static str| {
        Signal::derive(move || error.with(|e| field_message(e.as_ref(), field)))
    };
    let general = Signal::derive(move || error.with(|e| general_error(e.as_ref(), &FIELDS)));
    let conflict = Signal::derive(move || match error.get() {
        Some(AppError::Conflict(m)) => Some(m),
        _ => None,
    });
    let name_error = Signal::derive(move || msg("name").get().or_else(|| conflict.get()));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        create.dispatch((
            name.get_untracked().trim().to_owned(),
            display_name.get_untracked().trim().to_owned(),
            description.get_untracked().trim().to_owned(),
        ));
    };
    let invalid = move |s: Signal<Option<String>>| move || s.get().is_some().to_string();
    let described = move |s: Signal<Option<String>>, id: &'static str| move || s.get().map(|_| id);
    view! {
        <form class="project-form" method="post" novalidate=true on:submit=on_submit data-testid="create-project">
            <ErrorNotice error=general testid="create-project-error"/>
            <label>
                "Name"
                <input type="text" name="name" data-testid="project-name" autocomplete="off" spellcheck="false"
                    aria-invalid=invalid(name_error) aria-describedby=described(name_error, "project-name-error")
                    value=move || name.get() bind:value=name/>
                <span class="muted hint">"Becomes the value of the namespace label; lowercase letters, digits and '-'."</span>
                <FieldError id="project-name-error" message=name_error/>
            </label>
            <label>
                "Display name"
                <input type="text" name="display_name" data-testid="project-display-name" autocomplete="off"
                    aria-invalid=invalid(msg("display_name"))
                    aria-describedby=described(msg("display_name"), "project-display-name-error")
                    value=move || display_name.get() bind:value=display_name/>
                <FieldError id="project-display-name-error" message=msg("display_name")/>
            </label>
            <label>
                "Description"
                <input type="text" name="description" data-testid="project-description" autocomplete="off"
                    aria-invalid=invalid(msg("description"))
                    aria-describedby=described(msg("description"), "project-description-error")
                    value=move || description.get() bind:value=description/>
                <FieldError id="project-description-error" message=msg("description")/>
            </label>
            <div class="actions">
                <button type="submit" data-testid="create-project-submit"
                    disabled=move || !hydrated.get() || create.pending().get()>
                    {move || if create.pending().get() { "Creating…" } else { "Create project" }}
                </button>
            </div>
        </form>
    }
    .into_any()
}
