//! The projects table, with rename and delete per project.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::OnChanged;
use crate::api::projects::{create_project, delete_project, rename_project, ProjectSummary};
use crate::ui::components::{
    announce_success, failure, use_hydrated, Column, ConfirmPanel, DataTable, EmptyState,
    ErrorNotice,
};
use crate::AppError;

/// What a row shows below itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    None,
    Edit,
    Delete,
}

/// Every project, or a sentence saying there are none.
#[component]
pub(super) fn ProjectsTable(projects: Vec<ProjectSummary>, on_changed: OnChanged) -> impl IntoView {
    if projects.is_empty() {
        return view! {
            <EmptyState testid="projects-empty">
                <p><strong>"No projects yet — create one below."</strong></p>
            </EmptyState>
        }
        .into_any();
    }
    let columns = vec![
        Column::Text("Name"),
        Column::Text("Display name"),
        Column::Text("Description"),
        Column::Text("Namespaces"),
        Column::Num("Registries"),
        Column::Text("Recorded"),
        Column::Hidden("Actions"),
    ];
    view! {
        <DataTable testid="projects" columns bodies=true>
            {projects.into_iter().map(|project| view! { <ProjectRow project on_changed/> }).collect_view()}
        </DataTable>
    }
    .into_any()
}

/// One project: a row, and below it the edit form or delete confirmation.
/// Each project is its own `<tbody>` so the panel row stays with it.
#[component]
fn ProjectRow(project: ProjectSummary, on_changed: OnChanged) -> impl IntoView {
    let hydrated = use_hydrated();
    let panel = RwSignal::new(Panel::None);
    let toggle = move |p: Panel| panel.update(|cur| *cur = if *cur == p { Panel::None } else { p });
    let name = project.name.clone();
    let registries_href = format!("/registries?project={name}");
    let namespaces = if project.namespaces.is_empty() {
        view! { <span class="muted">"none"</span> }.into_any()
    } else {
        project
            .namespaces
            .iter()
            .map(|n| view! { <span class="badge mono">{n.clone()}</span>" " })
            .collect_view()
            .into_any()
    };
    let requested = (!project.requested.is_empty()).then(|| {
        let names = project.requested.join(", ");
        view! {
            <div class="muted hint" data-testid="asking-to-join">
                {format!("Asking to join (labelled outside regboard): {names}")}
            </div>
        }
    });
    let edit_label = if project.recorded {
        "Edit"
    } else {
        "Record…"
    };
    view! {
        <tbody data-project=name.clone()>
            <tr>
                <td class="mono">{name.clone()}</td>
                <td data-testid="display-name">{project.display_name.clone()}</td>
                <td>{project.description.clone()}</td>
                <td><span data-testid="namespaces">{namespaces}</span>{requested}</td>
                <td class="num"><a href=registries_href data-testid="registry-count">{project.registries}</a></td>
                <td>{if project.recorded {
                    view! { <span class="badge">"recorded"</span> }.into_any()
                } else {
                    view! { <span class="muted" title="Known only from namespace labels">"label only"</span> }.into_any()
                }}</td>
                <td class="row-actions">
                    <a href=format!("/registries/new?project={name}")>"Add registry"</a>
                    <button type="button" class="secondary" data-testid="edit-project"
                        aria-expanded=move || (panel.get() == Panel::Edit).to_string()
                        disabled=move || !hydrated.get() on:click=move |_| toggle(Panel::Edit)>
                        {edit_label}
                    </button>
                    <button type="button" class="danger" data-testid="delete-project"
                        aria-expanded=move || (panel.get() == Panel::Delete).to_string()
                        disabled=move || !hydrated.get() on:click=move |_| toggle(Panel::Delete)>
                        "Delete…"
                    </button>
                </td>
            </tr>
            {move || {
                let project = project.clone();
                match panel.get() {
                    Panel::None => None,
                    Panel::Edit => Some(view! {
                        <tr class="panel-row"><td colspan="7">
                            <RenameForm project on_done=Callback::new(move |m| { panel.set(Panel::None); on_changed.run(m) })
                                on_cancel=Callback::new(move |_| panel.set(Panel::None))/>
                        </td></tr>
                    }.into_any()),
                    Panel::Delete => Some(view! {
                        <tr class="panel-row"><td colspan="7">
                            <DeleteProject project on_done=Callback::new(move |m| { panel.set(Panel::None); on_changed.run(m) })
                                on_cancel=Callback::new(move |_| panel.set(Panel::None))/>
                        </td></tr>
                    }.into_any()),
                }
            }}
        </tbody>
    }
    .into_any()
}

/// Display name and description; for a project known only from labels,
/// saving records it.
#[component]
fn RenameForm(
    project: ProjectSummary,
    on_done: OnChanged,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let name = project.name.clone();
    let recorded = project.recorded;
    let display_name = RwSignal::new(project.display_name.clone());
    let description = RwSignal::new(project.description.clone());
    let save = Action::new(move |(n, d, desc): &(String, String, String)| {
        let (n, d, desc) = (n.clone(), d.clone(), desc.clone());
        async move {
            if recorded {
                rename_project(n, d, desc).await
            } else {
                create_project(n, d, desc).await
            }
        }
    });
    announce_success(save, on_done, format!("Project {name} saved."));
    let error = Signal::derive(move || failure(save.value().get()));
    let on_submit = {
        let name = name.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            save.dispatch((
                name.clone(),
                display_name.get_untracked().trim().to_owned(),
                description.get_untracked().trim().to_owned(),
            ));
        }
    };
    view! {
        <form class="inline-form" method="post" novalidate=true on:submit=on_submit data-testid="rename-project"
            aria-label=format!("Edit project {name}")>
            <ErrorNotice error=error testid="rename-project-error"/>
            <label>
                "Display name"
                <input type="text" data-testid="rename-display-name" autocomplete="off"
                    value=move || display_name.get() bind:value=display_name/>
            </label>
            <label>
                "Description"
                <input type="text" data-testid="rename-description" autocomplete="off"
                    value=move || description.get() bind:value=description/>
            </label>
            <div class="actions">
                <button type="submit" data-testid="rename-save" disabled=move || save.pending().get()>
                    {if recorded { "Save" } else { "Record project" }}
                </button>
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
    .into_any()
}

/// The delete confirmation; when the server refuses because registries
/// remain, its sentence and a "Delete anyway".
#[component]
fn DeleteProject(
    project: ProjectSummary,
    on_done: OnChanged,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let name = project.name.clone();
    let delete =
        Action::new(|(name, confirm): &(String, bool)| delete_project(name.clone(), *confirm));
    announce_success(delete, on_done, format!("Project {name} deleted."));
    let refused = move || match delete.value().get() {
        Some(Err(AppError::Conflict(m))) => Some(m),
        _ => None,
    };
    let error = Signal::derive(move || match delete.value().get() {
        Some(Err(AppError::Conflict(_))) | Some(Ok(())) | None => None,
        Some(Err(e)) => Some(e),
    });
    let message = delete_message(&project);
    let first_key = (name.clone(), false);
    let forced_key = (name.clone(), true);
    view! {
        <ErrorNotice error=error testid="delete-project-error"/>
        {move || match refused() {
            None => view! {
                <ConfirmPanel
                    id="confirm-delete-project"
                    title=format!("Delete project {}?", first_key.0)
                    message=message.clone()
                    confirm_label="Delete project"
                    pending=delete.pending()
                    on_confirm=Callback::new({
                        let key = first_key.clone();
                        move |_| { delete.dispatch(key.clone()); }
                    })
                    on_cancel
                />
            }.into_any(),
            Some(sentence) => view! {
                <ConfirmPanel
                    id="confirm-delete-project-anyway"
                    title=format!("Project {} still has registries", forced_key.0)
                    message=sentence
                    confirm_label="Delete anyway"
                    pending=delete.pending()
                    on_confirm=Callback::new({
                        let key = forced_key.clone();
                        move |_| { delete.dispatch(key.clone()); }
                    })
                    on_cancel
                />
            }.into_any(),
        }}
    }
    .into_any()
}

/// What deleting `project` does, named precisely.
fn delete_message(project: &ProjectSummary) -> String {
    let namespaces = match project.namespaces.len() {
        0 => "It has no namespaces.".to_owned(),
        _ => format!(
            "Its namespaces ({}) leave the project but are not deleted.",
            project.namespaces.join(", ")
        ),
    };
    let registries = match project.registries {
        0 => "It has no registries.".to_owned(),
        1 => "Its registry and the registry's copies are removed.".to_owned(),
        n => format!("Its {n} registries and their copies are removed."),
    };
    format!(
        "This deletes project {}. {registries} {namespaces}",
        project.name
    )
}
