//! What an admin sees when ownership or a source went missing: the notice
//! on a registry whose source is lost (with "Restore source"), and the list
//! of Secrets that carry regboard's labels without its proof (with "Adopt").
//! regboard itself never deletes, overwrites or adopts either on its own.

use leptos::prelude::*;

use crate::api::registries::{
    adopt_secret, list_unproven_secrets, restore_registry, UnprovenSecret,
};
use crate::ui::components::{failure, use_hydrated, ErrorNotice, UserResource};

/// Whether the signed-in user is a global admin (false while unknown).
fn is_admin() -> Signal<bool> {
    let user = use_context::<UserResource>();
    Signal::derive(move || {
        user.and_then(|u| u.get())
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|u| u.admin)
    })
}

/// The notice on a project registry whose source Secret is gone while its
/// copies remain; `on_restored` runs once the source is back.
#[component]
pub(super) fn LostSource(
    project: String,
    name: String,
    on_restored: Callback<()>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let admin = is_admin();
    let restore =
        Action::new(move |(p, n): &(String, String)| restore_registry(p.clone(), n.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = restore.value().get() {
            on_restored.run(());
        }
    });
    let error = Signal::derive(move || failure(restore.value().get()));
    let key = (project, name);
    view! {
        <section class="notice warning" role="status" data-testid="source-lost">
            <h2>"Source lost"</h2>
            <p>"The source of this registry in regboard's system namespace is gone (the namespace \
                was deleted, or regboard now runs with another --system-namespace). Its copies are \
                kept and still work; nothing is deleted until the source is back."</p>
            {move || if admin.get() {
                let key = key.clone();
                view! {
                    <button type="button" data-testid="restore-source"
                        disabled=move || !hydrated.get() || restore.pending().get()
                        on:click=move |_| { restore.dispatch(key.clone()); }>
                        {move || if restore.pending().get() { "Restoring…" } else { "Restore source from a copy" }}
                    </button>
                }.into_any()
            } else {
                view! { <p class="muted">"An admin can restore the source from a copy in one action."</p> }.into_any()
            }}
            <ErrorNotice error=error testid="restore-error"/>
        </section>
    }
}

/// For admins: Secrets with regboard's labels that regboard cannot prove it
/// wrote, each with "Adopt". Renders nothing for others or when there are none.
#[component]
pub(super) fn UnprovenSecrets() -> impl IntoView {
    let admin = is_admin();
    let list = Resource::new(
        move || admin.get(),
        |admin| async move {
            if admin {
                list_unproven_secrets().await
            } else {
                Ok(Vec::new())
            }
        },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(rows) if rows.is_empty() => ().into_any(),
                    Ok(rows) => view! { <UnprovenTable rows on_adopted=Callback::new(move |_| list.refetch())/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) testid="unproven-error"/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UnprovenTable(rows: Vec<UnprovenSecret>, on_adopted: Callback<()>) -> impl IntoView {
    view! {
        <section class="notice warning" aria-labelledby="unproven-heading" data-testid="unproven">
            <h2 id="unproven-heading">"Secrets regboard did not prove it wrote"</h2>
            <p>"They carry regboard's labels but not its proof: copied, renamed or labelled by hand, \
                or written before proofs existed and not matching regboard's records. regboard never \
                updates or deletes them. Adopt one only if you know regboard wrote it."</p>
            <div class="table-scroll">
                <table>
                    <thead><tr>
                        <th scope="col">"Namespace"</th><th scope="col">"Name"</th>
                        <th scope="col">"Claims to be"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|row| view! { <UnprovenRow row on_adopted/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn UnprovenRow(row: UnprovenSecret, on_adopted: Callback<()>) -> impl IntoView {
    let hydrated = use_hydrated();
    let adopt =
        Action::new(move |(ns, name): &(String, String)| adopt_secret(ns.clone(), name.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = adopt.value().get() {
            on_adopted.run(());
        }
    });
    let error = Signal::derive(move || failure(adopt.value().get()));
    let key = (row.namespace.clone(), row.name.clone());
    let label = format!("Adopt {} in {}", row.name, row.namespace);
    view! {
        <tr data-namespace=row.namespace.clone() data-name=row.name.clone()>
            <td class="mono">{row.namespace.clone()}</td>
            <td class="mono">{row.name.clone()}</td>
            <td>{row.claims}</td>
            <td>
                <button type="button" class="secondary" aria-label=label data-testid="adopt"
                    disabled=move || !hydrated.get() || adopt.pending().get()
                    on:click=move |_| { adopt.dispatch(key.clone()); }>"Adopt"</button>
                <ErrorNotice error=error testid="adopt-error"/>
            </td>
        </tr>
    }
}
