//! Badges for a registry's scope and for per-namespace sync states.

use leptos::prelude::*;

use crate::api::registries::{Scope, SyncState, SyncSummary};

/// "project payments" or "namespace payments-dev", as a badge.
#[component]
pub fn ScopeBadge(
    /// The scope shown.
    scope: Scope,
) -> impl IntoView {
    let (kind, name) = match scope {
        Scope::Project { project } => ("project", project),
        Scope::Namespace { namespace } => ("namespace", namespace),
    };
    view! {
        <span class=format!("badge scope-badge scope-{kind}") data-scope=kind>
            <span class="scope-kind">{kind}</span>" "
            <span class="mono">{name}</span>
        </span>
    }
    .into_any()
}

/// One namespace's state: synced, pending, conflict or error, coloured.
#[component]
pub fn StateBadge(
    /// The state shown.
    state: SyncState,
) -> impl IntoView {
    let label = state.label();
    view! { <span class=format!("badge state state-{label}") data-state=label>{label}</span> }
}

/// The counts of a [`SyncSummary`], one coloured badge per non-zero state.
#[component]
pub fn SyncSummaryView(
    /// The counts shown.
    sync: SyncSummary,
) -> impl IntoView {
    let parts = [
        ("synced", sync.synced),
        ("pending", sync.pending),
        ("conflict", sync.conflict),
        ("error", sync.error),
    ];
    let total = sync.total();
    let label = parts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <span class="sync-summary" data-testid="sync-summary" title=label.clone()>
            {(total == 0).then(|| view! { <span class="muted">"no namespaces"</span> })}
            {parts
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(state, n)| view! {
                    <span class=format!("badge state state-{state}") data-state=state>
                        {format!("{n} {state}")}
                    </span>
                })
                .collect_view()}
        </span>
    }
    .into_any()
}
