//! Audit components shared by the Audit page and other pages: the events
//! table, the chain head, one event in detail, and [`RegistryHistory`] for a
//! registry's History tab.
//!
//! Every value from an event is rendered as text, which Leptos escapes, so
//! an untrusted user agent such as `<script>` shows as written and never
//! runs.

mod detail;

pub use detail::EventDetail;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::audit::{get_audit_head, get_audit_page, AuditEventView, AuditFilter};
use crate::ui::components::{Column, DataTable, LoadError};

/// Events as a table, newest first, each linking to its detail page.
#[component]
pub fn EventTable(
    /// The events to show.
    events: Vec<AuditEventView>,
) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="muted" data-testid="audit-empty">"No events match."</p> }
            .into_any();
    }
    let rows = events
        .into_iter()
        .map(|e| view! { <EventRow event=e/> })
        .collect_view();
    let columns = [
        "Time (UTC)",
        "Actor",
        "Action",
        "Target",
        "Outcome",
        "Source",
    ]
    .into_iter()
    .map(Column::Text)
    .chain([Column::Hidden("Details")])
    .collect();
    view! {
        <DataTable testid="audit-events" class="audit-table" columns>{rows}</DataTable>
    }
    .into_any()
}

#[component]
fn EventRow(event: AuditEventView) -> impl IntoView {
    let target = event.target_label();
    let href = format!("/audit/{}", event.id);
    let source = event.untrusted_source_addr.clone().unwrap_or_default();
    view! {
        <tr data-event-id=event.id.to_string() data-action=event.action.clone()>
            <td class="mono nowrap" title=event.at.clone()>{display_time(&event.at)}</td>
            <td>{event.actor_name.clone()}</td>
            <td class="mono">{event.action.clone()}</td>
            <td>{target}</td>
            <td><OutcomeBadge outcome=event.outcome.clone() status_code=event.status_code/></td>
            <td class="mono muted" title="Client-supplied; untrusted">{source}</td>
            <td><A href=href attr:class="event-link">"Details"</A></td>
        </tr>
    }
}

/// The outcome as a coloured word, with the Kubernetes status code.
#[component]
pub fn OutcomeBadge(
    /// `success`, `denied`, `conflict`, `invalid` or `error`.
    outcome: String,
    /// The status code, if any.
    status_code: Option<u16>,
) -> impl IntoView {
    let class = format!("badge outcome outcome-{outcome}");
    let text = match status_code {
        Some(code) => format!("{outcome} ({code})"),
        None => outcome,
    };
    view! { <span class=class data-testid="outcome">{text}</span> }
}

/// `2026-01-31T12:00:00.000Z` as `2026-01-31 12:00:00.000`.
pub fn display_time(at: &str) -> String {
    at.trim_end_matches('Z').replacen('T', " ", 1)
}

/// The number of events and the newest hash, to be written down elsewhere
/// and compared with `regboard audit verify --expect-head`.
#[component]
pub fn ChainHeadLine() -> impl IntoView {
    let head = Resource::new(|| (), |_| get_audit_head());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match head.await {
                    Ok(h) => view! {
                        <p class="chain-head" data-testid="chain-head">
                            {format!("{} events · latest hash ", h.events)}
                            <code data-testid="chain-head-hash">{h.latest_hash.unwrap_or_else(|| "none yet".into())}</code>
                        </p>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Events matching `filter`, a page at a time, with Older / Newest buttons.
#[component]
pub fn History(
    /// Which events to show.
    filter: AuditFilter,
    /// Events per page.
    #[prop(default = 20)]
    page_size: u32,
) -> impl IntoView {
    // The cursors of the pages before this one, to go back to the newest.
    let (before, set_before) = signal(None::<i64>);
    let query = filter.clone();
    let page = Resource::new(
        move || before.get(),
        move |before| get_audit_page(query.clone(), before, Some(page_size)),
    );
    let link = format!("/audit?{}", filter.query_string(&[]));
    view! {
        <section class="history" data-testid="history">
            <Suspense fallback=|| view! { <p class="muted">"Loading history…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => {
                            let older = p.next_before;
                            view! {
                                <EventTable events=p.events/>
                                <div class="pager">
                                    <button
                                        type="button"
                                        disabled=move || before.get().is_none()
                                        on:click=move |_| set_before.set(None)
                                    >"Newest"</button>
                                    <button
                                        type="button"
                                        disabled=older.is_none()
                                        on:click=move |_| set_before.set(older)
                                    >"Older"</button>
                                </div>
                            }.into_any()
                        }
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <p><a href=link>"Open in the audit log"</a></p>
        </section>
    }
}

/// The History tab of one registry: its events, newest first. Give
/// `project` for a project registry, `namespace` for a namespace registry.
#[component]
pub fn RegistryHistory(
    /// The registry's project, for a project-scoped registry.
    #[prop(optional, into)]
    project: Option<String>,
    /// The registry's namespace, for a namespace-scoped registry.
    #[prop(optional, into)]
    namespace: Option<String>,
    /// The registry's name.
    #[prop(into)]
    name: String,
) -> impl IntoView {
    let filter = AuditFilter {
        project,
        namespace,
        registry: Some(name),
        ..Default::default()
    };
    view! { <History filter/> }
}
