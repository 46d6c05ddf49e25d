//! The Workloads pages: the pods of a namespace or project with their
//! images and pull Secrets (`/workloads?namespace=X` or `?project=P`), the
//! coverage of every registry host they use (`/workloads/coverage?…`), and
//! the pull diagnosis of one pod (`/workloads/pod/:namespace/:name`).
//!
//! The scope and filters live in the URL query, so a view can be shared and
//! reloaded; each page reads through [`crate::api::workloads`].

mod coverage;
mod diagnosis;
mod filters;
mod list;
mod parts;

pub use coverage::CoveragePage;
pub use diagnosis::DiagnosisPage;
pub use list::WorkloadsPage;

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use crate::api::cluster::list_namespaces;
use crate::api::projects::list_projects;
use crate::api::workloads::WorkloadQuery;
use crate::ui::components::{EmptyState, LoadError};

/// The Workloads list.
pub const LIST: &str = "/workloads";
/// The Coverage page.
pub const COVERAGE: &str = "/workloads/coverage";

/// The diagnosis page of pod `name` in `namespace`.
pub fn diagnosis_href(namespace: &str, name: &str) -> String {
    format!("/workloads/pod/{namespace}/{name}")
}

/// The query named by the URL; blank values mean "any".
fn query_from(params: &ParamsMap) -> WorkloadQuery {
    let value = |key: &str| {
        params
            .get(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    WorkloadQuery {
        namespace: value("namespace"),
        project: value("project"),
        host: value("host"),
        state: value("state"),
        search: value("search"),
        sort: value("sort").filter(|s| s != "namespace"),
    }
}

/// `base` with the set fields of `query` as its query string.
fn href_for(base: &str, query: &WorkloadQuery) -> String {
    let pairs = [
        ("namespace", &query.namespace),
        ("project", &query.project),
        ("host", &query.host),
        ("state", &query.state),
        ("search", &query.search),
        ("sort", &query.sort),
    ];
    let query: ParamsMap = pairs
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect();
    format!("{base}{}", query.to_query_string())
}

/// Only the scope of `query` (namespace or project).
fn scope_only(query: &WorkloadQuery) -> WorkloadQuery {
    WorkloadQuery {
        namespace: query.namespace.clone(),
        project: query.project.clone(),
        ..Default::default()
    }
}

/// Whether `query` names a scope to show.
fn has_scope(query: &WorkloadQuery) -> bool {
    query.namespace.is_some() || query.project.is_some()
}

/// "project payments" / "namespace payments-dev".
fn scope_label(query: &WorkloadQuery) -> String {
    match (&query.namespace, &query.project) {
        (Some(ns), _) => format!("namespace {ns}"),
        (None, Some(p)) => format!("project {p}"),
        _ => String::new(),
    }
}

/// The "Pods" and "Coverage" tabs of a scope.
#[component]
fn Tabs(query: WorkloadQuery, current: &'static str) -> impl IntoView {
    let scope = scope_only(&query);
    let tab = move |href: &'static str, label: &'static str| {
        let here = href == current;
        view! {
            <a href=href_for(href, &scope) class="tab" aria-current=here.then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Workload views">
            {tab(LIST, "Pods")}
            {tab(COVERAGE, "Coverage")}
        </nav>
    }
    .into_any()
}

/// Without a scope: the projects and namespaces the caller sees, each
/// leading to `base` for it.
#[component]
fn ScopePicker(base: &'static str) -> impl IntoView {
    let choices = Resource::new(
        || (),
        |_| async move {
            let projects = list_projects().await?;
            let namespaces = list_namespaces().await?;
            Ok::<_, crate::AppError>((projects, namespaces.rows))
        },
    );
    let link = move |key: &'static str, name: String| {
        let mut q = WorkloadQuery::default();
        match key {
            "project" => q.project = Some(name.clone()),
            _ => q.namespace = Some(name.clone()),
        }
        view! { <li><a class="mono" href=href_for(base, &q)>{name}</a></li> }
    };
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading projects and namespaces…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok((projects, namespaces)) if projects.is_empty() && namespaces.is_empty() => view! {
                        <EmptyState testid="workloads-nothing">
                            <p>"You do not see any namespace yet; ask an owner for a grant."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok((projects, namespaces)) => view! {
                        <div class="scope-picker" data-testid="scope-picker">
                            <section>
                                <h2>"Projects"</h2>
                                <ul class="plain">{projects.into_iter().map(|p| link("project", p.name)).collect_view()}</ul>
                            </section>
                            <section>
                                <h2>"Namespaces"</h2>
                                <ul class="plain">{namespaces.into_iter().map(|n| link("namespace", n.name)).collect_view()}</ul>
                            </section>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e testid="workloads-error"/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
