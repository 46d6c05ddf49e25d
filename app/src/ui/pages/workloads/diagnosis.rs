//! `/workloads/pod/:namespace/:name`: the pull diagnosis of one pod — the
//! pod and its images, the five checks (pass / fail / unknown, evidence,
//! one fix each) and kubelet's Events.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::parts::{FixView, PullStateBadge, ServingView};
use super::{href_for, LIST};
use crate::api::workloads::{diagnose_pod, Check, Diagnosis, EventFacts, WorkloadQuery};
use crate::ui::components::{Column, DataTable, LoadError};
use crate::AppError;

/// The page.
#[component]
pub fn DiagnosisPage() -> impl IntoView {
    let params = use_params_map();
    let target = Memo::new(move |_| params.with(|p| Some((p.get("namespace")?, p.get("name")?))));
    let diagnosis = Resource::new(
        move || target.get(),
        |target| async move {
            match target {
                Some((ns, name)) => diagnose_pod(ns, name).await,
                None => Err(AppError::NotFound("There is no such pod.".into())),
            }
        },
    );
    let name = move || target.get().map(|(_, n)| n).unwrap_or_default();
    let back = move || {
        target.get().map(|(namespace, _)| {
            let q = WorkloadQuery {
                namespace: Some(namespace.clone()),
                ..Default::default()
            };
            view! { <a href=href_for(LIST, &q)>{format!("Workloads of {namespace}")}</a>" / " }
        })
    };
    view! {
        <Title text=move || format!("Diagnose {}", name())/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">{back}</nav>
        <h1>"Pull diagnosis of "<span class="mono" data-testid="pod-name">{name}</span></h1>
        <Transition fallback=|| view! { <p class="muted">"Checking the pod…"</p> }>
            {move || Suspend::new(async move {
                match diagnosis.await {
                    Ok(d) => view! { <DiagnosisBody d/> }.into_any(),
                    Err(e) => view! { <LoadError error=e testid="diagnosis-error"/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn DiagnosisBody(d: Diagnosis) -> impl IntoView {
    let pod = d.pod.clone();
    let verdict = if d.failing {
        "This pod fails to pull an image. The checks below go from the Secret to the registry."
    } else {
        "This pod pulls its images; the checks below show what it pulls with."
    };
    let secrets = if pod.pull_secrets.is_empty() {
        "none".to_owned()
    } else {
        pod.pull_secrets.join(", ")
    };
    let owner = format!("{} {}", pod.owner.kind, pod.owner.name);
    view! {
        <p class=if d.failing { "notice notice-error" } else { "notice" } data-testid="diagnosis-verdict">{verdict}</p>
        <dl class="facts" data-testid="pod-facts">
            <dt>"Namespace"</dt><dd class="mono">{pod.namespace.clone()}</dd>
            <dt>"Project"</dt><dd>{d.project.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Owner"</dt><dd>{owner}</dd>
            <dt>"ServiceAccount"</dt><dd class="mono">{pod.service_account.clone()}</dd>
            <dt>"Pull Secrets"</dt><dd class="mono">{secrets}</dd>
            <dt>"State"</dt><dd><PullStateBadge state=pod.state.clone()/></dd>
        </dl>
        <h2>"Images"</h2>
        <DataTable testid="diagnosis-images" columns=["Container", "Image", "Registry host", "Pull Secret", "State"].into_iter().map(Column::Text).collect()>
            {pod.containers.into_iter().map(|c| view! {
                <tr data-container=c.name.clone()>
                    <td class="mono">{c.name.clone()}{c.init.then_some(" (init)")}</td>
                    <td class="mono">{c.image.clone()}
                        {c.reference.clone().filter(|r| *r != c.image).map(|r| view! { <div class="muted">{format!("= {r}")}</div> })}
                    </td>
                    <td class="mono">{c.host.clone().unwrap_or_else(|| "—".into())}</td>
                    <td><ServingView serving=c.serving.clone()/></td>
                    <td><PullStateBadge state=c.state.clone()/>
                        {c.message.clone().map(|m| view! { <div class="muted small">{m}</div> })}
                    </td>
                </tr>
            }).collect_view()}
        </DataTable>
        <h2>"Checks"</h2>
        <ol class="checks" data-testid="checks">
            {d.checks.into_iter().map(|check| view! { <CheckView check/> }).collect_view()}
        </ol>
        <h2>"Events"</h2>
        <EventsTable events=d.events/>
    }
    .into_any()
}

#[component]
fn CheckView(check: Check) -> impl IntoView {
    let label = check.verdict.label();
    view! {
        <li class=format!("check check-{label}") data-check=check.number data-verdict=label>
            <div class="check-head">
                <span class=format!("badge verdict verdict-{label}")>{label}</span>
                <strong>{check.title}</strong>
            </div>
            <ul class="evidence">
                {check.evidence.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
            </ul>
            {check.fix.map(|fix| view! { <FixView fix/> })}
        </li>
    }
    .into_any()
}

#[component]
fn EventsTable(events: Vec<EventFacts>) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="muted" data-testid="no-events">"No Events for this pod (Kubernetes keeps them for an hour)."</p> }.into_any();
    }
    view! {
        <DataTable testid="events" columns=["Type", "Reason", "Message", "Count"].into_iter().map(Column::Text).collect()>
            {events.into_iter().map(|e| view! {
                <tr data-reason=e.reason.clone()>
                    <td>{e.kind.clone()}</td>
                    <td class="mono">{e.reason.clone()}</td>
                    <td class="event-message">{e.message.clone()}</td>
                    <td class="num">{e.count}</td>
                </tr>
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}
