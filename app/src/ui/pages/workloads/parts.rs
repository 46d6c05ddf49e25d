//! Pieces the Workloads pages share: the pull-state badge, which Secret an
//! image pulls with, a fix with its link, and the notice for namespaces
//! that could not be read.

use leptos::prelude::*;

use crate::api::registries::{get_registry, set_attachment};
use crate::api::workloads::{Fix, FixAction, NamespaceProblem, PullState, RegistryRef, Serving};
use crate::domain::workloads::fix::attachment_adding;
use crate::ui::components::{failure, use_hydrated};
use crate::ui::pages::REGISTRIES;
use crate::AppError;

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
        (Some(FixAction::Attach { registry, account }), true) => Some(
            view! { <AttachButton registry=registry.clone() account=account.clone()/> }.into_any(),
        ),
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

/// Widens the registry's attachment setting to `account` (`set_attachment`,
/// with the caller's rights): the reconciler then adds the Secret to that
/// ServiceAccount in every namespace the registry covers.
async fn attach(registry: RegistryRef, account: String) -> Result<(), AppError> {
    let detail = get_registry(registry.scope.clone(), registry.name.clone()).await?;
    let next = attachment_adding(&detail.attachment, &account);
    set_attachment(registry.scope, registry.name, next).await
}

/// "Attach to ServiceAccount S", then what happens next.
#[component]
fn AttachButton(registry: RegistryRef, account: String) -> impl IntoView {
    let hydrated = use_hydrated();
    let action = Action::new(|(r, a): &(RegistryRef, String)| attach(r.clone(), a.clone()));
    let done = move || matches!(action.value().get(), Some(Ok(())));
    let error = move || failure(action.value().get()).map(|e| e.to_string());
    let label = format!("Attach to {account}");
    let title = format!(
        "Sets registry {} to attach to ServiceAccount {account} in every namespace it covers",
        registry.name
    );
    let key = (registry, account);
    view! {
        <button type="button" class="secondary fix-action" data-testid="fix-attach" title=title
            disabled=move || !hydrated.get() || action.pending().get() || done()
            on:click=move |_| { action.dispatch(key.clone()); }>
            {move || if action.pending().get() { "Attaching…".to_owned() } else { label.clone() }}
        </button>
        <span role="status" aria-live="polite" class="fix-outcome">
            {move || done().then_some("Attached: pods created from now on pull with it; restart the existing ones.")}
        </span>
        {move || error().map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
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
