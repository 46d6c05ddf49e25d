//! The Audit page (`/audit`): filters in the address bar (so a filtered view
//! can be bookmarked, shared and exported), newest events first, keyset
//! pages; and one event in detail (`/audit/:id`).
//!
//! The filter form is a plain GET form enhanced by the router: it works
//! before hydration and without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::audit::{get_audit_event, get_audit_page, AuditFilter, Outcome};
use crate::ui::audit::{ChainHeadLine, EventDetail, EventTable};
use crate::ui::components::LoadError;

/// The audit log page.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| AuditFilter::from_pairs(q.latest_values().map(|(k, v)| (k.as_ref(), v))))
    });
    let before =
        Memo::new(move |_| query.with(|q| q.get_str("before").and_then(|b| b.parse::<i64>().ok())));
    let page = Resource::new(
        move || (filter.get(), before.get()),
        |(filter, before)| get_audit_page(filter, before, None),
    );
    view! {
        <Title text="Audit"/>
        <h1>"Audit"</h1>
        <p class="muted">
            "Who changed what, when, from where, and whether it worked. The log is append-only and
             hash-chained: keep the latest hash somewhere else and check it with "
            <code>"regboard audit verify --expect-head HASH"</code>"."
        </p>
        <ChainHeadLine/>
        {move || view! { <FilterForm filter=filter.get()/> }}
        {move || view! { <ExportLinks filter=filter.get()/> }}
        <Suspense fallback=|| view! { <p class="muted">"Loading events…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let older = p.next_before.map(|b| {
                            let b = b.to_string();
                            format!("/audit?{}", filter.get_untracked().query_string(&[("before", &b)]))
                        });
                        let newest = before.get_untracked().map(|_| {
                            format!("/audit?{}", filter.get_untracked().query_string(&[]))
                        });
                        view! {
                            <EventTable events=p.events/>
                            <nav class="pager" aria-label="Pages">
                                {newest.map(|href| view! { <A href=href attr:data-testid="newest-page">"← Newest"</A> })}
                                {older.map(|href| view! { <A href=href attr:data-testid="older-page">"Older →"</A> })}
                            </nav>
                        }.into_any()
                    }
                    Err(e) => view! { <LoadError error=e testid="audit-error"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FilterForm(filter: AuditFilter) -> impl IntoView {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let outcome = filter.outcome.clone().unwrap_or_default();
    let options = Outcome::ALL
        .map(Outcome::as_str)
        .into_iter()
        .map(|o| view! { <option value=o selected=outcome == o>{o}</option> })
        .collect_view();
    view! {
        <Form method="GET" action="/audit">
            <fieldset class="audit-filters" data-testid="audit-filters">
                <legend>"Filter"</legend>
                <label>"From (UTC)" <input type="datetime-local" name="from" value=value(&filter.from)/></label>
                <label>"To (UTC)" <input type="datetime-local" name="to" value=value(&filter.to)/></label>
                <label>"Actor" <input name="actor" value=value(&filter.actor) placeholder="alice, system:reconciler"/></label>
                <label>"Action" <input name="action" value=value(&filter.action) placeholder="registry.update or registry.*"/></label>
                <label>"Outcome"
                    <select name="outcome">
                        <option value="" selected=outcome.is_empty()>"any"</option>
                        {options}
                    </select>
                </label>
                <label>"Project" <input name="project" value=value(&filter.project)/></label>
                <label>"Namespace" <input name="namespace" value=value(&filter.namespace)/></label>
                <label>"Registry" <input name="registry" value=value(&filter.registry)/></label>
                <label>"Text" <input type="search" name="q" value=value(&filter.q) placeholder="anywhere in the event"/></label>
                <div class="actions">
                    <button type="submit">"Apply"</button>
                    <a href="/audit">"Clear"</a>
                </div>
            </fieldset>
        </Form>
    }
}

/// Links that download the current filter; `download` keeps the router
/// from handling them.
#[component]
fn ExportLinks(filter: AuditFilter) -> impl IntoView {
    let csv = format!(
        "/audit/export?{}",
        filter.query_string(&[("format", "csv")])
    );
    let jsonl = format!(
        "/audit/export?{}",
        filter.query_string(&[("format", "jsonl")])
    );
    view! {
        <p class="export" data-testid="audit-export">
            "Export this filter: "
            <a href=csv download="" rel="external" data-testid="export-csv">"CSV"</a>
            " · "
            <a href=jsonl download="" rel="external" data-testid="export-jsonl">"JSON Lines"</a>
        </p>
    }
}

/// One event in detail.
#[component]
pub fn AuditEventDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get_str("id").and_then(|i| i.parse::<i64>().ok())));
    let event = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_audit_event(id).await,
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Audit event"/>
        <p><A href="/audit">"← Audit"</A></p>
        <Suspense fallback=|| view! { <p class="muted">"Loading the event…"</p> }>
            {move || Suspend::new(async move {
                match event.await {
                    Ok(Some(e)) => view! {
                        <h1>{format!("Event {} · {}", e.id, e.action)}</h1>
                        <EventDetail event=e/>
                    }.into_any(),
                    Ok(None) => view! {
                        <h1>"Event not found"</h1>
                        <p>"There is no audit event with this number, or you may not see it."</p>
                    }.into_any(),
                    Err(e) => view! {
                        <h1>"Audit event"</h1>
                        <LoadError error=e/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
