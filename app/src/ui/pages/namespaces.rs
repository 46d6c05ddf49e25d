//! The Namespaces page: every namespace with its project, number of Secrets
//! and age, following the cluster without a reload (see `ui::live`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::cluster::{list_namespaces, NamespaceList, NamespaceRow};
use crate::domain::age::short_age;
use crate::ui::components::LoadError;
use crate::ui::live::{use_event_stream, LiveState};

/// The page.
#[component]
pub fn NamespacesPage() -> impl IntoView {
    let initial = Resource::new(|| (), |_| list_namespaces());
    let (live, state) = use_event_stream::<NamespaceList>("/live/namespaces", "namespaces");
    view! {
        <Title text="Namespaces"/>
        <div class="toolbar">
            <h1>"Namespaces"</h1>
            <LiveIndicator state/>
        </div>
        <p class="muted">
            "Every namespace of the cluster with the project regboard recorded it in and how many \
             Secrets it holds. A namespace given the label "<code>"regboard.dev/project"</code>
            " outside regboard only asks to join, until an admin accepts it on the Projects page."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Loading namespaces…"</p> }>
            {move || Suspend::new(async move {
                match initial.await {
                    Ok(list) => view! { <NamespaceTable initial=list live/> }.into_any(),
                    Err(e) => view! { <LoadError error=e testid="namespaces-error"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LiveIndicator(state: ReadSignal<LiveState>) -> impl IntoView {
    let text = move || match state.get() {
        LiveState::Idle => "",
        LiveState::Live => "● live",
        LiveState::Reconnecting => "○ reconnecting…",
    };
    view! { <span class="badge live-state" data-testid="live-state" aria-live="polite">{text}</span> }
}

#[component]
fn NamespaceTable(
    initial: NamespaceList,
    live: ReadSignal<Option<NamespaceList>>,
) -> impl IntoView {
    let list = Memo::new(move |_| live.get().unwrap_or_else(|| initial.clone()));
    let count = move || list.with(|l| l.rows.len());
    view! {
        <p class="muted" data-testid="namespace-count">{move || format!("{} namespaces", count())}</p>
        <table data-testid="namespaces">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Project"</th>
                    <th scope="col" class="num">"Secrets"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">"Age"</th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || { let l = list.get(); l.rows.into_iter().map(move |r| (r, l.now_unix)) }
                    key=|(row, now)| (row.clone(), *now)
                    children=|(row, now)| view! { <NamespaceRowView row now/> }
                />
            </tbody>
        </table>
    }
}

#[component]
fn NamespaceRowView(row: NamespaceRow, now: i64) -> impl IntoView {
    let age = row
        .created_unix
        .map(|c| short_age(now - c))
        .unwrap_or_default();
    view! {
        <tr data-namespace=row.name.clone()>
            <td class="mono">{row.name.clone()}</td>
            <td>{match (row.project, row.requested_project) {
                (Some(p), _) => view! { <span class="badge">{p}</span> }.into_any(),
                (None, Some(asked)) => view! {
                    <span class="badge warn" title="Labelled outside regboard; an admin accepts or rejects it on the Projects page">
                        {format!("asks to join {asked}")}
                    </span>
                }.into_any(),
                (None, None) => view! { <span class="muted">"—"</span> }.into_any(),
            }}</td>
            <td class="num">{row.secrets}</td>
            <td>{row.phase.unwrap_or_default()}</td>
            <td class="num">{age}</td>
        </tr>
    }
}
