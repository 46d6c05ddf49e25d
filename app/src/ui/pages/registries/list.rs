//! The registries list at `/registries` (`/` leads there): filters kept in the URL query (so a filtered
//! view can be shared and reloaded), then one row per registry.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

use super::credential::CredentialCell;
use super::expiry::ExpiryBadge;
use super::recovery::UnprovenSecrets;
use super::{detail_href, LIST};
use crate::api::cluster::list_namespaces;
use crate::api::projects::list_projects;
use crate::api::registries::{list_registries, RegistryFilter, RegistrySummary, Scope};
use crate::domain::age::short_age;
use crate::ui::components::{
    now_unix, Column, DataTable, EmptyState, LoadError, ScopeBadge, SyncSummaryView,
};

/// The sort keys [`RegistryFilter::sort`] accepts, with their labels.
const SORTS: [(&str, &str); 4] = [
    ("name", "Name"),
    ("scope", "Scope"),
    ("created", "Newest first"),
    ("status", "Needs attention first"),
];

/// The filter named by a query string; blank values mean "any".
fn filter_from_query(query: &ParamsMap) -> RegistryFilter {
    let value = |key: &str| {
        query
            .get(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    RegistryFilter {
        project: value("project"),
        namespace: value("namespace"),
        host: value("host"),
        sort: value("sort").filter(|s| s != "name"),
    }
}

/// The list's address for `filter`: [`LIST`] plus the set fields as a query.
fn href_for(filter: &RegistryFilter) -> String {
    let pairs = [
        ("project", &filter.project),
        ("namespace", &filter.namespace),
        ("host", &filter.host),
        ("sort", &filter.sort),
    ];
    let query: ParamsMap = pairs
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect();
    format!("{LIST}{}", query.to_query_string())
}

/// The page.
#[component]
pub fn RegistriesPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(filter_from_query));
    let registries = Resource::new(
        move || filter.get(),
        |mut f| async move {
            // Always name the sort: a filter with every field empty encodes
            // to nothing, and the server then refuses the call.
            f.sort.get_or_insert_with(|| "name".to_owned());
            (list_registries(f).await, now_unix())
        },
    );
    view! {
        <Title text="Registries"/>
        <div class="toolbar">
            <h1>"Registries"</h1>
            <a class="button push-right" href="/registries/new" data-testid="add-registry">"Add registry"</a>
            <a class="button secondary" href="/registries/import" data-testid="import-link">"Import config.json"</a>
            <a class="button secondary" href="/registries/unmanaged" data-testid="unmanaged-link">"Unmanaged pull Secrets"</a>
        </div>
        <p class="muted">
            "Pull credentials (Secrets of type "<code>"kubernetes.io/dockerconfigjson"</code>
            ") for a whole project or a single namespace."
        </p>
        <Filters filter/>
        <UnprovenSecrets/>
        <Transition fallback=|| view! { <p class="muted">"Loading registries…"</p> }>
            {move || Suspend::new(async move {
                let (rows, now) = registries.await;
                match rows {
                    Ok(rows) if rows.is_empty() => view! { <NoRegistries filtered=filter.get() != RegistryFilter::default()/> }.into_any(),
                    Ok(rows) => view! { <RegistryTable rows now/> }.into_any(),
                    Err(e) => view! { <LoadError error=e testid="registries-error"/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// Project, namespace, host and sort controls. Selects apply at once; the
/// host text applies on Enter or "Apply". Without JS the form still works
/// as a plain GET of the list.
#[component]
fn Filters(filter: Memo<RegistryFilter>) -> impl IntoView {
    let choices = Resource::new(
        || (),
        |_| async move {
            let projects = list_projects().await.unwrap_or_default();
            let namespaces = list_namespaces().await.map(|l| l.rows).unwrap_or_default();
            (
                projects.into_iter().map(|p| p.name).collect::<Vec<_>>(),
                namespaces.into_iter().map(|n| n.name).collect::<Vec<_>>(),
            )
        },
    );
    let navigate = use_navigate();
    let host = RwSignal::new(filter.get_untracked().host.unwrap_or_default());
    // Back/forward and "Clear filters" change the query under the input.
    Effect::new(move |_| host.set(filter.get().host.unwrap_or_default()));
    let apply = {
        let navigate = navigate.clone();
        move |change: &dyn Fn(&mut RegistryFilter)| {
            let mut next = filter.get_untracked();
            change(&mut next);
            navigate(&href_for(&next), NavigateOptions::default());
        }
    };
    let set_project = {
        let apply = apply.clone();
        move |ev| apply(&|f| f.project = non_empty(event_target_value(&ev)))
    };
    let set_namespace = {
        let apply = apply.clone();
        move |ev| apply(&|f| f.namespace = non_empty(event_target_value(&ev)))
    };
    let set_sort = {
        let apply = apply.clone();
        move |ev| apply(&|f| f.sort = non_empty(event_target_value(&ev)).filter(|s| s != "name"))
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply(&|f| f.host = non_empty(host.get_untracked()));
    };
    view! {
        <form class="filters" method="get" action=LIST role="search" aria-label="Filter registries" on:submit=on_submit>
            <Transition fallback=|| ()>
                {move || {
                    let (set_project, set_namespace) = (set_project.clone(), set_namespace.clone());
                    Suspend::new(async move {
                    let (projects, namespaces) = choices.await;
                    view! {
                        <label>
                            "Project"
                            <FilterSelect name="project" any="Any project" options=projects
                                current=Signal::derive(move || filter.get().project) on_change=set_project/>
                        </label>
                        <label>
                            "Namespace"
                            <FilterSelect name="namespace" any="Any namespace" options=namespaces
                                current=Signal::derive(move || filter.get().namespace) on_change=set_namespace/>
                        </label>
                    }
                    })
                }}
            </Transition>
            <label>
                "Host contains"
                <input type="search" name="host" placeholder="e.g. ghcr.io" data-testid="filter-host"
                    value=move || host.get() bind:value=host/>
            </label>
            <label>
                "Sort by"
                <select name="sort" data-testid="filter-sort" on:change=set_sort>
                    {SORTS.into_iter().map(|(key, label)| {
                        let selected = move || filter.get().sort.as_deref().unwrap_or("name") == key;
                        view! { <option value=key selected=selected prop:selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <div class="filter-actions">
                <button type="submit" class="secondary">"Apply"</button>
                {move || (filter.get() != RegistryFilter::default()).then(|| view! {
                    <a href=LIST data-testid="clear-filters">"Clear filters"</a>
                })}
            </div>
        </form>
    }
    .into_any()
}

/// A select of `options` plus "any", showing `current`.
#[component]
fn FilterSelect<F>(
    name: &'static str,
    any: &'static str,
    options: Vec<String>,
    current: Signal<Option<String>>,
    on_change: F,
) -> impl IntoView
where
    F: Fn(leptos::ev::Event) + 'static,
{
    let is_current = move |v: &str| current.get().as_deref().unwrap_or("") == v;
    // A value from a shared link that no longer exists stays selectable.
    let mut options = options;
    if let Some(c) = current.get_untracked() {
        if !options.contains(&c) {
            options.push(c);
        }
    }
    view! {
        <select name=name data-testid=format!("filter-{name}") on:change=on_change>
            <option value="" selected=move || is_current("") prop:selected=move || is_current("")>{any}</option>
            {options.into_iter().map(|o| {
                let key = o.clone();
                let value = o.clone();
                let selected = move || is_current(&key);
                view! { <option value=value selected=selected.clone() prop:selected=selected>{o}</option> }
            }).collect_view()}
        </select>
    }
    .into_any()
}

fn non_empty(s: String) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// What the page says when there is nothing to list.
#[component]
fn NoRegistries(filtered: bool) -> impl IntoView {
    view! {
        <EmptyState testid="registries-empty">
            {if filtered {
                view! { <p>"No registry matches these filters. "<a href=LIST>"Clear filters"</a></p> }.into_any()
            } else {
                view! {
                    <p><strong>"No registries yet — add one."</strong></p>
                    <p class="muted">"A registry holds the credentials pods need to pull images from a private registry."</p>
                    <p><a class="button" href="/registries/new">"Add registry"</a></p>
                }.into_any()
            }}
        </EmptyState>
    }
    .into_any()
}

#[component]
fn RegistryTable(rows: Vec<RegistrySummary>, now: i64) -> impl IntoView {
    let count = rows.len();
    let columns = [
        "Name",
        "Scope",
        "Hosts",
        "Username",
        "Namespaces",
        "Sync",
        "Credential",
        "Expiry",
    ]
    .into_iter()
    .map(Column::Text)
    .chain([Column::Num("Age")])
    .collect();
    view! {
        <p class="muted" data-testid="registry-count">
            {format!("{count} {}", if count == 1 { "registry" } else { "registries" })}
        </p>
        <DataTable testid="registries" columns>
            {rows.into_iter().map(|row| view! { <RegistryRow row now/> }).collect_view()}
        </DataTable>
    }
    .into_any()
}

#[component]
fn RegistryRow(row: RegistrySummary, now: i64) -> impl IntoView {
    let href = detail_href(&row.scope, &row.name);
    let age = row
        .created_unix
        .map(|c| short_age(now - c))
        .unwrap_or_default();
    let covered = match &row.scope {
        Scope::Namespace { namespace } => namespace.clone(),
        Scope::Project { .. } => match row.sync.total() {
            1 => "1 namespace".to_owned(),
            n => format!("{n} namespaces"),
        },
    };
    let (scope_kind, scope_name) = match &row.scope {
        Scope::Project { project } => ("project", project.clone()),
        Scope::Namespace { namespace } => ("namespace", namespace.clone()),
    };
    view! {
        <tr data-registry=row.name.clone() data-scope-kind=scope_kind data-scope-name=scope_name>
            <td class="mono"><a href=href>{row.name.clone()}</a></td>
            <td><ScopeBadge scope=row.scope.clone()/></td>
            <td class="mono hosts">{row.hosts.join(", ")}</td>
            <td data-testid="username">{row.username.clone().unwrap_or_else(|| "(varies)".to_owned())}</td>
            <td>{covered}</td>
            <td>
                <SyncSummaryView sync=row.sync/>
                {row.source_lost.then(|| view! { <span class="badge warn" data-testid="source-lost-badge">"source lost"</span> })}
            </td>
            <td><CredentialCell checks=row.credential_checks.clone() now/></td>
            <td><ExpiryBadge expiry=row.worst_expiry()/></td>
            <td class="num">{age}</td>
        </tr>
    }
    .into_any()
}
