//! `/workloads/coverage?project=P` or `?namespace=X`: for each namespace,
//! every registry host its pods pull from and whether a pull Secret covers
//! it; a "not covered" row gives the one fix, with the link or button that
//! applies it when the caller may.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::parts::{FixView, Problems};
use super::{diagnosis_href, has_scope, query_from, scope_label, ScopePicker, Tabs, COVERAGE};
use crate::api::workloads::{workload_coverage, CoverageReport, CoverageRow, CoverageStatus};
use crate::ui::components::{Column, DataTable, EmptyState, LoadError};

/// The page.
#[component]
pub fn CoveragePage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(query_from));
    let report = Resource::new(
        move || query.get(),
        |q| async move {
            if has_scope(&q) {
                Some(workload_coverage(q).await)
            } else {
                None
            }
        },
    );
    let heading = move || {
        let q = query.get();
        if has_scope(&q) {
            format!("Coverage of {}", scope_label(&q))
        } else {
            "Coverage".to_owned()
        }
    };
    view! {
        <Title text="Coverage"/>
        <div class="toolbar"><h1 data-testid="coverage-heading">{heading}</h1></div>
        <p class="muted">
            "Every registry host the pods use, per namespace, and whether the pods name a pull Secret "
            "for it. A pod gets its ServiceAccount's pull Secrets only when it is created."
        </p>
        {move || {
            let q = query.get();
            if has_scope(&q) {
                view! {
                    <Tabs query=q current=COVERAGE/>
                    <Transition fallback=|| view! { <p class="muted">"Reading the namespaces…"</p> }>
                        {move || Suspend::new(async move {
                            match report.await {
                                Some(Ok(r)) => view! { <CoverageTable report=r/> }.into_any(),
                                Some(Err(e)) => view! { <LoadError error=e testid="coverage-error"/> }.into_any(),
                                None => ().into_any(),
                            }
                        })}
                    </Transition>
                }
                .into_any()
            } else {
                view! { <ScopePicker base=COVERAGE/> }.into_any()
            }
        }}
    }
    .into_any()
}

#[component]
fn CoverageTable(report: CoverageReport) -> impl IntoView {
    let CoverageReport { rows, problems, .. } = report;
    let uncovered = rows
        .iter()
        .filter(|r| r.status == CoverageStatus::NotCovered)
        .count();
    let summary = match uncovered {
        0 => format!("Every host of {} is covered.", plural(rows.len(), "row")),
        1 => "1 host is not covered.".to_owned(),
        n => format!("{n} hosts are not covered."),
    };
    let body = if rows.is_empty() {
        view! { <EmptyState testid="coverage-empty"><p>"No pods here yet."</p></EmptyState> }
            .into_any()
    } else {
        let columns = ["Namespace", "Registry host", "Pods", "Status", "Fix"]
            .into_iter()
            .map(Column::Text)
            .collect();
        view! {
            <DataTable testid="coverage" columns>
                {rows.into_iter().map(|row| view! { <CoverageRowView row/> }).collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <Problems problems/>
        <p data-testid="coverage-summary">{summary}</p>
        {body}
    }
    .into_any()
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[component]
fn CoverageRowView(row: CoverageRow) -> impl IntoView {
    let label = row.status.label();
    let tone = match row.status {
        CoverageStatus::Covered { .. } | CoverageStatus::Public => "state-synced",
        CoverageStatus::PullsWithout => "state-pending",
        CoverageStatus::NotCovered => "state-error",
    };
    let detail = match &row.status {
        CoverageStatus::Covered { secrets } => format!("by Secret {}", secrets.join(", ")),
        CoverageStatus::Public => "Docker Hub official images need no login".to_owned(),
        CoverageStatus::PullsWithout => {
            "pulled without a Secret (anonymous pulls, or node credentials)".to_owned()
        }
        CoverageStatus::NotCovered => {
            format!("{} without a Secret", plural(row.uncovered.len(), "pod"))
        }
    };
    let namespace = row.namespace.clone();
    let pods = row.pods.iter().map(|p| {
        let failing = row.uncovered.contains(p);
        let href = diagnosis_href(&namespace, p);
        view! { <li><a class=("uncovered", failing) class="mono" href=href>{p.clone()}</a></li> }
    });
    view! {
        <tr data-namespace=row.namespace.clone() data-host=row.host.clone() data-status=label>
            <td class="mono">{row.namespace.clone()}</td>
            <td class="mono">{row.host.clone()}</td>
            <td><ul class="plain">{pods.collect_view()}</ul></td>
            <td>
                <span class=format!("badge state {tone}")>{label}</span>
                <div class="muted">{detail}</div>
            </td>
            <td>{row.fix.map(|fix| view! { <FixView fix/> })}</td>
        </tr>
    }
    .into_any()
}
