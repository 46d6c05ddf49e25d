//! Pieces the Workloads pages share: the pull-state badge, which Secret an
//! image pulls with, a fix with its link, and the notice for namespaces
//! that could not be read.

use leptos::prelude::*;

use crate::api::workloads::{Fix, FixAction, NamespaceProblem, PullState, Serving};
use crate::ui::pages::REGISTRIES;

/// A pull state as a coloured badge.
#[component]
pub(super) fn PullStateBadge(state: PullState) -> impl IntoView {
    let label = state.label();
    let tone = if state.is_pull_failure() {
        "state-error"
    } else {
        match state {
            PullState::Running | PullState::Completed => "state-synced",
            PullState::Pending => "state-pending",
            _ => "state-conflict",
        }
    };
    let text = label.clone();
    view! { <span class=format!("badge state {tone}") data-state=label>{text}</span> }
}

/// Which credential an image pulls with, in words.
#[component]
pub(super) fn ServingView(serving: Serving) -> impl IntoView {
    match serving {
        Serving::Secret { secret, server } => view! {
            <span data-serving="secret" title=format!("auths entry {server}")>
                "Secret "<span class="mono">{secret}</span>
            </span>
        }
        .into_any(),
        Serving::Public => view! {
            <span class="muted" data-serving="public" title="Docker Hub's official images pull without a login">"public image"</span>
        }
        .into_any(),
        Serving::Missing => view! { <span class="no-secret" data-serving="missing">"no pull Secret for this host"</span> }.into_any(),
        Serving::Invalid => view! { <span class="no-secret" data-serving="invalid">"invalid reference"</span> }.into_any(),
    }
}

/// The new-registry form's address, filled from a fix.
pub(super) fn create_href(
    host: &str,
    namespace: &str,
    project: Option<&str>,
    name: Option<&str>,
) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    match project {
        Some(p) => pairs.push(("project", p.to_owned())),
        None => pairs.push(("namespace", namespace.to_owned())),
    }
    if !host.is_empty() {
        pairs.push(("host", host.to_owned()));
    }
    if let Some(name) = name {
        pairs.push(("name", name.to_owned()));
    }
    let query: leptos_router::params::ParamsMap = pairs.into_iter().collect();
    format!("{REGISTRIES}/new{}", query.to_query_string())
}

/// A fix: its sentence, and the link that applies it when the caller may.
#[component]
pub(super) fn FixView(fix: Fix) -> impl IntoView {
    let action = match (&fix.action, fix.allowed) {
        (
            Some(FixAction::CreateRegistry {
                host,
                namespace,
                project,
                name,
            }),
            true,
        ) => {
            let href = create_href(host, namespace, project.as_deref(), name.as_deref());
            Some(view! { <a class="button secondary fix-action" href=href data-testid="fix-create">"Create registry"</a> }.into_any())
        }
        (Some(FixAction::EditRegistry { registry, .. }), true) => {
            let href = format!("{}/{}/edit", registry.scope.path(), registry.name);
            Some(view! { <a class="button secondary fix-action" href=href data-testid="fix-edit">"Edit registry"</a> }.into_any())
        }
        _ => None,
    };
    view! {
        <div class="fix" data-testid="fix">
            <span class="fix-sentence">{capitalise(&fix.sentence)}"."</span>
            {action}
        </div>
    }
    .into_any()
}

/// The sentence with its first letter in upper case.
pub(super) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The namespaces that could not be read, if any.
#[component]
pub(super) fn Problems(problems: Vec<NamespaceProblem>) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        view! {
            <section class="notice notice-error" role="alert" data-testid="namespace-problems">
                <p>"Some namespaces could not be read; the others are shown."</p>
                <ul>
                    {problems.into_iter().map(|p| view! {
                        <li><span class="mono">{p.namespace}</span>": "{p.message}</li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}
