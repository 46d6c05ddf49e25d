//! The form that records a new project.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::OnChanged;
use crate::api::projects::create_project;
use crate::ui::components::{ErrorNotice, FormErrors, InputField, SubmitButton};

const FIELDS: [&str; 3] = ["name", "display_name", "description"];

/// Name, display name and description; clears itself once recorded.
#[component]
pub(super) fn CreateProjectForm(on_changed: OnChanged) -> impl IntoView {
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
    let errors = FormErrors::new(error, &FIELDS);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        create.dispatch((
            name.get_untracked().trim().to_owned(),
            display_name.get_untracked().trim().to_owned(),
            description.get_untracked().trim().to_owned(),
        ));
    };
    view! {
        <form class="project-form" method="post" novalidate=true on:submit=on_submit data-testid="create-project">
            <ErrorNotice error=errors.general() testid="create-project-error"/>
            <InputField label="Name" id="project-name" name="name" value=name
                message=errors.field_or_conflict("name")
                hint="Becomes the value of the namespace label; lowercase letters, digits and '-'."/>
            <InputField label="Display name" id="project-display-name" name="display_name" value=display_name
                message=errors.field("display_name")/>
            <InputField label="Description" id="project-description" name="description" value=description
                message=errors.field("description")/>
            <div class="actions">
                <SubmitButton testid="create-project-submit" pending=create.pending()
                    label="Create project" busy="Creating…"/>
            </div>
        </form>
    }
    .into_any()
}
