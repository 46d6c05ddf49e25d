//! `/workloads?namespace=X` or `?project=P`: one row per pod with its owner,
//! state, and for every container and init container the image as written
//! and as Docker reads it, its registry host and the pull Secret serving it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::filters::Filters;
use super::parts::{Problems, PullStateBadge, ServingView};
use super::{diagnosis_href, has_scope, query_from, scope_label, ScopePicker, Tabs, LIST};
use crate::api::cluster::list_namespaces;
use crate::api::workloads::{list_workloads, ContainerRow, PodRow, WorkloadList, ROW_LIMIT};
use crate::ui::components::{use_hydrated, Column, DataTable, EmptyState, LoadError};

/// The page.
#[component]
pub fn WorkloadsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(query_from));
    let list = Resource::new(
        move || query.get(),
        |q| async move {
            if has_scope(&q) {
                Some(list_workloads(q).await)
            } else {
                None
            }
        },
    );
    let seen = Resource::new(
        || (),
        |_| async move {
            list_namespaces()
                .await
                .map(|l| l.rows.into_iter().map(|r| r.name).collect::<Vec<_>>())
                .unwrap_or_default()
        },
    );
    // The filters sit outside the Transition: they get the resources' data
    // only once hydrated, so the browser's first render matches the
    // server's (which ran before the data was in) whatever order the
    // streamed chunks arrive in; a mismatch stops hydration.
    let hydrated = use_hydrated();
    let hosts = Signal::derive(move || {
        let list = hydrated.get().then(|| list.get()).flatten().flatten();
        list.and_then(Result::ok)
            .map(|l| l.hosts)
            .unwrap_or_default()
    });
    let namespaces = Signal::derive(move || {
        let seen = hydrated.get().then(|| seen.get()).flatten();
        seen.unwrap_or_default()
    });
    let heading = move || {
        let q = query.get();
        if has_scope(&q) {
            format!("Workloads of {}", scope_label(&q))
        } else {
            "Workloads".to_owned()
        }
    };
    view! {
        <Title text="Workloads"/>
        <div class="toolbar"><h1 data-testid="workloads-heading">{heading}</h1></div>
        <p class="muted">
            "Pods and the images they pull: each image's registry host, as Docker reads the name "
            "(a name without a host means Docker Hub), and which of the pod's pull Secrets serves it."
        </p>
        {move || {
            let q = query.get();
            if has_scope(&q) {
                view! {
                    <Tabs query=q current=LIST/>
                    <Filters query hosts namespaces/>
                    <Transition fallback=|| view! { <p class="muted">"Loading pods…"</p> }>
                        {move || Suspend::new(async move {
                            match list.await {
                                Some(Ok(l)) => view! { <PodTable list=l/> }.into_any(),
                                Some(Err(e)) => view! { <LoadError error=e testid="workloads-error"/> }.into_any(),
                                None => ().into_any(),
                            }
                        })}
                    </Transition>
                }
                .into_any()
            } else {
                view! { <ScopePicker base=LIST/> }.into_any()
            }
        }}
    }
    .into_any()
}

#[component]
fn PodTable(list: WorkloadList) -> impl IntoView {
    let WorkloadList {
        rows,
        matched,
        total,
        problems,
        namespaces,
        ..
    } = list;
    let count = if matched == total {
        format!("{total} pods in {} namespaces", namespaces.len())
    } else {
        format!("{matched} of {total} pods match")
    };
    let cut = (matched > rows.len()).then(|| {
        view! {
            <p class="notice" data-testid="rows-cut">
                {format!("Showing the first {ROW_LIMIT}; narrow the list with the filters or the search.")}
            </p>
        }
    });
    let body = if rows.is_empty() {
        view! {
            <EmptyState testid="workloads-empty">
                <p>{if total == 0 { "No pods here yet." } else { "No pod matches these filters." }}</p>
            </EmptyState>
        }
        .into_any()
    } else {
        let columns = ["Namespace", "Pod", "Owner", "State", "Images"]
            .into_iter()
            .map(Column::Text)
            .collect();
        view! {
            <DataTable testid="workloads" columns class="workloads-table">
                {rows.into_iter().map(|row| view! { <PodRowView row/> }).collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <Problems problems/>
        <p class="muted" data-testid="pod-count">{count}</p>
        {cut}
        {body}
    }
    .into_any()
}

#[component]
fn PodRowView(row: PodRow) -> impl IntoView {
    let href = diagnosis_href(&row.namespace, &row.name);
    let failing = row.state.is_pull_failure();
    let owner = if row.owner.kind == "Pod" {
        "—".to_owned()
    } else {
        format!("{} {}", row.owner.kind, row.owner.name)
    };
    view! {
        <tr data-pod=row.name.clone() data-namespace=row.namespace.clone()>
            <td class="mono">{row.namespace.clone()}</td>
            <td class="mono">
                <a href=href.clone()>{row.name.clone()}</a>
                {failing.then(|| view! {
                    <div><a class="diagnose-link" href=href data-testid="diagnose">"Diagnose"</a></div>
                })}
            </td>
            <td>{owner}</td>
            <td><PullStateBadge state=row.state.clone()/></td>
            <td>
                <ul class="plain containers">
                    {row.containers.into_iter().map(|c| view! { <ContainerLine c/> }).collect_view()}
                </ul>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn ContainerLine(c: ContainerRow) -> impl IntoView {
    let normalised = c.reference.clone().filter(|r| *r != c.image);
    view! {
        <li class="container-line" data-container=c.name.clone()>
            <span class="mono image" title=c.reference.clone().unwrap_or_default()>{c.image.clone()}</span>
            {c.init.then(|| view! { " "<span class="badge">"init"</span> })}
            {normalised.map(|n| view! { <div class="muted mono normalised">{format!("= {n}")}</div> })}
            <div class="container-facts">
                {match (c.host.clone(), c.reference_error.clone()) {
                    (Some(h), _) => {
                        let text = h.clone();
                        view! { <span class="mono host" data-host=h>{text}</span> }.into_any()
                    }
                    (None, Some(e)) => view! { <span class="no-secret">{e}</span> }.into_any(),
                    (None, None) => ().into_any(),
                }}
                " · "<ServingView serving=c.serving.clone()/>
                " · "<PullStateBadge state=c.state.clone()/>
            </div>
        </li>
    }
    .into_any()
}
