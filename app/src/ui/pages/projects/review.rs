//! The preview shown before a namespace joins or leaves a project: which
//! registries it will receive, every name a Secret already there takes
//! (left untouched; joining anyway needs a second, explicit click), and per
//! registry what happens to its copy and which ServiceAccounts change.

use leptos::prelude::*;

use super::OnChanged;
use crate::api::projects::{accept_namespace_join, set_namespace_project, MovePreview};
use crate::model::changes::NamespaceChange;
use crate::ui::components::{failure, ErrorNotice, LoadError};
use crate::ui::pages::registries::{accounts_text, action_cell};
use crate::AppError;

/// What the admin is about to do with a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Intent {
    /// Move it into `project`, or out of any project when `None`.
    Move {
        namespace: String,
        project: Option<String>,
    },
    /// Accept its request (a label set outside regboard) to join `project`.
    Accept { namespace: String, project: String },
}

impl Intent {
    /// The namespace concerned.
    pub(super) fn namespace(&self) -> &str {
        match self {
            Intent::Move { namespace, .. } | Intent::Accept { namespace, .. } => namespace,
        }
    }

    /// The project the namespace ends up in.
    pub(super) fn target(&self) -> Option<String> {
        match self {
            Intent::Move { project, .. } => project.clone(),
            Intent::Accept { project, .. } => Some(project.clone()),
        }
    }

    fn done(&self) -> String {
        let ns = self.namespace();
        match self {
            Intent::Move { project: None, .. } => format!("Namespace {ns} left its project."),
            Intent::Move {
                project: Some(p), ..
            } => format!("Namespace {ns} moved to project {p}."),
            Intent::Accept { project, .. } => format!("Namespace {ns} joined project {project}."),
        }
    }

    fn button(&self, collisions: bool) -> &'static str {
        match (self, collisions) {
            (Intent::Accept { .. }, false) => "Accept",
            (Intent::Accept { .. }, true) => "Accept anyway",
            (Intent::Move { .. }, false) => "Move namespace",
            (Intent::Move { .. }, true) => "Move anyway",
        }
    }
}

/// The preview type the row's action loads.
pub(super) type PreviewAction = Action<(String, Option<String>), Result<MovePreview, AppError>>;

/// The preview of `intent` (while one is open) with its confirm and cancel.
#[component]
pub(super) fn MoveReview(
    intent: RwSignal<Option<Intent>>,
    preview: PreviewAction,
    on_changed: OnChanged,
) -> impl IntoView {
    let commit = Action::new(|(intent, confirm): &(Intent, bool)| {
        let (intent, confirm) = (intent.clone(), *confirm);
        async move {
            match intent {
                Intent::Move { namespace, project } => {
                    set_namespace_project(namespace, project, confirm).await
                }
                Intent::Accept { namespace, .. } => accept_namespace_join(namespace, confirm).await,
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = commit.value().get() {
            if let Some(done) = intent.get_untracked() {
                on_changed.run(done.done());
                intent.set(None);
            }
        }
    });
    let error = Signal::derive(move || failure(commit.value().get()));
    move || {
        let current = intent.get()?;
        let cancel = move |_| intent.set(None);
        let body = match (preview.pending().get(), preview.value().get()) {
            (true, _) | (false, None) => {
                view! { <p class="muted">"Checking what this move writes…"</p> }.into_any()
            }
            (false, Some(Err(e))) => {
                view! { <LoadError error=e testid="move-review-error"/> }.into_any()
            }
            (false, Some(Ok(p))) => {
                let collisions = !p.collisions.is_empty();
                let label = current.button(collisions);
                let go = current.clone();
                view! {
                    <PreviewText intent=current.clone() preview=p/>
                    <ErrorNotice error=error testid="move-error"/>
                    <div class="actions">
                        <button type="button" class=if collisions { "danger" } else { "" }
                            data-testid="confirm-move" disabled=move || commit.pending().get()
                            on:click=move |_| { commit.dispatch((go.clone(), collisions)); }>
                            {label}
                        </button>
                    </div>
                }
                .into_any()
            }
        };
        Some(view! {
            <section class="notice review" aria-label=format!("Review: {}", current.namespace())
                data-testid="move-review">
                {body}
                <button type="button" class="secondary" data-testid="cancel-move" on:click=cancel>"Cancel"</button>
            </section>
        })
    }
}

/// What the move gives the namespace and which names are already taken.
#[component]
fn PreviewText(intent: Intent, preview: MovePreview) -> impl IntoView {
    let ns = intent.namespace().to_owned();
    let receives = match (intent.target(), preview.registries.is_empty()) {
        (None, _) => format!("{ns} leaves its project: the project's copies there are deleted."),
        (Some(p), true) => format!("Project {p} has no registries yet; {ns} receives nothing now."),
        (Some(p), false) => format!(
            "{ns} receives a copy of each registry of project {p}: {}.",
            preview.registries.join(", ")
        ),
    };
    let collisions = (!preview.collisions.is_empty()).then(|| {
        view! {
            <p>"These names are already taken in the namespace by Secrets regboard did not write. \
                They stay untouched, and those registries show a conflict there:"</p>
            <ul data-testid="move-collisions">
                {preview.collisions.into_iter().map(|c| {
                    let forged = if c.forged { ", carries regboard's labels without its proof" } else { "" };
                    view! { <li><span class="mono">{c.name}</span>" ("{c.secret_type}{forged}")"</li> }
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <p data-testid="move-receives">{receives}</p>
        {collisions}
        <MoveTable rows=preview.changes/>
    }
}

/// One row per project registry: what happens to its copy in the
/// namespace, and the ServiceAccounts whose `imagePullSecrets` change.
#[component]
fn MoveTable(rows: Vec<NamespaceChange>) -> impl IntoView {
    (!rows.is_empty()).then(|| view! {
        <table data-testid="move-table">
            <thead>
                <tr><th scope="col">"Secret"</th><th scope="col">"Action"</th><th scope="col">"ServiceAccounts"</th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr data-testid="move-row" data-secret=row.secret.clone() data-action=row.action.label()>
                        <td class="mono">{row.secret.clone()}</td>
                        <td>{action_cell(&row.action)}</td>
                        <td>{accounts_text(&row.accounts)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    })
}
