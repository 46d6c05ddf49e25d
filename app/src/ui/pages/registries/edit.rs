//! The create page (`/registries/new`) and the edit page
//! (`/registries/{p|ns}/:scope/:name/edit`): each loads what the form needs,
//! then shows [`RegistryForm`].

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::form::{FormMode, RegistryForm};
use super::{detail_href, use_registry_param};
use crate::api::cluster::list_namespaces;
use crate::api::projects::list_projects;
use crate::api::registries::{get_registry, Scope};
use crate::ui::components::LoadError;
use crate::AppError;

/// `/registries/new`, optionally with `?project=…` or `?namespace=…` to
/// start with that scope, and `?host=…&name=…` (a Workloads fix) to start
/// with that host and name.
#[component]
pub fn NewRegistryPage() -> impl IntoView {
    let query = use_query_map();
    let prefill = query.with_untracked(|q| (q.get("host"), q.get("name")));
    let initial = query.with_untracked(|q| {
        q.get("project")
            .map(|project| Scope::Project { project })
            .or_else(|| {
                q.get("namespace")
                    .map(|namespace| Scope::Namespace { namespace })
            })
    });
    let choices = Resource::new(
        || (),
        |_| async move {
            let projects = list_projects().await?;
            let namespaces = list_namespaces().await?;
            Ok::<_, AppError>((projects, namespaces.rows))
        },
    );
    view! {
        <Title text="Add registry"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=super::LIST>"Registries"</a>" / "</nav>
        <h1>"Add registry"</h1>
        <p class="muted">
            "A project registry reaches every namespace of the project (a copy of the Secret in each); "
            "a namespace registry is one Secret in one namespace."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Loading projects and namespaces…"</p> }>
            {move || {
                let (initial, prefill) = (initial.clone(), prefill.clone());
                Suspend::new(async move {
                    match choices.await {
                        Ok((projects, namespaces)) => view! {
                            <RegistryForm mode=FormMode::Create {
                                projects: projects.into_iter().map(|p| p.name).collect(),
                                namespaces,
                                initial,
                                prefill,
                            }/>
                        }.into_any(),
                        Err(e) => load_error(e).into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// The edit page of the registry named by the route.
#[component]
pub fn EditRegistryPage() -> impl IntoView {
    let target = use_registry_param();
    let detail = Resource::new(
        move || target.get(),
        |target| async move {
            match target {
                Some((scope, name)) => get_registry(scope, name).await,
                None => Err(AppError::NotFound("There is no such registry.".to_owned())),
            }
        },
    );
    let name = move || target.get().map(|(_, n)| n).unwrap_or_default();
    view! {
        <Title text=move || format!("Edit {}", name())/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href=super::LIST>"Registries"</a>" / "
            {move || target.get().map(|(scope, name)| view! {
                <a href=detail_href(&scope, &name)>{name.clone()}</a>" / "
            })}
        </nav>
        <h1>"Edit "<span class="mono">{name}</span></h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading the registry…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <RegistryForm mode=FormMode::Edit(Box::new(detail))/> }.into_any(),
                    Err(e) => load_error(e).into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// The notice shown when a page's data cannot be loaded.
pub(super) fn load_error(e: AppError) -> impl IntoView {
    view! {
        <LoadError error=e>
            <p><a href=super::LIST>"Back to the registries"</a></p>
        </LoadError>
    }
    .into_any()
}
