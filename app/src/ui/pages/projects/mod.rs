//! The Projects page (`/projects`): every project with its namespaces and
//! registries, a form to record a new one, rename and delete per project,
//! and moving namespaces into or out of projects.
//!
//! Projects and namespaces are loaded together; every successful change
//! refetches them and says what happened in a status line.

mod create;
mod membership;
mod review;
mod table;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::cluster::{list_namespaces, NamespaceRow};
use crate::api::projects::{list_projects, ProjectSummary};
use crate::ui::components::LoadError;
use crate::AppError;
use create::CreateProjectForm;
use membership::MembershipTable;
use table::ProjectsTable;

/// Projects and namespaces as loaded together.
type Loaded = Result<(Vec<ProjectSummary>, Vec<NamespaceRow>), AppError>;

/// Called after a successful change with a sentence saying what happened.
pub(super) type OnChanged = Callback<String>;

/// The page.
#[component]
pub fn ProjectsPage() -> impl IntoView {
    let data = Resource::new(
        || (),
        |_| async move {
            let projects = list_projects().await?;
            let namespaces = list_namespaces().await?.rows;
            Ok((projects, namespaces)) as Loaded
        },
    );
    let flash = RwSignal::new(None::<String>);
    let on_changed: OnChanged = Callback::new(move |message: String| {
        flash.set(Some(message));
        data.refetch();
    });
    view! {
        <Title text="Projects"/>
        <h1>"Projects"</h1>
        <p class="muted">
            "A project groups the namespaces an admin moved into it, so that one registry reaches all \
             of them, including namespaces that join later. A namespace labelled "
            <code>"regboard.dev/project"</code>" outside regboard only asks to join."
        </p>
        <p class="status-line" role="status" aria-live="polite" data-testid="projects-status">
            {move || flash.get()}
        </p>
        <Transition fallback=|| view! { <p class="muted">"Loading projects…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((projects, namespaces)) => {
                        let names: Vec<String> = projects.iter().map(|p| p.name.clone()).collect();
                        view! {
                            <ProjectsTable projects on_changed/>
                            <section aria-labelledby="membership-heading">
                                <h2 id="membership-heading">"Namespace membership"</h2>
                                <p class="muted">
                                    "A namespace belongs to at most one project. Moving it in gives it the project's "
                                    "registries; moving it out removes their copies from it."
                                </p>
                                <MembershipTable namespaces projects=names on_changed/>
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <LoadError error=e testid="projects-error"/> }.into_any(),
                }
            })}
        </Transition>
        <section aria-labelledby="create-project-heading">
            <h2 id="create-project-heading">"New project"</h2>
            <CreateProjectForm on_changed/>
        </section>
    }
    .into_any()
}
