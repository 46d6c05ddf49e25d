//! Moving namespaces into and out of projects, and answering namespaces
//! that ask to join one (a project label set outside regboard).
//!
//! ```text
//! choose project ─► Move ─► preview (registries it receives, names taken)
//!                              └─► Move namespace / Move anyway ─► recorded
//! "asks to join p" ─► Review ─► preview ─► Accept / Accept anyway
//!                  └─► Reject
//! ```

use leptos::prelude::*;

use super::review::{Intent, MoveReview};
use super::OnChanged;
use crate::api::cluster::NamespaceRow;
use crate::api::projects::{preview_namespace_move, reject_namespace_join};
use crate::ui::components::{announce_success, failure, use_hydrated, ErrorNotice};

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
    let name = namespace.name.clone();
    let current = namespace.project.clone().unwrap_or_default();
    let choice = RwSignal::new(current.clone());
    let reviewing = RwSignal::new(None::<Intent>);
    let preview = Action::new(|(ns, project): &(String, Option<String>)| {
        preview_namespace_move(ns.clone(), project.clone())
    });
    let review = move |intent: Intent| {
        preview.dispatch((intent.namespace().to_owned(), intent.target()));
        reviewing.set(Some(intent));
    };
    let review_move = {
        let name = name.clone();
        move || {
            let project = choice.get_untracked();
            review(Intent::Move {
                namespace: name.clone(),
                project: (!project.is_empty()).then_some(project),
            })
        }
    };
    let requested = namespace.requested_project.clone().map(|project| {
        let intent = Intent::Accept {
            namespace: name.clone(),
            project: project.clone(),
        };
        view! { <JoinRequest namespace=name.clone() project on_review=move || review(intent.clone()) on_changed/> }
    });
    view! {
        <tr data-namespace=name.clone()>
            <td class="mono">{name.clone()}</td>
            <td data-testid="current-project">
                {match namespace.project {
                    Some(p) => view! { <span class="badge">{p}</span> }.into_any(),
                    None => view! { <span class="muted">"—"</span> }.into_any(),
                }}
                {requested}
            </td>
            <td>
                <MoveControls namespace=name.clone() projects current choice
                    busy=Signal::derive(move || preview.pending().get()) on_move=review_move/>
                <MoveReview intent=reviewing preview on_changed/>
            </td>
        </tr>
    }
    .into_any()
}

/// The project select and the button that opens the preview of the move.
#[component]
fn MoveControls(
    namespace: String,
    projects: Vec<String>,
    current: String,
    choice: RwSignal<String>,
    busy: Signal<bool>,
    on_move: impl Fn() + 'static,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let select_label = format!("Project for namespace {namespace}");
    let unchanged = move || choice.get() == current;
    let option = move |value: String, label: String| {
        let key = value.clone();
        let selected = move || choice.get() == key;
        view! { <option value=value selected=selected.clone() prop:selected=selected>{label}</option> }
    };
    view! {
        <div class="inline-controls">
            <select aria-label=select_label data-testid="move-select"
                on:change=move |ev| choice.set(event_target_value(&ev))>
                {option(String::new(), "(no project)".to_owned())}
                {projects.into_iter().map(|p| option(p.clone(), p)).collect_view()}
            </select>
            <button type="button" class="secondary" data-testid="move-namespace"
                disabled=move || !hydrated.get() || unchanged() || busy.get()
                on:click=move |_| on_move()>
                {move || if busy.get() { "Checking…" } else { "Move" }}
            </button>
        </div>
    }
}

/// "Asks to join p": the label was set outside regboard; nothing reaches the
/// namespace until an admin accepts.
#[component]
fn JoinRequest(
    namespace: String,
    project: String,
    on_review: impl Fn() + 'static,
    on_changed: OnChanged,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let reject = Action::new({
        let namespace = namespace.clone();
        move |_: &()| reject_namespace_join(namespace.clone())
    });
    announce_success(
        reject,
        on_changed,
        format!("Namespace {namespace} stays out of project {project}."),
    );
    let error = Signal::derive(move || failure(reject.value().get()));
    view! {
        <div class="join-request" data-testid="join-request">
            <span class="badge warn">{format!("asks to join {project}")}</span>
            <span class="muted hint">"Labelled outside regboard: it gets no credentials and no project roles until accepted."</span>
            <div class="inline-controls">
                <button type="button" class="secondary" data-testid="review-join"
                    disabled=move || !hydrated.get() on:click=move |_| on_review()>"Review request"</button>
                <button type="button" class="secondary danger" data-testid="reject-join"
                    disabled=move || !hydrated.get() || reject.pending().get()
                    on:click=move |_| { reject.dispatch(()); }>"Reject"</button>
            </div>
            <ErrorNotice error=error testid="reject-error"/>
        </div>
    }
}
