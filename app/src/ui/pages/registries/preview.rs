//! The preview of a registry change before it is written: per namespace
//! what happens to the Secret, which ServiceAccounts change and which pods
//! use it, then "Confirm" or "Cancel". Used by delete (detail page), by
//! rotation (`rotate.rs`) and by the create/edit form.
//!
//! Wiring it into a form:
//!
//! ```text
//! let preview = Action::new(|c: &RegistryChange| preview_registry_change(c.clone()));
//! <ChangePreviewView preview=Signal::derive(move || preview.value().get())
//!     pending=preview.pending()
//!     on_confirm=Callback::new(move |_| save.dispatch(..))
//!     on_cancel=Callback::new(move |_| preview.value().set(None))/>
//! ```

use leptos::prelude::*;

use crate::api::changes::{
    preview_registry_change, AccountChange, ChangePreview, NamespaceChange, RegistryChange,
    SecretAction,
};
use crate::api::registries::Scope;
use crate::ui::components::LoadError;
use crate::AppError;

/// The preview (or its loading / error state) with its confirm and cancel.
/// Nothing shows while `preview` is `None` and `pending` is false.
#[component]
pub fn ChangePreviewView(
    /// The preview once loaded.
    #[prop(into)]
    preview: Signal<Option<Result<ChangePreview, AppError>>>,
    /// Runs when the person confirms (the write is the caller's).
    on_confirm: Callback<()>,
    /// Runs when the person cancels.
    on_cancel: Callback<()>,
    /// Whether the preview is loading.
    #[prop(optional, into)]
    pending: Signal<bool>,
    /// Whether the confirmed write is running (disables the buttons).
    #[prop(optional, into)]
    busy: Signal<bool>,
    /// The confirm button's text.
    #[prop(default = "Confirm")]
    confirm_label: &'static str,
    /// A sentence above the table (e.g. what deleting removes).
    #[prop(optional, into)]
    note: Option<String>,
    /// Whether confirming destroys something (delete): a red button.
    #[prop(optional)]
    destructive: bool,
) -> impl IntoView {
    let confirm_class = if destructive { "danger" } else { "" };
    move || {
        let body = match (pending.get(), preview.get()) {
            (true, _) => {
                view! { <p class="muted">"Checking what this change writes…"</p> }.into_any()
            }
            (false, None) => return None,
            (false, Some(Err(e))) => {
                view! { <LoadError error=e testid="preview-error"/> }.into_any()
            }
            (false, Some(Ok(p))) => {
                let refused = p.refused.as_ref().map(ToString::to_string);
                let blocked = refused.is_some();
                view! {
                    {note.clone().map(|n| view! { <p>{n}</p> })}
                    <PreviewSummary preview=p.clone()/>
                    {refused.map(|r| view! {
                        <p class="notice notice-error" role="alert" data-testid="preview-refused">{r}</p>
                    })}
                    <PreviewTable preview=p/>
                    <div class="actions">
                        <button type="button" class=confirm_class data-testid="confirm-change"
                            disabled=move || blocked || busy.get()
                            on:click=move |_| on_confirm.run(())>
                            {confirm_label}
                        </button>
                    </div>
                }
                .into_any()
            }
        };
        Some(view! {
            <section class="notice review" aria-label="Preview of the change" data-testid="preview">
                {body}
                <button type="button" class="secondary" data-testid="cancel-change"
                    disabled=move || busy.get() on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </section>
        })
    }
}

/// One sentence: how many namespaces are written, how many collide.
#[component]
fn PreviewSummary(preview: ChangePreview) -> impl IntoView {
    let written = preview.written();
    let collisions = preview.collisions();
    let hosts = (!preview.hosts.is_empty())
        .then(|| format!(" New credential for {}.", preview.hosts.join(", ")));
    let mut text = format!(
        "This {} writes the Secret {} in {written} of {} namespaces",
        preview.change,
        preview.name,
        preview.namespaces.len()
    );
    if let Some(source) = &preview.source {
        text.push_str(&format!(" (and the source in {})", source.namespace));
    }
    text.push('.');
    if collisions > 0 {
        text.push_str(&format!(
            " {collisions} namespace(s) hold a Secret of that name regboard did not write: left untouched."
        ));
    }
    let tested: Vec<String> = preview.tested.iter().map(|c| c.sentence()).collect();
    view! {
        <p data-testid="preview-summary">{text}{hosts}</p>
        {(!tested.is_empty()).then(|| view! {
            <ul class="plain" data-testid="preview-tested">
                {tested.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}
            </ul>
        })}
    }
}

/// The action's cell: a badge, with the foreign Secret's type for a collision.
pub(crate) fn action_cell(action: &SecretAction) -> AnyView {
    let class = match action {
        SecretAction::Create | SecretAction::Update => "badge state state-pending",
        SecretAction::Delete => "badge state state-error",
        SecretAction::Unchanged => "badge state state-synced",
        SecretAction::Collision { .. } => "badge state state-conflict",
    };
    let extra = match action {
        SecretAction::Collision {
            secret_type,
            forged,
        } => {
            let forged = if *forged {
                ", carries regboard's labels without its proof"
            } else {
                ""
            };
            format!(" ({secret_type}{forged})")
        }
        _ => String::new(),
    };
    view! { <span class=class>{action.label()}</span>{extra} }.into_any()
}

/// The ServiceAccounts whose `imagePullSecrets` change, in a sentence
/// fragment ("default (adds it)"), or a dash.
pub(crate) fn accounts_text(accounts: &[AccountChange]) -> String {
    let named: Vec<String> = accounts
        .iter()
        .map(|a| {
            format!(
                "{} ({})",
                a.name,
                if a.adds { "adds it" } else { "removes it" }
            )
        })
        .collect();
    if named.is_empty() {
        "—".to_owned()
    } else {
        named.join(", ")
    }
}

/// The table: one row per namespace (the source first).
#[component]
fn PreviewTable(preview: ChangePreview) -> impl IntoView {
    let rows: Vec<NamespaceChange> = preview
        .source
        .into_iter()
        .chain(preview.namespaces)
        .collect();
    view! {
        <table data-testid="preview-table">
            <thead>
                <tr>
                    <th scope="col">"Namespace"</th><th scope="col">"Secret"</th>
                    <th scope="col">"Action"</th><th scope="col">"ServiceAccounts"</th>
                    <th scope="col">"Pods using it"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let pods: Vec<String> = row.pods.iter()
                        .map(|p| match &p.problem { Some(why) => format!("{} ({why})", p.name), None => p.name.clone() })
                        .collect();
                    view! {
                        <tr data-testid="preview-row" data-namespace=row.namespace.clone()
                            data-action=row.action.label()>
                            <td class="mono">{row.namespace.clone()}</td>
                            <td class="mono">{row.secret.clone()}</td>
                            <td>{action_cell(&row.action)}</td>
                            <td>{accounts_text(&row.accounts)}</td>
                            <td>{if pods.is_empty() { "—".to_owned() } else { pods.join(", ") }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Delete with its preview: the preview loads when the panel opens, and
/// "Confirm delete" dispatches `delete`.
#[component]
pub(super) fn DeletePreview(
    /// The registry.
    key: (Scope, String),
    /// The delete action of the page.
    delete: Action<(Scope, String), Result<(), AppError>>,
    /// Closes the panel.
    on_cancel: Callback<()>,
    /// What deleting removes, in a sentence.
    note: String,
) -> impl IntoView {
    let preview = Action::new(|change: &RegistryChange| preview_registry_change(change.clone()));
    let (scope, name) = key.clone();
    preview.dispatch(RegistryChange::Delete { scope, name });
    view! {
        <ChangePreviewView preview=Signal::derive(move || preview.value().get())
            pending=preview.pending() busy=delete.pending()
            confirm_label="Confirm delete" note destructive=true
            on_confirm=Callback::new(move |_| { delete.dispatch(key.clone()); })
            on_cancel/>
    }
}
