//! The page "Unmanaged pull Secrets" (`/registries/unmanaged[?namespace=]`):
//! the pull Secrets regboard did not write in the namespaces the person
//! sees — made with kubectl, Helm or by hand — with hosts and usernames
//! only, and for editors "Adopt" (in place), or adoption under another
//! name or into the namespace's project.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::detail_href;
use crate::api::pull_secrets::{
    adopt_unmanaged_secret, list_unmanaged_secrets, AdoptAs, AdoptRequest, UnmanagedSecret,
};
use crate::api::registries::RegistrySummary;
use crate::ui::components::{failure, use_hydrated, EmptyState, ErrorNotice, LoadError};

/// The page's address.
pub const UNMANAGED: &str = "/registries/unmanaged";

/// The page.
#[component]
pub fn UnmanagedSecretsPage() -> impl IntoView {
    let query = use_query_map();
    let namespace =
        Memo::new(move |_| query.with(|q| q.get("namespace").filter(|n| !n.trim().is_empty())));
    let list = Resource::new(
        move || namespace.get(),
        |ns| async move { list_unmanaged_secrets(ns).await },
    );
    let adopted = RwSignal::new(None::<RegistrySummary>);
    let on_adopted = Callback::new(move |summary: RegistrySummary| {
        adopted.set(Some(summary));
        list.refetch();
    });
    view! {
        <Title text="Unmanaged pull Secrets"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/">"Registries"</a>" / "</nav>
        <h1>"Unmanaged pull Secrets"</h1>
        <p class="muted">"Secrets of type "<code>"kubernetes.io/dockerconfigjson"</code>" or the legacy "
            <code>"kubernetes.io/dockercfg"</code>" that regboard did not write (made with kubectl, Helm or \
            by hand). regboard never touches them until an editor adopts one; only hosts and usernames \
            are shown."</p>
        <form method="get" action=UNMANAGED class="toolbar" data-testid="unmanaged-filter">
            <label for="unmanaged-namespace">"Namespace"</label>
            <input id="unmanaged-namespace" name="namespace" data-testid="unmanaged-namespace"
                value=move || namespace.get().unwrap_or_default()/>
            <button type="submit" class="secondary">"Filter"</button>
        </form>
        {move || adopted.get().map(|s| view! {
            <p class="notice" role="status" data-testid="adopted">"Adopted as a registry: "
                <a href=detail_href(&s.scope, &s.name) data-testid="adopted-link">{s.name.clone()}</a></p>
        })}
        <Transition fallback=|| view! { <p class="muted">"Looking for pull Secrets…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState testid="unmanaged-empty">
                            <p>"No unmanaged pull Secrets: every pull Secret in the namespaces you see is regboard's."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(rows) => view! { <UnmanagedTable rows on_adopted/> }.into_any(),
                    Err(e) => view! { <LoadError error=e testid="unmanaged-error"/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn UnmanagedTable(
    rows: Vec<UnmanagedSecret>,
    on_adopted: Callback<RegistrySummary>,
) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table data-testid="unmanaged">
                <thead><tr>
                    <th scope="col">"Namespace"</th><th scope="col">"Name"</th><th scope="col">"Type"</th>
                    <th scope="col">"Hosts"</th><th scope="col">"Usernames"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! { <UnmanagedRow row on_adopted/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A comma-separated list, or a dash.
fn listed(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_owned()
    } else {
        items.join(", ")
    }
}

#[component]
fn UnmanagedRow(row: UnmanagedSecret, on_adopted: Callback<RegistrySummary>) -> impl IntoView {
    let actions = match &row.unreadable {
        Some(why) => {
            view! { <span class="muted">{format!("Cannot be adopted: {why}")}</span> }.into_any()
        }
        None if row.may_adopt || row.may_adopt_to_project => {
            view! { <AdoptControls row=row.clone() on_adopted/> }.into_any()
        }
        None => view! { <span class="muted">"Editors of this namespace can adopt it."</span> }
            .into_any(),
    };
    view! {
        <tr data-namespace=row.namespace.clone() data-name=row.name.clone() data-testid="unmanaged-row">
            <td class="mono">{row.namespace.clone()}</td>
            <td class="mono">{row.name.clone()}</td>
            <td class="mono">{row.secret_type.clone()}</td>
            <td class="mono" data-testid="unmanaged-hosts">{listed(&row.hosts)}</td>
            <td data-testid="unmanaged-usernames">{listed(&row.usernames)}</td>
            <td>{actions}</td>
        </tr>
    }
}

/// "Adopt" in place, and adopting under a name as a namespace or project
/// registry; `on_adopted` gets the new registry.
#[component]
fn AdoptControls(row: UnmanagedSecret, on_adopted: Callback<RegistrySummary>) -> impl IntoView {
    let hydrated = use_hydrated();
    let adopt = Action::new(move |request: &AdoptRequest| adopt_unmanaged_secret(request.clone()));
    Effect::new(move |_| {
        if let Some(Ok(summary)) = adopt.value().get() {
            on_adopted.run(summary);
        }
    });
    let error = Signal::derive(move || failure(adopt.value().get()));
    let (namespace, name) = (row.namespace.clone(), row.name.clone());
    let dispatch = Callback::new(move |adopt_as: AdoptAs| {
        adopt.dispatch(AdoptRequest {
            namespace: namespace.clone(),
            name: name.clone(),
            adopt_as,
        });
    });
    let busy = Signal::derive(move || !hydrated.get() || adopt.pending().get());
    let in_place = (!row.legacy() && row.may_adopt).then(|| {
        let label = format!("Adopt {} in {} as it is", row.name, row.namespace);
        view! {
            <button type="button" aria-label=label data-testid="adopt-in-place" disabled=busy
                on:click=move |_| dispatch.run(AdoptAs::InPlace)>"Adopt"</button>
        }
    });
    let legacy = row.legacy().then(|| view! {
        <p class="muted hint">"Legacy type: Kubernetes never changes a Secret's type, so it cannot become \
            a registry in place. Adopt it under another name or into the project: the same credentials \
            are written as .dockerconfigjson beside it, and it stays as it is."</p>
    });
    view! {
        {in_place}
        {legacy}
        <AdoptAsForm row dispatch busy/>
        <ErrorNotice error=error testid="adopt-error"/>
    }
    .into_any()
}

/// "Adopt as…": a namespace registry beside it, or a registry of its
/// project, under the name typed.
#[component]
fn AdoptAsForm(
    row: UnmanagedSecret,
    dispatch: Callback<AdoptAs>,
    busy: Signal<bool>,
) -> impl IntoView {
    let new_name = RwSignal::new(row.name.clone());
    let to_project = RwSignal::new(row.legacy() || !row.may_adopt);
    let project = row.project.clone().filter(|_| row.may_adopt_to_project);
    let id = format!("adopt-name-{}-{}", row.namespace, row.name);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked().trim().to_owned();
        dispatch.run(if to_project.get_untracked() {
            AdoptAs::Project { name }
        } else {
            AdoptAs::Renamed { name }
        });
    };
    view! {
        <details data-testid="adopt-other">
            <summary>"Adopt as…"</summary>
            <form on:submit=submit class="stack">
                {row.may_adopt.then(|| view! {
                    <label><input type="radio" name=format!("{id}-kind") data-testid="adopt-renamed"
                        checked=move || !to_project.get() on:change=move |_| to_project.set(false)/>
                        " a namespace registry beside it"</label>
                })}
                {project.map(|p| view! {
                    <label><input type="radio" name=format!("{id}-kind") data-testid="adopt-project"
                        checked=move || to_project.get() on:change=move |_| to_project.set(true)/>
                        {format!(" a registry of project {p}")}</label>
                })}
                <label for=id.clone()>"Registry name"</label>
                <input id=id.clone() data-testid="adopt-name" bind:value=new_name/>
                <button type="submit" class="secondary" data-testid="adopt-submit" disabled=busy>"Adopt"</button>
            </form>
        </details>
    }
    .into_any()
}
