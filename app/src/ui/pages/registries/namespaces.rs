//! The registry detail page's table of namespaces: whether the Secret is
//! there, whether the ServiceAccounts list it, and which pods must be
//! restarted (or edited) to pull with it.

use leptos::prelude::*;

use crate::api::registries::{AttachState, NamespaceAttachment, NamespaceSync, SyncState};
use crate::ui::components::StateBadge;

/// Whether the attachment in `row` waits for the reconciler.
pub(super) fn attachment_pending(row: &NamespaceSync) -> bool {
    row.attachment
        .as_ref()
        .is_some_and(|a| a.state == AttachState::Pending)
}

/// One row per namespace the registry reaches.
#[component]
pub(super) fn NamespaceStatusTable(name: String, rows: Vec<NamespaceSync>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <p class="muted" data-testid="no-namespaces">"The project has no namespaces yet; copies appear as namespaces join it."</p>
        }
        .into_any();
    }
    let attaching = rows.iter().any(|r| r.attachment.is_some());
    view! {
        <table data-testid="namespace-status">
            <thead>
                <tr>
                    <th scope="col">"Namespace"</th><th scope="col">"State"</th><th scope="col">"Message"</th>
                    {attaching.then(|| view! { <th scope="col">"ServiceAccounts"</th> })}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let message = state_message(&name, &row.state);
                    let attachment = attaching.then(|| view! {
                        <td data-testid="attachment-cell">
                            {row.attachment.clone().map(|a| view! { <AttachmentCell name=name.clone() attachment=a/> })}
                        </td>
                    });
                    view! {
                        <tr data-namespace=row.namespace.clone()>
                            <td class="mono">{row.namespace.clone()}</td>
                            <td><StateBadge state=row.state/></td>
                            <td>{message}</td>
                            {attachment}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The attachment's badge, sentence and pods to restart.
#[component]
fn AttachmentCell(name: String, attachment: NamespaceAttachment) -> impl IntoView {
    let class = match attachment.state {
        AttachState::Attached => "badge state state-synced",
        AttachState::Pending => "badge state state-pending",
        AttachState::AccountMissing { .. } => "badge state state-conflict",
        AttachState::Error { .. } => "badge state state-error",
    };
    let sentence = match &attachment.state {
        AttachState::Attached if attachment.accounts.is_empty() => {
            "No ServiceAccount here yet.".to_owned()
        }
        AttachState::Attached => format!("Listed by {}.", attachment.accounts.join(", ")),
        AttachState::Pending => "Waiting for the ServiceAccounts to be updated.".to_owned(),
        AttachState::AccountMissing { accounts } => format!(
            "No ServiceAccount named {} here: create it, or change the setting.",
            accounts.join(", ")
        ),
        AttachState::Error { message } => message.clone(),
    };
    let restart = (!attachment.stale_pods.is_empty()).then(|| {
        view! {
            <details class="stale-pods" data-testid="stale-pods">
                <summary>{format!("{} pod(s) do not use it yet", attachment.stale_pods.len())}</summary>
                <ul class="plain">
                    {attachment.stale_pods.into_iter().map(|p| {
                        let what = if p.own_list {
                            format!("lists its own pull Secrets: add {name} to its imagePullSecrets")
                        } else {
                            "created before the attachment: restart it (delete the pod; its controller makes a new one)".to_owned()
                        };
                        view! { <li data-pod=p.name.clone()><span class="mono">{p.name.clone()}</span>" — "{what}</li> }
                    }).collect_view()}
                </ul>
            </details>
        }
    });
    view! {
        <span class=class data-testid="attachment-state">{attachment.state.label()}</span>
        " "<span>{sentence}</span>
        {restart}
    }
    .into_any()
}

/// The sentence beside a namespace's state.
fn state_message(name: &str, state: &SyncState) -> String {
    match state {
        SyncState::Synced => "The Secret is in place and up to date.".to_owned(),
        SyncState::Pending => "Waiting for the Secret to be written.".to_owned(),
        SyncState::Conflict {
            secret_type,
            forged: false,
        } => format!(
            "A Secret named {name} of type {secret_type} already exists here; regboard leaves it untouched."
        ),
        SyncState::Conflict {
            secret_type,
            forged: true,
        } => format!(
            "A Secret named {name} of type {secret_type} here carries regboard's labels but was not written by regboard — copied by hand? regboard leaves it untouched."
        ),
        SyncState::Error { message } => message.clone(),
    }
}
