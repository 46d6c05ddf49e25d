//! The detail page of one registry: summary, per-namespace status, the Pods
//! and ServiceAccounts that use its Secret, and resync, edit and delete.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::credential::CredentialSection;
use super::edit::load_error;
use super::expiry::ExpiryBadge;
use super::export::ExportSection;
use super::namespaces::{attachment_pending, NamespaceStatusTable};
use super::preview::DeletePreview;
use super::recovery::LostSource;
use super::rotate::RotateSection;
use super::{detail_href, use_registry_param};
use crate::api::registries::{
    delete_registry, get_registry, resync_registry, RegistryDetail, Scope, SecretReference,
    SyncState,
};
use crate::domain::age::short_age;
use crate::ui::audit::RegistryHistory;
use crate::ui::components::{failure, now_unix, use_hydrated, ErrorNotice, ScopeBadge};
use crate::AppError;

/// How often the page refetches while a namespace is pending.
const PENDING_POLL: Duration = Duration::from_secs(2);

type DetailResource = Resource<(Result<RegistryDetail, AppError>, i64)>;

/// Whether any namespace still waits for its copy.
fn any_pending(detail: &RegistryDetail) -> bool {
    detail
        .namespaces
        .iter()
        .any(|n| n.state == SyncState::Pending || attachment_pending(n))
}

/// The page.
#[component]
pub fn RegistryDetailPage() -> impl IntoView {
    let target = use_registry_param();
    let detail: DetailResource = Resource::new(
        move || target.get(),
        |target| async move {
            let detail = match target {
                Some((scope, name)) => get_registry(scope, name).await,
                None => Err(AppError::NotFound("There is no such registry.".to_owned())),
            };
            (detail, now_unix())
        },
    );
    poll_while_pending(detail);
    let name = move || target.get().map(|(_, n)| n).unwrap_or_default();
    // Each part is type-erased: one nested view type for the whole page
    // overflows rustc's query depth when the wasm is built.
    let header = view! {
        <Title text=name/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/">"Registries"</a>" / "</nav>
        <div class="toolbar">
            <h1 class="mono" data-testid="registry-name">{name}</h1>
            {move || target.get().map(|(scope, name)| view! { <Actions scope name detail/> })}
        </div>
    }
    .into_any();
    let body = view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the registry…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    (Ok(d), now) => {
                        let on_restored = Callback::new(move |_| detail.refetch());
                        view! { <DetailBody detail=d now on_restored/> }.into_any()
                    }
                    (Err(e), _) => load_error(e).into_any(),
                }
            })}
        </Transition>
    }
    .into_any();
    // Outside the transition, so polling does not reload the history.
    let history = (move || {
        target
            .get()
            .map(|(scope, name)| view! { <History scope name/> })
    })
    .into_any();
    // Outside the transition too: a refetch must not reset a rotation.
    let rotate = (move || {
        target.get().map(|(scope, name)| {
            let hosts = Signal::derive(move || {
                let d = detail.get().and_then(|(d, _)| d.ok());
                d.map(|d| d.summary.hosts).unwrap_or_default()
            });
            let refresh = Callback::new(move |_| detail.refetch());
            view! { <RotateSection scope name hosts refresh/> }
        })
    })
    .into_any();
    view! { {header} {body} {rotate} {history} }
}

/// The audit log of this registry (the audit feature's component).
#[component]
fn History(scope: Scope, name: String) -> impl IntoView {
    let history = match scope {
        Scope::Project { project } => view! { <RegistryHistory project name/> }.into_any(),
        Scope::Namespace { namespace } => view! { <RegistryHistory namespace name/> }.into_any(),
    };
    view! {
        <section aria-labelledby="history-heading" data-testid="registry-history">
            <h2 id="history-heading">"History"</h2>
            {history}
        </section>
    }
    .into_any()
}

/// Refetches `detail` every [`PENDING_POLL`] while any namespace is pending.
///
/// The reconciler fans a project registry out in the background, and there
/// is no per-registry event stream (the SSE streams follow namespaces), so
/// a light poll is what lets the person watch the copies land. It only
/// fetches while something is pending, and stops with the page.
fn poll_while_pending(detail: DetailResource) {
    Effect::new(move |_| {
        let tick = move || {
            let pending =
                detail.with_untracked(|d| matches!(d, Some((Ok(d), _)) if any_pending(d)));
            if pending {
                detail.refetch();
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, PENDING_POLL) {
            on_cleanup(move || handle.clear());
        }
    });
}

/// Resync, Edit and Delete, with the delete confirmation.
#[component]
fn Actions(scope: Scope, name: String, detail: DetailResource) -> impl IntoView {
    let hydrated = use_hydrated();
    let resync =
        Action::new(|(scope, name): &(Scope, String)| resync_registry(scope.clone(), name.clone()));
    let delete =
        Action::new(|(scope, name): &(Scope, String)| delete_registry(scope.clone(), name.clone()));
    let confirming = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = resync.value().get() {
            detail.refetch();
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/", NavigateOptions::default());
        }
    });
    let error = Signal::derive(move || {
        failure(delete.value().get()).or_else(|| failure(resync.value().get()))
    });
    let resynced = move || matches!(resync.value().get(), Some(Ok(()))) && !resync.pending().get();
    let edit_href = format!("{}/edit", detail_href(&scope, &name));
    let key = (scope.clone(), name.clone());
    let delete_key = key.clone();
    let confirm_message = {
        let (scope, name) = key.clone();
        move || {
            delete_message(
                &scope,
                &name,
                detail.get_untracked().and_then(|(d, _)| d.ok()).as_ref(),
            )
        }
    };
    view! {
        <div class="actions push-right">
            <button type="button" class="secondary" data-testid="resync"
                disabled=move || !hydrated.get() || resync.pending().get()
                on:click=move |_| { resync.dispatch(key.clone()); }>
                {move || if resync.pending().get() { "Resyncing…" } else { "Resync now" }}
            </button>
            <a class="button secondary" href=edit_href data-testid="edit">"Edit"</a>
            <button type="button" class="danger" data-testid="delete"
                disabled=move || !hydrated.get() || delete.pending().get()
                on:click=move |_| confirming.set(true)>
                "Delete…"
            </button>
        </div>
        <p class="status-line" role="status" aria-live="polite">
            {move || resynced().then_some("Resync requested; the status below is current.")}
        </p>
        <div class="full-width">
            <ErrorNotice error=error testid="action-error"/>
            {move || confirming.get().then(|| view! {
                <DeletePreview key=delete_key.clone() delete note=confirm_message()
                    on_cancel=Callback::new(move |_| confirming.set(false))/>
            })}
        </div>
    }
    .into_any()
}

/// What deleting removes, named precisely.
fn delete_message(scope: &Scope, name: &str, detail: Option<&RegistryDetail>) -> String {
    match scope {
        Scope::Namespace { namespace } => {
            format!("This deletes the Secret {name} in namespace {namespace}. Pods that pull with it will fail to pull new images.")
        }
        Scope::Project { project } => {
            let namespaces: Vec<&str> = detail
                .map(|d| d.namespaces.iter().map(|n| n.namespace.as_str()).collect())
                .unwrap_or_default();
            match namespaces.len() {
                0 => format!(
                    "This deletes registry {name} of project {project}. It has no copies yet."
                ),
                1 => format!(
                    "This deletes registry {name} and its copy in 1 namespace: {}.",
                    namespaces[0]
                ),
                n => format!(
                    "This deletes registry {name} and its copies in {n} namespaces: {}.",
                    namespaces.join(", ")
                ),
            }
        }
    }
}

#[component]
/// `on_restored` reloads the page's data (after a restore or a credential test).
fn DetailBody(detail: RegistryDetail, now: i64, on_restored: Callback<()>) -> impl IntoView {
    let s = detail.summary.clone();
    let lost = match (&s.scope, s.source_lost) {
        (Scope::Project { project }, true) => {
            Some(view! { <LostSource project=project.clone() name=s.name.clone() on_restored/> })
        }
        _ => None,
    };
    let created = s
        .created_unix
        .map(|c| format!("{} ago", short_age(now - c)));
    let pending = any_pending(&detail);
    let credential = view! {
        <CredentialSection scope=s.scope.clone() name=s.name.clone() hosts=s.host_details.clone()
            checks=s.credential_checks.clone() now refresh=on_restored/>
    }
    .into_any();
    view! {
        {lost}
        <section aria-labelledby="summary-heading" class="detail-summary">
            <h2 id="summary-heading" class="visually-hidden">"Summary"</h2>
            <dl class="facts" data-testid="summary">
                <dt>"Scope"</dt><dd><ScopeBadge scope=s.scope.clone()/></dd>
                <dt>"Hosts"</dt>
                <dd><ul class="plain">{s.hosts.iter().map(|h| view! { <li class="mono">{h.clone()}</li> }).collect_view()}</ul></dd>
                <dt>"Username"</dt><dd data-testid="detail-username">{s.username.clone().unwrap_or_else(|| "(differs per host)".to_owned())}</dd>
                <dt>"Email"</dt><dd>{detail.email.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"Description"</dt><dd>{if s.description.is_empty() { "—".to_owned() } else { s.description.clone() }}</dd>
                <dt>"Created"</dt><dd>{created.unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"Password"</dt><dd class="muted">"Stored in the Secret; never shown."</dd>
                <dt>"Expiry"</dt><dd>{match s.worst_expiry() {
                    Some(e) => view! { <ExpiryBadge expiry=Some(e)/> }.into_any(),
                    None => view! { <span class="muted">"no valid-until date"</span> }.into_any(),
                }}</dd>
                <dt>"Attached to"</dt><dd data-testid="detail-attachment">{detail.attachment.describe()}</dd>
            </dl>
        </section>
        {credential}
        <ExportSection scope=s.scope.clone() name=s.name.clone() namespaces=detail.namespaces.iter().map(|n| n.namespace.clone()).collect()/>
        <section aria-labelledby="namespaces-heading">
            <h2 id="namespaces-heading">"Namespaces"</h2>
            {pending.then(|| view! {
                <p class="muted" role="status" data-testid="pending-note">"Copies are being written; this page updates by itself."</p>
            })}
            <NamespaceStatusTable name=s.name.clone() rows=detail.namespaces.clone()/>
        </section>
        <section aria-labelledby="references-heading">
            <h2 id="references-heading">"Used by"</h2>
            <ReferencesTable name=s.name.clone() rows=detail.references.clone()/>
        </section>
    }
    .into_any()
}

#[component]
fn ReferencesTable(name: String, rows: Vec<SecretReference>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <p class="muted" data-testid="no-references">
                "No Pod or ServiceAccount references this Secret yet. Add it under "
                <code>{format!("imagePullSecrets: [{{name: {name}}}]")}</code>
                " of a Pod or its ServiceAccount."
            </p>
        }
        .into_any();
    }
    view! {
        <table data-testid="references">
            <thead>
                <tr>
                    <th scope="col">"Kind"</th><th scope="col">"Namespace"</th>
                    <th scope="col">"Name"</th><th scope="col">"Problem"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr data-kind=r.kind.clone() data-name=r.name.clone()>
                        <td>{r.kind.clone()}</td>
                        <td class="mono">{r.namespace.clone()}</td>
                        <td class="mono">{if r.kind == "Pod" {
                            let href = crate::ui::pages::workloads::diagnosis_href(&r.namespace, &r.name);
                            view! { <a href=href data-testid="pod-diagnosis">{r.name.clone()}</a> }.into_any()
                        } else {
                            r.name.clone().into_any()
                        }}</td>
                        <td>{match r.problem {
                            Some(p) => view! { <span class="badge state state-error">{p}</span> }.into_any(),
                            None => view! { <span class="muted">"—"</span> }.into_any(),
                        }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
