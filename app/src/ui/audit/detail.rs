//! One audit event with every field, details pretty-printed.

use leptos::prelude::*;

use super::{display_time, OutcomeBadge};
use crate::api::audit::AuditEventView;

/// Every field of `event`; client-supplied fields are marked untrusted.
#[component]
pub fn EventDetail(
    /// The event.
    event: AuditEventView,
) -> impl IntoView {
    let actor = match event.actor_id {
        Some(id) => format!("{} (user {id})", event.actor_name),
        None => event.actor_name.clone(),
    };
    let details = pretty_json(&event.details);
    let optional = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    view! {
        <dl class="event-detail" data-testid="event-detail">
            <dt>"Event"</dt><dd class="mono" data-testid="event-id">{event.id}</dd>
            <dt>"Time (UTC)"</dt><dd class="mono">{display_time(&event.at)}</dd>
            <dt>"Actor"</dt><dd data-testid="event-actor">{actor}</dd>
            <dt>"Action"</dt><dd class="mono" data-testid="event-action">{event.action.clone()}</dd>
            <dt>"Target kind"</dt><dd>{event.target_kind.clone()}</dd>
            <dt>"Project"</dt><dd>{optional(&event.target_project)}</dd>
            <dt>"Namespace"</dt><dd>{optional(&event.target_namespace)}</dd>
            <dt>"Name"</dt><dd>{optional(&event.target_name)}</dd>
            <dt>"Outcome"</dt><dd><OutcomeBadge outcome=event.outcome.clone() status_code=event.status_code/></dd>
            <dt>"Request id"</dt><dd class="mono">{optional(&event.request_id)}</dd>
            <dt>"Source address " <span class="untrusted">"(untrusted)"</span></dt>
            <dd class="mono">{optional(&event.untrusted_source_addr)}</dd>
            <dt>"User agent " <span class="untrusted">"(untrusted)"</span></dt>
            <dd class="mono" data-testid="event-user-agent">{optional(&event.untrusted_user_agent)}</dd>
            <dt>"Details"</dt>
            <dd><pre class="event-details" data-testid="event-details">{details}</pre></dd>
            <dt>"Previous hash"</dt><dd class="mono hash">{event.prev_hash.clone()}</dd>
            <dt>"Hash"</dt><dd class="mono hash" data-testid="event-hash">{event.hash.clone()}</dd>
        </dl>
    }
}

/// `text` indented when it is JSON, else as it is.
fn pretty_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| text.to_owned())
}
