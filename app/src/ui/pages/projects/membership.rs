//! Moving namespaces into and out of projects: one select per namespace.

use leptos::prelude::*;

use super::OnChanged;
use crate::api::cluster::NamespaceRow;
use crate::api::projects::set_namespace_project;
use crate::ui::components::{failure, use_hydrated, ErrorNotice};

/// Every namespace with its project and a select to move it.
#[component]
pub(super) fn MembershipTable(
    namespaces: Vec<NamespaceRow>,
    projects: Vec<String>,
    on_changed: OnChanged,
) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table data-testid="membership">
                <thead>
                    <tr>
                        <th scope="col">"Namespace"</th>
                        <th scope="col">"Project"</th>
                        <th scope="col">"Move to"</th>
                    </tr>
                </thead>
                <tbody>
                    {namespaces.into_iter().map(|ns| view! {
                        <MembershipRow namespace=ns projects=projects.clone() on_changed/>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn MembershipRow(
    namespace: NamespaceRow,
    projects: Vec<String>,
    on_changed: OnChanged,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let name = namespace.name.clone();
    let current = namespace.project.clone().unwrap_or_default();
    let choice = RwSignal::new(current.clone());
    let move_ns = Action::new(|(ns, project): &(String, Option<String>)| {
        set_namespace_project(ns.clone(), project.clone())
    });
    Effect::new({
        let name = name.clone();
        move |_| {
            if let Some(Ok(())) = move_ns.value().get() {
                let message = match choice.get_untracked().as_str() {
                    "" => format!("Namespace {name} left its project."),
                    p => format!("Namespace {name} moved to project {p}."),
                };
                on_changed.run(message);
            }
        }
    });
    let error = Signal::derive(move || failure(move_ns.value().get()));
    let unchanged = {
        let current = current.clone();
        move || choice.get() == current
    };
    let select_label = format!("Project for namespace {name}");
    let on_move = {
        let name = name.clone();
        move |_| {
            let project = choice.get_untracked();
            move_ns.dispatch((name.clone(), (!project.is_empty()).then_some(project)));
        }
    };
    let option = move |value: String, label: String| {
        let key = value.clone();
        let selected = move || choice.get() == key;
        view! { <option value=value selected=selected.clone() prop:selected=selected>{label}</option> }
    };
    view! {
        <tr data-namespace=name.clone()>
            <td class="mono">{name.clone()}</td>
            <td data-testid="current-project">{match namespace.project {
                Some(p) => view! { <span class="badge">{p}</span> }.into_any(),
                None => view! { <span class="muted">"—"</span> }.into_any(),
            }}</td>
            <td>
                <div class="inline-controls">
                    <select aria-label=select_label data-testid="move-select"
                        on:change=move |ev| choice.set(event_target_value(&ev))>
                        {option(String::new(), "(no project)".to_owned())}
                        {projects.into_iter().map(|p| option(p.clone(), p)).collect_view()}
                    </select>
                    <button type="button" class="secondary" data-testid="move-namespace"
                        disabled=move || !hydrated.get() || unchanged() || move_ns.pending().get()
                        on:click=on_move>
                        {move || if move_ns.pending().get() { "Moving…" } else { "Move" }}
                    </button>
                </div>
                <ErrorNotice error=error testid="move-error"/>
            </td>
        </tr>
    }
    .into_any()
}
